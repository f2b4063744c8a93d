"""Reading response files into one kind of frame.

``read_data(path, instrument)`` is what analysis commands call: it reads CSV (encoding and
delimiter detected), XLSX, SPSS .sav, Stata .dta or Parquet, maps column aliases of the
instrument to item ids and turns answer labels ("非常同意", "Strongly agree", "5 非常同意")
into codes, so every instrument item column comes back numeric (float, NaN = missing).
Problems that stop a run raise AvoidSurveyError with file, row and column.

``load(path, instrument)`` is the full reader behind it (used by ``validate``): it returns
a :class:`Loaded` with the frame plus provenance — encoding, delimiter, survey platform,
how each header was matched, unmatched headers, duplicate headers, ragged rows and every
cell that could not be turned into a code — so problems can be reported instead of raised.

Survey-platform exports
-----------------------
* Wenjuanxing/问卷星: question text as headers, optionally numbered ("1.", "Q1.", "1、") and
  for matrix questions followed by "—" and the row text; metadata columns 序号, 提交答卷时间,
  所用时间 ("125秒" -> 125 seconds), 来源, 来源详情, 来自IP.
* Qualtrics CSV: a second header row of question text and a third of ``{"ImportId": ...}``
  are detected and skipped (data row 1 is the first respondent); the question text row is
  used to match columns too.
Headers are matched to the instrument by: the ``mapping`` ({header: column id}), the column
id itself, a declared alias, then the normalised header (NFKC, numbering, punctuation and
whitespace removed, case folded) against normalised aliases and item/variable texts in
either language.
"""
from __future__ import annotations

import csv
import io as _io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import AvoidSurveyError
from .output import register_input

__all__ = ["read_data", "read_numeric", "read_plain_numeric", "NumericFrame", "load", "Loaded", "decode_text", "detect_encoding", "SUPPORTED",
           "norm_header", "norm_label", "parse_duration", "PLATFORM_COLUMNS"]

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav", ".dta", ".parquet")
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_RECORD_BYTES = 1_000_000      # one CSV record (row) longer than this is not survey data
PROGRESS_BYTES = 50 * 1024 * 1024  # show a progress bar when reading files larger than this

# normalised header -> (kind, what). kind: meta | duration | pii | id
PLATFORM_COLUMNS: dict[str, tuple[str, str]] = {}


def _plat(names, kind, what, platform):
    for n in names:
        PLATFORM_COLUMNS[n] = (kind, what, platform)


# ---------------------------------------------------------------- normalisation
_NUMBERING = re.compile(r"^\s*(?:[QqＱ]\s*)?\d+(?:[._\-]\d+)*\s*(?:[.．、:：)）]|\s)\s*")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SPLIT = re.compile(r"\s*(?:—+|–+|－+|\s-\s)\s*")


def norm_header(s) -> str:
    """Normalised form of a header or question text used for matching.

    NFKC (full-width to half-width), leading numbering ("1.", "Q1.", "1、", "3)") removed,
    every character that is not a letter or digit removed, case folded.
    """
    t = unicodedata.normalize("NFKC", str(s)).strip()
    t = _NUMBERING.sub("", t, count=1)
    return _NON_WORD.sub("", t).casefold()


def norm_label(s) -> str:
    """Normalised answer text: NFKC, whitespace and punctuation removed, case folded."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", str(s))).casefold()


_plat(["序号"], "meta", "row number", "wenjuanxing")
_plat(["提交答卷时间"], "meta", "submit time", "wenjuanxing")
_plat(["所用时间"], "duration", "time taken", "wenjuanxing")
_plat(["来源"], "meta", "source", "wenjuanxing")
_plat(["来源详情"], "meta", "source detail", "wenjuanxing")
_plat(["来自ip", "ip地址", "填写ip"], "pii", "IP address", "wenjuanxing")
_plat(["总分"], "meta", "total score", "wenjuanxing")
_plat(["startdate", "enddate", "recordeddate"], "meta", "timestamp", "qualtrics")
_plat(["status", "progress", "finished", "distributionchannel", "userlanguage", "externalreference",
       "externaldatareference"], "meta", "platform metadata", "qualtrics")
_plat(["durationinseconds"], "duration", "time taken", "qualtrics")
_plat(["responseid"], "meta", "response id", "qualtrics")
_plat(["ipaddress"], "pii", "IP address", "qualtrics")
_plat(["recipientlastname", "recipientfirstname"], "pii", "name", "qualtrics")
_plat(["recipientemail"], "pii", "e-mail", "qualtrics")
_plat(["locationlatitude", "locationlongitude"], "pii", "location", "qualtrics")

_DUR_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h|hours?)\s*)?(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|m|min|minutes?)\s*)?"
                     r"(?:(\d+(?:\.\d+)?)\s*(?:秒|s|sec|seconds?)?)?\s*$", re.IGNORECASE)


def parse_duration(series):
    """Durations as seconds: numbers, "125秒", "2分5秒", "1小时2分", "125 s" (vectorised)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    s = series.astype("string").str.strip()
    num = pd.to_numeric(s, errors="coerce").astype(float)
    todo = num.isna() & s.notna()
    if todo.any():
        s = s.where(~s.str.fullmatch(r"[（(]\s*(?:空|跳过)\s*[）)]").fillna(False), None)
        todo = num.isna() & s.notna()
        parts = s[todo].str.extract(_DUR_RE).astype(float)
        ok = parts.notna().any(axis=1)
        secs = (parts[0].fillna(0) * 3600 + parts[1].fillna(0) * 60 + parts[2].fillna(0)).where(ok, np.nan)
        num[todo] = secs
    return num


