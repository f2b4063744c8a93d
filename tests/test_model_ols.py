"""OLS through the whole spec pipeline, pinned to R (tests/reference/model.R):
lm, sandwich::vcovHC (HC0-HC3), sandwich::vcovCL (one- and two-way, defaults),
standardized betas, car::vif (GVIF), anova F-change, simple slopes and Johnson-Neyman."""
import json

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.stats.models import run_spec

from conftest import REF

R = json.loads((REF / "model_reference.json").read_text())
DATA = REF / "data"
TOL = 1e-6


def r_name(term):
    return {"(Intercept)": "Intercept", "factor(cyl)6": "cyl[6]", "factor(cyl)8": "cyl[8]",
            "wt_c": "wt", "hp_c": "hp", "wt_c:hp_c": "wt:hp"}.get(term, term)


def check(fit, ref, tol=TOL, est=True):
    for term, b, se in zip(ref["terms"], ref["estimate"], ref["se"]):
        c = fit.coef(r_name(term))
        if est:
            assert c.estimate == pytest.approx(b, abs=tol, rel=tol), term
        assert c.se == pytest.approx(se, abs=tol, rel=tol), term


@pytest.fixture(scope="module")
def petersen():
    spec = {"data": str(DATA / "petersen.csv"), "models": [
        {"name": "classical", "family": "ols", "formula": "y ~ x"},
        *[{"name": t, "family": "ols", "formula": "y ~ x", "se": t} for t in ("HC0", "HC1", "HC2", "HC3")],
        {"name": "cl_firm", "family": "ols", "formula": "y ~ x", "se": {"type": "cluster", "cluster": "firm"}},
        {"name": "cl_year", "family": "ols", "formula": "y ~ x", "se": {"type": "cluster", "cluster": "year"}},
        {"name": "cl_firm_HC0", "family": "ols", "formula": "y ~ x",
         "se": {"type": "cluster", "cluster": "firm", "hc": "HC0"}},
        {"name": "cl_two", "family": "ols", "formula": "y ~ x",
         "se": {"type": "cluster", "cluster": ["firm", "year"]}},
    ]}
    return run_spec(spec)


@pytest.mark.parametrize("key", ["classical", "HC0", "HC1", "HC2", "HC3", "cl_firm", "cl_year", "cl_firm_HC0",
                                 "cl_two"])
def test_petersen_se_types_match_sandwich(petersen, key):
    check(petersen.model(key), R["petersen"][key])


def test_petersen_cluster_counts_and_r2(petersen):
    m = petersen.model("cl_two")
    assert m.n_groups == {"firm": 500, "year": 10}
    assert m.n == R["petersen"]["n"]
    assert m.fit["r2"] == pytest.approx(R["petersen"]["r2"], abs=1e-10)
    assert "cluster" in m.se_type and "two-way" in m.se_type


@pytest.fixture(scope="module")
def mtcars():
    f = "mpg ~ wt + hp + qsec + C(cyl)"
    spec = {"data": str(DATA / "model_mtcars.csv"), "models": [
        {"name": "classical", "family": "ols", "formula": f},
        *[{"name": t, "family": "ols", "formula": f, "se": t} for t in ("HC0", "HC1", "HC2", "HC3")],
        {"name": "cl_gear", "family": "ols", "formula": f, "se": {"type": "cluster", "cluster": "gear"}},
        {"name": "numeric", "family": "ols", "formula": "mpg ~ wt + hp + qsec"},
    ]}
    return run_spec(spec)


@pytest.mark.parametrize("key", ["classical", "HC0", "HC1", "HC2", "HC3"])
def test_mtcars_hc_match_sandwich(mtcars, key):
    check(mtcars.model(key), R["mtcars"][key])


def test_mtcars_cluster(mtcars):
    check(mtcars.model("cl_gear"), R["mtcars"]["cl_cyl_gear"])


def test_mtcars_fit_statistics(mtcars):
    m, r = mtcars.model("classical"), R["mtcars"]
    for k in ("r2", "adj_r2", "f", "aic", "bic", "loglik"):
        assert m.fit[k] == pytest.approx(r[k], abs=TOL, rel=TOL), k
    assert (m.fit["f_df1"], m.fit["f_df2"]) == (r["df1"], r["df2"])


def test_standardized_betas_as_lm_beta(mtcars):
    m = mtcars.model("classical")
    for term, b in R["mtcars"]["std_beta"].items():
        assert m.coef(r_name(term)).std_estimate == pytest.approx(b, abs=TOL), term
    assert m.coef("Intercept").std_estimate is None


