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
    assert "<script>" not in md and "<img" not in md and "&lt;script>" in md
    html = render_text([_hostile_table()], "html", "en", 3)
    assert "<script>" not in html and "<img" not in html


def test_csv_tables_quote_formula_cells():
    import csv

    from avoid_survey.analysis.render import render_text
    rows = list(csv.reader(io.StringIO(render_text([_hostile_table()], "csv", "en", 3))))
    flat = [c for r in rows for c in r]
    assert "'+SUM(A1)" in flat and "'-2+3" in flat
    assert not any(c.startswith(("=", "+", "@")) for c in flat)
    assert "-2.000" in flat   # numbers stay numbers (at --decimals)


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


# ------------------------------------------------------------------ inputs are never written
DATA = FIX / "clean.csv"


def _one_error(err):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_output_onto_the_instrument_or_spec_is_refused(cli, tmp_path):
    inst = tmp_path / "i.yaml"
    inst.write_bytes(INST.read_bytes())
    before = inst.read_bytes()
    code, _, err = cli("reliability", DATA, "--instrument", inst, "-o", inst, "--force")
    assert code == 2 and "input file" in _one_error(err)
    code, _, err = cli("instruments", "export", inst, "--to", inst, "--force")
    assert code == 2 and "input file" in _one_error(err)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {ROOT / 'tests/reference/data/model_mtcars.csv'}\nmodels:\n"
                    f"  - name: m\n    family: ols\n    formula: mpg ~ wt\n", encoding="utf-8")
    spec_before = spec.read_bytes()
    code, _, err = cli("model", "--spec", spec, "-o", spec, "--force")
    assert code == 2 and "input file" in _one_error(err)
    assert inst.read_bytes() == before and spec.read_bytes() == spec_before


def test_two_outputs_of_one_run_must_differ(cli, tmp_path):
    out = tmp_path / "x.png"
    code, _, err = cli("reliability", DATA, "--instrument", INST, "-o", out, "--figure", out)
    assert code == 2 and "same file" in _one_error(err)
    assert not out.exists()


def test_devices_are_written_in_place_never_replaced(cli):
    import os
    import stat
    code, out, err = cli("reliability", DATA, "--instrument", INST, "-o", "/dev/null", "--force")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    code, _, err = cli("reliability", DATA, "--instrument", INST, "-o", "/dev/full", "--force")
    assert code == 2 and "disk is full" in _one_error(err)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_dangling_symlink_is_not_replaced(cli, tmp_path):
    link = tmp_path / "out.md"
    link.symlink_to(tmp_path / "missing" / "target.md")
    code, _, err = cli("reliability", DATA, "--instrument", INST, "-o", link, "--force")
    assert code == 2 and "symbolic link" in _one_error(err)
    assert link.is_symlink()


def test_a_symlink_to_a_file_writes_the_target(cli, tmp_path):
    target = tmp_path / "target.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "out.md"
    link.symlink_to(target)
    code, _, err = cli("reliability", DATA, "--instrument", INST, "-o", link, "--force")
    assert code == 0, err
    assert link.is_symlink() and "old" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("errno_name,words", [("ENOSPC", "disk is full"), ("EFBIG", "file-size limit"),
                                              ("EROFS", "read-only"), ("EACCES", "not writable")])
def test_write_failures_are_user_errors(cli, tmp_path, monkeypatch, errno_name, words):
    import errno
    import os
    real = os.replace

    def failing(src, dst):
        raise OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)))

    monkeypatch.setattr(os, "replace", failing)
    out = tmp_path / "r.md"
    code, _, err = cli("reliability", DATA, "--instrument", INST, "-o", out)
    monkeypatch.setattr(os, "replace", real)
    assert code == 2 and words in _one_error(err)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".r.md")]


def _fifo(tmp_path):
    import os
    p = tmp_path / "fifo"
    os.mkfifo(p)
    return p


@pytest.mark.parametrize("where", ["data", "instrument", "model", "spec", "map"])
def test_pipes_and_devices_are_refused_not_read(cli, tmp_path, where):
    fifo = _fifo(tmp_path)   # a FIFO with no writer: opening it would block for ever
    if where == "data":
        args = ("reliability", fifo, "--instrument", INST)
    elif where == "instrument":
        args = ("reliability", DATA, "--instrument", fifo)
    elif where == "model":
        args = ("cfa", DATA, "--model", "/dev/zero")
    elif where == "spec":
        args = ("model", "--spec", fifo)
    else:
        args = ("validate", DATA, "--instrument", INST, "--map", fifo)
    code, _, err = cli(*args)
    assert code == 2
    line = _one_error(err)
    assert "not a regular file" in line and ("fifo" in line or "/dev/zero" in line)


