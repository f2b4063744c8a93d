"""Numeric columns from a user's data frame, with the user's mistake reported as such.

One helper for every analysis that needs float columns (efa, cfa, mediation): numeric
(and boolean) columns are taken as floats; text columns are parsed after stripping
blanks, empty cells become missing, and the first cell that is not a number raises
:class:`~avoid_survey.analysis.core.errors.AvoidSurveyError` with its row (1-based) and column.
"""
from __future__ import annotations

from .errors import AvoidSurveyError

__all__ = ["numeric_column"]


def numeric_column(s, column, *, message: str = "value {value!r} is not a number", file=None):
    """The pandas Series ``s`` as a float Series (same index).

    ``message`` is formatted with ``value`` (the offending cell) and ``column``.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    ss = s.astype("string").str.strip()
    num = pd.to_numeric(ss, errors="coerce")
    bad = num.isna() & ss.notna() & (ss != "")
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise AvoidSurveyError(message.format(value=str(ss.iloc[pos]), column=column),
                               file=file, row=pos + 1, column=str(column))
    return num.astype(float)
