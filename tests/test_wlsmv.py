"""WLSMV (`cfa`/`sem --estimator wlsmv --ordered ...`) pinned to lavaan 0.6-14 and semTools
(tests/reference/wlsmv.R -> wlsmv.json): estimates, robust SEs, std.all with SEs, thresholds,
scaled-shifted chi-square, scaled and robust CFI/TLI/RMSEA, SRMR, R², ordinal invariance."""
import json
import math
from pathlib import Path

import pandas as pd
import pytest

REF = Path(__file__).parent / "reference"
LAV = json.loads((REF / "wlsmv.json").read_text())
DATA = {"cfa": REF / "data" / "wlsmv_cfa.csv", "missing": REF / "data" / "wlsmv_missing.csv",
        "covariates": REF / "data" / "wlsmv_covariates.csv",
        "groups": REF / "data" / "wlsmv_groups.csv"}
TOL = 1e-4
FIT_KEYS = ["chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
            "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "cfi", "tli", "rmsea", "cfi.scaled",
            "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "srmr", "rmsea.ci.lower",
            "rmsea.ci.upper", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.ci.lower.robust",
            "rmsea.ci.upper.robust", "npar"]


def _close(a, b, tol=TOL):
    """Absolute tolerance up to 1, relative above (chi-squares in the thousands)."""
    return abs(a - b) <= tol * max(1.0, abs(b))


def _data(name):
    return pd.read_csv(DATA[name])


def _check_fit(fit, ref):
    for k in FIT_KEYS:
        want, got = ref["fit"][k], fit[k.replace(".", "_")]
        if want is None:
            assert got is None, k
        else:
            assert got is not None and _close(got, want), (k, got, want)


def _check_params(params, ref, group_names=None):
    rows = {(p["lhs"], p["op"], p["rhs"], p["group"]): p for p in params}
    n = 0
    for p, s in zip(ref["params"], ref["std"]):
        g = group_names[p["group"] - 1] if group_names else None
        q = rows[(p["lhs"], p["op"], p["rhs"], g)]
        assert _close(q["estimate"], p["est"]), (p, q["estimate"])
        if p["se"]:
            assert q["se"] is not None and _close(q["se"], p["se"]), (p, q["se"])
        assert _close(q["std_all"], s["est.std"]), (s, q["std_all"])
        if s["se"] and q["std_all_se"] is not None:
            assert _close(q["std_all_se"], s["se"]), (s, q["std_all_se"])
        n += 1
    assert n == len(ref["params"])


@pytest.fixture(scope="module")
def cfa_delta():
    from avoid_survey.analysis.stats.cfa import cfa

    return cfa(_data("cfa"), model=LAV["cfa"]["model"], estimator="WLSMV", ordered="all")


def test_cfa_delta_matches_lavaan(cfa_delta):
    _check_fit(cfa_delta.fit, LAV["cfa"])
    _check_params(cfa_delta.parameters, LAV["cfa"])
    assert cfa_delta.estimator == "WLSMV" and cfa_delta.parameterization == "delta"


def test_thresholds_json_shape(cfa_delta):
    out = cfa_delta.to_dict()
    th = out["thresholds"]
    assert len(th) == 24 * 4
    first = th[0]
    assert set(first) >= {"item", "threshold", "group", "estimate", "se"}
    ref = next(p for p in LAV["cfa"]["params"] if p["op"] == "|" and p["lhs"] == first["item"]
               and p["rhs"] == first["threshold"])
    assert _close(first["estimate"], ref["est"]) and _close(first["se"], ref["se"])
    for k in ("chisq_scaled", "df_scaled", "pvalue_scaled", "cfi_scaled", "tli_scaled", "rmsea_scaled",
              "cfi_robust", "tli_robust", "rmsea_robust"):
        assert k in out["fit"]
    json.dumps(out)


def test_r2_of_ordered_items(cfa_delta):
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("cfa"), model=LAV["cfa"]["model"], estimator="WLSMV")
    for item, want in LAV["cfa"]["r2"].items():
        assert _close(res.r2[item], want)


@pytest.mark.parametrize("case,kw,data", [
    ("cfa_theta", {"parameterization": "theta"}, "cfa"),
    ("misfit", {}, "cfa"),
    ("misfit_theta", {"parameterization": "theta", "std_lv": True}, "cfa"),
    ("pairwise", {"missing": "pairwise"}, "missing"),
    ("listwise", {}, "missing"),
])
def test_cfa_variants_match_lavaan(case, kw, data):
    from avoid_survey.analysis.stats.cfa import cfa

    res = cfa(_data(data), model=LAV[case]["model"], estimator="WLSMV", ordered="all", **kw)
    _check_fit(res.fit, LAV[case])
    _check_params(res.parameters, LAV[case])