def test_include_graphs_are_parsed_once_per_file(tmp_path):
    import time

    import yaml

    from avoid_survey.instruments import check_instrument_file
    for lvl in range(5, -1, -1):
        for j in range(12):
            d = {"id": f"l{lvl}_{j}", "version": "1.0", "title": {"en": "x", "zh": "x"}}
            if lvl < 5:
                d["include"] = [f"l{lvl + 1}_{k}.yaml" for k in range(12)]
            (tmp_path / f"l{lvl}_{j}.yaml").write_text(yaml.safe_dump(d), encoding="utf-8")
    from avoid_survey.instruments import loader
    calls = []
    real = loader._parse
    loader._parse = lambda p: calls.append(p) or real(p)
    try:
        findings = check_instrument_file(tmp_path / "l0_0.yaml")
    finally:
        loader._parse = real
    assert [f for f in findings if f.severity == "error"] == []
    assert len(calls) <= 1 + 5 * 12


def test_include_cycles_are_refused(tmp_path):
    from avoid_survey.instruments import check_instrument_file
    (tmp_path / "a.yaml").write_text("id: a\nversion: '1'\ntitle: {en: a, zh: a}\ninclude: [b.yaml]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\nversion: '1'\ntitle: {en: b, zh: b}\ninclude: [a.yaml]\n", encoding="utf-8")
    findings = check_instrument_file(tmp_path / "a.yaml")
    assert any("cycle" in f.message for f in findings)


# ------------------------------------------------------------------ HTMT and CR with a cross-loading item
def test_htmt_and_cr_with_an_item_on_two_factors_equal_semtools(cli):
    from conftest import REF
    ref = json.loads((REF / "cfa_crossload.json").read_text(encoding="utf-8"))
    code, out, err = cli("cfa", REF / "data" / "cfa_crossload.csv", "--model", ref["model"], "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["htmt"]["A"]["B"] == pytest.approx(ref["htmt"], abs=1e-9)
    assert d["htmt2"]["A"]["B"] == pytest.approx(ref["htmt2"], abs=1e-9)
    for f in ("A", "B"):
        assert d["factor_reliability"][f]["cr"] == pytest.approx(ref["cr"][f], abs=1e-6)


# ------------------------------------------------------------------ any column name in a formula
def _spec(tmp_path, data, body):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {data}\nmodels:\n" + body, encoding="utf-8")
    return spec


def test_reserved_words_and_quoted_names_are_columns(cli, tmp_path):
    import pandas as pd
    df = pd.read_csv(ROOT / "tests/reference/data/model_mtcars.csv")
    plain = tmp_path / "plain.csv"
    df.to_csv(plain, index=False)
    odd = tmp_path / "odd.csv"
    df.rename(columns={"wt": "class", "hp": "weight (1000 lb)", "cyl": "type"}).to_csv(odd, index=False)
    a = _spec(tmp_path, plain, "  - name: m\n    family: ols\n    formula: mpg ~ wt + hp\n"
                               "    se: {type: cluster, cluster: cyl}\n")
    b = tmp_path / "b.yaml"
    b.write_text(f"data: {odd}\nmodels:\n  - name: m\n    family: ols\n"
                 "    formula: 'mpg ~ class + `weight (1000 lb)`'\n    se: {type: cluster, cluster: type}\n",
                 encoding="utf-8")
    code, out_a, err = cli("model", "--spec", a, "--format", "json")
    assert code == 0, err
    code, out_b, err = cli("model", "--spec", b, "--format", "json")
    assert code == 0, err
    ca = json.loads(out_a)["models"][0]["coefficients"]
    cb = json.loads(out_b)["models"][0]["coefficients"]
    assert [c["estimate"] for c in ca] == pytest.approx([c["estimate"] for c in cb], rel=1e-12)
    assert [c["se"] for c in ca] == pytest.approx([c["se"] for c in cb], rel=1e-12)
    assert [c["term"] for c in cb] == ["Intercept", "class", "weight (1000 lb)"] or \
        [c["term"] for c in cb][1:] == ["class", "weight (1000 lb)"]


def test_star_expansion_is_capped(cli, tmp_path):
    f = "mpg ~ " + "*".join(f"x{i}" for i in range(30))
    spec = _spec(tmp_path, ROOT / "tests/reference/data/model_mtcars.csv",
                 f"  - name: m\n    family: ols\n    formula: '{f}'\n")
    code, _, err = cli("model", "--spec", spec)
    assert code == 2 and "crosses 30 variables" in _one_error(err)


def test_markdown_keeps_plain_less_than_signs():
    from avoid_survey.analysis.core.textsafe import markup_safe
    assert markup_safe("* p < .05, p<0.001") == "* p < .05, p<0.001"
    assert markup_safe("<b>x</b> <!-- c -->") == "&lt;b>x&lt;/b> &lt;!-- c -->"


# ------------------------------------------------------------------ nothing to analyse
def _all_missing(tmp_path):
    lines = _clean_lines()
    out = [lines[0]] + [",".join(ln.split(",")[:5] + [""] * (len(ln.split(",")) - 5)) for ln in lines[1:]]
    p = tmp_path / "allmiss.csv"
    p.write_text("\n".join(out) + "\n", encoding="utf-8")
    return p


def test_validate_says_when_no_item_is_answered(cli, tmp_path):
    code, out, err = cli("validate", _all_missing(tmp_path), "--instrument", INST, "--format", "json")
    assert code == 1
    errors = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in errors] == ["no-answers"]


