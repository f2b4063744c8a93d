"""The reading entry points: :func:`read` (every command), :func:`load` (the full reader
with provenance, used by ``validate``) and :func:`read_data` (a frame for analysis).

:func:`load` picks the format's reader from :data:`~.registry.READERS`, then does what
is the same for every format: headers matched to the instrument (:mod:`.headers`),
duplicate headers made unique, platform durations to seconds, answer labels to codes
(:mod:`.codes`). Problems that stop a run raise AvoidSurveyError with file, row and
column; everything else is recorded on the :class:`Loaded` result.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import AvoidSurveyError
from .codes import NUMERIC_TYPES, apply_value_labels, id_values, likert_out_of_range_to_missing, to_codes
from .headers import dedupe, match_headers
from .output import register_input
from .platforms import parse_duration
from .registry import READERS, RawTable, supported

__all__ = ["read", "read_data", "read_numeric", "load", "Loaded"]


@dataclass(frozen=True)
class Loaded:
    """A read file: the frame plus where every column and problem came from.

    frame : DataFrame, columns renamed to instrument ids where matched; instrument columns
        with a numeric meaning are float codes (NaN = missing or not convertible)
    info : format, encoding, delimiter, platform, header_rows, file, value_labels
    headers : the file's headers, in file order (one per frame column)
    match : {frame column: how it was matched} for renamed or recognised columns
    unmatched : frame columns the instrument does not know (instrument given)
    platform : {frame column: (kind, what, platform)} for survey-platform metadata columns
    duplicates : [(column, [1-based positions])]
    ragged : [(row, n_fields)] rows whose field count differs from the header's
    n_fields : number of header fields
    bad_cells : {column: (row positions 0-based ndarray, raw values ndarray)}
    raw_text_columns : columns whose answers arrived as text (labels)
    """

    frame: object
    info: dict
    headers: list
    match: dict
    unmatched: list
    platform: dict
    duplicates: list
    ragged: list
    n_fields: int
    bad_cells: dict
    raw_text_columns: list


def read(path, instrument=None, *, sheet=None, mapping=None, numeric_ok: bool = False):
    """Read a response file for an analysis: what every command calls.

    Parameters
    ----------
    path : file path (csv, tsv, txt, xlsx, xlsm, sav, dta, parquet)
    instrument : Instrument, bundled id, instrument file path, or None. When given, alias
        headers are renamed to item ids and every item / attention-check / numeric
        variable column becomes float codes; Likert codes outside the scale become missing
        (with a DataWarning).
    sheet : xlsx worksheet (name or 0-based number)
    mapping : {source header: column id}, applied before aliases
    numeric_ok : the caller needs only ``columns`` and numeric columns (``cfa``,
        ``reliability``): a plain CSV of whole-number codes then comes back as a
        :class:`~.plain.NumericFrame`, read without pandas

    Returns
    -------
    pandas.DataFrame (a new frame; the file is never modified), or a NumericFrame.
    """
    if instrument is not None and not hasattr(instrument, "items"):
        from avoid_survey.instruments import load_instrument
        instrument = load_instrument(instrument)
    if numeric_ok and sheet is None and mapping is None:
        from .plain import read_plain_numeric
        frame = read_plain_numeric(path, instrument)
        if frame is not None:
            return frame
    return read_data(path, instrument, sheet=sheet, mapping=mapping)


def read_numeric(path, instrument=None):
    """``read(path, instrument, numeric_ok=True)``: kept for callers of the old name."""
    return read(path, instrument, numeric_ok=True)


def read_data(path, instrument=None, *, sheet=None, mapping=None):
    """The full reader's frame, for analysis (an Instrument object or None).

    Ragged rows and duplicate columns raise AvoidSurveyError (run ``avoid-survey
    validate`` to see every problem); Likert codes outside the scale become missing.
    """
    ld = load(path, instrument, sheet=sheet, mapping=mapping)
    if ld.frame.shape[1] == 0:
        raise AvoidSurveyError("no columns", file=path)
    if ld.duplicates:
        name, pos = ld.duplicates[0]
        raise AvoidSurveyError(f"duplicate column '{name}' (columns {', '.join(map(str, pos))})",
                               file=path, row=0, column=name)
    if ld.ragged:
        row, nf = ld.ragged[0]
        raise AvoidSurveyError(f"row has {nf} fields but the header has {ld.n_fields} "
                               f"({len(ld.ragged)} such row(s); run `avoid-survey validate`)", file=path, row=row)
    frame = ld.frame
    if instrument is not None:
        frame = likert_out_of_range_to_missing(frame, instrument, path)
    return frame


def load(path, instrument=None, *, sheet=None, mapping=None, progress: bool = False) -> Loaded:
    """Read any supported file into a :class:`Loaded` (frame plus provenance).

    Raises AvoidSurveyError only when the file cannot be used at all (missing, empty, not
    text, undecodable, unsupported). Everything else — duplicate or unmatched headers,
    ragged rows, unconvertible cells — is recorded on the result.
    """
    p = Path(path)
    if not p.exists():
        raise AvoidSurveyError("file not found", file=p)
    if p.is_dir():
        raise AvoidSurveyError("is a directory, not a data file", file=p)
    register_input(p)
    raw = _read_raw(p, instrument, sheet, mapping, progress)
    if not raw.headers or not any(raw.headers):
        raise AvoidSurveyError("the file has no header row", file=p, line=1)
    headers = [h if h else f"(unnamed {i + 1})" for i, h in enumerate(raw.headers)]
    k = raw.n_fields if raw.n_fields is not None else len(headers)
    hm = match_headers(headers[:k], instrument, mapping, raw.questions)
    names, dups = dedupe(hm.names + headers[k:])
    unmatched = hm.unmatched + headers[k:] if instrument is not None else []
    df = raw.frame
    df.columns = names
    value_labels = raw.value_labels
    if value_labels:
        value_labels = {names[i]: value_labels[h] for i, h in enumerate(headers) if h in value_labels}
    info = raw.info
    if hm.platform and "platform" not in info:
        info["platform"] = Counter(p[2] for p in hm.platform.values()).most_common(1)[0][0]
    dup_names = {n for n, _ in dups}
    _platform_durations(df, hm.platform, dup_names)
    bad_cells, text_columns = {}, []
    if instrument is not None:
        missing_counts: dict = {}
        bad_cells, text_columns = _answers_to_codes(df, instrument, value_labels, dup_names, missing_counts)
        if missing_counts:  # {column: {code: n}}: answers given as a missing code (validate reports them)
            info["missing_codes"] = {c: {f"{k:g}": n for k, n in m.items()} for c, m in missing_counts.items()}
    info["value_labels"] = value_labels
    df.attrs["source"] = info
    return Loaded(df, info, headers, hm.match, unmatched, hm.platform, dups, raw.ragged, k, bad_cells, text_columns)


def _read_raw(p: Path, instrument, sheet, mapping, progress) -> RawTable:
    """The format's reader on ``p``; its library's errors become one AvoidSurveyError."""
    ext = p.suffix.lower()
    try:
        entry = READERS.entry(ext) if ext in READERS else None
        if (entry is None or not entry.meta.get("text")) and p.stat().st_size == 0:
            raise AvoidSurveyError("the file is empty", file=p)
        if entry is None:
            raise AvoidSurveyError(f"unsupported file type '{ext or '(none)'}' (use {', '.join(supported())})",
                                   file=p)
        return entry.load()(p, instrument=instrument, mapping=mapping, sheet=sheet, progress=progress)
    except AvoidSurveyError:
        raise
    except MemoryError:
        raise
    except (OSError, ValueError, KeyError, ImportError, IndexError) as exc:
        raise AvoidSurveyError(f"cannot read {ext.lstrip('.') or 'file'}: {' '.join(str(exc).split())[:200]}",
                               file=p) from None
    except Exception as exc:  # readers of binary formats raise their own types
        raise AvoidSurveyError(f"cannot read {ext.lstrip('.') or 'file'}: {type(exc).__name__}: "
                               f"{' '.join(str(exc).split())[:200]}", file=p) from None


def _platform_durations(df, platform: dict, dup_names) -> None:
    """Platform duration columns ("125秒", "2分5秒") to seconds, in place."""
    for col, (kind, _what, _pl) in list(platform.items()):
        if kind == "duration" and col in df.columns and col not in dup_names:
            df[col] = parse_duration(df[col])


def _answers_to_codes(df, instrument, value_labels: dict, dup_names, missing_counts: dict | None = None):
    """Instrument columns to codes, in place: answers (numbers or labels) to float codes,
    ids and free text to their type. Returns (bad_cells, columns that arrived as text)."""
    import numpy as np
    import pandas as pd

    resp = instrument.responses()
    missing_counts = {} if missing_counts is None else missing_counts
    durations = {v.id for v in instrument.variables if v.role == "duration"}
    bad_cells, text_columns = {}, []
    for col in df.columns:
        fmt = resp.get(col)
        if fmt is None or col in dup_names:
            continue
        s = df_col = df[col]
        if col in durations and not pd.api.types.is_numeric_dtype(s):
            s = parse_duration(s)   # "125秒", "2分5秒"
        if fmt.type in NUMERIC_TYPES:
            if col in value_labels and pd.api.types.is_numeric_dtype(s):
                s = apply_value_labels(col, s, value_labels[col], fmt)
            was_text = not pd.api.types.is_numeric_dtype(s)
            mcounts: dict = {}
            codes, bad = to_codes(s, fmt, mcounts if fmt.missing_codes else None)
            if mcounts:  # answers given as a missing code (8 = don't know ...): validate counts them
                missing_counts[col] = mcounts
            if was_text:
                text_columns.append(col)
            if bad.any():
                pos = np.flatnonzero(bad)
                bad_cells[col] = (pos, s.to_numpy()[pos])
            if codes is not df_col:
                df[col] = codes
        elif fmt.type in ("id", "text"):
            df[col] = id_values(s)
    return bad_cells, text_columns
