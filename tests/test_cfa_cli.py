"""`avoid-survey cfa`: the command line, the syntax parser's errors and identification checks."""
import json

import numpy as np
import pandas as pd
import pytest

from conftest import REF

HS = REF / "data" / "hs_holzinger1939.csv"
HS_INSTRUMENT = REF / "cfa_hs_instrument.yaml"
LAV = json.loads((REF / "cfa_lavaan.json").read_text())
HS_MODEL = LAV["hs3"]["model"]


# ------------------------------------------------------------------ the parser
def parse_error(text):
    from avoid_survey.analysis.stats.cfa.syntax import parse_model
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    with pytest.raises(AvoidSurveyError) as ei:
        parse_model(text)
    return ei.value.line, ei.value.message


def test_parser_reads_lavaan_syntax():
    from avoid_survey.analysis.stats.cfa.syntax import parse_model

    st = parse_model("""
    # a comment line
    visual =~ NA*x1 + l2*x2 +
              0.5*x3            ! lavaan's other comment sign
    visual ~~ 1*visual; x1 ~~ x2 + x3
    g =~ visual + textual
    """)
    assert [(s.lhs, s.op, s.line) for s in st] == [("visual", "=~", 3), ("visual", "~~", 5), ("x1", "~~", 5),
                                                   ("g", "=~", 6)]
    t = st[0].terms
    assert (t[0].name, t[0].free, t[0].fixed) == ("x1", True, None)
    assert (t[1].name, t[1].label) == ("x2", "l2")
    assert (t[2].name, t[2].fixed) == ("x3", 0.5)
    assert [x.name for x in st[2].terms] == ["x2", "x3"]


@pytest.mark.parametrize("text, line, needle", [
    ("f =~ x1 + x2\ny ~ x1", 2, "regressions"),
    ("f =~ x1 + x2\n\nf ~ 1", 3, "intercepts"),
    ("f =~ x1 + x2\nd := a*b", 2, "defined parameters"),
    ("f =~ x1 + + x2", 1, "empty term"),
    ("f =~ x1 + x2\ng =~ 2x + x3", 2, "'2x' is not a variable name"),
    ("f =~ x1 + x2 ~~ x3", 1, "second operator '~~'"),
    ("f =~ x1\ng =~ a*b*x2", 2, "two labels 'a' and 'b'"),
    ("f =~ x1 + start(1)*x2", 1, "start values ('start(1)*x2') are read by the sem command"),
    ("f =~ x1 + bad(1)*x2", 1, "unsupported modifier 'bad(1)'"),
    ("f x1 x2", 1, "no operator"),
    ("=~ x1 + x2", 1, "missing left-hand side"),
    ("f =~ 1*NA*x1", 1, "both fixed and free"),
])
def test_parser_errors_name_line_and_token(text, line, needle):
    got_line, msg = parse_error(text)
    assert got_line == line
    assert needle in msg


def test_parser_rejects_a_model_without_factors():
    _, msg = parse_error("x1 ~~ x2")
    assert "no factor" in msg


