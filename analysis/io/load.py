"""The full reader: :func:`load` (a file with provenance, used by ``validate``) and
:func:`read_data` (a frame for analysis), behind :func:`~.entry.read` (every command's
reading entry, re-exported here).

:func:`load` picks the format's reader from :data:`~.registry.READERS`, then does what
is the same for every format: headers matched to the instrument (:mod:`.headers`),
duplicate headers made unique, platform durations to seconds, answer labels to codes
(:mod:`.codes`). Problems that stop a run raise AvoidSurveyError with file, row and
column; everything else is recorded on the :class:`Loaded` result.
"""
from __future__ import annotations

# the header matcher (.headers), the answer-label coding (.codes) and the platform durations
# (.platforms) are imported where the full reader uses them: read() of a plain numeric CSV
# needs none of them
import os
from collections import Counter
from dataclasses import dataclass

from ..core.errors import AvoidSurveyError
from ..core.inputs import check_input, register_input
from .entry import read, read_numeric, refuse_empty   # noqa: F401  (the entry, importable from here as before)

__all__ = ["read", "read_data", "read_numeric", "load", "Loaded", "drop_pii", "write_map_file"]


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


def read_data(path, instrument=None, *, sheet=None, mapping=None, screening=None, keep_pii=None, units=None,
              hints: bool = True):
    """The full reader's frame, for analysis (an Instrument object or None).

    Ragged rows and duplicate columns raise AvoidSurveyError (run ``avoid-survey
    validate`` to see every problem). Then the screening (blank rows, repeated ids and
    the rules of ``screening``), Likert codes outside the scale to missing, personal-data
    columns dropped (unless ``keep_pii``), nested unit ids made composite; options left
    None take the command's read options.
    """
    from .readopts import current

    opts = current()
    keep_pii = opts.keep_pii if keep_pii is None else keep_pii
    screening = opts.screening if screening is None else screening
    units = tuple(units if units is not None else (opts.units or getattr(instrument, "units", ()) or ()))
    ld = load(path, instrument, sheet=sheet if sheet is not None else opts.sheet,
              mapping=mapping if mapping is not None else opts.mapping)
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
    if instrument is not None and hints:
        _unmatched_note(ld, instrument, path, opts)
    elif opts.write_map is not None and hints:
        from ..core.errors import DataWarning, warn
        warn("--write-map needs --instrument: the mapping is found through the instrument's item texts",
             DataWarning)
    from ..validate.screening import add_out_of_range, flow_note, screen

    sc = screen(ld, instrument, screening, path)
    frame = ld.frame
    if not sc.keep.all():
        frame = frame.loc[sc.keep].reset_index(drop=True)
        frame.attrs = dict(ld.frame.attrs)
    flow = sc.flow
    if instrument is not None:
        from .codes import count_out_of_range, likert_out_of_range_to_missing
        n_oor = count_out_of_range(frame, instrument)
        frame = likert_out_of_range_to_missing(frame, instrument, path)
        flow = add_out_of_range(flow, n_oor)
    flow_note(path, flow, screening)
    frame.attrs["screening"] = flow
    opts.log.add_flow(path, flow)
    if not keep_pii:
        frame = drop_pii(frame, instrument, ld.platform, path, opts.log)
    if units:
        from .units import composite_units
        frame = composite_units(frame, units, path)
    return frame


def drop_pii(frame, instrument, platform, path, log=None):
    """``frame`` without its personal-data columns (:mod:`.pii`), said in one note."""
    from ..core.errors import DataNote, warn
    from .pii import pii_columns

    found = pii_columns(frame, instrument, platform)
    if not found:
        return frame
    frame = frame.drop(columns=list(found))
    if log is not None:
        log.pii_dropped.append((str(path), list(found)))
    shown = ", ".join(f"{c} ({k})" for c, k in found.items())
    warn(f"{os.path.basename(os.fspath(path))}: personal-data column(s) dropped: {shown}; no output will contain them "
         f"(--keep-pii keeps them)", DataNote)
    return frame


def _unmatched_note(ld, instrument, path, opts) -> None:
    """Headers left unmatched while items are missing: the closest item text of each, in
    one note; ``--write-map`` writes the mapping file."""
    from ..core.errors import DataNote, warn
    from .suggest import suggest, unmatched_questions

    if opts.write_map is not None:
        write_map_file(ld, instrument, opts.write_map, force=opts.force)
    from .pii import header_kind

    heads = [h for h in unmatched_questions(ld) if not header_kind(h)]
    present = set(ld.frame.columns)
    missing = [i for s in instrument.scales if not s.optional for i in s.item_ids if i not in present]
    if not heads or not missing:
        return
    from .suggest import MIN_SIMILARITY

    sugg = [s for s in suggest(heads, instrument, present=present)
            if s.column is not None and s.similarity >= MIN_SIMILARITY]
    if not sugg:
        return   # nothing close: `validate` lists the missing columns
    shown = "; ".join(f"'{s.header[:40]}' ~ {s.column} '{s.text[:30]}' ({s.similarity:.2f})" for s in sugg[:5])
    more = f" and {len(sugg) - 5} more" if len(sugg) > 5 else ""
    warn(f"{os.path.basename(os.fspath(path))}: {len(heads)} header(s) match no column of the instrument and {len(missing)} item(s) "
         f"were not found; closest: {shown}{more}. `--write-map map.yaml` writes a mapping to check and pass "
         f"back with `--map map.yaml`", DataNote)


