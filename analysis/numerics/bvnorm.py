"""The normal and bivariate normal functions of the polychoric estimators, vectorised.

``norm_cdf``/``norm_ppf`` (the standard normal; the quantile as R's ``qnorm``, AS241),
``bvn_cdf``/``bvn_pdf`` (the bivariate normal; the distribution function by Genz's
Gauss-Legendre rule with the node count chosen by |rho|, error below 1e-13) and
``rectangle_probs`` (the cell probabilities of a contingency table under a bivariate normal
with given thresholds and their derivatives in rho and the thresholds, for all item pairs
at once). :mod:`.polychoric` (the two-step estimators) and the WLSMV statistics use them.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["norm_cdf", "norm_ppf", "bvn_cdf", "bvn_pdf", "rectangle_probs"]

_SQRT_EPS = math.sqrt(np.finfo(float).eps)
_TWO_PI = 2.0 * math.pi
_erfc = np.frompyfunc(math.erfc, 1, 1)

# ----------------------------------------------------------------------------- normal
def norm_cdf(x):
    """Standard normal cdf ``pnorm(x)`` for arrays (erfc, full double precision, +-inf ok)."""
    x = np.asarray(x, dtype=float)
    if x.size > 64:
        # corner limits repeat the same few thresholds: evaluate each distinct value once
        u, inv = np.unique(x, return_inverse=True)
        if len(u) < x.size // 2:
            return (0.5 * np.asarray(_erfc(-u / math.sqrt(2.0)), dtype=float))[inv].reshape(x.shape)
    return 0.5 * np.asarray(_erfc(-x / math.sqrt(2.0)), dtype=float)


def norm_ppf(p):
    """Standard normal quantile ``qnorm(p)`` (array); 0 -> -inf, 1 -> inf. Newton on the
    erfc-based cdf from a tail or central start, for all values at once, each value's
    iteration stopped when its step is below 1e-15 (relative); equal to R's qnorm to ~1e-15.
    The lower tail is solved (``q = min(p, 1 - p)``) so its relative accuracy is kept."""
    p = np.asarray(p, dtype=float)
    out = np.where(p <= 0, -math.inf, math.inf)
    out[np.isnan(p)] = math.nan
    inner = (p > 0) & (p < 1)
    if inner.any():
        v = p[inner]
        upper = v > 0.5
        out[inner] = np.where(upper, -1.0, 1.0) * _ppf_lower(np.where(upper, 1.0 - v, v))
    return out


def _ppf_lower(q):
    """qnorm(q) for 0 < q <= 0.5 (1-d array)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.sqrt(-2.0 * np.log(q))
        tail = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
    x = np.where(q > 0.02, math.sqrt(2 * math.pi) * (q - 0.5), tail)
    todo = np.arange(q.size)
    for _ in range(60):
        xa = x[todo]
        f = 0.5 * np.asarray(_erfc(-xa / math.sqrt(2.0)), dtype=float) - q[todo]
        step = f / (np.exp(-0.5 * xa * xa) / math.sqrt(2 * math.pi))
        x[todo] = xa - step
        todo = todo[np.abs(step) > 1e-15 * np.maximum(1.0, np.abs(xa - step))]
        if not todo.size:
            break
    return x


# ----------------------------------------------------------------------------- bivariate normal
_GL = {}


def _gauss_legendre(n):
    """Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1] (Golub-Welsch: the
    eigenvalues of the Jacobi matrix of the Legendre recurrence and twice the squared first
    components of its eigenvectors, made symmetric). Equal to ``numpy.polynomial.legendre.
    leggauss(n)`` to rounding (tests/test_bvnorm_quadrature.py), without importing
    ``numpy.polynomial`` (2-4 ms of every polychoric run's start-up)."""
    if n not in _GL:
        k = np.arange(1, n, dtype=float)
        off = k / np.sqrt(4.0 * k * k - 1.0)
        J = np.diag(off, 1) + np.diag(off, -1)
        x, v = np.linalg.eigh(J)
        w = 2.0 * v[0] ** 2
        x = (x - x[::-1]) / 2
        w = (w + w[::-1]) / 2
        _GL[n] = (x, w * (2.0 / w.sum()))
    return _GL[n]


