"""An ordinal item's categories and probit thresholds, and the two-step polyserial
correlation between a continuous and an ordinal variable (lavaan's
``lav_bvmix_cor_twostep_fit``). The contract of these functions is the docstring of
:mod:`.polychoric`, which re-exports them.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.errors import AvoidSurveyError
from .bvnorm import _dnorm, norm_cdf, norm_ppf

__all__ = ["categories", "thresholds", "polyserial"]


# ----------------------------------------------------------------------------- univariate
def categories(codes):
    """``(idx, levels)``: category index 0..C-1 of each answer (-1 when missing) and the sorted
    distinct codes (the item's categories)."""
    x = np.asarray(codes, dtype=float)
    ok = ~np.isnan(x)
    xo = x[ok]
    found = _whole_categories(xo)
    levels, inv = found if found is not None else np.unique(xo, return_inverse=True)
    idx = np.full(x.shape, -1, dtype=np.int64)
    idx[ok] = inv
    return idx, levels


def _whole_categories(xo, span: int = 1000):
    """``numpy.unique(xo, return_inverse=True)`` for answer codes: whole numbers within
    ``span`` of each other, counted (``bincount``) instead of sorted; None otherwise (and
    for a signed zero, whose sign np.unique may keep)."""
    if not xo.size:
        return None
    lo, hi = float(xo.min()), float(xo.max())
    if not hi - lo <= span or not lo == math.floor(lo) or not (xo == np.floor(xo)).all():
        return None
    if lo <= 0 <= hi and (np.signbit(xo) & (xo == 0)).any():
        return None
    off = (xo - lo).astype(np.intp)
    present = np.bincount(off, minlength=int(hi - lo) + 1) > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + lo, rank[off]


def _thresholds_from_counts(counts):
    """Thresholds from category counts (..., C) -> (..., C-1); a category counted 0 after
    the last one used (padding) gives +inf."""
    n = counts.sum(axis=-1, keepdims=True)
    cum = np.cumsum(counts, axis=-1)[..., :-1] / n
    return norm_ppf(cum)


def thresholds(codes):
    """Probit thresholds ``qnorm(cumulative proportion)`` of one ordinal item (NaN = missing).

    Equals lavaan's univariate thresholds (``lavCor(..., output = "th")``) and psych's
    ``polychoric()$tau`` for an item whose categories are all used. Returns C-1 values.
    """
    idx, levels = categories(codes)
    counts = np.bincount(idx[idx >= 0], minlength=len(levels)).astype(float)
    return _thresholds_from_counts(counts)


# ----------------------------------------------------------------------------- polyserial
def polyserial(x_cont, y_ord, ty=None) -> float:
    """Two-step polyserial correlation of a continuous ``x_cont`` and an ordinal ``y_ord``
    (lavaan ``lav_bvmix_cor_twostep_fit``; rows with either value missing are dropped, the
    thresholds come from all of ``y_ord``'s answers unless ``ty`` is given)."""
    xc = np.asarray(x_cont, float)
    iy, ly = categories(y_ord)
    ty = thresholds(y_ord) if ty is None else np.asarray(ty, float)
    if len(ly) < 2:
        raise AvoidSurveyError("a polyserial correlation needs an ordinal variable with at least two categories")
    ok = ~np.isnan(xc) & (iy >= 0)
    if ok.sum() < 2:
        return math.nan
    # z from the mean and ML sd of all of x's values (lavaan's univariate fit of y1)
    xa = xc[~np.isnan(xc)]
    sd_all = math.sqrt(np.mean((xa - xa.mean()) ** 2))
    if sd_all == 0:
        return math.nan
    xv, c = xc[ok], iy[ok]
    n = len(xv)
    z = (xv - xa.mean()) / sd_all
    cut = np.concatenate([[-np.inf], ty, [np.inf]])
    up, lo = cut[c + 1], cut[c]
    # lavaan's start: cor(y1, y2) * sd_ML(y2) / sum(dnorm(th))
    yc = c.astype(float)
    sdy = yc.std()
    r0 = float(np.corrcoef(xv, yc)[0, 1] * sdy / _dnorm(ty).sum()) if sdy > 0 else 0.0
    r0 = 0.0 if not math.isfinite(r0) else (r0 / 2 if abs(r0) > 0.9 else r0)

    def parts(r):
        s = math.sqrt(1 - r * r)
        a = np.where(np.isfinite(up), (up - r * z) / s, np.inf)
        b = np.where(np.isfinite(lo), (lo - r * z) / s, -np.inf)
        p = norm_cdf(a) - norm_cdf(b)
        da = np.where(np.isfinite(a), _dnorm(a) * (np.where(np.isfinite(up), up, 0) * r - z) / s ** 3, 0.0)
        db = np.where(np.isfinite(b), _dnorm(b) * (np.where(np.isfinite(lo), lo, 0) * r - z) / s ** 3, 0.0)
        pp = np.maximum(p, 1e-300)
        return float(np.sum(np.log(pp))), float(np.sum((da - db) / pp))

    # maximise on [-0.995, 0.995]: Newton on the score with a numeric derivative, bracketed
    lo_b, hi_b = -0.995, 0.995
    r = min(max(r0, lo_b), hi_b)
    for _ in range(200):
        _ll, g = parts(r)
        e = 1e-6
        g2 = (parts(min(r + e, hi_b))[1] - parts(max(r - e, lo_b))[1]) / (min(r + e, hi_b) - max(r - e, lo_b))
        if g > 0:
            lo_b = r
        else:
            hi_b = r
        step = -g / g2 if g2 < 0 else (hi_b - lo_b) / 2 * np.sign(g)
        new = r + step
        if not lo_b < new < hi_b:
            new = (lo_b + hi_b) / 2
        if abs(new - r) < 1e-12 or n == 0:
            r = new
            break
        r = new
    return float(r)
