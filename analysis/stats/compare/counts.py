"""Chi-square test of independence of two categorical variables, with Cramér's V, the
expected-count check, Yates' correction and Fisher's exact test for 2 x 2 tables.

Checked against R 4.2 (tests/reference/compare.R): chisq.test(correct = FALSE) for the
Pearson statistic, chisq.test() (Yates) and fisher.test() for 2 x 2 tables.
"""
from __future__ import annotations

import math

from ...numerics.dist import chi2_sf

__all__ = ["crosstab", "chisq"]


def crosstab(groups, values, group_levels, value_levels):
    """Counts (rows = groups, columns = values) as a numpy array."""
    import numpy as np

    gi = {g: i for i, g in enumerate(group_levels)}
    vi = {v: j for j, v in enumerate(value_levels)}
    table = np.zeros((len(group_levels), len(value_levels)))
    for g, v in zip(groups, values):
        table[gi[g], vi[v]] += 1
    return table


def chisq(table) -> dict:
    """Pearson X^2 = sum (O - E)^2 / E with E = row total x column total / N, df
    (r - 1)(c - 1); Cramér's V = sqrt(X^2 / (N (min(r, c) - 1))); the number and share of
    cells with E < 5. For 2 x 2: Yates' X^2 = sum (max(0, |O - E| - 0.5))^2 / E (as R's
    chisq.test: the correction never exceeds |O - E|) and Fisher's exact two-sided p."""
    import numpy as np

    n = float(table.sum())
    e = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    r, c = table.shape
    df = (r - 1) * (c - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.sum((table - e) ** 2 / e))
    small = int((e < 5).sum())
    out = {"statistic": x2, "df": float(df), "p": chi2_sf(x2, df), "n": int(n),
           "cramers_v": math.sqrt(x2 / (n * (min(r, c) - 1))) if min(r, c) > 1 else float("nan"),
           "expected": e, "expected_below_5": small, "expected_below_5_share": small / e.size,
           "min_expected": float(e.min())}
    if (r, c) == (2, 2):
        corr = np.minimum(0.5, np.abs(table - e))
        yates = float(np.sum((np.abs(table - e) - corr) ** 2 / e))
        out["yates"] = {"statistic": yates, "df": 1.0, "p": chi2_sf(yates, 1)}
        out["fisher"] = {"p": _fisher_2x2(table)}
    return out


def _fisher_2x2(table) -> float:
    """Two-sided p of Fisher's exact test: the sum of the hypergeometric probabilities of
    the tables (same margins) no more likely than the observed one, with R's relative
    tolerance 1e-7 (fisher.test)."""
    from scipy.stats import hypergeom

    a = int(table[0, 0])
    row1, col1, n = int(table[0].sum()), int(table[:, 0].sum()), int(table.sum())
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    dist = hypergeom(n, col1, row1)
    probs = [dist.pmf(x) for x in range(lo, hi + 1)]
    obs = dist.pmf(a)
    p = sum(q for q in probs if q <= obs * (1 + 1e-7))
    return float(min(1.0, p))
