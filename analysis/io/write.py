"""Writing data files (score --out, validate --clean, simulate --out), by extension.

.csv is UTF-8 with BOM (so Excel in China opens it); .xlsx; .sav and .dta carry variable
and value labels from the instrument; .parquet. Always atomic, never over an existing file
without ``force``, never over an input.
"""
from __future__ import annotations

from pathlib import Path

from ..core.errors import AvoidSurveyError
from .output import write_atomic_with

__all__ = ["write_data", "DATA_FORMATS"]

DATA_FORMATS = (".csv", ".xlsx", ".sav", ".dta", ".parquet")


def _labels(instrument, columns, lang):
    """Variable labels and value labels for the columns the instrument knows."""
    from avoid_survey.analysis.core.i18n import text_in

    var_labels, value_labels = {}, {}
    if instrument is None:
        return var_labels, value_labels
    resp = instrument.responses()
    texts = {}
    for it in instrument.items:
        texts[it.id] = it.wording(lang)
    for v in instrument.variables:
        texts[v.id] = v.name(lang)
    for a in instrument.attention_checks:
        texts[a.id] = text_in(a.text, lang)
    for s in instrument.all_scales():
        texts[s.id] = s.name(lang)
    for c in columns:
        if c in texts and texts[c]:
            var_labels[c] = texts[c][:80]
        fmt = resp.get(c)
        if fmt is not None and fmt.labels and fmt.type in ("likert", "categorical", "ordinal", "boolean"):
            vl = {}
            for code, t in fmt.labels.items():
                try:
                    vl[float(code)] = text_in(t, lang)
                except (TypeError, ValueError):
                    continue
            if vl:
                value_labels[c] = vl
    return var_labels, value_labels


def _text_columns(df):
    import pandas as pd

    return [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)]


def _spreadsheet_safe(df):
    """``df`` whose text cells (and headers) cannot run as spreadsheet formulas: a cell that
    begins with ``=``, ``+``, ``-`` or ``@`` and is not a number gets a leading apostrophe.
    Only the columns that change are copied."""
    from ..core.textsafe import formula_safe, is_formula_like

    import pandas as pd

    out = df
    for c in _text_columns(df):
        s = df[c]
        # vectorised: text starting like a formula that is not a number ("-1.5" stays)
        # vectorised on the text of every cell: numbers (-1.5, or an int in a text column)
        # start like a formula but parse as numbers, so they are left alone
        text = s.astype(str)
        starts = text.str.match(r"[=+\-@\t\r]", na=False) & s.notna()
        hit = starts & pd.to_numeric(text.where(starts), errors="coerce").isna()
        if hit.any():
            if out is df:
                out = df.copy(deep=False)
            out[c] = s.where(~hit, s[hit].map(formula_safe))
    if any(isinstance(c, str) and is_formula_like(c) for c in out.columns):
        out = out.rename(columns=lambda c: formula_safe(c) if isinstance(c, str) else c)
    return out


def _write_xlsx(df, tmp) -> None:
    """One sheet, header row then data; text is stored as text cells (never a formula) and
    without the control characters XML cannot hold; missing values are empty cells."""
    import math

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from ..core.textsafe import strip_control

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")

    def cell(v):
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return None
        if hasattr(v, "item") and not isinstance(v, str):   # numpy scalars
            v = v.item()
        if isinstance(v, (bool, int, float)):
            return v
        c = WriteOnlyCell(ws, value=strip_control(str(v)))
        c.data_type = "s"
        return c

    ws.append([cell(str(c)) for c in df.columns])
    import pandas as pd

    for row in df.itertuples(index=False, name=None):
        ws.append([None if (v is pd.NA or v is pd.NaT) else cell(v) for v in row])
    wb.save(tmp)


def write_data(df, path, *, instrument=None, force: bool = False, lang: str = "zh") -> Path:
    """Write ``df`` to ``path``; the format follows the extension."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in DATA_FORMATS:
        raise AvoidSurveyError(f"unsupported output type '{ext or '(none)'}' (use {', '.join(DATA_FORMATS)})", file=p)

    def _w(tmp):
        if ext == ".csv":
            _spreadsheet_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig")
        elif ext == ".xlsx":
            _write_xlsx(df, tmp)
        elif ext == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            import pyreadstat
            out = df.copy()
            # pyreadstat wants plain column names and no pandas extension dtypes
            for c in out.columns:
                if str(out[c].dtype) in ("string", "str") or out[c].dtype == object:
                    out[c] = out[c].astype(object).where(out[c].notna(), None)
                    out[c] = out[c].map(lambda v: v if v is None else str(v))
                elif str(out[c].dtype).startswith(("Int", "Float", "boolean")):
                    out[c] = out[c].astype(float)
            vl, val = _labels(instrument, out.columns, lang)
            if ext == ".sav":
                pyreadstat.write_sav(out, tmp, column_labels=[vl.get(c, "") for c in out.columns],
                                     variable_value_labels=val)
            else:
                bad = [c for c in out.columns if not c.isidentifier() or len(c) > 32]
                if bad:
                    raise AvoidSurveyError(f"Stata variable names must be identifiers of at most 32 characters: '{bad[0]}'",
                                           file=p, column=bad[0])
                # Stata value labels need integer codes
                val_int = {c: {int(k): v for k, v in m.items() if float(k).is_integer()} for c, m in val.items()}
                pyreadstat.write_dta(out, tmp, column_labels=[vl.get(c, "")[:80] for c in out.columns],
                                     variable_value_labels=val_int)

    try:
        return write_atomic_with(p, _w, force)
    except AvoidSurveyError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise AvoidSurveyError(f"cannot write {ext.lstrip('.')}: {' '.join(str(exc).split())[:200]}", file=p) from None
