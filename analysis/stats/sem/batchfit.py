"""Fisher scoring of many bootstrap resamples at once (complete data, no fixed.x rows).

The same iteration as :func:`..cfa.estimate._fisher_scoring` (analytic gradient, expected
information, ridge 1e-12 tr(H)/npar, Armijo backtracking from step 1, stop at max |gradient|
below ``tol``), with the K resamples of a chunk stacked: model matrices, implied moments,
dSigma directions (u v' + v u'), gradients and information matrices are K x ... arrays, so a
chunk costs a few batched matrix products per iteration instead of K Python-level fits.
Resamples leave the batch as they converge; one whose step cannot make progress is judged
as the single-fit code judges it (converged when max |gradient| < 1e-6); with a gradient
already below 1e-7 a failed first step ends the search at once (F then changes only at its
rounding level).
"""
from __future__ import annotations

import numpy as np

__all__ = ["BatchModel", "fit_batch"]

_NAMES = ("lambda", "beta", "psi", "theta", "nu", "alpha")


class BatchModel:
    """Model-matrix layout of ``model`` for stacked parameter vectors."""

    def __init__(self, model, filler):
        from ..cfa.estimate import _plan

        self.model = model
        self.filler = filler
        self.G = model.n_groups
        self.p, self.m = model.p, model.m
        self.plans = [_plan(model, g) for g in range(self.G)]
        self.aggs = []
        for g in range(self.G):
            idx = self.plans[g][3]
            agg = np.zeros((len(idx), model.npar))
            agg[np.arange(len(idx)), idx] = 1.0
            self.aggs.append(agg)
        self.has_beta = [bool(len(filler.free[g]["beta"][2]) or np.any(filler.base[g]["beta"])) for g in range(self.G)]

    def mats(self, T, g):
        out = {}
        K = len(T)
        for k in _NAMES:
            base = self.filler.base[g][k]
            a = np.broadcast_to(base, (K,) + base.shape).copy()
            i, j, idx = self.filler.free[g][k]
            if len(idx):
                a[:, i, j] = T[:, idx]
            out[k] = a
        return out

    def implied(self, T, g):
        mt = self.mats(T, g)
        K, m = len(T), self.m
        A = np.linalg.inv(np.eye(m) - mt["beta"]) if self.has_beta[g] else np.broadcast_to(np.eye(m), (K, m, m))
        L = mt["lambda"] @ A
        sigma = L @ mt["psi"] @ np.swapaxes(L, 1, 2) + mt["theta"]
        sigma = (sigma + np.swapaxes(sigma, 1, 2)) / 2
        a_alpha = (A @ mt["alpha"])[:, :, 0]
        mu = mt["nu"][:, :, 0] + np.einsum("kpm,km->kp", mt["lambda"], a_alpha) if self.model.meanstructure else None
        return mt, sigma, mu, A, L, a_alpha

    def derivatives(self, T, g):
        """sigma, mu, U, V (K x p x rows), dM (K x rows x p) as cfa.estimate._derivatives."""
        mt, sigma, mu, A, L, a_alpha = self.implied(T, g)
        K, p = len(T), self.p
        Q = A @ mt["psi"] @ np.swapaxes(L, 1, 2)          # K x m x p
        kind, ii, jj, idx = self.plans[g]
        n = len(idx)
        U = np.zeros((K, p, n))
        V = np.zeros((K, p, n))
        dM = np.zeros((K, n, p))
        eye = np.eye(p)
        half = np.where(ii == jj, 0.5, 1.0)
        for c in range(6):
            sel = np.flatnonzero(kind == c)
            if not len(sel):
                continue
            i, j = ii[sel], jj[sel]
            if c == 0:
                U[:, :, sel] = eye[:, i]
                V[:, :, sel] = np.swapaxes(Q[:, j, :], 1, 2)
                dM[:, sel, :] = eye[i][None] * a_alpha[:, j][:, :, None]
            elif c == 1:
                U[:, :, sel] = L[:, :, i]
                V[:, :, sel] = np.swapaxes(Q[:, j, :], 1, 2)
                dM[:, sel, :] = np.swapaxes(L[:, :, i], 1, 2) * a_alpha[:, j][:, :, None]
            elif c == 2:
                U[:, :, sel] = L[:, :, i]
                V[:, :, sel] = L[:, :, j] * half[sel]
            elif c == 3:
                U[:, :, sel] = eye[:, i]
                V[:, :, sel] = eye[:, j] * half[sel]
            elif c == 4:
                dM[:, sel, :] = eye[i]
            else:
                dM[:, sel, :] = np.swapaxes(L[:, :, i], 1, 2)
        return sigma, mu, U, V, dM

    def fvalue(self, T, S, M, w, logdet_s):
        """F of each resample (inf where an implied Sigma is not positive definite)."""
        K = len(T)
        total = np.zeros(K)
        for g in range(self.G):
            _, sigma, mu, *_ = self.implied(T, g)
            ok = np.ones(K, dtype=bool)
            try:
                c = np.linalg.cholesky(sigma)
            except np.linalg.LinAlgError:
                c = np.zeros_like(sigma)
                for k in range(K):
                    try:
                        c[k] = np.linalg.cholesky(sigma[k])
                    except np.linalg.LinAlgError:
                        ok[k] = False
                        c[k] = np.eye(self.p)
            logdet = 2 * np.sum(np.log(np.diagonal(c, axis1=1, axis2=2)), axis=1)
            ci = np.linalg.inv(c)
            W = np.swapaxes(ci, 1, 2) @ ci
            f = logdet + np.einsum("kij,kij->k", S[g], W) - logdet_s[g] - self.p
            if mu is not None:
                d = M[g] - mu
                f = f + np.einsum("ki,kij,kj->k", d, W, d)
            f[~ok] = np.inf
            total += w[g] * f
        return total

    def grad_info(self, T, S, M, w):
        K, npar = len(T), self.model.npar
        grad = np.zeros((K, npar))
        info = np.zeros((K, npar, npar))
        for g in range(self.G):
            sigma, mu, U, V, dM = self.derivatives(T, g)
            W = np.linalg.inv(sigma)
            Ut, Vt = np.swapaxes(U, 1, 2), np.swapaxes(V, 1, 2)
            if mu is not None:
                d = M[g] - mu
                Wd = np.einsum("kij,kj->ki", W, d)
                C = S[g] + d[:, :, None] * d[:, None, :]
                G = W - W @ C @ W
                ge = 2 * np.einsum("kpr,kpr->kr", U, G @ V) - 2 * np.einsum("krp,kp->kr", dM, Wd)
                ie = dM @ W @ np.swapaxes(dM, 1, 2)
            else:
                G = W - W @ S[g] @ W
                ge = 2 * np.einsum("kpr,kpr->kr", U, G @ V)
                ie = 0.0
            WV = W @ V
            Muv = Ut @ WV
            ie = ie + Muv * np.swapaxes(Muv, 1, 2) + (Ut @ W @ U) * (Vt @ WV)
            agg = self.aggs[g]
            grad += w[g] * ge @ agg
            info += w[g] * (agg.T @ ie @ agg)
        return grad, info


