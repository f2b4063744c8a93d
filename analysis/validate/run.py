"""The validation run: read the file once, run the check families in a fixed order,
collect the report, and write the clean data when asked."""
from __future__ import annotations

from dataclasses import replace

from .clean import write_clean
from .collect import Collector
from .indices import check_careless
from .items import check_items
from .privacy import check_privacy
from .report import ValidationReport
from .respondents import answer_matrix, check_answered, check_attention, check_speeders, respondent_ids
from .structure import check_columns, check_structure
from .thresholds import Thresholds
from .values import check_values

__all__ = ["validate", "validate_loaded"]


def validate(path, instrument=None, *, id_column=None, thresholds=None, sheet=None, mapping=None,
             clean=None, keep_pii: bool | None = None, force: bool = False, progress: bool = False,
             lang: str = "zh", screening=None, keep_flagged: bool = False) -> ValidationReport:
    """Validate a response file against an instrument; never modifies the file.

    Parameters
    ----------
    path : response file (csv, xlsx, sav, dta, parquet)
    instrument : Instrument, bundled id, path, or None (structural checks only)
    id_column : respondent id column (default: the instrument variable with role ``id``)
    thresholds : :class:`Thresholds` or a mapping of its fields
    sheet, mapping : passed to the reader (xlsx sheet; {header: column id})
    clean : optional output path: write the analysed sample there (see :mod:`.clean`)
    keep_pii, force : keep PII columns in ``clean``; overwrite an existing ``clean`` file
    screening : :class:`~.screening.Screening` (default: the command's read options; blank
        rows only); its exclusion flow is on the report (``screening``)
    keep_flagged : ``clean`` keeps the screened rows, with their ``flag_*`` columns

    Returns
    -------
    ValidationReport. Raises AvoidSurveyError only when the file cannot be used at all.

    Notes
    -----
    Careless-response indices follow R ``careless`` (longstring, irv, mahad, evenodd);
    the Mahalanobis cut-off is ``qchisq(1 - alpha, df = k)`` on the complete cases.
    """
    from ..io import drop_prescan, prescan

    scan = prescan(path)  # a large CSV's bytes are checked while pandas and the instrument load
    try:
        return _validate(path, instrument, id_column=id_column, thresholds=thresholds, sheet=sheet,
                         mapping=mapping, clean=clean, keep_pii=keep_pii, force=force, progress=progress, lang=lang,
                         screening=screening, keep_flagged=keep_flagged)
    finally:
        drop_prescan(scan)



def _validate(path, instrument, *, id_column, thresholds, sheet, mapping, clean, keep_pii, force, progress, lang,
              screening, keep_flagged):
    from ..io import load
    from ..io.readopts import current
    from .screening import screen

    if instrument is not None and not hasattr(instrument, "items"):
        from avoid_survey.instruments import load_instrument
        instrument = load_instrument(instrument)
    opts = current()
    sheet = sheet if sheet is not None else opts.sheet
    mapping = mapping if mapping is not None else opts.mapping
    keep_pii = opts.keep_pii if keep_pii is None else keep_pii
    screening = screening if screening is not None else opts.screening
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_mapping(thresholds)
    # compact: a large CSV's Likert answers may stay int8 codes (the checks read those)
    ld = load(path, instrument, sheet=sheet, mapping=mapping, progress=progress, compact=True)
    ranges: dict = {}
    report = validate_loaded(path, instrument, ld, th, id_column=id_column, _ranges=ranges)
    sc = screen(ld, instrument, screening, path)
    if instrument is not None:
        from ..io.codes import count_out_of_range
        from .screening import add_out_of_range
        # the range check's masks count the analysed rows' out-of-range cells (no second pass)
        n_oor = count_out_of_range(ld.frame, instrument, rows=None if sc.keep.all() else sc.keep, known=ranges)
        sc = replace(sc, flow=add_out_of_range(sc.flow, n_oor))
    opts.log.add_flow(path, sc.flow)
    from .screening import flow_note
    flow_note(path, sc.flow, screening)
    if opts.write_map is not None and instrument is not None:
        from ..io.load import write_map_file
        write_map_file(ld, instrument, opts.write_map, force=opts.force or force)
    report = replace(report, screening=sc.flow, screen_flags=sc.flags, keep=sc.keep, loaded=ld,
                     careless_k=screening.careless_k if screening is not None else 2)
    if clean is not None:
        report = replace(report, clean_file=write_clean(report, clean, keep_pii=keep_pii, instrument=instrument,
                                                        force=force, lang=lang, keep_flagged=keep_flagged))
    return report