@pytest.mark.parametrize("command", ["reliability", "efa", "cfa", "score"])
@pytest.mark.parametrize("which", ["header_only", "all_missing"])
def test_analyses_refuse_files_with_nothing_to_analyse(cli, tmp_path, command, which):
    p = FIX / "header_only.csv" if which == "header_only" else _all_missing(tmp_path)
    extra = ("--out", tmp_path / "s.csv") if command == "score" else ()
    code, _, err = cli(command, p, "--instrument", INST, *extra)
    assert code == 2
    line = _one_error(err)
    assert ("no data rows" if which == "header_only" else "answers any") in line and "variance" not in line


# ------------------------------------------------------------------ resource caps
@pytest.mark.parametrize("args", [
    ("reliability", str(DATA), "-i", str(INST), "--ci", "bootstrap", "--n-boot", "100000000"),
    ("efa", str(DATA), "-i", str(INST), "--parallel-iterations", "100000"),
    ("sem", str(DATA), "--model", "F =~ p1 + p2 + p3", "--bootstrap", "10000000"),
    ("simulate", "--spec", "x.yaml", "--replicate", "100000000"),
])
def test_unbounded_work_is_capped_with_one_line(cli, args):
    code, out, err = cli(*args)
    assert code == 2
    line = _one_error(err)
    assert "range" in line or "at most" in line


# ------------------------------------------------------------------ numbers that are not estimates
@pytest.mark.parametrize("text,words", [("longstring: .nan", "finite whole number"), ("irv: .inf", "finite number"),
                                        ("mahalanobis_alpha: 5", "between"), ("min_duration: -3", "between"),
                                        ("item_missing: 1e400", "finite number"), ("longstring: 8.5", "whole")])
def test_thresholds_must_be_finite_and_in_range(cli, tmp_path, text, words):
    th = tmp_path / "th.yaml"
    th.write_text("min_items: 6\n" + text + "\n", encoding="utf-8")
    code, _, err = cli("validate", DATA, "--instrument", INST, "--thresholds", th)
    assert code == 2
    line = _one_error(err)
    assert words in line and f"{th}, line 2" in line


def test_infinite_cells_are_refused_naming_row_and_column(cli, tmp_path):
    lines = _clean_lines()
    head = lines[0].split(",")
    j = head.index("p2")
    r = lines[3].split(",")
    r[j] = "inf"
    lines[3] = ",".join(r)
    p = tmp_path / "inf.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli("cfa", p, "--model", "F =~ p1 + p2 + p3 + p4")
    assert code == 2
    line = _one_error(err)
    assert "row 3" in line and "column 'p2'" in line and "not a finite number" in line