def write_map_file(ld, instrument, out, *, force: bool = False) -> None:
    """Write the ``--map`` file of ``ld`` (matched headers and suggestions) to ``out``."""
    from ..core.errors import DataNote, warn
    from .output import write_atomic
    from .suggest import map_text, suggest, unmatched_questions
    from .readopts import log

    if str(out) in log().maps_written:
        return
    heads = unmatched_questions(ld)
    text = map_text(ld, suggest(heads, instrument, present=set(ld.frame.columns)))
    from pathlib import Path

    write_atomic(Path(out), text, force)
    log().maps_written.append(str(out))
    warn(f"wrote {out}: the mapping of {len(ld.match)} matched and {len(heads)} unmatched header(s); "
         f"check it, then pass it with --map {out}", DataNote)


def load(path, instrument=None, *, sheet=None, mapping=None, progress: bool = False,
         compact: bool = False) -> Loaded:
    """Read any supported file into a :class:`Loaded` (frame plus provenance).

    Answers are float codes (NaN: missing). With ``compact`` (``validate``), the Likert
    answers of a large, plain CSV may instead stay int8 codes, where no cell is missing
    or given as a missing code: the same numbers in an eighth of the memory (see
    :mod:`.read_arrow`).

    Raises AvoidSurveyError only when the file cannot be used at all (missing, empty, not
    text, undecodable, unsupported). Everything else — duplicate or unmatched headers,
    ragged rows, unconvertible cells — is recorded on the result.
    """
    p = check_input(path, "data file")
    raw = _read_raw(p, instrument, sheet, mapping, progress, compact)
    if not raw.headers or not any(raw.headers):
        raise AvoidSurveyError("the file has no header row", file=p, line=1)
    headers = [h if h else f"(unnamed {i + 1})" for i, h in enumerate(raw.headers)]
    k = raw.n_fields if raw.n_fields is not None else len(headers)
    from .headers import dedupe, match_headers
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
        bad_cells, text_columns = _answers_to_codes(df, instrument, value_labels, dup_names, missing_counts,
                                                    keep_int8=compact)
        if missing_counts:  # {column: {code: n}}: answers given as a missing code (validate reports them)
            info["missing_codes"] = {c: {f"{k:g}": n for k, n in m.items()} for c, m in missing_counts.items()}
    info["value_labels"] = value_labels
    info["n_read"] = len(df)   # the rows the missing-code counts describe (describe checks it)
    df.attrs["source"] = info
    return Loaded(df, info, headers, hm.match, unmatched, hm.platform, dups, raw.ragged, k, bad_cells, text_columns)


def _read_raw(p: Path, instrument, sheet, mapping, progress, compact: bool = False) -> RawTable:
    """The format's reader on ``p``; its library's errors become one AvoidSurveyError."""
    from .registry import READERS, supported

    ext = p.suffix.lower()
    try:
        entry = READERS.entry(ext) if ext in READERS else None
        if (entry is None or not entry.meta.get("text")) and p.stat().st_size == 0:
            raise AvoidSurveyError("the file is empty", file=p)
        if entry is None:
            raise AvoidSurveyError(f"unsupported file type '{ext or '(none)'}' (use {', '.join(supported())})",
                                   file=p)
        kw = {"compact": True} if compact and entry.meta.get("text") else {}
        return entry.load()(p, instrument=instrument, mapping=mapping, sheet=sheet, progress=progress, **kw)
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
    from .platforms import parse_duration

    for col, (kind, _what, _pl) in list(platform.items()):
        if kind == "duration" and col in df.columns and col not in dup_names:
            df[col] = parse_duration(df[col])


def _answers_to_codes(df, instrument, value_labels: dict, dup_names, missing_counts: dict | None = None,
                      keep_int8: bool = False):
    """Instrument columns to codes, in place: answers (numbers or labels) to float codes
    (int8 codes stay with ``keep_int8``), ids and free text to their type. Returns
    (bad_cells, columns that arrived as text)."""
    import numpy as np
    import pandas as pd

    from .codes import NUMERIC_TYPES, apply_value_labels, id_values, to_codes
    from .platforms import parse_duration

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
            codes, bad = to_codes(s, fmt, mcounts if fmt.missing_codes else None, keep_int8=keep_int8)
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