def test_vif_and_gvif_as_car(mtcars):
    g = mtcars.model("classical").extra["vif"]
    ref = R["mtcars"]["gvif"]
    for term, v, df in zip(ref["terms"], ref["gvif"], ref["df"]):
        key = "cyl" if term == "factor(cyl)" else term
        assert g[key]["gvif"] == pytest.approx(v, rel=1e-8), term
        assert g[key]["df"] == df
    vn = mtcars.model("numeric").extra["vif"]
    for term, v in R["mtcars"]["vif_numeric"].items():
        assert vn[term]["gvif"] == pytest.approx(v, rel=1e-8)


def test_hierarchical_steps_f_change_as_anova():
    spec = {"data": str(DATA / "model_mtcars.csv"), "models": [
        {"name": "h", "family": "ols", "formula": "mpg ~ wt", "steps": ["hp + qsec", "C(cyl)"]}]}
    res = run_spec(spec)
    assert [m.name for m in res.models] == ["h (step 1)", "h (step 2)", "h (step 3)"]
    r = R["steps"]
    for k, m in enumerate(res.models):
        assert m.fit["r2"] == pytest.approx(r["r2"][k], abs=TOL)
        assert m.fit["f_change"] == pytest.approx(r["f_change"][k], rel=1e-8)
        assert m.fit["f_change_p"] == pytest.approx(r["p_change"][k], rel=1e-6)
        assert (m.fit["f_change_df1"], m.fit["f_change_df2"]) == (r["df1"][k], r["df2"][k])
    assert res.models[1].fit["r2_change"] == pytest.approx(r["r2"][1] - r["r2"][0], abs=TOL)


@pytest.mark.parametrize("se", ["classical", "HC3"])
def test_moderation_simple_slopes_and_johnson_neyman(se):
    spec = {"data": str(DATA / "model_mtcars.csv"), "models": [
        {"name": "mod", "family": "ols", "formula": "mpg ~ wt * hp", "se": se,
         "moderation": {"focal": "wt", "moderator": "hp", "center": True}}]}
    m = run_spec(spec).model("mod")
    r = R[f"moderation_{se}"]
    check(m, r["coef"])
    mo = m.extra["moderation"]
    sl = mo["simple_slopes"]
    assert [s["moderator_value"] for s in sl] == pytest.approx(r["at"], abs=1e-9)
    assert [s["slope"] for s in sl] == pytest.approx(r["slope"], abs=TOL)
    assert [s["se"] for s in sl] == pytest.approx(r["se"], abs=TOL)
    # R's bounds are on the centred scale; ours add the mean back in bounds_raw
    jn = mo["johnson_neyman"]
    assert jn["bounds"] == pytest.approx(r["jn"], rel=1e-8)
    hp_mean = pd.read_csv(DATA / "model_mtcars.csv")["hp"].mean()
    assert jn["bounds_raw"] == pytest.approx(np.array(r["jn"]) + hp_mean, rel=1e-8)
    assert jn["significant"] in ("outside", "inside")
    assert m.extra["centered"]["hp"] == pytest.approx(hp_mean)


def test_transforms_center_standardize_square_log_group():
    d = pd.read_csv(DATA / "model_mtcars.csv")
    spec = {"transforms": [{"var": "hp", "op": "standardize", "as": "hp_z"},
                           {"var": "wt", "op": "square"},
                           {"var": "disp", "op": "log", "as": "log_disp"},
                           {"var": "qsec", "op": "group_center", "by": "cyl", "as": "qsec_w"},
                           {"var": "qsec", "op": "group_mean", "by": "cyl"},
                           {"var": "gear", "op": "categorical", "ref": 4}],
            "models": [{"name": "t", "family": "ols",
                        "formula": "mpg ~ hp_z + wt + wt_sq + log_disp + qsec_w + qsec_mean + gear"}]}
    m = run_spec(spec, data=d).model("t")
    z = (d.hp - d.hp.mean()) / d.hp.std()
    gm = d.groupby("cyl").qsec.transform("mean")
    X = np.column_stack([np.ones(len(d)), z, d.wt, d.wt ** 2, np.log(d.disp), d.qsec - gm, gm,
                         d.gear == 3, d.gear == 5]).astype(float)
    b = np.linalg.lstsq(X, d.mpg.to_numpy(), rcond=None)[0]
    assert [c.term for c in m.coefficients] == ["Intercept", "hp_z", "wt", "wt_sq", "log_disp", "qsec_w",
                                                "qsec_mean", "gear[3]", "gear[5]"]
    assert [c.estimate for c in m.coefficients] == pytest.approx(list(b), abs=1e-8)


def test_input_frame_left_alone():
    d = pd.read_csv(DATA / "model_mtcars.csv")
    before = d.copy()
    run_spec({"transforms": [{"var": "hp", "op": "center"}],
              "models": [{"name": "a", "family": "ols", "formula": "mpg ~ hp"}]}, data=d)
    pd.testing.assert_frame_equal(d, before)
