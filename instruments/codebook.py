"""The codebook of an instrument: one row per variable, item and attention check.

Rows (:func:`codebook_records`) carry the scale and facet, the wording in Chinese and
English (and the referent-shift wording when the instrument has one), the response type,
codes and labels, reverse keying, the expected answer of a check and its place. Written as
``.csv`` (UTF-8 with BOM, so Excel in China opens it), ``.md`` or ``.xlsx``.
"""
from __future__ import annotations

import csv
import io

from avoid_survey.analysis.core.i18n import text_in, tr
from avoid_survey.analysis.core.table import Cell, Column, Table

from .model import Instrument, ResponseFormat

__all__ = ["CODEBOOK_KEYS", "codebook_records", "codebook", "codebook_csv", "codebook_md", "codebook_xlsx",
           "codebook_keys", "code_range", "code_labels", "has_referent", "num"]

# the codebook columns, in order, and their label keys in the i18n catalogue
CODEBOOK_KEYS = ("variable", "kind", "module", "scale", "facet", "level", "role", "text_zh", "text_en",
                 "referent_zh", "referent_en", "type", "codes", "labels_zh", "labels_en", "reverse", "expected",
                 "after", "missing_codes", "aliases")
_SHARED_LABELS = {"scale": "@scale", "facet": "@facet", "reverse": "@reverse"}   # common terms
_MD_KEYS = ("variable", "scale", "facet", "text_zh", "text_en", "referent_zh", "referent_en", "codes", "labels",
            "reverse")


def _label_of(key: str) -> str:
    return _SHARED_LABELS.get(key, f"@inst_cb_{key}")


def num(v) -> str:
    """A code as written: whole floats without ``.0``; None as empty."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def code_range(r: ResponseFormat) -> str:
    """The accepted codes: ``1..5``, ``1, 2, 3``, ``0, 1``, ``>= 0``."""
    # "a..b", not "a-b": Excel opens a CSV cell "1-5" as the date 5 January
    if r.type == "likert":
        return f"{r.min}..{r.max}"
    if r.type in ("categorical", "ordinal"):
        return ", ".join(num(c) for c in r.labels)
    if r.type == "boolean":
        return "0, 1"
    if r.type == "numeric" and (r.min is not None or r.max is not None):
        return f"{num(r.min)}..{num(r.max)}" if r.min is not None and r.max is not None else (
            f">= {num(r.min)}" if r.min is not None else f"<= {num(r.max)}")
    return ""


def code_labels(r: ResponseFormat, lang: str) -> str:
    """``code=label; ...`` in ``lang`` (a yes/no answer without labels: 0=No; 1=Yes)."""
    if r.labels:
        return "; ".join(f"{num(c)}={text_in(t, lang)}" for c, t in r.labels.items())
    if r.type == "boolean":
        return f"0={tr('inst_q_no_answer', lang)}; 1={tr('inst_q_yes', lang)}"
    return ""


def has_referent(inst: Instrument) -> bool:
    return any(i.referent for i in inst.items)


def codebook_keys(inst: Instrument) -> list[str]:
    """The codebook columns of ``inst`` (the referent wordings only when it has them)."""
    ref = has_referent(inst)
    return [k for k in CODEBOOK_KEYS if ref or not k.startswith("referent")]


def _record(obj, kind: str, r: ResponseFormat) -> dict:
    text = getattr(obj, "text", None) or getattr(obj, "label", None) or {}
    return {"variable": obj.id, "kind": kind, "module": "", "scale": "", "facet": "", "level": "individual",
            "role": "", "text_zh": text.get("zh", ""), "text_en": text.get("en", ""), "referent_zh": "",
            "referent_en": "", "type": r.type, "codes": code_range(r), "labels_zh": code_labels(r, "zh"),
            "labels_en": code_labels(r, "en"), "reverse": None, "expected": "", "after": "",
            "missing_codes": ", ".join(num(c) for c in r.missing_codes),
            "aliases": " | ".join(obj.aliases)}


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
    order = {c: k for k, c in enumerate(inst.columns())}
    for v in sorted(inst.variables, key=lambda v: order.get(v.id, len(order))):
        rec = _record(v, "variable", v.response)
        rec.update(module=v.module or "", level=v.level, role=v.role or "")
        out.append(rec)
    for it in inst.items:
        rec = _record(it, "item", it.response)
        sc = scales.get(it.scale)
        rec.update(module=(sc.module if sc else "") or "", scale=it.scale or "", facet=it.facet or "",
                   reverse=bool(it.reverse))
        if it.referent:
            rec.update(referent_zh=it.referent.get("zh", ""), referent_en=it.referent.get("en", ""))
        out.append(rec)
    for a in inst.attention_checks:
        rec = _record(a, "attention_check", a.response)
        rec.update(module=inst.id, expected=", ".join(num(e) for e in a.expected), after=a.after or "")
        out.append(rec)
    return out


def codebook(inst: Instrument, lang: str = "zh", *, compact: bool = False) -> Table:
    """The codebook as a :class:`Table` (one row per variable, item and attention check).

    ``compact`` keeps the columns a printed codebook needs (variable, scale, facet,
    wordings, codes with labels in ``lang``, reverse).
    """
    ref = has_referent(inst)
    if compact:
        keys = [k for k in _MD_KEYS if ref or not k.startswith("referent")]
    else:
        keys = codebook_keys(inst)
    cols = [Column(k, _label_of(k), kind="text") for k in keys]
    title = tr("inst_codebook_title", lang).format(name=inst.name(lang), version=inst.version)
    t = Table(title=title, columns=cols, name="codebook")
    for rec in codebook_records(inst):
        t.add(*(Cell(_cell_text(rec, c.key, lang), "text") for c in cols))
    if inst.citation:
        t.notes.append(dict(inst.citation))
    return t


def _cell_text(rec: dict, key: str, lang: str) -> str:
    if key == "labels":
        return rec[f"labels_{lang}"] or rec["codes"]
    if key == "reverse":
        v = rec["reverse"]
        return "" if v is None else tr("yes" if v else "inst_no", lang)
    return str(rec[key])


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    from avoid_survey.analysis.core.textsafe import formula_safe
    return formula_safe(str(v))


def codebook_csv(inst: Instrument) -> str:
    """Codebook as CSV text (header = the record keys; reverse as TRUE/FALSE)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    keys = codebook_keys(inst)
    w.writerow(keys)
    for rec in codebook_records(inst):
        w.writerow([_csv_cell(rec[k]) for k in keys])
    return buf.getvalue()


def codebook_md(inst: Instrument, lang: str = "zh") -> str:
    from avoid_survey.analysis.render import render_md
    from avoid_survey.analysis.core.textsafe import markup_safe
    head = f"# {markup_safe(inst.name(lang))}\n\n"
    return head + render_md([codebook(inst, lang, compact=True)], lang)


def codebook_xlsx(inst: Instrument, lang: str = "zh") -> bytes:
    from avoid_survey.analysis.render import render_bytes
    return render_bytes([codebook(inst, lang)], "xlsx", lang)
