"""Groups of a ``--by`` column and the variables compared across them: checks that stop a
run with one clear line (unknown column, one group, text where numbers are needed) and
the group labels of the instrument."""
from __future__ import annotations

from ...core.errors import AvoidSurveyError
from ...core.i18n import text_in

__all__ = ["code_of", "check_columns", "group_levels", "group_label", "numeric_column", "by_format"]


def code_of(v):
    """A code as JSON shows it: 2.0 -> 2, numpy scalars to Python; text stays text."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (TypeError, ValueError):  # pragma: no cover
            pass
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def check_columns(data, names, what: str) -> None:
    """Raise (exit 2) at the first of ``names`` that is not a column of ``data``."""
    cols = list(data.columns)
    for c in names:
        if c not in data.columns:
            shown = ", ".join(map(str, cols[:12])) + (" ..." if len(cols) > 12 else "")
            raise AvoidSurveyError(f"{what} '{c}' is not a column of the data (columns: {shown})", column=c)


def by_format(instrument, column):
    """The response format of ``column`` in the instrument (its value labels), or None."""
    if instrument is None:
        return None
    return instrument.responses().get(column)


def group_label(fmt, code, lang: str) -> str:
    """The instrument's value label of ``code`` in ``lang``, else the code as text."""
    if fmt is not None:
        for key, text in (fmt.labels or {}).items():
            if code_of(key) == code or str(key) == str(code):
                lab = text_in(text, lang)
                if lab:
                    return lab
    return str(code)


def group_levels(data, by: str, instrument=None) -> tuple[list, object]:
    """(sorted distinct non-missing codes of ``by``, its response format). At least two
    groups are needed."""
    check_columns(data, [by], "--by")
    values = data[by].dropna().map(code_of)
    levels = sorted(values.unique().tolist(), key=lambda c: (isinstance(c, str), c))
    if len(levels) < 2:
        found = f"only '{levels[0]}'" if levels else "no value"
        raise AvoidSurveyError(f"--by '{by}' needs at least two groups; the data hold {found}", column=by)
    return levels, by_format(instrument, by)


def numeric_column(data, column: str, test: str):
    """``column`` as floats; text that is not numbers stops the run (exit 2)."""
    import numpy as np
    import pandas as pd

    s = data[column]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    conv = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & conv.isna()
    if bad.any():
        first = s[bad].iloc[0]
        raise AvoidSurveyError(f"'{column}' is not numeric (e.g. '{first}'): the {test} test compares means; "
                               f"use --test chisq for a categorical variable", column=column)
    return conv.astype(float).replace([np.inf, -np.inf], np.nan)
