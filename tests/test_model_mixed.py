"""fit_mixed against lme4::lmer (tests/reference/model_mixed.R -> model_mixed.json)."""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.numerics.dist import chi2_sf, chibar_sf
from avoid_survey.analysis.stats.models.mixed import fit_mixed

REF = Path(__file__).parent / "reference"
FIX = {r["id"]: r for r in json.loads((REF / "model_mixed.json").read_text())}
SS = pd.read_csv(REF / "data" / "mixed_sleepstudy.csv")
PA = pd.read_csv(REF / "data" / "mixed_pastes.csv")
CK = pd.read_csv(REF / "data" / "mixed_cake.csv")
SIM = pd.read_csv(REF / "data" / "mixed_sim_nested.csv")

# Iterative estimates: lme4's optimum (tight nloptwrap tolerances) vs ours, 1e-4 relative.
RTOL = 1e-4


def _case(key):
    if key == "sleep_ri":
        X = np.column_stack([np.ones(len(SS)), SS.Days])
        return SS.Reaction, X, ["(Intercept)", "Days"], [SS.Subject], ["Subject"], None
    if key == "sleep_rs":
        X = np.column_stack([np.ones(len(SS)), SS.Days])
        return SS.Reaction, X, ["(Intercept)", "Days"], [SS.Subject], ["Subject"], ["Days"]
    if key == "pastes":
        return PA.strength, np.ones((len(PA), 1)), ["(Intercept)"], [PA.cask, PA.batch], ["cask", "batch"], None
    if key == "cake":
        X = np.column_stack([np.ones(len(CK)), CK.temp])
        return CK.angle, X, ["(Intercept)", "temp"], [CK.recipe, CK.replicate], ["recipe", "replicate"], None
    if key == "sim":
        X = np.column_stack([np.ones(len(SIM)), SIM.x, SIM.z])
        return (SIM.y, X, ["(Intercept)", "x", "z"], [SIM.township_id, SIM.county_id],
                ["township_id", "county_id"], None)
    if key == "simrs":
        X = np.column_stack([np.ones(len(SIM)), SIM.x, SIM.z])
        return (SIM.y, X, ["(Intercept)", "x", "z"], [SIM.township_id, SIM.county_id],
                ["township_id", "county_id"], ["x"])
    raise KeyError(key)


@functools.lru_cache(maxsize=None)
def _fit(key, reml):  # cached: each reference fit once per test session
    y, X, names, groups, gnames, slopes = _case(key)
    with pytest.warns(Warning) if (slopes or len(groups) == 2) else _nullctx():
        return fit_mixed(y, X, names, groups, reml=reml, random_slopes=slopes, group_names=gnames)


class _nullctx:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def _ref_var(ref, grp, var1="(Intercept)", var2=None):
    for v in ref["varcomp"]:
        if v["grp"] == grp and v["var1"] == var1 and v["var2"] == var2:
            return v
    raise KeyError((grp, var1, var2))


CASES = [(k, r) for k in ("sleep_ri", "sleep_rs", "pastes", "cake", "sim") for r in (True, False)] + [("simrs", True)]


