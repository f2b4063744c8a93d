"""Sample statistics of WLSMV with observed covariates, as lavaan's ``conditional.x = TRUE``
(its default for ordered data with exogenous observed predictors).

Step 1, per ordered item: a probit regression on the covariates x,
``P(y <= k | x) = Phi(tau_k - x'beta)``, by ML (Fisher scoring). Step 2, per pair: the residual
polychoric correlation, maximising ``sum_i log P(y1_i, y2_i | x_i)`` (bivariate normal
rectangles with case-wise limits) with the step-1 estimates fixed. Statistics (lavaan's
``WLS.obs``): thresholds, slopes by covariate (``vec`` of the items x covariates matrix),
residual correlations below the diagonal. Gamma from the casewise scores as in
:mod:`.sample`, with the slope scores ``-(phi(z_up) - phi(z_low)) x / P`` in the univariate
blocks and ``(Z_low - Z_up) x / P`` in A21 (lavaan's ``lav_bvord_cor_scores`` with ``eXo``).

This is not a second polychoric estimator of the unconditional kind (that is
:mod:`avoid_survey.analysis.numerics.polychoric`): it is the conditional one lavaan uses
only with covariates, built on that module's bivariate normal functions.
"""
from __future__ import annotations

import math

import numpy as np

from ....core.errors import AvoidSurveyError

__all__ = ["conditional_sample"]


def _dn(x):
    x = np.asarray(x, float)
    fin = np.isfinite(x)
    return np.where(fin, np.exp(-0.5 * np.where(fin, x, 0.0) ** 2) / math.sqrt(2 * math.pi), 0.0)


def _limits(c, tau, xb):
    """Upper and lower limits tau_c - x'b and tau_{c-1} - x'b of each case (+-inf at the ends)."""
    cut = np.concatenate([[-np.inf], tau, [np.inf]])
    return cut[c + 1] - xb, cut[c] - xb


def _probit(c, X, C, file, name):
    """ML thresholds and slopes of an ordinal probit regression of categories ``c`` on ``X``."""
    from ....numerics.polychoric import norm_cdf, norm_ppf

    n, q = X.shape
    counts = np.bincount(c, minlength=C).astype(float)
    tau = norm_ppf(np.cumsum(counts)[:-1] / n)
    beta = np.zeros(q)

    def parts(tau, beta):
        xb = X @ beta
        cut = np.concatenate([[-np.inf], tau, [np.inf]])
        Z = cut[None, :] - xb[:, None]                    # n x (C+1)
        F = norm_cdf(Z)
        P = np.maximum(F[:, 1:] - F[:, :-1], 1e-300)      # n x C
        dens = _dn(Z)
        # dP_c / dtau_k and dP_c / dbeta for every category
        dT = np.zeros((n, C, C - 1))
        for k in range(C - 1):
            dT[:, k, k] += dens[:, k + 1]
            dT[:, k + 1, k] -= dens[:, k + 1]
        dB = -(dens[:, 1:] - dens[:, :-1])[:, :, None] * X[:, None, :]
        D = np.concatenate([dT, dB], axis=2)              # n x C x (C-1+q)
        ll = float(np.sum(np.log(P[np.arange(n), c])))
        g = np.sum(D[np.arange(n), c] / P[np.arange(n), c][:, None], axis=0)
        info = np.einsum("nck,ncl->kl", D / P[:, :, None], D)
        return ll, g, info

    ll, g, info = parts(tau, beta)
    for _ in range(200):
        step = np.linalg.solve(info, g)
        t = 1.0
        while True:
            nt, nb = tau + t * step[:C - 1], beta + t * step[C - 1:]
            if np.all(np.diff(nt) > 0):
                ll2, g2, info2 = parts(nt, nb)
                if ll2 >= ll - 1e-12:
                    break
            t /= 2
            if t < 1e-10:
                raise AvoidSurveyError(f"the probit regression of '{name}' on the covariates did not converge",
                                       file=file, column=name)
        tau, beta, ll, g, info = nt, nb, ll2, g2, info2
        if np.max(np.abs(t * step)) < 1e-11:
            break
    return tau, beta


def _uni_scores(c, X, tau, beta):
    """Casewise scores of thresholds (n x C-1) and slopes (n x q)."""
    from ....numerics.polychoric import norm_cdf

    n = len(c)
    up, lo = _limits(c, tau, X @ beta)
    p = np.maximum(norm_cdf(up) - norm_cdf(lo), 1e-300)
    du, dl = _dn(up), _dn(lo)
    C = len(tau) + 1
    th = np.zeros((n, C - 1))
    for k in range(C - 1):
        th[:, k] = ((c == k) * du - (c == k + 1) * dl) / p
    sl = -((du - dl) / p)[:, None] * X
    return th, sl