# ---------------------------------------------------------------- bytes and text
def _check_bytes(raw: bytes, file) -> None:
    if not raw[:65536].strip() and not raw.strip():
        raise AvoidSurveyError("the file is empty", file=file)
    pos = raw.find(b"\x00")
    if pos >= 0:
        raise AvoidSurveyError(f"not a text file: NUL byte at byte offset {pos}", file=file)


def detect_encoding(raw: bytes, file=None) -> str:
    """'utf-8', 'utf-8-sig' (BOM) or 'gb18030' (covers GBK); AvoidSurveyError otherwise.

    The error names the byte offset of the first byte that is neither UTF-8 nor GB18030.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        raw.decode("utf-8")
        return "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as exc:
        utf_err = exc
    if not bom:
        try:
            raw.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError as exc:
            gb_err = exc
        off = max(utf_err.start, gb_err.start)
    else:
        off = utf_err.start
    raise AvoidSurveyError(f"cannot decode the file as UTF-8 or GB18030/GBK: invalid byte 0x{raw[off]:02x} at "
                           f"byte offset {off}; save it as 'CSV UTF-8'", file=file)


def decode_text(raw: bytes, file) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030/GBK."""
    _check_bytes(raw, file)
    enc = detect_encoding(raw, file)
    return raw.decode(enc), ("gb18030" if enc == "gb18030" else "utf-8")


