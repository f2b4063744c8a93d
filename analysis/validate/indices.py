"""Careless-response indices per respondent: ``longstring``, ``low-irv``,
``mahalanobis-outlier``, ``even-odd-inconsistent`` (warnings, each with its value), and
``careless-skipped`` (info) when an index cannot be computed. The indices themselves are
in :mod:`.careless` (equal to R ``careless``); this module feeds them and turns their
values into findings, index values and 0/1 flags.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.findings import finding
from .collect import Collector
from .items import item_rest

__all__ = ["check_careless", "leaves", "Recoded", "reversed_columns"]

_INT8_CODES = True  # the int8 path for complete whole-number codes (tests compare it with the float path)


def leaves(instrument, present):
    """Unidimensional blocks (facets, or scales without facets) with their present items."""
    out = []
    for s in instrument.scales:
        parts = s.facets if s.facets else (s,)
        for f in parts:
            ids = [i for i in f.item_ids if i in present]
            if ids:
                out.append((f.id, ids))
    return out


class Recoded:
    """``a - x`` in float64, computed slice by slice: a reverse-keyed column for functions
    that only take row slices of their columns (``careless.even_odd``)."""

    __slots__ = ("a", "x", "size")

    def __init__(self, a, x):
        self.a, self.x, self.size = a, x, x.size

    def __getitem__(self, rows):
        import numpy as np

        return np.subtract(self.a, self.x[rows], dtype=np.float64)


def reversed_columns(X, items, instrument, lazy=False):
    """Columns with reverse-keyed Likert items recoded (min + max - x); others shared.
    ``lazy``: recoded columns are :class:`Recoded` views, for row-sliced use only."""
    out = []
    for j, c in enumerate(items):
        it = instrument.item(c)
        if it.reverse and it.response.is_likert:
            rec = Recoded(it.response.min + it.response.max, X[j])
            out.append(rec if lazy else rec[:])
        else:
            out.append(X[j])
    return out


_INT8_CODES = True  # the int8 path for complete whole-number codes (tests compare it with the float path)


@dataclass(frozen=True)
class _Computed:
    """What the index computations returned (None: not computed)."""

    longstring: object
    irv: object
    mahalanobis: object      # (d2, complete rows, ok)
    even_odd: object         # (r, pairs) or None
    n_blocks: int            # scales/facets with 2+ items (even-odd needs enough of them)
    rest: list               # item-rest correlations, for the item checks


def check_careless(col: Collector, ans, items, instrument, ids, th, indices, flags, codes8=None) -> list:
    """The careless-response indices of every respondent, as findings, ``indices`` and
    ``flags``; returns the item-rest correlations [(group, item, r)] for the item checks.

    ``codes8``: the answers as int8 codes per item (None where a column has a missing or
    out-of-range answer), from the range check.
    """
    k = len(ans.X)
    c = _compute(ans, items, instrument, th, codes8)
    if k < th.min_items:
        col.add("careless-skipped", index="careless-response indices",
                reason=f"only {k} item(s) in the data (need {th.min_items})")
        return c.rest
    _longstring(col, c.longstring, k, ids, th, indices, flags)
    _irv(col, c.irv, ids, th, indices, flags)
    _mahalanobis(col, c.mahalanobis, k, ids, th, indices, flags)
    _even_odd(col, c.even_odd, c.n_blocks, ids, th, indices, flags)
    return c.rest


def _compute(ans, items, instrument, th, codes8) -> _Computed:
    """The heavy, independent computations, two threads at a time — numpy and BLAS
    release the GIL: even-odd consistency (and, with missing answers, the item-rest
    correlations) in a pool while longstring and the row moments run here; then
    Mahalanobis D², the longest, over two threads of its own."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from . import careless as cl

    X, complete = ans.X, ans.complete
    n, k = X[0].size, len(X)
    pos_of = {c: j for j, c in enumerate(items)}
    careless = k >= th.min_items
    # complete data of whole-number Likert codes: the range check made int8 copies (see
    # values.out_of_range); the indices read those, an eighth of the memory traffic, with
    # the same results (their sums are exact)
    if _INT8_CODES and codes8 and all(c8 is not None for c8 in codes8):
        X = codes8
    elif not _INT8_CODES:   # the float path (tests), also for answers read as int8 codes
        X = [x if x.dtype == np.float64 else x.astype(np.float64) for x in X]
    # no missing answer at all: the item-rest correlations follow from the covariance matrix
    # Mahalanobis D² needs anyway. D² is the same on reverse-recoded items (an affine map),
    # so it runs on the answers as given; recoding x -> a - x only flips the signs of the
    # covariances of the reverse-keyed items: S_R = D S D with D = diag(+-1).
    share_cov = careless and n > k + 1 and all(c in complete for c in items)
    sign = np.array([-1.0 if (instrument.item(c).reverse and instrument.item(c).response.is_likert) else 1.0
                     for c in items])
    cov = {}
    ls = v = mah = None
    with ThreadPoolExecutor(max_workers=2) as pool:
        # reverse-keyed items recoded block by block inside even_odd (no full-length copies)
        R = reversed_columns(X, items, instrument, lazy=True)
        blocks = [[R[pos_of[c]] for c in ids_] for _, ids_ in leaves(instrument, set(items)) if len(ids_) >= 2]
        if not share_cov:
            R = reversed_columns(X, items, instrument)
        fut_rest = None if share_cov else pool.submit(item_rest, R, items, instrument, complete=complete)
        do_eo = careless and len(blocks) >= max(2, th.even_odd_min_scales)
        fut_eo = pool.submit(cl.even_odd, blocks, max(2, th.even_odd_min_scales)) if do_eo else None
        if careless:
            ls, moments = cl.longstring_and_moments(X)
            ls[~(ans.answered >= th.min_items)] = np.nan
            v = cl.irv(X, th.min_items, moments=moments)
            if fut_eo is not None:
                fut_eo.result()
        # then the longest task alone, over two threads of its own (BLAS runs single-threaded
        # in every check: validate_loaded sets the limit)
        mah = cl.mahalanobis(X, cov_out=cov, workers=2) if careless else None
        if fut_rest is not None:
            rest = fut_rest.result()
        else:
            S_R = cov["S"] * np.outer(sign, sign) if cov.get("n") == n else None
            rest = item_rest(R, items, instrument, S_all=S_R, complete=complete)
        eo = fut_eo.result() if fut_eo is not None else None
    return _Computed(ls, v, mah, eo, len(blocks), rest)


