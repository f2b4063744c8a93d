"""Pairwise comparisons after a one-way ANOVA: Tukey HSD and Games-Howell.

Pairs are listed as R's TukeyHSD lists them: for groups i < j (in level order) the row
``group1 = j, group2 = i`` with ``diff = mean_j - mean_i``.

* Tukey HSD (TukeyHSD(aov(...))): se = sqrt(MSW / 2 (1/n_i + 1/n_j)), q = |diff| / se,
  p = P(Q_{k, N-k} > q), CI diff -+ q_{.95; k, N-k} se.
* Games-Howell: se = sqrt(s_i^2/n_i + s_j^2/n_j), t = diff / se, Welch df
  (s_i^2/n_i + s_j^2/n_j)^2 / ((s_i^2/n_i)^2/(n_i-1) + (s_j^2/n_j)^2/(n_j-1)),
  p = P(Q_{k, df} > sqrt(2) |t|), CI diff -+ q_{.95; k, df} / sqrt(2) se.

Q is the studentized range (R ptukey / qtukey; here scipy.stats.studentized_range). R's
qtukey stops at an absolute error of 1e-4, so TukeyHSD's interval ends differ from the
exact quantile's in the 5th decimal; tests/reference/compare.R also solves the quantile
with uniroot(ptukey) to 1e-12 and the intervals here equal that to 1e-6.
"""
from __future__ import annotations

import math

from .means import summary

__all__ = ["tukey_hsd", "games_howell"]


def _pairs(k):
    return [(i, j) for i in range(k) for j in range(i + 1, k)]


def _ptukey_sf(q, k, df):
    from scipy.stats import studentized_range

    return float(studentized_range.sf(q, k, df)) if math.isfinite(q) else float("nan")


def _qtukey(level, k, df):
    from scipy.stats import studentized_range

    return float(studentized_range.ppf(level, k, df))


def tukey_hsd(groups, levels, ms_within: float, df_within: float, level: float = 0.95) -> list[dict]:
    """Tukey HSD rows for every pair of groups."""
    ss = [summary(g) for g in groups]
    k = len(groups)
    qcrit = _qtukey(level, k, df_within)
    out = []
    for i, j in _pairs(k):
        diff = ss[j]["mean"] - ss[i]["mean"]
        se = math.sqrt(ms_within / 2 * (1 / ss[i]["n"] + 1 / ss[j]["n"]))
        q = abs(diff) / se if se > 0 else float("nan")
        out.append({"method": "tukey", "group1": levels[j], "group2": levels[i], "diff": diff, "se": se,
                    "statistic": q, "df": float(df_within), "p": _ptukey_sf(q, k, df_within),
                    "ci_lower": diff - qcrit * se, "ci_upper": diff + qcrit * se})
    return out


def games_howell(groups, levels, level: float = 0.95) -> list[dict]:
    """Games-Howell rows for every pair of groups (unequal variances and sizes)."""
    ss = [summary(g) for g in groups]
    k = len(groups)
    out = []
    for i, j in _pairs(k):
        a, b = ss[i], ss[j]
        vi, vj = a["var"] / a["n"], b["var"] / b["n"]
        diff = b["mean"] - a["mean"]
        se = math.sqrt(vi + vj)
        nan = float("nan")
        if not se > 0:
            out.append({"method": "games_howell", "group1": levels[j], "group2": levels[i], "diff": diff,
                        "se": se, "statistic": nan, "df": nan, "p": nan, "ci_lower": nan, "ci_upper": nan})
            continue
        df = (vi + vj) ** 2 / (vi ** 2 / (a["n"] - 1) + vj ** 2 / (b["n"] - 1))
        t = diff / se
        half = _qtukey(level, k, df) / math.sqrt(2) * se
        out.append({"method": "games_howell", "group1": levels[j], "group2": levels[i], "diff": diff, "se": se,
                    "statistic": t, "df": df, "p": _ptukey_sf(abs(t) * math.sqrt(2), k, df),
                    "ci_lower": diff - half, "ci_upper": diff + half})
    return out
