"""`compare` equals R (tests/reference/compare.R): t.test, car::leveneTest, oneway.test,
aov + TukeyHSD, Games-Howell by formula, chisq.test, fisher.test, wilcox.test, kruskal.test;
and the command line: JSON shape, tables in zh and en, one-line errors."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest

from avoid_survey.analysis.stats.compare import compare
from avoid_survey.cli.main import run

REF = Path(__file__).parent / "reference"
DATA = REF / "data"
R = json.loads((REF / "compare.json").read_text())
SAMPLE = DATA / "describe_sample.csv"
TOL = dict(rel=1e-6, abs=1e-10)


def approx(x):
    return pytest.approx(x, **TOL)


def frame(name):
    return pd.read_csv(DATA / f"cmp_{name}.csv")


@functools.lru_cache(maxsize=1)
def sample():
    from avoid_survey.analysis.io import read_data
    from avoid_survey.instruments import load_instrument
    return read_data(SAMPLE, load_instrument("blame-avoidance-core"))


def one(data, by, var, test, **kw):
    return compare(data, by=by, variables=[var], test=test, **kw).tests[0]


def check_two_groups(data, by, var, ref):
    t = one(data, by, var, "t")
    w = one(data, by, var, "welch")
    assert [g["n"] for g in t.groups] == ref["n"]
    assert [g["mean"] for g in t.groups] == approx(ref["mean"])
    assert [g["sd"] for g in t.groups] == approx(ref["sd"])
    for res, key in ((t, "student"), (w, "welch")):
        assert res.statistic == approx(ref[key]["t"])
        assert res.df == approx(ref[key]["df"])
        assert res.p == approx(ref[key]["p"])
        assert [res.details["ci_lower"], res.details["ci_upper"]] == approx(ref[key]["ci"])
    lev = t.details["levene"]
    assert [lev["statistic"], lev["df"], lev["df2"], lev["p"]] == approx(
        [ref["levene"]["f"], ref["levene"]["df1"], ref["levene"]["df2"], ref["levene"]["p"]])
    assert t.effect_size_name == "cohens_d" and t.effect_size == approx(ref["d"])
    assert list(t.effect_size_ci) == approx(ref["d_ci"])
    mw = one(data, by, var, "mannwhitney")
    assert mw.statistic == approx(ref["wilcox"]["w"]) and mw.p == approx(ref["wilcox"]["p"])


def check_oneway(data, by, var, ref):
    a = one(data, by, var, "anova")
    assert [g["n"] for g in a.groups] == ref["n"]
    assert [g["mean"] for g in a.groups] == approx(ref["mean"])
    assert [g["sd"] for g in a.groups] == approx(ref["sd"])
    assert [a.statistic, a.df, a.df2, a.p] == approx([ref["f"], ref["df1"], ref["df2"], ref["p"]])
    assert a.effect_size == approx(ref["eta2"]) and a.details["omega_squared"] == approx(ref["omega2"])
    wa = one(data, by, var, "welch_anova")
    assert [wa.statistic, wa.df, wa.df2, wa.p] == approx(
        [ref["welch"]["f"], ref["welch"]["df1"], ref["welch"]["df2"], ref["welch"]["p"]])
    lev = a.details["levene"]
    assert [lev["statistic"], lev["df"], lev["df2"], lev["p"]] == approx(
        [ref["levene"]["f"], ref["levene"]["df1"], ref["levene"]["df2"], ref["levene"]["p"]])
    tk = [r for r in a.post_hoc if r["method"] == "tukey"]
    assert [f"{r['group1']}-{r['group2']}" for r in tk] == ref["tukey"]["pair"]
    assert [r["diff"] for r in tk] == approx(ref["tukey"]["diff"])
    assert [r["p"] for r in tk] == pytest.approx(ref["tukey"]["p"], rel=1e-6, abs=1e-7)
    assert [r["ci_lower"] for r in tk] == approx(ref["tukey"]["lwr"])
    assert [r["ci_upper"] for r in tk] == approx(ref["tukey"]["upr"])
    # R's qtukey stops at an absolute error of 1e-4: TukeyHSD's own interval ends agree to that
    assert [r["ci_lower"] for r in tk] == pytest.approx(ref["tukey"]["lwr_r"], abs=1e-3)
    gh = [r for r in a.post_hoc if r["method"] == "games_howell"]
    for mine, r in zip(gh, ref["games_howell"], strict=True):
        assert f"{mine['group1']}-{mine['group2']}" == r["pair"]
        assert [mine["diff"], mine["se"], mine["statistic"], mine["df"], mine["ci_lower"], mine["ci_upper"]] == approx(
            [r["diff"], r["se"], r["t"], r["df"], r["lwr"], r["upr"]])
        assert mine["p"] == pytest.approx(r["p"], rel=1e-6, abs=1e-7)
    kw = one(data, by, var, "kruskal")
    assert [kw.statistic, kw.df, kw.p] == approx([ref["kruskal"]["h"], ref["kruskal"]["df"], ref["kruskal"]["p"]])


def check_crosstab(data, by, var, ref):
    c = one(data, by, var, "chisq")
    assert [c.statistic, c.df, c.p, c.effect_size] == approx([ref["chisq"], ref["df"], ref["p"], ref["v"]])
    assert c.details["expected_below_5"] == ref["below5"]
    assert c.details["min_expected"] == approx(ref["min_expected"])
    if "yates" in ref:
        assert c.details["yates"]["statistic"] == approx(ref["yates"]["chisq"])
        assert c.details["yates"]["p"] == approx(ref["yates"]["p"])
        assert c.details["fisher"]["p"] == approx(ref["fisher_p"])
    else:
        assert "fisher" not in c.details
    assert bool(c.warnings) == (ref["below5"] > 0)


# ----------------------------------------------------------------- equal to R
def test_t_tests_levene_d_and_mann_whitney_equal_r():
    check_two_groups(frame("mtcars"), "am", "mpg", R["mtcars_am"])
    check_two_groups(sample(), "gender", "age", R["sample_age_gender"])
    check_two_groups(sample(), "gender", "tenure_years", R["sample_tenure_gender"])


@pytest.mark.parametrize("name, data, by, var", [
    ("mtcars_cyl", "mtcars", "cyl", "mpg"), ("plantgrowth", "plantgrowth", "group", "weight"),
    ("insectsprays", "insectsprays", "spray", "count")])
def test_oneway_tukey_games_howell_kruskal_equal_r(name, data, by, var):
    check_oneway(frame(data), by, var, R[name])


def test_oneway_on_the_sample_equals_r():
    d = sample()
    check_oneway(d, "rank", "age", R["sample_age_rank"])
    check_oneway(d, "education", "weekly_hours", R["sample_hours_education"])


def test_chisq_fisher_equal_r():
    check_crosstab(frame("mtcars"), "am", "vs", R["am_vs"])
    check_crosstab(frame("mtcars"), "cyl", "gear", R["cyl_gear"])
    d = sample()
    check_crosstab(d, "gender", "party_member", R["sample_gender_party"])
    check_crosstab(d, "gender", "rank", R["sample_gender_rank"])


def test_paired_t_equals_r():
    ref = R["sleep"]
    p = compare(frame("sleep"), by=None, variables=["drug1:drug2"], test="paired").tests[0]
    assert [p.statistic, p.df, p.p] == approx([ref["t"], ref["df"], ref["p"]])
    assert [p.details["ci_lower"], p.details["ci_upper"]] == approx(ref["ci"])
    assert p.details["mean_difference"] == approx(ref["mean_difference"])
    assert p.effect_size_name == "cohens_dz" and p.effect_size == approx(ref["dz"])
    assert list(p.effect_size_ci) == approx(ref["dz_ci"])


def test_auto_picks_by_variable_type_and_group_count():
    d = sample()
    res = compare(d, by="gender", variables=["age", "party_member"], instrument="blame-avoidance-core")
    assert [t.test for t in res.tests] == ["t", "chisq"]
    res = compare(d, by="rank", variables=["age"], instrument="blame-avoidance-core")
    assert res.tests[0].test == "anova" and res.tests[0].post_hoc


def test_scale_scores_and_group_labels_from_the_instrument():
    from avoid_survey.analysis.stats.scoring import score_frame
    from avoid_survey.analysis.stats.compare.means import student_t

    d = sample()
    res = compare(d, by="gender", variables=["passive_avoidance"], instrument="blame-avoidance-core", lang="zh")
    t = res.tests[0]
    assert [g["label"] for g in t.groups] == ["男", "女"] and t.label == "被动避责"
    from avoid_survey.instruments import load_instrument

    s = score_frame(d, load_instrument("blame-avoidance-core"), scales=["passive_avoidance"]).scores["passive_avoidance"]
    ok = s.notna()
    st = student_t(s[ok & (d.gender == 1)].to_numpy(), s[ok & (d.gender == 2)].to_numpy())
    assert t.statistic == pytest.approx(st["statistic"], abs=1e-12)


# ----------------------------------------------------------------- command line
def test_cli_json_shape(capsys):
    code = run(["compare", str(SAMPLE), "-i", "blame-avoidance-core", "--by", "rank", "--vars", "age,gender",
                "-f", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"tests"}
    for t in d["tests"]:
        assert set(t) >= {"variable", "test", "statistic", "df", "p", "effect_size", "effect_size_name", "groups",
                          "post_hoc"}
        for g in t["groups"]:
            assert set(g) >= {"group", "n", "mean", "sd"}
    a = d["tests"][0]
    ref = R["sample_age_rank"]
    assert a["test"] == "anova" and a["statistic"] == approx(ref["f"]) and a["p"] == approx(ref["p"])
    assert [g["group"] for g in a["groups"]] == [1, 2, 3, 4]
    assert a["groups"][0]["label"] == "科员及以下"
    assert d["tests"][1]["test"] == "chisq"


@pytest.mark.parametrize("lang, words", [("zh", ["差异检验", "事后多重比较", "交叉表"]),
                                         ("en", ["Group comparisons", "Post hoc comparisons", "Crosstab"])])
def test_cli_tables_render_in_both_languages(capsys, lang, words):
    code = run(["compare", str(SAMPLE), "-i", "blame-avoidance-core", "--by", "rank", "--vars", "age,gender,ft_trust",
                "-f", "md", "--lang", lang])
    out, err = capsys.readouterr()
    assert code == 0, err
    for w in words:
        assert w in out


def test_cli_paired_and_table_formats(capsys, tmp_path):
    out_file = tmp_path / "paired.html"
    code = run(["compare", str(DATA / "cmp_sleep.csv"), "--vars", "drug1:drug2", "--test", "paired", "-f", "html",
                "-o", str(out_file), "--lang", "en"])
    assert code == 0 and "Paired t" in out_file.read_text()


@pytest.mark.parametrize("args, msg", [
    (["--by", "nosuch", "--vars", "age"], "--by 'nosuch' is not a column"),
    (["--by", "gender", "--vars", "nosuch"], "--vars 'nosuch' is not a column"),
    (["--by", "const", "--vars", "age"], "needs at least two groups"),
    (["--by", "gender", "--vars", "word", "--test", "t"], "'word' is not numeric"),
    (["--by", "rank", "--vars", "age", "--test", "t"], "compares exactly 2 groups"),
    (["--vars", "age"], "needs --by"),
    (["--vars", "age", "--test", "paired"], "pairs of variables written a:b"),
])
def test_bad_input_exit_2_one_line(capsys, tmp_path, args, msg):
    d = pd.read_csv(SAMPLE, encoding="utf-8-sig").head(60)
    d["const"] = 1
    d["word"] = ["a", "b", "c"] * 20
    path = tmp_path / "d.csv"
    d.to_csv(path, index=False)
    code = run([str(a) for a in ["compare", path, *args]])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error:") and msg in err, err