# ------------------------------------------------------------------ the command
def test_cli_json_has_contract_keys(cli):
    code, out, err = cli("cfa", HS, "--model", HS_MODEL, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    for k in ("n", "estimator", "fit", "loadings", "factor_reliability"):
        assert k in d
    assert set(d["fit"]) >= {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                             "srmr", "aic", "bic"}
    assert set(d["loadings"][0]) >= {"factor", "item", "estimate", "se", "z", "p", "std"}
    assert d["loadings"][0]["se"] is None  # the fixed marker loading
    assert d["n"] == 301 and d["estimator"] == "ML"
    assert abs(d["fit"]["chisq"] - LAV["hs3"]["fit"]["chisq"]) < 1e-4
    assert set(d["factor_reliability"]["visual"]) >= {"cr", "ave"}
    assert "invariance" not in d


def test_cli_group_json_has_invariance(cli):
    code, out, err = cli("cfa", HS, "--model", HS_MODEL, "--group", "school", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert [r["level"] for r in d["invariance"]] == ["configural", "metric", "scalar"]
    for r in d["invariance"]:
        assert set(r) >= {"level", "chisq", "df", "cfi", "tli", "rmsea", "srmr", "delta_cfi"}
    assert d["invariance"][0]["delta_cfi"] is None
    assert d["groups"] == [{"group": "Pasteur", "n": 156}, {"group": "Grant-White", "n": 145}]


def test_cli_model_file_and_tables(cli, tmp_path):
    mf = tmp_path / "hs.lav"
    mf.write_text("# HS three factors\n" + HS_MODEL + "\n", encoding="utf-8")
    code, out, err = cli("cfa", HS, "--model", mf, "--format", "md", "--lang", "en")
    assert code == 0, err
    assert "CFA fit indices" in out and "CFA loadings" in out and "HTMT" in out and "AVE" in out
    code, out, err = cli("cfa", HS, "--model", mf, "--group", "school", "--format", "md", "--lang", "zh")
    assert code == 0, err
    assert "测量不变性" in out and "形态等值" in out and "ΔCFI" in out


def test_cli_output_file_needs_force(cli, tmp_path):
    out_file = tmp_path / "cfa.json"
    assert cli("cfa", HS, "--model", HS_MODEL, "-f", "json", "-o", out_file)[0] == 0
    assert json.loads(out_file.read_text())["fit"]["df"] == 24
    code, _, err = cli("cfa", HS, "--model", HS_MODEL, "-f", "json", "-o", out_file)
    assert code == 2 and "force" in err
    assert cli("cfa", HS, "--model", HS_MODEL, "-f", "json", "-o", out_file, "--force")[0] == 0


def test_cli_instrument_second_order_equals_lavaan(cli):
    code, out, err = cli("cfa", HS, "--instrument", HS_INSTRUMENT, "--second-order", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["model"].splitlines()[-1] == "ability =~ visual + textual + speed"
    ref = LAV["hs_2nd"]
    for k in ("chisq", "cfi", "rmsea", "srmr", "aic", "bic"):
        assert abs(d["fit"][k] - ref["fit"][k]) < 1e-4
    g = {(r["factor"], r["item"]): r for r in d["loadings"]}
    for q in ref["params"]:
        if q["op"] == "=~":
            lhs = "ability" if q["lhs"] == "g" else q["lhs"]
            assert abs(g[(lhs, q["rhs"])]["estimate"] - q["est"]) < 1e-4
            assert abs(g[(lhs, q["rhs"])]["std"] - q["std.all"]) < 1e-4
    assert "ability" not in d["factor_reliability"]  # CR/AVE of first-order factors only


def test_cli_instrument_facets_and_scale_selection(cli):
    code, out, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert abs(d["fit"]["chisq"] - LAV["hs3"]["fit"]["chisq"]) < 1e-4  # facets as correlated factors
    code, out, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "--scale", "visual", "--scale", "speed", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert sorted(d["factor_reliability"]) == ["speed", "visual"]
    assert d["fit"]["df"] == 8
    code, _, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "--scale", "nope")
    assert code == 2 and "no scale or facet 'nope'" in err


@pytest.mark.parametrize("model, needle", [
    ("f =~ x1 + x2 + xx3", "line 1: unknown variable 'xx3'"),
    ("f =~ x1\ng =~ x2 + x3 + x4", "line 1: factor 'f' has only one indicator"),
    ("f =~ NA*x1 + x2 + x3", "factor 'f' has no scale"),
    ("f =~ x1 + x2\ng =~ x3 + x4\nf ~~ 0*g", "not identified"),
    ("f =~ x1 + x2 + x3\ng =~ f + x4\nf =~ g", "circle"),
    ("f =~ x1 + x2 + x3\nx1 ~~ f", "mixes a factor and an observed variable"),
    ("f =~ x1 + x2 + school", "row 1, column 'school': value 'Pasteur' is not a number"),
    ("f =~ x1 + x2 + x3\ng ~ x4", "line 2: regressions"),
])
def test_cli_bad_models_exit_2_with_one_line(cli, model, needle):
    code, out, err = cli("cfa", HS, "--model", model)
    assert code == 2
    assert needle in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_cli_negative_df_is_not_identified(cli, tmp_path):
    # 3 items, free loadings, free variance and a free residual covariance: 7 parameters > 6 moments
    code, _, err = cli("cfa", HS, "--model", "f =~ x1 + x2 + x3\nx1 ~~ x2\nx2 ~~ x3")
    assert code == 2 and "df = -" in err


@pytest.mark.parametrize("args, needle", [
    (["--model", "missing-model.lav"], "model file not found"),
    (["--model", HS_MODEL, "--missing", "pairwise"], "pairwise"),
    (["--model", HS_MODEL, "--group", "nope"], "column 'nope'"),
    ([], "needs --model"),
])
def test_cli_usage_errors(cli, args, needle):
    code, _, err = cli("cfa", HS, *args)
    assert code == 2 and needle in err


def _exact_sample(cov, n, seed):
    """Data whose biased sample covariance is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(cov)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True)).T)
    return z @ np.linalg.cholesky(cov).T


def test_heywood_case_is_a_warning(cli, tmp_path):
    # r12 = r13 = .8, r23 = .4: the one-factor solution needs a standardized loading of sqrt(1.6) on a1
    cov = np.array([[1, .8, .8], [.8, 1, .4], [.8, .4, 1]])
    path = tmp_path / "heywood.csv"
    pd.DataFrame(_exact_sample(cov, 200, 1), columns=["a1", "a2", "a3"]).to_csv(path, index=False)
    code, out, err = cli("cfa", path, "--model", "f =~ a1 + a2 + a3", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert any("Heywood" in w and "a1" in w for w in d["warnings"])
    code, out, err = cli("cfa", path, "--model", "f =~ a1 + a2 + a3", "-f", "md")
    assert code == 0 and "warning: Heywood case" in err


def test_non_positive_definite_covariance_exits_2(cli, tmp_path):
    df = pd.read_csv(HS)
    df["x10"] = df["x1"] + df["x2"]
    path = tmp_path / "collinear.csv"
    df.to_csv(path, index=False)
    code, _, err = cli("cfa", path, "--model", "f =~ x1 + x2 + x3 + x10")
    assert code == 2 and "not positive definite" in err
    df["x11"] = 3.0
    df.to_csv(path, index=False)
    code, _, err = cli("cfa", path, "--model", "f =~ x1 + x2 + x3 + x11")
    assert code == 2 and "'x11' has no variance" in err


def test_listwise_deletion_reported(cli, tmp_path):
    df = pd.read_csv(HS)
    df.loc[:9, "x1"] = np.nan
    path = tmp_path / "holes.csv"
    df.to_csv(path, index=False)
    code, out, err = cli("cfa", path, "--model", HS_MODEL, "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["n"] == 291 and d["n_dropped"] == 10
    assert any("10 of 301 rows dropped" in w for w in d["warnings"])


def test_distribution_functions_equal_scipy():
    """analysis/dist.py stands in for scipy.stats (start-up time); same numbers."""
    from scipy import stats

    from avoid_survey.analysis.numerics.dist import chi2_sf, find_root, ncx2_cdf, norm_sf

    for x in (0.5, 3.0, 24.0, 85.3, 252.6, 4165.5):
        for df in (1, 6, 24, 246, 265):
            ref = stats.chi2.sf(x, df)
            assert abs(chi2_sf(x, df) - ref) <= 1e-12 * max(ref, 1e-300) + 1e-300
            for lam in (0.01, 1.0, 61.3, 500.0, 4000.0):
                assert abs(ncx2_cdf(x, df, lam) - stats.ncx2.cdf(x, df, lam)) < 1e-10
    assert abs(norm_sf(1.96) - stats.norm.sf(1.96)) < 1e-15
    assert abs(find_root(lambda v: v * v - 2, 0, 2) - 2 ** 0.5) < 1e-9


@pytest.mark.parametrize("fmt", ["csv", "latex", "html", "md"])
def test_cli_text_formats_show_plain_numbers(cli, fmt):
    code, out, err = cli("cfa", HS, "--model", HS_MODEL, "--group", "school", "-f", fmt, "--lang", "en")
    assert code == 0, err
    assert "np.float64" not in out and "NaN" not in out
    assert "0.0652" in out or "0.065" in out  # SRMR


def test_non_convergence_is_a_warning_not_a_crash():
    from avoid_survey.analysis.stats.cfa.estimate import GroupData, estimate
    from avoid_survey.analysis.stats.cfa.model import build_model
    from avoid_survey.analysis.stats.cfa.syntax import parse_model

    df = pd.read_csv(HS)
    m = build_model(parse_model(HS_MODEL), df.columns)
    x = df[m.ov].to_numpy(float)
    est = estimate(m, [GroupData("all", len(x), np.cov(x.T, bias=True), x.mean(0))], max_iter=2)
    assert not est.converged
    assert any("did not converge" in w for w in est.warnings)


def test_cli_fiml(cli):
    path = REF / "data" / "hs_holzinger1939_mcar.csv"
    code, out, err = cli("cfa", path, "--model", HS_MODEL, "--missing", "ml", "-f", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["missing"] == "ml" and d["n"] == 301
    assert abs(d["fit"]["chisq"] - LAV["hs3_fiml"]["fit"]["chisq"]) < 1e-4
    code, out, err = cli("cfa", path, "--model", HS_MODEL, "-f", "json")  # listwise by default
    assert code == 0 and json.loads(out)["n"] < 301


def test_cli_instrument_item_missing_from_data(cli, tmp_path):
    path = tmp_path / "no_x5.csv"
    pd.read_csv(HS).drop(columns=["x5"]).to_csv(path, index=False)
    code, _, err = cli("cfa", path, "-i", HS_INSTRUMENT)
    assert code == 2 and "column 'x5'" in err and "of 'textual'" in err


def test_cli_second_order_without_facets_warns(cli):
    code, out, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "--scale", "visual", "--scale", "textual",
                         "--second-order", "-f", "json")
    assert code == 0, err
    assert any("--second-order has no effect" in w for w in json.loads(out)["warnings"])


def test_factor_correlation_beyond_one_is_warned(tmp_path):
    from avoid_survey.analysis.stats.cfa import cfa

    # two factors whose items correlate more across than within: phi > 1
    cov = np.array([[1, .3, .5, .5], [.3, 1, .5, .5], [.5, .5, 1, .3], [.5, .5, .3, 1]])
    df = pd.DataFrame(_exact_sample(cov, 300, 2), columns=["a1", "a2", "b1", "b2"])
    with pytest.warns(Warning):
        res = cfa(df, model="A =~ a1 + a2\nB =~ b1 + b2")
    assert abs(res.factor_correlations["A"]["B"]) > 1
    assert any("not positive definite" in w for w in map(str, res.warnings))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_cli_office_formats(cli, tmp_path, fmt):
    out = tmp_path / f"cfa.{fmt}"
    code, _, err = cli("cfa", HS, "--model", HS_MODEL, "--group", "school", "-f", fmt, "-o", out)
    assert code == 0, err
    assert out.stat().st_size > 1000


def test_cli_tables_use_instrument_labels(cli):
    code, out, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "--second-order", "-f", "md", "--lang", "zh")
    assert code == 0, err
    assert "**视觉 (visual)**" in out and "**心理能力 (ability)**" in out
    code, out, err = cli("cfa", HS, "-i", HS_INSTRUMENT, "-f", "md", "--lang", "en")
    assert "**Visual (visual)**" in out
