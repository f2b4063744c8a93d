"""The latent mediation model of the template sem_pressure_trust_avoidance (61 items, second-order
factors, 305 missing-data patterns) by full-information ML equals lavaan's missing = "ml" fit
(tests/reference/sem_fiml_mediation.R): estimates, observed-information SEs, defined effects and
the fit measures. It pins the FIML speed paths at the size they were made for (the Schur-complement
pattern inverses, the saturated Hessian over unordered pairs, the FIML-corrected robust indices
without saturated-size products); the small FIML fixtures of test_cfa / test_sem / test_sem_engine
pin them at p = 6 to 25.
"""
import json
from functools import lru_cache

import pandas as pd
import pytest

from conftest import ROOT

REF = json.loads((ROOT / "tests" / "reference" / "sem_fiml_mediation.json").read_text(encoding="utf-8"))
DATA = ROOT / "sample_data" / "responses.csv"


@lru_cache(maxsize=None)
def fitted():
    from avoid_survey.analysis.stats.sem import sem

    return sem(pd.read_csv(DATA), model=REF["model"], missing="ml")


def test_estimates_and_ses_equal_lavaan():
    res = fitted()
    def key(p):   # a defined parameter by its name (lavaan writes its expression without spaces)
        return (p["lhs"], p["op"], "" if p["op"] == ":=" else p["rhs"])

    ours = {key(p): p for p in res.parameters}
    bad, n = [], 0
    for q in REF["params"]:
        p = ours.get(key(q))
        if p is None:
            assert q["op"] == "~1", q          # every non-intercept row of lavaan is ours too
            continue
        n += 1
        if abs(p["estimate"] - q["est"]) > 1e-4 * max(1.0, abs(q["est"])):
            bad.append((q["lhs"], q["op"], q["rhs"], "est", p["estimate"], q["est"]))
        if q["se"] and abs(p["se"] - q["se"]) > 1e-4 * max(1.0, abs(q["se"])):
            bad.append((q["lhs"], q["op"], q["rhs"], "se", p["se"], q["se"]))
    assert bad == []
    assert n > 150 and any(q["op"] == ":=" for q in REF["params"])


@pytest.mark.parametrize("key", ["chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl",
                                 "baseline.chisq", "cfi.robust", "tli.robust", "rmsea.robust"])
def test_fit_measures_equal_lavaan(key):
    v = REF["fit"][key]
    ours = fitted().fit[key.replace(".", "_")]
    tol = 1e-6 * max(1.0, abs(v)) if key in ("chisq", "aic", "bic", "logl", "baseline.chisq") else 1e-5
    assert ours == pytest.approx(v, abs=tol)
