"""Word (.docx) and Excel (.xlsx) renderers of the table model.

Word tables are three-line tables (三线表, APA style): a heavy rule above the header, a
thin rule under it, a heavy rule under the last row, no vertical lines; the title stands
above the table and the notes below, in Times New Roman (Latin) and SimSun (Chinese).
Excel gets one sheet per table with numbers kept as numbers.
"""
from __future__ import annotations

import io
import math
import re

from ..core.table import Cell, Table, fmt_number
from ..core.textsafe import strip_control

__all__ = ["tables_to_docx", "tables_to_xlsx", "add_table_to_document", "set_document_fonts", "landscape_if_wide",
           "TABLE_STYLES"]

LATIN_FONT = "Times New Roman"
CJK_FONT = "SimSun"          # the English name of 宋体; the report's Chinese-journal style writes 宋体
CJK_FONT_CN = "宋体"
# table styles of the report: "plain" (the --format docx of a command: bold title above,
# notes below), "apa" (APA 7: "Table 1" in bold, the title in italics on the next line,
# notes after "Note."), "cn" (Chinese journals: "表1 标题" centred above, 五号 text, notes after "注：")
TABLE_STYLES = ("plain", "apa", "cn")


# ---------------------------------------------------------------- Word
def _set_fonts(style, latin: str, cjk: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), cjk)


def set_document_fonts(doc, size_pt: float = 10.5, cjk: str = CJK_FONT) -> None:
    """Times New Roman for Latin text and ``cjk`` (宋体) for Chinese, in the body text and
    in the headings and title (whose theme fonts Word would otherwise use)."""
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size_pt)
    _set_fonts(style, LATIN_FONT, cjk)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        try:
            st = doc.styles[name]
        except KeyError:  # pragma: no cover - python-docx's default template has them
            continue
        st.font.name = LATIN_FONT
        _set_fonts(st, LATIN_FONT, cjk)


def _border_el(tag: str, val: str, sz: int = 0):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(f"w:{tag}")
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(sz))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _set_table_borders(table) -> None:
    """Table-level borders: heavy top and bottom rules, nothing else."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    borders.append(_border_el("top", "single", 12))
    borders.append(_border_el("left", "nil"))
    borders.append(_border_el("bottom", "single", 12))
    borders.append(_border_el("right", "nil"))
    borders.append(_border_el("insideH", "nil"))
    borders.append(_border_el("insideV", "nil"))
    tbl_pr.append(borders)


def _set_cell_bottom(cell, sz: int = 6) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    b = tc_pr.find(qn("w:tcBorders"))
    if b is None:
        b = OxmlElement("w:tcBorders")
        tc_pr.append(b)
    b.append(_border_el("bottom", "single", sz))


def _usable_width(doc):
    sec = doc.sections[-1]
    return sec.page_width - sec.left_margin - sec.right_margin


def _set_widths(doc, table, t: Table, body, lang) -> None:
    """Give the label column the room it needs and share the rest by content length
    (Word and LibreOffice otherwise split the width evenly)."""
    ncols = len(t.columns)
    lens = []
    for j, c in enumerate(t.columns):
        longest = max([len(c.text(lang))] + [len(r[j]) for r in body[:300]] or [1])
        lens.append(min(max(longest, 4), 40 if j == 0 else 14))
    total = sum(lens)
    width = _usable_width(doc)
    table.autofit = False
    for j, col in enumerate(table.columns):
        w = int(width * lens[j] / total)
        col.width = w
        for cell in col.cells:
            cell.width = w


def landscape_if_wide(doc, tables) -> None:
    """Turn the page to landscape when a table has more than seven columns."""
    from docx.enum.section import WD_ORIENT

    if any(len(t.columns) > 7 for t in tables):
        sec = doc.sections[-1]
        if sec.orientation != WD_ORIENT.LANDSCAPE:
            sec.orientation = WD_ORIENT.LANDSCAPE
            sec.page_width, sec.page_height = sec.page_height, sec.page_width


def _cell_text(cell, text: str, *, bold=False, italic=False, align=None, size=None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(strip_control(text))
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _caption(doc, t: Table, lang: str, style: str, number) -> None:
    """The table's caption above it, as the style has it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from ..core.i18n import tr

    if style == "apa" and number is not None:
        r = doc.add_paragraph().add_run(strip_control(tr("rnd_table_number", lang).format(n=number)))
        r.bold = True
        p = doc.add_paragraph()
        p.add_run(strip_control(t.title_text(lang))).italic = True
    elif style == "cn" and number is not None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(strip_control(tr("rnd_table_number_cn", lang).format(n=number, title=t.title_text(lang)))).bold = True
    else:
        doc.add_paragraph().add_run(strip_control(t.title_text(lang))).bold = True


_NOTE_LEAD = re.compile(r"^\s*(Note[.:]|注[：:.])\s*")


def _notes(doc, t: Table, lang: str, style: str) -> None:
    from docx.shared import Pt

    from ..core.i18n import tr

    for k, n in enumerate(t.notes_text(lang)):
        p = doc.add_paragraph()
        if k == 0 and style in ("apa", "cn"):
            n = _NOTE_LEAD.sub("", n, count=1)      # a note that starts "Note:" / "注：" gets the style's lead
            lead = p.add_run(tr("rnd_note_apa" if style == "apa" else "rnd_note_cn", lang))
            lead.italic = style == "apa"
            lead.font.size = Pt(9)
        run = p.add_run(strip_control(n))
        run.font.size = Pt(9)


