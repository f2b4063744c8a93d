"""`avoid-survey report`: one document from a spec on the sample study, in HTML and Word."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample_data" / "responses.csv"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from avoid_survey.cli.main import run

    d = tmp_path_factory.mktemp("rep")
    codes = {}
    for name, extra in (("r.html", ["--lang", "en"]), ("r.docx", []), ("r_apa.docx", ["--lang", "en", "--style", "apa"])):
        codes[name] = run(["report", "--template", "h1_h2_pressure_trust", "--data", str(DATA),
                           "--out", str(d / name), *extra])
    return d, codes


def test_html_report_has_every_section_and_figures(reports):
    d, codes = reports
    assert codes["r.html"] == 0
    html = (d / "r.html").read_text(encoding="utf-8")
    for heading in ("1. Data and validation", "2. Descriptive statistics", "3. Reliability",
                    "4. Confirmatory factor analysis", "5. Regression models", "6. Results in words", "7. Figures",
                    "8. Methods"):
        assert heading in html
    assert "could not be built" not in html
    assert html.count("data:image/png;base64,") == 4           # coefficients, slopes, CFA paths, distribution
    assert "Cronbach" in html and "lavaan::cfa" in html and "clustered" in html.lower()


def test_docx_report_three_line_tables_and_pictures(reports):
    from docx import Document
    from docx.oxml.ns import qn

    d, codes = reports
    assert codes["r.docx"] == 0
    doc = Document(d / "r.docx")
    assert len(doc.tables) >= 6
    for tbl in doc.tables:
        b = {el.tag.split("}")[1]: el.get(qn("w:val")) for el in tbl._tbl.tblPr.find(qn("w:tblBorders"))}
        assert b["top"] == "single" and b["bottom"] == "single" and b["insideV"] == "nil" and b["left"] == "nil"
    assert len(doc.inline_shapes) == 4
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "8. 方法说明" in text and "列表删除" in text
    # the report defaults to Chinese, as every other command does
    assert "6. 结果解读" in text and "（Hu & Bentler, 1999）" in text


def _tables_and_captions(path):
    """(table, the caption paragraphs just above it, the paragraphs just below it)."""
    from docx import Document
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    doc = Document(path)
    body = list(doc.element.body.iterchildren())
    out = []
    for k, el in enumerate(body):
        if el.tag.endswith("}tbl"):
            above = [Paragraph(x, doc) for x in body[max(0, k - 2):k] if x.tag.endswith("}p")]
            below = [Paragraph(x, doc) for x in body[k + 1:k + 3] if x.tag.endswith("}p")]
            out.append((DocxTable(el, doc), above, below))
    return doc, out


def _three_line(tbl):
    from docx.oxml.ns import qn

    b = {el.tag.split("}")[1]: el.get(qn("w:val")) for el in tbl._tbl.tblPr.find(qn("w:tblBorders"))}
    assert b == {"top": "single", "left": "nil", "bottom": "single", "right": "nil", "insideH": "nil", "insideV": "nil"}
    def bottom(c):
        pr = c._tc.tcPr
        borders = pr.find(qn("w:tcBorders")) if pr is not None else None
        return borders.find(qn("w:bottom")) if borders is not None else None

    # the column-heading row (below a row of column-group headings, when the table has one)
    # is underlined in every cell
    header = next((r for r in tbl.rows if all(bottom(c) is not None for c in r.cells)), None)
    assert header is not None
    assert all(bottom(c).get(qn("w:val")) == "single" for c in header.cells)


def test_docx_report_holds_every_table_numbered_in_the_chinese_journal_style(reports):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    d, codes = reports
    doc, tables = _tables_and_captions(d / "r.docx")
    # sample profile, descriptives, correlations, reliability (scales, items, frequencies), CFA, models ...
    assert len(tables) >= 14
    for k, (tbl, above, below) in enumerate(tables, 1):
        _three_line(tbl)
        cap = above[-1]
        assert cap.text.startswith(f"表{k}  ") and cap.alignment == WD_ALIGN_PARAGRAPH.CENTER and cap.runs[0].bold
    captions = [above[-1].text for _, above, _ in tables]
    assert any("样本基本特征" in c for c in captions) and any("条目统计" in c for c in captions)
    notes = [p.text for _, _, below in tables for p in below if p.text.startswith("注")]
    assert notes and not any(n.startswith("注：注") for n in notes)
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:ascii")) == "Times New Roman"
    heading = doc.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "宋体"


def test_docx_report_apa_style(reports):
    d, codes = reports
    assert codes["r_apa.docx"] == 0
    doc, tables = _tables_and_captions(d / "r_apa.docx")
    assert len(tables) >= 14
    for k, (tbl, above, below) in enumerate(tables, 1):
        _three_line(tbl)
        number, title = above[-2], above[-1]
        assert number.text == f"Table {k}" and number.runs[0].bold
        assert title.runs[0].italic and not title.text.startswith("Table")
    leads = [below[0].runs[0] for _, _, below in tables if below and below[0].text.startswith("Note.")]
    assert leads and all(r.italic and r.text == "Note. " for r in leads)
    assert not any(p.text.startswith("Note. Note") for _, _, below in tables for p in below)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "6. Results in words" in text and "(Hu & Bentler, 1999)" in text


def test_report_style_is_checked(cli, tmp_path):
    code, out, err = cli("report", "--template", "h1_h2_pressure_trust", "--data", DATA, "--out", tmp_path / "r.docx",
                         "--style", "mla")
    assert code == 2 and "mla" in err


def test_report_refuses_to_overwrite(reports, cli):
    d, _ = reports
    before = (d / "r.html").read_bytes()
    code, out, err = cli("report", "--template", "h1_h2_pressure_trust", "--data", DATA, "--out", d / "r.html")
    assert code == 2 and "--force" in err and len(err.strip().splitlines()) == 1
    assert (d / "r.html").read_bytes() == before


def test_report_bad_extension(cli, tmp_path):
    code, out, err = cli("report", "--template", "h1_h2_pressure_trust", "--data", DATA, "--out", tmp_path / "r.pdf")
    assert code == 2 and "unsupported report type" in err


_LIBS = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "factor_analyzer", "sklearn")
_SCRIPT = """
import json, sys, tempfile
from avoid_survey.analysis.stats.models.templates import resolve_spec_source
from avoid_survey.analysis.report import build_report
spec, template = sys.argv[1] or None, sys.argv[2] or None
src, _, _ = resolve_spec_source(spec, template, sys.argv[3] if template else None)
with tempfile.TemporaryDirectory() as td:
    r = build_report(src, lang="en", figure_dir=td)
