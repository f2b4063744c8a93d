"""`family: process` through the spec: JSON keys, the PROCESS tables in zh and en and every
format, spec errors with their line, and the spec result equal to fit_process on the same data."""
import json

import pytest

from conftest import REF, ROOT

SAMPLE = ROOT / "sample_data"
DATA = REF / "data" / "process_sample.csv"


def _spec(tmp_path, body, data=DATA):
    p = tmp_path / "spec.yaml"
    p.write_text(f"data: {data}\nmodels:\n{body}", encoding="utf-8")
    return p


M7 = """  - name: m7
    family: process
    model: 7
    x: pressure
    m: trust
    w: innov
    y: passive
    covariates: [age, female]
    se: {type: cluster, cluster: township}
    bootstrap: {n: 100, seed: 5}
"""


def test_spec_equals_fit_process_and_r(cli, tmp_path):
    code, out, err = cli("model", "--spec", _spec(tmp_path, M7), "--format", "json")
    assert code == 0, err
    m = json.loads(out)["models"][0]
    assert m["family"] == "process" and m["process"]["model"] == 7
    assert {"path_models", "conditional_indirect_effects", "index_of_moderated_mediation", "effects"} <= set(m)
    ref = json.loads((REF / "model_process.json").read_text())["m7_cluster"]
    assert m["index_of_moderated_mediation"][0]["estimate"] == pytest.approx(ref["effects"]["index|trust"], abs=1e-9)
    assert m["index_of_moderated_mediation"][0]["ci_lower"] == pytest.approx(ref["ci_lower"]["index|trust"], abs=1e-9)
    assert m["n_groups"] == {"township": len(set(__import__("pandas").read_csv(DATA)["township"]))}
    for c in m["coefficients"]:
        assert {"term", "estimate", "se", "stat", "p", "ci_lower", "ci_upper"} <= set(c)


@pytest.mark.parametrize("lang, words", [("zh", ["条件间接效应", "有调节的中介指数", "路径系数", "结果变量"]),
                                         ("en", ["Conditional indirect effects", "Index of moderated mediation",
                                                 "path coefficients", "Outcome"])])
def test_tables_in_both_languages(cli, tmp_path, lang, words):
    code, out, err = cli("model", "--spec", _spec(tmp_path, M7), "--format", "md", "--lang", lang)
    assert code == 0, err
    for w in words:
        assert w in out, w
    assert "Regression models" not in out and "回归模型结果" not in out   # no empty comparison table


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "html", "latex", "docx", "xlsx"])
def test_every_format(cli, tmp_path, fmt):
    body = M7 + """  - name: m3
    family: process
    model: 3
    x: pressure
    w: trust
    z: innov
    y: passive
  - name: ols
    family: ols
    formula: passive ~ pressure
"""
    out_file = tmp_path / f"out.{fmt}"
    code, out, err = cli("model", "--spec", _spec(tmp_path, body), "--format", fmt, "--output", out_file)
    assert code == 0, err
    assert out_file.stat().st_size > 0


def test_serial_and_58_tables(tmp_path):
    from avoid_survey.analysis.stats.models import run_spec
    res = run_spec({"data": str(DATA), "models": [
        {"name": "s", "family": "process", "model": 6, "x": "pressure", "m": ["risk", "trust"], "y": "passive",
         "bootstrap": {"n": 50, "seed": 1}},
        {"name": "f", "family": "process", "model": 58, "x": "pressure", "m": "trust", "w": "innov",
         "y": "passive", "moderator_values": "mean_sd", "bootstrap": {"n": 50, "seed": 1}}]})
    tabs = {t.title_text("zh"): t for t in res.to_tables("zh")}
    eff6 = next(t for k, t in tabs.items() if "模型6" in k and "效应分析" in k)
    rows = [r[0] for r in eff6.rows]
    assert rows[:6] == ["直接效应", "总效应", "risk", "risk → trust", "trust", "总间接效应"]
    assert rows[6:9] == ["(risk) − (risk → trust)", "risk − trust", "(risk → trust) − (trust)"]
    sec = {v: k for k, v in eff6.row_sections.items()}
    assert eff6.rows[sec["间接效应占总效应的比例"]][2].kind == "pct"
    std_rows = eff6.rows[sec["标准化间接效应（Bootstrap）"]:sec["间接效应占总效应的比例"]]
    assert [r[1] for r in std_rows[:2]] == ["完全标准化（ab·SD_X/SD_Y）", "部分标准化（ab/SD_Y）"]
    eff58 = next(t for k, t in tabs.items() if "模型58" in k and "效应分析" in k)
    assert any("部分有调节的中介指数" in str(v) for v in eff58.row_sections.values())
    assert any("均值+SD" in str(r[1]) for r in eff58.rows)


