"""Rank tests: Mann-Whitney (Wilcoxon rank-sum) and Kruskal-Wallis, with the tie
correction and the normal approximation R uses.

Checked against R 4.2 (tests/reference/compare.R): wilcox.test(exact = FALSE,
correct = TRUE) and kruskal.test.
"""
from __future__ import annotations

import math

from ...numerics.dist import chi2_sf, t_sf2

__all__ = ["mann_whitney", "kruskal", "mean_ranks"]


def _ranks(groups):
    import numpy as np
    from scipy.stats import rankdata

    allx = np.concatenate(groups)
    ranks = rankdata(allx)
    _, counts = np.unique(allx, return_counts=True)
    ties = float(np.sum(counts ** 3 - counts))
    out, start = [], 0
    for g in groups:
        out.append(ranks[start:start + len(g)])
        start += len(g)
    return out, ties, len(allx)


def mean_ranks(groups) -> list[float]:
    rk, _, _ = _ranks(groups)
    return [float(r.mean()) for r in rk]


def mann_whitney(x1, x2) -> dict:
    """W = rank sum of group 1 - n1 (n1 + 1) / 2 (R's statistic); z = (W - n1 n2 / 2 -
    0.5 sign) / sigma with sigma^2 = n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1)));
    effect size r = |z| / sqrt(N)."""
    rk, ties, n = _ranks([x1, x2])
    n1, n2 = len(x1), len(x2)
    w = float(rk[0].sum()) - n1 * (n1 + 1) / 2
    centre = w - n1 * n2 / 2
    sigma = math.sqrt(max(0.0, n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))) if n > 1 else 0.0
    z = (centre - math.copysign(0.5, centre) if centre != 0 else 0.0) / sigma if sigma > 0 else float("nan")
    return {"statistic": w, "z": z, "p": t_sf2(z) if z == z else float("nan"),
            "r": abs(z) / math.sqrt(n) if z == z else float("nan")}


def kruskal(groups) -> dict:
    """H = (12 / (N (N + 1)) sum R_i^2 / n_i - 3 (N + 1)) / (1 - sum(t^3 - t) / (N^3 - N)),
    df = k - 1; effect size eta^2_H = (H - k + 1) / (N - k)."""
    rk, ties, n = _ranks(groups)
    k = len(groups)
    h = 12 / (n * (n + 1)) * sum(float(r.sum()) ** 2 / len(r) for r in rk) - 3 * (n + 1)
    denom = 1 - ties / (n ** 3 - n)
    h = h / denom if denom > 0 else float("nan")  # every value tied: no ranking to test
    return {"statistic": h, "df": float(k - 1), "p": chi2_sf(h, k - 1) if h == h else float("nan"),
            "eta_squared_h": (h - k + 1) / (n - k) if n > k else float("nan")}