def validate_loaded(path, instrument, ld, th, *, id_column=None, _ranges=None) -> ValidationReport:
    """Every check on a file already read (:func:`~avoid_survey.analysis.io.load`).

    ``_ranges`` (a dict) receives {column: (response format, out-of-range mask or None)}
    of the columns the range check read (for :func:`~..io.codes.count_out_of_range`).

    BLAS runs single-threaded meanwhile, whoever the caller (``validate``, or the careless
    screening rules of the other commands): its products here are small, and the checks run
    in threads of their own (Mahalanobis D² over two), which OpenBLAS's own workers would
    oversubscribe. The caller's limits are restored afterwards."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency
        return _validate_loaded(path, instrument, ld, th, id_column=id_column, _ranges=_ranges)
    with threadpool_limits(1):
        return _validate_loaded(path, instrument, ld, th, id_column=id_column, _ranges=_ranges)


def _validate_loaded(path, instrument, ld, th, *, id_column=None, _ranges=None) -> ValidationReport:
    df = ld.frame
    n = int(df.shape[0])
    col = Collector(th.max_listed)
    dup_names = {nm for nm, _ in ld.duplicates}
    check_structure(col, ld, instrument, n)
    items = check_columns(col, df, instrument, dup_names) if instrument is not None else []
    ids, n_resp = respondent_ids(col, df, instrument, id_column, dup_names, path)
    indices, flags = {}, {}
    if instrument is not None and n and items and not _any_answer(df, items):
        col.add("no-answers", n=n, k=len(items))
    if instrument is not None and n:
        oor, col_stats = check_values(col, ld, instrument, items, ids, dup_names)
        if _ranges is not None:
            resp = instrument.responses()
            _ranges.update({c: (resp[c], oor.get(c)) for c in col_stats})
        if items:
            _respondents_and_items(col, ld, instrument, items, ids, th, dup_names, oor, col_stats, indices, flags)
    pii = check_privacy(col, ld, instrument, set(items))
    if instrument is not None and ld.unmatched:
        _map_hint(col, ld, instrument, items)
    return _report(path, instrument, ld, n, n_resp, col, th, indices, flags, pii)


def _any_answer(df, items) -> bool:
    """Whether any cell of the ``items`` columns holds an answer, column by column (stops
    at the first column with one; no frame-sized mask)."""
    for c in dict.fromkeys(items):
        if bool(df[c].notna().to_numpy().any()):
            return True
    return False


def _map_hint(col, ld, instrument, items) -> None:
    """Unmatched headers with the closest item text; one hint that --map / --write-map exist."""
    from ..io.suggest import suggest, unmatched_questions

    heads = unmatched_questions(ld)
    present = set(items)
    if not heads or all(i in present for s in instrument.scales if not s.optional for i in s.item_ids):
        return   # every item found: the other columns are extras, not misnamed items
    from ..io.suggest import MIN_SIMILARITY

    sugg = suggest(heads, instrument, present=items)
    for s in sugg:
        if s.column is not None and s.similarity >= MIN_SIMILARITY:
            col.add("unmatched-closest", column=s.header, item=s.column, text=s.text[:40],
                    similarity=f"{s.similarity:.2f}")
    n_missing = sum(1 for s in instrument.scales if not s.optional for i in s.item_ids if i not in present)
    if n_missing:
        col.add("map-hint", n=len(heads), k=n_missing)


def _respondents_and_items(col, ld, instrument, items, ids, th, dup_names, oor, col_stats, indices, flags):
    """The respondent checks, the careless-response indices and the item checks."""
    ans = answer_matrix(ld.frame, items, oor, ld.bad_cells, col_stats)
    check_answered(col, ans, ids, th, flags)
    check_attention(col, ld.frame, instrument, ids, dup_names, flags)
    check_speeders(col, ld, instrument, len(items), ids, th, dup_names, flags, indices)
    codes8 = [col_stats.get(c, {}).get("int8") for c in items]
    rest = check_careless(col, ans, items, instrument, ids, th, indices, flags, codes8)
    check_items(col, ans, items, instrument, th, rest, codes8)


def _report(path, instrument, ld, n, n_resp, col, th, indices, flags, pii) -> ValidationReport:
    import numpy as np
    import pandas as pd

    df = ld.frame
    return ValidationReport(
        file=str(path), instrument=instrument.id if instrument is not None else None, n_rows=n,
        n_respondents=n_resp, findings=col.findings, counts=dict(col.counts), read=ld.info,
        columns={c: m for c, m in ld.match.items()}, thresholds=th,
        # copy=False: the columns stay the arrays computed above (no consolidating copy)
        indices=pd.DataFrame(indices, index=df.index, copy=False) if indices else None,
        flags=pd.DataFrame({k: v.astype(np.int8) for k, v in flags.items()}, index=df.index,
                           copy=False) if flags else None,
        frame=df, pii_columns=pii)