def _longstring(col, ls, k, ids, th, indices, flags) -> None:
    import numpy as np

    thr = th.longstring if th.longstring is not None else max(8, math.ceil(2 * k / 3))
    f = ~np.isnan(ls) & (ls >= thr)
    pos = np.flatnonzero(f)
    col.rows("longstring", pos, values=ls[pos], ids=ids, threshold=thr)
    indices["longstring"], flags["flag_longstring"] = ls, f


def _irv(col, v, ids, th, indices, flags) -> None:
    import numpy as np

    f = ~np.isnan(v) & (v < th.irv)
    pos = np.flatnonzero(f)
    col.rows("low-irv", pos, values=v[pos], ids=ids, threshold=th.irv)
    indices["irv"], flags["flag_irv"] = v, f


def _mahalanobis(col, mah, k, ids, th, indices, flags) -> None:
    """D² above qchisq(1 - alpha, k), with p = pchisq(d2, k, lower = FALSE)."""
    import numpy as np

    from . import careless as cl

    d2, nc, ok = mah
    if not ok:
        col.add("careless-skipped", index="Mahalanobis D²",
                reason=f"{nc} complete row(s) for {k} items, or a singular covariance matrix")
        return
    cutoff = cl.chi2_ppf(1 - th.mahalanobis_alpha, k)
    f = ~np.isnan(d2) & (d2 > cutoff)
    pos = np.flatnonzero(f)
    if pos.size:
        p = {i: cl.chi2_sf(float(d2[i]), k) for i in pos[: th.max_listed].tolist()}
        col.listed("mahalanobis-outlier", pos, make=lambda i: finding(
            "mahalanobis-outlier", row=i + 1, respondent=None if ids is None else ids[i], value=float(d2[i]),
            cutoff=cutoff, df=k, p=float(p[i])))
    indices["mahalanobis_d2"], flags["flag_mahalanobis"] = d2, f


def _even_odd(col, eo, n_blocks, ids, th, indices, flags) -> None:
    import numpy as np

    if eo is None:
        col.add("careless-skipped", index="even-odd consistency",
                reason=f"needs at least {th.even_odd_min_scales} scales/facets with 2+ items in the data "
                f"(found {n_blocks})")
        return
    r, m = eo
    f = ~np.isnan(r) & (r < th.even_odd)
    pos = np.flatnonzero(f)
    if pos.size:
        col.listed("even-odd-inconsistent", pos, make=lambda i: finding(
            "even-odd-inconsistent", row=i + 1, respondent=None if ids is None else ids[i], value=float(r[i]),
            threshold=th.even_odd, pairs=int(m[i])))
    indices["even_odd"], flags["flag_even_odd"] = r, f
