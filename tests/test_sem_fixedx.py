"""`sem` with observed exogenous covariates (lavaan's fixed.x = TRUE) under FIML and MLR, against
lavaan 0.6-14 (tests/reference/sem_fixedx.R): rows with a missing covariate are deleted with a
warning (missing = "ml"), the covariates' moments are neither parameters nor df moments, the
intercept of a regressed variable is given its regressors, and the MLR traces leave the
covariates' moments out."""
import json
import math
import warnings

import pandas as pd
import pytest

from conftest import REF

LAV = json.loads((REF / "sem_fixedx.json").read_text())
DATA = REF / "data" / "sem_fixedx.csv"
CASES = sorted(k for k, v in LAV.items() if isinstance(v, dict) and "params" in v)
ITER = 1e-4


def _num(v):
    return None if v is None or isinstance(v, str) else float(v)


def _fit(case):
    from avoid_survey.analysis.stats.sem import sem

    ref = LAV[case]
    data = pd.read_csv(REF / "data" / ref.get("data", "sem_fixedx.csv"))
    kw = {}
    if "group" in ref:
        kw = dict(group=ref["group"], group_equal=(ref["group_equal"],))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(data, model=ref["model"], estimator=ref["estimator"], missing=ref["missing"], **kw)


def _row(params, p, named):
    for q in params:
        if (q["lhs"], q["op"], q["rhs"]) == (p["lhs"], p["op"], p["rhs"]) and (
                not named or q["group"] == {1: "a", 2: "b"}[p["group"]]):
            return q
    raise AssertionError(f"no row {p['lhs']} {p['op']} {p['rhs']}")


@pytest.mark.parametrize("case", CASES)
def test_n_df_and_fit_equal_lavaan(case):
    ref, res = LAV[case], _fit(case)
    assert res.n == ref["n"]
    fit = ref["fit"]
    assert res.fit["df"] == fit["df"] and res.fit["npar"] == fit["npar"]
    assert res.fit["baseline_df"] == fit["baseline.df"]
    for k, v in fit.items():
        ours, v = res.fit.get(k.replace(".", "_")), _num(v)
        if k in ("df", "npar", "baseline.df") or v is None:
            continue   # lavaan's NA (a saturated model's p value, scaling factor ...)
        assert ours is not None and math.isfinite(ours), k
        assert abs(ours - v) <= ITER * max(1.0, abs(v)), (k, ours, v)


@pytest.mark.parametrize("case", CASES)
def test_estimates_ses_and_std_equal_lavaan(case):
    ref, res = LAV[case], _fit(case)
    named = "group" in ref
    for p in ref["params"]:
        q = _row(res.parameters, p, named)
        assert abs(q["estimate"] - p["est"]) < ITER, (p, q["estimate"])
        se = _num(p["se"])
        if se:    # lavaan prints SE 0 for the fixed.x rows; ours is None
            assert abs(q["se"] - se) < ITER, (p, q["se"])
        else:
            assert q["se"] is None
        if _num(p["std_all"]) is not None:
            assert abs(q["std_all"] - p["std_all"]) < ITER


def test_rows_with_a_missing_covariate_are_deleted_with_a_warning():
    res = _fit("over_ML_ml")
    d = pd.read_csv(DATA)
    lost = int(d[["x1", "x2"]].isna().any(axis=1).sum())
    assert LAV["over_ML_ml"]["warned"] and res.n == len(d) - lost == LAV["over_ML_ml"]["n"]
    msgs = [w.message for w in res.warnings if w.code == "sem-fixedx-missing"]
    assert len(msgs) == 1 and msgs[0].startswith(f"{lost} rows deleted") and "x1, x2" in msgs[0]
    assert res.n_dropped >= lost
    # listwise: no separate warning (the rows are gone with every other incomplete row)
    assert not [w for w in _fit("over_ML_listwise").warnings if w.code == "sem-fixedx-missing"]


def test_intercepts_are_given_the_covariates():
    """y ~ 1 is lavaan's intercept (mu_y - b'mu_x), not the marginal mean of y."""
    res = _fit("over_ML_ml")
    p = {(q["lhs"], q["op"], q["rhs"]): q["estimate"] for q in res.parameters}
    m = p[("x1", "~1", "")] * p[("y1", "~", "x1")] + p[("x2", "~1", "")] * p[("y1", "~", "x2")]
    assert abs(m) > 0.01   # the covariates' means matter here, so the check can fail
    ref = {(q["lhs"], q["op"]): q["est"] for q in LAV["over_ML_ml"]["params"]}
    assert abs(p[("y1", "~1", "")] - ref[("y1", "~1")]) < ITER


def test_cli_warns_in_one_line(cli):
    code, out, err = cli("sem", DATA, "--model", LAV["over_ML_ml"]["model"], "--missing", "ml", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["n"] == LAV["over_ML_ml"]["n"] and d["fit"]["df"] == 1
    lines = [w for w in d["warnings"] if "exogenous covariate" in json.dumps(w)]
    assert len(lines) == 1 and "\n" not in json.dumps(lines[0])