@pytest.mark.parametrize("body, msg, line", [
    ("  - name: p\n    family: process\n    x: pressure\n    y: passive\n", "needs 'model:'", 4),
    ("  - name: p\n    family: process\n    model: 9\n    x: pressure\n    y: passive\n", "needs 'model:'", 6),
    ("  - name: p\n    family: process\n    model: 4\n    x: pressure\n    y: passive\n    mediators: [trust]\n",
     "PROCESS calls the mediators 'm'", 6),
    ("  - name: p\n    family: ols\n    formula: passive ~ pressure\n    w: trust\n", "only used by family process", 6),
    ("  - name: p\n    family: process\n    model: 7\n    x: pressure\n    m: trust\n    y: passive\n",
     "needs a moderator 'w'", 4),
    ("  - name: p\n    family: process\n    model: 1\n    x: pressure\n    w: nope\n    y: passive\n",
     "unknown variable 'nope'", 8),
])
def test_spec_errors_exit_2_with_a_line(cli, tmp_path, body, msg, line):
    code, out, err = cli("model", "--spec", _spec(tmp_path, body))
    assert code == 2
    assert msg in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_template_runs_on_the_sample_data(cli):
    code, out, err = cli("model", "--template", "process_risk_trust", "--data", SAMPLE / "responses.csv",
                         "--format", "json")
    assert code == 0, err
    m = json.loads(out)["models"][0]
    assert m["family"] == "process" and m["process"]["model"] == 15
    assert m["n_groups"] == {"township_id": 60} and m["fit"]["n_boot_used"] == 5000
    cond = m["conditional_direct_effects"]
    # H2 on the sample data (true pressure x trust = -0.12): the direct effect falls as trust rises
    assert cond[0]["estimate"] > cond[1]["estimate"] > cond[2]["estimate"] > 0
    assert m["index_of_moderated_mediation"][0]["via"] == "risk_perception"


def test_slopes_figure_of_a_process_model_1_is_the_johnson_neyman_plot(cli, tmp_path):
    body = "  - name: m1\n    family: process\n    model: 1\n    x: pressure\n    w: innov\n    y: passive\n"
    fig = tmp_path / "jn.svg"
    code, out, err = cli("model", "--spec", _spec(tmp_path, body), "--slopes-figure", fig, "--lang", "en",
                         "--format", "json")
    assert code == 0, err
    assert "<svg" in fig.read_text(encoding="utf-8")
    assert json.loads(out)["models"][0]["johnson_neyman"]["points"]
    code, out, err = cli("model", "--spec", _spec(tmp_path, M7), "--slopes-figure", tmp_path / "no.svg",
                         "--format", "json")      # model 7 has no Johnson-Neyman table
    assert code == 2 and "moderation" in err and not (tmp_path / "no.svg").exists()


def test_python_api_process_equals_the_spec_and_r():
    import pandas as pd

    import avoid_survey as av
    d = pd.read_csv(DATA, dtype={"township": str})
    r = av.process(d, 7, x="pressure", m="trust", w="innov", y="passive", covariates=["age", "female"],
                   se="cluster", cluster="township", n_boot=100, seed=5)
    ref = json.loads((REF / "model_process.json").read_text())["m7_cluster"]
    imm = r.to_dict()["models"][0]["index_of_moderated_mediation"][0]
    assert imm["estimate"] == pytest.approx(ref["effects"]["index|trust"], abs=1e-9)
    assert imm["ci_upper"] == pytest.approx(ref["ci_upper"]["index|trust"], abs=1e-9)
    assert "process" in av.__all__
    tabs = r.to_table(lang="zh")
    assert "有调节的中介指数" in str(tabs)
