"""The printable questionnaire of an instrument (``.md``, ``.html``, ``.docx``).

:func:`questionnaire_plan` decides what is printed, in order, whatever the file format:
title, instructions, one numbered part per block of scales with the response scale as a
grid, attention checks after their ``after`` item, and the background questions, in
``lang`` zh or en and ``wording`` self or referent. Scale and facet names are not shown
to respondents (they would cue socially desirable answers on a sensitive topic). One
writer per format renders the plan.
"""
from __future__ import annotations

import html as _html
import io
from dataclasses import dataclass, field
from itertools import count

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.i18n import text_in, tr
from avoid_survey.analysis.core.textsafe import markup_safe

from .codebook import has_referent, num
from .model import AttentionCheck, Instrument, ResponseFormat

__all__ = ["Question", "Block", "Section", "Plan", "questionnaire_plan", "questionnaire_md", "questionnaire_html",
           "questionnaire_docx"]

_CN_NUM = "一二三四五六七八九十"


# ================================================================ the plan
@dataclass(frozen=True)
class Question:
    number: int
    id: str
    text: str
    kind: str                 # item | check | variable
    response: ResponseFormat


@dataclass
class Block:
    """Consecutive questions sharing one response scale: printed as one grid."""
    response: ResponseFormat
    questions: list = field(default_factory=list)
    optional: bool = False


@dataclass
class Section:
    title: str
    instructions: str
    blocks: list = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    title: str
    instructions: str
    sections: list
    background: Section | None
    citation: str
    version: str
    licence: str
    lang: str
    wording: str

    @property
    def all_sections(self) -> list[Section]:
        """The parts, then the background section."""
        return [*self.sections, *([self.background] if self.background else [])]

    @property
    def n_questions(self) -> int:
        return sum(len(b.questions) for s in self.all_sections for b in s.blocks)


def _part_title(n: int, lang: str) -> str:
    return tr("inst_q_part", lang).format(n=n, cn=_CN_NUM[n - 1] if n <= 10 else n)


def _same_scale(a: ResponseFormat, b: ResponseFormat) -> bool:
    return a.type == b.type and a.min == b.min and a.max == b.max and a.labels == b.labels


def questionnaire_plan(inst: Instrument, lang: str = "zh", wording: str = "self", *,
                       include_optional: bool = True, order: str = "file") -> Plan:
    """What a printed questionnaire shows, in order, independent of the file format.

    Scales are grouped into parts by the instrument file they come from (each included
    module is one part, with its own instructions); attention checks follow the item named
    by their ``after`` (or close the last part); variables with a question text make the
    background section. ``order``: ``file`` (scales and facets as in the file) or
    ``interleaved`` (each module's facets mixed, within a response format: less construct
    cueing and consistency motif; put mediators before outcomes by the include order).
    With the referent wording, items take the instrument's ``referent_response`` format.
    """
    if order not in ("file", "interleaved"):
        raise AvoidSurveyError(f"unknown order '{order}' (use file or interleaved)")
    if wording not in ("self", "referent"):
        raise AvoidSurveyError(f"unknown wording '{wording}' (use self or referent)")
    if wording == "referent" and not has_referent(inst):
        raise AvoidSurveyError(f"instrument '{inst.id}' has no referent-shift wording; use --wording self")
    checks_after: dict[str, list[AttentionCheck]] = {}
    loose: list[AttentionCheck] = []
    item_ids = {i.id for i in inst.items}
    for a in inst.attention_checks:
        (checks_after.setdefault(a.after, []) if a.after in item_ids else loose).append(a)

    number = count(1)
    sections = _scale_sections(inst, lang, wording, include_optional, checks_after, number, order)
    if loose:
        if not sections:
            sections.append(Section(_part_title(1, lang), ""))
        for a in loose:
            q = Question(next(number), a.id, text_in(a.text, lang), "check", a.response)
            sections[-1].blocks.append(Block(a.response, [q]))
    background = _background(inst, lang, wording, number)
    return Plan(inst.name(lang), inst.instructions_for(wording, lang), sections, background,
                text_in(inst.citation, lang) if inst.citation else "", inst.version, inst.licence or "", lang,
                wording)


def _module_runs(inst: Instrument, include_optional: bool) -> list[tuple]:
    """(module id, [(scale, item), ...]) in file order, one run per instrument module."""
    runs: list[tuple] = []
    for s in inst.scales:
        if s.optional and not include_optional:
            continue
        if not runs or runs[-1][0] != s.module:
            runs.append((s.module, []))
        runs[-1][1].extend((s, it) for it in s.items)
    return runs


