"""Polychoric and polyserial correlations by two-step maximum likelihood.

This module docstring is the API contract (part B, WLSMV, builds on it; keep it stable).

Conventions
-----------
*Categories.* An ordinal item's categories are the sorted distinct values it takes among
its non-missing answers (NaN = missing). A code nobody chose is not a category: an item
answered only 1, 2, 4, 5 on a 1-5 scale has 4 categories and 3 thresholds, as lavaan's
``ordered()`` conversion does. An item with one category, or with more than
``MAX_CATEGORIES`` (10) distinct values, is refused (:class:`AvoidSurveyError` naming the
item: the command exits 2 with one line). A pair without common answers gets NaN.

*Checked* (tests/reference/polychoric.R, tests/test_polychoric.py): skewed simulated 5-point
answers with empty cells and missing answers, psych::bfi (6-point, missing) and binary
items: max |diff| 3e-8 against lavCor (listwise and pairwise; thresholds 1e-14), 3e-5
against psych::polychoric (global and local, correct 0.5 and 0), 1e-7 against lavaan's
polyserial, 1e-13 for the per-case scores against ``lav_bvord_cor_scores``.

*Thresholds* (``thresholds``): ``t_j = qnorm(P(X <= c_j))``, j = 1..C-1, from the marginal
proportions; this is the closed form of the probit ML fit lavaan's ``lav_uvord_fit`` runs
(and psych's ``tau``).

*Two-step polychoric* (``polychoric_pair``): with the thresholds fixed, rho maximises the
bivariate-normal log-likelihood of the pair's contingency table (pairwise-complete rows)
``l(rho) = sum_ab n_ab log pi_ab(rho)``, ``pi_ab`` the rectangle probability of cell (a, b).
Cells with ``pi_ab < sqrt(eps)`` are evaluated at ``sqrt(eps)`` and left out of the
derivatives, as lavaan's ``lav_bvord_noexo_pi``; rho is kept in [-0.999, 0.999] (lavaan's
bounds). Newton-Raphson with the analytic Hessian, vectorised over all item pairs, iterated
to |step| < 1e-11. With ``method="lavaan"`` a 2 x 2 table follows lavaan: two empty cells
give +-1, one empty cell is filled with 0.5 keeping the margins, a table with odds ratio 1
gives 0. The tables of all pairs come from one ``bincount`` per pair.

*Matrix conventions* (``polychoric_matrix(method=...)``):

``method="lavaan"`` (default) equals ``lavaan::lavCor(x, ordered = names(x))`` (two-step,
``missing = "listwise"``: rows with any missing answer among the items are dropped first;
``missing="pairwise"`` as ``lavCor(missing = "pairwise")``: thresholds from each item's
answers, tables from pairwise-complete rows). Empty cells of tables larger than 2 x 2 are
left as they are (lavaan's ``zero.add = c(0.5, 0)``); an empty cell only means that cell adds
nothing to the likelihood.

``method="psych"`` equals ``psych::polychoric(x)`` (psych 2.2.9 defaults ``global = TRUE,
correct = 0.5, smooth = TRUE``): thresholds from each item's answers (pairwise), tables from
pairwise-complete rows. While every item reaches the same highest code (after shifting by the
smallest code of all items) psych uses these *global* thresholds and the estimate is the same
ML estimate as lavaan's pairwise one. If the items' highest codes differ psych switches to
*local* thresholds for every pair: rows and columns of the pair's table that are all zero
are dropped, zero cells are set to ``correct`` (0.5 of a count; ``correct=0`` for none) and
the thresholds come from that pair's corrected margins (divided by the uncorrected total, as
psych does). A matrix that is not positive definite (smallest eigenvalue < machine eps) is
smoothed as ``psych::cor.smooth`` (eigenvalues < 1e-12 set to 1e-10, rescaled to sum p,
``cov2cor``). psych finds rho with ``optimize`` (tolerance ~1.2e-4 on rho) over
``mnormt::sadmvn`` rectangles (abs. error 1e-6); we return the exact maximiser, so expect
agreement to ~1e-5, not 1e-10. Two psych behaviours are not copied: psych stops on items
with more than 8 codes (``max.cat``; we take up to 10) and deletes items without variance
(we refuse them, naming the item).

*Polyserial* (``polyserial``): lavaan's two-step ``lav_bvmix_cor_twostep_fit``: z = (y -
mean) / sd with the ML (divide-by-n) sd, thresholds of the ordinal variable fixed, rho
maximises ``sum_i log[Phi((t_c - rho z_i)/s) - Phi((t_{c-1} - rho z_i)/s)]``, s = sqrt(1 -
rho^2), within [-0.995, 0.995].

Public functions
----------------
Basic normal functions (vectorised, no scipy): ``norm_cdf``, ``norm_ppf``.

``categories(codes) -> (idx, levels)``
    integer category index 0..C-1 (-1 for missing) and the sorted distinct codes.
``thresholds(codes) -> ndarray``
    the C-1 probit thresholds of one item (NaN = missing).
``bvn_cdf(h, k, rho) -> ndarray``
    P(X <= h, Y <= k) of the standard bivariate normal, broadcast over arrays; +-inf limits
    allowed. Drezner & Wesolowsky (1990) in Genz's (2004) form: Gauss-Legendre over
    asin(rho) for |rho| < 0.925, the series near |rho| = 1 otherwise; error < 1e-14.
``bvn_pdf(h, k, rho) -> ndarray``
    the bivariate normal density (d bvn_cdf / d rho).
``rectangle_probs(tx, ty, rho, deriv=0) -> dict``
    cell probabilities of pairs of ordinal items: ``tx`` (P, A) and ``ty`` (P, B) thresholds
    padded with +inf to a common width (a padded category has probability 0), ``rho`` (P,).
    Returns ``{"pi": (P, A+1, B+1)}``; ``deriv >= 1`` adds ``"dpi_drho"`` (same shape),
    ``"dpi_dtx"`` (P, A+1, B+1, A) and ``"dpi_dty"`` (P, A+1, B+1, B); ``deriv >= 2`` adds
    ``"d2pi_drho2"``.
``pair_loglik(freq, tx, ty, rho) -> (P,)``
    the clamped log-likelihood of tables ``freq`` (P, A+1, B+1).
``fit_rho(freq, tx, ty, start=None, bounds=0.999) -> (rho, converged, iterations)``
    the vectorised two-step ML fit for P tables at once.
``polychoric_pair(x, y, tx=None, ty=None) -> (rho, info)``
    one pair; thresholds default to ``thresholds(x)``, ``thresholds(y)``. ``info``: n, freq
    (the table), loglik, converged, iterations, empty_cells.
``pair_case_scores(x, y, tx, ty, rho) -> (n, 1 + A + B)``
    per-case derivatives of the pair's log-likelihood with respect to (rho, tx, ty)
    (lavaan's ``lav_bvord_cor_scores``); rows with a missing code are 0.
``threshold_case_scores(x, t) -> (n, C-1)``
    per-case derivatives of the univariate probit log-likelihood with respect to the
    thresholds (lavaan's ``lav_uvord_scores`` without covariates); missing rows are 0.
``polychoric_matrix(data, *, method="lavaan", missing=None, correct=0.5, smooth=True,
items=None, ordered=None) -> PolychoricResult``
    the p x p matrix; ``data`` a DataFrame (columns = items) or an (n, p) array; with
    ``ordered`` (lavaan), the other items are continuous (Pearson / polyserial), as
    ``lavCor(x, ordered = ...)``.
``polyserial(x_cont, y_ord, ty=None) -> float``
    two-step polyserial correlation.
``case_scores(data, result) -> dict``
    per-case scores of every item's thresholds (n, T) and every pair's rho (n, P), lavaan's
    pair order, vectorised (the pieces of the WLSMV weight matrix).

``PolychoricResult`` (frozen): ``items`` (tuple of names), ``rho`` (p x p ndarray),
``thresholds`` (tuple of 1-d arrays, one per item), ``levels`` (tuple of the category codes),
``n`` (p x p pairwise n), ``n_obs`` (rows used), ``method``, ``missing``, ``correct``,
``smoothed``, ``local`` (psych's local thresholds used), ``empty_cell_pairs`` (tuple of
(item, item) with an empty cell), ``converged`` (bool), ``continuous`` (names of the
continuous items; their thresholds and levels are empty); ``to_dict()`` gives
``{"correlation_matrix": {item: {item: r}}, "thresholds": {item: [t1, ...]}, ...}``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import AvoidSurveyError

__all__ = ["norm_cdf", "norm_ppf", "categories", "thresholds", "bvn_cdf", "bvn_pdf", "rectangle_probs",
           "pair_loglik", "fit_rho", "polychoric_pair", "pair_case_scores", "threshold_case_scores",
           "polychoric_matrix", "polyserial", "PolychoricResult", "cor_smooth", "case_scores", "MAX_CATEGORIES"]

MAX_CATEGORIES = 10          # more distinct answers than this: not an ordinal item
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


def _ppf_lower(q: float) -> float:
    """qnorm(q) for 0 < q <= 0.5: a tail/central starting value, then Newton steps on
    Phi(x) - q with ``math.erfc`` (relative accuracy of the lower tail kept), to full precision."""
    if q > 0.02:
        x = math.sqrt(2 * math.pi) * (q - 0.5)
    else:
        t = math.sqrt(-2.0 * math.log(q))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
    for _ in range(60):
        f = 0.5 * math.erfc(-x / math.sqrt(2.0)) - q
        step = f / (math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))
        x -= step
        if abs(step) <= 1e-15 * max(1.0, abs(x)):
            break
    return x


def norm_ppf(p):
    """Standard normal quantile ``qnorm(p)`` (array); 0 -> -inf, 1 -> inf. Newton on the
    erfc-based cdf, equal to R's qnorm to ~1e-15."""
    p = np.asarray(p, dtype=float)
    out = np.empty(p.shape)
    for i, v in np.ndenumerate(p):
        if v != v:
            out[i] = math.nan
        elif v <= 0:
            out[i] = -math.inf
        elif v >= 1:
            out[i] = math.inf
        else:
            out[i] = _ppf_lower(v) if v <= 0.5 else -_ppf_lower(1.0 - v)
    return out


