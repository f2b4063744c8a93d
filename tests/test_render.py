"""The table model renders the same numbers in every format."""
import csv
import io
import json
import math

import pytest

from avoid_survey.analysis.render import render_bytes, render_text
from avoid_survey.analysis.core.table import Cell, Column, Table, fmt_number


def sample_table():
    t = Table("@alpha", [Column("scale", "@scale", kind="text"), Column("alpha", "@alpha"),
                         Column("ci", "@ci", kind="ci"), Column("p", "@p", kind="p"),
                         Column("est", "@estimate", group="Model 1"), Column("se", "@se", group="Model 1")],
              name="rel", notes=["@se_note"])
    t.section({"en": "Block A", "zh": "A组"})
    t.add("pa_x&y_1", 0.81234567, (0.7, 0.9), 0.0004, Cell(0.5, "est", stars="**"), Cell(0.12, "se"))
    t.add("=HYPERLINK(\"x\")", float("nan"), None, 0.04, -1.25, 0.3)
    return t


def test_number_formatting_roles():
    assert fmt_number(Cell(0.12345, "num"), 3) == "0.123"
    assert fmt_number(Cell(0.5, "est", stars="**"), 2) == "0.50**"
    assert fmt_number(Cell(0.1, "se"), 2) == "(0.10)"
    assert fmt_number(Cell((0.1, 0.2), "ci"), 2) == "[0.10, 0.20]"
    assert fmt_number(Cell(0.0004, "p"), 3, "en") == "< .001"
    assert fmt_number(Cell(0.0312, "p"), 3, "en") == ".031"
    assert fmt_number(Cell(0.0312, "p"), 3, "zh") == "0.031"
    assert fmt_number(Cell(float("nan"), "num"), 3) == ""
    assert fmt_number(Cell(12, "int"), 3) == "12"


def test_markdown_and_languages():
    md_en = render_text([sample_table()], "md", "en")
    md_zh = render_text([sample_table()], "md", "zh")
    assert "| Scale | Alpha |" in md_en and "| 量表 | α系数 |" in md_zh
    assert "0.812" in md_en and "[0.700, 0.900]" in md_en and "0.500**" in md_en and "(0.120)" in md_en
    assert "**A组**" in md_zh and "*括号内为标准误。*" in md_zh


def test_csv_honours_decimals_and_defuses_formulas():
    text = render_text([sample_table()], "csv", "en")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Scale", "Alpha"]
    assert rows[1][0] == "Block A"
    # --decimals (3 by default); numbers stay plain numbers (no stars, no parentheses)
    assert rows[2][1:] == ["0.812", "[0.700, 0.900]", "4.0e-04", "0.500", "0.120"]
    assert rows[3][0].startswith("'=")          # a formula is never handed to a spreadsheet
    assert rows[3][1] == "" and rows[3][4] == "-1.250"  # NaN empty; negative numbers untouched
    rows = list(csv.reader(io.StringIO(render_text([sample_table()], "csv", "en", 1))))
    assert rows[2][1:] == ["0.8", "[0.7, 0.9]", "4.0e-04", "0.5", "0.1"] and rows[3][3] == "0.040"
    from avoid_survey.analysis.render.csvtext import _num
    assert _num(-0.0001, 3) == "0.000" and _num(-0.01, 3) == "-0.010"


def test_cli_csv_honours_decimals_and_json_keeps_full_precision(tmp_path):
    from avoid_survey.cli.main import run

    base = ["reliability", "sample_data/responses.csv", "-i", "blame-avoidance-core-v2", "--scale", "passive_avoidance",
            "--lang", "en"]
    outs = {}
    for d in (2, 5):
        p = tmp_path / f"r{d}.csv"
        assert run([*base, "-f", "csv", "-o", str(p), "--decimals", str(d)]) == 0
        outs[d] = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))
    head = next(k for k, r in enumerate(outs[2]) if "Alpha" in r)
    alpha = outs[2][head].index("Alpha")
    row2, row5 = outs[2][head + 1], outs[5][head + 1]
    assert len(row2[alpha].split(".")[1]) == 2 and len(row5[alpha].split(".")[1]) == 5
    assert float(row2[alpha]) == pytest.approx(float(row5[alpha]), abs=0.005)
    p = tmp_path / "r.json"
    assert run([*base, "-f", "json", "-o", str(p), "--decimals", "2"]) == 0
    a = json.loads(p.read_text())["scales"][0]["alpha"]
    assert a == pytest.approx(float(row5[alpha]), abs=5e-6) and round(a, 2) != a


def test_latex_is_escaped_booktabs():
    tex = render_text([sample_table()], "latex", "en")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"pa\_x\&y\_1" in tex
    assert r"\multicolumn{2}{c}{Model 1}" in tex
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") == 1


def test_html_standalone_escaped():
    html = render_text([sample_table()], "html", "zh")
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html
    assert "&amp;" in html and "=HYPERLINK(&quot;x&quot;)" in html
    assert '<th colspan="2">Model 1</th>' in html


def test_terminal_table_has_all_rows():
    text = render_text([sample_table()], "table", "en")
    assert "Block A" in text and "0.812" in text and "< .001" in text


