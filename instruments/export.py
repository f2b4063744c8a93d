"""Codebook, blank data-entry template and printable questionnaire from one instrument file.

Everything a study needs besides the analysis comes from the same YAML file:

* **codebook** (``.csv`` UTF-8 with BOM, ``.md``, ``.xlsx``): one row per variable, item and
  attention check: scale/facet, wording in Chinese and English (and the referent-shift
  wording when the instrument has one), response type, codes and labels, reverse keying;
* **template** (``.xlsx``, ``.csv``): the expected data columns in order
  (:meth:`Instrument.columns`); the xlsx has a header row, data-validation rules for every
  coded column and a second sheet with the codebook;
* **questionnaire** (``.md``, ``.html``, ``.docx``): title, instructions, one numbered part
  per block of scales with the response scale as a grid, attention checks after their
  ``after`` item, and the background questions, in ``lang`` zh or en and ``wording`` self
  or referent. Scale and facet names are not shown to respondents (they would cue
  socially desirable answers on a sensitive topic).

All files are written through :func:`avoid_survey.analysis.io.output.write_atomic_with`
(atomic, never over an existing file without ``force``).
"""
from __future__ import annotations

import csv
import html as _html
import io
from dataclasses import dataclass, field
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.table import Cell, Column, Table

from .model import AttentionCheck, Instrument, ResponseFormat, _pick

__all__ = ["KINDS", "ExportResult", "codebook_records", "codebook", "template_columns", "questionnaire_plan",
           "questionnaire_md", "questionnaire_html", "questionnaire_docx", "template_xlsx", "codebook_csv",
           "export_instrument", "infer_kind"]

KINDS = ("codebook", "template", "questionnaire")
_DEFAULT_KIND = {".csv": "codebook", ".md": "codebook", ".xlsx": "template", ".html": "questionnaire",
                 ".htm": "questionnaire", ".docx": "questionnaire"}
_ALLOWED = {"codebook": (".csv", ".md", ".xlsx"), "template": (".csv", ".xlsx"),
            "questionnaire": (".md", ".html", ".htm", ".docx")}

# words of the printed questionnaire and the codebook headers
_W = {
    "part": ("Part {n}", "第{n}部分"),
    "no": ("No.", "题号"),
    "statement": ("Statement", "题目"),
    "background": ("Background information", "基本情况"),
    "source": ("Source", "问卷来源"),
    "version": ("version", "版本"),
    "licence": ("Licence", "许可"),
    "optional": ("optional module", "可选模块"),
    "fill": ("Please fill in", "请填写"),
    "range": ("from {lo} to {hi}", "范围 {lo}–{hi}"),
    "thanks": ("Thank you for taking part!", "问卷到此结束，衷心感谢您的支持！"),
    "yes": ("Yes", "是"),
    "no_": ("No", "否"),
}
_CN_NUM = "一二三四五六七八九十"

# codebook columns: key, {en, zh} label
_CB_COLUMNS = [
    ("variable", {"en": "Variable", "zh": "变量名"}),
    ("kind", {"en": "Kind", "zh": "类别"}),
    ("module", {"en": "Module", "zh": "模块"}),
    ("scale", {"en": "Scale", "zh": "量表"}),
    ("facet", {"en": "Facet", "zh": "维度"}),
    ("level", {"en": "Level", "zh": "层次"}),
    ("role", {"en": "Role", "zh": "角色"}),
    ("text_zh", {"en": "Wording (zh)", "zh": "中文表述"}),
    ("text_en", {"en": "Wording (en)", "zh": "英文表述"}),
    ("referent_zh", {"en": "Referent wording (zh)", "zh": "单位版中文表述"}),
    ("referent_en", {"en": "Referent wording (en)", "zh": "单位版英文表述"}),
    ("type", {"en": "Type", "zh": "类型"}),
    ("codes", {"en": "Codes", "zh": "编码"}),
    ("labels_zh", {"en": "Labels (zh)", "zh": "中文选项"}),
    ("labels_en", {"en": "Labels (en)", "zh": "英文选项"}),
    ("reverse", {"en": "Reversed", "zh": "反向计分"}),
    ("expected", {"en": "Expected answer", "zh": "正确答案"}),
    ("after", {"en": "Placed after", "zh": "位置（在其后）"}),
    ("missing_codes", {"en": "Missing codes", "zh": "缺失值编码"}),
    ("aliases", {"en": "Aliases", "zh": "别名"}),
]
_MD_KEYS = ("variable", "scale", "facet", "text_zh", "text_en", "referent_zh", "referent_en", "codes", "labels",
            "reverse")