# ----------------------------------------------------------------------------- univariate
def categories(codes):
    """``(idx, levels)``: category index 0..C-1 of each answer (-1 when missing) and the sorted
    distinct codes (the item's categories)."""
    x = np.asarray(codes, dtype=float)
    ok = ~np.isnan(x)
    levels, inv = np.unique(x[ok], return_inverse=True)
    idx = np.full(x.shape, -1, dtype=np.int64)
    idx[ok] = inv
    return idx, levels


def _thresholds_from_counts(counts):
    n = counts.sum()
    cum = np.cumsum(counts)[:-1] / n
    return norm_ppf(cum)


def thresholds(codes):
    """Probit thresholds ``qnorm(cumulative proportion)`` of one ordinal item (NaN = missing).

    Equals lavaan's univariate thresholds (``lavCor(..., output = "th")``) and psych's
    ``polychoric()$tau`` for an item whose categories are all used. Returns C-1 values.
    """
    idx, levels = categories(codes)
    counts = np.bincount(idx[idx >= 0], minlength=len(levels)).astype(float)
    return _thresholds_from_counts(counts)


# ----------------------------------------------------------------------------- bivariate normal
_GL = {}


def _gauss_legendre(n):
    if n not in _GL:
        _GL[n] = np.polynomial.legendre.leggauss(n)
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


