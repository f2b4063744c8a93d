"""The CSV reader (also .txt, .tsv and files without an extension).

UTF-8 (with or without BOM) or GB18030/GBK, the delimiter sniffed (``,`` ``;`` tab ``|``),
a Qualtrics export's two extra header rows detected. Ragged rows are found exactly and
reported, not raised; large files are checked in chunks first (:mod:`.scan`).
"""
from __future__ import annotations

import csv
import io as _io
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import AvoidSurveyError
from . import scan
from .codes import NUMERIC_TYPES
from .encoding import check_bytes, detect_encoding, sniff_delimiter
from .headers import match_headers
from .platforms import is_qualtrics_import_row
from .registry import RawTable

__all__ = ["read_csv"]

_PLAIN_INT = re.compile(r"[1-9]\d{0,14}")


def read_csv(p: Path, *, instrument=None, mapping=None, sheet=None, progress: bool = False,
             compact: bool = False) -> RawTable:
    """Read a delimited text file into a :class:`~.registry.RawTable` (``sheet`` unused).

    ``compact``: a large, plain file (see :mod:`.read_arrow`) is parsed by pyarrow, its
    Likert answers kept as int8 codes where no cell is missing (``validate``)."""
    size = p.stat().st_size
    bar = scan.Progress(p.name, size) if progress and size > scan.PROGRESS_BYTES else None
    if size > scan.SCAN_BYTES:
        # pandas is needed below: importing it first lets a background scan (validate's
        # prescan) finish meanwhile, instead of the import waiting for the scan
        import pandas  # noqa: F401
    try:
        stats = scan.take_scan(p, size, bar)
        if stats is not None:
            return _read_csv_bytes(p, stats.pop("head"), instrument, mapping, bar, stats, compact=compact)
        return _read_csv_bytes(p, scan.read_bytes(p, size, bar), instrument, mapping, bar)
    finally:
        if bar is not None:
            bar.close()


@dataclass(frozen=True)
class _Head:
    """The header record(s) of a CSV and the first data records."""

    delim: str
    headers: list
    n_head: int          # header rows (3 for a Qualtrics export)
    questions: list | None
    platform: str | None
    records: list        # the first ~200 data records, to see whether id columns hold plain integers


def _read_csv_bytes(p: Path, raw, instrument, mapping, bar, stats=None, full_count: bool = False,
                    compact: bool = False) -> RawTable:
    """``raw`` is the whole file, or with ``stats`` (from the chunked scan) its head.

    The cheap checks (total delimiter counts) cannot see a short row and a long row whose
    field counts cancel out. The parser refuses a row longer than the header (also the first
    one, which pandas would otherwise take as an index) unless its extra fields are empty,
    and a short row leaves the last column missing; in either case the file is read again
    with every record's fields counted (``full_count``)."""
    enc = stats["enc"] if stats is not None else _encoding(p, raw)
    head = _head(p, raw, enc, stats["size"] if stats else len(raw))
    k = len(head.headers)
    if stats is not None and not _counts_add_up(stats, head.delim, k):
        raw = scan.read_bytes(p, stats["size"], None)  # something is ragged: find it exactly, in memory
        stats = None
    # rows the parser must return when the chunked checks passed: any fewer means blank
    # lines were skipped, and the exact, in-memory path then accounts for every record
    fast_rows = None if stats is None else _n_records(stats) - head.n_head
    ragged, nfields, exact = ([], k, False) if stats is not None else _ragged_rows(p, raw, enc, head, k, full_count)
    names_pos = [f"__c{i}" for i in range(nfields)]
    dtype, numeric = _column_types(head, instrument, mapping, names_pos)
    del raw  # the parser reads the file itself; free the bytes for its arrays
    df = None
    if compact and stats is not None:   # vetted by the chunked scan: plain, not ragged
        from .read_arrow import parse_plain

        if bar is not None:
            bar.phase("parsing")
        df = parse_plain(p, delim=head.delim, skip_rows=head.n_head, names=names_pos, text=set(dtype),
                         numeric=set(numeric), codes8={c for c, t in numeric.items() if t == "int8"})
        exact = df is not None   # pyarrow refuses a record with another field count
    if df is None:
        df = _parse(p, head, enc, names_pos, dtype, numeric, bar, exact=exact)
    # a short row is padded with missing values at the end; the totals can hide it behind a
    # row with trailing empty fields, which the parser drops silently: count every record
    suspect = df is not None and not exact and len(df.columns) and bool(df.iloc[:, -1].isna().any())
    if df is None or suspect or (fast_rows is not None and len(df) != fast_rows):
        del df
        return _read_csv_bytes(p, scan.read_bytes(p, p.stat().st_size, None), instrument, mapping, bar,
                               full_count=True)
    headers_all = head.headers + [f"(extra field {j - k + 1})" for j in range(k, nfields)]
    info = {"file": str(p), "format": "csv", "encoding": "gb18030" if enc == "gb18030" else "utf-8",
            "bom": enc == "utf-8-sig", "delimiter": head.delim, "header_rows": head.n_head}
    if head.platform:
        info["platform"] = head.platform
    return RawTable(df, headers_all, info, head.questions, ragged, k)


