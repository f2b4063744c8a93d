"""Observed information of full-information ML, analytically over the missing-data patterns.

For pattern k (weight w_k = n_k/N, observed set o, W = Sigma_oo^-1, d = ybar_k - mu_o,
C = S_k + d d', r = W d, M = W C W) and directions dSigma_s = u_s v_s' + v_s u_s',
dmu_s = m_s, the Hessian of f_k = log|Sigma_oo| + tr(W S_k) + d'Wd is::

    f_st = - tr(W S_t W S_s) + tr(W S_t W S_s W C) + tr(W S_s W S_t W C)
           + 2 (d'W S_s W m_t + d'W S_t W m_s) + 2 m_t'W m_s          (first-order part)
           + tr(G_k Sigma_st) - 2 r' mu_st                            (second-derivative part)

(S_s short for dSigma_s). The first-order part is bilinear in the directions: it is the
Hessian of the saturated model at the implied moments (:func:`saturated_hessian`, one matrix
product over all patterns) pulled back through the model's Jacobian; the second-derivative
part, summed over patterns, is the derivative of ``tr(G dSigma) - 2 m' dmu`` with G and m held
at the estimates, which needs the model matrices only (differences of an analytic gradient,
no pass over the data). The Hessian of -logl is N/2 times that of F = sum_k w_k f_k.
"""
from __future__ import annotations

import numpy as np

from .estimate import _derivatives, _Filler
from .fiml import pattern_grad_parts

__all__ = ["fiml_observed_information", "saturated_hessian"]


_CROSSED: dict = {}


def _crossed_pairs(p):
    """Flat positions in the (vech x vech) matrix Z of Z({a, d}, {b, c}) and Z({a, c}, {b, d}) for
    rows (a, b) and columns (c, d) over ``np.triu_indices(p)`` (cached per p: building them costs
    as much as the gathers)."""
    if p not in _CROSSED:
        a, b = np.triu_indices(p)
        q = len(a)
        vpos = np.zeros((p, p), dtype=np.int32 if q * q < 2 ** 31 else np.int64)
        vpos[a, b] = vpos[b, a] = np.arange(q)
        va, vb = vpos[a], vpos[b]                      # q x p: rows first, then columns (contiguous gathers)
        one = va[:, b] * q + vb[:, a]
        two = va[:, a] * q + vb[:, b]
        _CROSSED.clear()   # one size at a time: the arrays are (p(p+1)/2)^2 long
        _CROSSED[p] = (one, two)
    return _CROSSED[p]