def _interleave(pairs: list, referent: bool) -> list:
    """Items of one module interleaved across facets (round robin: the first item of each facet,
    then the second...), within each response format, so no facet is printed as a block."""
    units: dict = {}
    for s, it in pairs:
        units.setdefault(it.facet or it.scale, []).append((s, it))
    keys: list = []
    for s, it in pairs:
        k = (id(it.response_for(referent)), s.optional)
        if k not in keys:
            keys.append(k)
    out = []
    for k in keys:
        lists = [[p for p in u if (id(p[1].response_for(referent)), p[0].optional) == k] for u in units.values()]
        lists = [lst for lst in lists if lst]
        for j in range(max(len(lst) for lst in lists)):
            out.extend(lst[j] for lst in lists if j < len(lst))
    return out


def _scale_sections(inst: Instrument, lang: str, wording: str, include_optional: bool, checks_after: dict,
                    number, order: str = "file") -> list[Section]:
    """One part per instrument module, its scales' items in grids, checks after their item.

    ``order="interleaved"`` mixes the facets of each module (see :func:`_interleave`)."""
    referent = wording == "referent"
    sections: list[Section] = []
    for module, pairs in _module_runs(inst, include_optional):
        mod = inst.module(module) if module else None
        own = mod is None or mod is inst
        instr = "" if own else mod.instructions_for(wording, lang)
        sec = Section(_part_title(len(sections) + 1, lang), instr)
        sections.append(sec)
        if order == "interleaved":
            pairs = _interleave(pairs, referent)
        block, last_scale = None, None
        for s, it in pairs:
            resp = it.response_for(referent)
            new_scale = order == "file" and s is not last_scale  # file order: one grid per scale at least
            last_scale = s
            if block is None or new_scale or not _same_scale(block.response, resp) or block.optional != s.optional:
                block = Block(resp, optional=s.optional)
                sec.blocks.append(block)
            block.questions.append(Question(next(number), it.id, it.wording(lang, referent=referent), "item", resp))
            for a in checks_after.get(it.id, ()):
                q = Question(next(number), a.id, text_in(a.text, lang), "check", a.response)
                if _same_scale(block.response, a.response):
                    block.questions.append(q)
                else:
                    sec.blocks.append(Block(a.response, [q]))
                    block = Block(resp, optional=s.optional)
                    sec.blocks.append(block)
        sec.blocks = [b for b in sec.blocks if b.questions]
    return sections


def _background(inst: Instrument, lang: str, wording: str, number) -> Section | None:
    """The variables with a question text (the whole questionnaire when there are no scales)."""
    bg_vars = [v for v in inst.variables if v.text and v.role not in ("id", "duration", "weight", "meta")
               and v.level == "individual"] if inst.scales else [v for v in inst.variables if v.text]
    if not bg_vars:
        return None
    mods = [inst.module(v.module) for v in bg_vars if v.module]
    mod = next((m for m in mods if m is not None and m is not inst), None)
    instr = mod.instructions_for(wording, lang) if mod is not None else ""
    title = tr("inst_q_background", lang) if inst.scales else _part_title(1, lang)
    background = Section(title, instr)
    for v in bg_vars:
        q = Question(next(number), v.id, text_in(v.text, lang), "variable", v.response)
        background.blocks.append(Block(v.response, [q]))
    return background


