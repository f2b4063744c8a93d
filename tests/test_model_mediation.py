"""fit_mediation against R lm() and an R bootstrap loop over the same resample indices.

tests/reference/model_mediation.R replays the resamples our numpy Generator draws
(exported by tests/reference/model_mediation_indices.py), so bootstrap SDs and percentile
CIs are pinned exactly (1e-6), without needing R and numpy to share a random generator.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.models.mediation import bootstrap_indices, fit_mediation

REF = Path(__file__).parent / "reference"
FIX = {r["id"]: r for r in json.loads((REF / "model_mediation.json").read_text())}
MT = pd.read_csv(REF / "data" / "med_mtcars.csv")
MA = pd.read_csv(REF / "data" / "med_mathach.csv", dtype={"school": str})

CASES = {
    "mtcars_simple": dict(data=MT, x="wt", mediators=["hp"], y="mpg", covariates=["am"], n_boot=200, seed=11),
    "mtcars_parallel": dict(data=MT, x="wt", mediators=["hp", "disp"], y="mpg", covariates=["am"], n_boot=200,
                            seed=11),
    "mtcars_modA": dict(data=MT, x="wt", mediators=["hp"], y="mpg", moderator="qsec", moderated_path="a",
                        n_boot=200, seed=11),
    "mtcars_modB": dict(data=MT, x="wt", mediators=["hp", "disp"], y="mpg", moderator="qsec",
                        moderated_path="b", n_boot=200, seed=11),
    "mathach_cluster": dict(data=MA, x="minority", mediators=["ses"], y="mathach", covariates=["female"],
                            cluster="school", n_boot=100, seed=7),
    "mathach_cluster_modA": dict(data=MA, x="minority", mediators=["ses"], y="mathach", covariates=["female"],
                                 moderator="meanses", cluster="school", n_boot=100, seed=7),
}


@functools.lru_cache(maxsize=None)
def _fit(key):
    return fit_mediation(**CASES[key])


def _ours(m):
    """Effects keyed as the R script keys them."""
    out = {}
    for e in m.effects:
        if e["effect"] in ("direct", "total"):
            out[e["effect"]] = e
        elif "level" in e:
            out[f"cond|{e['via']}|{e['level']}"] = e
        else:
            out[f"indirect|{e['via']}"] = e
    for e in m.extra.get("index_of_moderated_mediation", []):
        out[f"imm|{e['via']}"] = e
    return out


def test_exported_indices_are_what_our_generator_draws():
    idx = np.loadtxt(REF / "data" / "med_boot_idx_mtcars.csv", delimiter=",", dtype=int)
    assert np.array_equal(idx, bootstrap_indices(len(MT), 200, 11) + 1)
    labels = np.unique(MA["school"].astype(str))
    lab = pd.read_csv(REF / "data" / "med_boot_idx_mathach.csv", header=None, dtype=str).to_numpy()
    assert np.array_equal(lab, labels[bootstrap_indices(len(labels), 100, 7)])


@pytest.mark.parametrize("key", list(CASES))
def test_effects_and_bootstrap_match_r(key):
    ref = FIX[key]
    m = _fit(key)
    assert m.n == ref["n"] and m.fit["n_boot_used"] == ref["n_boot"]
    ours = _ours(m)
    assert set(ours) == set(ref["effects"])
    for k, est in ref["effects"].items():
        e = ours[k]
        assert e["estimate"] == pytest.approx(est, abs=1e-6 * max(1, abs(est))), k
        assert e["se"] == pytest.approx(ref["boot_se"][k], rel=1e-6, abs=1e-10), k
        assert e["ci_lower"] == pytest.approx(ref["ci_lower"][k], rel=1e-6, abs=1e-10), k
        assert e["ci_upper"] == pytest.approx(ref["ci_upper"][k], rel=1e-6, abs=1e-10), k


def _r_term(key, eq, rterm):
    """Our coefficient name for an R lm() coefficient of equation ``eq``."""
    c = CASES[key]
    x, y, covs, w = c["x"], c["y"], c.get("covariates", []), c.get("moderator")
    if eq == "total":
        if rterm == "(Intercept)":
            return f"(Intercept) -> {y} (total)"
        return f"c: {x} -> {y} (total)" if rterm == x else f"cov: {rterm} -> {y} (total)"
    target = y if eq == y else eq
    if rterm == "(Intercept)":
        return f"(Intercept) -> {target}"
    if rterm in covs:
        return f"cov: {rterm} -> {target}"
    if eq == y:
        return f"c': {x} -> {y}" if rterm == x else f"b: {rterm} -> {y}"
    return f"a: {rterm} -> {eq}"


@pytest.mark.parametrize("key", list(CASES))
def test_path_coefficients_match_lm(key):
    ref = FIX[key]
    m = _fit(key)
    n_terms = 0
    for eq, s in ref["coefficients"].items():
        terms = np.atleast_1d(s["term"])
        for i, t in enumerate(terms):
            c = m.coef(_r_term(key, eq, t))
            n_terms += 1
            assert c.estimate == pytest.approx(np.atleast_1d(s["estimate"])[i], rel=1e-6, abs=1e-9)
            assert c.se == pytest.approx(np.atleast_1d(s["se"])[i], rel=1e-6)
            assert c.stat == pytest.approx(np.atleast_1d(s["t"])[i], rel=1e-6)
            assert c.p == pytest.approx(np.atleast_1d(s["p"])[i], rel=1e-6, abs=1e-300)
    assert n_terms == len(m.coefficients)


def test_moderated_levels_and_shapes():
    m = _fit("mtcars_modA")
    w = MT["qsec"]
    levels = [c["w"] for c in m.extra["conditional_indirect_effects"]]
    assert levels == pytest.approx([w.mean() - w.std(), w.mean(), w.mean() + w.std()], rel=1e-12)
    assert [c["level"] for c in m.extra["conditional_indirect_effects"]] == ["mean-1SD", "mean", "mean+1SD"]
    imm = m.extra["index_of_moderated_mediation"][0]
    assert imm["via"] == "hp" and imm["path"] == "a"
    # the conditional indirect effect is linear in w with slope = index of moderated mediation
    c = m.extra["conditional_indirect_effects"]
    assert (c[2]["estimate"] - c[0]["estimate"]) / (c[2]["w"] - c[0]["w"]) == pytest.approx(imm["estimate"])
    d = m.to_dict()
    json.dumps(d)
    assert {"effect", "via", "estimate", "se", "ci_lower", "ci_upper"} <= set(d["effects"][0])
    assert "index_of_moderated_mediation" in d and d["family"] == "mediation"


def test_total_is_direct_plus_indirect_without_moderation():
    m = _fit("mtcars_parallel")
    e = {(x["effect"], x["via"]): x["estimate"] for x in m.effects}
    assert e[("total", None)] == pytest.approx(e[("direct", None)] + e[("indirect", "total")], rel=1e-10)


def test_seed_reproducible_and_different_seeds_differ():
    kw = dict(data=MT, x="wt", mediators="hp", y="mpg", n_boot=300)
    a = fit_mediation(**kw, seed=5)
    b = fit_mediation(**kw, seed=5)
    c = fit_mediation(**kw, seed=6)
    assert a.effects == b.effects
    assert a.effects[0]["ci_lower"] != c.effects[0]["ci_lower"]
    assert a.effects[0]["estimate"] == c.effects[0]["estimate"]


def test_chunked_bootstrap_equals_one_block(monkeypatch):
    from avoid_survey.analysis.stats.models import mediation

    kw = dict(data=MT, x="wt", mediators="hp", y="mpg", n_boot=100, seed=3)
    whole = fit_mediation(**kw)
    monkeypatch.setattr(mediation, "_CHUNK", 32 * 7)  # 7 resamples per chunk
    chunked = fit_mediation(**kw)
    for e1, e2 in zip(whole.effects, chunked.effects):
        assert e1["ci_lower"] == pytest.approx(e2["ci_lower"], rel=1e-12)
        assert e1["se"] == pytest.approx(e2["se"], rel=1e-12)


def test_cluster_bootstrap_resamples_whole_clusters(monkeypatch):
    """A resample is a multiset of whole schools: the weights are per school (each row of a
    school gets its school's multiplicity), drawn 30 at a time from 30 schools."""
    from avoid_survey.analysis.stats.models import mediation

    seen = []
    orig = mediation._batched_ols

    def spy(Wt, cross):
        seen.append((Wt.copy(), cross))
        return orig(Wt, cross)

    monkeypatch.setattr(mediation, "_batched_ols", spy)
    schools = sorted(MA["school"].unique())[:30]
    d = MA[MA["school"].isin(schools)]
    fit_mediation(d, x="minority", mediators="ses", y="mathach", cluster="school", n_boot=20, seed=1)
    Wt, (XX, XY, p, r) = seen[0]
    assert Wt.shape == (20, 30)
    assert (Wt.sum(axis=1) == 30).all() and (Wt == np.round(Wt)).all()
    # the cross-products are summed per school: the intercept column counts the school's rows
    sizes = d.groupby("school").size().reindex(np.unique(d["school"].astype(str))).to_numpy()
    assert np.array_equal(XX[:, 0], sizes)
    # and the resample equals fitting on the stacked rows of the drawn schools
    idx = bootstrap_indices(30, 20, 1)
    rows = np.concatenate([np.flatnonzero(d["school"].to_numpy() == np.array(schools)[k]) for k in idx[0]])
    dd = d.iloc[rows]
    X = np.column_stack([np.ones(len(dd)), dd["minority"]])
    beta = np.linalg.lstsq(X, dd["ses"], rcond=None)[0]
    assert orig(Wt[:1], seen[0][1])[0, :, 0] == pytest.approx(beta, rel=1e-10)


def test_missing_rows_dropped_with_warning():
    d = MT.copy()
    d.loc[[0, 3], "hp"] = np.nan
    with pytest.warns(Warning, match="2 row"):
        m = fit_mediation(d, x="wt", mediators="hp", y="mpg", n_boot=50, seed=1)
    assert m.n == len(MT) - 2
    assert MT["hp"].notna().all() and d["hp"].isna().sum() == 2  # input left alone


def test_errors_are_user_errors():
    with pytest.raises(AvoidSurveyError, match="unknown column 'nope'"):
        fit_mediation(MT, x="wt", mediators="nope", y="mpg")
    with pytest.raises(AvoidSurveyError, match="numeric"):
        fit_mediation(MT, x="car", mediators="hp", y="mpg")
    d = MT.assign(const=1.0)
    with pytest.raises(AvoidSurveyError, match="singular"):
        fit_mediation(d, x="wt", mediators="hp", y="mpg", covariates=["const"], n_boot=10)
    d = MT.assign(wt2=MT["wt"] * 2)
    with pytest.raises(AvoidSurveyError, match="singular"):
        fit_mediation(d, x="wt", mediators="hp", y="mpg", covariates=["wt2"], n_boot=10)
    with pytest.raises(AvoidSurveyError, match="only one cluster"):
        fit_mediation(MT.assign(g="a"), x="wt", mediators="hp", y="mpg", cluster="g", n_boot=10)
    with pytest.raises(AvoidSurveyError, match="moderated_path"):
        fit_mediation(MT, x="wt", mediators="hp", y="mpg", moderator="qsec", moderated_path="c")
    with pytest.raises(AvoidSurveyError, match="different"):
        fit_mediation(MT, x="wt", mediators="wt", y="mpg")
    with pytest.raises(AvoidSurveyError, match="negative"):
        fit_mediation(MT, x="wt", mediators="hp", y="mpg", n_boot=-1)


def test_no_bootstrap_gives_point_estimates_only():
    m = fit_mediation(MT, x="wt", mediators="hp", y="mpg", covariates=["am"], n_boot=0)
    ref = FIX["mtcars_simple"]["effects"]
    e = m.effects[0]
    assert e["estimate"] == pytest.approx(ref["indirect|hp"], rel=1e-9) and e["se"] is None
