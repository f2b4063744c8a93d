"""`instruments export`: codebook, data-entry template and printable questionnaire."""
import csv
import io
import re

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.instruments import load_instrument
from avoid_survey.instruments.export import (codebook, codebook_records, export_instrument, infer_kind,
                                             questionnaire_plan, template_columns)

CORE = "blame-avoidance-core"


@pytest.fixture(scope="module")
def core():
    return load_instrument(CORE)


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel in China opens it
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


# ---------------------------------------------------------------- codebook
def test_codebook_csv_one_row_per_item_variable_and_check(cli, tmp_path, core):
    out = tmp_path / "codebook.csv"
    code, _, err = cli("instruments", "export", CORE, "--to", out)
    assert code == 0 and "编码手册" in err and "共 97 行" in err     # the summary follows --lang (zh by default)
    rows = _read_csv(out)
    assert [r["variable"] for r in rows] == core.columns()
    kinds = [r["kind"] for r in rows]
    assert kinds.count("item") == len(core.items) == 78
    assert kinds.count("variable") == len(core.variables) == 17
    assert kinds.count("attention_check") == 2
    by = {r["variable"]: r for r in rows}
    gen4 = core.item("ap_gen4")
    assert by["ap_gen4"]["reverse"] == "TRUE" and by["ap_gen1"]["reverse"] == "FALSE"
    assert (by["ap_gen4"]["text_zh"], by["ap_gen4"]["text_en"]) == (gen4.text["zh"], gen4.text["en"])
    assert (by["ap_gen4"]["scale"], by["ap_gen4"]["facet"]) == ("accountability_pressure", "ap_generalised")
    assert by["ap_gen4"]["codes"] == "1..5"
    assert by["ap_gen4"]["labels_zh"] == "1=非常不同意; 2=不同意; 3=一般/说不清; 4=同意; 5=非常同意"
    assert by["pa_sym1"]["labels_en"] == "1=Never; 2=Rarely; 3=Sometimes; 4=Often; 5=Always"
    assert by["pa_sym1"]["referent_zh"] == core.item("pa_sym1").referent["zh"]
    assert (by["att1"]["expected"], by["att1"]["after"]) == ("2", "ap_insp2")
    assert by["rank"]["labels_zh"] == "1=科员及以下; 2=副科; 3=正科; 4=副处及以上"
    assert by["gender"]["reverse"] == "" and by["township_id"]["role"] == "cluster"


def test_codebook_md_and_table(tmp_path, core):
    out = tmp_path / "codebook.md"
    res = export_instrument(CORE, out, lang="en")
    assert (res.kind, res.format, res.n_rows) == ("codebook", "md", 97)
    text = out.read_text(encoding="utf-8")
    body = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| Variable")]
    assert len(body) == 97
    assert any(ln.startswith("| ap_gen4 | accountability_pressure | ap_generalised |") and ln.endswith("| yes |")
               for ln in body)
    t = codebook(core, "zh")
    assert len(t.rows) == len(codebook_records(core)) == 97


def test_unit_questionnaire_codebook(tmp_path):
    rows = codebook_records(load_instrument("unit-questionnaire"))
    assert [r["variable"] for r in rows][:3] == ["township_id", "county_id", "unit_type"]
    assert all(r["level"] == "unit" for r in rows)
    assert {r["variable"]: r["codes"] for r in rows}["hard_target_share"] == "0..1"


# ---------------------------------------------------------------- template
def test_template_xlsx_columns_validation_and_codebook_sheet(cli, tmp_path, core):
    from openpyxl import load_workbook

    out = tmp_path / "template.xlsx"
    code, _, err = cli("instruments", "export", CORE, "--to", out)
    assert code == 0 and "数据录入模板" in err
    wb = load_workbook(out)
    assert wb.sheetnames == ["data", "codebook"]
    ws = wb["data"]
    assert [c.value for c in ws[1]] == core.columns() == template_columns(core)
    assert ws.max_row == 1
    rules = {str(d.sqref).split(":")[0]: d for d in ws.data_validations.dataValidation}
    col = {c.value: c.column_letter for c in ws[1]}
    lik = rules[col["ap_gen1"] + "2"]
    assert (lik.type, lik.formula1, lik.formula2) == ("whole", "1", "5")
    assert rules[col["rank"] + "2"].formula1 == '"1,2,3,4"'
    assert rules[col["party_member"] + "2"].formula1 == '"0,1"'
    assert col["respondent_id"] + "2" not in rules
    cb = wb["codebook"]
    assert cb.max_row == 1 + 97
    assert [c.value for c in cb[1]][:5] == ["variable", "kind", "module", "scale", "facet"]


def test_template_csv_with_kind(cli, tmp_path, core):
    out = tmp_path / "template.csv"
    code, _, _ = cli("instruments", "export", CORE, "--to", out, "--kind", "template")
    assert code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [core.columns()]