def add_table_to_document(doc, t: Table, lang: str = "en", decimals: int = 3, style: str = "plain",
                          number: int | None = None) -> None:
    """Append caption, three-line table and notes to a python-docx Document (``style`` one
    of :data:`TABLE_STYLES`; ``number`` the table's number in the document)."""
    _caption(doc, t, lang, style, number)
    groups = t.column_groups(lang)
    has_groups = any(g for g, _ in groups)
    ncols = len(t.columns)
    body = [[fmt_number(t.cell(i, j), decimals, lang) for j in range(ncols)] for i in range(len(t.rows))]
    n_sections = sum(1 for i in range(len(body)) if i in t.row_sections)
    nrows = 1 + int(has_groups) + len(body) + n_sections
    table = doc.add_table(rows=nrows, cols=ncols)
    table.style = None
    _set_table_borders(table)
    # python-docx's table.cell(r, c) rebuilds the cell grid on every call; take each row's
    # cells once so large tables stay linear
    rows = table.rows
    _set_widths(doc, table, t, body, lang)
    ri = 0
    if has_groups:
        cells = rows[ri].cells
        col = 0
        for g, span in groups:
            cell = cells[col]
            if span > 1:
                cell = cell.merge(cells[col + span - 1])
            _cell_text(cell, g, align="center")
            if g:
                _set_cell_bottom(cell, 4)
            col += span
        ri += 1
    cells = rows[ri].cells
    for j, c in enumerate(t.columns):
        _cell_text(cells[j], c.text(lang), align=None if j == 0 else "center")
        _set_cell_bottom(cells[j], 6)
    ri += 1
    from ..core.table import label
    for i, row in enumerate(body):
        if i in t.row_sections:
            cells = rows[ri].cells
            cell = cells[0].merge(cells[ncols - 1]) if ncols > 1 else cells[0]
            _cell_text(cell, label(t.row_sections[i], lang), italic=True)
            ri += 1
        cells = rows[ri].cells
        for j, text in enumerate(row):
            _cell_text(cells[j], text, align=None if j == 0 or t.columns[j].kind == "text" else "right",
                       size=9 if ncols > 7 or style == "cn" else None)
        ri += 1
    _notes(doc, t, lang, style)
    doc.add_paragraph()


def tables_to_docx(tables: list[Table], lang: str = "en", decimals: int = 3) -> bytes:
    from docx import Document

    doc = Document()
    set_document_fonts(doc)
    landscape_if_wide(doc, tables)
    for t in tables:
        add_table_to_document(doc, t, lang, decimals)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- Excel
_SHEET_BAD = re.compile(r"[\[\]\*\?/\\:]")


def _sheet_name(name: str, used: set) -> str:
    base = _SHEET_BAD.sub("_", name or "table")[:28] or "table"
    s, k = base, 2
    while s.lower() in used:
        s = f"{base[:26]}_{k}"
        k += 1
    used.add(s.lower())
    return s


def _xl_value(c: Cell, decimals: int, lang: str):
    v = c.value
    if c.kind == "ci":
        return fmt_number(c, decimals, lang)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return v
    if v is None or (isinstance(v, float)):
        return None
    return str(v)


def _put(ws, row: int, column: int, value):
    """Write one cell; text is stored as a text cell (never a formula), without the control
    characters XML cannot hold."""
    if isinstance(value, str):
        value = strip_control(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
def _xl_number_format(c: Cell, decimals: int) -> str:
    """The Excel number format that shows a cell as the other formats do while the value
    stays a number: stars after an estimate (``0.000"**"``), a standard error in
    parentheses, a share as a percent, a p value with its decimals."""
    d = c.decimals if c.decimals is not None else decimals
    if c.kind == "int" or (isinstance(c.value, int) and c.kind in ("num", "stat")):
        return "0"
    base = "0." + "0" * d if d > 0 else "0"
    if c.kind == "pct":
        return "0.0%"
    if c.kind == "se":
        return f'"("{base}")"'
    if c.kind == "est" and c.stars:
        return f'{base}"{c.stars}"'
    return base


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def tables_to_xlsx(tables: list[Table], lang: str = "en", decimals: int = 3) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    thick, thin = Side(style="medium"), Side(style="thin")
    for t in tables:
        ws = wb.create_sheet(_sheet_name(t.name or t.title_text(lang), used))
        _put(ws, 1, 1, t.title_text(lang)).font = Font(bold=True)
        r = 2
        groups = t.column_groups(lang)
        if any(g for g, _ in groups):
            col = 1
            for g, span in groups:
                _put(ws, r, col, g or None).alignment = Alignment(horizontal="center")
                if span > 1:
                    ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
                col += span
            r += 1
        for j, c in enumerate(t.columns, 1):
            cell = _put(ws, r, j, c.text(lang))
            cell.font = Font(bold=True)
            cell.border = Border(top=thick, bottom=thin)
        r += 1
        first_body = r
        for i in range(len(t.rows)):
            if i in t.row_sections:
                from ..core.table import label
                _put(ws, r, 1, label(t.row_sections[i], lang)).font = Font(italic=True)
                r += 1
            for j in range(len(t.columns)):
                c = t.cell(i, j)
                val = _xl_value(c, decimals, lang)
                cell = _put(ws, r, j + 1, val)  # text stays text: never a formula
                if isinstance(val, (int, float)) and not isinstance(val, bool):
                    cell.number_format = _xl_number_format(c, decimals)
            r += 1
        if r > first_body:
            for j in range(1, len(t.columns) + 1):
                ws.cell(row=r - 1, column=j).border = Border(bottom=thick)
        for n in t.notes_text(lang):
            _put(ws, r, 1, n).font = Font(italic=True, size=9)
            r += 1
        for j, c in enumerate(t.columns, 1):
            width = max([len(c.text(lang))] + [len(fmt_number(t.cell(i, j - 1), decimals, lang)) for i in range(min(len(t.rows), 200))])
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(60, max(8, width + 2))
    if not wb.sheetnames:
        wb.create_sheet("empty")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
