"""Tests of means: Student and Welch t, paired t, Levene, one-way and Welch ANOVA, and
their effect sizes. Each function takes plain float arrays (one per group, no NaN) and
returns a dict of full-precision numbers.

Checked against R 4.2 (tests/reference/compare.R): t.test(var.equal = TRUE / FALSE,
paired = TRUE), car::leveneTest (center = median), oneway.test, aov; the CI of Cohen's d
by inverting the noncentral t (pt(t, df, ncp)), as effectsize::cohens_d and MBESS.
"""
from __future__ import annotations

import math

from ...numerics.dist import f_sf, t_crit, t_sf2

__all__ = ["summary", "student_t", "welch_t", "paired_t", "levene", "anova", "welch_anova", "d_ci"]

NAN = float("nan")


def summary(x) -> dict:
    """n, mean, SD (n - 1) and variance of one group."""
    n = len(x)
    mean = float(x.mean()) if n else NAN
    var = float(x.var(ddof=1)) if n > 1 else NAN
    return {"n": n, "mean": mean, "sd": math.sqrt(var) if var == var else NAN, "var": var}


def d_ci(t: float, df: float, scale: float, level: float = 0.95) -> tuple[float, float]:
    """CI of a standardized mean difference d = t * scale by inverting the noncentral t:
    the ncp with P(T <= t | ncp) = (1 + level)/2 and (1 - level)/2, times ``scale``
    (sqrt(1/n1 + 1/n2) for two groups, sqrt(1/n) paired)."""
    from scipy.optimize import brentq
    from scipy.stats import nct

    if not (math.isfinite(t) and df > 0):
        return NAN, NAN

    def cdf(ncp):
        v = float(nct.cdf(t, df, ncp))
        if math.isnan(v):  # scipy gives NaN far in a tail: the tail it is in
            return 0.0 if ncp > t else 1.0
        return v

    width = math.sqrt(1 + t * t / (2 * df))  # the sd of the noncentral t, roughly

    def root(q):
        lo, hi = t - 4 * width, t + 4 * width
        while cdf(lo) < q:
            lo -= 4 * width
        while cdf(hi) > q:
            hi += 4 * width
        return brentq(lambda ncp: cdf(ncp) - q, lo, hi, xtol=1e-13, rtol=1e-14, maxiter=500)

    a = (1 - level) / 2
    return root(1 - a) * scale, root(a) * scale


def _mean_diff_ci(diff, se, df, level):
    if not (df > 0 and math.isfinite(se)):
        return NAN, NAN
    q = t_crit(level, df)
    return diff - q * se, diff + q * se


def student_t(x1, x2, level: float = 0.95) -> dict:
    """t.test(x1, x2, var.equal = TRUE) and Cohen's d with the pooled SD."""
    a, b = summary(x1), summary(x2)
    n1, n2 = a["n"], b["n"]
    df = n1 + n2 - 2
    sp2 = ((n1 - 1) * a["var"] + (n2 - 1) * b["var"]) / df if df > 0 else NAN
    diff = a["mean"] - b["mean"]
    se = math.sqrt(sp2 * (1 / n1 + 1 / n2))
    t = diff / se if se > 0 else NAN
    lo, hi = _mean_diff_ci(diff, se, df, level)
    d = diff / math.sqrt(sp2) if sp2 > 0 else NAN
    d_lo, d_hi = d_ci(t, df, math.sqrt(1 / n1 + 1 / n2), level)
    return {"statistic": t, "df": float(df), "p": t_sf2(t, df), "mean_difference": diff, "se": se,
            "ci_lower": lo, "ci_upper": hi, "d": d, "d_ci": (d_lo, d_hi)}