loaded = [m for m in json.loads(sys.argv[4]) if m in sys.modules]
print(json.dumps({"software": r.software, "loaded": loaded, "sections": r.sections}))
"""


@pytest.mark.parametrize("spec,template", [("", "h1_h2_pressure_trust"),
                                           (str(ROOT / "sample_data" / "specs" / "logit_ordinal.yaml"), "")])
def test_methods_paragraph_names_only_the_software_that_ran(spec, template):
    """In a fresh process, the libraries the methods paragraph names are exactly the
    analysis libraries the report imported (OLS models need neither scipy nor statsmodels;
    logit and ordinal models run on statsmodels and scipy)."""
    import json
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", _SCRIPT, spec, template, str(DATA), json.dumps(_LIBS)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert all(v == "ok" for v in r["sections"].values())
    named = [k for k in r["software"] if k not in ("avoid-survey", "python")]
    assert sorted(named) == sorted(r["loaded"])
    assert "factor-analyzer" not in named and "sklearn" not in named
    if template:
        assert "statsmodels" not in named and "scipy" not in named
    else:
        assert "statsmodels" in named


def test_methods_text_lists_the_given_libraries_with_versions():
    from avoid_survey.analysis.report import _methods_text

    v = {"avoid-survey": "1.0", "python": "3.11.2", "numpy": "2.0", "pandas": "2.2"}
    en = _methods_text("en", v, ["numpy", "pandas"], None, 10, 0.8, False)
    assert en.startswith("Analyses used avoid-survey 1.0 (Python 3.11.2; numpy 2.0, pandas 2.2).")
    zh = _methods_text("zh", v, [], None, 10, 0.8, True)
    assert zh.startswith("分析使用 avoid-survey 1.0（Python 3.11.2）。") and "列表删除" in zh
