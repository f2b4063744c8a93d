"""Every bundled template beside the truth (issue 18).

sample_data/template_truth.yaml names each template's key terms, their true values as paths of
sample_data/study.yaml (products for indirect effects, differences for the two-path contrasts,
``total(Y <- X)`` where a regression leaves the mediators out) and the documented CI coverage
from 200 offline replicates. Here:

* the truth expressions are parsed by our own grammar (no eval) and an undeclared path fails;
* every bundled template has a truth entry;
* REPLICATES fresh data sets are simulated from the study (seed 20261203, not the documenting
  run's seed 1) and every template is refitted on each (bootstrap capped at BOOT resamples);
  each key term's number of covering CIs must lie in the central 99.9% of its predictive
  distribution given the documented rate (beta-binomial: the documented rate is itself a count
  over 200 replicates), and every null must not exclude 0 more often than the upper 0.05% tail
  of Binomial(REPLICATES, alpha) (or of its documented rejection rate) allows;
* the same fits scored against a wrong truth fail, so the check can fail;
* the README's final section equals the table regenerated from the bundled sample.

Every model of every template is refitted, the latent mediation SEM of
sem_pressure_trust_avoidance (FIML on 61 items) included: about 2.5 CPU seconds of the 7 to 8 a
replicate costs for all templates; the four latent SEMs of cmv_marker_correction (listwise ML,
two of them with the marker method factor) add about half a second per replicate. Budget:
REPLICATES = 40 and BOOT = 200 keep the module under 8 minutes on two cores (measured on
2026-12-03: 300 CPU seconds for the module before cmv_marker_correction, about 2.5 minutes on two
free cores; 7.8 minutes of wall time on the shared machine while three other jobs ran).
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.simulate.replication import (README_HEADING, beside_truth_markdown, check_replication,
                                                        load_truth_map, replicate_templates, score_replicates,
                                                        binomial_tails, predictive_tails, truth_value)
from avoid_survey.analysis.stats.models.templates import template_names

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "sample_data" / "template_truth.yaml"
STUDY = ROOT / "sample_data" / "study.yaml"
README = ROOT / "sample_data" / "README.md"
REPLICATES = 40
BOOT = 200
SEED = 20261203


# ---------------------------------------------------------------- truth expressions
def test_truth_expressions_are_paths_of_the_study():
    paths = {("y", "x"): 0.5, ("y", "m"): 0.3, ("m", "x"): 0.4, ("y", "a:b"): -0.1, ("y", "t=2"): 0.2}
    assert truth_value("y <- x", paths) == 0.5
    assert truth_value("m <- x * y <- m", paths) == pytest.approx(0.12)
    assert truth_value("y <- x - y <- m", paths) == pytest.approx(0.2)
    assert truth_value("-(y <- x + 1) * 2", paths) == pytest.approx(-3.0)
    assert truth_value("y <- b:a", paths) == -0.1          # factors of an interaction in any order
    assert truth_value("y <- t=2", paths) == 0.2
    assert truth_value("total(y <- x)", paths) == pytest.approx(0.5 + 0.4 * 0.3)
    assert truth_value(0, paths) == 0.0 and truth_value("0", paths) == 0.0


@pytest.mark.parametrize("bad", ["y <- z", "y <-", "y <- x *", "__import__('os')", "y <- x; 1", "total(q <- x)",
                                 "y <- x ) ("])
def test_a_bad_truth_expression_is_an_error(bad):
    paths = {("y", "x"): 0.5}
    with pytest.raises(AvoidSurveyError):
        truth_value(bad, paths)


def test_truth_values_follow_the_study():
    tm = load_truth_map(TRUTH)
    by = {(t.template, t.model, t.term, t.label): t.value for t in tm.terms}
    assert by[("escalation_cascade", "cascade", "ap_escalation", "")] == 0.30
    assert by[("serial_pressure_tightening", "serial", "indirect:inst_tightening -> risk_uncertainty", "")] == \
        pytest.approx(0.35 * 1.0 * 0.40 * 0.15)
    assert by[("two_path_differential", "two_paths", "defined:d_pressure", "")] == pytest.approx(0.30 - 0.10)
    assert by[("list_clarity_active", "list_chain", "indirect:ft_clarity", "")] == \
        pytest.approx((0.40 + 0.25) * (-0.25 - 0.20 * 0.30))
    assert truth_value("total(risk_perception <- accountability_pressure)", STUDY) == pytest.approx(0.40)


def test_every_bundled_template_has_a_truth_entry():
    tm = load_truth_map(TRUTH)
    assert set(template_names()) == set(tm.templates)
    assert all(tm.for_template(n) for n in tm.templates)
    assert any(t.null for t in tm.terms)


def test_binomial_tails():
    lo, hi = binomial_tails(38, 40, 0.95)
    assert lo == pytest.approx(1 - 0.95 ** 40 - 40 * 0.05 * 0.95 ** 39)   # P(X <= 38)
    assert hi == pytest.approx(sum(math.comb(40, j) * 0.95 ** j * 0.05 ** (40 - j) for j in range(38, 41)))
    assert binomial_tails(0, 40, 0.5)[0] == pytest.approx(0.5 ** 40)
    # the predictive distribution allows for the documented rate's own error: wider than the binomial
    assert predictive_tails(33, 40, 0.965, 200)[0] > binomial_tails(33, 40, 0.965)[0]
    assert predictive_tails(33, 40, 0.965, 100000)[0] == pytest.approx(binomial_tails(33, 40, 0.965)[0], rel=0.05)
    assert sum(predictive_tails(k, 40, 0.9, 200)[0] - (predictive_tails(k - 1, 40, 0.9, 200)[0] if k else 0)
               for k in range(41)) == pytest.approx(1.0)


# ---------------------------------------------------------------- replication
@pytest.fixture(scope="module")
def replication():
    return replicate_templates(TRUTH, REPLICATES, seed=SEED, jobs=2, boot_n=BOOT)


@pytest.mark.slow
def test_coverage_over_replicates_matches_the_documented_rates(replication):
    assert not replication.errors, replication.errors[:3]
    assert {r["template"] for r in replication.rows} == set(template_names())
    problems = check_replication(replication, alpha=0.05)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_a_wrong_truth_fails(replication, tmp_path):
    text = TRUTH.read_text(encoding="utf-8")
    # a wrong path: rigidity's 0.15 in place of escalation received's 0.30
    wrong = text.replace('term: ap_escalation, truth: "escalation_avoidance <- ap_escalation"',
                         'term: ap_escalation, truth: "escalation_avoidance <- indicator_rigidity"')
    assert wrong != text
    p = tmp_path / "template_truth.yaml"
    p.write_text(wrong, encoding="utf-8")
    # the truth map names its study relative to itself
    (tmp_path / "study.yaml").write_text(STUDY.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "two_wave").mkdir()
    for f in ("study.yaml", "instrument.yaml"):
        (tmp_path / "two_wave" / f).write_text((STUDY.parent / "two_wave" / f).read_text(encoding="utf-8"),
                                               encoding="utf-8")
    tm = load_truth_map(p)
    names = tm.templates
    res = score_replicates(tm, replication.fits, names, replication.replicates)
    problems = check_replication(res)
    assert any(s.startswith("escalation_cascade/cascade/ap_escalation: ") and "CIs cover" in s for s in problems), \
        problems
    # and a null that is not null: the truth moved off 0 by 0.2
    tm0 = load_truth_map(TRUTH)
    terms = [dataclasses.replace(t, value=0.2) if (t.null and t.reject is None) else t for t in tm0.terms]
    res0 = score_replicates(dataclasses.replace(tm0, terms=terms), replication.fits, tm0.templates,
                            replication.replicates)
    assert any("CIs cover" in s for s in check_replication(res0))


@pytest.mark.slow
def test_every_null_is_checked(replication):
    nulls = [r for r in replication.rows if r["null"]]
    assert len(nulls) >= 10
    assert all(r["n"] >= REPLICATES * 0.9 for r in nulls)


# ---------------------------------------------------------------- the README table
@pytest.mark.slow
def test_readme_section_equals_the_regenerated_table():
    text = README.read_text(encoding="utf-8")
    assert README_HEADING in text, "sample_data/README.md lacks its final section"
    section = text[text.index(README_HEADING):]
    assert section == beside_truth_markdown(TRUTH), \
        "regenerate it: python -m avoid_survey.analysis.simulate.replication readme"


# ---------------------------------------------------------------- the new templates, in zh and en
NEW = ["escalation_cascade", "evidence_seeking_governance", "collusive_township", "two_path_differential",
       "tightening_mismatch", "serial_pressure_tightening", "attention_innovation", "rank_power_active",
       "list_clarity_active", "cmv_marker_correction"]


@pytest.mark.parametrize("name", NEW)
def test_new_template_runs_in_both_languages(cli, name):
    from avoid_survey.analysis.core.yamlsafe import load_yaml
    from avoid_survey.analysis.stats.models.templates import template_path

    doc = load_yaml(template_path(name)).data
    assert doc["instrument"] == "blame-avoidance-core-v2" and doc["units"]["file"] == "units.csv"
    header = template_path(name).read_text(encoding="utf-8").split("\ntitle:")[0]
    assert f"avoid-survey model --template {name} --data sample_data/responses.csv" in header
    assert re.search(r"seeds? 00\d", header), "the header names the seed"
    data = ROOT / "sample_data" / "responses.csv"
    for lang in ("zh", "en"):
        code, out, err = cli("model", "--template", name, "--data", data, "--lang", lang, "--format", "md")
        assert code == 0, err
        cjk = re.search(r"[\u4e00-\u9fff]", out) is not None
        assert cjk == (lang == "zh"), f"{lang} output {'lacks' if lang == 'zh' else 'has'} Chinese text"
        if any(m.get("family") != "process" for m in doc["models"]):   # PROCESS prints its own tables
            assert doc["title"][lang] in out


def test_docs_page_lists_every_template():
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for name in template_names():
        assert f"| `{name}` |" in text, name