def _bv_parts(u1, l1, u2, l2, rho):
    """Case likelihoods of a pair and their derivative with respect to rho (and the second)."""
    from ....numerics.polychoric import bvn_cdf, bvn_pdf

    lik = bvn_cdf(u1, u2, rho) - bvn_cdf(l1, u2, rho) - bvn_cdf(u1, l2, rho) + bvn_cdf(l1, l2, rho)
    lik = np.maximum(lik, 1e-300)

    def g(h, k):
        s2 = 1 - rho * rho
        hf, kf = np.where(np.isfinite(h), h, 0.0), np.where(np.isfinite(k), k, 0.0)
        return (hf * kf * s2 - rho * (hf * hf - 2 * rho * hf * kf + kf * kf) + rho * s2) / (s2 * s2)

    d1 = bvn_pdf(u1, u2, rho) - bvn_pdf(l1, u2, rho) - bvn_pdf(u1, l2, rho) + bvn_pdf(l1, l2, rho)
    d2 = (bvn_pdf(u1, u2, rho) * g(u1, u2) - bvn_pdf(l1, u2, rho) * g(l1, u2)
          - bvn_pdf(u1, l2, rho) * g(u1, l2) + bvn_pdf(l1, l2, rho) * g(l1, l2))
    return lik, d1, d2


def _fit_rho(u1, l1, u2, l2):
    rho = 0.0
    for _ in range(100):
        lik, d1, d2 = _bv_parts(u1, l1, u2, l2, rho)
        s = d1 / lik
        g = float(np.sum(s))
        h = float(np.sum(d2 / lik - s * s))
        step = -g / h if h < 0 else 0.1 * np.sign(g)
        new = float(np.clip(rho + step, -0.999, 0.999))
        if abs(new - rho) < 1e-12:
            rho = new
            break
        rho = new
    return rho


def _pair_side(u_a, l_a, u_b, l_b, rho, c, X, nth):
    """Scores of one side's thresholds and slopes in the bivariate likelihood (without 1/lik)."""
    from ....numerics.polychoric import norm_cdf

    R = math.sqrt(1 - rho * rho)

    def z(v, w):
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(w), (np.where(np.isfinite(w), w, 0) - rho * np.where(np.isfinite(v), v, 0)) / R,
                            w)

    Z1 = _dn(u_a) * (norm_cdf(z(u_a, u_b)) - norm_cdf(z(u_a, l_b)))
    Z2 = _dn(l_a) * (norm_cdf(z(l_a, u_b)) - norm_cdf(z(l_a, l_b)))
    th = np.zeros((len(c), nth))
    for k in range(nth):
        th[:, k] = (c == k) * Z1 - (c == k + 1) * Z2
    sl = (Z2 - Z1)[:, None] * X
    return th, sl


def conditional_sample(y, X, items, levels, *, name=None, file=None):
    """(th, slopes, R, obs, gamma, cut) of one group: ``y`` (n x p ordered items, category
    codes), ``X`` (n x q covariates), ``levels`` the items' categories."""
    from .sample import _codes

    n, p = y.shape
    q = X.shape[1]
    idx = _codes(y, items, levels, name, file)
    fits = [_probit(idx[:, j], X, len(levels[j]), file, items[j]) for j in range(p)]
    th = [f[0] for f in fits]
    slopes = np.array([f[1] for f in fits])                 # p x q
    nth = [len(t) for t in th]
    start = np.concatenate([[0], np.cumsum(nth)]).astype(int)
    T = int(start[-1])
    lim = [_limits(idx[:, j], th[j], X @ slopes[j]) for j in range(p)]
    a, b = np.triu_indices(p, 1)
    P = len(a)
    R = np.eye(p)
    K = T + p * q
    S = np.zeros((n, K + P))
    for j in range(p):
        s_th, s_sl = _uni_scores(idx[:, j], X, th[j], slopes[j])
        S[:, start[j]:start[j + 1]] = s_th
        for k in range(q):
            S[:, T + k * p + j] = s_sl[:, k]
    A21 = np.zeros((P, K))
    for qq in range(P):
        i, j = b[qq], a[qq]                                  # lavaan's pair (i, j), i > j
        (u1, l1), (u2, l2) = lim[i], lim[j]
        rho = _fit_rho(u1, l1, u2, l2)
        R[i, j] = R[j, i] = rho
        lik, d1, _ = _bv_parts(u1, l1, u2, l2, rho)
        s_rho = d1 / lik
        S[:, K + qq] = s_rho
        for side, (ua, la, ub, lb) in ((i, (u1, l1, u2, l2)), (j, (u2, l2, u1, l1))):
            s_th, s_sl = _pair_side(ua, la, ub, lb, rho, idx[:, side], X, nth[side])
            A21[qq, start[side]:start[side + 1]] = s_rho @ (s_th / lik[:, None])
            for k in range(q):
                A21[qq, T + k * p + side] = s_rho @ (s_sl[:, k] / lik)
    inner = S.T @ S
    A11 = np.zeros((K, K))
    for j in range(p):
        cols = list(range(start[j], start[j + 1])) + [T + k * p + j for k in range(q)]
        A11[np.ix_(cols, cols)] = inner[np.ix_(cols, cols)]
    a22 = np.sum(S[:, K:] ** 2, axis=0)
    A11inv = np.linalg.inv(A11)
    Binv = np.zeros((K + P, K + P))
    Binv[:K, :K] = A11inv
    Binv[K:, K:] = np.diag(1.0 / a22)
    Binv[K:, :K] = -(A21 @ A11inv) / a22[:, None]
    gamma = n * (Binv @ inner @ Binv.T)
    obs = np.concatenate([np.concatenate(th), slopes.T.ravel(), R[b, a]])
    return th, slopes, R, obs, gamma, K
