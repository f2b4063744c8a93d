"""Full-information ML with missing values, as lavaan's ``missing = "ml"``.

Rows are grouped by their pattern of observed variables; pattern k (n_k rows, observed set o,
mean ybar_k and biased covariance S_k of those rows) contributes::

    -2 logl_k = n_k (p_o log 2 pi + log|Sigma_oo| + tr(Sigma_oo^-1 S_k) + d_k' Sigma_oo^-1 d_k),  d_k = ybar_k - mu_o

The saturated (h1) model is fitted by EM; the chi-square is 2 (logl_h1 - logl), the
baseline is the independence model (per-variable mean and variance of the observed values).

Patterns with the same number of observed variables are stacked into one batch (index
arrays, means and covariances as 3-d arrays), so every pass over the patterns is a few
batched factorizations instead of one small one per pattern.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "PatternBatch", "patterns", "batches", "em_saturated", "pattern_f", "pattern_inverses"]


@dataclass
class Pattern:
    obs: np.ndarray   # indices of the observed variables
    n: int
    mean: np.ndarray  # over the observed variables
    S: np.ndarray     # biased covariance over the observed variables
    ix: tuple = ()    # np.ix_(obs, obs), cached


@dataclass
class PatternBatch:
    """Patterns with the same number k of observed variables, stacked (nb patterns)."""
    obs: np.ndarray    # nb x k
    n: np.ndarray      # nb
    mean: np.ndarray   # nb x k
    S: np.ndarray      # nb x k x k
    mis: np.ndarray    # nb x (p - k): the missing variables
    rows: np.ndarray   # nb x k x 1 and cols nb x 1 x k for sigma[rows, cols]
    cols: np.ndarray
    flat: np.ndarray   # nb x k x k positions in a flattened p x p matrix


class PatternList(list):
    """The patterns of a group, with their batches computed once."""

    _batches = None


def _make_batches(pats, p=None):
    if p is None:
        p = max(int(pt.obs.max()) for pt in pats) + 1 if pats else 0
        p = max(p, max((len(pt.obs) for pt in pats), default=0))
    by_k: dict = {}
    for pt in pats:
        by_k.setdefault(len(pt.obs), []).append(pt)
    out = []
    full = np.arange(p)
    for k, group in sorted(by_k.items(), reverse=True):
        obs = np.array([pt.obs for pt in group], dtype=int).reshape(len(group), k)
        mis = np.array([np.setdiff1d(full, pt.obs) for pt in group], dtype=int).reshape(len(group), p - k)
        out.append(PatternBatch(obs, np.array([pt.n for pt in group], dtype=float),
                                np.array([pt.mean for pt in group]).reshape(len(group), k),
                                np.array([pt.S for pt in group]).reshape(len(group), k, k), mis,
                                obs[:, :, None], obs[:, None, :], obs[:, :, None] * p + obs[:, None, :]))
    return out


def batches(pats, p=None) -> list[PatternBatch]:
    """The batches of ``pats`` (cached on a list made by :func:`patterns`)."""
    if isinstance(pats, PatternList):
        if pats._batches is None or (p is not None and pats._p != p):
            pats._batches = _make_batches(pats, p)
            pats._p = p
        return pats._batches
    return _make_batches(pats, p)


def patterns(x: np.ndarray) -> list[Pattern]:
    """Missing-data patterns of x (rows with no observed value must be dropped before)."""
    miss = np.isnan(x)
    keys, inverse = np.unique(miss, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
    out = PatternList()
    for k, key in enumerate(keys):
        rows = x[order[bounds[k]:bounds[k + 1]]][:, ~key]
        mean = rows.mean(axis=0)
        dev = rows - mean
        obs = np.flatnonzero(~key)
        out.append(Pattern(obs, len(rows), mean, dev.T @ dev / len(rows), np.ix_(obs, obs)))
    out._batches = _make_batches(out, x.shape[1])
    out._p = x.shape[1]
    return out


def _inv_logdet(so):
    """(W, logdet) of a stack of covariance blocks; None when one is not positive definite."""
    try:
        c = np.linalg.cholesky(so)
    except np.linalg.LinAlgError:
        return None
    logdet = 2 * np.sum(np.log(np.diagonal(c, axis1=-2, axis2=-1)), axis=-1)
    ci = np.linalg.inv(c)
    return np.matmul(np.swapaxes(ci, -1, -2), ci), logdet


def pattern_inverses(pats, sigma):
    """[(batch, W, logdet)] of every batch (W = Sigma_oo^-1 of each pattern, nb x k x k), or
    None when a Sigma_oo is not positive definite.

    When Sigma itself is positive definite, from its inverse P alone: a pattern missing the
    set m has Sigma_oo^-1 = P_oo - P_om P_mm^-1 P_mo and log|Sigma_oo| = log|Sigma| + log|P_mm|
    (the Schur complement), which costs an m x m factorization per pattern instead of a k x k
    one; batches missing more than half the variables are inverted directly, as are all when
    Sigma is not positive definite (its observed blocks may still be)."""
    bs = batches(pats, len(sigma))
    full = _inv_logdet(sigma)
    out = []
    for b in bs:
        nm = b.mis.shape[1]
        if full is None or 2 * nm > len(sigma):
            got = _inv_logdet(sigma[b.rows, b.cols])
            if got is None:
                return None
            out.append((b, *got))
            continue
        P, logdet = full
        if nm == 0:
            out.append((b, np.broadcast_to(P, (len(b.n),) + P.shape), np.full(len(b.n), logdet)))
            continue
        Pmm = P[b.mis[:, :, None], b.mis[:, None, :]]
        Pom = P[b.obs[:, :, None], b.mis[:, None, :]]                  # nb x k x m
        cm = np.linalg.cholesky(Pmm)
        cmi = np.linalg.inv(cm)
        R = Pom @ np.swapaxes(cmi, -1, -2)                             # P_om L^-T: R R' = P_om P_mm^-1 P_mo
        W = P[b.rows, b.cols] - R @ np.swapaxes(R, -1, -2)
        out.append((b, W, logdet + 2 * np.sum(np.log(np.diagonal(cm, axis1=-2, axis2=-1)), axis=-1)))
    return out


def pattern_f(pats: list[Pattern], n: int, sigma: np.ndarray, mu: np.ndarray):
    """sum_k n_k/n (log|Sigma_oo| + tr(W S_k) + d'Wd), or inf when a Sigma_oo is not PD."""
    f = 0.0
    inv = pattern_inverses(pats, sigma)
    if inv is None:
        return math.inf
    for b, W, logdet in inv:
        d = b.mean - mu[b.obs]
        q = np.einsum("bij,bij->b", W, b.S) + np.einsum("bi,bij,bj->b", d, W, d)
        f += float(np.sum(b.n * (logdet + q))) / n
    return f


def pattern_logl(pats, n, sigma, mu):
    p_obs = sum(pt.n * len(pt.obs) for pt in pats)
    return -0.5 * (p_obs * math.log(2 * math.pi) + n * pattern_f(pats, n, sigma, mu))


def pattern_grad_parts(pats, n, sigma, mu):
    """G = sum_k n_k/n embed(W - W (S_k + d d') W), m = sum_k n_k/n embed(W d), and per batch
    (obs, W, weights) for the information (obs nb x k, W nb x k x k)."""
    p = len(mu)
    G = np.zeros(p * p)
    m = np.zeros(p)
    parts = []
    inv = pattern_inverses(pats, sigma)
    if inv is None:   # not reached at a fitted Sigma; the plain inverses raise as before
        inv = [(b, np.linalg.inv(sigma[b.rows, b.cols]), None) for b in batches(pats, p)]
    for b, W, _ in inv:
        d = b.mean - mu[b.obs]
        Wd = np.einsum("bij,bj->bi", W, d)
        w = b.n / n
        blk = W - W @ b.S @ W - Wd[:, :, None] * Wd[:, None, :]
        G += np.bincount(b.flat.ravel(), weights=(w[:, None, None] * blk).ravel(), minlength=p * p)
        m += np.bincount(b.obs.ravel(), weights=(w[:, None] * Wd).ravel(), minlength=p)
        parts.append((b.obs, W, w))
    return G.reshape(p, p), m, parts


def em_saturated(pats: list[Pattern], p: int, n: int, tol: float = 1e-12, max_iter: int = 5000):
    """EM estimates of the unrestricted mean and covariance; returns (sigma, mu, iterations)."""
    mu = np.zeros(p)
    cnt = np.zeros(p)
    for pt in pats:
        mu[pt.obs] += pt.n * pt.mean
        cnt[pt.obs] += pt.n
    mu = mu / cnt
    var = np.zeros(p)
    for pt in pats:
        var[pt.obs] += pt.n * (np.diag(pt.S) + (pt.mean - mu[pt.obs]) ** 2)
    sigma = np.diag(var / cnt)
    bs = batches(pats, p)
    # the observed blocks' sums of squares do not change between iterations
    fixed = [(b, b.S + b.mean[:, :, None] * b.mean[:, None, :]) for b in bs]
    prev = -math.inf
    for it in range(1, max_iter + 1):
        T1 = np.zeros(p)
        T2 = np.zeros(p * p)
        for b, Soo in fixed:
            nb = b.n
            if b.mis.shape[1] == 0:
                T1 += np.bincount(b.obs.ravel(), weights=(nb[:, None] * b.mean).ravel(), minlength=p)
                T2 += np.bincount(b.flat.ravel(), weights=(nb[:, None, None] * Soo).ravel(), minlength=p * p)
                continue
            o, mis = b.obs, b.mis
            soo = sigma[b.rows, b.cols]
            smo = sigma[mis[:, :, None], o[:, None, :]]
            smm = sigma[mis[:, :, None], mis[:, None, :]]
            B = np.swapaxes(np.linalg.solve(soo, np.swapaxes(smo, -1, -2)), -1, -2)   # nb x m x k
            cond = smm - B @ np.swapaxes(smo, -1, -2)
            ex_m = mu[mis] + np.einsum("bmk,bk->bm", B, b.mean - mu[o])
            BS = B @ b.S
            Smo = BS + ex_m[:, :, None] * b.mean[:, None, :]
            Smm = BS @ np.swapaxes(B, -1, -2) + ex_m[:, :, None] * ex_m[:, None, :] + cond
            T1 += np.bincount(o.ravel(), weights=(nb[:, None] * b.mean).ravel(), minlength=p)
            T1 += np.bincount(mis.ravel(), weights=(nb[:, None] * ex_m).ravel(), minlength=p)
            w3 = nb[:, None, None]
            T2 += np.bincount(b.flat.ravel(), weights=(w3 * Soo).ravel(), minlength=p * p)
            mo = (mis[:, :, None] * p + o[:, None, :]).ravel()
            om = (o[:, None, :] * p + mis[:, :, None]).ravel()   # the transposed positions
            T2 += np.bincount(mo, weights=(w3 * Smo).ravel(), minlength=p * p)
            T2 += np.bincount(om, weights=(w3 * Smo).ravel(), minlength=p * p)
            T2 += np.bincount((mis[:, :, None] * p + mis[:, None, :]).ravel(), weights=(w3 * Smm).ravel(),
                              minlength=p * p)
        mu = T1 / n
        sigma = T2.reshape(p, p) / n - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
        ll = pattern_logl(pats, n, sigma, mu)
        if abs(ll - prev) < tol * max(1.0, abs(ll)):
            break
        prev = ll
    return sigma, mu, it