def test_xlsx_numbers_are_numbers_and_text_is_not_formula(tmp_path):
    import openpyxl

    p = tmp_path / "t.xlsx"
    p.write_bytes(render_bytes([sample_table(), sample_table()], "xlsx", "en"))
    wb = openpyxl.load_workbook(p)
    assert len(wb.sheetnames) == 2
    ws = wb[wb.sheetnames[0]]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    row = next(r for r in values if r[0] == "pa_x&y_1")
    assert isinstance(row[1], float) and row[1] == pytest.approx(0.81234567, abs=0)
    bad = next(r for r in ws.iter_rows() if r[0].value and str(r[0].value).startswith("=HYPER"))
    assert bad[0].data_type == "s"


def test_xlsx_keeps_stars_and_parentheses_as_number_formats(tmp_path):
    """The note about stars and parentheses stays true in Excel: the estimate keeps its
    stars and the SE its parentheses through the cell's number format, values stay numbers."""
    import openpyxl

    p = tmp_path / "t.xlsx"
    p.write_bytes(render_bytes([sample_table()], "xlsx", "en", 2))
    ws = openpyxl.load_workbook(p).active
    row = next(r for r in ws.iter_rows() if r[0].value == "pa_x&y_1")
    est, se = row[4], row[5]
    assert est.value == 0.5 and est.number_format == '0.00"**"'
    assert se.value == 0.12 and se.number_format == '"("0.00")"'
    assert row[1].number_format == "0.00"
    assert any("parenthes" in str(c.value).lower() for r in ws.iter_rows() for c in r if c.value)
    plain = next(r for r in ws.iter_rows() if str(r[0].value).startswith("=HYPER"))
    assert plain[4].value == -1.25 and plain[4].number_format == "0.00"   # no stars: none added


def _borders(el, ns):
    out = {}
    for side in el:
        out[side.tag.split("}")[1]] = side.get(ns + "val")
    return out


def test_docx_is_a_three_line_table(tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    p = tmp_path / "t.docx"
    p.write_bytes(render_bytes([sample_table()], "docx", "zh"))
    doc = Document(p)
    assert len(doc.tables) == 1
    tbl = doc.tables[0]
    borders = tbl._tbl.tblPr.find(qn("w:tblBorders"))
    b = {el.tag.split("}")[1]: el.get(qn("w:val")) for el in borders}
    assert b == {"top": "single", "bottom": "single", "left": "nil", "right": "nil",
                 "insideH": "nil", "insideV": "nil"}
    # the header row carries the thin rule under it; body cells have no borders of their own
    header_row = tbl.rows[1]  # row 0 is the column-group row
    for cell in header_row.cells:
        tcb = cell._tc.tcPr.find(qn("w:tcBorders"))
        assert tcb is not None and tcb.find(qn("w:bottom")).get(qn("w:val")) == "single"
    last = tbl.rows[-1]
    for cell in last.cells:
        tcpr = cell._tc.tcPr
        assert tcpr is None or tcpr.find(qn("w:tcBorders")) is None
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "α系数"                      # title above the table
    assert "括号内为标准误。" in texts                  # notes below
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:ascii")) == "Times New Roman" and rfonts.get(qn("w:eastAsia")) == "SimSun"


def test_every_format_choice_has_a_renderer():
    """--format lists exactly the registered renderers, and each one loads and renders."""
    from avoid_survey.analysis.render.jsondoc import dumps_json
    from avoid_survey.analysis.render.registry import RENDERERS
    from avoid_survey.cli.common import Format

    assert [f.value for f in Format] == RENDERERS.names()
    for name in RENDERERS:
        entry = RENDERERS.entry(name)
        fn = entry.load()
        assert callable(fn), name
        if entry.meta.get("printer"):
            from avoid_survey.analysis.core.registry import Entry
            assert callable(Entry(name, entry.meta["printer"]).load())
        if entry.meta["source"] == "result":
            class R:
                def to_dict(self):
                    return {"a": 1}
            assert fn(R()) == dumps_json({"a": 1}) + "\n"
        else:
            out = fn([sample_table()], "en", 3)
            assert isinstance(out, bytes if entry.meta.get("binary") else str) and out, name


def test_every_rotation_choice_is_registered():
    """efa --rotation lists exactly the registered rotations; each rotates two factors."""
    import numpy as np

    from avoid_survey.analysis.numerics.rotation import ROTATIONS
    from avoid_survey.cli.efa_cmd import Rotation

    assert [r.value for r in Rotation] == ROTATIONS.names()
    lam = np.array([[0.7, 0.2], [0.6, 0.3], [0.2, 0.8], [0.3, 0.7], [0.5, 0.5]])
    for name in ROTATIONS:
        out, phi, ok = ROTATIONS.get(name)(lam)
        assert out.shape == lam.shape and ok, name
        assert (phi is not None) == ROTATIONS.entry(name).meta["oblique"], name
        assert ROTATIONS.entry(name).meta["r_name"]


def test_validate_and_catalog_terminal_views_go_through_the_table_model():
    """The validate summary/findings and the instrument list are Tables with terminal
    hints drawn by render.terminal (no hand-built rich tables)."""
    import inspect

    from avoid_survey.analysis.validate import terminal as vt
    from avoid_survey.analysis.tables.catalog import catalog_for_terminal
    from avoid_survey.instruments.summary import catalog

    src = inspect.getsource(vt)
    assert "rich.table" not in src and "print_rich" in src
    t = catalog_for_terminal(catalog().to_tables("en")[0])
    shown = [c.key for c in t.columns if c.terminal.get("show", True)]
    assert shown == ["id", "version", "title", "n_scales", "n_items", "n_variables"]
    assert next(c for c in t.columns if c.key == "id").terminal["no_wrap"] is True