def _bvn_upper_finite(h, k, r):
    """P(X > h, Y > k) for finite h, k and |r| <= 1 (1-d arrays of equal length)."""
    out = np.empty(h.shape)
    x, w = _gauss_legendre(20)
    ar = np.abs(r)
    # Genz's node counts: 6 points for |r| < 0.3, 12 below 0.75, 20 up to 0.925
    for lo_r, hi_r, npts in ((0.0, 0.3, 6), (0.3, 0.75, 12), (0.75, 0.925, 20)):
        sel = (ar >= lo_r) & (ar < hi_r)
        if not sel.any():
            continue
        xg, wg = _gauss_legendre(npts)
        hh, kk, rr = h[sel], k[sel], r[sel]
        hk = hh * kk
        hs = (hh * hh + kk * kk) / 2
        asr = np.arcsin(rr)
        sn = np.sin(asr[:, None] * (xg[None, :] + 1) / 2)
        terms = np.exp((sn * hk[:, None] - hs[:, None]) / (1 - sn * sn))
        out[sel] = (terms @ wg) * asr / (2 * _TWO_PI) + norm_cdf(-hh) * norm_cdf(-kk)
    low = ar < 0.925
    high = ~low
    if high.any():
        hh, kk, rr = h[high], k[high].copy(), r[high]
        neg = rr < 0
        kk[neg] = -kk[neg]
        hk = hh * kk
        res = np.zeros(hh.shape)
        inner = np.abs(rr) < 1
        if inner.any():
            a2 = (1 - rr[inner]) * (1 + rr[inner])
            a = np.sqrt(a2)
            hi, ki, hki = hh[inner], kk[inner], hk[inner]
            bs = (hi - ki) ** 2
            c = (4 - hki) / 8
            d = (12 - hki) / 16
            bvn = a * np.exp(-(bs / a2 + hki) / 2) * (1 - c * (bs - a2) * (1 - d * bs / 5) / 3 + c * d * a2 * a2 / 5)
            b = np.sqrt(bs)
            tail = hki > -160
            with np.errstate(over="ignore", invalid="ignore"):
                corr = np.exp(-hki / 2) * math.sqrt(_TWO_PI) * norm_cdf(-b / a) * b * (1 - c * bs * (1 - d * bs / 5) / 3)
            bvn = bvn - np.where(tail, corr, 0.0)
            half = a / 2
            xs = (half[:, None] * (x[None, :] + 1)) ** 2
            rs = np.sqrt(1 - xs)
            with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
                e1 = np.exp(-(bs[:, None] / xs + hki[:, None]) / 2)
                t = e1 * (np.exp(-hki[:, None] * xs / (2 * (1 + rs) ** 2)) / rs
                          - (1 + c[:, None] * xs * (1 + d[:, None] * xs)))
            t = np.where(np.isfinite(t), t, 0.0)
            bvn = bvn + half * (t @ w)
            res[inner] = -bvn / _TWO_PI
        pos = ~neg
        res[pos] = res[pos] + norm_cdf(-np.maximum(hh[pos], kk[pos]))
        res[neg] = -res[neg] + np.maximum(0.0, norm_cdf(-hh[neg]) - norm_cdf(-kk[neg]))
        out[high] = res
    return out


def bvn_cdf(h, k, rho):
    """Standard bivariate normal ``P(X <= h, Y <= k)`` with correlation ``rho`` (broadcast).

    Infinite limits are exact: -inf gives 0, +inf the other margin. Accuracy about 1e-15
    absolute (Genz's ``bvnd``, what R ``pbivnorm`` and ``mvtnorm`` use).
    """
    h, k, r = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float), np.asarray(rho, float))
    shape = h.shape
    h, k, r = h.ravel(), k.ravel(), r.ravel()
    out = np.zeros(h.shape)
    hinf, kinf = np.isposinf(h), np.isposinf(k)
    zero = np.isneginf(h) | np.isneginf(k)
    both = hinf & kinf & ~zero
    out[both] = 1.0
    only_h = hinf & ~kinf & ~zero
    out[only_h] = norm_cdf(k[only_h])
    only_k = kinf & ~hinf & ~zero
    out[only_k] = norm_cdf(h[only_k])
    fin = ~(zero | hinf | kinf)
    if fin.any():
        out[fin] = _bvn_upper_finite(-h[fin], -k[fin], r[fin])
    return np.clip(out, 0.0, 1.0).reshape(shape)


