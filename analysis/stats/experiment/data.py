"""Experiment data in long format, checked and coded.

One row per respondent x vignette (vignette designs) or respondent x task x profile
(conjoint). Columns: the respondent id (the experiment's ``respondent:``, default
``respondent``), one column per factor/attribute holding its level id (the level's zh or en
text is accepted too, as platforms export it), the outcome, and any covariates (numbers; the
same value on every row of a respondent). Optional ``task`` and ``profile`` columns (1, 2,
...) enable the carry-over and profile-order diagnostics of a conjoint. Instead of the factor
columns the data may hold one ``cell`` column: the run number of the assignment file
(``experiment --design-out``), which a platform showing "version k" exports.

A row whose outcome is empty (or NA, N/A, NaN, null, ".") is kept for the attrition table and
left out of the estimates. A factor cell that is empty or not a level, a cell of a numeric
column that is not a number, a missing column, and an arm without any observed outcome stop
the run with the file, row and column.

A plain CSV file (UTF-8, with or without BOM, or GB18030/GBK) is read with the csv module,
without pandas; other formats go through :func:`avoid_survey.analysis.io.read`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from avoid_survey.analysis.core.errors import AvoidSurveyError

__all__ = ["ExperimentData", "prepare", "read_columns", "frame_columns"]

MISSING = {"", "na", "n/a", "nan", "null", ".", "#n/a", "none"}


@dataclass(frozen=True)
class ExperimentData:
    """Long-format experiment data, checked and coded against the design."""

    experiment: object
    outcome: str
    y: object                   # float array, NaN where the outcome is missing
    codes: dict                 # factor id -> int array of level positions (instrument order)
    respondent: object = None   # array of respondent labels, or None (one row per respondent)
    covariates: dict = field(default_factory=dict)   # name -> float array
    moderator: tuple | None = None                   # (name, values, numeric?)
    cluster: tuple | None = None                     # (name, labels)
    task: object = None
    profile: object = None
    file: str | None = None

    @property
    def n_rows(self) -> int:
        return int(len(self.y))


# ---------------------------------------------------------------- reading
def read_columns(path, needed=None) -> dict:
    """{header: list of stripped cell texts} of a data file (only the ``needed``
    columns of a CSV file when given)."""
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() in (".csv", ".txt", ".tsv"):
        return _csv_columns(p, needed)
    from avoid_survey.analysis.io import read

    return frame_columns(read(p))


def _csv_columns(p, needed=None) -> dict:
    """{header: list of cell texts}. A file without quotes or padded cells is split in one
    pass (``str.split`` over the whole text, columns as list slices); anything else goes
    through the csv module, cell by cell."""
    from operator import methodcaller

    from avoid_survey.analysis.core.inputs import read_input_bytes

    raw = read_input_bytes(p, "data file")
    fast = _ascii_columns(raw, p, needed)
    if fast is not None:
        return fast
    text = _utf8_text(raw)
    if text is None:  # empty, binary, GB18030...: the readers' checks and messages
        from avoid_survey.analysis.io.encoding import decode_text

        text, _ = decode_text(raw, p)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").rstrip("\n")
    first = text[:text.find("\n")] if "\n" in text else text
    # a header with commas and no other candidate: no need for the csv sniffer
    if "," in first and not any(c in first for c in ";\t|"):
        delim = ","
    else:
        from avoid_survey.analysis.io.encoding import sniff_delimiter

        delim = sniff_delimiter(text)
    head, _, body = text.partition("\n")
    if '"' in head:
        import csv

        header = [h.strip() for h in next(csv.reader([head], delimiter=delim))]
    else:
        header = [h.strip() for h in head.split(delim)]
    _check_header(header, p)
    k = len(header)
    plain = '"' not in text and f" {delim}" not in text and f"{delim} " not in text and "\n\n" not in body
    if plain and body and len(delim) == 1 and ord(delim) < 128:
        fast = _byte_columns(body.encode("utf-8"), header, delim, needed)
        if fast is not None:
            return fast
    if plain and body and all(n == k - 1 for n in map(methodcaller("count", delim), body.split("\n"))):
        flat = body.replace("\n", delim).split(delim)
        return {h: flat[j::k] for j, h in enumerate(header) if needed is None or h in needed}
    import csv

    rows = [r for r in csv.reader(body.splitlines(), delimiter=delim)]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise AvoidSurveyError("the file has no data rows", file=p)
    for i, r in enumerate(rows, 1):
        if len(r) != k:
            raise AvoidSurveyError(f"the row has {len(r)} fields, the header {k}", file=p, row=i)
    return {h: [r[j].strip() for r in rows] for j, h in enumerate(header) if needed is None or h in needed}


def _ascii_columns(raw: bytes, p, needed=None):
    """What :func:`_csv_columns` gives for a plain comma-separated ASCII file with ``\n`` line
    ends (the common export), without decoding the body to text and encoding it back; None
    for any other file (the general path then decides)."""
    if not raw.isascii() or b"\r" in raw or b"\x00" in raw or b'"' in raw or not raw.strip():
        return None
    data = raw.rstrip(b"\n")
    head_b, _, body = data.partition(b"\n")
    head = head_b.decode("ascii")
    if "," not in head or any(c in head for c in ";\t|"):
        return None
    if not body or b" ," in data or b", " in data or b"\n\n" in body:
        return None
    header = [h.strip() for h in head.split(",")]
    _check_header(header, p)
    return _byte_columns(body, header, ",", needed)


def _utf8_text(raw: bytes):
    """The text of a non-empty UTF-8 file without NUL bytes (the common case, decoded here
    without loading the reading package); None for anything else."""
    if b"\x00" in raw or not raw.strip():
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _byte_columns(body: bytes, header, delim: str, needed=None, max_bytes: int = 200_000_000):
    """{header: numpy bytes array (UTF-8 cells)} of a plain file (no quotes, no padded cells,
    every line with the header's number of fields), found from the positions of the
    delimiters and line ends alone: no Python string per cell. None when the file is not
    that regular (the caller then splits it as text and reports the row)."""
    import numpy as np

    buf = np.frombuffer(body + b"\n", dtype=np.uint8)
    k = len(header)
    newline = buf == 10
    sep = np.flatnonzero(newline | (buf == ord(delim)))   # the byte after each cell
    n = sep.size // k
    if n == 0 or sep.size != n * k:
        return None
    at_nl = newline[sep].reshape(n, k)
    if not at_nl[:, -1].all() or at_nl[:, :-1].any():
        return None
    ends = sep.reshape(n, k)
    out = {}
    last = buf.size - 1
    for j, h in enumerate(header):
        if needed is not None and h not in needed:
            continue
        # a cell starts one byte after the cell before it ends (a delimiter or a line end)
        if j:
            lo = ends[:, j - 1] + 1
        else:
            lo = np.empty(n, dtype=sep.dtype)
            lo[0] = 0
            lo[1:] = ends[:-1, -1] + 1
        width = ends[:, j] - lo
        w = int(width.max())
        if w == 0:
            out[h] = np.zeros(n, dtype="S1")
            continue
        if n * w > max_bytes:
            return None
        # byte i of every cell at once (NUL past a cell's end, as numpy pads bytes)
        full = int(width.min()) == w        # every cell w bytes wide ('l1', 'l2', ...)
        chars = np.empty((n, w), dtype=np.uint8)
        for i in range(w):
            b = buf[lo + i] if full else buf[np.minimum(lo + i, last)]
            if not full:
                b = np.where(width > i, b, np.uint8(0))
            chars[:, i] = b
        out[h] = chars.view(f"S{w}").ravel()
    return out


def _byte_keys(values):
    """One unsigned integer per cell of a bytes array of at most 8 bytes a cell (its bytes,
    NUL-padded, read as one number): equal cells, equal keys, and integer comparisons are
    several times faster than bytes comparisons. None for wider cells."""
    import numpy as np

    w = values.dtype.itemsize
    if w > 8:
        return None
    if w in (1, 2, 4, 8):
        return np.ascontiguousarray(values).view(f"<u{w}")
    padded = np.zeros((len(values), 8), dtype=np.uint8)
    padded[:, :w] = np.ascontiguousarray(values).view(np.uint8).reshape(-1, w)
    return padded.view("<u8").ravel()


def _level_positions(values, level_ids):
    """The position of each cell's level id in ``level_ids`` (-1: no level) for a bytes array:
    the cells' integer keys looked up in a table (cells of one or two bytes) or among the
    levels' sorted keys (one ``searchsorted``)."""
    import numpy as np

    w = values.dtype.itemsize
    encoded = [lid.encode("utf-8") for lid in level_ids]
    keys = _byte_keys(values)
    if keys is None or len(set(encoded)) != len(encoded):
        out = np.full(len(values), -1, dtype=np.int64)
        for k, lb in enumerate(encoded):
            out[values == lb] = k
        return out
    fits = [k for k, lb in enumerate(encoded) if len(lb) <= w]   # a longer id matches no cell
    out = np.full(len(values), -1, dtype=np.int64)
    if not fits:
        return out
    lk = _byte_keys(np.array([encoded[k] for k in fits], dtype=values.dtype))
    if w <= 2:                                # cells of one or two bytes: a lookup table
        table = np.full(1 << (8 * w), -1, dtype=np.int64)
        table[lk] = fits
        return table[keys]
    order = np.argsort(lk, kind="stable")
    sk, pos_of = lk[order], np.asarray(fits, dtype=np.int64)[order]
    at = np.minimum(np.searchsorted(sk, keys), len(sk) - 1)
    return np.where(sk[at] == keys, pos_of[at], out)


def _whole_numbers(values):
    """The float values of a bytes array whose every cell is 1 to 15 ASCII digits, as
    ``astype(float)`` reads them (exactly: such numbers are whole and below 2**53), without
    parsing each cell as text; None for any other content (signs, decimals, empty cells)."""
    import numpy as np

    w = values.dtype.itemsize
    if w > 15 or not len(values):
        return None
    b = np.ascontiguousarray(values).view(np.uint8).reshape(-1, w)
    digit = (b >= 48) & (b <= 57)
    if w == 1:
        return (b[:, 0].astype(np.float64) - 48.0) if digit.all() else None
    used = b != 0
    # digits first, then only NUL padding; at least one digit
    if not digit[:, 0].all() or (used & ~digit).any() or (used[:, 1:] & ~used[:, :-1]).any():
        return None
    num = np.zeros(len(values), dtype=np.int64)
    for i in range(w):
        num = np.where(used[:, i], num * 10 + (b[:, i].astype(np.int64) - 48), num)
    return num.astype(np.float64)


def _as_text(values):
    """A list of str for the checks that report a cell (bytes arrays of the fast reader are
    decoded)."""
    if getattr(values, "dtype", None) is not None and values.dtype.kind == "S":
        return [v.decode("utf-8", "replace") for v in values.tolist()]
    return values


def _check_header(header, p) -> None:
    seen = set()
    for h in header:
        if h in seen:
            raise AvoidSurveyError(f"duplicate column '{h}'", file=p, column=h)
        seen.add(h)


def frame_columns(frame) -> dict:
    """{column: list of cell texts} of a pandas DataFrame (whole floats as '1')."""
    import pandas as pd

    out = {}
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_float_dtype(s):
            vals = [("" if v != v else (str(int(v)) if float(v).is_integer() else repr(float(v)))) for v in s]
        else:
            vals = s.astype("string").fillna("").str.strip().tolist()
        out[str(c)] = vals
    return out


# ---------------------------------------------------------------- columns
def _column(cols, name, what, file):
    if name not in cols:
        names = list(cols)
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise AvoidSurveyError(f"{what} column '{name}' is not in the data (columns: {shown})", file=file,
                               column=name)
    return cols[name]


def _numbers(values, name, what, file):
    """Float array; missing markers -> NaN; the first other non-number stops the run."""
    import numpy as np

    if getattr(values, "dtype", None) is not None and values.dtype.kind == "S":
        fast = _whole_numbers(values)
        if fast is not None:
            return fast
        try:
            return values.astype(float)
        except ValueError:
            values = _as_text(values)
    try:
        return np.fromiter(map(float, values), dtype=float, count=len(values))
    except (ValueError, TypeError):
        pass
    values = np.asarray(values, dtype=str)
    miss = np.fromiter((v.lower() in MISSING for v in values), dtype=bool, count=len(values))
    filled = np.where(miss, "nan", values)
    try:
        return filled.astype(float)
    except ValueError:
        pass
    for i, v in enumerate(filled):
        try:
            float(v)
        except ValueError:
            raise AvoidSurveyError(f"{what} column '{name}' holds '{values[i]}', which is not a number",
                                   file=file, row=i + 1, column=name) from None
    return filled.astype(float)  # pragma: no cover


def _factor_codes(cols, factor, file):
    import numpy as np

    values = _column(cols, factor.id, f"factor '{factor.id}'", file)
    if getattr(values, "dtype", None) is not None and values.dtype.kind == "S":
        out = _level_positions(values, factor.level_ids)
        if (out >= 0).all():
            return out
        values = _as_text(values)
    lookup = {lid: k for k, lid in enumerate(factor.level_ids)}
    try:
        return np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
    except KeyError:
        pass
    for k, lv in enumerate(factor.levels):  # platform exports: the level's text instead of its id
        for t in (lv.text or {}).values():
            if t:
                lookup.setdefault(" ".join(str(t).split()), k)
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        k = lookup.get(v, lookup.get(" ".join(str(v).split())))
        if k is None:
            what = "is empty" if v == "" else f"holds '{v}', which is not a level of factor '{factor.id}'"
            raise AvoidSurveyError(f"the cell {what} (levels: {', '.join(factor.level_ids)})", file=file, row=i + 1,
                                   column=factor.id)
        out[i] = k
    return out


def _cell_codes(values, exp, file) -> dict:
    """Factor codes from a ``cell`` column: the run numbers (1-based) of the design's cells,
    as the assignment file of :mod:`.fielding` numbers them."""
    import numpy as np

    cells = exp.cells()
    table = np.array([[f.level_ids.index(c[f.id]) for f in exp.factors] for c in cells], dtype=np.int64)
    nums = _numbers(values, "cell", "cell", file)
    bad = np.flatnonzero(~np.isfinite(nums) | (nums != np.round(nums)) | (nums < 1) | (nums > len(cells)))
    if bad.size:
        i = int(bad[0])
        raise AvoidSurveyError(f"cell '{_as_text(values)[i]}' is not a run of the design (1..{len(cells)})", file=file,
                               row=i + 1, column="cell")
    idx = nums.astype(np.int64) - 1
    return {f.id: table[idx, j] for j, f in enumerate(exp.factors)}


def _texts(values):
    import numpy as np

    if getattr(values, "dtype", None) is not None and values.dtype.kind == "S":
        w = values.dtype.itemsize
        b = np.ascontiguousarray(values).view(np.uint8)
        if len(values) and not (b >= 128).any():   # ASCII: each byte is its code point
            return b.astype(np.uint32).view(f"<U{w}").reshape(values.shape)
        try:
            return values.astype(str)
        except UnicodeDecodeError:
            return np.asarray(_as_text(values), dtype=str)
    return np.asarray(values, dtype=str)


def _moderator(cols, name, file):
    import numpy as np

    values = _column(cols, name, "moderator", file)
    try:
        return (name, _numbers(values, name, "moderator", file), True)
    except AvoidSurveyError:
        return (name, _texts(values), False)


def _check_arms(exp, codes, y, file):
    import numpy as np

    observed = ~np.isnan(y)
    if not observed.any():
        raise AvoidSurveyError("the outcome is empty on every row", file=file)
    for f in exp.factors:
        counts = np.bincount(codes[f.id][observed], minlength=len(f.levels))
        for k, lv in enumerate(f.levels):
            if counts[k] == 0:
                raise AvoidSurveyError(f"level '{lv.id}' of factor '{f.id}' has no row with an observed outcome "
                                       f"(an empty arm cannot be estimated)", file=file, column=f.id)


def prepare(cols, experiment, *, outcome=None, covariates=(), moderator=None, cluster=None,
            file=None) -> ExperimentData:
    """Check and code long-format data (``{column: cell texts}``, or a pandas DataFrame)
    against the experiment's design."""
    exp = experiment
    file = None if file is None else str(file)
    if not isinstance(cols, dict):
        cols = frame_columns(cols)
    if outcome is None:
        if not exp.outcomes:
            raise AvoidSurveyError("no outcome: give --outcome COLUMN (or list outcomes: in the experiment block)",
                                   file=file)
        outcome = exp.outcomes[0]
    y = _numbers(_column(cols, outcome, "outcome", file), outcome, "outcome", file)
    if "cell" in cols and not all(f.id in cols for f in exp.factors):
        codes = _cell_codes(cols["cell"], exp, file)
    else:
        codes = {f.id: _factor_codes(cols, f, file) for f in exp.factors}
    covs = {c: _numbers(_column(cols, c, "covariate", file), c, "covariate", file) for c in covariates}
    resp = None
    if exp.respondent in cols:
        resp = _texts(cols[exp.respondent])
    elif exp.type == "conjoint" or exp.per_respondent > 1:
        _column(cols, exp.respondent, "respondent id", file)
    mod = _moderator(cols, moderator, file) if moderator else None
    cl = (cluster, _texts(_column(cols, cluster, "cluster", file))) if cluster else None
    extra = {key: _texts(cols[key]) for key in ("task", "profile") if exp.type == "conjoint" and key in cols}
    _check_arms(exp, codes, y, file)
    return ExperimentData(exp, outcome, y, codes, resp, covs, mod, cl, extra.get("task"), extra.get("profile"), file)
