"""Distribution tails from scipy.special (much lighter to import than scipy.stats)."""
from __future__ import annotations

import math

__all__ = ["t_sf2", "t_crit", "f_sf", "chi2_sf", "norm_cdf", "norm_pdf"]


def t_crit(ci: float, df=None) -> float:
    """Two-sided critical value: t(df) quantile at 0.5 + ci/2 (normal when df is None)."""
    from scipy import special
    q = 0.5 + ci / 2
    return float(special.ndtri(q) if df is None else special.stdtrit(df, q))


def t_sf2(stat: float, df=None) -> float:
    """Two-sided p value of a t (df) or z (df None) statistic."""
    from scipy import special
    a = -abs(stat)
    return float(2 * (special.ndtr(a) if df is None else special.stdtr(df, a)))


def f_sf(f: float, df1, df2) -> float:
    from scipy import special
    if not math.isfinite(f):
        return float("nan")
    return float(special.fdtrc(df1, df2, f))


def chi2_sf(x: float, df) -> float:
    from scipy import special
    return float(special.chdtrc(df, x))


def norm_cdf(x):
    from scipy import special
    return special.ndtr(x)


def norm_pdf(x):
    import numpy as np
    return np.exp(-0.5 * np.asarray(x) ** 2) / math.sqrt(2 * math.pi)