def test_efa_on_one_respondent_says_so(cli, tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("\n".join(_clean_lines()[:2]) + "\n", encoding="utf-8")
    code, _, err = cli("efa", p, "--instrument", INST)
    assert code == 2
    line = _one_error(err)
    assert "only 1 respondent" in line and "'p1' and 'p1'" not in line


def test_alpha_with_fewer_respondents_than_items_is_not_reported(cli, tmp_path):
    p = tmp_path / "few.csv"
    p.write_text("\n".join(_clean_lines()[:4]) + "\n", encoding="utf-8")   # 3 respondents
    code, out, err = cli("reliability", p, "--instrument", INST, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    big = [s for s in d["scales"] if s["k"] > 3]
    assert big and all(s["alpha"] is None and s["omega_total"] is None and s["alpha_ci"] == [None, None] for s in big)
    assert any("more respondents than items" in w for w in d["warnings"])


def test_units_of_one_respondent_are_warned_about():
    import numpy as np
    import pandas as pd

    from avoid_survey.analysis.stats.aggregate import aggregate_units
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.stats.scoring import score_frame
    from avoid_survey.instruments import load_instrument
    inst = load_instrument(INST)
    df = read(DATA, inst)
    df["township_id"] = [f"u{i}" for i in range(len(df))]   # every respondent their own unit
    sc = score_frame(df, inst)
    res = aggregate_units(df, sc, inst, "township_id")
    assert any("every unit has a single respondent" in str(w) for w in res.warnings)
    assert all(np.isnan(s["icc1"]) for s in res.stats)


def test_a_perfect_fit_is_flagged_as_r_does(cli, tmp_path):
    import numpy as np
    rng = np.random.default_rng(1)
    x, z = rng.random(30), rng.random(30)
    data = tmp_path / "perfect.csv"
    data.write_text("y,x,z\n" + "\n".join(f"{float(2 * a + 3 * b + 1)!r},{float(a)!r},{float(b)!r}" for a, b in zip(x, z)) + "\n",
                    encoding="utf-8")
    spec = _spec(tmp_path, data, "  - name: m\n    family: ols\n    formula: y ~ x + z\n")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    assert any("essentially perfect fit" in str(w) for w in json.loads(out)["models"][0]["warnings"])
    # an ordinary fit is not flagged
    data.write_text("y,x,z\n" + "\n".join(f"{float(2 * a + 3 * b + e)!r},{float(a)!r},{float(b)!r}" for a, b, e in
                                          zip(x, z, rng.normal(size=30))) + "\n", encoding="utf-8")
    code, out, err = cli("model", "--spec", spec, "--format", "json", "--force")
    assert code == 0 and not any("perfect" in str(w) for w in json.loads(out)["models"][0]["warnings"])


# ------------------------------------------------------------------ bombs and odd files
def _xlsx(path, sheet_xml: bytes, shared: bytes | None = None):
    """A minimal workbook written by hand (so that it can declare anything)."""
    ct = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
          b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
          b'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
          b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
          b'relationships"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return path


def test_an_xlsx_declaring_too_many_rows_is_refused_before_reading(cli, tmp_path):
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><dimension ref="A1:T1500000"/><sheetData><row r="1"><c r="A1" t="inlineStr">'
             b'<is><t>p1</t></is></c></row></sheetData></worksheet>')
    p = _xlsx(tmp_path / "rows.xlsx", sheet)
    code, _, err = cli("validate", p, "--instrument", INST)
    assert code == 2
    line = _one_error(err)
    assert "1,500,000 rows" in line and "AVOID_SURVEY_MAX_XLSX_CELLS" in line


def test_an_xlsx_that_unpacks_too_far_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("AVOID_SURVEY_MAX_UNZIPPED_MB", "2")
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t>x</t></si>" * 400_000 + b"</sst>"
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData/></worksheet>')
    p = _xlsx(tmp_path / "bomb.xlsx", sheet, shared)
    assert p.stat().st_size < 200_000
    code, _, err = cli("reliability", p, "--instrument", INST)
    assert code == 2
    line = _one_error(err)
    assert "unpacks to" in line and "AVOID_SURVEY_MAX_UNZIPPED_MB" in line


@pytest.mark.parametrize("magic,words", [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password-protected"),
                                         (b"PK\x03\x04garbage", "not an Excel workbook")])
def test_encrypted_or_broken_workbooks_are_named_as_such(cli, tmp_path, magic, words):
    p = tmp_path / "book.xlsx"
    p.write_bytes(magic)
    code, _, err = cli("validate", p, "--instrument", INST)
    assert code == 2 and words in _one_error(err) and "BadZipFile" not in err


def test_a_parquet_declaring_too_many_cells_is_refused(cli, tmp_path, monkeypatch):
    import pandas as pd
    p = tmp_path / "d.parquet"
    pd.read_csv(DATA).to_parquet(p)
    monkeypatch.setenv("AVOID_SURVEY_MAX_CELLS", "100")
    code, _, err = cli("reliability", p, "--instrument", INST)
    assert code == 2 and "AVOID_SURVEY_MAX_CELLS" in _one_error(err)


def test_nested_parquet_columns_become_text(cli, tmp_path):
    import pandas as pd
    df = pd.read_csv(DATA)
    df["tags"] = [[1, 2]] * len(df)
    df["meta"] = [{"a": 1}] * len(df)
    p = tmp_path / "nested.parquet"
    df.to_parquet(p)
    for ext in ("xlsx", "csv"):
        code, _, err = cli("validate", p, "--instrument", INST, "--clean", tmp_path / f"c.{ext}")
        assert code in (0, 1) and "lists or records" in err and "internal error" not in err
    assert "[1, 2]" in (tmp_path / "c.csv").read_text(encoding="utf-8-sig")


def test_a_long_field_is_reported_on_its_own_row(cli, tmp_path):
    lines = _clean_lines()
    r = lines[2].split(",")
    r[0] = "x" * 2_100_000
    lines[2] = ",".join(r)
    p = tmp_path / "long.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = cli("validate", p, "--instrument", INST)
    assert code == 2
    line = _one_error(err)
    assert "row 2" in line and "longer than" in line


def test_infinite_scale_bounds_are_refused_by_the_schema(cli, tmp_path):
    p = tmp_path / "i.yaml"
    p.write_text(INST.read_text(encoding="utf-8").replace("max: 5", "max: 1e400", 1), encoding="utf-8")
    code, _, err = cli("reliability", DATA, "--instrument", p)
    assert code == 2 and "finite number" in _one_error(err)


@pytest.mark.parametrize("value,words", [("1e300", "less than or equal"), (".inf", "finite")])
def test_absurd_study_parameters_are_refused(cli, tmp_path, value, words):
    src = (ROOT / "sample_data" / "study.yaml").read_text(encoding="utf-8")
    bad = src.replace("veto_indicators_n: {dist: poisson, lambda: 4}", f"veto_indicators_n: {{dist: poisson, lambda: {value}}}")
    assert bad != src
    spec = ROOT / "sample_data" / f".bad_study_{abs(hash(value))}.yaml"   # relative paths inside resolve here
    spec.write_text(bad, encoding="utf-8")
    try:
        code, _, err = cli("simulate", "--spec", spec, "--out", tmp_path / "o.csv")
    finally:
        spec.unlink()
    assert code == 2 and words in _one_error(err)


def test_a_report_with_every_analysis_skipped_is_an_error(cli, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = cli("report", "--template", "h1_h2_pressure_trust", "--data", DATA, "--out", out)
    assert code == 2
    assert "nothing to report" in _one_error(err)
    assert not out.exists()


def test_one_respondent_gets_one_warning_per_scale_not_per_item(cli, tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("\n".join(_clean_lines()[:2]) + "\n", encoding="utf-8")
    code, out, err = cli("reliability", p, "--instrument", INST, "--format", "json", "--lang", "en")
    assert code == 0, err
    warnings = json.loads(out)["warnings"]
    assert not any("has no variance" in w for w in warnings)
    assert sum("fewer than 2 respondents" in w for w in warnings) == len(json.loads(out)["scales"])


def test_formula_escaping_leaves_numbers_in_text_columns_alone():
    import pandas as pd

    from avoid_survey.analysis.io.write import _spreadsheet_safe
    df = pd.DataFrame({"a": ["=1+1", "-1.5", "+x", None, 3, "@a", "ok", "-inf"],
                       "b": pd.Series([1, -2, 3, 4, 5, 6, 7, 8], dtype=object)})
    out = _spreadsheet_safe(df)
    assert out["a"].tolist() == ["'=1+1", "-1.5", "'+x", None, 3, "'@a", "ok", "-inf"]
    assert out["b"].tolist() == [1, -2, 3, 4, 5, 6, 7, 8]
