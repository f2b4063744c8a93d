"""Logit, probit and ordinal models from a spec, pinned to R (tests/reference/model.R):
glm(binomial logit/probit), sandwich::vcovHC / vcovCL on glm, MASS::polr."""
import json
import math

import pytest

from avoid_survey.analysis.stats.models import run_spec

from conftest import REF

R = json.loads((REF / "model_reference.json").read_text())
DATA = REF / "data"
TOL = 1e-4


def r_name(term):
    return {"(Intercept)": "Intercept", "factor(race)2": "race[2]", "factor(race)3": "race[3]",
            "tempwarm": "temp[warm]", "contactyes": "contact[yes]"}.get(term, term)


def check(fit, ref, tol=TOL):
    for term, b, se in zip(ref["terms"], ref["estimate"], ref["se"]):
        c = fit.coef(r_name(term))
        assert c.estimate == pytest.approx(b, abs=tol), term
        assert c.se == pytest.approx(se, abs=tol), term


@pytest.fixture(scope="module")
def birthwt():
    f = "low ~ age + lwt + C(race) + smoke"
    return run_spec({"data": str(DATA / "model_birthwt.csv"), "models": [
        {"name": "logit", "family": "logit", "formula": f, "odds_ratio": True},
        {"name": "logit_hc0", "family": "logit", "formula": f, "se": "HC0"},
        {"name": "logit_cl", "family": "logit", "formula": f, "se": {"type": "cluster", "cluster": "ftv"}},
        {"name": "probit", "family": "probit", "formula": f},
    ]})


def test_logit_matches_glm(birthwt):
    m = birthwt.model("logit")
    check(m, R["logit"])
    for k, rk in (("loglik", "loglik"), ("aic", "aic"), ("bic", "bic"), ("ll_null", "ll0"), ("deviance", "deviance")):
        assert m.fit[k] == pytest.approx(R["logit"][rk], abs=1e-6), k
    assert m.fit["pseudo_r2"] == pytest.approx(1 - R["logit"]["loglik"] / R["logit"]["ll0"], abs=1e-8)


def test_logit_odds_ratios(birthwt):
    m = birthwt.model("logit")
    ors = {d["term"]: d for d in m.extra["odds_ratios"]}
    c = m.coef("smoke")
    assert ors["smoke"]["odds_ratio"] == pytest.approx(math.exp(c.estimate))
    assert ors["smoke"]["ci_lower"] == pytest.approx(math.exp(c.estimate - 1.959963984540054 * c.se))
    tables = birthwt.to_tables("en")
    assert any("odds ratios" in n for n in tables[0].notes)


def test_logit_robust_and_cluster_match_sandwich(birthwt):
    check(birthwt.model("logit_hc0"), R["logit"]["hc0"])
    check(birthwt.model("logit_cl"), R["logit"]["cl_ptl"])   # vcovCL default for glm: HC0 + G/(G-1)


def test_probit_matches_glm_expected_information(birthwt):
    m = birthwt.model("probit")
    check(m, R["probit"])
    assert m.fit["aic"] == pytest.approx(R["probit"]["aic"], abs=1e-6)


@pytest.mark.parametrize("link,key", [("logit", "polr_logistic"), ("probit", "polr_probit")])
def test_ordinal_matches_polr(link, key):
    res = run_spec({"data": str(DATA / "model_wine.csv"), "models": [
        {"name": "o", "family": "ordinal", "link": link, "formula": "rating ~ C(temp) + C(contact)"}]})
    m = res.model("o")
    r = R[key]
    check(m, r)
    for name, z, se in zip(r["zeta_names"], r["zeta"], r["zeta_se"]):
        c = m.coef(name)
        assert c.estimate == pytest.approx(z, abs=TOL), name
        assert c.se == pytest.approx(se, abs=TOL), name
    assert m.fit["loglik"] == pytest.approx(r["loglik"], abs=TOL)
    assert m.fit["aic"] == pytest.approx(r["aic"], abs=TOL)
    assert "Intercept" not in [c.term for c in m.coefficients]


def test_binary_response_needs_two_values():
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    with pytest.raises(AvoidSurveyError, match="exactly two values"):
        run_spec({"data": str(DATA / "model_mtcars.csv"), "models": [
            {"name": "b", "family": "logit", "formula": "gear ~ wt"}]})
