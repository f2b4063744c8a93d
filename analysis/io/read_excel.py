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
    with pd.ExcelFile(p, engine="openpyxl") as xf:
        names = [str(n) for n in xf.sheet_names]
        sh = _sheet(p, xf, names, sheet, instrument, mapping)
        try:
            raw = pd.read_excel(xf, sheet_name=sh, header=None, dtype=object)
        except ValueError as exc:
            raise AvoidSurveyError(f"cannot read sheet {sheet!r}: {' '.join(str(exc).split())[:200]}", file=p) from None
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
    info["sheet"] = sh
    info["sheets"] = names
    return RawTable(positional(df), headers, info, questions)


def _listed(names) -> str:
    return ", ".join(repr(n) for n in names)


def _sheet(p, xf, names, sheet, instrument, mapping):
    """The worksheet to read: the one asked for (a wrong name or number lists the sheets);
    else the only sheet, or the one sheet whose headers match the instrument (said in one
    note); none or several matching: an error listing the sheets."""
    if sheet is not None:
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            k = int(sheet)
            if not 0 <= k < len(names):
                raise AvoidSurveyError(f"the workbook has no sheet number {k} (sheets, numbered from 0: "
                                       f"{_listed(names)})", file=p)
            return k
        if sheet not in names:
            raise AvoidSurveyError(f"the workbook has no sheet {str(sheet)!r} (sheets: {_listed(names)})", file=p)
        return sheet
    if len(names) == 1:
        return 0
    import pandas as pd

    from ..core.errors import DataNote, warn
    from .headers import match_headers

    scores = []
    for i, n in enumerate(names):
        head = pd.read_excel(xf, sheet_name=i, header=None, dtype=object, nrows=3)
        if head.shape[0] < 2 or head.shape[1] < 2:
            scores.append(-1)       # empty, or a single column of notes (说明)
            continue
        hdr = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in head.iloc[0]]
        if instrument is None:
            scores.append(0)
            continue
        hm = match_headers(hdr, instrument, mapping)
        known = set(instrument.columns())
        scores.append(sum(1 for nm in hm.names if nm in known))
    best = max(scores)
    winners = [i for i, sc in enumerate(scores) if sc == best]
    if best < 0 or (instrument is not None and best == 0):
        raise AvoidSurveyError(f"no sheet of the workbook holds the instrument's columns (sheets: {_listed(names)}); "
                               f"choose one with --sheet NAME", file=p)
    if len(winners) > 1 and instrument is not None:
        raise AvoidSurveyError(f"several sheets match the instrument ({_listed([names[i] for i in winners])}); "
                               f"choose one with --sheet NAME (sheets: {_listed(names)})", file=p)
    k = winners[0]
    others = [n for i, n in enumerate(names) if i != k]
    why = "its headers match the instrument" if instrument is not None else "the first sheet holding a table"
    if k != 0 or instrument is not None:
        warn(f"{p.name}: read sheet {names[k]!r} ({why}; other sheets: {_listed(others)}; choose with --sheet)",
             DataNote)
    return k


def positional(df):
    """A copy of ``df`` with the positional column names ``__c0``, ``__c1`` ... readers return."""
    df = df.copy()
    df.columns = [f"__c{i}" for i in range(df.shape[1])]
    return df