# ----------------------------------------------------------------------------- two-step fit
def pair_loglik(freq, tx, ty, rho):
    """Clamped log-likelihood ``sum n_ab log max(pi_ab, sqrt(eps))`` of each table."""
    pi = rectangle_probs(tx, ty, rho)["pi"]
    return np.sum(freq * np.log(np.maximum(pi, _SQRT_EPS)), axis=(1, 2))


def _grad_hess(freq, tx, ty, rho):
    cx, cy = _corners(tx, ty)
    H, K, R = cx[:, :, None], cy[:, None, :], rho[:, None, None]
    pi = _diff2(bvn_cdf(H, K, R))
    dens = bvn_pdf(H, K, R)
    phi = _diff2(dens)
    s2 = 1 - R * R
    Hf = np.where(np.isfinite(H), H, 0.0)
    Kf = np.where(np.isfinite(K), K, 0.0)
    guv = (Hf * Kf * s2 - R * (Hf * Hf - 2 * R * Hf * Kf + Kf * Kf) + R * s2) / (s2 * s2)
    dphi = _diff2(dens * guv)
    ok = pi > _SQRT_EPS
    safe = np.where(ok, pi, 1.0)
    ll = np.sum(freq * np.log(np.maximum(pi, _SQRT_EPS)), axis=(1, 2))
    g = np.sum(np.where(ok, freq * phi / safe, 0.0), axis=(1, 2))
    h = np.sum(np.where(ok, freq * dphi / safe - freq * phi * phi / (safe * safe), 0.0), axis=(1, 2))
    return ll, g, h


