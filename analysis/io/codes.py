"""Answers to codes: numbers or answer labels ("非常同意", "Strongly agree", "5 非常同意")
become float codes; SPSS/Stata value labels are mapped through the label text; ids and
free text keep their type; Likert codes outside the scale become missing for analyses."""
from __future__ import annotations

import unicodedata

from .textnorm import norm_label
from .platforms import MISSING_TOKENS

__all__ = ["to_codes", "NUMERIC_TYPES", "apply_value_labels", "id_values", "likert_to_missing",
           "likert_out_of_range_to_missing", "count_out_of_range", "codes_outside_scale"]

NUMERIC_TYPES = ("likert", "numeric", "boolean", "ordinal", "categorical")

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


def to_codes(series, fmt, counts: dict | None = None, keep_int8: bool = False):
    """(float codes, bad mask) from numbers or answer labels; bad = given but not convertible.
    With ``keep_int8`` int8 codes stay int8 unless a missing code among them becomes NaN.

    Works on the distinct values only (vectorised over rows): each distinct text is parsed
    as a number or looked up among the format's labels in either language.
    """
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        out = series.astype(float)
        bad = np.zeros(len(series), bool)
    elif series.dtype == np.float64 or (keep_int8 and series.dtype == np.int8):
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
            hit = out.isin(mc)
            if counts is not None and hit.any():  # how often each missing code was given
                counts.update({float(k): int(v) for k, v in out[hit].value_counts().items()})
            out = out.where(~hit, np.nan)
    return out, np.asarray(bad)


def apply_value_labels(col, series, labels: dict, fmt):
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


def id_values(s):
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


def count_out_of_range(frame, instrument, *, rows=None, known=None) -> int:
    """Cells of Likert items and attention checks outside min..max or not whole numbers.

    ``rows``: boolean mask of the rows to count (default: all). ``known``: {column:
    (response format, mask of its out-of-range cells or None for none)} found already by
    the same rule (``validate``'s range check); a column checked against the same format
    is counted from its mask instead of being read again.
    """
    import numpy as np
    import pandas as pd

    present = set(frame.columns)
    n = 0
    for it in [*instrument.items, *instrument.attention_checks]:
        fmt = it.response
        if not fmt.is_likert or it.id not in present:
            continue
        col = frame[it.id]
        if getattr(col, "ndim", 1) != 1 or not pd.api.types.is_numeric_dtype(col) \
                or pd.api.types.is_bool_dtype(col):
            continue          # duplicate column names, or text: validate reports those
        seen = known.get(it.id) if known else None
        if seen is not None and seen[0] is fmt:
            if seen[1] is not None:
                n += int(np.count_nonzero(seen[1] if rows is None else seen[1][rows]))
            continue
        x = col.to_numpy(dtype=float, na_value=np.nan)
        if rows is not None:
            x = x[rows]
        with np.errstate(invalid="ignore"):
            n += int((~np.isnan(x) & ((x < fmt.min) | (x > fmt.max) | (x != np.round(x)))).sum())
    return n


def likert_out_of_range_to_missing(frame, instrument, path):
    """Codes outside a Likert item's min..max (or not whole numbers), such as 9 for "don't
    know" or a typo like 55, would bias every statistic: analyses treat them as missing and
    say so (``validate`` lists each one with its row)."""
    import numpy as np

    def get(name):
        col = frame[name]
        return col.to_numpy(dtype=float, na_value=np.nan) if np.issubdtype(col.dtype, np.number) else None

    def put(name, x):
        frame[name] = x

    likert_to_missing(frame.columns, get, put, instrument, path)
    return frame


def likert_to_missing(columns, get, put, instrument, path):
    """The rule of :func:`likert_out_of_range_to_missing` over any table of named
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
    return n_bad




def codes_outside_scale(frame, columns, path=None):
    """Warn about codes far outside a column's scale in data read without an instrument
    (``cfa --model``, ``sem``): outside the value labels of an SPSS/Stata file (the declared
    scale), else more than the scale's width beyond the observed 2.5-97.5% range (55 on a
    1-5 item, 99 or -9 as missing-value codes). Returns {column: [codes]}; the analysis
    uses them as they are, so the warning says how to set them missing."""
    import numpy as np

    from ..core.errors import DataWarning, warn

    src = getattr(frame, "attrs", {}).get("source", {}) if hasattr(frame, "attrs") else {}
    if not isinstance(src, dict):
        src = {}
    labels = src.get("value_labels") or {}
    found = {}
    for c in columns:
        if c not in frame.columns:
            continue
        try:
            x = frame.matrix([c])[:, 0] if hasattr(frame, "matrix") else frame[c].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            continue
        x = x[~np.isnan(x)]
        if x.size < 10:
            continue
        declared = labels.get(c)
        if declared:
            keys = np.array([float(k) for k in declared], float)
            lo, hi = keys.min(), keys.max()
            bad = (x < lo) | (x > hi)
            basis = f"outside its value labels ({lo:g}-{hi:g})"
        else:
            lo, hi = np.quantile(x, [0.025, 0.975])
            width = max(hi - lo, 1.0)
            bad = (x < lo - width) | (x > hi + width)
            basis = f"far outside its observed scale ({lo:g}-{hi:g})"
        if bad.any():
            vals = sorted({float(v) for v in x[bad]})
            found[c] = vals
            shown = ", ".join(f"{v:g}" for v in vals[:5])
            where = f"{path}: " if path else ""
            warn(f"{where}column '{c}' has {int(bad.sum())} code(s) {basis}: {shown}; they are used as numbers "
                 f"(declare the scale with --instrument, or set them missing)", DataWarning)
    return found