def bvn_pdf(h, k, rho):
    """Standard bivariate normal density at (h, k); 0 when h or k is infinite."""
    h, k, r = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float), np.asarray(rho, float))
    fin = np.isfinite(h) & np.isfinite(k)
    hf, kf = np.where(fin, h, 0.0), np.where(fin, k, 0.0)
    s = 1 - r * r
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.exp(-(hf * hf - 2 * r * hf * kf + kf * kf) / (2 * s)) / (_TWO_PI * np.sqrt(s))
    return np.where(fin, val, 0.0)


def _dnorm(x):
    x = np.asarray(x, float)
    return np.where(np.isfinite(x), np.exp(-0.5 * np.where(np.isfinite(x), x, 0.0) ** 2) / math.sqrt(_TWO_PI), 0.0)


def _corners(tx, ty):
    """Corner limits with the -inf / +inf borders: (P, A+2) and (P, B+2)."""
    P = tx.shape[0]
    lo = np.full((P, 1), -np.inf)
    hi = np.full((P, 1), np.inf)
    return np.concatenate([lo, tx, hi], axis=1), np.concatenate([lo, ty, hi], axis=1)


def _diff2(F):
    """Rectangle masses from corner values F (..., A+2, B+2) -> (..., A+1, B+1)."""
    return F[..., 1:, 1:] - F[..., :-1, 1:] - F[..., 1:, :-1] + F[..., :-1, :-1]


def rectangle_probs(tx, ty, rho, deriv: int = 0) -> dict:
    """Cell probabilities of P bivariate ordinal tables (and their derivatives).

    Parameters
    ----------
    tx, ty : (P, A) and (P, B) arrays of increasing thresholds, padded with +inf.
    rho : (P,) correlations.
    deriv : 0, 1 or 2 (see the module docstring for the keys returned).
    """
    tx = np.atleast_2d(np.asarray(tx, float))
    ty = np.atleast_2d(np.asarray(ty, float))
    rho = np.atleast_1d(np.asarray(rho, float))
    cx, cy = _corners(tx, ty)
    H = cx[:, :, None]
    K = cy[:, None, :]
    R = rho[:, None, None]
    out = {"pi": _diff2(bvn_cdf(H, K, R))}
    if deriv >= 1:
        dens = bvn_pdf(H, K, R)
        out["dpi_drho"] = _diff2(dens)
        s = np.sqrt(1 - R * R)
        # dF(h, k)/dh = phi(h) Phi((k - r h)/s); dF/dk = phi(k) Phi((h - r k)/s)
        with np.errstate(invalid="ignore"):
            gh = _dnorm(H) * norm_cdf(np.where(np.isfinite(H), (K - R * np.where(np.isfinite(H), H, 0)) / s, 0.0))
            gk = _dnorm(K) * norm_cdf(np.where(np.isfinite(K), (H - R * np.where(np.isfinite(K), K, 0)) / s, 0.0))
        gh = np.where(np.isfinite(H), gh, 0.0)
        gk = np.where(np.isfinite(K), gk, 0.0)
        # cell (a, b) = F(x_{a+1}, y_{b+1}) - F(x_a, y_{b+1}) - F(x_{a+1}, y_b) + F(x_a, y_b), corners
        # indexed with the -inf border at 0, so threshold j is corner j + 1
        A, B = tx.shape[1], ty.shape[1]
        P = tx.shape[0]
        colx = gh[:, :, 1:] - gh[:, :, :-1]          # (P, A+2, B+1): d/dh along a corner row
        coly = gk[:, 1:, :] - gk[:, :-1, :]          # (P, A+1, B+2)
        dtx = np.zeros((P, A + 1, B + 1, A))
        dty = np.zeros((P, A + 1, B + 1, B))
        for j in range(A):
            dtx[:, j, :, j] += colx[:, j + 1, :]     # upper limit of category j
            dtx[:, j + 1, :, j] -= colx[:, j + 1, :]  # lower limit of category j + 1
        for j in range(B):
            dty[:, :, j, j] += coly[:, :, j + 1]
            dty[:, :, j + 1, j] -= coly[:, :, j + 1]
        out["dpi_dtx"] = dtx
        out["dpi_dty"] = dty
    if deriv >= 2:
        s2 = 1 - R * R
        Hf = np.where(np.isfinite(H), H, 0.0)
        Kf = np.where(np.isfinite(K), K, 0.0)
        guv = (Hf * Kf * s2 - R * (Hf * Hf - 2 * R * Hf * Kf + Kf * Kf) + R * s2) / (s2 * s2)
        out["d2pi_drho2"] = _diff2(dens * guv)
    return out
