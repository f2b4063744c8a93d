"""Every analysis result renders in every format: the same table model, many renderers
(issue 8). Each command runs once per format on small real data; the file is then opened
by its own reader (python-docx, openpyxl, json, csv) and checked for structure."""
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference"
SAMPLE = ROOT / "sample_data" / "responses.csv"
HS = REF / "data" / "holzinger_x1_x9.csv"
HS_MODEL = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"

COMMANDS = {
    "validate": ["validate", SAMPLE, "--instrument", "dispositions-v2"],
    "reliability": ["reliability", SAMPLE, "--instrument", "dispositions-v2"],
    "efa": ["efa", HS, "--items", "x1,x2,x3,x4,x5,x6,x7,x8,x9", "--factors", "3"],
    "cfa": ["cfa", HS, "--model", HS_MODEL],
    "model": ["model", "--template", "h4_constraints", "--data", SAMPLE],
}
EXPECT = {  # a number each rendering must show (3 decimals) and a word of its first table
    "reliability": ("Alpha", None), "efa": ("KMO", "0.752"), "cfa": ("CFI", "0.931"),
    "model": ("R²", None), "validate": ("Rows", None),
}
FORMATS = ["md", "csv", "latex", "html", "docx", "xlsx", "json"]
OK = {"validate": (0, 1)}


def _run(cli, name, fmt, out, lang="en"):
    code, stdout, err = cli(*COMMANDS[name], "--format", fmt, "--output", out, "--lang", lang)
    assert code in OK.get(name, (0,)), err
    assert out.exists() and out.stat().st_size > 0
    assert "Traceback" not in err
    return out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_format(cli, tmp_path, name):
    word, number = EXPECT[name]
    texts = {}
    for fmt in FORMATS:
        out = _run(cli, name, fmt, tmp_path / f"out.{'tex' if fmt == 'latex' else fmt}")
        if fmt in ("md", "latex", "html"):
            texts[fmt] = out.read_text(encoding="utf-8")
        elif fmt == "csv":
            raw = out.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")          # BOM, so Excel in China opens it
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len(rows) > 2
            for r in rows:                                   # nothing a spreadsheet would run
                assert not any(c[:1] in "=+@" for c in r if c)
        elif fmt == "json":
            json.loads(out.read_text(encoding="utf-8"))
        elif fmt == "docx":
            from docx import Document
            from docx.oxml.ns import qn
            doc = Document(out)
            assert doc.tables
            for t in doc.tables:
                b = {el.tag.split("}")[1]: el.get(qn("w:val")) for el in t._tbl.tblPr.find(qn("w:tblBorders"))}
                assert (b["top"], b["bottom"], b["insideV"], b["insideH"]) == ("single", "single", "nil", "nil")
            texts["docx"] = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
        elif fmt == "xlsx":
            import openpyxl
            wb = openpyxl.load_workbook(out)
            values = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r]
            assert any(isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in values)
            assert not any(c.data_type == "f" for c in values)  # no formulas
    for fmt, text in texts.items():
        assert word in text, (fmt, word)
        if number:
            assert number in text, (fmt, number)
    tex = texts["latex"]
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") >= 1
    assert r"\toprule" in tex and r"\bottomrule" in tex
    assert "_" not in tex.replace(r"\_", "").split(r"\begin{tabular}")[1].split(r"\end{tabular}")[0]


def test_chinese_labels_follow_lang(cli, tmp_path):
    out = _run(cli, "reliability", "md", tmp_path / "zh.md", lang="zh")
    text = out.read_text(encoding="utf-8")
    assert "α系数" in text and "担当意识" in text


@pytest.mark.skipif(shutil.which("xelatex") is None,
                    reason="no TeX engine on this machine; the LaTeX structure is checked in test_every_format")
def test_latex_compiles(cli, tmp_path):
    body = _run(cli, "cfa", "latex", tmp_path / "t.tex").read_text(encoding="utf-8")
    doc = tmp_path / "doc.tex"
    doc.write_text("\\documentclass{article}\\usepackage{booktabs}\\usepackage{fontspec}\n"
                   "\\begin{document}\n" + body + "\n\\end{document}\n", encoding="utf-8")
    p = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", doc.name], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-2000:]
    assert (tmp_path / "doc.pdf").exists()
