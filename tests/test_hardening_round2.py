"""Regression tests for the second hardening round (issue 20): each finding of the red-team
run that fell short has a case here."""
import io
import json
import zipfile

import pytest

from conftest import ROOT

FIX = ROOT / "tests" / "fixtures" / "validate"
INST = FIX / "instrument.yaml"


def _clean_lines():
    return (FIX / "clean.csv").read_text(encoding="utf-8").splitlines()


# ------------------------------------------------------------------ ragged rows
def _shifted(tmp_path, long_row=1, short_row=10, extra=""):
    """clean.csv with one data row one field long and another one field short: the total
    number of delimiters is unchanged."""
    lines = _clean_lines()
    lines[long_row] += "," + extra
    lines[short_row] = lines[short_row].rsplit(",", 1)[0]
    p = tmp_path / "shift.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("long_row,extra", [(1, ""), (1, "9"), (5, ""), (12, "7")])
def test_ragged_rows_that_cancel_out_are_findings(cli, tmp_path, long_row, extra):
    p = _shifted(tmp_path, long_row=long_row, short_row=10 if long_row != 10 else 11, extra=extra)
    code, out, err = cli("validate", p, "--instrument", INST, "--format", "json")
    assert code == 1, err   # errors found, listed as findings, not a crash
    d = json.loads(out)
    rows = sorted(f["row"] for f in d["findings"] if f["code"] == "ragged-row")
    assert rows == sorted([long_row, 10])
    assert "Traceback" not in err and "tokeniz" not in err.lower()


@pytest.mark.parametrize("command", [("reliability",), ("efa",), ("score", "--out", "{tmp}/s.csv")])
def test_ragged_rows_that_cancel_out_stop_analyses(cli, tmp_path, command):
    p = _shifted(tmp_path)
    args = [a.format(tmp=tmp_path) for a in command]
    code, out, err = cli(args[0], p, "--instrument", INST, *args[1:])
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "shift.csv" in lines[0] and "row 1" in lines[0]
    assert not (tmp_path / "s.csv").exists()


def test_an_extra_field_on_a_later_row_is_a_finding(cli, tmp_path):
    lines = _clean_lines()
    lines[7] += ",5"
    p = tmp_path / "long.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli("validate", p, "--instrument", INST, "--format", "json")
    assert code == 1, err
    assert [f["row"] for f in json.loads(out)["findings"] if f["code"] == "ragged-row"] == [7]


# ------------------------------------------------------------------ formula injection
PAYLOAD = '=HYPERLINK("http://evil","x")'


def _injected(tmp_path):
    lines = _clean_lines()
    head = lines[0].split(",")
    r1 = lines[1].split(",")
    r1[0] = '"' + PAYLOAD.replace('"', '""') + '"'
    r1[1] = "@SUM(1)"
    r2 = lines[2].split(",")
    r2[0], r2[1] = "-r02", "+镇02"
    p = tmp_path / "inj.csv"
    p.write_text("\n".join([",".join(head), ",".join(r1), ",".join(r2), *lines[3:]]) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("how", ["clean", "score"])
def test_data_writers_never_write_live_formulas(cli, tmp_path, ext, how):
    src = _injected(tmp_path)
    out = tmp_path / f"out.{ext}"
    if how == "clean":
        code, _, err = cli("validate", src, "--instrument", INST, "--clean", out)
    else:
        code, _, err = cli("score", src, "--instrument", INST, "--out", out)
    assert code in (0, 1), err
    if ext == "csv":
        import csv
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert rows[1][0] == "'" + PAYLOAD and rows[1][1] == "'@SUM(1)"
        assert rows[2][0] == "'-r02" and rows[2][1] == "'+镇02"
        assert all(not c.startswith(("=", "+", "@")) for r in rows for c in r)
    else:
        import openpyxl
        ws = openpyxl.load_workbook(out).active
        cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type != "f" for c in cells)
        with zipfile.ZipFile(out) as z:
            sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
            assert "<f>" not in z.read(sheet).decode()
        assert ws.cell(row=2, column=1).value == PAYLOAD


def _hostile_table():
    from avoid_survey.analysis.core.table import Column, Table
    t = Table(title="=cmd|' /C calc'!A0", columns=[Column("name", "+SUM(A1)", kind="text"),
                                                    Column("value", "-2+3", kind="num")],
              notes=["+note <script>alert(1)</script>"], name="=sheet")
    t.section("<img src=x onerror=alert(1)>\x07")
    t.add("=HYPERLINK(\"http://evil\",\"x\")\x01", 1.5)
    t.add("<script>alert(1)</script>", -2.0)
    return t


def test_xlsx_tables_hold_text_cells_only():
    import openpyxl

    from avoid_survey.analysis.render.office import tables_to_xlsx
    data = tables_to_xlsx([_hostile_table()], "en", 3)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == '=HYPERLINK("http://evil","x")' for c in cells)   # control character stripped
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(n).decode()


def test_docx_tables_strip_control_characters():
    import docx

    from avoid_survey.analysis.render.office import tables_to_docx
    doc = docx.Document(io.BytesIO(tables_to_docx([_hostile_table()], "en", 3)))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "=HYPERLINK" in text and "\x01" not in text and "\x07" not in text


def test_markdown_and_html_show_markup_as_text():
    from avoid_survey.analysis.render import render_text
    md = render_text([_hostile_table()], "md", "en", 3)
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md
    html = render_text([_hostile_table()], "html", "en", 3)
    assert "<script>" not in html and "<img" not in html


def test_csv_tables_quote_formula_cells():
    import csv

    from avoid_survey.analysis.render import render_text
    rows = list(csv.reader(io.StringIO(render_text([_hostile_table()], "csv", "en", 3))))
    flat = [c for r in rows for c in r]
    assert "'+SUM(A1)" in flat and "'-2+3" in flat
    assert not any(c.startswith(("=", "+", "@")) for c in flat)
    assert "-2.0" in flat   # numbers stay numbers


def test_questionnaire_markdown_escapes_instrument_markup(tmp_path):
    import yaml

    from avoid_survey.instruments import load_instrument
    from avoid_survey.instruments.questionnaire import questionnaire_md
    spec = yaml.safe_load(INST.read_text(encoding="utf-8"))
    spec["title"] = {"zh": "<script>alert(1)</script>", "en": "<script>alert(1)</script>"}
    first = spec["scales"][0]["facets"][0]["items"][0]
    first["text"] = {"zh": "<img src=x onerror=alert(1)>", "en": "<img src=x onerror=alert(1)>"}
    p = tmp_path / "i.yaml"
    p.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    md = questionnaire_md(load_instrument(p), "en")
    assert "<script>" not in md and "<img" not in md
