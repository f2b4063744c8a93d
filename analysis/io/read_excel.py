"""The Excel reader (.xlsx, .xlsm): one worksheet, the first row as headers; a Qualtrics
export's question-text and ImportId rows are detected and skipped."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import AvoidSurveyError
from .registry import RawTable

__all__ = ["read_excel", "positional"]


def read_excel(p: Path, *, instrument=None, mapping=None, sheet=None, progress: bool = False) -> RawTable:
    """Read worksheet ``sheet`` (name or 0-based number; default the first)."""
    import pandas as pd

    from .guards import check_xlsx
    check_xlsx(p)
    info = {"file": str(p), "format": p.suffix.lower().lstrip("."), "header_rows": 1}
    try:
        sh = sheet if sheet is not None else 0
        raw = pd.read_excel(p, sheet_name=sh, header=None, dtype=object, engine="openpyxl")
    except ValueError as exc:
        raise AvoidSurveyError(f"cannot read sheet {sheet!r}: {' '.join(str(exc).split())[:200]}", file=p) from None
    except IndexError:
        raise AvoidSurveyError(f"the workbook has no sheet {sheet!r}", file=p) from None
    if raw.shape[0] == 0:
        raise AvoidSurveyError("the sheet is empty", file=p)
    headers = ["" if (isinstance(h, float) and h != h) or h is None else str(h).strip() for h in raw.iloc[0]]
    df = raw.iloc[1:].reset_index(drop=True)
    questions = None
    if df.shape[0] >= 2 and df.iloc[1].astype(str).str.contains('ImportId', regex=False).any():
        questions = [str(q) for q in df.iloc[0]]
        df = df.iloc[2:].reset_index(drop=True)
        info.update(header_rows=3, platform="qualtrics")
    df = df.infer_objects()
    info["sheet"] = sheet if sheet is not None else 0
    return RawTable(positional(df), headers, info, questions)


def positional(df):
    """A copy of ``df`` with the positional column names ``__c0``, ``__c1`` ... readers return."""
    df = df.copy()
    df.columns = [f"__c{i}" for i in range(df.shape[1])]
    return df
