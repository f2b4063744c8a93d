"""MLR, as lavaan ``estimator = "MLR"``: Huber-White standard errors and the Yuan-Bentler
scaled test statistic (lavaan's ``yuan.bentler.mplus``), with scaled and robust fit indices.

With casewise scores ``s_i`` (derivatives of row i's log-likelihood, over the observed part
of the row with missing values), ``B = sum_i s_i s_i'`` and ``A`` the observed information::

    vcov  = A0^-1 B0 A0^-1                                   (model parameters)
    c     = (tr(A1^-1 B1) - tr(A0^-1 B0)) / df               (A1, B1: the saturated model)
    T_s   = T / c,   T_b,s = T_b / c_b                       (c_b from the baseline model)
    CFI_robust = 1 - max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0)   (Brosseau-Liard & Savalei 2014)
    RMSEA_robust = sqrt(max(T / (N df) - c / N, 0))

A score of a parameter whose dSigma is ``u v' + v u'`` and dmu ``m`` is, for a row with
residual ``e`` and ``W = Sigma_oo^-1``: ``(u'We)(v'We) - u'Wv + m'We``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...numerics.dist import chi2_sf
from ..cfa.estimate import _derivatives, _Filler, observed_hessian
from ..cfa.fit import rmsea_ci

__all__ = ["Robust", "mlr", "casewise_scores"]


@dataclass(frozen=True)
class Robust:
    vcov: np.ndarray
    fit: dict


def _pattern_groups(x):
    miss = np.isnan(x)
    keys, inv = np.unique(miss, axis=0, return_inverse=True)
    return [(np.flatnonzero(~k), np.flatnonzero(inv.ravel() == j)) for j, k in enumerate(keys) if (~k).any()]


def casewise_scores(x, sigma, mu, U, V, dM):
    """Rows x columns of U: each row's score of each (dSigma = uv' + vu', dmu = m) direction."""
    out = np.zeros((x.shape[0], U.shape[1]))
    for o, rows in _pattern_groups(x):
        W = np.linalg.inv(sigma[np.ix_(o, o)])
        P = (x[np.ix_(rows, o)] - mu[o]) @ W
        Uo, Vo = U[o], V[o]
        c = np.sum(Uo * (W @ Vo), axis=0)
        out[rows] = (P @ Uo) * (P @ Vo) - c + P @ dM[:, o].T
    return out


def _collapse(scores, idx, npar):
    agg = np.zeros((len(idx), npar))
    agg[np.arange(len(idx)), idx] = 1.0
    return scores @ agg


def _saturated_directions(p, means: bool):
    a, b = np.triu_indices(p)
    eye = np.eye(p)
    U = np.hstack([eye[:, a], np.zeros((p, p if means else 0))])
    V = np.hstack([eye[:, b] * np.where(a == b, 0.5, 1.0), np.zeros((p, p if means else 0))])
    dM = np.vstack([np.zeros((len(a), p)), eye if means else np.zeros((0, p))])
    return U, V, dM, a, b


def _h1_trace(x, sigma, mu, means: bool, fiml: bool):
    """tr(A1^-1 B1) of the saturated model at its estimates (A1 observed = expected without
    missing values; with missing values the Hessian by differences of the summed scores)."""
    p = len(mu)
    U, V, dM, a, b = _saturated_directions(p, means)
    S1 = casewise_scores(x, sigma, mu, U, V, dM)
    B1 = S1.T @ S1
    if not fiml:
        W = np.linalg.inv(sigma)
        M = U.T @ W @ V
        A1 = len(x) * (M * M.T + (U.T @ W @ U) * (V.T @ W @ V) + dM @ W @ dM.T)
    else:
        k = U.shape[1]
        A1 = np.empty((k, k))
        nv = len(a)
        for t in range(k):
            h = 1e-5
            cols = []
            for sgn in (1, -1):
                sg, m = sigma.copy(), mu.copy()
                if t < nv:
                    sg[a[t], b[t]] += sgn * h
                    if a[t] != b[t]:
                        sg[b[t], a[t]] += sgn * h
                else:
                    m[t - nv] += sgn * h
                cols.append(casewise_scores(x, sg, m, U, V, dM).sum(axis=0))
            A1[:, t] = -(cols[0] - cols[1]) / (2 * h)
        A1 = (A1 + A1.T) / 2
    return float(np.trace(np.linalg.solve(A1, B1)))


