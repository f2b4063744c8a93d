"""Checking a large CSV in chunks, never holding it in memory, and the progress bar.

A file over :data:`SCAN_BYTES` is scanned once in 8 MB chunks (NUL bytes, UTF-8 validity,
the counts the ragged-row check needs); ``validate`` starts that scan in a background
thread (:func:`prescan`) while pandas and the instrument load, and the reader then takes
its result (:func:`take_scan`). :func:`field_counts` finds ragged rows exactly when the
cheap counts do not add up.
"""
from __future__ import annotations

from pathlib import Path

from ..core.errors import AvoidSurveyError
from .encoding import sniff_delimiter
from .registry import READERS

__all__ = ["SCAN_BYTES", "PROGRESS_BYTES", "MAX_RECORD_BYTES", "prescan", "drop_prescan", "take_scan",
           "field_counts", "blank_mask", "read_bytes", "Progress"]

SCAN_BYTES = 32 * 1024 * 1024  # larger files are checked in chunks, never held in memory
PROGRESS_BYTES = 50 * 1024 * 1024  # show a progress bar when reading files larger than this
MAX_RECORD_BYTES = 1_000_000      # one CSV record (row) longer than this is not survey data

_PRESCANS: dict = {}  # prescan key -> Future of the scan

def field_counts(raw: bytes, delim: str, start: int):
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


def longest_record(raw: bytes) -> int:
    """Length in bytes of the longest line of ``raw`` (newline-separated, quotes ignored:
    an upper bound of the longest record)."""
    import numpy as np

    if len(raw) <= MAX_RECORD_BYTES:
        return len(raw)
    nl = np.flatnonzero(np.frombuffer(raw, np.uint8) == 10)
    if nl.size == 0:
        return len(raw)
    gaps = np.diff(nl)
    return int(max(nl[0] + 1, len(raw) - nl[-1] - 1, gaps.max() if gaps.size else 0))


def blank_mask(raw: bytes, counts, lengths, start):
    import numpy as np
    ends = np.cumsum(lengths + 1) + start - 1
    starts = ends - lengths
    blank = (lengths == 0) | ((lengths == 1) & (np.frombuffer(raw, np.uint8)[np.minimum(starts, len(raw) - 1)] == 13))
    blank &= counts == 1
    return blank


def _scan_key(p: Path, st):
    return (str(p.resolve()), st.st_size, st.st_mtime_ns)


def prescan(path):
    """Start the byte checks of a large CSV (:func:`_scan_file`) in a background thread.

    ``validate`` calls this first thing, so the scan runs while Python imports pandas and
    loads the instrument; :func:`take_scan` then takes its result (or its error) instead of
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
    if p.suffix.lower() not in READERS.where(text=True) or not p.is_file() or st.st_size <= SCAN_BYTES:
        return None
    fut: Future = Future()

    def work():
        try:
            fut.set_result(_scan_file(p, st.st_size, None))
        except BaseException as exc:  # handed to take_scan(), which raises it in the caller
            fut.set_exception(exc)

    key = _scan_key(p, st)
    _PRESCANS[key] = fut
    threading.Thread(target=work, name="avoid-survey-prescan", daemon=True).start()
    return key


def drop_prescan(key) -> None:
    """Forget a prescan that :func:`load` did not take (the run stopped before reading)."""
    _PRESCANS.pop(key, None)


def take_scan(p: Path, size: int, bar):
    """The chunked checks of a large file (its prescan's result when one ran), or None for
    a file of at most :data:`SCAN_BYTES` or one that needs the exact, in-memory path."""
    if size <= SCAN_BYTES:
        return None
    fut = _PRESCANS.pop(_scan_key(p, p.stat()), None)
    if fut is None:
        return _scan_file(p, size, bar)
    stats = fut.result()
    if bar is not None:
        bar.advance(size)
    return stats

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
    delim = "\t" if p.suffix.lower() == ".tsv" else sniff_delimiter(head.decode("utf-8", errors="ignore"))
    stats = {"n_nl": 0, "delims": {ord(delim): 0}, "quote": False, "blank": False, "last": b"", "longest": 0}

    eq_buf = np.empty(CH, bool)

    def one_pass(encoding, count):
        dec = codecs.getincrementaldecoder(encoding)()
        off, carry = 0, b""
        run = 0   # bytes since the last newline
        ascii_so_far = encoding == "utf-8"
        buf = bytearray(CH)   # one buffer for every chunk: no fresh 8 MB of pages per read
        with open(p, "rb") as fh:
            while True:
                got = fh.readinto(buf)
                if not got:
                    break
                chunk = buf if got == CH else buf[:got]
                if count:
                    pos = chunk.find(b"\x00")
                    if pos >= 0:
                        raise AvoidSurveyError(f"not a text file: NUL byte at byte offset {off + pos}", file=p)
                    # numpy counts a byte value about 3x faster than bytes.count, and lets
                    # go of the GIL while it does (the scan may run beside imports: prescan)
                    a = np.frombuffer(chunk, np.uint8)
                    eq = eq_buf[: a.size]
                    np.equal(a, 10, out=eq)
                    n_nl = int(np.count_nonzero(eq))
                    stats["n_nl"] += n_nl
                    if n_nl:
                        first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
                        gap = _gap_bound(chunk, first, last)
                        if gap is None:   # a long line somewhere: measure every gap
                            nls = np.flatnonzero(eq)
                            gap = int(np.diff(nls).max()) if nls.size > 1 else 0
                        stats["longest"] = max(stats["longest"], gap, run + first + 1)
                        run = a.size - last - 1
                    else:
                        run += a.size
                    stats["longest"] = max(stats["longest"], run)
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
                    stats["last"] = bytes(chunk[-1:])
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


def _gap_bound(chunk, first: int, last: int):
    """An upper bound, at most :data:`MAX_RECORD_BYTES`, of the distance between
    consecutive newlines of ``chunk`` (first and last at byte ``first`` and ``last``), or
    None when it cannot be bounded so cheaply.

    Every window of W = MAX_RECORD_BYTES // 2 bytes after a point of the grid first,
    first + W, ... holds a newline: then two consecutive newlines p < q are at most 2W
    apart (a grid point s with p <= s < p + W has a newline in (s, s + W], which is
    within (p, p + 2W]). A few ``find`` calls instead of every newline's position."""
    w = MAX_RECORD_BYTES // 2
    for s in range(first, last, w):
        if chunk.find(b"\n", s + 1, s + w + 1) < 0:
            return None
    return 2 * w


def read_bytes(p: Path, size: int, bar):
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


class Progress:
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