def test_mixed_ordered_and_continuous_match_lavaan():
    """--ordered a list: the other items are continuous (polyserial and Pearson entries, means
    and variances as statistics); lavaan gives no robust indices then."""
    from avoid_survey.analysis.stats.cfa import cfa

    res = cfa(_data("cfa"), model=LAV["mixed"]["model"], estimator="WLSMV",
              ordered="f1_1,f1_2,f1_3,f1_4,f2_1,f2_2")
    _check_fit(res.fit, LAV["mixed"])
    _check_params(res.parameters, LAV["mixed"])
    assert res.fit["cfi_robust"] is None
    assert {t["item"] for t in res.thresholds} == {"f1_1", "f1_2", "f1_3", "f1_4", "f2_1", "f2_2"}


def test_misfit_indices_are_informative():
    ref = LAV["misfit"]["fit"]
    assert ref["cfi.scaled"] < 1 and ref["rmsea.robust"] > 0   # the fixture really tests the formulas


def test_sem_regressions_match_lavaan():
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("cfa"), model=LAV["sem"]["model"], estimator="WLSMV", ordered="all")
    _check_fit(res.fit, LAV["sem"])
    _check_params(res.parameters, LAV["sem"])
    for v, want in LAV["sem"]["r2"].items():
        assert _close(res.r2[v], want), v
    assert res.to_dict()["thresholds"]


def _cli(args, capsys):
    from avoid_survey.cli.main import run

    code = run([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_defined_effect_and_residual_covariance_match_lavaan():
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("cfa"), model=LAV["sem_defined"]["model"], estimator="WLSMV")
    _check_fit(res.fit, LAV["sem_defined"])
    _check_params(res.parameters, LAV["sem_defined"])
    assert any(p["op"] == ":=" and p["lhs"] == "ind" for p in res.parameters)


@pytest.mark.parametrize("case,param", [("sem_outcome", "delta"), ("sem_outcome_theta", "theta")])
def test_ordered_outcome_on_latent_variables(case, param):
    """'y ~ F1 + F2' with y ordered: its disturbance variance is derived (delta) or fixed (theta)."""
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("cfa"), model=LAV[case]["model"], estimator="WLSMV", parameterization=param)
    _check_fit(res.fit, LAV[case])
    _check_params(res.parameters, LAV[case])
    assert _close(res.r2["f4_1"], LAV[case]["r2"]["f4_1"])


@pytest.mark.parametrize("case,param", [("covariates", "delta"), ("covariates_theta", "theta")])
def test_observed_covariates_conditional_x(case, param):
    """'A ~ x1 + x2' with continuous covariates: lavaan's conditional.x statistics (probit
    regressions, residual polychoric correlations); robust indices NA as lavaan."""
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("covariates"), model=LAV[case]["model"], estimator="WLSMV", parameterization=param)
    _check_fit(res.fit, LAV[case])
    _check_params(res.parameters, LAV[case])
    for v, want in LAV[case]["r2"].items():
        assert _close(res.r2[v], want), v