def fit_rho(freq, tx, ty, start=None, bounds: float = 0.999, tol: float = 1e-11, maxit: int = 100):
    """Two-step ML polychoric correlations of P tables at once (Newton-Raphson, step halving).

    Returns ``(rho, converged, iterations)``; ``rho`` stays within [-bounds, bounds].
    """
    freq = np.asarray(freq, float)
    tx = np.atleast_2d(np.asarray(tx, float))
    ty = np.atleast_2d(np.asarray(ty, float))
    P = freq.shape[0]
    rho = np.zeros(P) if start is None else np.clip(np.asarray(start, float).copy(), -bounds, bounds)
    rho = np.where(np.isfinite(rho), rho, 0.0)
    active = np.ones(P, bool)
    converged = np.zeros(P, bool)
    it = 0
    ll, g, h = _grad_hess(freq, tx, ty, rho)
    while active.any() and it < maxit:
        it += 1
        ia = np.where(active)[0]
        step = np.where(h[ia] < 0, -g[ia] / np.where(h[ia] < 0, h[ia], -1.0), np.sign(g[ia]) * 0.05)
        step = np.clip(step, -0.5, 0.5)
        cur = rho[ia]
        new = np.clip(cur + step, -bounds, bounds)
        lla, ga, ha = _grad_hess(freq[ia], tx[ia], ty[ia], new)
        for _ in range(40):   # step halving where the likelihood went down
            worse = lla < ll[ia] - 1e-12 * np.abs(ll[ia])
            if not worse.any():
                break
            new[worse] = cur[worse] + (new[worse] - cur[worse]) / 2
            w = ia[worse]
            lla[worse], ga[worse], ha[worse] = _grad_hess(freq[w], tx[w], ty[w], new[worse])
        moved = np.abs(new - cur)
        rho[ia] = new
        ll[ia], g[ia], h[ia] = lla, ga, ha
        at_bound = (np.abs(new) >= bounds) & (np.sign(ga) == np.sign(new))
        done = (moved < tol) | at_bound | (np.abs(ga) < 1e-10 * np.maximum(1.0, freq[ia].sum(axis=(1, 2))))
        converged[ia[done]] = True
        active[ia[done]] = False
    return rho, converged, it


def _pair_table(ix, iy, A1, B1):
    ok = (ix >= 0) & (iy >= 0)
    return np.bincount(ix[ok] * B1 + iy[ok], minlength=A1 * B1).reshape(A1, B1).astype(float)


def _special_2x2(freq, tx, ty):
    """lavaan's 2 x 2 rules; returns (rho or None, possibly adjusted table)."""
    f = freq.copy()
    zeros = np.flatnonzero(f.ravel() == 0)
    if len(zeros) == 2:
        return (1.0 if f[0, 0] > 0 else -1.0), f
    if len(zeros) == 1:
        z = zeros[0]
        if z in (0, 3):
            f += np.array([[0.5, -0.5], [-0.5, 0.5]])
        else:
            f += np.array([[-0.5, 0.5], [0.5, -0.5]])
    if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
        return 0.0, f
    if tx[0] == 0 and ty[0] == 0:
        return float(-math.cos(2 * math.pi * f[0, 0] / f.sum())), f
    return None, f


def _pearson_start(ix, iy):
    ok = (ix >= 0) & (iy >= 0)
    if ok.sum() < 2:
        return 0.0
    a, b = ix[ok].astype(float), iy[ok].astype(float)
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return 0.0
    r = float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))
    return r if abs(r) < 1 else 0.0


def polychoric_pair(x, y, tx=None, ty=None):
    """Two-step ML polychoric correlation of two ordinal items (pairwise-complete rows).

    ``tx``/``ty`` default to :func:`thresholds` of ``x``/``y``; given, they must have one
    value fewer than the item has categories. Returns ``(rho, info)``.
    """
    ix, lx = categories(x)
    iy, ly = categories(y)
    tx = thresholds(x) if tx is None else np.asarray(tx, float)
    ty = thresholds(y) if ty is None else np.asarray(ty, float)
    if len(tx) != len(lx) - 1 or len(ty) != len(ly) - 1:
        raise ValueError("thresholds must have one value fewer than the item has categories")
    if len(lx) < 2 or len(ly) < 2:
        raise AvoidSurveyError("a polychoric correlation needs two items with at least two categories each")
    freq = _pair_table(ix, iy, len(lx), len(ly))
    info = dict(n=int(freq.sum()), freq=freq, empty_cells=bool((freq == 0).any()))
    if freq.shape == (2, 2):
        special, freq2 = _special_2x2(freq, tx, ty)
        if special is not None:
            info.update(loglik=math.nan, converged=True, iterations=0)
            return special, info
        freq = freq2
    rho, conv, it = fit_rho(freq[None], tx[None], ty[None], start=[_pearson_start(ix, iy)])
    info.update(loglik=float(pair_loglik(freq[None], tx[None], ty[None], rho)[0]), converged=bool(conv[0]),
                iterations=it)
    return float(rho[0]), info


# ----------------------------------------------------------------------------- case scores
def pair_case_scores(x, y, tx, ty, rho):
    """Per-case scores of a pair's bivariate log-likelihood: columns (rho, tx_1..A, ty_1..B).

    Case i in cell (a, b) scores ``d log pi_ab / d theta``; lavaan's ``lav_bvord_cor_scores``
    (no covariates). Rows with a missing code are 0.
    """
    ix, _ = categories(x)
    iy, _ = categories(y)
    tx = np.asarray(tx, float)
    ty = np.asarray(ty, float)
    d = rectangle_probs(tx[None], ty[None], [rho], deriv=1)
    pi = d["pi"][0]
    A, B = len(tx), len(ty)
    cell = np.concatenate([d["dpi_drho"][0][:, :, None], d["dpi_dtx"][0], d["dpi_dty"][0]], axis=2)
    cell = cell / np.maximum(pi, _SQRT_EPS)[:, :, None]
    out = np.zeros((len(ix), 1 + A + B))
    ok = (ix >= 0) & (iy >= 0)
    out[ok] = cell[ix[ok], iy[ok]]
    return out


