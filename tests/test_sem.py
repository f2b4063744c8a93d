"""`sem` pinned to lavaan::sem (tests/reference/sem.R -> sem_lavaan.json)."""
import json
import math
from pathlib import Path

import pandas as pd
import pytest

REF = Path(__file__).parent / "reference"
LAV = json.loads((REF / "sem_lavaan.json").read_text())
DATA = {"pd": REF / "data" / "poldem_bollen.csv", "pdm": REF / "data" / "poldem_mcar.csv"}

FIT_KEYS = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic",
            "bic", "npar", "baseline.chisq", "baseline.df", "logl", "unrestricted.logl"]


def _find(params, lhs, op, rhs):
    for q in params:
        if q["op"] != op:
            continue
        if op == ":=" and q["lhs"] == lhs:
            return q
        if q["lhs"] == lhs and q["rhs"] == rhs:
            return q
        if op == "~~" and q["lhs"] == rhs and q["rhs"] == lhs:
            return q
    raise AssertionError(f"no row {lhs} {op} {rhs}")


def _fit(case, data, **kw):
    from avoid_survey.analysis.stats.sem import sem

    return sem(pd.read_csv(DATA[data]), model=LAV[case]["model"], **kw)


def _close(a, b, tol):
    """Absolute tolerance for values up to 1, relative above (variances of 5-10 carry lavaan's
    own optimizer tolerance in their 4th decimal)."""
    return abs(a - b) <= tol * max(1.0, abs(b))


CASES = {"classic": ("pd", {}), "indirect": ("pd", {}), "observed": ("pd", {}), "path": ("pd", {}),
         "classic_fiml": ("pdm", {"missing": "ml"})}


@pytest.mark.parametrize("case", list(CASES))
def test_sem_equals_lavaan(case):
    data, kw = CASES[case]
    res = _fit(case, data, **kw)
    ref = LAV[case]
    assert res.converged and ref["converged"]
    bad = []
    for k in FIT_KEYS:
        ours = res.fit[k.replace(".", "_")]
        if not _close(ours, ref["fit"][k], 1e-6 if k not in ("srmr", "rmsea.ci.upper") else 1e-6):
            bad.append((k, ours, ref["fit"][k]))
    for p in ref["params"]:
        if p["op"] == "==":
            continue
        q = _find(res.parameters, p["lhs"], p["op"], p["rhs"])
        if not _close(q["estimate"], p["est"], 1e-4):
            bad.append(("est", p["lhs"], p["op"], p["rhs"], q["estimate"], p["est"]))
        if p["se"]:
            if q["se"] is None or not _close(q["se"], p["se"], 1e-4):
                bad.append(("se", p["lhs"], p["op"], p["rhs"], q["se"], p["se"]))
            for k in ("z", "pvalue", "ci.lower", "ci.upper"):
                ours = q["p" if k == "pvalue" else k.replace(".", "_")]
                if not _close(ours, p[k], 1e-3 if k == "z" else 1e-4):
                    bad.append((k, p["lhs"], p["op"], p["rhs"], ours, p[k]))
        else:
            assert q["se"] is None
    for s in ref["std"]:
        if s["op"] == "==":
            continue
        q = _find(res.parameters, s["lhs"], s["op"], s["rhs"])
        if not _close(q["std_all"], s["est.std"], 1e-4):
            bad.append(("std", s["lhs"], s["op"], s["rhs"], q["std_all"], s["est.std"]))
        if s["se"] and not _close(q["std_all_se"], s["se"], 1e-4):
            bad.append(("std_se", s["lhs"], s["op"], s["rhs"], q["std_all_se"], s["se"]))
    assert set(res.r2) == set(ref["r2"])
    bad += [("r2", v, res.r2[v], ref["r2"][v]) for v in ref["r2"] if not _close(res.r2[v], ref["r2"][v], 1e-5)]
    assert bad == []


def test_defined_parameters_and_labels():
    res = _fit("indirect", "pd")
    a = _find(res.parameters, "dem60", "~", "ind60")
    b = _find(res.parameters, "dem65", "~", "dem60")
    ab = _find(res.parameters, "ab", ":=", "")
    assert a["label"] == "a" and ab["op"] == ":=" and ab["rhs"] == "a*b"
    assert math.isclose(ab["estimate"], a["estimate"] * b["estimate"], rel_tol=1e-12)
    obs = _fit("observed", "pd")
    p1, p2 = _find(obs.parameters, "dem60", "~", "x1"), _find(obs.parameters, "dem60", "~", "x2")
    assert p1["estimate"] == p2["estimate"]
    x = _find(obs.parameters, "x1", "~~", "x2")
    assert x["se"] is None and not x["free"]   # fixed.x: the sample covariance