def test_missing_ml_refused_cli(capsys):
    code, out, err = _cli(["cfa", DATA["cfa"], "--model", LAV["cfa"]["model"], "--estimator", "wlsmv",
                           "--missing", "ml"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "FIML" in err and "pairwise" in err


def test_cli_json_has_thresholds_and_scaled_fit(capsys):
    code, out, err = _cli(["sem", DATA["cfa"], "--model", LAV["sem"]["model"], "--estimator", "wlsmv",
                           "--ordered", "all", "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["estimator"] == "WLSMV"
    assert _close(doc["fit"]["chisq_scaled"], LAV["sem"]["fit"]["chisq.scaled"])
    assert _close(doc["fit"]["cfi_robust"], LAV["sem"]["fit"]["cfi.robust"])
    assert {"item", "threshold", "group", "estimate", "se"} <= set(doc["thresholds"][0])


def test_ordered_observed_regression_refused():
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.sem import sem

    with pytest.raises(AvoidSurveyError, match="covariates may only predict latent variables"):
        sem(_data("cfa"), model="F1 =~ f1_1 + f1_2 + f1_3\nf4_1 ~ f2_1", estimator="WLSMV")
    with pytest.raises(AvoidSurveyError, match="observed predictor must be a continuous covariate"):
        sem(_data("cfa"), model="F1 =~ f1_1 + f1_2 + f1_3\nF1 ~ f1_2", estimator="WLSMV")


def test_empty_category_in_group_refused():
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.cfa import cfa

    d = _data("groups")
    d.loc[(d["grp"] == "rural") & (d["a1"] == 5), "a1"] = 4   # nobody in 'rural' chose 5 on a1
    with pytest.raises(AvoidSurveyError) as e:
        cfa(d, model=LAV["invariance_configural"]["model"], estimator="WLSMV", group="grp")
    assert "a1" in str(e.value) and "rural" in str(e.value)


@pytest.mark.parametrize("case,kw", [
    ("groups", {}),
    ("groups_loadings", {"group_equal": ["loadings"]}),
    ("groups_theta", {"group_equal": ["loadings", "thresholds"], "parameterization": "theta"}),
    ("groups_mixed", {"group_equal": ["loadings"], "ordered": "a1,a2,a3,b1,b2"}),
])
def test_multigroup_lavaan_defaults(case, kw):
    from avoid_survey.analysis.stats.sem import sem

    res = sem(_data("groups"), model=LAV[case]["model"], estimator="WLSMV", group="grp", **kw)
    _check_fit(res.fit, LAV[case])
    _check_params(res.parameters, LAV[case], [g["group"] for g in res.groups])


@pytest.fixture(scope="module")
def invariance():
    from avoid_survey.analysis.stats.cfa import cfa

    return cfa(_data("groups"), model=LAV["invariance_configural"]["model"], estimator="WLSMV", group="grp")


def test_ordinal_invariance_fits_match_semtools(invariance):
    levels = [r["level"] for r in invariance.invariance]
    assert levels == ["configural", "thresholds", "metric", "scalar"]
    for row in invariance.invariance:
        _check_fit(row, LAV["invariance"][row["level"]])


def test_ordinal_invariance_lrt_matches_lavtestlrt(invariance):
    ref = LAV["invariance_lrt"]
    for row, d, m, p in zip(invariance.invariance, ref["chisq_diff"], ref["df_diff"], ref["p"]):
        if d is None:
            assert row["chisq_diff"] is None
            continue
        assert _close(row["chisq_diff"], d) and row["df_diff"] == m and _close(row["p_diff"], p)
    rows = invariance.invariance
    assert rows[2]["delta_cfi_scaled"] == pytest.approx(rows[2]["cfi_scaled"] - rows[1]["cfi_scaled"])


def test_invariance_tables_render_both_languages(invariance):
    for lang in ("zh", "en"):
        names = [t.name for t in invariance.to_tables(lang)]
        assert "cfa_invariance" in names and "cfa_thresholds" in names


def test_configural_and_scalar_parameters_match_semtools():
    from avoid_survey.analysis.stats.sem.wlsmv.fit import fit_wlsmv
    from avoid_survey.analysis.stats.sem.wlsmv.invariance import _rules
    from avoid_survey.analysis.stats.sem.syntax import parse_sem

    d = _data("groups")
    items = [c for c in d.columns if c != "grp"]
    xs = [d.loc[d["grp"] == g, items].to_numpy(float) for g in ("urban", "rural")]
    for level, case in (("configural", "invariance_configural"), ("scalar", "invariance_scalar")):
        rules, ge = _rules(level)
        f = fit_wlsmv(parse_sem(LAV[case]["model"]), d.columns, xs, ["urban", "rural"], items, std_lv=True,
                      group_equal=ge, rules=rules)
        _check_params(f.params, LAV[case], ["urban", "rural"])


def test_ordinal_invariance_theta_parameterization():
    from avoid_survey.analysis.stats.cfa import cfa

    res = cfa(_data("groups"), model=LAV["invariance_configural"]["model"], estimator="WLSMV", group="grp",
              parameterization="theta")
    ref = LAV["invariance_theta_lrt"]
    for row, d in zip(res.invariance, ref["chisq_diff"]):
        _check_fit(row, LAV["invariance_theta"][row["level"]])
        if d is not None:
            assert _close(row["chisq_diff"], d)


def test_empty_category_cli_one_line(tmp_path, capsys):
    d = _data("groups")
    d.loc[(d["grp"] == "urban") & (d["b2"] == 1), "b2"] = 2
    path = tmp_path / "empty.csv"
    d.to_csv(path, index=False)
    code, out, err = _cli(["cfa", path, "--model", LAV["invariance_configural"]["model"], "--estimator", "wlsmv",
                           "--group", "grp"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "b2" in err and "urban" in err and str(path) in err and "Traceback" not in err


def test_ordered_needs_wlsmv(capsys):
    code, _, err = _cli(["cfa", DATA["cfa"], "--model", LAV["cfa"]["model"], "--ordered", "all"], capsys)
    assert code == 2 and "--ordered needs --estimator wlsmv" in err


def test_family_sem_in_a_spec_takes_wlsmv(tmp_path, capsys):
    """``family: sem`` with ``estimator: wlsmv`` gives the numbers of ``sem --estimator wlsmv``."""
    import textwrap
    model = LAV["sem"]["model"]
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {DATA['cfa']}\nmodels:\n  - name: ord\n    family: sem\n    estimator: wlsmv\n"
                    f"    ordered: all\n    syntax: |\n" + textwrap.indent(model, "      ") + "\n", encoding="utf-8")
    code, out, err = _cli(["model", "--spec", spec, "--format", "json"], capsys)
    assert code == 0, err
    m = json.loads(out)["models"][0]
    assert m["family"] == "sem" and m["se_type"] == "robust (WLSMV)"
    code, out2, err = _cli(["sem", DATA["cfa"], "--model", model, "--estimator", "wlsmv", "--format", "json"], capsys)
    assert code == 0, err
    ref = json.loads(out2)
    assert m["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq_scaled"], rel=1e-10)
    want = {(p["lhs"], p["rhs"]): p["estimate"] for p in ref["parameters"] if p["op"] == "~"}
    got = {tuple(c["term"].split(" ~ ")): c["estimate"] for c in m["coefficients"]}
    assert got and all(got[k] == pytest.approx(v, rel=1e-10) for k, v in want.items() if k in got)
