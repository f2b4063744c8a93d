"""Fit measures of an ML CFA, defined as lavaan 0.6's ``fitMeasures``.

With ``N = sum_g N_g`` and G groups (``likelihood = "normal"``, N-based)::

    chisq     = sum_g N_g F_g                               df = G p* - npar
    baseline  = independence model per group (free variances, and means with a mean structure)
    CFI       = 1 - max(chisq - df, 0) / max(chisq - df, chisq_b - df_b, 0)
    TLI       = (chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)
    RMSEA     = sqrt(max(chisq/(N df) - 1/N, 0)) * sqrt(G)
    RMSEA CI  = lambda with P(chi2(df, ncp=lambda) <= chisq) = .95 / .05, sqrt(lambda/(N df)) sqrt(G)
    SRMR      = sum_g N_g/N sqrt(mean of ((s_ij - sigma_ij)/sqrt(s_ii s_jj))^2 over i<=j
                                [and of ((m_i - mu_i)/sqrt(s_ii))^2 with a mean structure])
    logl_g    = -N_g/2 (p log 2 pi + log|Sigma_g| + tr(S_g Sigma_g^-1) + d' Sigma_g^-1 d)
    AIC       = -2 logl + 2 npar,   BIC = -2 logl + npar log N

This SRMR is lavaan's default ``srmr`` (= ``srmr_bentler``).
"""
from __future__ import annotations

import math

import numpy as np

from ...numerics.dist import chi2_cdf, chi2_sf, find_root, ncx2_cdf

__all__ = ["fit_measures", "rmsea_ci"]


def rmsea_ci(chisq: float, df: float, n: int, g: int = 1, level: float = 0.90):
    """Confidence interval of RMSEA by inverting the noncentral chi-square (lavaan's rule)."""
    if not (np.isfinite(chisq) and np.isfinite(df)) or df < 1:
        return (0.0, 0.0) if df < 1 else (math.nan, math.nan)
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def cdf(lam):
        return ncx2_cdf(chisq, df, lam) if lam > 0 else chi2_cdf(chisq, df)

    if cdf(0) - upper_p < 0:
        lo = 0.0
    else:
        lam = find_root(lambda x: cdf(x) - upper_p, 0, chisq, xtol=1e-10)
        lo = math.sqrt(lam / (n * df)) * math.sqrt(g)
    n_rmsea = max(n, chisq * 4)
    if cdf(n_rmsea) - lower_p > 0 or cdf(0) - lower_p < 0:
        hi = 0.0
    else:
        lam = find_root(lambda x: cdf(x) - lower_p, 0, n_rmsea, xtol=1e-10)
        hi = math.sqrt(lam / (n * df)) * math.sqrt(g)
    return lo, hi


def _srmr_group(S, mean, sigma, mu):
    d = np.sqrt(np.diag(S))
    R = (S - sigma) / np.outer(d, d)
    iu = np.triu_indices(len(S))
    vals = list(R[iu])
    if mu is not None:
        vals += list((mean - mu) / d)
    vals = np.asarray(vals)
    return float(np.sqrt(np.mean(vals ** 2)))


def _fiml_baseline_logl(gd, p):
    """Independence model with missing values: each variable's own observed mean and variance."""
    from .fiml import batches

    bs = batches(gd.patterns, p)
    nj, sm = np.zeros(p), np.zeros(p)
    for b in bs:
        nn = np.broadcast_to(b.n[:, None], b.obs.shape)
        nj += np.bincount(b.obs.ravel(), weights=nn.ravel(), minlength=p)
        sm += np.bincount(b.obs.ravel(), weights=(nn * b.mean).ravel(), minlength=p)
    mj = sm / nj
    ss = np.zeros(p)
    for b in bs:
        nn = np.broadcast_to(b.n[:, None], b.obs.shape)
        dev = np.diagonal(b.S, axis1=1, axis2=2) + (b.mean - mj[b.obs]) ** 2
        ss += np.bincount(b.obs.ravel(), weights=(nn * dev).ravel(), minlength=p)
    vj = ss / nj
    return float(np.sum(-nj / 2 * (math.log(2 * math.pi) + np.log(vj) + 1)))