def threshold_case_scores(x, t):
    """Per-case scores of the univariate probit log-likelihood with respect to the thresholds:
    a case in category c scores ``phi(t_c)/P_c`` on t_c and ``-phi(t_{c-1})/P_c`` on t_{c-1}."""
    ix, levels = categories(x)
    t = np.asarray(t, float)
    C = len(t) + 1
    cut = np.concatenate([[-np.inf], t, [np.inf]])
    p = norm_cdf(cut[1:]) - norm_cdf(cut[:-1])
    dens = _dnorm(t)
    out = np.zeros((len(ix), C - 1))
    for c in range(C):
        rows = ix == c
        if c < C - 1:
            out[rows, c] = dens[c] / p[c]
        if c > 0:
            out[rows, c - 1] = -dens[c - 1] / p[c]
    return out


def case_scores(data, result, *, items=None) -> dict:
    """Per-case scores of a whole polychoric matrix (lavaan's per-case pieces of the WLSMV
    weight matrix), vectorised over the item pairs.

    ``data`` as given to :func:`polychoric_matrix` (same items, same rows), ``result`` its
    :class:`PolychoricResult`. Returns ``{"rows": (n,) bool, rows used (listwise: complete
    rows), "th": (m, T) scores of every item's thresholds in item order (T = total
    thresholds), "rho": (m, P) scores of rho for the pairs in lavaan's order (a, b) = (0, 1),
    (0, 2), ..., (1, 2), ..., "pairs": (P, 2) item indices}`` with m = number of rows used;
    a missing answer scores 0. Threshold scores of the bivariate likelihoods: per pair with
    :func:`pair_case_scores`.
    """
    X, _names = _as_matrix(data, items if items is not None else list(result.items))
    rows = ~np.isnan(X).any(axis=1) if result.missing == "listwise" else np.ones(X.shape[0], bool)
    X = X[rows]
    p = X.shape[1]
    idx = np.empty(X.shape, dtype=np.int64)
    for j in range(p):
        lv = result.levels[j]
        v = X[:, j]
        pos = np.searchsorted(lv, v)
        ok = ~np.isnan(v) & (pos < len(lv))
        ok[ok] = lv[pos[ok]] == v[ok]
        idx[:, j] = np.where(ok, pos, -1)
    th = np.concatenate([threshold_case_scores(np.where(idx[:, j] >= 0, idx[:, j], np.nan), result.thresholds[j])
                         for j in range(p)], axis=1)
    a, b = np.triu_indices(p, 1)
    C = max(len(lv) for lv in result.levels)
    tx = np.array([_pad(result.thresholds[i], C - 1) for i in a])
    ty = np.array([_pad(result.thresholds[j], C - 1) for j in b])
    rho_v = result.rho[a, b]
    d = rectangle_probs(tx, ty, np.where(np.isfinite(rho_v), rho_v, 0.0), deriv=1)
    cell = d["dpi_drho"] / np.maximum(d["pi"], _SQRT_EPS)          # (P, C, C)
    ia, ib = idx[:, a], idx[:, b]                                   # (m, P)
    ok = (ia >= 0) & (ib >= 0)
    q = np.broadcast_to(np.arange(len(a)), ia.shape)
    rho = np.where(ok, cell[q, np.where(ok, ia, 0), np.where(ok, ib, 0)], 0.0)
    return {"rows": rows, "th": th, "rho": rho, "pairs": np.column_stack([a, b])}


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


# ----------------------------------------------------------------------------- matrix
@dataclass(frozen=True)
class PolychoricResult:
    """A polychoric correlation matrix with its thresholds (see the module docstring)."""

    items: tuple
    rho: np.ndarray = field(repr=False)
    thresholds: tuple = field(repr=False)
    levels: tuple = field(repr=False)
    n: np.ndarray = field(repr=False)
    n_obs: int
    method: str
    missing: str
    correct: float
    smoothed: bool
    local: bool
    empty_cell_pairs: tuple
    converged: bool
    continuous: tuple = ()       # items taken as continuous (``ordered=``): Pearson / polyserial

    def to_dict(self) -> dict:
        def f(v):
            v = float(v)
            return v if math.isfinite(v) else None

        it = self.items
        return {
            "method": self.method, "missing": self.missing, "n_obs": self.n_obs,
            "correlation_matrix": {a: {b: f(self.rho[i, j]) for j, b in enumerate(it)} for i, a in enumerate(it)},
            "thresholds": {a: [f(t) for t in self.thresholds[i]] for i, a in enumerate(it) if a not in self.continuous},
            "n_pairwise": {a: {b: int(self.n[i, j]) for j, b in enumerate(it)} for i, a in enumerate(it)},
            "empty_cell_pairs": [list(p) for p in self.empty_cell_pairs],
            "smoothed": self.smoothed, "converged": self.converged,
            **({"continuous": list(self.continuous)} if self.continuous else {}),
        }