def _steps(grad, info):
    H = 2 * info
    n = H.shape[1]
    ridge = 1e-12 * np.maximum(1.0, np.trace(H, axis1=1, axis2=2) / n)
    Hr = H + ridge[:, None, None] * np.eye(n)
    try:
        step = -np.linalg.solve(Hr, grad[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        step = np.empty_like(grad)
        for k in range(len(grad)):
            try:
                step[k] = -np.linalg.solve(Hr[k], grad[k])
            except np.linalg.LinAlgError:
                step[k] = -grad[k]
    slope = np.sum(grad * step, axis=1)
    bad = slope >= 0
    step[bad] = -grad[bad]
    slope[bad] = np.sum(grad[bad] * step[bad], axis=1)
    return step, slope


def fit_batch(bm: BatchModel, start, S, M, n, tol=1e-9, max_iter=500):
    """Estimates of K resamples (S[g]: K x p x p biased covariances, M[g]: K x p means, n[g]:
    group sizes); rows of NaN for resamples that did not converge."""
    K = S[0].shape[0]
    ntot = sum(n)
    w = [ng / ntot for ng in n]
    logdet_s = [np.linalg.slogdet(Sg)[1] for Sg in S]
    T = np.broadcast_to(start, (K, len(start))).copy()
    out = np.full_like(T, np.nan)
    act = np.arange(K)

    def sub(a):
        return [x[a] for x in S], [x[a] if x is not None else None for x in M], [x[a] for x in logdet_s]

    Sa, Ma, La = sub(act)
    f = bm.fvalue(T, Sa, Ma, w, La)
    keep = np.isfinite(f)
    act, T, f = act[keep], T[keep], f[keep]
    Sa, Ma, La = sub(act)
    for _ in range(max_iter):
        if not len(act):
            break
        grad, info = bm.grad_info(T, Sa, Ma, w)
        gmax = np.max(np.abs(grad), axis=1)
        done = gmax < tol
        out[act[done]] = T[done]
        stay = ~done
        if not stay.any():
            act = act[:0]
            break
        act, T, f, grad, info, gmax = act[stay], T[stay], f[stay], grad[stay], info[stay], gmax[stay]
        Sa, Ma, La = sub(act)
        step, slope = _steps(grad, info)
        t = np.ones(len(act))
        f_new = np.full(len(act), np.inf)
        todo = np.arange(len(act))
        while len(todo):
            fn = bm.fvalue(T[todo] + t[todo, None] * step[todo], [x[todo] for x in Sa],
                           [x[todo] if x is not None else None for x in Ma], w, [x[todo] for x in La])
            ok = np.isfinite(fn) & (fn <= f[todo] + 1e-4 * t[todo] * slope[todo])
            f_new[todo[ok]] = fn[ok]
            f_new[todo[~ok]] = fn[~ok]
            rest = todo[~ok]
            t[rest] /= 2
            # a gradient below 1e-7 leaves F changes at its rounding level: no step can pass the
            # test, and halving to 1e-12 (as the single fit does) ends the same way, judged stuck
            t[rest[gmax[rest] < 1e-7]] = 0.0
            todo = rest[t[rest] >= 1e-12]
        stuck = t < 1e-12
        if stuck.any():             # no progress possible: converged only with a small gradient
            good = stuck & (gmax < 1e-6)
            out[act[good]] = T[good]
        T_new = T + t[:, None] * step
        tiny = (np.abs(f - f_new) < 1e-15) & (np.max(np.abs(t[:, None] * step), axis=1) < 1e-10) & ~stuck
        if tiny.any():
            g2, _ = bm.grad_info(T_new[tiny], [x[tiny] for x in Sa], [x[tiny] if x is not None else None for x in Ma], w)
            good = np.max(np.abs(g2), axis=1) < 1e-6
            out[act[tiny][good]] = T_new[tiny][good]
        cont = ~stuck & ~tiny
        act, T, f = act[cont], T_new[cont], f_new[cont]
        Sa, Ma, La = sub(act)
    return out