def _encoding(p: Path, raw) -> str:
    check_bytes(raw, p)
    return detect_encoding(raw, p)


def _head(p: Path, raw, enc: str, size: int) -> _Head:
    """Delimiter and header record(s), parsed with the csv module on the first part of the file."""
    MAX = scan.MAX_RECORD_BYTES
    nl1 = raw.find(b"\n", 0, MAX + 1)
    if nl1 < 0 and size > MAX:
        raise AvoidSurveyError(f"the header is longer than {MAX:,} bytes: not a survey data file", file=p, line=1)
    head_text = raw[:256_000].decode(enc, errors="ignore")
    delim = "\t" if p.suffix.lower() == ".tsv" else sniff_delimiter(head_text)
    # a field may be as long as a record may be (longer records are reported with their row
    # below, not as the csv module's "field larger than field limit" on line 1)
    if csv.field_size_limit() < MAX + 1:
        csv.field_size_limit(MAX + 1)
    rdr = csv.reader(_io.StringIO(head_text), delimiter=delim)
    first = []
    try:
        for _ in range(3):
            first.append(next(rdr))
    except StopIteration:
        pass
    except csv.Error as exc:
        raise AvoidSurveyError(f"cannot parse the CSV header: {exc}", file=p, line=1) from None
    sample = []
    try:
        for _ in range(200):
            sample.append(next(rdr))
    except (StopIteration, csv.Error):
        pass
    if not first or not any(x.strip() for x in first[0]):
        raise AvoidSurveyError("the file has no header row", file=p, line=1)
    headers = [h.strip() for h in first[0]]
    if len(first) >= 3 and is_qualtrics_import_row(first[2]):
        return _Head(delim, headers, 3, [q.strip() for q in first[1]], "qualtrics", sample)
    return _Head(delim, headers, 1, None, None, [*first[1:], *sample])


def _n_records(stats) -> int:
    return stats["n_nl"] + (0 if stats["last"] == b"\n" else 1)


def _counts_add_up(stats, delim: str, k: int) -> bool:
    """The chunked counts show every record with k fields (no ragged row, no blank line)."""
    return (not stats["blank"] and k > 1 and stats["delims"].get(ord(delim), -1) == _n_records(stats) * (k - 1)
            and stats.get("longest", 0) <= scan.MAX_RECORD_BYTES)


def _ragged_rows(p: Path, raw, enc: str, head: _Head, k: int, full: bool = False):
    """([(row, n_fields)] of data rows whose field count differs from the header's, the
    largest field count, whether every record was counted): a cheap check of the totals
    first (unless ``full``), the full count when it fails. The totals can add up over
    ragged rows that cancel out; the parser then finds the long one and the caller asks
    for the full count."""
    import numpy as np

    delim, n_head = head.delim, head.n_head
    start = 3 if enc == "utf-8-sig" else 0
    text = raw if enc != "gb18030" or delim in ",;\t" else raw.decode("gb18030").encode("utf-8")
    simple = (b'"' not in text) and (b"\r\n\r\n" not in text)
    n_rec = text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
    if (simple and text.count(delim.encode()) == n_rec * (k - 1) and b"\n\n" not in text[start:]
            and (len(text) < scan.MAX_RECORD_BYTES or k > 1) and not full
            and scan.longest_record(text) <= scan.MAX_RECORD_BYTES):
        return [], k, False
    counts, lengths = scan.field_counts(text, delim, start)
    blank = scan.blank_mask(text, counts, lengths, start)
    too_long = np.flatnonzero(lengths > scan.MAX_RECORD_BYTES)
    if too_long.size:
        i = int(too_long[0])
        if i < n_head:
            raise AvoidSurveyError(f"the header is longer than {scan.MAX_RECORD_BYTES:,} bytes: not a survey data "
                                   f"file", file=p, line=1)
        raise AvoidSurveyError(f"a row is longer than {scan.MAX_RECORD_BYTES:,} bytes: not a survey data file",
                               file=p, row=int(np.count_nonzero(~blank[n_head:i])) + 1)
    data_counts = counts[n_head:][~blank[n_head:]]
    bad = np.flatnonzero(data_counts != k)
    ragged = [(int(i) + 1, int(data_counts[i])) for i in bad]
    nfields = max(k, int(data_counts.max())) if data_counts.size else k
    return ragged, nfields, True