def _sniff(text: str) -> str:
    sample = text[:64_000]
    lines = sample.splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in ",;\t|"}
    try:
        d = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t|").delimiter
        if counts.get(d, 0) or not any(counts.values()):
            return d
    except csv.Error:
        pass
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# ---------------------------------------------------------------- result of a read
@dataclass
class Loaded:
    """A read file: the frame plus where every column and problem came from.

    frame : DataFrame, columns renamed to instrument ids where matched; instrument columns
        with a numeric meaning are float codes (NaN = missing or not convertible)
    info : format, encoding, delimiter, platform, header_rows, file
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
    match: dict = field(default_factory=dict)
    unmatched: list = field(default_factory=list)
    platform: dict = field(default_factory=dict)
    duplicates: list = field(default_factory=list)
    ragged: list = field(default_factory=list)
    n_fields: int = 0
    bad_cells: dict = field(default_factory=dict)
    raw_text_columns: list = field(default_factory=list)


# ---------------------------------------------------------------- header matching
def _instrument_keys(instrument):
    """(exact: {name: id}, normalised: {norm: id}) for every column the instrument knows."""
    exact, normd = {}, {}
    objs = [*instrument.items, *instrument.variables, *instrument.attention_checks]
    for o in objs:
        exact.setdefault(o.id, o.id)
    for o in objs:
        for a in o.aliases:
            exact.setdefault(a, o.id)
            normd.setdefault(norm_header(a), o.id)
    for o in objs:
        texts = []
        for attr in ("text", "referent", "label"):
            t = getattr(o, attr, None)
            if isinstance(t, dict):
                texts.extend(v for v in t.values() if v)
        for t in texts:
            n = norm_header(t)
            if n:
                normd.setdefault(n, o.id)
        normd.setdefault(norm_header(o.id), o.id)
    normd.pop("", None)
    return exact, normd


def _match_headers(headers, instrument, mapping, questions=None):
    """Final column names for ``headers``; returns (names, match, unmatched, platform)."""
    names, match, unmatched, platform = [], {}, [], {}
    mapping = dict(mapping or {})
    exact, normd = _instrument_keys(instrument) if instrument is not None else ({}, {})
    dur_id = None
    if instrument is not None:
        for v in instrument.variables:
            if v.role == "duration":
                dur_id = v.id
                break
    taken = set()
    for pos, h in enumerate(headers):
        how, name = None, None
        if h in mapping:
            name, how = str(mapping[h]), "mapping"
        elif instrument is not None and h in exact:
            name = exact[h]
            how = "id" if name == h else "alias"
        elif instrument is not None:
            cands = [h]
            q = questions[pos] if questions is not None and pos < len(questions) else None
            if q:
                cands.append(q)
            for c in cands:
                n = norm_header(c)
                if n in normd:
                    name, how = normd[n], "text"
                    break
                parts = [p for p in _SPLIT.split(str(c)) if p.strip()]
                if len(parts) > 1:
                    for p in reversed(parts):
                        n = norm_header(p)
                        if n in normd:
                            name, how = normd[n], "text"
                            break
                    if name:
                        break
        if name is None:
            plat = PLATFORM_COLUMNS.get(norm_header(h))
            if plat is not None:
                platform[h] = plat
                if plat[0] == "duration" and dur_id and dur_id not in taken and dur_id not in headers:
                    name, how = dur_id, "platform"
                    platform[dur_id] = plat
        if name is None:
            name = h
            if instrument is not None and h not in platform:
                unmatched.append(h)
        elif how != "id":
            match[name] = {"header": h, "how": how}
        names.append(name)
        taken.add(name)
    return names, match, unmatched, platform


def _dedupe(names):
    """Make names unique (second 'x' -> 'x.1'); return (names, [(name, positions)])."""
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        seen.setdefault(n, []).append(i)
    dups = [(n, [p + 1 for p in pos]) for n, pos in seen.items() if len(pos) > 1]
    if not dups:
        return list(names), []
    out, used = [], set(names)
    count: dict[str, int] = {}
    for n in names:
        if n in count:
            k = count[n]
            cand = f"{n}.{k}"
            while cand in used:
                k += 1
                cand = f"{n}.{k}"
            count[n] = k + 1
            used.add(cand)
            out.append(cand)
        else:
            count[n] = 1
            out.append(n)
    return out, dups


# ---------------------------------------------------------------- CSV
def _field_counts(raw: bytes, delim: str, start: int):
    """Per data record: number of fields, and record lengths (bytes), vectorised in chunks.

    Records end at a newline outside double quotes; blank records are dropped (pandas skips
    them too). Returns (counts int64 array, lengths int64 array).
    """
    import numpy as np

    buf = np.frombuffer(raw, dtype=np.uint8)
    n = buf.size
    d, nl, qc = ord(delim), 10, 34
    quoted = raw.find(b'"', start) >= 0
    counts, lengths, blank = [], [], []
    CH = 8 * 1024 * 1024
    parity = 0
    rec_start = start
    carry_delims = 0
    for lo in range(start, n, CH):
        hi = min(n, lo + CH)
        b = buf[lo:hi]
        if quoted:
            q = np.cumsum(b == qc, dtype=np.int64)
            outside = ((q + parity) & 1) == 0
            parity = int((q[-1] + parity) & 1) if q.size else parity
            isd = (b == d) & outside
            isn = (b == nl) & outside
        else:
            isd = b == d
            isn = b == nl
        cd = np.cumsum(isd, dtype=np.int64)
        nlpos = np.flatnonzero(isn)
        if nlpos.size:
            at = cd[nlpos] + carry_delims
            c = np.diff(np.concatenate(([0], at)))
            c[0] = at[0]
            ends = nlpos + lo
            starts = np.concatenate(([rec_start], ends[:-1] + 1))
            ln = ends - starts
            counts.append(c + 1)
            lengths.append(ln)
            carry_delims = int(cd[-1] - cd[nlpos[-1]])
            rec_start = int(ends[-1] + 1)
        else:
            carry_delims += int(cd[-1]) if cd.size else 0
    if rec_start < n:  # last record without a final newline
        counts.append(np.array([carry_delims + 1]))
        lengths.append(np.array([n - rec_start]))
    if not counts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    counts = np.concatenate(counts)
    lengths = np.concatenate(lengths)
    return counts, lengths


def _blank_mask(raw: bytes, counts, lengths, start):
    import numpy as np
    ends = np.cumsum(lengths + 1) + start - 1
    starts = ends - lengths
    blank = (lengths == 0) | ((lengths == 1) & (np.frombuffer(raw, np.uint8)[np.minimum(starts, len(raw) - 1)] == 13))
    blank &= counts == 1
    return blank


_PRESCANS: dict = {}


def _scan_key(p: Path, st):
    return (str(p.resolve()), st.st_size, st.st_mtime_ns)


def prescan(path):
    """Start the byte checks of a large CSV (:func:`_scan_file`) in a background thread.

    ``validate`` calls this first thing, so the scan runs while Python imports pandas and
    loads the instrument; :func:`load` then takes its result (or its error) instead of
    scanning again. A file that changed in between is scanned again. Small or non-CSV files
    are left alone. Returns a key for :func:`drop_prescan` (None when nothing started).
    """
    import threading
    from concurrent.futures import Future

    try:
        p = Path(path)
        st = p.stat()
    except (OSError, TypeError, ValueError):
        return None
    if p.suffix.lower() not in (".csv", ".txt", ".tsv", "") or not p.is_file() or st.st_size <= SCAN_BYTES:
        return None
    fut: Future = Future()

    def work():
        try:
            fut.set_result(_scan_file(p, st.st_size, None))
        except BaseException as exc:  # handed to load(), which raises it in the caller
            fut.set_exception(exc)

    key = _scan_key(p, st)
    _PRESCANS[key] = fut
    threading.Thread(target=work, name="avoid-survey-prescan", daemon=True).start()
    return key


def drop_prescan(key) -> None:
    """Forget a prescan that :func:`load` did not take (the run stopped before reading)."""
    _PRESCANS.pop(key, None)


def _read_csv(p: Path, instrument, mapping, progress: bool):
    size = p.stat().st_size
    bar = _Progress(p.name, size) if progress and size > PROGRESS_BYTES else None
    try:
        if size > SCAN_BYTES:
            fut = _PRESCANS.pop(_scan_key(p, p.stat()), None)
            if fut is not None:
                stats = fut.result()
                if bar is not None:
                    bar.advance(size)
            else:
                stats = _scan_file(p, size, bar)
            if stats is not None:
                return _read_csv_bytes(p, stats.pop("head"), instrument, mapping, bar, stats)
        return _read_csv_bytes(p, _read_bytes(p, size, bar), instrument, mapping, bar)
    finally:
        if bar is not None:
            bar.close()


SCAN_BYTES = 32 * 1024 * 1024  # larger files are checked in chunks, never held in memory


def _scan_file(p: Path, size: int, bar):
    """One pass over a large file in 8 MB chunks: NUL bytes, UTF-8 (or GB18030) validity,
    and the counts the ragged-row check needs (newlines, each delimiter, quotes, blank
    lines). Returns None when the file needs the exact, in-memory path (quotes, or a
    GB18030 file), and raises AvoidSurveyError for a file that cannot be used."""
    import codecs

    import numpy as np

    CH = 8 * 1024 * 1024
    with open(p, "rb") as fh:
        head = fh.read(256_000)
    bom = head.startswith(b"\xef\xbb\xbf")
    delim = "\t" if p.suffix.lower() == ".tsv" else _sniff(head.decode("utf-8", errors="ignore"))
    stats = {"n_nl": 0, "delims": {ord(delim): 0}, "quote": False, "blank": False, "last": b""}

    eq_buf = np.empty(CH, bool)

    def one_pass(encoding, count):
        dec = codecs.getincrementaldecoder(encoding)()
        off, carry = 0, b""
        ascii_so_far = encoding == "utf-8"
        with open(p, "rb") as fh:
            while True:
                chunk = fh.read(CH)
                if not chunk:
                    break
                if count:
                    pos = chunk.find(b"\x00")
                    if pos >= 0:
                        raise AvoidSurveyError(f"not a text file: NUL byte at byte offset {off + pos}", file=p)
                    # numpy counts a byte value about 3x faster than bytes.count, and lets
                    # go of the GIL while it does (the scan may run beside imports: prescan)
                    a = np.frombuffer(chunk, np.uint8)
                    eq = eq_buf[: a.size]
                    np.equal(a, 10, out=eq)
                    stats["n_nl"] += int(np.count_nonzero(eq))
                    for d in stats["delims"]:
                        np.equal(a, d, out=eq)
                        stats["delims"][d] += int(np.count_nonzero(eq))
                    del a
                    stats["quote"] = stats["quote"] or b'"' in chunk
                    # empty lines ("\n\n") are found after parsing, from the row count (pandas
                    # skips them); a "\r"-only line is looked for here, only in CRLF chunks
                    if not stats["blank"] and b"\r" in chunk:
                        both = carry + chunk
                        stats["blank"] = b"\n\r\n" in both
                    carry = chunk[-3:]
                    stats["last"] = chunk[-1:]
                    if bar is not None:
                        bar.advance(len(chunk))
                if ascii_so_far and chunk.isascii():
                    off += len(chunk)   # plain ASCII is valid UTF-8: no need to decode
                    continue
                ascii_so_far = False
                try:
                    dec.decode(chunk, False)
                except UnicodeDecodeError as exc:
                    return off + exc.start
                off += len(chunk)
            try:
                dec.decode(b"", True)
            except UnicodeDecodeError as exc:
                return off + exc.start
        return None

    if not head.strip(b" \t\r\n"):
        return None  # let the exact path say "empty"
    bad = one_pass("utf-8", True)
    if bad is not None:
        if bom:
            raise AvoidSurveyError(f"cannot decode the file as UTF-8: invalid byte at byte offset {bad}; "
                                   f"save it as 'CSV UTF-8'", file=p)
        return None  # GB18030 or undecodable: the in-memory path decides and names the offset
    if stats["quote"]:
        return None
    stats["enc"] = "utf-8-sig" if bom else "utf-8"
    stats["head"] = head
    stats["size"] = size
    return stats


def _read_bytes(p: Path, size: int, bar):
    if bar is None:
        return p.read_bytes()
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    with open(p, "rb") as fh:
        while got < size:
            n = fh.readinto(view[got:got + 8 * 1024 * 1024])
            if not n:
                break
            got += n
            bar.advance(n)
    del view
    if got < size:
        del buf[got:]
    return buf  # a bytearray: every use below takes any bytes-like object


def _read_csv_bytes(p: Path, raw: bytes, instrument, mapping, bar, stats=None):
    """``raw`` is the whole file, or with ``stats`` (from :func:`_scan_file`) its head."""
    import numpy as np
    import pandas as pd

    if stats is None:
        _check_bytes(raw, p)
        enc = detect_encoding(raw, p)
    else:
        enc = stats["enc"]
    nl1 = raw.find(b"\n", 0, MAX_RECORD_BYTES + 1)
    if nl1 < 0 and (stats["size"] if stats else len(raw)) > MAX_RECORD_BYTES:
        raise AvoidSurveyError(f"the header is longer than {MAX_RECORD_BYTES:,} bytes: not a survey data file",
                               file=p, line=1)
    head_text = raw[:256_000].decode(enc, errors="ignore")
    delim = "\t" if p.suffix.lower() == ".tsv" else _sniff(head_text)
    # header record(s), parsed with the csv module on the first part of the file
    rdr = csv.reader(_io.StringIO(head_text), delimiter=delim)
    first = []
    try:
        for _ in range(3):
            first.append(next(rdr))
    except StopIteration:
        pass
    except csv.Error as exc:
        raise AvoidSurveyError(f"cannot parse the CSV header: {exc}", file=p, line=1) from None
    sample = []  # a few more records, to see whether id columns hold plain integers
    try:
        for _ in range(200):
            sample.append(next(rdr))
    except (StopIteration, csv.Error):
        pass
    if not first or not any(x.strip() for x in first[0]):
        raise AvoidSurveyError("the file has no header row", file=p, line=1)
    headers = [h.strip() for h in first[0]]
    n_head = 1
    questions = None
    platform_name = None
    if len(first) >= 3 and any('"importid"' in c.replace(" ", "").casefold() or c.strip().startswith('{"ImportId')
                               for c in first[2]):
        n_head, questions, platform_name = 3, [q.strip() for q in first[1]], "qualtrics"
    start = 3 if enc == "utf-8-sig" else 0
    k = len(headers)
    if stats is not None:
        n_rec = stats["n_nl"] + (0 if stats["last"] == b"\n" else 1)
        fast_ok = (not stats["blank"] and k > 1 and stats["delims"].get(ord(delim), -1) == n_rec * (k - 1))
        if not fast_ok:  # something is ragged: find it exactly, with the whole file in memory
            raw = _read_bytes(p, stats["size"], None)
            stats = None
    # rows the parser must return when the chunked checks passed: any fewer means blank
    # lines were skipped, and the exact, in-memory path then accounts for every record
    fast_rows = None if stats is None else n_rec - n_head
    if stats is not None:
        scan = b""
        simple, ok_counts = True, True
    else:
        scan = raw if enc != "gb18030" or delim in ",;\t" else raw.decode("gb18030").encode("utf-8")
        simple = (b'"' not in scan) and (b"\r\n\r\n" not in scan)
    # ragged rows and absurd record lengths: cheap exact check first, full scan if needed
    counts = lengths = None
    ragged, nfields = [], k
    if stats is None:
        n_nl = scan.count(b"\n")
        n_rec = n_nl + (0 if scan.endswith(b"\n") else 1)
        ok_counts = (simple and scan.count(delim.encode()) == n_rec * (k - 1) and b"\n\n" not in scan[start:]
                     and (len(scan) < MAX_RECORD_BYTES or k > 1))
    if not ok_counts:
        counts, lengths = _field_counts(scan, delim, start)
        blank = _blank_mask(scan, counts, lengths, start)
        too_long = np.flatnonzero(lengths > MAX_RECORD_BYTES)
        if too_long.size:
            i = int(too_long[0])
            if i < n_head:
                raise AvoidSurveyError(f"the header is longer than {MAX_RECORD_BYTES:,} bytes: not a survey data file",
                                       file=p, line=1)
            raise AvoidSurveyError(f"a row is longer than {MAX_RECORD_BYTES:,} bytes: not a survey data file",
                                   file=p, row=int(np.count_nonzero(~blank[n_head:i])) + 1)
        data_counts = counts[n_head:][~blank[n_head:]]
        bad = np.flatnonzero(data_counts != k)
        ragged = [(int(i) + 1, int(data_counts[i])) for i in bad]
        if data_counts.size:
            nfields = max(k, int(data_counts.max()))
    names_pos = [f"__c{i}" for i in range(nfields)]
    # which positions must stay text (ids, free text) and which are numeric answers
    pre_names, _, _, _ = _match_headers(headers, instrument, mapping, questions)
    dtype = {}
    numeric = {}
    if instrument is not None:
        resp = instrument.responses()
        for i, nm in enumerate(pre_names):
            fmt = resp.get(nm)
            if fmt is not None and fmt.type in ("id", "text", "date"):
                # ids that are plain integers ("1024", no leading zero) parse much faster as
                # numbers and lose nothing; anything else is read as text
                vals = [r[i].strip() for r in [*first[n_head:], *sample] if i < len(r)]
                if fmt.type == "date" or not vals or not all(_PLAIN_INT.fullmatch(v) or not v for v in vals):
                    dtype[names_pos[i]] = str
            elif fmt is not None and fmt.type in _NUMERIC_TYPES:
                numeric[names_pos[i]] = "float64"
    del raw, scan  # the parser reads the file itself; free the bytes for its arrays
    kw = dict(sep=delim, header=None, skiprows=n_head, names=names_pos,
              encoding="utf-8" if enc == "utf-8" else enc, engine="c", skip_blank_lines=True)
    if bar is not None:
        bar.phase("parsing")
    try:
        # answers are parsed with type inference, not as float64: whole-number codes ("1".."5")
        # parse about 3x faster as integers and are turned into float codes below, in one go;
        # a column holding labels ("非常同意") arrives as text and is mapped to codes by load()
        df = pd.read_csv(str(p), dtype=dtype or None, **kw)
        ints = [c for c in numeric if c in df.columns and pd.api.types.is_integer_dtype(df[c].dtype)]
        if ints:
            df = _ints_to_float(df, ints)
    except pd.errors.EmptyDataError:
        df = pd.DataFrame(columns=names_pos)
    except pd.errors.ParserError as exc:
        if fast_rows is not None:
            return _read_csv_bytes(p, _read_bytes(p, p.stat().st_size, None), instrument, mapping, bar)
        raise AvoidSurveyError(f"cannot parse CSV: {' '.join(str(exc).split())[:200]}", file=p) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise AvoidSurveyError(f"cannot read CSV: {' '.join(str(exc).split())[:200]}", file=p) from None
    if fast_rows is not None and len(df) != fast_rows:
        del df
        return _read_csv_bytes(p, _read_bytes(p, p.stat().st_size, None), instrument, mapping, bar)
    headers_all = headers + [f"(extra field {j - k + 1})" for j in range(k, nfields)]
    info = {"file": str(p), "format": "csv", "encoding": "gb18030" if enc == "gb18030" else "utf-8",
            "bom": enc == "utf-8-sig", "delimiter": delim, "header_rows": n_head}
    if platform_name:
        info["platform"] = platform_name
    return df, headers_all, questions, info, ragged, k


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


class _Progress:
    """A rich progress bar on stderr: bytes read, then an indeterminate parsing phase."""

    def __init__(self, name: str, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeElapsedColumn

        self._prog = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                              TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._prog.start()
        self._name = name
        self._task = self._prog.add_task(f"reading {name}", total=total)

    def advance(self, n: int) -> None:
        self._prog.advance(self._task, n)

    def phase(self, what: str) -> None:
        self._prog.update(self._task, description=f"{what} {self._name}", total=None)

    def close(self) -> None:
        self._prog.stop()


# ---------------------------------------------------------------- other formats
def _read_other(p: Path, ext: str, sheet):
    """(frame with positional columns, headers, questions, info, value_labels)."""
    import pandas as pd

    info = {"file": str(p), "format": ext.lstrip("."), "header_rows": 1}
    value_labels = {}
    if ext in (".xlsx", ".xlsm"):
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
    elif ext in (".sav", ".dta"):
        import pyreadstat
        fn = pyreadstat.read_sav if ext == ".sav" else pyreadstat.read_dta
        df, meta = fn(str(p), apply_value_formats=False)
        headers = [str(c).strip() for c in df.columns]
        value_labels = {str(k): v for k, v in (meta.variable_value_labels or {}).items()}
        questions = list(meta.column_labels) if meta.column_labels else None
        questions = [q or "" for q in questions] if questions else None
    elif ext == ".parquet":
        df = pd.read_parquet(p)
        headers = [str(c).strip() for c in df.columns]
        questions = None
    else:
        raise AvoidSurveyError(f"unsupported file type '{ext or '(none)'}' (use {', '.join(SUPPORTED)})", file=p)
    df = df.copy()
    df.columns = [f"__c{i}" for i in range(df.shape[1])]
    return df, headers, questions, info, value_labels


# ---------------------------------------------------------------- codes
_LABEL_CACHE: dict = {}


def _label_lookup(fmt) -> dict:
    """Normalised answer text -> code: "非常同意", "Strongly agree", "5 非常同意", "5=非常同意",
    "非常同意(5)" all map to 5."""
    key = id(fmt)
    hit = _LABEL_CACHE.get(key)
    if hit is not None and hit[0] is fmt:
        return hit[1]
    out = {}
    for code, text in (fmt.labels or {}).items():
        vals = list((text or {}).values()) if isinstance(text, dict) else [text]
        for t in vals:
            if not t:
                continue
            n = norm_label(t)
            if not n:
                continue
            out.setdefault(n, code)
            out.setdefault(f"{code}{n}", code)
            out.setdefault(f"{n}{code}", code)
    for t, c in (fmt.label_map() if hasattr(fmt, "label_map") else {}).items():
        out.setdefault(norm_label(t), c)
    if fmt.type == "boolean":
        for s, v in {"yes": 1, "no": 0, "true": 1, "false": 0, "是": 1, "否": 0, "y": 1, "n": 0,
                     "有": 1, "无": 0}.items():
            out.setdefault(s, v)
    _LABEL_CACHE[key] = (fmt, out)
    return out


def _parse_number(u):
    try:
        return float(unicodedata.normalize("NFKC", u).strip())
    except (TypeError, ValueError):
        return None


def to_codes(series, fmt):
    """(float codes, bad mask) from numbers or answer labels; bad = given but not convertible.

    Works on the distinct values only (vectorised over rows): each distinct text is parsed
    as a number or looked up among the format's labels in either language.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        out = series.astype(float)
        bad = np.zeros(len(series), bool)
    elif pd.api.types.is_float_dtype(series) and series.dtype == np.float64:
        out = series
        bad = np.zeros(len(series), bool)
    elif pd.api.types.is_numeric_dtype(series):
        out = series.astype(float)
        bad = np.zeros(len(series), bool)
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        lookup = _label_lookup(fmt) if fmt is not None else {}
        vals = np.full(len(uniques) + 1, np.nan)
        ok = np.zeros(len(uniques) + 1, bool)
        ok[-1] = True  # NaN sentinel maps to missing, not bad
        for j, u in enumerate(uniques):
            if isinstance(u, (int, float, np.integer, np.floating)) and not isinstance(u, bool):
                vals[j], ok[j] = float(u), True
                continue
            su = str(u)
            if not su.strip() or norm_label(su) in MISSING_TOKENS or su.strip() in ("-", "--", "."):
                ok[j] = True
                continue
            v = _parse_number(su)
            if v is None:
                c = lookup.get(norm_label(su))
                if c is not None:
                    try:
                        v = float(c)
                    except (TypeError, ValueError):
                        v = None
            if v is not None:
                vals[j], ok[j] = v, True
        out = pd.Series(vals[codes], index=series.index)
        bad = ~ok[codes]
    if fmt is not None and fmt.missing_codes:
        mc = [float(c) for c in fmt.missing_codes if not isinstance(c, str)]
        if mc:
            out = out.where(~out.isin(mc), np.nan)
    return out, np.asarray(bad)