def saturated_hessian(gd, sigma, mu, means=True, expected=False):
    """Hessian of F = sum_k w_k f_k over the saturated parameters (vech Sigma in
    ``np.triu_indices`` order, then mu) at (sigma, mu): the first-order part above, with the
    directions E_ab = F_ab + F_ba (E_aa = F_aa, F_ab = e_a e_b').

    With W = Sigma_oo^-1, M = W (S_k + d d') W and r = W d of each pattern embedded in p x p
    (zero outside its observed block), the (F_ab, F_cd) entry is P_abcd = sum_k w_k [W_da (M - W)_bc
    + W_bc M_da], the (F_ab, mu_c) entry 2 sum_k w_k r_a W_bc and the (mu_c, mu_d) entry
    2 sum_k w_k W_cd. W and M are symmetric, so P_abcd = Z({a,d}, {b,c}) over unordered pairs,
    Z = Y + Y' with Y = vech(W)' diag(w) vech(M - W/2) (one product of the vech size, p(p+1)/2,
    over the patterns), and the symmetrised entry P_abcd + P_bacd + P_abdc + P_badc is
    2 (Z({a,d}, {b,c}) + Z({a,c}, {b,d})).

    ``expected``: its expectation (M = W, d = 0: no covariance-mean block), twice the expected
    information of the patterns.
    """
    from .fiml import batches, pattern_inverses

    p = len(mu)
    a, b = np.triu_indices(p)
    q = len(a)
    vpos = np.zeros((p, p), dtype=int)
    vpos[a, b] = vpos[b, a] = np.arange(q)
    Ws, Ys, rs, Wfull, ws = [], [], [], [], []
    inv = pattern_inverses(gd.patterns, sigma)
    if inv is None:
        inv = [(bt, np.linalg.inv(sigma[bt.rows, bt.cols]), None) for bt in batches(gd.patterns, p)]
    for bt, W, _ in inv:
        nb, k = bt.obs.shape
        d = bt.mean - mu[bt.obs]
        M = W if expected else W @ (bt.S + d[:, :, None] * d[:, None, :]) @ W
        li, lj = np.triu_indices(k)
        pos = vpos[bt.obs[:, li], bt.obs[:, lj]]          # nb x k(k+1)/2, the pairs each pattern observes
        rows = np.arange(nb)[:, None]
        Wv, Yv = np.zeros((nb, q)), np.zeros((nb, q))
        Wv[rows, pos] = W[:, li, lj]
        Yv[rows, pos] = (M - W / 2)[:, li, lj]
        Ws.append(Wv)
        Ys.append(Yv)
        if means:
            We, re = np.zeros((nb, p * p)), np.zeros((nb, p))
            We[rows, bt.flat.reshape(nb, -1)] = W.reshape(nb, -1)
            re[rows, bt.obs] = np.einsum("kij,kj->ki", W, d)
            Wfull.append(We)
            rs.append(re)
        ws.append(bt.n / gd.n)
    w = np.concatenate(ws)[:, None]
    Wv, Yv = np.vstack(Ws), np.vstack(Ys)
    del Ws, Ys
    Z = np.vstack([Wv, Yv]).T @ np.vstack([Yv * w, Wv * w])        # Y + Y' in one product
    del Wv, Yv
    fa = np.where(a == b, 0.5, 1.0)                   # E_aa = F_aa is counted twice above
    one, two = _crossed_pairs(p)
    zf = Z.ravel()
    H = np.empty((q + p, q + p) if means else (q, q))
    for r0 in range(0, q, 256):                       # in row blocks: no q x q temporaries
        r1 = min(q, r0 + 256)
        blk = np.take(zf, one[r0:r1])
        blk += np.take(zf, two[r0:r1])
        blk *= 2 * fa[r0:r1, None]
        blk *= fa[None, :]
        H[r0:r1, :q] = blk
    del Z, zf
    if means:
        Wf, r = np.vstack(Wfull), np.vstack(rs)
        if expected:
            H[:q, q:] = 0.0
        else:
            R3 = ((r * w).T @ Wf).reshape(p, p, p)                           # r_a W_bc
            H[:q, q:] = 2 * (R3 + R3.transpose(1, 0, 2))[a, b] * fa[:, None]
        H[q:, :q] = H[:q, q:].T
        H[q:, q:] = 2 * (w[:, 0] @ Wf).reshape(p, p)
    return H


def pattern_expected_information(gd, sigma, U, V, dM):
    """sum over the patterns of w_k [1/2 tr(W dSigma_s W dSigma_t) + dmu_s' W dmu_t] for the
    directions dSigma_s = u_s v_s' + v_s u_s', dmu_s = m_s (columns of U, V, rows of dM): half
    the expected saturated Hessian pulled back through the directions' (vech Sigma, mu)."""
    p = len(sigma)
    a, b = np.triu_indices(p)
    D = np.vstack([U[a] * V[b] + V[a] * U[b], dM.T])
    return D.T @ saturated_hessian(gd, sigma, np.zeros(p), means=True, expected=True) @ D / 2


def _first_order(model, filler, theta, g, gd):
    """The first-order part: the saturated Hessian at the implied moments, pulled back through
    the model's Jacobian of (vech Sigma, mu)."""
    sigma, mu, U, V, dM, idx = _derivatives(model, filler, theta, g)
    a, b = np.triu_indices(model.p)
    D = np.vstack([U[a] * V[b] + V[a] * U[b], dM.T])
    A = D.T @ saturated_hessian(gd, sigma, mu, means=True) @ D
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
