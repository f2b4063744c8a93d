"""`avoid-survey sem`: the command line, the syntax errors (line and token), bad models."""
import json

import pytest

from conftest import REF

PD = REF / "data" / "poldem_bollen.csv"
LAV = json.loads((REF / "sem_lavaan.json").read_text())
INDIRECT = LAV["indirect"]["model"]
KEYS = {"lhs", "op", "rhs", "group", "label", "estimate", "se", "z", "p", "ci_lower", "ci_upper", "std_all"}


def parse_error(text):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.sem.syntax import parse_sem

    with pytest.raises(AvoidSurveyError) as ei:
        parse_sem(text)
    return ei.value.line, ei.value.message


def test_parser_reads_sem_syntax():
    from avoid_survey.analysis.stats.sem.syntax import parse_sem

    s = parse_sem("f =~ y1 + a*y2 + NA*y3\nf ~ b*x1 + 0*x2 + 1\ny1 ~~ y2; y1 ~ 0*1\nab := a*(b - 2)/-a\na == b")
    assert [(x.lhs, x.op) for x in s.statements] == [("f", "=~"), ("f", "~"), ("f", "~1"), ("y1", "~~"),
                                                      ("y1", "~1")]
    assert s.statements[2].terms[0].name == "1" and s.statements[4].terms[0].fixed == 0.0
    assert s.definitions[0].name == "ab" and s.definitions[0].expr.names() == {"a", "b"}
    assert (s.constraints[0].lhs, s.constraints[0].rhs) == ("a", "b")


@pytest.mark.parametrize("text, line, token", [
    ("f =~ y1 + y2\nab := a*(b", 2, "')'"),
    ("f =~ y1\nab := exp(a)", 2, "exp("),
    ("f =~ y1\n\nab := a ** b", 3, "'*'"),
    ("f =~ y1 + y2\nf ~ x1 +", 2, "trailing '+'"),
    ("f =~ y1\na == 2*b", 2, "a == 2*b"),
    ("f =~ y1\nf < 1", 2, "'<'"),
    ("f =~ y1 ~ y2", 1, "second operator"),
    ("f =~ y1\nab := a $ b", 2, "'$'"),
])
def test_parser_errors_name_line_and_token(text, line, token):
    got_line, msg = parse_error(text)
    assert got_line == line and token in msg


def test_cli_json_keys(cli, tmp_path):
    code, out, err = cli("sem", PD, "--model", INDIRECT, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert {"n", "estimator", "fit", "parameters", "r2"} <= set(d)
    assert d["n"] == 75 and d["estimator"] == "ML"
    assert all(KEYS <= set(p) for p in d["parameters"])
    ops = {p["op"] for p in d["parameters"]}
    assert ops == {"=~", "~", "~~", ":="}
    assert all(p["group"] is None for p in d["parameters"])
    assert {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic",
            "bic"} <= set(d["fit"])
    mf = tmp_path / "m.lav"
    mf.write_text(INDIRECT, encoding="utf-8")
    code, out2, err = cli("sem", PD, "--model", mf, "--format", "json", "--estimator", "mlr")
    assert code == 0 and json.loads(out2)["fit"]["chisq_scaled"] > 0


def test_cli_tables_in_both_languages(cli):
    code, out, _ = cli("sem", PD, "--model", INDIRECT, "--format", "md", "--lang", "zh")
    assert code == 0 and "结构方程模型参数估计" in out and "自定义效应与间接效应" in out and "内生变量的 R²" in out
    code, out, _ = cli("sem", PD, "--model", INDIRECT, "--format", "md", "--lang", "en")
    assert code == 0 and "SEM parameter estimates" in out and "Defined and indirect effects" in out


def test_cli_bootstrap_and_indices(cli, tmp_path):
    idx = tmp_path / "idx.csv"
    code, out, err = cli("sem", PD, "--model", INDIRECT, "--bootstrap", "20", "--seed", "5", "--boot-indices",
                         idx, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["bootstrap"]["n_converged"] == 20 and d["bootstrap"]["seed"] == 5
    ab = next(p for p in d["parameters"] if p["lhs"] == "ab")
    assert ab["boot_ci_lower"] < ab["estimate"] < ab["boot_ci_upper"]
    assert ab["boot_std_ci_lower"] < ab["std_all"] < ab["boot_std_ci_upper"]
    rows = idx.read_text().splitlines()
    assert len(rows) == 20 and len(rows[0].split(",")) == 75
    assert cli("sem", PD, "--model", INDIRECT, "--boot-indices", tmp_path / "x.csv")[0] == 2


@pytest.mark.parametrize("model, words", [
    ("f =~ y1\nf ~ x1", "only one indicator"),
    ("f =~ y1 + y2 + nope", "unknown variable 'nope'"),
    ("f =~ NA*y1 + y2 + y3", "no scale"),
    ("f =~ y1 + y2\ng =~ y3 + y4\nf ~ g\ng ~ f", "not identified"),
    ("f =~ y1 + y2 + y3\nab := a*b", "'a'"),
    ("f =~ y1 + y2 + y3\nf ~ x1\na == b", "not a label"),
    ("missing_file.lav", "model file not found"),
])
def test_bad_models_exit_2_with_one_line(cli, model, words):
    code, out, err = cli("sem", PD, "--model", model, "--format", "json")
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_heywood_is_a_warning():
    import pandas as pd

    from avoid_survey.analysis.stats.sem import sem

    df = pd.read_csv(PD)
    res = sem(df, model="f =~ y1 + y2\ng =~ y3 + y4\nf ~~ 1.5*g")
    assert res.converged or res.warnings
    # a fixed covariance beyond the variances makes the factor covariance matrix improper
    assert any("Heywood" in str(w) or "not positive definite" in str(w) or "converge" in str(w)
               for w in res.warnings)


def test_bootstrap_with_groups_exports_data_rows(cli, tmp_path):
    hs = REF / "data" / "hs_holzinger1939.csv"
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ a*textual"
    idx = tmp_path / "idx.csv"
    code, out, err = cli("sem", hs, "--model", model, "--group", "school", "--bootstrap", "10", "--seed", "3",
                         "--boot-indices", idx, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["bootstrap"]["n_converged"] == 10 and [g["n"] for g in d["groups"]] == [156, 145]
    import pandas as pd

    school = pd.read_csv(hs)["school"].to_numpy()
    rows = [[int(v) for v in line.split(",")] for line in idx.read_text().splitlines()]
    # rows are resampled within their group: each resample keeps the group sizes
    assert all(sum(school[r - 1] == "Pasteur" for r in row) == 156 and len(row) == 301 for row in rows)


def test_instrument_scale_ids_are_latent_variables(cli):
    """With --instrument, a scale id in the model is measured by its items (a scale with facets by
    its facets): the seeds' central model pressure -> trust -> passive avoidance on the sample data."""
    from conftest import ROOT

    model = ("ft_trust ~ a*accountability_pressure\n"
             "passive_avoidance ~ c*accountability_pressure + b*ft_trust\nind := a*b")
    code, out, err = cli("sem", ROOT / "sample_data" / "responses.csv", "--instrument", "blame-avoidance-core-v2",
                         "--model", model, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    ops = {(p["lhs"], p["op"]) for p in d["parameters"]}
    assert ("accountability_pressure", "=~") in ops and ("ap_veto", "=~") in ops and ("ft_trust", "=~") in ops
    assert "# measured by their items" in d["model"]
    ind = next(p for p in d["parameters"] if p["op"] == ":=")
    assert ind["lhs"] == "ind" and ind["se"] > 0
