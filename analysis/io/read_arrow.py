"""A large, plain CSV parsed by pyarrow, for ``validate``: answers kept as int8 codes.

pandas' parser (``read_csv``'s usual path) turns every answer into an int64 and then a
float64: a 1,000,000 x 60 file becomes 480 MB of floats before a single check has run.
Validating needs far less: pyarrow parses the file on every core into int8 codes (60 MB)
and the checks read those (:mod:`..validate.values`). The frame is the same as the usual
path's except that Likert answers without a missing cell stay int8 codes: the same
numbers, an eighth of the memory.

Only files the chunked scan has vetted come here (UTF-8, no quote character, every record
with the header's field count, see :mod:`.scan`). Columns are typed the way the usual path
types them, so the two frames agree:

- the instrument's Likert answers: int8 (float64 with NaN when a cell is missing, as
  pandas gives);
- its other numeric answers: float64; its ids, free text and dates: text;
- every other column is read as text and given the type pandas' parser would give it
  (int64, float64, bool, else text), with pandas' missing-value tokens.

A cell that does not fit its column's type ("非常同意" in a Likert column, "3.5") makes
that column text (converted like the others) and the file is parsed again, at most
:data:`MAX_RETRIES` times; so does a numeric column pyarrow reads otherwise than pandas
("-0", " inf", "NAN", integers past 64 bits). A file holding "0x" gets no int8 columns
(pyarrow reads "0x1" as 1, pandas as text). Past the retries, for a file without records,
for a column whose integers pass 64 bits or whose numbers overflow a float ("1e400"; pandas
2 and 3 type those differently), or for anything else pyarrow refuses, the caller falls
back to pandas (returns None).
"""
from __future__ import annotations

import re

__all__ = ["parse_plain", "MAX_RETRIES"]

MAX_RETRIES = 3
_BAD_COLUMN = re.compile(r"In CSV column #(\d+): CSV conversion error")
_TRUE, _FALSE = ("True", "TRUE", "true"), ("False", "FALSE", "false")
# the numbers pandas' parser reads: integers, decimals, exponents, infinities (blanks and
# tabs around a number allowed, but not around an infinity)
_INT = r"^[ \t]*[+-]?[0-9]+[ \t]*$"
_LONG_INT = r"^[ \t]*[+-]?[0-9]{19,}[ \t]*$"   # 19 digits or more: perhaps past 64 bits
_FLOAT = (r"^[ \t]*[+-]?([0-9]+\.?[0-9]*([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)[ \t]*$"
          r"|^[+-]?(?i:inf|infinity)$")


