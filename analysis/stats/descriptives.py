"""Descriptive statistics and correlations of scale scores, as journals print them:
N, mean, SD, then the lower triangle of Pearson correlations (pairwise complete) with
each scale's alpha on the diagonal."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["describe_scores", "DescriptivesResult"]


@dataclass(frozen=True)
class DescriptivesResult:
    variables: list
    labels: dict
    n: dict
    mean: dict
    sd: dict
    corr: dict          # {a: {b: r}}
    p: dict             # {a: {b: p}}
    diagonal: dict      # {a: alpha or None}
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"variables": [{"variable": v, "n": self.n[v], "mean": self.mean[v], "sd": self.sd[v],
                               "alpha": self.diagonal.get(v)} for v in self.variables],
                "correlations": self.corr, "p_values": self.p}

    def to_tables(self, lang: str = "en") -> list:
        """The journal table (:mod:`avoid_survey.analysis.tables.descriptives`)."""
        from ..tables.descriptives import descriptives_tables

        return descriptives_tables(self, lang)


def describe_scores(scores, variables, *, labels=None, alphas=None) -> DescriptivesResult:
    """Descriptives and pairwise-complete correlations of the given score columns.

    p values are the two-sided t test of r with n - 2 df on each pair's complete cases
    (as R's cor.test).
    """
    import numpy as np

    from ..numerics.dist import t_sf2

    x = scores[variables].astype(float)
    n = {v: int(x[v].notna().sum()) for v in variables}
    mean = {v: float(x[v].mean()) for v in variables}
    sd = {v: float(x[v].std(ddof=1)) for v in variables}
    corr, pv = {}, {}
    for a in variables:
        corr[a], pv[a] = {}, {}
        for b in variables:
            ok = x[a].notna() & x[b].notna()
            m = int(ok.sum())
            if m < 3 or a == b:
                r = 1.0 if a == b else float("nan")
                corr[a][b], pv[a][b] = r, (0.0 if a == b else float("nan"))
                continue
            r = float(np.corrcoef(x.loc[ok, a], x.loc[ok, b])[0, 1])
            t = r * np.sqrt((m - 2) / max(1e-300, 1 - r * r))
            corr[a][b] = r
            pv[a][b] = t_sf2(t, m - 2)
    return DescriptivesResult(list(variables), labels or {}, n, mean, sd, corr, pv, dict(alphas or {}))
