"""Chinese throughout under --lang zh (issue 16): errors are never English-only, --help has a
Chinese summary per command, validation messages, mediation rows and group labels are
Chinese, and the report defaults to Chinese."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
S = str(ROOT / "sample_data" / "responses.csv")
CORE = "blame-avoidance-core-v2"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("argv", [
    ["reliability", "nope.csv", "-i", CORE],
    ["reliability", S],
    ["cfa", S, "-i", CORE, "--scale", "nope"],
    ["reliability", S, "-i", CORE, "--bogus"],
    ["model", "--spec", "nope.yaml"],
    ["compare", S, "-i", CORE, "--by", "nope", "--vars", "age"],
])
def test_errors_are_bilingual_under_zh_and_english_under_en(argv, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and CJK.search(err), err
    assert " | 错误：" in err
    assert run([*argv, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and not CJK.search(err.replace("nope", "")), err


def test_every_error_gist_is_in_the_catalogue():
    from avoid_survey.analysis.core.errors import ERROR_GIST, error_gist
    from avoid_survey.analysis.core.i18n import TERMS

    assert all(key in TERMS for _pat, key in ERROR_GIST)
    assert error_gist("x.csv: file not found", "zh").endswith(TERMS["err_file_not_found"][1])
    assert error_gist("something odd", "zh").endswith(TERMS["err_generic"][1])
    assert error_gist("x.csv: file not found", "en") == ""


def test_help_has_a_chinese_summary_for_every_command(capsys):
    from avoid_survey.cli.main import _COMMANDS

    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for _mod, _attr, name in _COMMANDS:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert CJK.search(line), line
    assert run(["reliability", "--help"]) == 0
    assert "信度分析" in capsys.readouterr().out


def test_validation_messages_are_chinese_in_tables_and_english_in_json(capsys):
    assert run(["validate", S, "-i", CORE, "-f", "md"]) == 0
    md = capsys.readouterr().out
    assert "作答 4，应为 2" in md and "answered 4" not in md
    assert "连续 154 个相同作答（阈值 103）" in md
    assert run(["validate", S, "-i", CORE, "-f", "json"]) == 0
    assert "answered 4, expected 2" in capsys.readouterr().out


def test_finding_templates_match_the_catalogue():
    """The English side of each val_fnd_ term is the findings catalogue's own template, and
    the Chinese one uses no field the English one does not fill."""
    from avoid_survey.analysis.core.findings import CATALOG
    from avoid_survey.analysis.core.i18n import TERMS

    fields = re.compile(r"\{(\w+)")
    for code, (_sev, _title, template) in CATALOG.items():
        en, zh = TERMS[f"val_fnd_{code}"]
        assert en == template, code
        assert set(fields.findall(zh)) <= set(fields.findall(en)) | {"column", "row", "respondent", "value"}, code


def test_mediation_rows_use_labels(capsys):
    assert run(["model", "--spec", str(ROOT / "sample_data" / "specs" / "mediation_parallel.yaml"), "-f", "md"]) == 0
    md = capsys.readouterr().out
    assert "控制变量: 性别: 女 → 风险感知" in md and "a: 问责压力感知 → 风险感知" in md
    assert "cov:" not in md and "gender[2]" not in md and "(Intercept)" not in md
    assert run(["model", "--spec", str(ROOT / "sample_data" / "specs" / "mediation_parallel.yaml"), "-f", "md",
                "--lang", "en"]) == 0
    assert "covariate: Gender: Female → Risk perception" in capsys.readouterr().out


def test_invariance_groups_use_value_labels(capsys):
    assert run(["cfa", S, "-i", CORE, "--scale", "passive_avoidance", "--group", "gender", "-f", "md"]) == 0
    md = capsys.readouterr().out
    assert "女（n = 383）" in md and "男（n = 649）" in md and "2.0 (n" not in md
    assert run(["cfa", S, "-i", CORE, "--scale", "passive_avoidance", "--group", "gender", "-f", "json"]) == 0
    import json
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert {g["group"]: g["label"]["zh"] for g in groups} == {"2.0": "女", "1.0": "男"}


def test_report_defaults_to_chinese():
    import inspect

    from avoid_survey.analysis.report import build_report, write_report
    from avoid_survey.cli.report_cmd import report

    assert inspect.signature(report).parameters["lang"].default.value == "zh"
    assert inspect.signature(build_report).parameters["lang"].default == "zh"
    assert inspect.signature(write_report).parameters["lang"].default == "zh"


def test_figure_labels_and_legends_follow_lang(monkeypatch, tmp_path):
    """The slopes figure's axis label and legend, and the coefficient plot's terms, are the
    instrument's labels in the chosen language (not variable names or 'mean - 1 SD')."""
    from avoid_survey.analysis.render import figures

    seen = {}

    def spy_slopes(x, lines, path, *, x_label="x", **kw):
        seen["x_label"], seen["legend"] = x_label, [ln["label"] for ln in lines]

    monkeypatch.setattr(figures, "interaction_plot", spy_slopes)
    assert run(["model", "--template", "h1_h2_pressure_trust", "--data", S, "-f", "json",
                "--slopes-figure", str(tmp_path / "s.png")]) == 0
    assert seen["x_label"] == "问责压力感知（已中心化）"
    assert seen["legend"] == ["容错机制信任 均值减 1 个标准差", "容错机制信任 均值", "容错机制信任 均值加 1 个标准差"]
    from avoid_survey.cli.common import figure_payload
    from avoid_survey.analysis.stats.models import run_spec
    from avoid_survey.analysis.stats.models.templates import resolve_spec_source

    src, base, _ = resolve_spec_source(None, "h1_h2_pressure_trust", S)
    payload = figure_payload("model", run_spec(src, base_dir=base))
    labels = {c["term"]: c["label"]["zh"] for m in payload["models"] for c in m["coefficients"]}
    assert labels["gender[2]"] == "性别: 女" and labels["accountability_pressure"] == "问责压力感知"


def test_hierarchical_step_columns_follow_lang(capsys):
    assert run(["model", "--template", "h1_h2_pressure_trust", "--data", S, "-f", "md"]) == 0
    md = capsys.readouterr().out
    assert "passive（第1步）" in md and "passive (step 1)" not in md
    assert run(["model", "--template", "h1_h2_pressure_trust", "--data", S, "-f", "md", "--lang", "en"]) == 0
    assert "passive (step 1)" in capsys.readouterr().out