def baseline_chisq(groups, p) -> float:
    """Chi-square of the independence model per group (means saturated)."""
    chisq_b = 0.0
    for gd in groups:
        if gd.patterns is not None:
            chisq_b += 2 * (gd.logl_h1 - _fiml_baseline_logl(gd, p))
            continue
        _, logdet = np.linalg.slogdet(gd.S)
        chisq_b += gd.n * (np.sum(np.log(np.diag(gd.S))) - logdet)
    return chisq_b


def _logl_srmr(model, est, groups, ntotal):
    """(logl, logl_h1, srmr) summed over the groups."""
    from .fiml import pattern_logl

    p = model.p
    srmr = logl = logl_h1 = 0.0
    for g, gd in enumerate(groups):
        sigma, mu = est.sigma[g], est.mu[g]
        srmr += gd.n / ntotal * _srmr_group(gd.S, gd.mean, sigma, mu if model.meanstructure else None)
        if gd.patterns is not None:
            logl += pattern_logl(gd.patterns, gd.n, sigma, mu)
            logl_h1 += gd.logl_h1
            continue
        _, ld = np.linalg.slogdet(sigma)
        W = np.linalg.inv(sigma)
        q = np.sum(gd.S * W)
        if model.meanstructure:
            dd = gd.mean - mu
            q += dd @ W @ dd
        logl += -gd.n / 2 * (p * math.log(2 * math.pi) + ld + q)
        _, lds = np.linalg.slogdet(gd.S)
        logl_h1 += -gd.n / 2 * (p * math.log(2 * math.pi) + lds + p)
    return logl, logl_h1, srmr


def incremental(chisq, df, chisq_b, df_b):
    """CFI and TLI (lavaan's definitions, including the bounded corner cases)."""
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1.0 if (t1 == 0 and t2 == 0) else 1.0 - t1 / t2
    if df > 0 and df_b > 0:
        a = chisq_b / df_b - chisq / df
        b = chisq_b / df_b - 1.0
        tli = 1.0 if (a < 0 and b < 0) else a / b
    else:
        tli = 1.0 if df == 0 else math.nan
    return cfi, tli


def rmsea_point(chisq, df, ntotal, G):
    if df > 0:
        return math.sqrt(max(chisq / ntotal / df - 1.0 / ntotal, 0.0)) * math.sqrt(G)
    return 0.0 if df == 0 else math.nan


def fit_measures(model, est, groups) -> dict:
    """The fit measures of a fitted model (keys as CONTRACT.md, plus a few lavaan extras)."""
    p = model.p
    G = len(groups)
    ntotal = sum(gd.n for gd in groups)
    pstar = p * (p + 1) // 2 + (p if model.meanstructure else 0)
    npar = model.npar
    df = G * pstar - npar
    chisq = float(sum(est.chisq_groups))
    pvalue = chi2_sf(chisq, df) if df > 0 else (math.nan if df < 0 else 1.0)
    chisq_b = baseline_chisq(groups, p)
    df_b = G * p * (p - 1) // 2
    cfi, tli = incremental(chisq, df, chisq_b, df_b)
    rmsea = rmsea_point(chisq, df, ntotal, G)
    lo, hi = rmsea_ci(chisq, df, ntotal, G)
    logl, logl_h1, srmr = _logl_srmr(model, est, groups, ntotal)
    aic = -2 * logl + 2 * npar
    bic = -2 * logl + npar * math.log(ntotal)
    out = {"chisq": chisq, "df": df, "pvalue": pvalue, "cfi": cfi, "tli": tli, "rmsea": rmsea,
           "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "srmr": srmr, "aic": aic, "bic": bic, "npar": npar,
           "logl": logl, "unrestricted_logl": logl_h1, "baseline_chisq": chisq_b, "baseline_df": df_b,
           "ntotal": ntotal}
    ints = ("df", "npar", "baseline_df", "ntotal")
    return {k: int(v) if k in ints else float(v) for k, v in out.items()}
