"""Value checks, one finding per cell: ``value-not-numeric``, ``value-unknown-label``,
``value-wrong-type``, ``value-out-of-range``.

The range check also learns, per Likert column, how many answers are missing and, when
every respondent gave a code in range, the answers as int8 codes: what the careless
indices read (:mod:`.indices`), so no column is scanned twice.
"""
from __future__ import annotations

from .collect import Collector

__all__ = ["check_values", "out_of_range"]

_ANSWER_TYPES = ("likert", "categorical", "ordinal", "boolean")
_CODED_TYPES = ("likert", "numeric", "categorical", "ordinal", "boolean")


def check_values(col: Collector, ld, instrument, items_present, ids, dup_names):
    """Cells that are not codes, and codes outside their format.

    Returns (oor, col_stats): {column: out-of-range mask} (those answers do not enter the
    statistics) and {column: {"nan": missing answers, "int8": codes or None}} (Likert).
    """
    import numpy as np

    df = ld.frame
    resp = instrument.responses()
    checks = {a.id for a in instrument.attention_checks}
    oor, col_stats = {}, {}
    for c in df.columns:
        fmt = resp.get(c)
        if fmt is None or c in dup_names:
            continue
        if c in ld.bad_cells:
            _bad_cells(col, c, fmt, ld.bad_cells[c], ids, is_answer=c in items_present or c in checks)
        if fmt.type not in _CODED_TYPES:
            continue
        codes = _int8_codes(df[c], fmt)
        if codes is not None:   # read as int8 codes (a large CSV), all in range: nothing to copy
            col_stats[c] = {"nan": 0, "int8": codes}
            continue
        x = df[c].to_numpy(dtype=float, na_value=np.nan)
        st = col_stats[c] = {}
        bad, allowed = out_of_range(x, fmt, st)
        if bad is not None and bad.any():
            oor[c] = bad
            pos = np.flatnonzero(bad)
            col.rows("value-out-of-range", pos, column=c, values=x[pos], ids=ids, allowed=allowed)
    _missing_code_answers(col, (getattr(ld, "info", None) or {}).get("missing_codes") or {}, resp)
    return oor, col_stats


def _int8_codes(s, fmt):
    """The int8 array of a Likert column read as int8 codes (see ``io.load(compact=True)``)
    when every code lies in the format's range, else None."""
    import numpy as np

    if fmt.type != "likert" or s.dtype != np.int8:
        return None
    codes = s.to_numpy()
    if codes.size and not (fmt.min <= int(codes.min()) and int(codes.max()) <= fmt.max):
        return None
    return codes


def _missing_code_answers(col: Collector, missing: dict, resp) -> None:
    """One info finding per column answered with missing codes (e.g. 8 = don't know,
    9 = not applicable): their own counts, though they are read as missing."""
    for c, counts in missing.items():
        fmt = resp.get(c)
        parts = []
        for code, n in sorted(counts.items(), key=lambda kv: float(kv[0])):
            k = int(float(code)) if float(code).is_integer() else float(code)
            lab = fmt.label(k, "en") if fmt is not None else ""
            parts.append(f"{k}{' (' + lab + ')' if lab else ''}: {n}")
        col.add("missing-code-answers", column=c, value=sum(counts.values()), detail="; ".join(parts))


def _bad_cells(col: Collector, c, fmt, cells, ids, is_answer: bool) -> None:
    import numpy as np

    pos, raw = cells
    if not is_answer and fmt.type not in _ANSWER_TYPES:
        col.cells("value-wrong-type", pos, c, raw, ids, type=fmt.type)
        return
    # text with a digit ("4?", "3.5.1") is a broken number; other text an unknown label
    has_digit = np.array([any(ch.isdigit() for ch in str(v)) for v in raw], dtype=bool)
    nn = has_digit | (not bool(fmt.labels))
    col.cells("value-not-numeric", pos[nn], c, raw[nn], ids)
    col.cells("value-unknown-label", pos[~nn], c, raw[~nn], ids)


