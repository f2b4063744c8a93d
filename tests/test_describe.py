"""`describe` equals R (tests/reference/describe.R): frequencies, psych::describe(type = 2)
skewness and kurtosis, cor.test, psych::alpha, sqrt(AVE) from lavaan; and the command line:
JSON shape, tables in zh and en, one-line errors."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest

from avoid_survey.analysis.stats.describe import describe, moments
from avoid_survey.cli.main import run

REF = Path(__file__).parent / "reference"
DATA = REF / "data"
R = json.loads((REF / "describe.json").read_text())
SAMPLE = DATA / "describe_sample.csv"
HS_INST = REF / "cfa_hs_instrument.yaml"
HS = DATA / "hs_holzinger1939.csv"
TOL = dict(rel=1e-6, abs=1e-10)
KEYS = ("n", "mean", "sd", "min", "max", "skewness", "kurtosis", "se_skewness", "se_kurtosis")


def approx(x):
    return pytest.approx(x, **TOL)


@functools.lru_cache(maxsize=1)
def sample_result(lang="en"):
    from avoid_survey.analysis.io import read_data
    from avoid_survey.instruments import load_instrument

    inst = load_instrument("blame-avoidance-core")
    return describe(read_data(SAMPLE, inst), inst, by="gender", lang=lang)


def hs_result(diagonal):
    from avoid_survey.instruments import load_instrument

    return describe(pd.read_csv(HS), load_instrument(str(HS_INST)), diagonal=diagonal,
                    scales=["visual", "textual", "speed"])


def check_moments(got: dict, ref: dict):
    for k in KEYS:
        assert got[k] == approx(ref[k]), k


# ----------------------------------------------------------------- equal to R
def test_moments_equal_psych_describe_type_2():
    d = pd.read_csv(DATA / "desc_mtcars.csv")
    for col in d.columns:
        check_moments(moments(d[col]), R["mtcars"][col])


def test_descriptives_of_scores_and_numeric_variables_equal_r():
    res = sample_result()
    got = {d.variable: d.to_dict() for d in res.descriptives}
    assert set(got) == set(R["sample"]["descriptives"])
    for v, ref in R["sample"]["descriptives"].items():
        check_moments(got[v], ref)
    assert [d.kind for d in res.descriptives][:2] == ["scale", "facet"]


def test_profile_equals_r_tables():
    res = sample_result()
    assert res.n == R["sample"]["n"]
    for var, ref in R["sample"]["profile"].items():
        rows = [p for p in res.profile if p.variable == var]
        valid = [p for p in rows if p.level is not None]
        assert [p.level for p in valid] == ref["level"]
        assert [p.n for p in valid] == ref["n"]
        assert [p.percent for p in valid] == approx(ref["percent"])
        assert [p.valid_percent for p in valid] == approx(ref["valid_percent"])
        assert len(rows) - len(valid) == (1 if ref["missing"] else 0)
    gender = [p.label for p in res.profile if p.variable == "gender"]
    assert gender == ["Male", "Female"]


def test_profile_percent_counts_missing_rows_as_spss():
    from avoid_survey.analysis.io import read_data
    from avoid_survey.instruments import load_instrument

    inst = load_instrument("blame-avoidance-core")
    d = read_data(SAMPLE, inst).head(100).copy()
    d.loc[:19, "gender"] = float("nan")
    rows = [p for p in describe(d, inst, lang="zh").profile if p.variable == "gender"]
    assert [p.label for p in rows] == ["男", "女", "缺失"]
    assert sum(p.n for p in rows) == 100 and rows[-1].n == 20 and rows[-1].valid_percent is None
    assert rows[0].percent == pytest.approx(100 * rows[0].n / 100)
    assert rows[0].valid_percent == pytest.approx(100 * rows[0].n / 80)


def test_correlations_and_alpha_diagonal_equal_r():
    res = sample_result()
    ref = R["sample"]
    assert list(res.correlated) == ref["correlated"]
    for key, r in ref["correlations"]["r"].items():
        a, b = key.split()
        assert res.correlations[a][b] == approx(r)
        assert res.p_values[a][b] == pytest.approx(ref["correlations"]["p"][key], rel=1e-6, abs=1e-300)
    assert res.diagonal == "alpha"
    for s, a in ref["alpha"].items():
        assert res.diagonal_values[s] == approx(a)


def test_by_group_descriptives_equal_r():
    res = sample_result()
    assert [g.group for g in res.groups] == [1, 2] and [g.label for g in res.groups] == ["Male", "Female"]
    for g in res.groups:
        got = {d.variable: d.to_dict() for d in g.descriptives}
        for v, ref in R["sample"]["by_gender"][str(g.group)].items():
            check_moments(got[v], ref)


def test_sqrt_ave_diagonal_equals_lavaan_and_fornell_larcker():
    res = hs_result("sqrt_ave")
    ref = R["holzinger"]
    assert list(res.correlated) == ["visual", "textual", "speed"]
    for f, v in ref["sqrt_ave"].items():
        assert res.diagonal_values[f] == pytest.approx(v, abs=1e-6)
    for key, r in ref["correlations"]["r"].items():
        a, b = key.split()
        assert res.correlations[a][b] == approx(r)
    fl = {f["variable"]: f for f in res.fornell_larcker}
    for f in ("visual", "textual", "speed"):
        others = [abs(res.correlations[f][g]) for g in res.correlated if g != f]
        assert fl[f]["max_r"] == pytest.approx(max(others))
        assert fl[f]["passed"] == (fl[f]["sqrt_ave"] > max(others))
    d = res.to_dict()
    assert d["diagonal"]["kind"] == "sqrt_ave" and len(d["fornell_larcker"]) == 3


def test_alpha_diagonal_on_holzinger_equals_psych():
    res = hs_result("alpha")
    for f, a in R["holzinger"]["alpha"].items():
        assert res.diagonal_values[f] == approx(a)
    for f, ref in R["holzinger"]["descriptives"].items():
        check_moments({d.variable: d.to_dict() for d in res.descriptives}[f], ref)
    assert hs_result("none").diagonal_values == {}


# ----------------------------------------------------------------- command line
def test_cli_json_shape(capsys):
    code = run(["describe", str(SAMPLE), "-i", "blame-avoidance-core", "-f", "json", "--scales",
                "passive_avoidance,ft_trust"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"n", "profile", "descriptives", "correlations", "p_values"}
    assert set(d["profile"][0]) >= {"variable", "level", "label", "n", "percent", "valid_percent"}
    assert set(d["descriptives"][0]) >= {"variable", "n", "mean", "sd", "min", "max", "skewness", "kurtosis"}
    assert list(d["correlations"]) == ["passive_avoidance", "ft_trust", "age", "tenure_years", "weekly_hours",
                                       "innovative_task_share"]
    assert d["profile"][0]["label"] == "男"   # the default language is zh
    key = "passive_avoidance ft_trust"
    assert d["correlations"]["passive_avoidance"]["ft_trust"] == approx(R["sample"]["correlations"]["r"][key])


@pytest.mark.parametrize("lang, words", [("zh", ["样本基本特征", "描述性统计", "均值、标准差与相关系数", "偏度"]),
                                         ("en", ["Sample profile", "Descriptive statistics", "Skewness",
                                                 "Cronbach's α on the diagonal"])])
def test_cli_tables_render_in_both_languages(capsys, lang, words):
    code = run(["describe", str(SAMPLE), "-i", "blame-avoidance-core", "-f", "md", "--lang", lang, "--by", "gender"])
    out, err = capsys.readouterr()
    assert code == 0, err
    for w in words:
        assert w in out


def test_cli_sqrt_ave_states_fornell_larcker(capsys):
    code = run(["describe", str(HS), "-i", str(HS_INST), "--diagonal", "sqrt_ave", "-f", "md", "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Fornell-Larcker criterion met" in out and "square root of the AVE" in out


@pytest.mark.parametrize("args, msg", [
    (["--by", "nosuch"], "--by 'nosuch' is not a column"),
    (["--by", "const"], "needs at least two groups"),
    (["--scales", "nosuch"], "'nosuch' is not a scale or facet"),
    ([], None),
])
def test_bad_input_exit_2_one_line(capsys, tmp_path, args, msg):
    d = pd.read_csv(SAMPLE, encoding="utf-8-sig").head(60)
    d["const"] = 1
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    code = run(["describe", str(path), *(["-i", "blame-avoidance-core"] if msg else []), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error:"), err
    assert msg is None or msg in err, err
