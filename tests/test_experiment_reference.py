"""Experiment estimators pinned to R (tests/reference/experiment.R, 1e-6).

lm + sandwich::vcovHC(type = "HC2") / vcovCL(type = "HC1"), Lin (2013), interactions and
moderators with car::linearHypothesis, conjoint AMCEs, marginal means and cj_anova F tests.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from avoid_survey.analysis.stats.experiment import analyze

ROOT = Path(__file__).resolve().parents[1]
REF = json.loads((ROOT / "tests" / "reference" / "experiment.json").read_text(encoding="utf-8"))
DATA = ROOT / "tests" / "reference" / "data"
VIGNETTE = ROOT / "sample_data" / "experiment" / "ft-vignette.yaml"
CONJOINT = ROOT / "sample_data" / "experiment" / "reform-conjoint.yaml"
TOL = 1e-6
KEYS = ("estimate", "se", "p", "ci_lower", "ci_upper")


def _rows(result, model, estimand=None):
    return {e["term"]: e for e in result.to_dict()["effects"]
            if e["model"] == model and (estimand is None or e["estimand"] == estimand)}


def _same(rows, ref):
    assert sorted(rows) == sorted(ref["terms"])
    for i, term in enumerate(ref["terms"]):
        for k in KEYS:
            assert rows[term][k] == pytest.approx(ref[k][i], abs=TOL, rel=TOL), (term, k)


def _test(result, name, factor="__any__"):
    return [t for t in result.to_dict()["tests"] if t["test"] == name and (factor == "__any__" or t["factor"] == factor)]


def _same_test(t, ref):
    for k in ("statistic", "df1", "df2", "p"):
        assert t[k] == pytest.approx(ref[k], abs=TOL, rel=TOL), k


@pytest.fixture(scope="module")
def between():
    return analyze(pd.read_csv(DATA / "experiment_between.csv"), VIGNETTE, outcome="innovate",
                   covariates=["age", "female", "tenure"])


def test_between_main_hc2(between):
    assert between.design["se_type"] == "HC2" and between.design["cluster"] is None
    _same(_rows(between, "main"), REF["between_main"])
    for t, ref in zip(_test(between, "wald_factor"), REF["between_main"]["wald"]):
        _same_test(t, ref)


def test_between_lin_and_interactions(between):
    _same(_rows(between, "lin"), REF["between_lin"])
    _same(_rows(between, "interactions"), REF["between_inter"])
    _same_test(_test(between, "wald_interactions")[0], REF["between_inter"]["wald"])


def test_between_moderator_and_cluster():
    frame = pd.read_csv(DATA / "experiment_between.csv")
    r = analyze(frame, VIGNETTE, outcome="innovate", moderator="female")
    _same(_rows(r, "moderator"), REF["between_mod"])
    _same_test(_test(r, "wald_moderator")[0], REF["between_mod"]["wald"])
    r = analyze(frame, VIGNETTE, outcome="innovate", cluster="unit")
    assert r.design["se_type"] == "CR1" and r.design["cluster"] == "unit"
    _same(_rows(r, "main"), REF["between_unit"])


def test_between_balance(between):
    rows = {(b["variable"], b["factor"], b["arm"]): b for b in between.to_dict()["balance"]}
    tests = {t["factor"]: t for t in _test(between, "balance_f")}
    for ref in REF["between_balance"]:
        if ref["variable"] == "omnibus":
            _same_test(tests[ref["factor"]], ref)
            continue
        row = rows[(ref["variable"], ref["factor"], ref["arm"])]
        assert row["mean"] == pytest.approx(ref["mean"], abs=TOL)
        assert row["std_diff"] == pytest.approx(ref["std_diff"], abs=TOL)
    attr = {(a["factor"], a["arm"]): a for a in between.to_dict()["attrition"]}
    assert sum(a["n_assigned"] for k, a in attr.items() if k[0] == "task") == 400
    assert sum(a["n_observed"] for k, a in attr.items() if k[0] == "task") == between.design["n_observed"]


def test_within_clustered_by_respondent_and_random_intercept():
    r = analyze(pd.read_csv(DATA / "experiment_within.csv"), VIGNETTE, outcome="innovate",
                covariates=["age", "female", "tenure"], random_intercept=True)
    assert r.design["se_type"] == "CR1" and r.design["cluster"] == "respondent"
    _same(_rows(r, "main"), REF["within_main"])
    _same(_rows(r, "lin"), REF["within_lin"])
    mixed = _rows(r, "mixed")
    assert sorted(mixed) == sorted(REF["within_mixed"]["terms"])
    for i, term in enumerate(REF["within_mixed"]["terms"]):  # lmer's REML optimum: 1e-6 as the mixed tests
        for k in KEYS:
            assert mixed[term][k] == pytest.approx(REF["within_mixed"][k][i], abs=1e-6, rel=1e-6), (term, k)


def test_manipulation_check_is_the_main_model_on_the_check():
    frame = pd.read_csv(DATA / "experiment_within.csv")
    frame["check"] = frame["innovate"]
    r = analyze(frame, VIGNETTE, outcome="innovate", manipulation="check")
    _same(_rows(r, "manipulation"), REF["within_main"])
    assert [t["test"] for t in r.to_dict()["tests"]].count("manipulation") == 3


@pytest.fixture(scope="module")
def conjoint():
    return analyze(DATA / "experiment_conjoint.csv", CONJOINT, moderator="leader")


def test_conjoint_amce_cr1(conjoint):
    _same(_rows(conjoint, "main", "amce"), REF["amce"])
    for t, ref in zip(_test(conjoint, "wald_factor"), REF["amce"]["wald"]):
        _same_test(t, ref)


def test_conjoint_marginal_means(conjoint):
    rows = _rows(conjoint, "mm", "mm")
    for attr, ref in REF["mm"].items():
        _same({k: v for k, v in rows.items() if v["factor"] == attr}, ref)
    assert all(r["h0"] == 0.5 for r in rows.values())


def test_conjoint_nested_f_and_diagnostics(conjoint):
    _same_test(_test(conjoint, "nested_f", "leader")[0], REF["nested_leader"])
    _same_test(_test(conjoint, "carryover")[0], REF["carryover"])
    _same_test(_test(conjoint, "profile_order")[0], REF["profile_order"])
    _same(_rows(conjoint, "moderator"), REF["cj_mod"])
    for g, ref in zip(("0", "1"), REF["cj_subgroup"]):
        _same({e["term"]: e for e in conjoint.to_dict()["effects"] if e["model"] == "subgroup" and e["group"] == g},
              ref)
    _same_test(_test(conjoint, "wald_moderator")[0], REF["cj_mod"]["wald"])


def test_conjoint_amce_under_a_restriction(tmp_path):
    text = CONJOINT.read_text(encoding="utf-8").replace(
        "  restrictions: []\n", "  restrictions:\n    - {when: {scope: narrow}, exclude: {review: panel}}\n")
    inst = tmp_path / "restricted.yaml"
    inst.write_text(text, encoding="utf-8")
    r = analyze(DATA / "experiment_conjoint_restricted.csv", inst)
    assert not r.warnings
    rows = _rows(r, "main", "amce")
    _same(rows, REF["amce_restricted"])
    assert rows["scopebroad"]["restricted"] and not rows["resourcesbudget"]["restricted"]