def welch_t(x1, x2, level: float = 0.95) -> dict:
    """t.test(x1, x2) (Welch): Satterthwaite df."""
    a, b = summary(x1), summary(x2)
    v1, v2 = a["var"] / a["n"], b["var"] / b["n"]
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 ** 2 / (a["n"] - 1) + v2 ** 2 / (b["n"] - 1)) if se > 0 else NAN
    diff = a["mean"] - b["mean"]
    t = diff / se if se > 0 else NAN
    lo, hi = _mean_diff_ci(diff, se, df, level) if se > 0 else (NAN, NAN)
    return {"statistic": t, "df": df, "p": t_sf2(t, df) if se > 0 else NAN, "mean_difference": diff, "se": se,
            "ci_lower": lo, "ci_upper": hi}


def paired_t(x1, x2, level: float = 0.95) -> dict:
    """t.test(x1, x2, paired = TRUE) on complete pairs; Cohen's d_z = mean(d) / sd(d)."""
    d = x1 - x2
    s = summary(d)
    n = s["n"]
    se = s["sd"] / math.sqrt(n)
    t = s["mean"] / se if se > 0 else NAN
    lo, hi = _mean_diff_ci(s["mean"], se, n - 1, level)
    dz = s["mean"] / s["sd"] if s["sd"] > 0 else NAN
    dz_lo, dz_hi = d_ci(t, n - 1, 1 / math.sqrt(n), level)
    return {"statistic": t, "df": float(n - 1), "p": t_sf2(t, n - 1), "mean_difference": s["mean"], "se": se,
            "ci_lower": lo, "ci_upper": hi, "d": dz, "d_ci": (dz_lo, dz_hi)}


def _oneway_sums(groups):
    import numpy as np

    allx = np.concatenate(groups)
    grand = float(allx.mean())
    ssb = sum(len(g) * (float(g.mean()) - grand) ** 2 for g in groups)
    ssw = sum(float(((g - g.mean()) ** 2).sum()) for g in groups)
    return ssb, ssw, len(allx), len(groups)


def anova(groups) -> dict:
    """One-way ANOVA (aov / oneway.test(var.equal = TRUE)) with eta^2 = SSB / SST and
    omega^2 = (SSB - (k - 1) MSW) / (SST + MSW)."""
    ssb, ssw, n, k = _oneway_sums(groups)
    df1, df2 = k - 1, n - k
    msw = ssw / df2 if df2 > 0 else NAN
    f = (ssb / df1) / msw if msw and msw > 0 else NAN
    sst = ssb + ssw
    return {"statistic": f, "df": float(df1), "df2": float(df2), "p": f_sf(f, df1, df2) if f == f else NAN,
            "ss_between": ssb, "ss_within": ssw, "ms_within": msw,
            "eta_squared": ssb / sst if sst > 0 else NAN,
            "omega_squared": (ssb - df1 * msw) / (sst + msw) if sst > 0 else NAN}


def welch_anova(groups) -> dict:
    """oneway.test(var.equal = FALSE): Welch's F with weights w_i = n_i / s_i^2."""
    ss = [summary(g) for g in groups]
    k = len(groups)
    if any(s["n"] < 2 or not s["var"] > 0 for s in ss):
        return {"statistic": NAN, "df": float(k - 1), "df2": NAN, "p": NAN}
    w = [s["n"] / s["var"] for s in ss]
    sw = sum(w)
    m = sum(wi * s["mean"] for wi, s in zip(w, ss)) / sw
    a = sum(wi * (s["mean"] - m) ** 2 for wi, s in zip(w, ss)) / (k - 1)
    tmp = sum((1 - wi / sw) ** 2 / (s["n"] - 1) for wi, s in zip(w, ss)) / (k * k - 1)
    f = a / (1 + 2 * (k - 2) * tmp)
    df2 = 1 / (3 * tmp)
    return {"statistic": f, "df": float(k - 1), "df2": df2, "p": f_sf(f, k - 1, df2)}


def levene(groups) -> dict:
    """car::leveneTest(center = median): the one-way ANOVA of |x - median of its group|."""
    import numpy as np

    z = [np.abs(g - np.median(g)) for g in groups]
    a = anova(z)
    return {"statistic": a["statistic"], "df": a["df"], "df2": a["df2"], "p": a["p"]}
