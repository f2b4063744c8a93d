"""Observed information of full-information ML, analytically over the missing-data patterns.

For pattern k (weight w_k = n_k/N, observed set o, W = Sigma_oo^-1, d = ybar_k - mu_o,
C = S_k + d d', r = W d, M = W C W) and directions dSigma_s = u_s v_s' + v_s u_s',
dmu_s = m_s, the Hessian of f_k = log|Sigma_oo| + tr(W S_k) + d'Wd is::

    f_st = - tr(W S_t W S_s) + tr(W S_t W S_s W C) + tr(W S_s W S_t W C)
           + 2 (d'W S_s W m_t + d'W S_t W m_s) + 2 m_t'W m_s          (first-order part)
           + tr(G_k Sigma_st) - 2 r' mu_st                            (second-derivative part)

(S_s short for dSigma_s). The first-order part is formed from the small matrices X'WY and
X'MY (X, Y in {U, V}) of each pattern, as the expected information is; the second-derivative
part, summed over patterns, is the derivative of ``tr(G dSigma) - 2 m' dmu`` with G and m held
at the estimates, which needs the model matrices only (differences of an analytic gradient,
no pass over the data). The Hessian of -logl is N/2 times that of F = sum_k w_k f_k.
"""
from __future__ import annotations

import numpy as np

from ..cfa.estimate import _derivatives, _Filler
from ..cfa.fiml import pattern_grad_parts

__all__ = ["fiml_observed_information"]


def _pair(KX, KY, LX, LY):
    """tr(S_t W S_s M) over (s, t) from X'WY-type blocks: K_* with W, L_* with M."""
    K_UU, K_UV, K_VV = KX
    L_UU, L_UV, L_VV = LX
    K_VU, L_VU = K_UV.T, L_UV.T
    return K_UV * L_VU + K_VV * L_UU + K_UU * L_VV + K_VU * L_UV


def _pattern_part(pt, W, U, V, dM, mu):
    o = pt.obs
    Uo, Vo, Mo = U[o], V[o], dM[:, o]
    d = pt.mean - mu[o]
    r = W @ d
    M = W @ (pt.S + np.outer(d, d)) @ W
    WU, WV, MU, MV = W @ Uo, W @ Vo, M @ Uo, M @ Vo
    K = (Uo.T @ WU, Uo.T @ WV, Vo.T @ WV)
    L = (Uo.T @ MU, Uo.T @ MV, Vo.T @ MV)
    T1 = _pair(K, K, K, K)
    T2 = _pair(K, K, L, L)
    WM = W @ Mo.T                       # p_o x rows
    E = (Uo.T @ r)[:, None] * (Vo.T @ WM) + (Vo.T @ r)[:, None] * (Uo.T @ WM)
    return -T1 + T2 + T2.T + 2 * (E + E.T) + 2 * (Mo @ WM)


def _first_order(model, filler, theta, g, gd):
    sigma, mu, U, V, dM, idx = _derivatives(model, filler, theta, g)
    A = np.zeros((len(idx), len(idx)))
    for pt in gd.patterns:
        W = np.linalg.inv(sigma[pt.ix])
        A += pt.n / gd.n * _pattern_part(pt, W, U, V, dM, mu)
    G, m, _ = pattern_grad_parts(gd.patterns, gd.n, sigma, mu)
    return A, idx, G, m


def _second_order(model, filler, theta, g, G, m, npar):
    """d/dtheta of [2 u'Gv - 2 dmu'm] per free parameter, G and m fixed: central differences."""
    def grad(t):
        _, _, U, V, dM, idx = _derivatives(model, filler, t, g)
        ge = 2 * np.sum(U * (G @ V), axis=0) - 2 * dM @ m
        return np.bincount(idx, weights=ge, minlength=npar)

    H = np.empty((npar, npar))
    for t in range(npar):
        h = 1e-6 * max(1.0, abs(theta[t]))
        up, dn = theta.copy(), theta.copy()
        up[t] += h
        dn[t] -= h
        H[:, t] = (grad(up) - grad(dn)) / (2 * h)
    return (H + H.T) / 2


def fiml_observed_information(model, theta, groups) -> np.ndarray:
    """Hessian of -logl at ``theta`` (total, not per case) for groups with missing-data patterns."""
    filler = _Filler(model)
    npar = model.npar
    ntotal = sum(gd.n for gd in groups)
    H = np.zeros((npar, npar))
    agg_cache = {}
    for g, gd in enumerate(groups):
        A, idx, G, m = _first_order(model, filler, theta, g, gd)
        key = tuple(idx)
        if key not in agg_cache:
            agg = np.zeros((len(idx), npar))
            agg[np.arange(len(idx)), idx] = 1.0
            agg_cache[key] = agg
        agg = agg_cache[key]
        w = gd.n / ntotal
        H += w * (agg.T @ A @ agg + _second_order(model, filler, theta, g, G, m, npar))
    return ntotal / 2 * (H + H.T) / 2
