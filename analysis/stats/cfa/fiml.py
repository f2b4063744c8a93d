"""Full-information ML with missing values, as lavaan's ``missing = "ml"``.

Rows are grouped by their pattern of observed variables; pattern k (n_k rows, observed set o,
mean ybar_k and biased covariance S_k of those rows) contributes::

    -2 logl_k = n_k (p_o log 2 pi + log|Sigma_oo| + tr(Sigma_oo^-1 S_k) + d_k' Sigma_oo^-1 d_k),  d_k = ybar_k - mu_o

The saturated (h1) model is fitted by EM; the chi-square is 2 (logl_h1 - logl), the
baseline is the independence model (per-variable mean and variance of the observed values).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Pattern", "patterns", "em_saturated", "pattern_f"]


@dataclass
class Pattern:
    obs: np.ndarray   # indices of the observed variables
    n: int
    mean: np.ndarray  # over the observed variables
    S: np.ndarray     # biased covariance over the observed variables
    ix: tuple = ()    # np.ix_(obs, obs), cached


def patterns(x: np.ndarray) -> list[Pattern]:
    """Missing-data patterns of x (rows with no observed value must be dropped before)."""
    miss = np.isnan(x)
    keys, inverse = np.unique(miss, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        rows = x[inverse.ravel() == k][:, ~key]
        mean = rows.mean(axis=0)
        dev = rows - mean
        obs = np.flatnonzero(~key)
        out.append(Pattern(obs, len(rows), mean, dev.T @ dev / len(rows), np.ix_(obs, obs)))
    return out


def pattern_f(pats: list[Pattern], n: int, sigma: np.ndarray, mu: np.ndarray):
    """sum_k n_k/n (log|Sigma_oo| + tr(W S_k) + d'Wd), or inf when a Sigma_oo is not PD."""
    f = 0.0
    for pt in pats:
        o = pt.obs
        so = sigma[pt.ix]
        try:
            c = np.linalg.cholesky(so)
        except np.linalg.LinAlgError:
            return math.inf
        logdet = 2 * np.sum(np.log(np.diag(c)))
        ci = np.linalg.inv(c)
        W = ci.T @ ci
        d = pt.mean - mu[o]
        f += pt.n / n * (logdet + np.sum(W * pt.S) + d @ W @ d)
    return f


def pattern_logl(pats, n, sigma, mu):
    p_obs = sum(pt.n * len(pt.obs) for pt in pats)
    return -0.5 * (p_obs * math.log(2 * math.pi) + n * pattern_f(pats, n, sigma, mu))


def pattern_grad_parts(pats, n, sigma, mu):
    """G = sum_k n_k/n embed(W - W (S_k + d d') W), m = sum_k n_k/n embed(W d), and the
    per-pattern (obs, W, weight) for the information."""
    p = len(mu)
    G = np.zeros((p, p))
    m = np.zeros(p)
    parts = []
    for pt in pats:
        o = pt.obs
        W = np.linalg.inv(sigma[pt.ix])
        d = pt.mean - mu[o]
        Wd = W @ d
        w = pt.n / n
        G[pt.ix] += w * (W - W @ pt.S @ W - np.outer(Wd, Wd))
        m[o] += w * Wd
        parts.append((o, W, w))
    return G, m, parts


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
    prev = -math.inf
    for it in range(1, max_iter + 1):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pt in pats:
            o = pt.obs
            mis = np.setdiff1d(np.arange(p), o)
            if len(mis) == 0:
                T1 += pt.n * pt.mean
                T2 += pt.n * (pt.S + np.outer(pt.mean, pt.mean))
                continue
            soo = sigma[np.ix_(o, o)]
            smo = sigma[np.ix_(mis, o)]
            B = np.linalg.solve(soo, smo.T).T       # regression of missing on observed
            cond = sigma[np.ix_(mis, mis)] - B @ smo.T
            # expected sufficient statistics of the pattern's rows
            ex_m = mu[mis] + B @ (pt.mean - mu[o])   # mean over rows of E[x_m | x_o]
            full_mean = np.empty(p)
            full_mean[o] = pt.mean
            full_mean[mis] = ex_m
            T1 += pt.n * full_mean
            # sum of x x' over rows: observed block exact, cross and missing via regression
            Soo = pt.S + np.outer(pt.mean, pt.mean)
            Smo = B @ pt.S + np.outer(ex_m, pt.mean)
            Smm = B @ pt.S @ B.T + np.outer(ex_m, ex_m) + cond
            block = np.zeros((p, p))
            block[np.ix_(o, o)] = Soo
            block[np.ix_(mis, o)] = Smo
            block[np.ix_(o, mis)] = Smo.T
            block[np.ix_(mis, mis)] = Smm
            T2 += pt.n * block
        mu = T1 / n
        sigma = T2 / n - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
        ll = pattern_logl(pats, n, sigma, mu)
        if abs(ll - prev) < tol * max(1.0, abs(ll)):
            break
        prev = ll
    return sigma, mu, it