def cor_smooth(R, eig_tol: float = 1e-12):
    """``psych::cor.smooth``: if the smallest eigenvalue is below machine eps, set eigenvalues
    below ``eig_tol`` to ``100 * eig_tol``, rescale them to sum p, rebuild and ``cov2cor``.
    Returns ``(R, smoothed)``."""
    vals, vecs = np.linalg.eigh(R)
    if vals.min() >= np.finfo(float).eps:
        return R, False
    vals = np.where(vals < eig_tol, 100 * eig_tol, vals)
    vals = vals * R.shape[0] / vals.sum()
    S = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(S))
    S = S / np.outer(d, d)
    np.fill_diagonal(S, 1.0)
    return S, True


def _as_matrix(data, items):
    if hasattr(data, "columns") and not hasattr(data, "iloc") and hasattr(data, "matrix"):
        # the plain numeric CSV reader's NumericFrame (analysis.io.plain): no pandas needed
        cols = list(items) if items is not None else [str(c) for c in data.columns]
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise AvoidSurveyError(f"the data have no column '{missing[0]}'", column=missing[0])
        return np.asarray(data.matrix(cols), dtype=float), tuple(cols)
    if hasattr(data, "columns"):
        cols = list(items) if items is not None else [str(c) for c in data.columns]
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise AvoidSurveyError(f"the data have no column '{missing[0]}'", column=missing[0])
        try:
            X = np.column_stack([np.asarray(data[c], dtype=float) for c in cols]) if cols else np.empty((len(data), 0))
        except (TypeError, ValueError):
            bad = next(c for c in cols if not _numeric(data[c]))
            raise AvoidSurveyError(f"column '{bad}' is not numeric: polychoric correlations need answer codes",
                                   column=bad) from None
        return X, tuple(cols)
    X = np.asarray(data, dtype=float)
    if X.ndim != 2:
        raise ValueError("data must be a 2-d array or a DataFrame")
    names = tuple(items) if items is not None else tuple(f"V{j + 1}" for j in range(X.shape[1]))
    return X, names