def _column_types(head: _Head, instrument, mapping, names_pos):
    """({position: str} for columns that must stay text (ids, free text, dates), {position:
    "int8" or "float64"} for numeric answers: "int8" for Likert codes that fit one)."""
    dtype, numeric = {}, {}
    if instrument is None:
        return dtype, numeric
    pre_names = match_headers(head.headers, instrument, mapping, head.questions).names
    resp = instrument.responses()
    for i, nm in enumerate(pre_names):
        fmt = resp.get(nm)
        if fmt is not None and fmt.type in ("id", "text", "date"):
            # ids that are plain integers ("1024", no leading zero) parse much faster as
            # numbers and lose nothing; anything else is read as text
            vals = [r[i].strip() for r in head.records if i < len(r)]
            if fmt.type == "date" or not vals or not all(_PLAIN_INT.fullmatch(v) or not v for v in vals):
                dtype[names_pos[i]] = str
        elif fmt is not None and fmt.type in NUMERIC_TYPES:
            # a duplicated column is not converted to codes (load): floats, as pandas gives
            fits8 = fmt.type == "likert" and -128 <= fmt.min and fmt.max <= 127 and pre_names.count(nm) == 1
            numeric[names_pos[i]] = "int8" if fits8 else "float64"
    return dtype, numeric


def _parse(p: Path, head: _Head, enc: str, names_pos, dtype, numeric, bar, exact: bool):
    """The data records as a frame of positional columns; None when the chunked checks
    missed something the parser found (``exact`` False): the caller reads again exactly."""
    import pandas as pd

    import warnings

    # index_col=False: a first data row longer than the header is an error (ParserWarning,
    # raised below), not an index column that silently shifts every row
    kw = dict(sep=head.delim, header=None, skiprows=head.n_head, names=names_pos, index_col=False,
              encoding="utf-8" if enc == "utf-8" else enc, engine="c", skip_blank_lines=True)
    if bar is not None:
        bar.phase("parsing")
    try:
        # answers are parsed with type inference, not as float64: whole-number codes ("1".."5")
        # parse about 3x faster as integers and are turned into float codes below, in one go;
        # a column holding labels ("非常同意") arrives as text and is mapped to codes by load()
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(str(p), dtype=dtype or None, **kw)
        ints = [c for c in numeric if c in df.columns and pd.api.types.is_integer_dtype(df[c].dtype)]
        if ints:
            df = _ints_to_float(df, ints)
    except pd.errors.EmptyDataError:
        df = pd.DataFrame(columns=names_pos)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        if not exact:
            return None
        raise AvoidSurveyError(f"cannot parse CSV: {' '.join(str(exc).split())[:200]}", file=p) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise AvoidSurveyError(f"cannot read CSV: {' '.join(str(exc).split())[:200]}", file=p) from None
    return df


def _ints_to_float(df, cols):
    """``df`` with the int64 columns ``cols`` as float64, converted in their own memory.

    int64 and float64 have the same width, so each column is rewritten in place in small
    slices and the frame is rebuilt around the same buffers: no second copy of the answers
    (a 1,000,000 x 60 file would otherwise need 480 MB more at once). The frame was just
    parsed and nothing else holds it. Columns that are not plain int64 views are copied.
    """
    import numpy as np
    import pandas as pd

    out = {}
    todo = set(cols)
    for i, c in enumerate(df.columns):
        s = df.iloc[:, i]
        if c not in todo:
            out[c] = s
            continue
        a = s.to_numpy()
        if a.dtype == np.int64 and a.base is not None and a.flags.c_contiguous:
            try:
                a.setflags(write=True)
            except ValueError:
                a = None
        else:
            a = None
        if a is None:
            out[c] = s.astype("float64")
            continue
        f = a.view(np.float64)
        step = 1 << 16
        for lo in range(0, a.size, step):
            f[lo:lo + step] = a[lo:lo + step]
        out[c] = f
    return pd.DataFrame(out, index=df.index, copy=False)
