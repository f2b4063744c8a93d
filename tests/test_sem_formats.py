"""Every SEM and CMV table in every format and both languages: parameters, standardized solution,
fit, R², defined effects with bootstrap CIs, modification indices, comparison; Harman, method-factor
models, marker correction."""
import csv
import io
import json

import pytest

from conftest import REF

PD = REF / "data" / "poldem_bollen.csv"
LAV = json.loads((REF / "sem_lavaan.json").read_text())
MODEL = LAV["indirect"]["model"]
SMALLER = MODEL.replace("\ny1 ~~ y5", "").replace("\ny2 ~~ y4", "")
FORMATS = ["md", "csv", "latex", "html", "docx", "xlsx"]
TITLES = {"en": ["SEM fit indices", "SEM parameter estimates", "Standardized solution", "R² of endogenous variables",
                 "Defined and indirect effects", "Bootstrap 95% CI (percentile)"],
          "zh": ["结构方程模型拟合指标", "结构方程模型参数估计", "标准化解", "内生变量的 R²", "自定义效应与间接效应",
                 "Bootstrap 95% 置信区间（百分位）"]}


def _text(path, fmt):
    if fmt == "docx":
        from docx import Document
        doc = Document(path)
        return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    if fmt == "xlsx":
        from openpyxl import load_workbook
        wb = load_workbook(path)
        return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    return path.read_text(encoding="utf-8-sig").replace("\\", "")   # LaTeX escapes (95\\%)


@pytest.fixture(scope="module")
def sem_args(tmp_path_factory):
    d = tmp_path_factory.mktemp("semfmt")
    other = d / "smaller.lav"
    other.write_text(SMALLER, encoding="utf-8")
    return ["sem", PD, "--model", MODEL, "--bootstrap", 30, "--seed", 3, "--mi", "--mi-min", 4, "--compare", other]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_sem_tables_in_every_format(cli, tmp_path, sem_args, fmt, lang):
    out = tmp_path / f"sem.{fmt}"
    code, _, err = cli(*sem_args, "--format", fmt, "--output", out, "--lang", lang)
    assert code == 0, err
    text = _text(out, fmt)
    missing = [t for t in TITLES[lang] if t not in text]
    assert not missing, missing
    assert "ab" in text and "0.39" in text   # the standardized indirect effect (std.all of a*b: 0.3926)
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(text)))) > 60


@pytest.mark.parametrize("lang, words", [("en", ["Harman", "0.", "method factor (ULMC)"]),
                                         ("zh", ["Harman 单因子检验", "方法因子模型比较"])])
@pytest.mark.parametrize("fmt", FORMATS)
def test_cmv_tables_in_every_format(cli, tmp_path, fmt, lang, words):
    from test_sem_cmv import HS, INST

    out = tmp_path / f"cmv.{fmt}"
    code, _, err = cli("cmv", HS, "--instrument", INST, "--format", fmt, "--output", out, "--lang", lang)
    assert code == 0, err
    text = _text(out, fmt)
    assert all(w in text for w in words), [w for w in words if w not in text]