def out_of_range(x, fmt, stats=None):
    """(mask of answers outside the format or None when none can be, description of what
    is allowed).

    For a Likert item, ``stats`` (a dict) also receives ``nan``, the number of missing
    answers, and ``int8``, the answers as int8 codes when every respondent gave a code
    in range and the scale fits (else None): what the careless indices read."""
    import numpy as np

    if fmt.type == "likert":
        if stats is not None and -128 <= fmt.min and fmt.max <= 127:
            codes = _all_codes(x, fmt)
            if codes is not None:   # every answer a code in range: nothing is out of range
                stats.update(nan=0, int8=codes)
                return None, f"codes {int(fmt.min)}..{int(fmt.max)}"
        # in row blocks that stay in the CPU cache (1,000,000 x 60 answers: 4x faster)
        bad = np.empty(x.size, bool)
        n_nan, any_bad = 0, False
        codes = np.empty(x.size, np.int8) if stats is not None and -128 <= fmt.min and fmt.max <= 127 else None
        for lo in range(0, x.size, 32_768):
            xb = x[lo:lo + 32_768]
            nn = np.isnan(xb)
            with np.errstate(invalid="ignore"):
                bb = ~nn & ((xb < fmt.min) | (xb > fmt.max) | (xb != np.rint(xb)))
            bad[lo:lo + 32_768] = bb
            if stats is not None:
                n_nan += int(np.count_nonzero(nn))
                if codes is not None:
                    if n_nan or bb.any():
                        any_bad, codes = True, None
                    else:
                        codes[lo:lo + 32_768] = xb
        if stats is not None:
            stats.update(nan=n_nan, int8=None if any_bad else codes)
        return bad, f"codes {int(fmt.min)}..{int(fmt.max)}"
    ok = ~np.isnan(x)
    if fmt.type in ("categorical", "ordinal") and fmt.labels:
        codes = []
        for c in fmt.labels:
            try:
                codes.append(float(c))
            except (TypeError, ValueError):
                pass
        if not codes:
            return None, ""
        return ok & ~np.isin(x, np.array(codes)), "codes " + ", ".join(f"{c:g}" for c in sorted(codes))
    if fmt.type == "boolean":
        return ok & ~np.isin(x, np.array([0.0, 1.0])), "0 (no) or 1 (yes)"
    if fmt.type == "numeric":
        lo = -np.inf if fmt.min is None else fmt.min
        hi = np.inf if fmt.max is None else fmt.max
        if fmt.min is None and fmt.max is None:
            return None, ""
        rng = f"{'' if fmt.min is None else f'{fmt.min:g}'}..{'' if fmt.max is None else f'{fmt.max:g}'}"
        return ok & ((x < lo) | (x > hi)), f"range {rng}"
    return None, ""


def _all_codes(x, fmt):
    """``x`` as int8 codes when every answer is a whole number in fmt.min..fmt.max (no
    missing answer), else None: the common case of :func:`out_of_range` in one cheap pass.

    Cast to int8 and back, a value survives only if it is a whole number within int8
    (NaN, fractions, infinities and larger numbers do not), so ``codes == x`` everywhere
    and the codes' range within the format's are exactly "no answer missing or out of
    range"."""
    import numpy as np

    B = 32_768   # row blocks that stay in the CPU cache
    codes = np.empty(x.size, np.int8)
    eq = np.empty(min(B, x.size), bool)
    with np.errstate(invalid="ignore"):
        for s in range(0, x.size, B):
            xb, cb = x[s:s + B], codes[s:s + B]
            np.copyto(cb, xb, casting="unsafe")
            e = eq[: xb.size]
            np.equal(cb, xb, out=e)
            if not e.all():
                return None
    if x.size and (int(codes.min()) < fmt.min or int(codes.max()) > fmt.max):
        return None
    return codes
