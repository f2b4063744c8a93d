"""A blank data-entry template: the expected data columns in order (:meth:`Instrument.columns`).

As ``.csv`` (the header row) or ``.xlsx``: a ``data`` sheet with the header row (frozen)
and a data-validation rule for every coded column, and a ``codebook`` sheet.
"""
from __future__ import annotations

import csv
import io

from avoid_survey.analysis.core.i18n import text_in

from .codebook import code_labels, code_range, codebook_keys, codebook_records, num
from .model import Instrument, ResponseFormat

__all__ = ["template_columns", "template_csv", "template_xlsx"]

_XL_ROWS = 5000  # rows that carry the data-validation rules


def template_columns(inst: Instrument) -> list[str]:
    """The columns of a blank data-entry template, in order (= :meth:`Instrument.columns`)."""
    return list(inst.columns())


def template_csv(inst: Instrument) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(template_columns(inst))
    return buf.getvalue()


def template_xlsx(inst: Instrument, lang: str = "zh") -> bytes:
    """A workbook: sheet ``data`` with the header row (frozen) and validation rules for every
    coded column (Likert: whole number min..max; categorical, ordinal, boolean: list of
    codes; numeric with bounds: decimal between); sheet ``codebook`` with the codebook."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    _data_sheet(ws, inst, lang)
    _codebook_sheet(wb.create_sheet("codebook"), inst)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _data_sheet(ws, inst: Instrument, lang: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    resp = inst.responses()
    texts = {i.id: i.wording(lang) for i in inst.items}
    texts.update({a.id: text_in(a.text, lang) for a in inst.attention_checks})
    texts.update({v.id: text_in(v.text or v.label, lang) for v in inst.variables})
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(template_columns(inst), 1):
        cell = ws.cell(row=1, column=j, value=c)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = fill
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, min(24, len(c) + 4))
        r = resp.get(c)
        dv = _validation(c, r, texts.get(c, ""), lang) if r is not None else None
        if dv is not None:
            dv.add(f"{letter}2:{letter}{_XL_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "B2"


def _validation(col: str, r: ResponseFormat, prompt: str, lang: str):
    """The data-validation rule of one coded column (None for free text)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if r.type == "likert":
        dv = DataValidation(type="whole", operator="between", formula1=str(r.min), formula2=str(r.max))
    elif r.type in ("categorical", "ordinal", "boolean"):
        dv = DataValidation(type="list", formula1='"' + ",".join(num(x) for x in r.codes) + '"')
    elif r.type == "numeric" and r.min is not None and r.max is not None:
        dv = DataValidation(type="decimal", operator="between", formula1=num(r.min), formula2=num(r.max))
    elif r.type == "numeric" and r.min is not None:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=num(r.min))
    else:
        return None
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = col[:32]
    lab = code_labels(r, lang)
    dv.error = (f"{col}: {code_range(r)}" + (f" ({lab})" if lab else ""))[:255]
    if prompt:
        dv.showInputMessage = True
        dv.promptTitle = col[:32]
        dv.prompt = (prompt + (f" [{lab}]" if lab else ""))[:255]
    return dv


def _codebook_sheet(cb, inst: Instrument) -> None:
    from openpyxl.styles import Font

    keys = codebook_keys(inst)
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
