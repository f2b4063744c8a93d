"""The plain-CSV fast path: a numeric CSV read without pandas.

R's ``write.csv(row.names = FALSE)``, Stata and our own ``simulate`` write coded answers
as a plain file of whole numbers; :func:`read_plain_numeric` reads such a file with
``numpy.loadtxt`` in a fraction of the time pandas needs and gives the same values. Every
other file, and anything unusual about this one, returns None: the caller then takes the
full reader (:func:`~.load.read_data`), which handles and reports it.
"""
from __future__ import annotations

import io as _io
import re
from pathlib import Path

from .codes import likert_to_missing
from .headers import match_headers
from .output import register_input

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

    if empty_ok and (b",," in body or b"\n," in body or b",\n" in body or b",\r" in body
                     or body.startswith(b",") or body.endswith(b",")):
        text = body.replace(b"\r\n", b"\n")
        text = text[:-1] if text.endswith(b"\n") else text
        body = re.sub(rb"(?m)(?:^|(?<=,))(?=,|$)", b"nan", text)
    try:
        values = np.loadtxt(_io.BytesIO(body), delimiter=",", dtype=np.float64, ndmin=2, encoding="ascii")
    except ValueError:
        return None
    if values.shape != (n_rec, k):
        return None
    if instrument is not None:
        names = match_headers(names, instrument, None).names
        if len(set(names)) != k:
            return None
    frame = NumericFrame(names, values, {"file": str(p), "format": "csv", "encoding": "utf-8", "bom": bom,
                                         "delimiter": ",", "header_rows": 1})
    if instrument is not None:
        pos = frame._pos

        def put(name, x):
            values[:, pos[name]] = x

        frame.source["n_out_of_range"] = likert_to_missing(names, lambda name: values[:, pos[name]], put,
                                                           instrument, p)
    register_input(p)
    return frame