# ---------------------------------------------------------------- questionnaire
def _docx_text(path):
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return doc, "\n".join(parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_questionnaire_contains_every_item(cli, tmp_path, core, lang):
    out = tmp_path / f"q_{lang}.docx"
    code, _, err = cli("instruments", "export", CORE, "--to", out, "--lang", lang)
    assert code == 0 and ("95 questions" if lang == "en" else "共 95 题") in err
    doc, text = _docx_text(out)
    for it in core.items:
        assert it.text[lang] in text, it.id
    for a in core.attention_checks:
        assert a.text[lang] in text
    for v in core.variables:
        if v.text:
            assert v.text[lang] in text, v.id
    assert core.title[lang] in text and core.instructions[lang].split()[0] in text
    # scale and facet names are not shown to respondents (no heading, paragraph or cell is one)
    shown = set(text.split("\n"))
    for s in core.all_scales():
        assert s.label[lang] not in shown, s.id
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-1] == ("基本情况" if lang == "zh" else "Background information")
    grid = doc.tables[0]
    assert len(grid.columns) == 7
    assert grid.rows[0].cells[2].text == ("1\n非常不同意" if lang == "zh" else "1\nStrongly disagree")
    # the attention check sits right after its item
    first_col = [row.cells[1].text for row in grid.rows]
    k = first_col.index(core.item("ap_insp2").text[lang])
    assert first_col[k + 1] == core.attention_checks[0].text[lang]


def test_referent_wording_questionnaire(tmp_path, core):
    out = tmp_path / "q.md"
    res = export_instrument(CORE, out, kind="questionnaire", lang="zh", wording="referent")
    assert res.wording == "referent"
    text = out.read_text(encoding="utf-8")
    for it in core.items:
        assert (it.referent or it.text)["zh"] in text, it.id
    assert core.item("aa_rep1").text["zh"] not in text  # the self wording is not used
    assert load_instrument("blame-avoidance").referent_instructions["zh"] in text


def test_md_questionnaire_numbering_and_checks(tmp_path, core):
    out = tmp_path / "q.md"
    export_instrument(CORE, out, kind="questionnaire", lang="en")
    text = out.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.*?) \| ○", text, flags=re.M)
    numbers = [int(n) for n, _ in rows]
    assert numbers == list(range(1, 81))  # 78 items + 2 checks in grids, numbered in order
    texts = [t for _, t in rows]
    assert texts[texts.index(core.item("pa_sym2").text["en"]) + 1] == core.attention_checks[1].text["en"]
    assert "81. County (district) where you work" in text
    assert "□ 1 Male　□ 2 Female" in text
    assert "## Part 1" in text and "Ap_generalised" not in text and "Generalised accountability" not in text


def test_html_questionnaire_standalone_with_print_css(cli, tmp_path, core):
    out = tmp_path / "q.html"
    code, _, _ = cli("instruments", "export", CORE, "--to", out, "--lang", "en")
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html and "@media print" in html
    assert "<script" not in html
    import html as h
    for it in core.items:
        assert h.escape(it.text["en"]) in html, it.id
    assert html.count('<td class="opt">○</td>') == 80 * 5


def test_plan_without_optional_modules(core):
    plan = questionnaire_plan(core, "zh", include_optional=False)
    ids = [q.id for s in plan.sections for b in s.blocks for q in b.questions]
    assert "esc_av1" not in ids and "coll3" not in ids and "aa_rep1" in ids and len(ids) == 78 - 9 + 2


def test_unit_questionnaire_prints_all_questions(tmp_path):
    out = tmp_path / "unit.md"
    res = export_instrument("unit-questionnaire", out, kind="questionnaire")
    assert res.n_rows == 12
    text = out.read_text(encoding="utf-8")
    assert "□ 1 乡镇" in text and "12. " in text


# ---------------------------------------------------------------- safety and choices
def test_no_overwrite_without_force(cli, tmp_path):
    out = tmp_path / "q.docx"
    assert cli("instruments", "export", "dispositions", "--to", out)[0] == 0
    before = out.read_bytes()
    code, _, err = cli("instruments", "export", "dispositions", "--to", out, "--lang", "en")
    assert code == 2 and "pass --force" in err and err.count("\n") == 1
    assert out.read_bytes() == before
    code, _, _ = cli("instruments", "export", "dispositions", "--to", out, "--lang", "en", "--force")
    assert code == 0 and out.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.docx"]  # no temporary files left


@pytest.mark.parametrize("args, fragment", [
    (["--to", "q.csv", "--kind", "questionnaire"], "a questionnaire can be written as .md, .html, .htm, .docx, not '.csv'"),
    (["--to", "t.md", "--kind", "template"], "a template can be written as .csv, .xlsx, not '.md'"),
    (["--to", "x.txt"], "cannot tell what to export from the extension '.txt'"),
    (["--to", "q.html", "--wording", "referent"], "instrument 'dispositions' has no referent-shift wording"),
])
def test_bad_export_choices(cli, tmp_path, args, fragment):
    args = [str(tmp_path / a) if a.endswith((".csv", ".md", ".txt", ".html")) else a for a in args]
    code, out, err = cli("instruments", "export", "dispositions", *args)
    assert code == 2 and fragment in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_infer_kind():
    assert infer_kind("a.csv") == ("codebook", ".csv")
    assert infer_kind("a.MD") == ("codebook", ".md")
    assert infer_kind("a.xlsx") == ("template", ".xlsx")
    assert infer_kind("a.docx") == ("questionnaire", ".docx")
    assert infer_kind("a.xlsx", "codebook") == ("codebook", ".xlsx")
    with pytest.raises(AvoidSurveyError, match="unknown export kind"):
        infer_kind("a.csv", "poster")


def test_user_instrument_exports_like_bundled(tmp_path, core):
    import shutil
    p = tmp_path / "mine.yaml"
    shutil.copy(load_instrument("blame-avoidance").source, p)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    export_instrument(p, a)
    export_instrument("blame-avoidance", b)
    assert a.read_bytes() == b.read_bytes()