_PLAIN_INT = re.compile(r"[1-9]\d{0,14}")

# what survey platforms write for "no answer" (Wenjuanxing: "(空)", "(跳过)")
MISSING_TOKENS = {"空", "跳过", "未填", "未回答", "无回答", "缺失", "na", "nan", "none", "null", "missing", "skipped"}

_NUMERIC_TYPES = ("likert", "numeric", "boolean", "ordinal", "categorical")


def _apply_value_labels(col, series, labels: dict, fmt):
    """SPSS/Stata value labels -> instrument codes via the label text (when they differ)."""
    import numpy as np

    lookup = _label_lookup(fmt)
    remap = {}
    for v, t in labels.items():
        c = lookup.get(norm_label(t))
        if c is None:
            return series
        remap[float(v)] = float(c)
    if all(k == v for k, v in remap.items()):
        return series
    s = series.astype(float)
    return s.map(lambda x: remap.get(x, x) if x == x else np.nan)


def _id_values(s):
    """Ids and free text: whole numbers stay integers (1.0 -> 1, nullable), text stays text,
    a column mixing both becomes text (vectorised)."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_string_dtype(s):
        return s
    if pd.api.types.is_float_dtype(s):
        nn = s.dropna()
        if len(nn) == 0 or bool(((nn % 1) == 0).all()):
            return s.astype("Int64")
        return s
    if pd.api.types.is_bool_dtype(s):
        return s
    return _as_text(s).astype("string")


def _as_text(s):
    """Numbers that are ids (1.0 -> "1") as text, missing kept missing (vectorised)."""
    import pandas as pd

    if pd.api.types.is_float_dtype(s):
        nn = s.dropna()
        if len(nn) == 0 or bool(((nn % 1) == 0).all()):
            s = s.astype("Int64")
    out = s.astype("string").astype(object)
    return out.where(s.notna(), None)


# ---------------------------------------------------------------- entry points
def load(path, instrument=None, *, sheet=None, mapping=None, progress: bool = False) -> Loaded:
    """Read any supported file into a :class:`Loaded` (frame plus provenance).

    Raises AvoidSurveyError only when the file cannot be used at all (missing, empty, not
    text, undecodable, unsupported). Everything else — duplicate or unmatched headers,
    ragged rows, unconvertible cells — is recorded on the result.
    """
    import numpy as np
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise AvoidSurveyError("file not found", file=p)
    if p.is_dir():
        raise AvoidSurveyError("is a directory, not a data file", file=p)
    register_input(p)
    ext = p.suffix.lower()
    ragged, value_labels = [], {}
    try:
        if ext in (".csv", ".txt", ".tsv", ""):
            df, headers, questions, info, ragged, k = _read_csv(p, instrument, mapping, progress)
        else:
            if p.stat().st_size == 0:
                raise AvoidSurveyError("the file is empty", file=p)
            df, headers, questions, info, value_labels = _read_other(p, ext, sheet)
            k = len(headers)
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
    if not headers or not any(headers):
        raise AvoidSurveyError("the file has no header row", file=p, line=1)
    headers = [h if h else f"(unnamed {i + 1})" for i, h in enumerate(headers)]
    base = headers[:k]
    names, match, unmatched, platform = _match_headers(base, instrument, mapping, questions)
    names = names + headers[k:]
    unmatched = unmatched + headers[k:] if instrument is not None else []
    names, dups = _dedupe(names)
    df.columns = names
    if value_labels:
        value_labels = {names[i]: value_labels[h] for i, h in enumerate(headers) if h in value_labels}
    out = Loaded(df, info, headers, match, unmatched, platform, dups, ragged, k)
    if platform and "platform" not in info:
        info["platform"] = Counter(p[2] for p in platform.values()).most_common(1)[0][0]
    # platform durations ("125秒") to seconds
    dup_names = {n for n, _ in dups}
    for col, (kind, _what, _pl) in list(platform.items()):
        if kind == "duration" and col in df.columns and col not in dup_names:
            df[col] = parse_duration(df[col])
    if instrument is not None:
        resp = instrument.responses()
        durations = {v.id for v in instrument.variables if v.role == "duration"}
        for col in df.columns:
            fmt = resp.get(col)
            if fmt is None or col in dup_names:
                continue
            s = df_col = df[col]
            if col in durations and not pd.api.types.is_numeric_dtype(s):
                s = parse_duration(s)   # "125秒", "2分5秒"
            if fmt.type in _NUMERIC_TYPES:
                if col in value_labels and pd.api.types.is_numeric_dtype(s):
                    s = _apply_value_labels(col, s, value_labels[col], fmt)
                was_text = not pd.api.types.is_numeric_dtype(s)
                codes, bad = to_codes(s, fmt)
                if was_text:
                    out.raw_text_columns.append(col)
                if bad.any():
                    pos = np.flatnonzero(bad)
                    out.bad_cells[col] = (pos, s.to_numpy()[pos])
                if codes is not df_col:
                    df[col] = codes
            elif fmt.type in ("id", "text"):
                df[col] = _id_values(s)
    info["value_labels"] = value_labels
    df.attrs["source"] = info
    return out


class NumericFrame:
    """A plain numeric CSV read without pandas: column names and a float matrix.

    What :func:`read_plain_numeric` returns. It has the two things an analysis that only
    needs numbers asks of a frame, ``columns`` and ``matrix(cols)``; analyses that accept it
    (``cfa``, ``reliability``) treat it like the pandas frame :func:`read_data` would have
    given: the same column names and, for every numeric column, the same values.
    """

    __slots__ = ("columns", "values", "source", "_pos")

    def __init__(self, columns, values, source):
        self.columns = list(columns)
        self.values = values
        self.source = source
        self._pos = {c: i for i, c in enumerate(self.columns)}

    def __len__(self):
        return self.values.shape[0]

    def matrix(self, cols):
        """The float matrix (rows x len(cols)) of the named columns (a copy)."""
        return self.values[:, [self._pos[c] for c in cols]]


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_PLAIN_MAX_BYTES = 64 * 1024 * 1024


def read_plain_numeric(path, instrument=None):
    """A :class:`NumericFrame` when ``path`` is a plain numeric CSV, else None.

    Plain means: a ``.csv`` file of at most 64 MB in UTF-8 (BOM allowed), a header of at
    least two distinct identifier-like names separated by commas, and data rows holding
    only whole numbers (digits and minus signs), each with exactly one field per header,
    no empty cells and no blank lines. That is what R's ``write.csv(row.names = FALSE)``,
    Stata and our own ``simulate`` write for coded answers, and it reads without pandas in
    a fraction of the time. The values are exactly those :func:`read_data` gives for the
    same file; every other file, and anything unusual about this one, returns None so the
    caller takes the full reader, which handles and reports it.

    With an ``instrument``, headers are matched to its columns as :func:`read_data` matches
    them (ids, aliases, normalised text), and Likert codes outside an item's scale become
    missing with the same warning; a file whose headers would need more (two headers for
    one column) goes to the full reader.
    """
    p = Path(path)
    if p.suffix.lower() != ".csv":
        return None
    try:
        if not p.is_file() or not 0 < p.stat().st_size <= _PLAIN_MAX_BYTES:
            return None
        raw = p.read_bytes()
    except OSError:
        return None
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    nl = raw.find(b"\n")
    if nl <= 0:
        return None
    head, body = raw[:nl], raw[nl + 1:]
    if head.endswith(b"\r"):
        head = head[:-1]
    if not body or body.translate(None, b"0123456789,-\r\n"):
        return None
    try:
        names = head.decode("ascii").split(",")
    except UnicodeDecodeError:
        return None
    k = len(names)
    if k < 2 or len(set(names)) != k or not all(_PLAIN_NAME.match(nm) for nm in names):
        return None
    if b"\n\n" in body or body.startswith((b"\n", b"\r")) or body.count(b"\r") != body.count(b"\r\n") \
            or b"\n\r\n" in body:
        return None
    n_rec = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if body.count(b",") != n_rec * (k - 1):
        return None
    import numpy as np

    try:
        values = np.loadtxt(_io.BytesIO(body), delimiter=",", dtype=np.float64, ndmin=2, encoding="ascii")
    except ValueError:
        return None
    if values.shape != (n_rec, k):
        return None
    if instrument is not None:
        names = _match_headers(names, instrument, None)[0]
        if len(set(names)) != k:
            return None
    frame = NumericFrame(names, values, {"file": str(p), "format": "csv", "encoding": "utf-8", "bom": bom,
                                         "delimiter": ",", "header_rows": 1})
    if instrument is not None:
        pos = frame._pos

        def put(name, x):
            values[:, pos[name]] = x

        _likert_to_missing(names, lambda name: values[:, pos[name]], put, instrument, p)
    register_input(p)
    return frame


def read_numeric(path, instrument=None):
    """What an analysis that needs only numeric columns reads (``cfa``, ``reliability``):
    the :class:`NumericFrame` of :func:`read_plain_numeric` when the file is a plain CSV of
    whole-number codes (no pandas needed), else the frame of :func:`read_data`."""
    frame = read_plain_numeric(path, instrument)
    return frame if frame is not None else read_data(path, instrument)


def read_data(path, instrument=None, *, sheet=None, mapping=None):
    """Read a response file for analysis.

    Parameters
    ----------
    path : file path (csv, xlsx, sav, dta, parquet)
    instrument : Instrument or None. When given, alias headers are renamed to item ids and
        every item / attention-check / numeric variable column becomes float codes.
    mapping : optional dict {source header: column id} applied before aliases.

    Returns
    -------
    pandas.DataFrame (a new frame; the file is never modified). Ragged rows and duplicate
    columns raise AvoidSurveyError (run ``avoid-survey validate`` to see every problem).
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
        frame = _likert_out_of_range_to_missing(frame, instrument, path)
    return frame