def _w(key: str, lang: str, **kw) -> str:
    en, zh = _W[key]
    return (zh if lang == "zh" else en).format(**kw)


def _num(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ---------------------------------------------------------------- codebook
def _codes(r: ResponseFormat) -> str:
    # "a..b", not "a-b": Excel opens a CSV cell "1-5" as the date 5 January
    if r.type == "likert":
        return f"{r.min}..{r.max}"
    if r.type in ("categorical", "ordinal"):
        return ", ".join(_num(c) for c in r.labels)
    if r.type == "boolean":
        return "0, 1"
    if r.type == "numeric" and (r.min is not None or r.max is not None):
        return f"{_num(r.min)}..{_num(r.max)}" if r.min is not None and r.max is not None else (
            f">= {_num(r.min)}" if r.min is not None else f"<= {_num(r.max)}")
    return ""


def _labels(r: ResponseFormat, lang: str) -> str:
    labels = r.labels or ({0: {"en": "No", "zh": "否"}, 1: {"en": "Yes", "zh": "是"}} if r.type == "boolean" else {})
    return "; ".join(f"{_num(c)}={_pick(t, lang)}" for c, t in labels.items())


def _scale_of(inst: Instrument) -> dict[str, tuple[str, str]]:
    return {i.id: (i.scale or "", i.facet or "") for i in inst.items}


def codebook_records(inst: Instrument) -> list[dict]:
    """One dict per variable, item and attention check, in the order of :meth:`Instrument.columns`
    (unit-level variables of a mixed instrument follow the individual ones).

    Keys are those of the codebook CSV: variable, kind (variable | item | attention_check),
    module, scale, facet, level, role, text_zh, text_en, referent_zh, referent_en, type,
    codes, labels_zh, labels_en, reverse (bool for items, None otherwise), expected, after,
    missing_codes, aliases.
    """
    scales = {s.id: s for s in inst.scales}
    out = []

    def base(obj, kind, r: ResponseFormat):
        text = getattr(obj, "text", None) or getattr(obj, "label", None) or {}
        return {"variable": obj.id, "kind": kind, "module": "", "scale": "", "facet": "", "level": "individual",
                "role": "", "text_zh": text.get("zh", ""), "text_en": text.get("en", ""), "referent_zh": "",
                "referent_en": "", "type": r.type, "codes": _codes(r), "labels_zh": _labels(r, "zh"),
                "labels_en": _labels(r, "en"), "reverse": None, "expected": "", "after": "",
                "missing_codes": ", ".join(_num(c) for c in r.missing_codes),
                "aliases": " | ".join(obj.aliases)}

    order = {c: k for k, c in enumerate(inst.columns())}
    variables = sorted(inst.variables, key=lambda v: order.get(v.id, len(order)))
    for v in variables:
        rec = base(v, "variable", v.response)
        rec.update(module=v.module or "", level=v.level, role=v.role or "")
        out.append(rec)
    for it in inst.items:
        rec = base(it, "item", it.response)
        sc = scales.get(it.scale)
        rec.update(module=(sc.module if sc else "") or "", scale=it.scale or "", facet=it.facet or "",
                   reverse=bool(it.reverse))
        if it.referent:
            rec.update(referent_zh=it.referent.get("zh", ""), referent_en=it.referent.get("en", ""))
        out.append(rec)
    for a in inst.attention_checks:
        rec = base(a, "attention_check", a.response)
        rec.update(module=inst.id, expected=", ".join(_num(e) for e in a.expected), after=a.after or "")
        out.append(rec)
    return out


def _has_referent(inst: Instrument) -> bool:
    return any(i.referent for i in inst.items)


def codebook(inst: Instrument, lang: str = "zh", *, compact: bool = False) -> Table:
    """The codebook as a :class:`Table` (one row per variable, item and attention check).

    ``compact`` keeps the columns a printed codebook needs (variable, scale, facet,
    wordings, codes with labels in ``lang``, reverse).
    """
    recs = codebook_records(inst)
    ref = _has_referent(inst)
    cols = []
    if compact:
        labels = dict(_CB_COLUMNS)
        for k in _MD_KEYS:
            if k.startswith("referent") and not ref:
                continue
            if k == "labels":
                cols.append(Column("labels", {"en": "Codes and labels", "zh": "编码与选项"}, kind="text"))
            else:
                cols.append(Column(k, labels[k], kind="text"))
    else:
        cols = [Column(k, lab, kind="text") for k, lab in _CB_COLUMNS if ref or not k.startswith("referent")]
    t = Table(title={"en": f"Codebook: {inst.name('en')} (version {inst.version})",
                     "zh": f"编码手册：{inst.name('zh')}（{inst.version} 版）"},
              columns=cols, name="codebook")
    for rec in recs:
        row = []
        for c in cols:
            if c.key == "labels":
                row.append(Cell(_labels_in_codes(rec, lang), "text"))
            elif c.key == "reverse":
                v = rec["reverse"]
                row.append(Cell("" if v is None else (("是" if v else "否") if lang == "zh" else ("yes" if v else "no")), "text"))
            else:
                row.append(Cell(str(rec[c.key]), "text"))
        t.add(*row)
    if inst.citation:
        t.notes.append({"en": _pick(inst.citation, "en"), "zh": _pick(inst.citation, "zh")})
    return t


def _labels_in_codes(rec, lang):
    lab = rec[f"labels_{lang}"]
    if lab:
        return lab
    return rec["codes"]


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    s = str(v)
    if s and s[0] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(s)
        except ValueError:
            return "'" + s
    return s


def codebook_csv(inst: Instrument) -> str:
    """Codebook as CSV text (header = the record keys; reverse as TRUE/FALSE)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    ref = _has_referent(inst)
    keys = [k for k, _ in _CB_COLUMNS if ref or not k.startswith("referent")]
    w.writerow(keys)
    for rec in codebook_records(inst):
        w.writerow([_csv_cell(rec[k]) for k in keys])
    return buf.getvalue()


def codebook_md(inst: Instrument, lang: str = "zh") -> str:
    from avoid_survey.analysis.render import render_md
    head = f"# {inst.name(lang)}\n\n"
    return head + render_md([codebook(inst, lang, compact=True)], lang)


# ---------------------------------------------------------------- template
def template_columns(inst: Instrument) -> list[str]:
    """The columns of a blank data-entry template, in order (= :meth:`Instrument.columns`)."""
    return list(inst.columns())


def template_csv(inst: Instrument) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(template_columns(inst))
    return buf.getvalue()


_XL_ROWS = 5000  # rows that carry the data-validation rules


def template_xlsx(inst: Instrument, lang: str = "zh") -> bytes:
    """A workbook: sheet ``data`` with the header row (frozen) and validation rules for every
    coded column (Likert: whole number min..max; categorical, ordinal, boolean: list of
    codes; numeric with bounds: decimal between); sheet ``codebook`` with the codebook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    cols = template_columns(inst)
    resp = inst.responses()
    texts = {i.id: i.wording(lang) for i in inst.items}
    texts.update({a.id: _pick(a.text, lang) for a in inst.attention_checks})
    texts.update({v.id: _pick(v.text or v.label, lang) for v in inst.variables})
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(cols, 1):
        cell = ws.cell(row=1, column=j, value=c)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = fill
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(24, len(c) + 4))
        r = resp.get(c)
        if r is None:
            continue
        dv = None
        if r.type == "likert":
            dv = DataValidation(type="whole", operator="between", formula1=str(r.min), formula2=str(r.max))
        elif r.type in ("categorical", "ordinal", "boolean"):
            codes = r.codes
            dv = DataValidation(type="list", formula1='"' + ",".join(_num(x) for x in codes) + '"')
        elif r.type == "numeric" and r.min is not None and r.max is not None:
            dv = DataValidation(type="decimal", operator="between", formula1=_num(r.min), formula2=_num(r.max))
        elif r.type == "numeric" and r.min is not None:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=_num(r.min))
        if dv is None:
            continue
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorTitle = c[:32]
        lab = _labels(r, lang)
        dv.error = (f"{c}: {_codes(r)}" + (f" ({lab})" if lab else ""))[:255]
        prompt = texts.get(c, "")
        if prompt:
            dv.showInputMessage = True
            dv.promptTitle = c[:32]
            dv.prompt = (prompt + (f" [{lab}]" if lab else ""))[:255]
        letter = get_column_letter(j)
        dv.add(f"{letter}2:{letter}{_XL_ROWS + 1}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "B2"

    cb = wb.create_sheet("codebook")
    ref = _has_referent(inst)
    keys = [k for k, _ in _CB_COLUMNS if ref or not k.startswith("referent")]
    for j, k in enumerate(keys, 1):
        cell = cb.cell(row=1, column=j, value=k)
        cell.font = Font(bold=True)
    for i, rec in enumerate(codebook_records(inst), 2):
        for j, k in enumerate(keys, 1):
            v = rec[k]
            cell = cb.cell(row=i, column=j, value=v if isinstance(v, bool) else ("" if v is None else str(v)) or None)
            if isinstance(cell.value, str):
                cell.data_type = "s"
    cb.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _codebook_xlsx(inst: Instrument, lang: str) -> bytes:
    from avoid_survey.analysis.render import render_bytes
    return render_bytes([codebook(inst, lang)], "xlsx", lang)


# ---------------------------------------------------------------- questionnaire
@dataclass
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


@dataclass
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


def _part_title(n: int, lang: str) -> str:
    if lang == "zh":
        return f"第{_CN_NUM[n - 1]}部分" if n <= 10 else f"第{n}部分"
    return f"Part {n}"


def _same_scale(a: ResponseFormat, b: ResponseFormat) -> bool:
    return a.type == b.type and a.min == b.min and a.max == b.max and a.labels == b.labels


def questionnaire_plan(inst: Instrument, lang: str = "zh", wording: str = "self", *,
                       include_optional: bool = True) -> Plan:
    """What a printed questionnaire shows, in order, independent of the file format.

    Scales are grouped into parts by the instrument file they come from (each included
    module is one part, with its own instructions); attention checks follow the item named
    by their ``after`` (or close the last part); variables with a question text make the
    background section.
    """
    if wording not in ("self", "referent"):
        raise AvoidSurveyError(f"unknown wording '{wording}' (use self or referent)")
    if wording == "referent" and not _has_referent(inst):
        raise AvoidSurveyError(f"instrument '{inst.id}' has no referent-shift wording; use --wording self")
    checks_after: dict[str, list[AttentionCheck]] = {}
    loose: list[AttentionCheck] = []
    item_ids = {i.id for i in inst.items}
    for a in inst.attention_checks:
        (checks_after.setdefault(a.after, []) if a.after in item_ids else loose).append(a)

    n = 0
    sections: list[Section] = []
    current_module = object()
    for s in inst.scales:
        if s.optional and not include_optional:
            continue
        if s.module != current_module:
            current_module = s.module
            mod = inst.module(s.module) if s.module else None
            own = mod is None or mod is inst
            instr = "" if own else mod.instructions_for(wording, lang)
            sections.append(Section(_part_title(len(sections) + 1, lang), instr))
        sec = sections[-1]
        block = Block(s.items[0].response, optional=s.optional) if s.items else None
        if block is not None:
            sec.blocks.append(block)
        for it in s.items:
            if not _same_scale(block.response, it.response):
                block = Block(it.response, optional=s.optional)
                sec.blocks.append(block)
            n += 1
            block.questions.append(Question(n, it.id, it.wording(lang, referent=wording == "referent"), "item",
                                            it.response))
            for a in checks_after.get(it.id, ()):
                n += 1
                q = Question(n, a.id, _pick(a.text, lang), "check", a.response)
                if _same_scale(block.response, a.response):
                    block.questions.append(q)
                else:
                    sec.blocks.append(Block(a.response, [q]))
                    block = Block(it.response, optional=s.optional)
                    sec.blocks.append(block)
        sec.blocks = [b for b in sec.blocks if b.questions]
    if loose:
        if not sections:
            sections.append(Section(_part_title(1, lang), ""))
        for a in loose:
            n += 1
            sections[-1].blocks.append(Block(a.response, [Question(n, a.id, _pick(a.text, lang), "check", a.response)]))

    bg_vars = [v for v in inst.variables if v.text and v.role not in ("id", "duration", "weight", "meta")
               and v.level == "individual"] if inst.scales else [v for v in inst.variables if v.text]
    background = None
    if bg_vars:
        mods = [inst.module(v.module) for v in bg_vars if v.module]
        mod = next((m for m in mods if m is not None and m is not inst), None)
        instr = mod.instructions_for(wording, lang) if mod is not None else ""
        title = _w("background", lang) if inst.scales else _part_title(1, lang)
        background = Section(title, instr)
        for v in bg_vars:
            n += 1
            background.blocks.append(Block(v.response, [Question(n, v.id, _pick(v.text, lang), "variable",
                                                                 v.response)]))
    return Plan(inst.name(lang), inst.instructions_for(wording, lang), sections, background,
                _pick(inst.citation, lang) if inst.citation else "", inst.version, inst.licence or "", lang, wording)


def _options(r: ResponseFormat, lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a coded response."""
    if r.type == "boolean" and not r.labels:
        return [("1", _w("yes", lang)), ("0", _w("no_", lang))]
    if r.type == "likert":
        return [(str(c), r.label(c, lang)) for c in r.codes]
    return [(_num(c), _pick(t, lang)) for c, t in r.labels.items()]


def _blank_hint(r: ResponseFormat, lang: str) -> str:
    if r.type == "numeric" and r.min is not None and r.max is not None:
        return "（" + _w("range", lang, lo=_num(r.min), hi=_num(r.max)) + "）" if lang == "zh" else \
            " (" + _w("range", lang, lo=_num(r.min), hi=_num(r.max)) + ")"
    return ""


def _is_grid(b: Block) -> bool:
    return b.response.type == "likert"


def _footer(plan: Plan) -> str:
    lang = plan.lang
    parts = []
    if plan.citation:
        parts.append(f"{_w('source', lang)}{'：' if lang == 'zh' else ': '}{plan.citation}")
    return " ".join(parts)


# ---- Markdown
def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def questionnaire_md(inst: Instrument, lang: str = "zh", wording: str = "self") -> str:
    plan = questionnaire_plan(inst, lang, wording)
    out = [f"# {plan.title}", ""]
    if plan.instructions:
        out += [plan.instructions, ""]
    for sec in [*plan.sections, *([plan.background] if plan.background else [])]:
        out += [f"## {sec.title}", ""]
        if sec.instructions:
            out += [sec.instructions, ""]
        for b in sec.blocks:
            if _is_grid(b):
                opts = _options(b.response, lang)
                out.append(f"| {_w('no', lang)} | {_w('statement', lang)} | "
                           + " | ".join(_md(f"{c} {lab}".strip()) for c, lab in opts) + " |")
                out.append("|---:|:---|" + "|".join(":---:" for _ in opts) + "|")
                for q in b.questions:
                    out.append(f"| {q.number} | {_md(q.text)} | " + " | ".join("○" for _ in opts) + " |")
                out.append("")
            else:
                for q in b.questions:
                    out.append(f"{q.number}. {q.text}")
                    if b.response.type in ("categorical", "ordinal", "boolean"):
                        out.append("   " + "　".join(f"□ {c} {lab}" for c, lab in _options(b.response, lang)))
                    else:
                        out.append(f"   ________{_blank_hint(b.response, lang)}")
                    out.append("")
    out += ["---", "", _w("thanks", lang), ""]
    foot = _footer(plan)
    if foot:
        out += [f"*{_md(foot)}*", ""]
    return "\n".join(out)


# ---- HTML
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


def questionnaire_html(inst: Instrument, lang: str = "zh", wording: str = "self") -> str:
    e = _html.escape
    plan = questionnaire_plan(inst, lang, wording)
    out = [f"<h1>{e(plan.title)}</h1>"]
    if plan.instructions:
        out.append(f'<p class="instr">{e(plan.instructions)}</p>')
    for sec in [*plan.sections, *([plan.background] if plan.background else [])]:
        out.append(f"<section><h2>{e(sec.title)}</h2>")
        if sec.instructions:
            out.append(f'<p class="instr">{e(sec.instructions)}</p>')
        for b in sec.blocks:
            if _is_grid(b):
                opts = _options(b.response, lang)
                out.append('<table class="grid"><thead><tr><th></th><th>' + e(_w("statement", lang)) + "</th>"
                           + "".join(f"<th>{e(c)}<br>{e(lab)}</th>" for c, lab in opts) + "</tr></thead><tbody>")
                for q in b.questions:
                    out.append(f'<tr><td class="no">{q.number}</td><td>{e(q.text)}</td>'
                               + "".join('<td class="opt">○</td>' for _ in opts) + "</tr>")
                out.append("</tbody></table>")
            else:
                out.append('<ol class="bg">')
                for q in b.questions:
                    if b.response.type in ("categorical", "ordinal", "boolean"):
                        ans = "".join(f'<span class="opt">□ {e(c)} {e(lab)}</span>' for c, lab in _options(b.response, lang))
                    else:
                        ans = f'<span class="blank"></span>{e(_blank_hint(b.response, lang))}'
                    out.append(f"<li>{q.number}. {e(q.text)}<br>{ans}</li>")
                out.append("</ol>")
        out.append("</section>")
    out.append(f"<p>{e(_w('thanks', lang))}</p>")
    foot = _footer(plan)
    if foot:
        out.append(f'<p class="foot">{e(foot)}</p>')
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(plan.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(out) + "\n</body>\n</html>\n")


# ---- Word
def questionnaire_docx(inst: Instrument, lang: str = "zh", wording: str = "self") -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from avoid_survey.analysis.render.office import set_document_fonts

    plan = questionnaire_plan(inst, lang, wording)
    doc = Document()
    set_document_fonts(doc, 10.5)
    sec0 = doc.sections[0]
    sec0.left_margin = sec0.right_margin = Cm(2)
    sec0.top_margin = sec0.bottom_margin = Cm(2)
    h = doc.add_heading(plan.title, level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if plan.instructions:
        doc.add_paragraph(plan.instructions)
    for sec in [*plan.sections, *([plan.background] if plan.background else [])]:
        doc.add_heading(sec.title, level=1)
        if sec.instructions:
            doc.add_paragraph(sec.instructions)
        for b in sec.blocks:
            if _is_grid(b):
                opts = _options(b.response, lang)
                tab = doc.add_table(rows=1 + len(b.questions), cols=2 + len(opts))
                tab.style = "Table Grid"
                tab.alignment = WD_TABLE_ALIGNMENT.CENTER
                hdr = tab.rows[0].cells
                hdr[0].text = _w("no", lang)
                hdr[1].text = _w("statement", lang)
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
            else:
                for q in b.questions:
                    doc.add_paragraph(f"{q.number}. {q.text}")
                    if b.response.type in ("categorical", "ordinal", "boolean"):
                        ans = "　　".join(f"□ {c} {lab}" for c, lab in _options(b.response, lang))
                    else:
                        ans = "________________" + _blank_hint(b.response, lang)
                    p = doc.add_paragraph(ans)
                    p.paragraph_format.left_indent = Cm(0.6)
    doc.add_paragraph(_w("thanks", lang))
    foot = _footer(plan)
    if foot:
        p = doc.add_paragraph()
        run = p.add_run(foot)
        run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- entry point
@dataclass(frozen=True)
class ExportResult:
    """What was written."""
    path: str
    kind: str
    format: str
    lang: str
    wording: str
    n_rows: int            # codebook rows, template columns, or questions
    instrument: str
    version: str

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "format": self.format, "lang": self.lang,
                "wording": self.wording, "n_rows": self.n_rows, "instrument": self.instrument,
                "version": self.version}

    def summary(self) -> str:
        what = {"codebook": "rows", "template": "columns", "questionnaire": "questions"}[self.kind]
        return f"wrote {self.path}: {self.kind} ({self.format}) of {self.instrument} {self.version}, {self.n_rows} {what}"


def infer_kind(path, kind: str | None = None) -> tuple[str, str]:
    """(kind, extension) for an output path; raise AvoidSurveyError for a combination that
    makes no sense (e.g. a questionnaire as .csv)."""
    ext = Path(str(path)).suffix.lower()
    if kind is not None and kind not in KINDS:
        raise AvoidSurveyError(f"unknown export kind '{kind}' (use {', '.join(KINDS)})")
    if kind is None:
        kind = _DEFAULT_KIND.get(ext)
        if kind is None:
            raise AvoidSurveyError(f"cannot tell what to export from the extension '{ext or '(none)'}'; use .csv or "
                                   ".md (codebook), .xlsx (template), .html or .docx (questionnaire), or --kind",
                                   file=path)
    if ext not in _ALLOWED[kind]:
        raise AvoidSurveyError(f"a {kind} can be written as {', '.join(_ALLOWED[kind])}, not '{ext or '(none)'}'",
                               file=path)
    return kind, ext


def export_instrument(inst, path, *, kind: str | None = None, lang: str = "zh", wording: str = "self",
                      force: bool = False) -> ExportResult:
    """Write a codebook, template or questionnaire of ``inst`` (id, path or Instrument) to ``path``.

    ``kind`` is inferred from the extension when not given: .csv/.md codebook, .xlsx template,
    .html/.docx questionnaire; ``kind='template'`` allows .csv, ``kind='questionnaire'``
    allows .md, ``kind='codebook'`` allows .xlsx. Refuses to overwrite without ``force``.
    """
    from avoid_survey.analysis.io.output import write_atomic

    from .loader import load_instrument

    inst = load_instrument(inst)
    if lang not in ("zh", "en"):
        raise AvoidSurveyError(f"unknown language '{lang}' (use zh or en)")
    kind, ext = infer_kind(path, kind)
    fmt = "html" if ext == ".htm" else ext.lstrip(".")
    if kind == "codebook":
        n = len(codebook_records(inst))
        if ext == ".csv":
            write_atomic(path, codebook_csv(inst), force, encoding="utf-8-sig")
        elif ext == ".md":
            write_atomic(path, codebook_md(inst, lang), force)
        else:
            write_atomic(path, _codebook_xlsx(inst, lang), force)
    elif kind == "template":
        n = len(template_columns(inst))
        if ext == ".csv":
            write_atomic(path, template_csv(inst), force, encoding="utf-8-sig")
        else:
            write_atomic(path, template_xlsx(inst, lang), force)
    else:
        plan = questionnaire_plan(inst, lang, wording)
        n = sum(len(b.questions) for s in [*plan.sections, *([plan.background] if plan.background else [])]
                for b in s.blocks)
        if ext == ".md":
            write_atomic(path, questionnaire_md(inst, lang, wording), force)
        elif ext in (".html", ".htm"):
            write_atomic(path, questionnaire_html(inst, lang, wording), force)
        else:
            write_atomic(path, questionnaire_docx(inst, lang, wording), force)
    return ExportResult(str(path), kind, fmt, lang, wording, n, inst.id, inst.version)