# ================================================================ shared by the writers
def _options(r: ResponseFormat, lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a coded response."""
    if r.type == "boolean" and not r.labels:
        return [("1", tr("inst_q_yes", lang)), ("0", tr("inst_q_no_answer", lang))]
    if r.type == "likert":
        # labelled missing codes (8 = don't know, 9 = not applicable) are printed as extra options
        extra = [c for c in r.missing_codes if c in r.labels and c not in r.codes]
        return [(str(c), r.label(c, lang)) for c in [*r.codes, *extra]]
    return [(num(c), text_in(t, lang)) for c, t in r.labels.items()]


def _is_choice(r: ResponseFormat) -> bool:
    return r.type in ("categorical", "ordinal", "boolean")


def _blank_hint(r: ResponseFormat, lang: str) -> str:
    if r.type == "numeric" and r.min is not None and r.max is not None:
        return tr("inst_q_range", lang).format(lo=num(r.min), hi=num(r.max))
    return ""


def _is_grid(b: Block) -> bool:
    return b.response.type == "likert"


def _footer(plan: Plan) -> str:
    return tr("inst_q_source", plan.lang).format(citation=plan.citation) if plan.citation else ""


# ================================================================ Markdown
def _md(s: str) -> str:
    """Instrument text for a Markdown table cell: markup shown as text, pipes escaped."""
    return markup_safe(s).replace("|", "\\|").replace("\n", " ")


def questionnaire_md(inst: Instrument, lang: str = "zh", wording: str = "self", order: str = "file") -> str:
    plan = questionnaire_plan(inst, lang, wording, order=order)
    m = markup_safe
    out = [f"# {_md(plan.title)}", ""]
    if plan.instructions:
        out += [m(plan.instructions), ""]
    for sec in plan.all_sections:
        out += [f"## {_md(sec.title)}", ""]
        if sec.instructions:
            out += [m(sec.instructions), ""]
        for b in sec.blocks:
            out += _md_grid(b, lang) if _is_grid(b) else _md_list(b, lang)
    out += ["---", "", m(tr("inst_q_thanks", lang)), ""]
    foot = _footer(plan)
    if foot:
        out += [f"*{_md(foot)}*", ""]
    return "\n".join(out)


def _md_grid(b: Block, lang: str) -> list[str]:
    opts = _options(b.response, lang)
    out = [f"| {tr('inst_q_no', lang)} | {tr('inst_q_statement', lang)} | "
           + " | ".join(_md(f"{c} {lab}".strip()) for c, lab in opts) + " |",
           "|---:|:---|" + "|".join(":---:" for _ in opts) + "|"]
    for q in b.questions:
        out.append(f"| {q.number} | {_md(q.text)} | " + " | ".join("○" for _ in opts) + " |")
    out.append("")
    return out


def _md_list(b: Block, lang: str) -> list[str]:
    out = []
    for q in b.questions:
        out.append(f"{q.number}. {markup_safe(q.text)}")
        if _is_choice(b.response):
            out.append("   " + "　".join(markup_safe(f"□ {c} {lab}") for c, lab in _options(b.response, lang)))
        else:
            out.append(f"   ________{markup_safe(_blank_hint(b.response, lang))}")
        out.append("")
    return out


# ================================================================ HTML
_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Times New Roman", "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 11pt;
       line-height: 1.5; color: #000; max-width: 800px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 .8em; }
h2 { font-size: 13pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #000; break-after: avoid; }
p.instr { margin: .3em 0 .8em; }
table.grid { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
table.grid th, table.grid td { border: 1px solid #555; padding: 3px 5px; vertical-align: middle; }
table.grid th { font-weight: normal; font-size: 9.5pt; background: #f2f2f2; }
table.grid td.no { width: 2.5em; text-align: right; }
table.grid td.opt { width: 4.2em; text-align: center; }
table.grid tr { break-inside: avoid; }
ol.bg { list-style: none; padding: 0; }
ol.bg li { margin: .5em 0; break-inside: avoid; }
span.opt { margin-right: 1.5em; white-space: nowrap; }
span.blank { display: inline-block; min-width: 8em; border-bottom: 1px solid #000; }
p.foot { font-size: 9pt; color: #333; margin-top: 2em; }
@media print { body { margin: 0; max-width: none; } table.grid th { background: none; } }
"""


def questionnaire_html(inst: Instrument, lang: str = "zh", wording: str = "self", order: str = "file") -> str:
    e = _html.escape
    plan = questionnaire_plan(inst, lang, wording, order=order)
    out = [f"<h1>{e(plan.title)}</h1>"]
    if plan.instructions:
        out.append(f'<p class="instr">{e(plan.instructions)}</p>')
    for sec in plan.all_sections:
        out.append(f"<section><h2>{e(sec.title)}</h2>")
        if sec.instructions:
            out.append(f'<p class="instr">{e(sec.instructions)}</p>')
        for b in sec.blocks:
            out += _html_grid(b, lang) if _is_grid(b) else _html_list(b, lang)
        out.append("</section>")
    out.append(f"<p>{e(tr('inst_q_thanks', lang))}</p>")
    foot = _footer(plan)
    if foot:
        out.append(f'<p class="foot">{e(foot)}</p>')
    return (f'<!DOCTYPE html>\n<html lang="{tr("inst_q_html_lang", lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(plan.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(out) + "\n</body>\n</html>\n")


def _html_grid(b: Block, lang: str) -> list[str]:
    e = _html.escape
    opts = _options(b.response, lang)
    out = ['<table class="grid"><thead><tr><th></th><th>' + e(tr("inst_q_statement", lang)) + "</th>"
           + "".join(f"<th>{e(c)}<br>{e(lab)}</th>" for c, lab in opts) + "</tr></thead><tbody>"]
    for q in b.questions:
        out.append(f'<tr><td class="no">{q.number}</td><td>{e(q.text)}</td>'
                   + "".join('<td class="opt">○</td>' for _ in opts) + "</tr>")
    out.append("</tbody></table>")
    return out


def _html_list(b: Block, lang: str) -> list[str]:
    e = _html.escape
    out = ['<ol class="bg">']
    for q in b.questions:
        if _is_choice(b.response):
            ans = "".join(f'<span class="opt">□ {e(c)} {e(lab)}</span>' for c, lab in _options(b.response, lang))
        else:
            ans = f'<span class="blank"></span>{e(_blank_hint(b.response, lang))}'
        out.append(f"<li>{q.number}. {e(q.text)}<br>{ans}</li>")
    out.append("</ol>")
    return out


# ================================================================ Word
def questionnaire_docx(inst: Instrument, lang: str = "zh", wording: str = "self", order: str = "file") -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from avoid_survey.analysis.render.office import set_document_fonts

    plan = questionnaire_plan(inst, lang, wording, order=order)
    doc = Document()
    set_document_fonts(doc, 10.5)
    sec0 = doc.sections[0]
    sec0.left_margin = sec0.right_margin = Cm(2)
    sec0.top_margin = sec0.bottom_margin = Cm(2)
    h = doc.add_heading(plan.title, level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if plan.instructions:
        doc.add_paragraph(plan.instructions)
    for sec in plan.all_sections:
        doc.add_heading(sec.title, level=1)
        if sec.instructions:
            doc.add_paragraph(sec.instructions)
        for b in sec.blocks:
            if _is_grid(b):
                _docx_grid(doc, b, lang)
            else:
                _docx_list(doc, b, lang)
    doc.add_paragraph(tr("inst_q_thanks", lang))
    foot = _footer(plan)
    if foot:
        p = doc.add_paragraph()
        run = p.add_run(foot)
        run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_grid(doc, b: Block, lang: str) -> None:
    """A grid: number, statement, one column per answer code; fixed widths."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    opts = _options(b.response, lang)
    tab = doc.add_table(rows=1 + len(b.questions), cols=2 + len(opts))
    tab.style = "Table Grid"
    tab.alignment = WD_TABLE_ALIGNMENT.CENTER
    hdr = tab.rows[0].cells
    hdr[0].text = tr("inst_q_no", lang)
    hdr[1].text = tr("inst_q_statement", lang)
    for j, (c, lab) in enumerate(opts, 2):
        hdr[j].text = f"{c}\n{lab}"
    for j, cell in enumerate(hdr):
        for p in cell.paragraphs:
            if j != 1:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.font.size = Pt(9)
                run.bold = True
    for i, q in enumerate(b.questions, 1):
        cells = tab.rows[i].cells
        cells[0].text = str(q.number)
        cells[1].text = q.text
        for j in range(2, 2 + len(opts)):
            cells[j].text = "□"
            cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    opt_w = min(1.6, 7.6 / max(1, len(opts)))
    widths = [Cm(1.1), Cm(17 - 1.1 - opt_w * len(opts))] + [Cm(opt_w)] * len(opts)
    tab.autofit = False
    for col, wdt in zip(tab.columns, widths):  # the grid widths Word and LibreOffice lay out by
        col.width = wdt
    for row in tab.rows:
        for cell, wdt in zip(row.cells, widths):
            cell.width = wdt
    doc.add_paragraph()


def _docx_list(doc, b: Block, lang: str) -> None:
    from docx.shared import Cm

    for q in b.questions:
        doc.add_paragraph(f"{q.number}. {q.text}")
        if _is_choice(b.response):
            ans = "　　".join(f"□ {c} {lab}" for c, lab in _options(b.response, lang))
        else:
            ans = "________________" + _blank_hint(b.response, lang)
        p = doc.add_paragraph(ans)
        p.paragraph_format.left_indent = Cm(0.6)
