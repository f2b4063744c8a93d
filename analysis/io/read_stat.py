"""The SPSS (.sav) and Stata (.dta) reader: codes as stored, value labels and variable
labels kept (labels are mapped to the instrument's codes through their text in
:func:`~.load.load`)."""
from __future__ import annotations

from pathlib import Path

from .read_excel import positional
from .registry import RawTable

__all__ = ["read_stat"]


def read_stat(p: Path, *, instrument=None, mapping=None, sheet=None, progress: bool = False) -> RawTable:
    import pyreadstat

    fn = pyreadstat.read_sav if p.suffix.lower() == ".sav" else pyreadstat.read_dta
    df, meta = fn(str(p), apply_value_formats=False)
    headers = [str(c).strip() for c in df.columns]
    value_labels = {str(k): v for k, v in (meta.variable_value_labels or {}).items()}
    questions = list(meta.column_labels) if meta.column_labels else None
    questions = [q or "" for q in questions] if questions else None
    info = {"file": str(p), "format": p.suffix.lower().lstrip("."), "header_rows": 1}
    return RawTable(positional(df), headers, info, questions, value_labels=value_labels)
