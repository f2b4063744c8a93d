"""The few distribution functions the CFA needs, without importing scipy.stats.

scipy.stats costs about a second of start-up, more than the whole ML fit; these are the
textbook algorithms (regularized incomplete gamma by series / continued fraction, Numerical
Recipes 6.2; the noncentral chi-square as a Poisson mixture of central ones), accurate to
~1e-13, far below what the fit measures need. Checked against scipy in tests/test_cfa_cli.py.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["gammainc_lower", "chi2_sf", "chi2_cdf", "norm_sf", "ncx2_cdf", "find_root"]

_EPS = 1e-16


def _gser(a: float, x: float) -> float:
    """P(a, x) by its series (x < a + 1)."""
    ap, s, d = a, 1.0 / a, 1.0 / a
    for _ in range(100_000):
        ap += 1
        d *= x / ap
        s += d
        if abs(d) < abs(s) * _EPS:
            break
    return s * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gcf(a: float, x: float) -> float:
    """Q(a, x) by its continued fraction (x >= a + 1), modified Lentz."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def gammainc_lower(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x)."""
    if x <= 0:
        return 0.0
    if x < a + 1:
        return _gser(a, x)
    return 1.0 - _gcf(a, x)


def chi2_cdf(x: float, df: float) -> float:
    return gammainc_lower(df / 2, x / 2)


def chi2_sf(x: float, df: float) -> float:
    """Upper tail of the chi-square distribution (as pchisq(x, df, lower.tail = FALSE))."""
    if x <= 0:
        return 1.0
    a, y = df / 2, x / 2
    if y < a + 1:
        return 1.0 - _gser(a, y)
    return _gcf(a, y)


def norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def ncx2_cdf(x: float, df: float, ncp: float) -> float:
    """Noncentral chi-square cdf, sum_j Pois(j; ncp/2) P(df/2 + j, x/2)."""
    if ncp <= 0:
        return chi2_cdf(x, df)
    if x <= 0:
        return 0.0
    m = ncp / 2
    y = x / 2
    a = df / 2
    sd = math.sqrt(m)
    j0 = max(0, int(m - 12 * sd - 20))
    j1 = int(m + 12 * sd + 20)
    j = np.arange(j0, j1 + 1, dtype=float)
    # log Poisson weights, log(j!) = log(j0!) + sum log(j0+1 .. j)
    logfact = math.lgamma(j0 + 1) + np.concatenate(([0.0], np.cumsum(np.log(j[1:]))))
    logw = -m + j * math.log(m) - logfact
    w = np.exp(logw)
    # P(a + j, y) from P(a + j0, y) downward in terms: P(s + 1) = P(s) - y^s e^-y / Gamma(s + 1)
    s = a + j
    logt = s * math.log(y) - y - (math.lgamma(a + j0 + 1) + np.concatenate(([0.0], np.cumsum(np.log(s[1:])))))
    t = np.exp(logt)
    p0 = gammainc_lower(a + j0, y)
    P = p0 - np.concatenate(([0.0], np.cumsum(t[:-1])))
    P = np.clip(P, 0.0, 1.0)
    return float(np.clip(np.sum(w * P), 0.0, 1.0))


def find_root(f, lo: float, hi: float, xtol: float = 1e-10, maxiter: int = 200) -> float:
    """A root of f in [lo, hi] (f(lo), f(hi) of opposite signs): bisection with secant steps."""
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if (flo > 0) == (fhi > 0):
        raise ValueError("root not bracketed")
    for it in range(maxiter):
        mid = (lo + hi) / 2
        if it % 2 == 0 and fhi != flo:  # a secant step, every other iteration a bisection
            sec = hi - fhi * (hi - lo) / (fhi - flo)
            if min(lo, hi) < sec < max(lo, hi):
                mid = sec
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi, fhi = mid, fm
        if abs(hi - lo) < xtol:
            break
    return (lo + hi) / 2