@pytest.mark.parametrize("key,reml", CASES)
def test_matches_lme4(key, reml):
    ref = FIX[f"{key}_{'reml' if reml else 'ml'}"]
    m = _fit(key, reml)
    assert m.family == "mixed" and m.n == ref["n"]
    assert [c.term for c in m.coefficients] == list(np.atleast_1d(ref["terms"]))
    np.testing.assert_allclose([c.estimate for c in m.coefficients], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose([c.se for c in m.coefficients], ref["se"], rtol=RTOL)
    np.testing.assert_allclose([c.stat for c in m.coefficients], ref["t"], rtol=RTOL)
    np.testing.assert_allclose([[c.ci_lower, c.ci_upper] for c in m.coefficients],
                               np.reshape(ref["wald_ci"], (-1, 2)), rtol=RTOL)
    np.testing.assert_allclose(m.fit["theta"], np.atleast_1d(ref["theta"]), rtol=RTOL, atol=1e-6)
    assert m.fit["loglik"] == pytest.approx(ref["loglik"], abs=1e-6)
    assert m.fit["aic"] == pytest.approx(ref["aic"], abs=1e-6)
    assert m.fit["bic"] == pytest.approx(ref["bic"], abs=1e-6)
    if reml:
        assert m.fit["reml_criterion"] == pytest.approx(ref["reml_criterion"], abs=1e-6)
    else:
        assert m.fit["deviance"] == pytest.approx(ref["deviance"], abs=1e-6)
    # variance components (relative to the residual variance)
    res = _ref_var(ref, "Residual", None)
    assert m.random_effects["residual"]["var"] == pytest.approx(res["vcov"], rel=RTOL)
    assert m.random_effects["residual"]["sd"] == pytest.approx(res["sdcor"], rel=RTOL)
    # likelihood-ratio test against lm(): 2 * (logLik(refitML(m)) - logLik(lm))
    assert m.fit["lrt"]["chisq"] == pytest.approx(ref["lrt_chisq"], abs=1e-5)
    assert m.fit["lrt"]["loglik_null"] == pytest.approx(ref["loglik_ols"], abs=1e-8)
    assert m.fit["lrt"]["loglik_ml"] == pytest.approx(ref["loglik_ml"], abs=1e-6)


@pytest.mark.parametrize("reml", [True, False])
def test_sleepstudy_random_slope_components(reml):
    ref = FIX[f"sleep_rs_{'reml' if reml else 'ml'}"]
    m = _fit("sleep_rs", reml)
    re = m.random_effects
    assert re["Subject"]["var"] == pytest.approx(_ref_var(ref, "Subject")["vcov"], rel=RTOL)
    assert re["Subject (Days)"]["var"] == pytest.approx(_ref_var(ref, "Subject", "Days")["vcov"], rel=RTOL)
    assert re["Subject (Days)"]["cor"] == pytest.approx(_ref_var(ref, "Subject", "(Intercept)", "Days")["sdcor"],
                                                        rel=1e-3)  # a correlation near 0.07: relative 1e-3
    assert m.fit["lrt"]["df"] == 3
    assert m.n_groups == {"Subject": 18}


@pytest.mark.parametrize("key,inner,outer", [("pastes", "cask:batch", "batch"),
                                             ("cake", "recipe:replicate", "replicate"),
                                             ("sim", "township_id:county_id", "county_id")])
@pytest.mark.parametrize("reml", [True, False])
def test_nested_components_and_icc(key, inner, outer, reml):
    ref = FIX[f"{key}_{'reml' if reml else 'ml'}"]
    m = _fit(key, reml)
    gi, go = _case(key)[4]
    vi, vo = _ref_var(ref, inner)["vcov"], _ref_var(ref, outer)["vcov"]
    vr = _ref_var(ref, "Residual", None)["vcov"]
    assert m.random_effects[gi]["var"] == pytest.approx(vi, rel=RTOL)
    assert m.random_effects[go]["var"] == pytest.approx(vo, rel=RTOL)
    assert m.n_groups == {gi: ref["ngrps"][inner], go: ref["ngrps"][outer]}
    tot = vi + vo + vr
    assert m.fit["icc"][gi] == pytest.approx(vi / tot, rel=RTOL)
    assert m.fit["icc"][go] == pytest.approx(vo / tot, rel=RTOL)
    assert m.fit["lrt"]["df"] == 2


def test_random_intercept_icc_and_lrt_pvalue():
    ref = FIX["sleep_ri_reml"]
    m = _fit("sleep_ri", True)
    vs = _ref_var(ref, "Subject")["vcov"]
    vr = _ref_var(ref, "Residual", None)["vcov"]
    assert m.fit["icc"]["Subject"] == pytest.approx(vs / (vs + vr), rel=RTOL)
    lrt = m.fit["lrt"]
    # one variance on the boundary: chi-bar-square p = naive chi2(1) p halved
    assert lrt["df"] == 1 and lrt["p"] == pytest.approx(lrt["p_naive"] / 2, rel=1e-12)
    assert m.se_type.startswith("model-based")
    d = m.to_dict()
    assert d["random_effects"]["Subject"]["sd"] == pytest.approx(math.sqrt(vs), rel=RTOL)
    json.dumps(d)  # plain JSON


def test_chi2_sf_closed_forms():
    from scipy.stats import chi2

    for df in range(1, 7):
        for x in (0.01, 0.5, 3.84, 10.0, 40.0):
            assert chi2_sf(x, df) == pytest.approx(chi2.sf(x, df), rel=1e-10)
    assert chi2_sf(2.0, 0) == 0.0
    assert chibar_sf(3.84, 1) == pytest.approx(chi2.sf(3.84, 1) / 2, rel=1e-12)
    assert chibar_sf(5.0, 2) == pytest.approx(0.5 * chi2.sf(5.0, 1) + 0.5 * chi2.sf(5.0, 2), rel=1e-12)


def test_singular_fit_variance_zero():
    rng = np.random.default_rng(3)
    n, G = 400, 20
    g = np.repeat(np.arange(G), n // G)
    x = rng.normal(size=n)
    y = 1 + 0.5 * x + rng.normal(size=n)  # no group effect at all
    # make the between-group variance exactly smaller than expected by chance
    y = y - np.bincount(g, y)[g] / (n // G) + y.mean()
    with pytest.warns(Warning, match="singular"):
        m = fit_mixed(y, np.column_stack([np.ones(n), x]), ["(Intercept)", "x"], [g])
    assert m.random_effects["group"]["var"] == 0.0
    assert m.fit["lrt"]["chisq"] == pytest.approx(0.0, abs=1e-9)
    assert m.fit["lrt"]["p"] == 1.0  # P(chi-bar-square >= 0) = 1


def test_missing_rows_dropped_with_warning():
    y = SS.Reaction.to_numpy().copy()
    y[[0, 5]] = np.nan
    X = np.column_stack([np.ones(len(SS)), SS.Days])
    with pytest.warns(Warning, match="2 row"):
        m = fit_mixed(y, X, ["(Intercept)", "Days"], [SS.Subject.to_numpy()])
    assert m.n == len(SS) - 2
    assert m.warnings


def test_errors_are_user_errors():
    X = np.column_stack([np.ones(len(SS)), SS.Days])
    names = ["(Intercept)", "Days"]
    with pytest.raises(AvoidSurveyError, match="singular"):
        fit_mixed(SS.Reaction, np.column_stack([X, 2 * SS.Days]), names + ["Days2"], [SS.Subject])
    with pytest.raises(AvoidSurveyError, match="only 1 group"):
        fit_mixed(SS.Reaction, X, names, [np.repeat("a", len(SS))])
    with pytest.raises(AvoidSurveyError, match="numeric"):
        fit_mixed(np.array(["low"] * len(SS)), X, names, [SS.Subject])
    with pytest.raises(AvoidSurveyError, match="numeric"):
        fit_mixed(SS.Reaction, np.column_stack([X.astype(object), np.array(["x"] * len(SS))]), names + ["s"],
                  [SS.Subject])
    with pytest.raises(AvoidSurveyError, match="random slope"):
        fit_mixed(SS.Reaction, X, names, [SS.Subject], random_slopes=["nope"])
    with pytest.raises(AvoidSurveyError, match="one or two"):
        fit_mixed(SS.Reaction, X, names, [SS.Subject] * 3)
    with pytest.raises(AvoidSurveyError, match="rows"):
        fit_mixed(SS.Reaction[:10], X, names, [SS.Subject])


def test_input_left_alone_and_group_label_types():
    y = SS.Reaction.to_numpy().copy()
    X = np.column_stack([np.ones(len(SS)), SS.Days])
    X0, y0 = X.copy(), y.copy()
    a = fit_mixed(y, X, ["(Intercept)", "Days"], [SS.Subject.to_numpy()])
    codes = pd.factorize(SS.Subject)[0]  # integer labels give the same fit
    b = fit_mixed(y, X, ["(Intercept)", "Days"], [codes])
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    assert a.coefficients[1].se == pytest.approx(b.coefficients[1].se, rel=1e-12)


def test_small_variance_ratios_not_stuck_at_zero():
    """Regression: theta = 0 is a stationary point of the profiled deviance; starting at
    lme4's theta = 1 a gradient method ran into it (both variances 0, a worse fit than the
    township-only model). The nested fit must contain the one-level fit."""
    nested = _fit("sim", True)
    assert nested.random_effects["township_id"]["var"] > 0.01
    assert nested.random_effects["county_id"]["var"] > 0.001
    X = np.column_stack([np.ones(len(SIM)), SIM.x, SIM.z])
    one = fit_mixed(SIM.y, X, ["(Intercept)", "x", "z"], [SIM.county_id + "/" + SIM.township_id])
    assert nested.fit["loglik"] >= one.fit["loglik"] - 1e-8


@pytest.mark.parametrize("reml", [True, False])
def test_lrt_per_level_matches_anova(reml):
    ref = FIX["sim_lrt_levels"]
    m = _fit("sim", reml)
    for level in ("county_id", "township_id"):
        t = m.fit["lrt_levels"][level]
        assert t["chisq"] == pytest.approx(ref[level], abs=1e-5)
        assert t["df"] == 1 and t["p"] == pytest.approx(t["p_naive"] / 2, rel=1e-12)


def test_missing_group_labels_and_nesting_warning():
    g = pd.Series(SS.Subject.astype(str), dtype="string")
    g.iloc[[1, 2, 3]] = pd.NA
    X = np.column_stack([np.ones(len(SS)), SS.Days])
    with pytest.warns(Warning, match="3 row"):
        m = fit_mixed(SS.Reaction, X, ["(Intercept)", "Days"], [g.to_numpy()], group_names=["Subject"])
    assert m.n == len(SS) - 3 and m.n_groups == {"Subject": 18}
    # labels reused across outer groups are distinct groups (lme4's county/township), with a warning
    with pytest.warns(Warning, match="labels repeat"):
        m2 = fit_mixed(PA.strength, np.ones((len(PA), 1)), ["(Intercept)"], [PA.cask, PA.batch],
                       group_names=["cask", "batch"])
    assert m2.n_groups == {"cask": 30, "batch": 10}