def _likert_out_of_range_to_missing(frame, instrument, path):
    """Codes outside a Likert item's min..max (or not whole numbers), such as 9 for "don't
    know" or a typo like 55, would bias every statistic: analyses treat them as missing and
    say so (``validate`` lists each one with its row)."""
    import numpy as np

    def get(name):
        col = frame[name]
        return col.to_numpy(dtype=float, na_value=np.nan) if np.issubdtype(col.dtype, np.number) else None

    def put(name, x):
        frame[name] = x

    _likert_to_missing(frame.columns, get, put, instrument, path)
    return frame


def _likert_to_missing(columns, get, put, instrument, path):
    """The rule of :func:`_likert_out_of_range_to_missing` over any table of named
    ``columns``: ``get(name)`` gives a column as floats (None: not numeric) and
    ``put(name, x)`` replaces it."""
    import numpy as np

    from ..core.errors import DataWarning, warn

    present = set(columns)
    bad_cols, n_bad = [], 0
    for it in [*instrument.items, *instrument.attention_checks]:
        fmt = it.response
        if not fmt.is_likert or it.id not in present:
            continue
        x = get(it.id)
        if x is None:
            continue
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(x) & ((x < fmt.min) | (x > fmt.max) | (x != np.round(x)))
        k = int(bad.sum())
        if k:
            x = x.copy()
            x[bad] = np.nan
            put(it.id, x)
            bad_cols.append(it.id)
            n_bad += k
    if n_bad:
        shown = ", ".join(bad_cols[:5]) + (" ..." if len(bad_cols) > 5 else "")
        warn(f"{path}: {n_bad} answer(s) outside their response scale in {len(bad_cols)} column(s) "
             f"({shown}) treated as missing; `avoid-survey validate` lists them by row", DataWarning)


