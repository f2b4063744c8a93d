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

from .estimate import _derivatives, _Filler
from .fiml import pattern_grad_parts

__all__ = ["fiml_observed_information"]


def _t(a):
    return np.swapaxes(a, -1, -2)


def _pair(KX, LX):
    """tr(S_t W S_s M) over (s, t) from X'WY-type blocks (stacked over patterns): K_* with W,
    L_* with M."""
    K_UU, K_UV, K_VV = KX
    L_UU, L_UV, L_VV = LX
    return K_UV * _t(L_UV) + K_VV * L_UU + K_UU * L_VV + _t(K_UV) * L_UV


def _batch_part(b, W, U, V, dM, mu, w):
    """sum over a batch of patterns of w_k times the first-order part of f_st."""
    o = b.obs
    Uo, Vo = U[o], V[o]                              # nb x k x npar
    Mo = np.swapaxes(dM[:, o], 0, 1)                 # nb x npar x k
    d = b.mean - mu[o]
    r = np.einsum("bij,bj->bi", W, d)
    C = b.S + d[:, :, None] * d[:, None, :]
    M = W @ C @ W
    WU, WV, MU, MV = W @ Uo, W @ Vo, M @ Uo, M @ Vo
    Ut, Vt = _t(Uo), _t(Vo)
    K = (Ut @ WU, Ut @ WV, Vt @ WV)
    L = (Ut @ MU, Ut @ MV, Vt @ MV)
    T1 = _pair(K, K)
    T2 = _pair(K, L)
    WM = W @ _t(Mo)                                  # nb x k x npar
    E = np.einsum("bk,bks->bs", r, Uo)[:, :, None] * (Vt @ WM) + np.einsum("bk,bks->bs", r, Vo)[:, :, None] * (Ut @ WM)
    part = -T1 + T2 + _t(T2) + 2 * (E + _t(E)) + 2 * (Mo @ WM)
    return np.einsum("b,bst->st", w, part)


def _first_order(model, filler, theta, g, gd):
    from .fiml import batches, chunks

    sigma, mu, U, V, dM, idx = _derivatives(model, filler, theta, g)
    A = np.zeros((len(idx), len(idx)))
    for big in batches(gd.patterns, model.p):
        for b in chunks(big):
            W = np.linalg.inv(sigma[b.rows, b.cols])
            A += _batch_part(b, W, U, V, dM, mu, b.n / gd.n)
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