ROBUST_KEYS = ["chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
               "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled",
               "rmsea.ci.upper.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
               "rmsea.ci.upper.robust"]
MLR_CASES = {"classic_mlr": ("pd", {}), "indirect_mlr": ("pd", {}), "classic_fiml_mlr": ("pdm", {"missing": "ml"})}


@pytest.mark.parametrize("case", list(MLR_CASES))
def test_mlr_equals_lavaan(case):
    """Huber-White SEs and the Yuan-Bentler (Mplus) scaled test as lavaan estimator = "MLR";
    lavaan's own optimum carries about 1e-6 relative, so the scaled statistics are pinned at 1e-5."""
    data, kw = MLR_CASES[case]
    res = _fit(case, data, estimator="MLR", **kw)
    ref = LAV[case]
    assert res.estimator == "MLR"
    bad = []
    for k in ROBUST_KEYS:
        ours = res.fit[k.replace(".", "_")]
        # with FIML the robust indices are the FIML-corrected ones (Zhang & Savalei 2022, V3)
        if not _close(ours, ref["fit"][k], 1e-5):
            bad.append((k, ours, ref["fit"][k]))
    for p in ref["params"]:
        if p["op"] == "==" or not p["se"]:
            continue
        q = _find(res.parameters, p["lhs"], p["op"], p["rhs"])
        if not _close(q["estimate"], p["est"], 1e-4) or not _close(q["se"], p["se"], 1e-4):
            bad.append((p["lhs"], p["op"], p["rhs"], q["estimate"], p["est"], q["se"], p["se"]))
    assert bad == []


def test_bootstrap_replayed_in_lavaan():
    """200 resamples (seed 11) refitted by lavaan on the exported rows (tests/reference/sem_boot.R):
    percentile and bias-corrected CIs of parameters, := effects and std.all values."""
    from avoid_survey.analysis.stats.sem.bootstrap import bootstrap_indices

    ref = json.loads((REF / "sem_boot.json").read_text())
    idx = pd.read_csv(REF / "data" / "sem_boot_idx_poldem.csv", header=None).to_numpy() - 1
    assert (bootstrap_indices(75, 200, 11) == idx).all()
    res = _fit("indirect", "pd", bootstrap=200, seed=11)
    assert res.bootstrap["n_converged"] == ref["n_converged"] == 200
    bad = []
    for r in ref["params"]:
        q = _find(res.parameters, r["lhs"], r["op"], r["rhs"])
        pairs = [("boot_std_ci", r["std_ci"]), ("boot_std_bc", r["std_bc"])]
        if r["se"] > 0:
            pairs += [("boot_ci", r["ci"]), ("boot_bc", r["bc"])]
            if not _close(q["boot_se"], r["se"], 1e-4):
                bad.append(("se", r["lhs"], r["op"], r["rhs"], q["boot_se"], r["se"]))
        for key, (lo, hi) in pairs:
            if lo is None:
                continue
            k_lo, k_hi = key + "_lower", key + "_upper"
            if not (_close(q[k_lo], lo, 1e-4) and _close(q[k_hi], hi, 1e-4)):
                bad.append((key, r["lhs"], r["op"], r["rhs"], q[k_lo], q[k_hi], lo, hi))
    assert bad == []


def _mi_key(m):
    a, b = m["lhs"], m["rhs"]
    return (m["op"],) + ((a, b) if m["op"] == "=~" else tuple(sorted((a, b))))


def test_modification_indices_equal_lavaan():
    """lavaan::modindices on the classic model: the same 73 candidates (cross-loadings, residual
    covariances, the markers freeable under the equality labels), mi/epc/sepc.all at 1e-4
    (lavaan's own optimum is 1e-4 away in its largest variances)."""
    res = _fit("classic", "pd", mi=True)
    ref = {_mi_key(m): m for m in LAV["classic"]["mi"]}
    ours = {_mi_key(m): m for m in res.modification_indices}
    assert set(ours) == set(ref)
    bad = [(k, o["mi"], ref[k]["mi"]) for k, o in ours.items()
           if abs(o["mi"] - ref[k]["mi"]) > 1e-4 or abs(o["epc"] - ref[k]["epc"]) > 1e-4
           or abs(o["sepc_all"] - ref[k]["sepc.all"]) > 1e-4]
    assert bad == []
    mis = [m["mi"] for m in res.modification_indices]
    assert mis == sorted(mis, reverse=True)
    assert all(m["mi"] >= 2 for m in _fit("classic", "pd", mi=True, mi_min=2).modification_indices)