def _baseline_trace(x, means: bool):
    """tr(A^-1 B) of the independence model (each variable its own mean and variance)."""
    p = x.shape[1]
    tr = 0.0
    for j in range(p):
        v = x[:, j]
        v = v[~np.isnan(v)]
        m, s2 = v.mean(), v.var()
        e = v - m
        sv = (e * e - s2) / (2 * s2 * s2)
        tr += np.sum(sv * sv) / (len(v) / (2 * s2 * s2))
        if means:
            sm = e / s2
            tr += np.sum(sm * sm) / (len(v) / s2)
    return tr


def _model_scores(model, theta, gd, x, g):
    filler = _Filler(model)
    sigma, mu, U, V, dM, idx = _derivatives(model, filler, theta, g)
    if mu is None:
        mu = gd.mean
        dM = np.zeros_like(dM)
    return _collapse(casewise_scores(x, sigma, mu, U, V, dM), idx, model.npar)


def _indices(fm, c, c_b, n, fiml, G=1):
    T, df, Tb, dfb = fm["chisq"], fm["df"], fm["baseline_chisq"], fm["baseline_df"]
    Ts, Tbs = T / c, Tb / c_b

    def cfi(t1, t2):
        return 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2

    out = {"chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": chi2_sf(Ts, df) if df > 0 else math.nan,
           "chisq_scaling_factor": c, "baseline_chisq_scaled": Tbs, "baseline_df_scaled": dfb,
           "baseline_chisq_scaling_factor": c_b,
           "cfi_scaled": cfi(max(Ts - df, 0), max(Ts - df, Tbs - dfb, 0)),
           "tli_scaled": 1 - ((Ts - df) * dfb) / ((Tbs - dfb) * df),
           "rmsea_scaled": math.sqrt(max(Ts / (n * df) - 1 / n, 0)) * math.sqrt(G),
           "cfi_robust": cfi(max(T - c * df, 0), max(T - c * df, Tb - c_b * dfb, 0)),
           "tli_robust": 1 - ((T - c * df) * dfb) / ((Tb - c_b * dfb) * df),
           "rmsea_robust": math.sqrt(max(T / (n * df) - c / n, 0)) * math.sqrt(G)}
    lo, hi = rmsea_ci(T, c * df, n, G)     # lavaan: the unscaled T against df = tr(UGamma) = c df
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, hi
    lo, hi = rmsea_ci(Ts, df, n, G)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = lo * math.sqrt(c), hi * math.sqrt(c)
    if fiml:  # lavaan's robust indices with missing data follow a correction not implemented here
        out.update(cfi_robust=None, tli_robust=None, rmsea_robust=None, rmsea_ci_lower_robust=None,
                   rmsea_ci_upper_robust=None)
    return {k: None if v is None else float(v) for k, v in out.items()}


def mlr(model, est, groups, data, fm) -> Robust:
    """Huber-White vcov and the Yuan-Bentler (Mplus) scaled test of an ML fit (``data``: each
    group's rows as used in the fit)."""
    fiml = any(gd.patterns is not None for gd in groups)
    means = model.meanstructure
    ntotal = sum(gd.n for gd in groups)
    S0 = np.vstack([_model_scores(model, est.theta, gd, x, g) for g, (gd, x) in enumerate(zip(groups, data))])
    B0 = S0.T @ S0
    if fiml:
        from .fiml_info import fiml_observed_information
        A0 = fiml_observed_information(model, est.theta, groups)
    else:
        A0 = observed_hessian(model, _Filler(model), est.theta, groups, ntotal)
    A0inv = np.linalg.inv(A0)
    vcov = A0inv @ B0 @ A0inv
    tr_h0 = float(np.trace(A0inv @ B0))
    tr_h1 = sum(_h1_trace(x, gd.S, gd.mean, means, fiml) for gd, x in zip(groups, data))
    tr_b = sum(_baseline_trace(x, means) for x in data)
    df = fm["df"]
    c = (tr_h1 - tr_h0) / df if df > 0 else math.nan
    c_b = (tr_h1 - tr_b) / fm["baseline_df"]
    return Robust(vcov, _indices(fm, c, c_b, ntotal, fiml, len(groups)) if df > 0 else {})
