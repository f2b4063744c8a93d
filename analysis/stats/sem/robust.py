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

With missing values (``missing = "ml"``) the robust CFI/TLI/RMSEA are the FIML-corrected
ones of Zhang & Savalei (2022), version V3 as lavaan 0.6 (``lav_fit_fiml_corrected``): with
the EM (saturated) moments (Sigma~, mu~) taken as complete-data sample moments,

    T3    = sum_g N_g F_ML(Sigma_g(theta), mu_g(theta); Sigma~_g, mu~_g)       (at the FIML estimates)
    U     = Wm - Wm D (D' Wm D)^-1 D' Wm
    c3    = tr(U Wm^-1 Wc Wm^-1 U Gamma) / df,   Gamma = Wm^-1 Jm Wm^-1

per group (weights N_g/N, block diagonal over groups): ``Wm`` the observed information of the
saturated model with missing data, ``Jm`` its first-order (score) information, ``Wc`` its
complete-data information at (Sigma~, mu~), ``D`` the model Jacobian of (vech Sigma, mu).
The baseline gets the same with the independence model (each variable's observed mean and
variance). CFI_robust etc. then use (T3, c3) and (T3_b, c3_b) in place of (T, c), (T_b, c_b).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...numerics.dist import chi2_sf
from ..cfa.estimate import _derivatives, _Filler, observed_hessian
from ..cfa.fit import rmsea_ci

__all__ = ["Robust", "mlr", "casewise_scores", "fiml_robust_ml"]


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


def _not_x(p, xi, means: bool):
    """Positions in (vech Sigma, mu) (the order of :func:`_saturated_directions`) that are no
    moments of fixed.x covariates ``xi``: lavaan zeroes those rows and columns of the saturated
    information and scores, so they leave every trace."""
    a, b = np.triu_indices(p)
    xs = np.zeros(p, dtype=bool)
    xs[list(xi)] = True
    keep = ~(xs[a] & xs[b])
    if means:
        keep = np.concatenate([keep, ~xs])
    return np.flatnonzero(keep)


def _h1_trace(x, sigma, mu, means: bool, gd=None, xi=()):
    """tr(A1^-1 B1) of the saturated model at its estimates (A1 observed = expected without
    missing values; with missing values, ``gd`` with its patterns, the analytic observed
    information over the patterns), without the moments of the fixed.x covariates ``xi``."""
    p = len(mu)
    U, V, dM, a, b = _saturated_directions(p, means)
    S1 = casewise_scores(x, sigma, mu, U, V, dM)
    B1 = S1.T @ S1
    if gd is None:
        W = np.linalg.inv(sigma)
        M = U.T @ W @ V
        A1 = len(x) * (M * M.T + (U.T @ W @ U) * (V.T @ W @ V) + dM @ W @ dM.T)
    else:
        A1 = gd.n * _h1_observed_unit(gd, U, V, dM)
    if len(xi):
        k = _not_x(p, xi, means)
        A1, B1 = A1[np.ix_(k, k)], B1[np.ix_(k, k)]
    return float(np.trace(np.linalg.solve(A1, B1)))


def _baseline_trace(x, means: bool, xi=()):
    """tr(A^-1 B) of the independence model (each variable its own mean and variance; the
    fixed.x covariates ``xi`` have none free)."""
    p = x.shape[1]
    tr = 0.0
    for j in range(p):
        if j in xi:
            continue
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


def _indices(fm, c, c_b, n, fiml=None, G=1):
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
    if fiml is not None:   # FIML-corrected (Zhang & Savalei 2022): T3, c3 in place of T, c
        out.update(_robust_indices(fiml, df, dfb, n, G))
    return {k: None if v is None else float(v) for k, v in out.items()}


def block_diag(*mats):
    """The block-diagonal matrix of ``mats`` (numpy only: importing scipy.linalg costs 0.6 s)."""
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    out = np.zeros((rows, cols))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def _robust_indices(fc, df, dfb, n, G):
    T, c, Tb, c_b = fc["chisq"], fc["c"], fc["baseline_chisq"], fc["baseline_c"]
    t1 = max(T - c * df, 0)
    t2 = max(T - c * df, Tb - c_b * dfb, 0)
    tli_t2 = (Tb - c_b * dfb) * df
    lo, hi = rmsea_ci(T / c, df, n, G)
    return {"cfi_robust": 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2,
            "tli_robust": 1 - (T - c * df) * dfb / tli_t2 if tli_t2 != 0 else 1.0,
            "rmsea_robust": math.sqrt(max(T / (n * df) - c / n, 0)) * math.sqrt(G),
            "rmsea_ci_lower_robust": lo * math.sqrt(c), "rmsea_ci_upper_robust": hi * math.sqrt(c)}


def _ml_discrepancy(sigma, mu, S, mean):
    """F_ML of (sigma, mu) against complete-data moments (S, mean): log|Sigma| + tr(S W) - log|S| - p + d'Wd."""
    W = np.linalg.inv(sigma)
    d = mean - mu
    return (np.linalg.slogdet(sigma)[1] + np.sum(S * W) - np.linalg.slogdet(S)[1] - len(S) + d @ W @ d)


def _h1_observed_unit(gd, U, V, dM):
    """Observed information (per case) of the saturated model (vech Sigma, then mu: the order
    of :func:`_saturated_directions`) with missing values, at the EM estimates: half the
    pattern-weighted Hessian of F (:func:`..cfa.fiml_info.saturated_hessian`), kept on the
    group for the scaling factor and the FIML-corrected indices."""
    from ..cfa.fiml_info import saturated_hessian

    p = len(gd.mean)
    k = U.shape[1]
    cache = gd.__dict__.setdefault("_h1_observed", {})
    if k not in cache:
        cache[k] = saturated_hessian(gd, gd.S, gd.mean, means=k > p * (p + 1) // 2) / 2
    return cache[k]


def _model_jacobian(model, theta, g, a, b):
    """d(vech Sigma, mu)/dtheta of group g (rows: the saturated parameters in the order of
    :func:`_saturated_directions`)."""
    sigma, mu, U, V, dM, idx = _derivatives(model, _Filler(model), theta, g)
    rows = np.vstack([U[a] * V[b] + V[a] * U[b], dM.T])
    return _collapse(rows, idx, model.npar)


def _fiml_corrected(model, est, groups, data, fm, version="V3"):
    """T3, c3 and the baseline's (Zhang & Savalei 2022), as lavaan's lav_fit_fiml_corrected:
    V3 (MLR, with the score information) or V6 (ML: c3 = tr(Wc Wm^-1 U Wm^-1) / df)."""
    p = model.p
    U1, V1, dM1, a, b = _saturated_directions(p, True)
    ntotal = sum(gd.n for gd in groups)
    xi = _x_index(model)
    k = _not_x(p, xi, True)     # fixed.x: the covariates' moments leave every matrix
    yv = np.array([j for j in range(p) if j not in xi], dtype=int)
    Wm, Wmi, Wc, Gam, D, DB, fgs = [], [], [], [], [], [], []
    T3 = T3b = 0.0
    every = len(k) == len(a) + p
    for g, (gd, x) in enumerate(zip(groups, data)):
        fg = gd.n / ntotal
        wm = _h1_observed_unit(gd, U1, V1, dM1)
        wm = wm if every else wm[np.ix_(k, k)]
        wmi = np.linalg.inv(wm)
        W = np.linalg.inv(gd.S)
        if version == "V6":   # unweighted (the weights cancel in the traces), no copies
            wc = _complete_information(W, a, b)
            Wm.append(wm)
            Wmi.append(wmi)
            Wc.append(wc if every else wc[np.ix_(k, k)])
            fgs.append(fg)
        else:
            S1 = casewise_scores(x, gd.S, gd.mean, U1, V1, dM1)[:, k]
            jm = S1.T @ S1 / gd.n
            M = U1.T @ W @ V1
            wc = (M * M.T + (U1.T @ W @ U1) * (V1.T @ W @ V1) + dM1 @ W @ dM1.T)[np.ix_(k, k)]
            Wm.append(fg * wm)
            Wmi.append(wmi / fg)
            Wc.append(fg * wc)
            Gam.append(wmi @ jm @ wmi / fg)
        D.append(_model_jacobian(model, est.theta, g, a, b)[k])
        # independence model: each variable's mean and variance over its observed values
        nj, sm, ss = np.zeros(p), np.zeros(p), np.zeros(p)
        for pt in gd.patterns:
            nj[pt.obs] += pt.n
            sm[pt.obs] += pt.n * pt.mean
        mb = sm / nj
        for pt in gd.patterns:
            ss[pt.obs] += pt.n * (np.diag(pt.S) + (pt.mean - mb[pt.obs]) ** 2)
        vb = ss / nj
        T3 += gd.n * _ml_discrepancy(est.sigma[g], est.mu[g], gd.S, gd.mean)
        sb = np.diag(vb)
        if xi:   # fixed.x: the covariates keep their (EM = sample) covariances and means
            sb[np.ix_(xi, xi)] = gd.S[np.ix_(xi, xi)]
            mb[xi] = gd.mean[xi]
        T3b += gd.n * _ml_discrepancy(sb, mb, gd.S, gd.mean)
        db = np.zeros((len(a) + p, 2 * p))
        diag_pos = np.flatnonzero(a == b)
        db[diag_pos, np.arange(p)] = 1.0       # variances (a == b rows are in variable order)
        db[len(a) + np.arange(p), p + np.arange(p)] = 1.0
        DB.append(db[np.ix_(k, np.concatenate([yv, p + yv]))])
    if version == "V6":
        k, kb = _v6_traces(Wm, Wmi, Wc, D, DB, fgs)
    else:
        Wm_a, Wmi_a, Wc_a, Gam_a = (block_diag(*m) for m in (Wm, Wmi, Wc, Gam))
        mid = Wmi_a @ Wc_a @ Wmi_a

        def trace(Dj):
            E = Dj.T @ Wm_a @ Dj
            WD = Wm_a @ Dj
            Uc = Wm_a - WD @ np.linalg.solve(E, WD.T)
            return float(np.trace(Uc @ mid @ Uc @ Gam_a))

        k = trace(np.vstack(D))
        kb = trace(block_diag(*DB))
    return {"chisq": T3, "c": k / fm["df"] if fm["df"] > 0 else math.nan, "baseline_chisq": T3b,
            "baseline_c": kb / fm["baseline_df"]}


def _complete_information(W, a, b):
    """The complete-data information of the saturated model at Sigma = W^-1 over (vech Sigma in
    the order a, b of ``np.triu_indices``, then mu), the directions of
    :func:`_saturated_directions`: h_ab h_cd (W_ac W_bd + W_ad W_bc) (h 1/2 on the diagonal),
    then W for the means; from row gathers of W, with no q x q temporaries beyond the result."""
    q, p = len(a), len(W)
    h = np.where(a == b, 0.5, 1.0)
    out = np.zeros((q + p, q + p))
    Wa, Wb = W[a], W[b]                                  # q x p
    for r0 in range(0, q, 256):
        r1 = min(q, r0 + 256)
        blk = Wa[r0:r1][:, a] * Wb[r0:r1][:, b]
        blk += Wa[r0:r1][:, b] * Wb[r0:r1][:, a]
        blk *= h[r0:r1, None]
        blk *= h[None, :]
        out[r0:r1, :q] = blk
    out[q:, q:] = W
    return out


def _v6_traces(Wm, Wmi, Wc, D, DB, fgs):
    """tr(Wc Wm^-1 U Wm^-1) of the model and of the baseline without any product of saturated
    size: Wm^-1 U Wm^-1 = Wm^-1 - D E^-1 D' (E = D' Wm D), so the trace is tr(Wc Wm^-1) -
    tr(E^-1 D' Wc D), the first term per group and shared by the model and the baseline, the
    second of the parameters' size. (Wm, Wmi, Wc per group and unweighted: the block-diagonal
    matrices weight Wm and Wc by N_g/N = ``fgs`` and Wm^-1 by N/N_g, which cancel in the first
    term and in each group's baseline term; the baseline's D is block diagonal over groups.)"""
    base = sum(float(np.vdot(wc, wmi)) for wc, wmi in zip(Wc, Wmi))   # tr(wc wmi), both symmetric
    E = sum(fg * (d.T @ wm @ d) for d, wm, fg in zip(D, Wm, fgs))
    F = sum(fg * (d.T @ wc @ d) for d, wc, fg in zip(D, Wc, fgs))
    k = base - float(np.trace(np.linalg.solve(E, F)))
    kb = base - sum(float(np.trace(np.linalg.solve(d.T @ wm @ d, d.T @ wc @ d))) for d, wm, wc in zip(DB, Wm, Wc))
    return k, kb


def _saturated_robust(fc, dfb):
    """A saturated model (df 0), as lavaan: the FIML-corrected robust CFI from T3 (about 0)
    against the baseline's, TLI 1, RMSEA 0; without FIML lavaan has no robust CFI/TLI."""
    if fc is None:
        return {"cfi_robust": None, "tli_robust": None, "rmsea_robust": 0.0}
    t1 = max(fc["chisq"], 0.0)
    t2 = max(fc["chisq"], fc["baseline_chisq"] - fc["baseline_c"] * dfb, 0.0)
    return {"cfi_robust": 1.0 if t2 == 0 else float(1 - t1 / t2), "tli_robust": 1.0, "rmsea_robust": 0.0}


def _x_index(model):
    return [model.ov.index(v) for v in getattr(model, "ov_x", ())]


def fiml_robust_ml(model, est, groups, data, fm) -> dict:
    """lavaan's robust CFI/TLI/RMSEA of an ML fit with missing = "ml" (FIML-corrected, V6)."""
    if fm["df"] < 0:
        return {}
    fc = _fiml_corrected(model, est, groups, data, fm, version="V6")
    if fm["df"] == 0:
        return _saturated_robust(fc, fm["baseline_df"])
    out = _robust_indices(fc, fm["df"], fm["baseline_df"], sum(gd.n for gd in groups), len(groups))
    return {k: float(v) for k, v in out.items()}


def mlr(model, est, groups, data, fm) -> Robust:
    """Huber-White vcov and the Yuan-Bentler (Mplus) scaled test of an ML fit (``data``: each
    group's rows as used in the fit)."""
    fiml = any(gd.patterns is not None for gd in groups)
    means = model.meanstructure
    ntotal = sum(gd.n for gd in groups)
    S0 = np.vstack([_model_scores(model, est.theta, gd, x, g) for g, (gd, x) in enumerate(zip(groups, data))])
    B0 = S0.T @ S0
    if fiml:
        from ..cfa.fiml_info import fiml_observed_information
        A0 = fiml_observed_information(model, est.theta, groups)
    else:
        A0 = observed_hessian(model, _Filler(model), est.theta, groups, ntotal)
    A0inv = np.linalg.inv(A0)
    vcov = A0inv @ B0 @ A0inv
    tr_h0 = float(np.trace(A0inv @ B0))
    xi = _x_index(model)
    tr_h1 = sum(_h1_trace(x, gd.S, gd.mean, means, gd if fiml else None, xi) for gd, x in zip(groups, data))
    tr_b = sum(_baseline_trace(x, means, xi) for x in data)
    df = fm["df"]
    c = (tr_h1 - tr_h0) / df if df > 0 else math.nan
    c_b = (tr_h1 - tr_b) / fm["baseline_df"]
    fc = _fiml_corrected(model, est, groups, data, fm) if fiml and df >= 0 else None
    if df == 0:   # saturated: lavaan reports T_s = 0, the baseline's scaled test and CFI/TLI 1
        Tb, dfb = fm["baseline_chisq"], fm["baseline_df"]
        out = {"chisq_scaled": 0.0, "df_scaled": 0, "pvalue_scaled": None, "chisq_scaling_factor": None,
               "baseline_chisq_scaled": Tb / c_b, "baseline_df_scaled": dfb, "baseline_chisq_scaling_factor": c_b,
               "cfi_scaled": 1.0, "tli_scaled": 1.0, "rmsea_scaled": None, **_saturated_robust(fc, dfb)}
        return Robust(vcov, {k: None if v is None else float(v) for k, v in out.items()})
    return Robust(vcov, _indices(fm, c, c_b, ntotal, fc, len(groups)) if df > 0 else {})