def parse_plain(path, *, delim: str, skip_rows: int, names, text, numeric, codes8):
    """The records of ``path`` as a frame of the positional columns ``names``, or None
    when pyarrow cannot parse it (the caller then uses pandas).

    text : names read as text (ids, free text, dates); numeric : names of numeric answers
    (float64); codes8 : the subset of ``numeric`` that are Likert answers whose codes fit
    int8. Every other column is typed from its text as pandas would.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - a dependency
        return None
    try:   # pandas' own missing-value tokens (what its parser uses), not a copy of the list
        from pandas._libs.parsers import STR_NA_VALUES
    except ImportError:  # pragma: no cover - a private name a future pandas may move
        return None

    if codes8 and _has_hex(path):   # pyarrow reads "0x1" as an integer, pandas as text
        codes8 = set()
    types = {n: (pa.int8() if n in codes8 else pa.float64()) if n in numeric else pa.string() for n in names}
    inferred = {n for n in names if n not in numeric and n not in text}
    read = pcsv.ReadOptions(skip_rows=skip_rows, column_names=list(names), block_size=1 << 22)
    parse = pcsv.ParseOptions(delimiter=delim, quote_char=False, double_quote=False)
    for _ in range(MAX_RETRIES + 1):
        conv = pcsv.ConvertOptions(column_types=types, null_values=sorted(STR_NA_VALUES),
                                   strings_can_be_null=True, true_values=[], false_values=[])
        try:
            table = pcsv.read_csv(str(path), read_options=read, parse_options=parse, convert_options=conv)
        except pa.ArrowInvalid as exc:
            m = _BAD_COLUMN.search(str(exc))
            if m is None or int(m.group(1)) >= len(names):
                return None
            name = names[int(m.group(1))]
            if types[name] == pa.string():
                return None
            types[name] = pa.string()   # not codes after all: typed from its text below
            inferred.add(name)
            continue
        except (pa.ArrowException, OSError, ValueError):
            return None
        if table.num_rows == 0:   # no records: pandas' object columns, as the caller's path gives them
            return None
        # numbers pyarrow reads otherwise than pandas: "-0" (0 to pandas in a column of
        # integers), " inf", "NAN" (text to pandas), integers past 64 bits: typed from the text
        odd = [n for n in names if types[n] == pa.float64() and _not_like_pandas(table.column(n))]
        if not odd:
            try:
                return _frame(table, names, text, inferred)
            except _Unsure:
                return None
        for n in odd:
            types[n] = pa.string()
            inferred.add(n)
    return None


def _has_hex(path) -> bool:
    """``path`` holds "0x" or "0X" somewhere (a hexadecimal number, perhaps). An "x" is
    looked for first: memchr, 30x faster than a search for the pair."""
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if mm.find(b"x") < 0 and mm.find(b"X") < 0:
            return False
        return re.search(rb"0[xX]", mm) is not None


def _not_like_pandas(c) -> bool:
    """The float column ``c`` holds a -0.0, an infinity, a number of 2**63 or more or a NaN
    that is no missing-value token ("NAN", "nan "): pandas may read those otherwise."""
    import numpy as np

    for ch in c.chunks:
        a = ch.to_numpy(zero_copy_only=False)   # NaN for missing cells
        if np.signbit(a[a == 0]).any() or (np.abs(a) >= 2.0 ** 63).any() or \
                np.count_nonzero(np.isnan(a)) != ch.null_count:
            return True
    return False


def _frame(table, names, text, inferred):
    """The pandas frame of ``table``, column by column (no consolidated copy)."""
    import pandas as pd

    cols = {}
    for n in names:
        c = table.column(n)
        if n in inferred:
            cols[n] = _like_pandas(c)
        elif n in text:
            cols[n] = _text(c, str_dtype=True)
        else:
            cols[n] = c.to_numpy()   # int8 without nulls as is; float64 (NaN for nulls) otherwise
    return pd.DataFrame(cols, copy=False)


def _like_pandas(c):
    """A text column typed the way pandas' C parser types a column it infers: int64 when
    every cell is an integer (blanks and tabs around it allowed; uint64 past int64 when
    no cell is missing), float64 when every cell is a number (NaN for missing cells), bool for
    True/False without missing cells, text otherwise. Raises _Unsure for integers past 64
    bits or a number too large for a float (pandas' choice varies, also between versions)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if c.null_count == len(c):
        return np.full(len(c), np.nan)
    if _all_match(c, _INT):
        t = pc.replace_substring_regex(pc.utf8_trim(c, characters=" \t"), pattern=r"^\+", replacement="")
        for target in (pa.int64(), pa.uint64()) if c.null_count == 0 else (pa.int64(),):
            try:   # (pandas gives text for uint64 numbers among missing cells: _Unsure below)
                return t.cast(target).to_numpy()
            except pa.ArrowInvalid:
                continue
        raise _Unsure   # past 64 bits: pandas' choice is its own (Python ints in 3.x, text in 2.x)
    if _any_match(c, _LONG_INT):   # an integer past 64 bits among other cells: likewise
        raise _Unsure
    if _all_match(c, _FLOAT):
        out = pc.utf8_trim(c, characters=" \t").cast(pa.float64()).to_numpy()
        inf = np.isinf(out)
        if inf.any() and _any_match(pc.filter(c, pa.array(inf)), r"[0-9]"):
            raise _Unsure   # a number that overflows ("1e400"): infinity to pandas 3, text to pandas 2
        return out
    vals = pc.unique(c.drop_null()).to_pylist()
    if vals and all(v in _TRUE or v in _FALSE for v in vals):
        b = pc.is_in(c, value_set=pa.array(list(_TRUE))).to_numpy(zero_copy_only=False)
        if c.null_count == 0:
            return b.astype(bool)
        out = b.astype(object)
        out[c.is_null().to_numpy(zero_copy_only=False)] = np.nan
        return out
    return _text(c, str_dtype=False)


class _Unsure(Exception):
    """A column whose type pandas' parser decides by rules not mirrored here (the caller
    then uses pandas)."""


def _any_match(c, pattern: str) -> bool:
    """Some present cell of ``c`` matches ``pattern``."""
    import pyarrow.compute as pc

    return bool(pc.any(pc.match_substring_regex(c, pattern=pattern), skip_nulls=True).as_py())


def _all_match(c, pattern: str) -> bool:
    """Every present cell of ``c`` matches ``pattern``."""
    import pyarrow.compute as pc

    return bool(pc.all(pc.match_substring_regex(c, pattern=pattern), skip_nulls=True).as_py())


def _text(c, *, str_dtype: bool):
    """Text cells with NaN for missing ones, in the dtype pandas' parser gives text: with
    ``dtype=str`` (``str_dtype``), or inferred."""
    import pandas as pd

    dtype = _text_dtype(str_dtype)
    if getattr(dtype, "storage", None) == "pyarrow":   # pandas 3's text: these very arrays, no copy
        return pd.array(c, dtype=dtype)
    obj = c.to_pandas()
    if obj.dtype != object:
        obj = obj.astype(object)
    obj = obj.where(obj.notna(), float("nan"))
    return obj.astype(dtype)


_TEXT_DTYPES: dict = {}


def _text_dtype(str_dtype: bool):
    """The dtype pandas' C parser gives a text column (``str`` in pandas 3, object before)."""
    if str_dtype not in _TEXT_DTYPES:
        import io

        import pandas as pd

        kw = {"dtype": str} if str_dtype else {}
        _TEXT_DTYPES[str_dtype] = pd.read_csv(io.StringIO("a\nx\n"), **kw)["a"].dtype
    return _TEXT_DTYPES[str_dtype]
