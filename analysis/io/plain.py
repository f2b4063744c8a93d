"""The plain-CSV fast path: a numeric CSV read without pandas.

R's ``write.csv(row.names = FALSE)``, Stata and our own ``simulate`` write coded answers
as a plain file of whole numbers; :func:`read_plain_numeric` reads such a file from the
byte positions of its commas and line ends (``numpy.loadtxt`` for what that parser does
not take) in a fraction of the time pandas needs and gives the same values. Every
other file, and anything unusual about this one, returns None: the caller then takes the
full reader (:func:`~.load.read_data`), which handles and reports it.
"""
from __future__ import annotations

import io as _io
import os
import re

from ..core.inputs import register_input

__all__ = ["NumericFrame", "read_plain_numeric"]


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
# bytes.translate table: 1 for a byte a plain body may not hold (anything but digits, ',', '-', CR, LF)
_NOT_PLAIN = bytes(0 if b in b"0123456789,-\r\n" else 1 for b in range(256))


def read_plain_numeric(path, instrument=None, *, empty_ok: bool = False):
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

    ``empty_ok=True`` (for analyses that take missing answers as NaN, e.g. polychoric
    correlations) also accepts empty cells, read as NaN as :func:`read_data` reads them.
    """
    p = _path_text(path)
    if os.path.splitext(p)[1].lower() != ".csv":
        return None
    try:
        if not os.path.isfile(p) or not 0 < os.path.getsize(p) <= _PLAIN_MAX_BYTES:
            return None
        with open(p, "rb") as fh:
            raw = fh.read()
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
    if not body or b"\x01" in body.translate(_NOT_PLAIN):
        return None
    try:
        names = head.decode("ascii").split(",")
    except UnicodeDecodeError:
        return None
    k = len(names)
    if k < 2 or len(set(names)) != k or not all(_PLAIN_NAME.match(nm) for nm in names):
        return None
    if body.startswith((b"\n", b"\r")) or \
            (b"\r" in body and (body.count(b"\r") != body.count(b"\r\n") or b"\n\r\n" in body)):
        return None
    import numpy as np

    # lines, blank lines and commas found by numpy (bytes.count and a search for two bytes
    # go a byte at a time)
    buf = np.frombuffer(body, dtype=np.uint8)
    line_end = buf == 10
    if (line_end[1:] & line_end[:-1]).any():
        return None
    n_rec = int(np.count_nonzero(line_end)) + (0 if body.endswith(b"\n") else 1)
    if int(np.count_nonzero(buf == 44)) != n_rec * (k - 1):
        return None
    values = _whole_numbers(body, n_rec, k, empty_ok)
    if values is None:
        values = _loadtxt(body, empty_ok)
    if values is None or values.shape != (n_rec, k):
        return None
    if instrument is not None:
        from .headers import match_headers
        names = match_headers(names, instrument, None).names
        if len(set(names)) != k:
            return None
    frame = NumericFrame(names, values, {"file": str(p), "format": "csv", "encoding": "utf-8", "bom": bom,
                                         "delimiter": ",", "header_rows": 1})
    if instrument is not None:
        from .codes import likert_to_missing
        pos = frame._pos

        def put(name, x):
            values[:, pos[name]] = x

        frame.source["n_out_of_range"] = likert_to_missing(names, lambda name: values[:, pos[name]], put,
                                                           instrument, p)
    register_input(p)
    return frame


def _path_text(path) -> str:
    """``str(pathlib.Path(path))`` without importing pathlib (kept out of the API's fast
    paths): empty and ``.`` parts dropped, ``..`` kept."""
    text = os.fspath(path)
    if os.sep != "/" or not isinstance(text, str):
        from pathlib import Path
        return str(Path(text))
    parts = [x for x in text.split("/") if x not in ("", ".")]
    lead = "//" if text.startswith("//") and not text.startswith("///") else "/" if text.startswith("/") else ""
    return lead + "/".join(parts) if parts or lead else "."


def _loadtxt(body: bytes, empty_ok: bool):
    """The rows by ``numpy.loadtxt`` (empty cells as NaN when ``empty_ok``), or None."""
    import numpy as np

    if empty_ok and (b",," in body or b"\n," in body or b",\n" in body or b",\r" in body
                     or body.startswith(b",") or body.endswith(b",")):
        text = body.replace(b"\r\n", b"\n")
        text = text[:-1] if text.endswith(b"\n") else text
        body = re.sub(rb"(?m)(?:^|(?<=,))(?=,|$)", b"nan", text)
    try:
        return np.loadtxt(_io.BytesIO(body), delimiter=",", dtype=np.float64, ndmin=2, encoding="ascii")
    except ValueError:
        return None


_MAX_CELLS_X_DIGITS = 50_000_000


def _one_byte_cells(buf, n_rec: int, k: int, empty_ok: bool):
    """:func:`_whole_numbers` when no cell has more than one digit and none a minus (the
    usual answer codes), or None. A placeholder byte (``:``) goes into every empty cell
    (a separator right after another one or at the start); every row is then k one-byte
    cells at even offsets and k separators at odd ones, read as a (n_rec, 2k) view with no
    index per cell."""
    import numpy as np

    sep = buf < 48                                       # ',' and '\n' (no '-' and no '\r' here)
    if int(np.count_nonzero(sep)) != n_rec * k:
        return None
    empty = np.flatnonzero(sep[1:] & sep[:-1]) + 1       # separators that end an empty cell
    if sep[0]:
        empty = np.concatenate([[0], empty])
    if empty.size and not empty_ok:
        return None
    if buf.size + empty.size != n_rec * 2 * k:
        return None                                      # a cell of two digits or more
    rows = (np.insert(buf, empty, 58) if empty.size else buf).reshape(n_rec, 2 * k)
    if not ((rows[:, 1:-1:2] == 44).all() and (rows[:, -1] == 10).all()):
        return None                                      # the separators are not where one-byte cells put them
    cells = rows[:, ::2]
    values = cells.astype(np.float64)
    values -= 48.0
    if empty.size:
        values[cells == 58] = np.nan
    return values


def _whole_numbers(body: bytes, n_rec: int, k: int, empty_ok: bool):
    """The (n_rec, k) float matrix of a body of whole numbers (digits with an optional
    leading minus; empty cells NaN when ``empty_ok``), parsed from the byte positions of
    the commas and line ends with numpy alone: no Python object per cell, about ten times
    faster than ``numpy.loadtxt`` on a file of answer codes. The values are those
    ``loadtxt`` gives (``-0`` included); None for anything else (a lone or inner minus,
    more than 18 digits, an empty cell without ``empty_ok``, a row of the wrong length),
    which then goes to :func:`_loadtxt`."""
    import numpy as np

    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    if not body.endswith(b"\n"):
        body += b"\n"
    buf = np.frombuffer(body, dtype=np.uint8)
    if b"-" not in body:
        values = _one_byte_cells(buf, n_rec, k, empty_ok)
        if values is not None:
            return values
    newline = buf == 10
    ends = np.flatnonzero(newline | (buf == 44))        # the byte after each cell
    if ends.size != n_rec * k:
        return None
    row_end = newline[ends].reshape(n_rec, k)
    if not row_end[:, -1].all() or row_end[:, :-1].any():
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    neg = buf[starts] == 45                              # '-' (an empty cell starts on its end)
    first = starts + neg
    width = ends - first
    if int(np.count_nonzero(buf == 45)) != int(np.count_nonzero(neg)) or (neg & (width == 0)).any():
        return None                                      # a minus inside a number, or alone
    w = int(width.max()) if width.size else 0
    if w > 18 or width.size * w > _MAX_CELLS_X_DIGITS:
        return None
    empty = width == 0
    if not empty_ok and empty.any():
        return None
    if w <= 1:                                           # one-digit codes (the usual answers): no Horner
        values = buf[np.minimum(first, buf.size - 1)].astype(np.float64)
        values -= 48.0
    else:
        num = np.zeros(width.size, dtype=np.int64)
        last = buf.size - 1
        for j in range(w):                               # Horner over the digit columns
            take = width > j
            d = buf[np.minimum(first + j, last)].astype(np.int64) - 48
            num = np.where(take, num * 10 + d, num)
        values = num.astype(np.float64)
    np.negative(values, out=values, where=neg)          # -0 stays -0.0, as loadtxt reads it
    values[empty] = np.nan
    return values.reshape(n_rec, k)