@pytest.mark.parametrize("est", ["ML", "MLR"])
def test_comparison_equals_lavtestlrt(est):
    ref = LAV["compare_" + est.lower()]
    res = _fit("classic", "pd", estimator=est, compare=[("free", ref["model_free"], None)])
    free, classic = res.comparison
    assert free["model"] == "free" and (free["df"], classic["df"]) == tuple(ref["df"])
    assert _close(free["chisq"], ref["chisq"][0], 1e-6) and _close(classic["chisq"], ref["chisq"][1], 1e-6)
    assert classic["delta_df"] == ref["delta_df"]
    tol = 1e-6 if est == "ML" else 2e-5   # the scaled difference divides lavaan's optimizer noise
    assert _close(classic["delta_chisq"], ref["delta_chisq"], tol)
    assert _close(classic["p_delta"], ref["p"], tol)


MG = {"mg_configural": {}, "mg_equal": {"group_equal": ["loadings", "intercepts", "regressions"]},
      "mg_partial": {"group_equal": ["loadings", "intercepts", "regressions", "residuals"],
                     "group_partial": "x3 ~ 1, visual =~ x2"}}


@pytest.mark.parametrize("case", list(MG))
def test_multigroup_equals_lavaan(case):
    """HolzingerSwineford1939 by school: configural, group.equal and group.partial as lavaan."""
    from avoid_survey.analysis.stats.sem import sem

    ref = LAV[case]
    res = sem(pd.read_csv(REF / "data" / "hs_holzinger1939.csv"), model=ref["model"], group="school", **MG[case])
    names = LAV["mg_groups"]
    assert [g["group"] for g in res.groups] == names and res.converged
    bad = [(k, res.fit[k.replace(".", "_")], ref["fit"][k]) for k in FIT_KEYS
           if not _close(res.fit[k.replace(".", "_")], ref["fit"][k], 1e-6)]
    for p in ref["params"]:
        q = [q for q in res.parameters if (q["lhs"], q["op"], q["rhs"], q["group"]) ==
             (p["lhs"], p["op"], p["rhs"], names[p["group"] - 1])]
        assert len(q) == 1, p
        q = q[0]
        if not _close(q["estimate"], p["est"], 1e-4) or (p["se"] and not _close(q["se"], p["se"], 1e-4)):
            bad.append((p["lhs"], p["op"], p["rhs"], p["group"], q["estimate"], p["est"], q["se"], p["se"]))
    for s in ref["std"]:
        q = next(q for q in res.parameters if (q["lhs"], q["op"], q["rhs"], q["group"]) ==
                 (s["lhs"], s["op"], s["rhs"], names[s["group"] - 1]))
        if not _close(q["std_all"], s["est.std"], 1e-4):
            bad.append(("std", s["lhs"], s["op"], s["rhs"], q["std_all"], s["est.std"]))
    bad += [("r2", g, v) for g in ref["r2"] for v in ref["r2"][g] if not _close(res.r2[g][v], ref["r2"][g][v], 1e-5)]
    assert bad == []


def test_multigroup_mlr_equals_lavaan():
    from avoid_survey.analysis.stats.sem import sem

    ref = LAV["mg_mlr"]
    res = sem(pd.read_csv(REF / "data" / "hs_holzinger1939.csv"), model=ref["model"], group="school",
              group_equal=["loadings"], estimator="MLR")
    bad = [(k, res.fit[k.replace(".", "_")], ref["fit"][k]) for k in FIT_KEYS + ROBUST_KEYS
           if not _close(res.fit[k.replace(".", "_")], ref["fit"][k], 1e-5)]
    names = LAV["mg_groups"]
    for p in ref["params"]:
        q = next(q for q in res.parameters if (q["lhs"], q["op"], q["rhs"], q["group"]) ==
                 (p["lhs"], p["op"], p["rhs"], names[p["group"] - 1]))
        if p["se"] and not _close(q["se"], p["se"], 1e-4):
            bad.append((p["lhs"], p["op"], p["rhs"], p["group"], q["se"], p["se"]))
    assert bad == []


def test_multigroup_modification_indices_equal_lavaan():
    from avoid_survey.analysis.stats.sem import sem

    names = LAV["mg_groups"]
    res = sem(pd.read_csv(REF / "data" / "hs_holzinger1939.csv"), model=LAV["mg_configural"]["model"],
              group="school", group_equal=["loadings"], mi=True)
    ref = {_mi_key(m) + (names[m["group"] - 1],): m for m in LAV["mg_equal_mi"]}
    ours = {_mi_key(m) + (m["group"],): m for m in res.modification_indices}
    assert set(ours) == set(ref)
    bad = [(k, o["mi"], ref[k]["mi"]) for k, o in ours.items()
           if not (_close(o["mi"], ref[k]["mi"], 1e-4) and _close(o["epc"], ref[k]["epc"], 1e-4)
                   and _close(o["sepc_all"], ref[k]["sepc.all"], 1e-4))]
    assert bad == []