def _numeric(col) -> bool:
    try:
        np.asarray(col, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _item_codes(X, names, max_categories):
    """Category index matrix (n, p) (-1 missing) and the levels of each item; refuses items
    with one category or more than ``max_categories``."""
    n, p = X.shape
    idx = np.empty((n, p), dtype=np.int64)
    levels = []
    for j in range(p):
        ij, lv = categories(X[:, j])
        if len(lv) < 2:
            raise AvoidSurveyError(f"item '{names[j]}' has {'no answers' if len(lv) == 0 else 'only one answer category'}"
                                   f": a polychoric correlation needs at least two categories", column=names[j])
        if len(lv) > max_categories:
            raise AvoidSurveyError(f"item '{names[j]}' has {len(lv)} distinct values: more than {max_categories} "
                                   f"categories is not an ordinal item (use Pearson correlations)", column=names[j])
        idx[:, j] = ij
        levels.append(lv)
    return idx, levels


def _pair_tables(idx, C, a, b):
    """The bivariate tables of the item pairs (a[q], b[q]): (P, C, C) counts over the
    pairwise-complete rows. One ``bincount`` per pair over item-major codes, a missing
    answer being an extra category C that is dropped at the end (no masks, no BLAS: on a
    busy machine this is steadier than one big one-hot product)."""
    C1 = C + 1
    cod = np.ascontiguousarray(np.where(idx >= 0, idx, C).T.astype(np.intp))   # (p, n)
    hi = cod * C1
    out = np.empty((len(a), C1 * C1))
    for q, (i, j) in enumerate(zip(a, b)):
        out[q] = np.bincount(hi[i] + cod[j], minlength=C1 * C1)
    return out.reshape(-1, C1, C1)[:, :C, :C].copy()


def _pad(vals, width):
    out = np.full(width, np.inf)
    out[:len(vals)] = vals
    return out


def polychoric_matrix(data, *, method: str = "lavaan", missing: str | None = None, correct: float = 0.5,
                      smooth: bool = True, items=None, max_categories: int = MAX_CATEGORIES,
                      ordered=None) -> PolychoricResult:
    """Polychoric correlation matrix of ordinal items by two-step ML.

    Parameters
    ----------
    data : DataFrame (item columns) or (n, p) array of answer codes; NaN = missing.
    method : {'lavaan', 'psych'}
        'lavaan' equals ``lavaan::lavCor(x, ordered = names(x))``; 'psych' equals
        ``psych::polychoric(x)`` (global thresholds, or local ones with ``correct`` for zero
        cells when the items' highest codes differ; ``cor.smooth`` when not positive definite).
    missing : {'listwise', 'pairwise'}, optional
        default 'listwise' for lavaan (lavCor's default), 'pairwise' for psych (its only way).
    correct : psych's continuity correction for zero cells (local thresholds only).
    smooth : psych's ``cor.smooth`` of a non-positive-definite matrix (method 'psych' only).
    items : column names (DataFrame) or names for the array's columns.
    ordered : names of the ordinal items (method 'lavaan'); the others are continuous, as
        ``lavCor(x, ordered = ...)``: Pearson correlations between continuous items, two-step
        polyserial ones between a continuous and an ordinal item. Default: every item ordinal.

    Returns
    -------
    PolychoricResult
    """
    if method not in ("lavaan", "psych"):
        raise AvoidSurveyError(f"method must be 'lavaan' or 'psych', not '{method}'")
    if missing is None:
        missing = "listwise" if method == "lavaan" else "pairwise"
    if missing not in ("listwise", "pairwise"):
        raise AvoidSurveyError(f"missing must be 'listwise' or 'pairwise', not '{missing}'")
    if method == "psych" and missing != "pairwise":
        raise AvoidSurveyError("psych's polychoric uses pairwise-complete answers only (missing='pairwise')")
    X, names = _as_matrix(data, items)
    if X.shape[1] < 2:
        raise AvoidSurveyError("a polychoric correlation matrix needs at least two items")
    if missing == "listwise":
        X = X[~np.isnan(X).any(axis=1)]
        if X.shape[0] == 0:
            raise AvoidSurveyError("no respondent answered every item (missing='listwise')")
    n_obs = int(X.shape[0])
    if ordered is not None and set(ordered) != set(names):
        if method != "lavaan":
            raise AvoidSurveyError("ordered= (continuous items beside ordinal ones) needs method='lavaan'")
        return _mixed_matrix(X, names, ordered, missing, max_categories, n_obs)
    local = False
    if method == "psych":
        # psych shifts every item by the smallest code of all items; items whose highest
        # code differs switch psych to local (per pair) thresholds
        mx = np.nanmax(X, axis=0)
        local = bool(mx.min() != mx.max())
    idx, levels = _item_codes(X, names, max_categories)
    p = X.shape[1]
    C = max(len(lv) for lv in levels)
    marg = np.array([np.bincount(idx[idx[:, j] >= 0, j], minlength=C) for j in range(p)], dtype=float)
    th = [_thresholds_from_counts(marg[j, :len(levels[j])]) for j in range(p)]
    a, b = np.triu_indices(p, 1)
    freq = _pair_tables(idx, C, a, b)                 # (P, C, C)
    raw = freq.copy()
    npair = freq.sum(axis=(1, 2))
    if method == "psych" and local:
        tx, ty, freq = _psych_local(freq, correct)
    else:
        tx = np.array([_pad(th[i], C - 1) for i in a])
        ty = np.array([_pad(th[j], C - 1) for j in b])
    empty = [(names[i], names[j]) for i, j, f in zip(a, b, raw)
             if (f[:len(levels[i]), :len(levels[j])] == 0).any()]
    rho = np.full(len(a), np.nan)
    todo = np.ones(len(a), bool)
    if method == "lavaan":
        for q in np.where([len(levels[i]) == 2 and len(levels[j]) == 2 for i, j in zip(a, b)])[0]:
            special, f2 = _special_2x2(freq[q, :2, :2], tx[q, :1], ty[q, :1])
            if special is not None:
                rho[q] = special
                todo[q] = False
            else:
                freq[q, :2, :2] = f2
    todo &= npair > 0                                 # no common answers: no correlation (NaN)
    if method == "psych" and local:
        bad = ~np.isfinite(tx).any(axis=1) | ~np.isfinite(ty).any(axis=1)
        todo &= ~bad
    conv_all = True
    if todo.any():
        q = np.where(todo)[0]
        start = _table_starts(freq[q])
        r, conv, _it = fit_rho(freq[q], tx[q], ty[q], start=start, bounds=0.999 if method == "lavaan" else 0.9999999)
        rho[q] = r
        conv_all = bool(conv.all())
    R = np.eye(p)
    R[a, b] = rho
    R[b, a] = rho
    Nm = np.zeros((p, p), dtype=np.int64)
    Nm[a, b] = npair
    Nm[b, a] = npair
    for j in range(p):
        Nm[j, j] = int(marg[j].sum())
    smoothed = False
    if method == "psych" and smooth and not np.isnan(R).any():
        R, smoothed = cor_smooth(R)
    return PolychoricResult(items=tuple(names), rho=R, thresholds=tuple(th), levels=tuple(lv.copy() for lv in levels),
                            n=Nm, n_obs=n_obs, method=method, missing=missing, correct=float(correct),
                            smoothed=smoothed, local=local, empty_cell_pairs=tuple(empty), converged=conv_all)


def _mixed_matrix(X, names, ordered, missing, max_categories, n_obs):
    """lavCor(x, ordered = ...) with continuous items: the ordinal block as usual, Pearson
    between continuous items, polyserial between the two kinds (rows already listwise)."""
    unknown = [o for o in ordered if o not in names]
    if unknown:
        raise AvoidSurveyError(f"ordered item '{unknown[0]}' is not one of the items", column=str(unknown[0]))
    is_ord = np.array([nm in set(ordered) for nm in names])
    oj, cj = np.flatnonzero(is_ord), np.flatnonzero(~is_ord)
    p = len(names)
    R = np.eye(p)
    th = [np.empty(0)] * p
    lv = [np.empty(0)] * p
    empty, conv = (), True
    if len(oj) >= 2:
        sub = polychoric_matrix(X[:, oj], method="lavaan", missing="pairwise", items=[names[j] for j in oj],
                                max_categories=max_categories)
        R[np.ix_(oj, oj)] = sub.rho
        for k, j in enumerate(oj):
            th[j], lv[j] = sub.thresholds[k], sub.levels[k]
        empty, conv = sub.empty_cell_pairs, sub.converged
    elif len(oj) == 1:
        _idx, levels = _item_codes(X[:, oj], [names[oj[0]]], max_categories)
        th[oj[0]], lv[oj[0]] = thresholds(X[:, oj[0]]), levels[0]
    M = ~np.isnan(X)
    for a_, i in enumerate(cj):
        for j in cj[a_ + 1:]:
            ok = M[:, i] & M[:, j]
            x, y = X[ok, i], X[ok, j]
            r = float(np.corrcoef(x, y)[0, 1]) if ok.sum() > 1 and x.std() > 0 and y.std() > 0 else math.nan
            R[i, j] = R[j, i] = r
        for j in oj:
            R[i, j] = R[j, i] = polyserial(X[:, i], X[:, j], th[j])
    Nm = (M.T.astype(np.int64) @ M.astype(np.int64))
    return PolychoricResult(items=tuple(names), rho=R, thresholds=tuple(th), levels=tuple(lv), n=Nm, n_obs=n_obs,
                            method="lavaan", missing=missing, correct=0.5, smoothed=False, local=False,
                            empty_cell_pairs=tuple(empty), converged=conv,
                            continuous=tuple(names[j] for j in cj))


def _table_starts(freq):
    """lavaan's start values: Pearson correlations of the category indices over each table
    (the pairwise-complete rows), 0 when undefined; only the path to the maximum depends on them."""
    C1, C2 = freq.shape[1], freq.shape[2]
    u = np.arange(C1, dtype=float)[None, :, None]
    v = np.arange(C2, dtype=float)[None, None, :]
    n = freq.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = (freq * u).sum(axis=(1, 2)) / n
        mv = (freq * v).sum(axis=(1, 2)) / n
        cuv = (freq * u * v).sum(axis=(1, 2)) / n - mu * mv
        vu = (freq * u * u).sum(axis=(1, 2)) / n - mu * mu
        vv = (freq * v * v).sum(axis=(1, 2)) / n - mv * mv
        r = cuv / np.sqrt(vu * vv)
    return np.where(np.isfinite(r) & (np.abs(r) < 1), r, 0.0)


def _psych_local(freq, correct):
    """psych's local thresholds: zero rows/columns dropped, zero cells set to ``correct``,
    thresholds from the corrected margins over the uncorrected total."""
    tot = freq.sum(axis=(1, 2))
    rowm = freq.sum(axis=2)
    colm = freq.sum(axis=1)
    live = (rowm[:, :, None] > 0) & (colm[:, None, :] > 0)
    f = freq.copy()
    if correct > 0:
        f = np.where(live & (freq == 0), correct, freq)
    f = np.where(live, f, 0.0)

    def th(m, used):
        with np.errstate(invalid="ignore", divide="ignore"):
            cum = np.cumsum(m, axis=1)[:, :-1] / tot[:, None]
        t = norm_ppf(cum)
        # thresholds at or after the last used category are not thresholds
        last = np.array([np.flatnonzero(u).max() if u.any() else -1 for u in used])
        pos = np.arange(t.shape[1])[None, :]
        return np.where(pos >= last[:, None], np.inf, t)

    tx = th(f.sum(axis=2), rowm > 0)
    ty = th(f.sum(axis=1), colm > 0)
    return tx, ty, f
