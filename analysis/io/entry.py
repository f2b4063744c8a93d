"""The reading entry of every command: :func:`read`.

A plain numeric CSV (whole-number codes, :mod:`.plain`) that needs no screening is read
without pandas; every other file goes to the full reader (:func:`.load.read_data`), which
this module imports only then, so that reading a coded file loads neither pandas nor the
full reader's modules.
"""
from __future__ import annotations

from ..core.errors import AvoidSurveyError

__all__ = ["read", "read_numeric", "refuse_empty"]


def read(path, instrument=None, *, sheet=None, mapping=None, numeric_ok: bool = False, empty_ok: bool = False,
         screening=None, keep_pii=None, units=None, hints: bool = True):
    """Read a response file for an analysis: what every command calls (the one reading entry).

    Parameters
    ----------
    path : file path (csv, tsv, txt, xlsx, xlsm, sav, dta, parquet)
    instrument : Instrument, bundled id, instrument file path, or None. When given, alias
        headers are renamed to item ids and every item / attention-check / numeric
        variable column becomes float codes; Likert codes outside the scale become missing
        (with a DataWarning).
    sheet : xlsx worksheet (name or 0-based number); None: the sheet whose headers match
    mapping : {source header: column id}, applied before aliases
    numeric_ok : the caller needs only ``columns`` and numeric columns (``cfa``,
        ``reliability``): a plain CSV of whole-number codes then comes back as a
        :class:`~.plain.NumericFrame`, read without pandas
    empty_ok : with ``numeric_ok``, a plain CSV with empty cells (missing answers, NaN)
        also takes the fast path (for analyses that take NaN as missing)
    screening : :class:`~avoid_survey.analysis.validate.screening.Screening`; rows it
        removes are not returned (blank rows and repeated respondent ids always)
    keep_pii : keep personal-data columns (default: dropped, with one note)
    units : nesting of cluster columns, outermost first; a lower-level name under two
        parents becomes a composite key ``parent/name``
    hints : say which headers matched nothing (closest item text); off for files that
        are not response files (a unit file read through the instrument)

    Every option left None takes the command's read options (:mod:`.readopts`). The
    exclusion flow is kept in ``frame.attrs["screening"]`` and in the command's read log.

    Returns
    -------
    pandas.DataFrame (a new frame; the file is never modified), or a NumericFrame.
    """
    from .readopts import current

    opts = current()
    sheet = opts.sheet if sheet is None else sheet
    mapping = opts.mapping if mapping is None else mapping
    keep_pii = opts.keep_pii if keep_pii is None else keep_pii
    screening = opts.screening if screening is None else screening
    if instrument is not None and not hasattr(instrument, "items"):
        from avoid_survey.instruments import load_instrument
        instrument = load_instrument(instrument)
    units = tuple(units if units is not None else (opts.units or getattr(instrument, "units", ()) or ()))
    frame = None
    if numeric_ok and sheet is None and mapping is None and opts.write_map is None and not units and \
            (screening is None or not screening.active):
        from .plain import read_plain_numeric
        frame = read_plain_numeric(path, instrument, empty_ok=empty_ok)
        if frame is not None and _plain_usable(frame, instrument, keep_pii, screening):
            from ..validate.flow import unscreened_flow
            opts.log.add_flow(path, unscreened_flow(len(frame), frame.columns, instrument, screening,
                                                    frame.source.get("n_out_of_range", 0)))
        else:
            frame = None
    if frame is None:
        from .load import read_data
        frame = read_data(path, instrument, sheet=sheet, mapping=mapping, screening=screening, keep_pii=keep_pii,
                          units=units, hints=hints)
    refuse_empty(frame, instrument, path)
    return frame


def _plain_usable(frame, instrument, keep_pii, screening) -> bool:
    """A plain numeric file can skip the full reader when nothing in it needs screening or
    dropping: no repeated respondent id, no column of 10+ digit numbers (phone or ID
    numbers) unless personal data are kept."""
    import numpy as np

    if not keep_pii:
        from .pii import header_kind
        if any(header_kind(c) for c in frame.columns):
            return False
        if frame.values.size:   # smallest and largest value, NaN left out (no |x| copy of the data)
            lo, hi = np.fmin.reduce(frame.values, axis=None), np.fmax.reduce(frame.values, axis=None)
            if lo <= -1e10 or hi >= 1e10:
                return False
    if frame.values.size and bool(np.isnan(frame.values).all(axis=1).any()):
        return False   # a blank row: the full reader drops it (blank rows never count)
    if instrument is not None and getattr(instrument, "experiment", None) is None and \
            (screening is None or screening.duplicates != "none"):
        idc = instrument.id_column()
        if idc in frame.columns:
            v = frame.matrix([idc])[:, 0]
            if np.unique(v).size != v.size:
                return False
    return True


def _refuse_infinite(frame, path) -> None:
    """AvoidSurveyError naming the first cell holding an infinite number ('inf', '1e400'):
    no analysis can use one, and every statistic touching it would be inf or NaN."""
    import numpy as np

    if hasattr(frame, "matrix"):   # the plain fast path holds whole numbers only
        return
    for c in frame.columns:
        col = frame[c]
        if col.dtype.kind == "f":
            bad = np.flatnonzero(np.isinf(col.to_numpy()))
            if bad.size:
                raise AvoidSurveyError(f"{float(col.iloc[bad[0]])} is not a finite number ({bad.size} such cell(s) in "
                                       f"this column); leave the cell empty for a missing answer",
                                       file=path, row=int(bad[0]) + 1, column=c)


def refuse_empty(frame, instrument, path) -> None:
    """AvoidSurveyError when there is nothing to analyse: no data rows, or instrument items
    present in the file but not one answer among them (an analysis would otherwise report
    "no variance" for every item)."""
    n = len(frame)
    if n == 0:
        flow = (getattr(frame, "attrs", None) or {}).get("screening") or []
        received = flow[0].get("n_remaining", 0) if flow else 0
        blank = next((s["n_removed"] for s in flow if s.get("step") == "blank"), 0)
        if received and blank == received:
            raise AvoidSurveyError(f"none of the {received} row(s) answers any item of the instrument: every item "
                                   f"cell is empty (run `avoid-survey validate`)", file=path)
        if received:
            raise AvoidSurveyError(f"the screening removed all {received} rows: nothing to analyse "
                                   f"(see the exclusion flow of `avoid-survey validate`)", file=path)
        raise AvoidSurveyError("the file has a header but no data rows: nothing to analyse", file=path)
    _refuse_infinite(frame, path)
    if instrument is None:
        return
    items = [it.id for it in instrument.items if it.id in frame.columns]
    if not items:
        return
    values = frame.matrix(items) if hasattr(frame, "matrix") else frame[items].to_numpy(dtype=float, na_value=float("nan"))
    import numpy as np
    if not np.isfinite(values).any():
        raise AvoidSurveyError(f"none of the {n} row(s) answers any of the {len(items)} item(s) of the instrument: "
                               f"every item cell is empty (run `avoid-survey validate`)", file=path)


def read_numeric(path, instrument=None):
    """``read(path, instrument, numeric_ok=True)``: kept for callers of the old name."""
    return read(path, instrument, numeric_ok=True)
