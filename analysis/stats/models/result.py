"""The one result shape every model family returns (see CONTRACT.md, `model`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Coef", "ModelFit", "stars"]


@dataclass(frozen=True)
class Coef:
    term: str
    estimate: float
    se: float
    stat: float
    p: float
    ci_lower: float
    ci_upper: float
    std_estimate: float | None = None

    def to_dict(self) -> dict:
        return {"term": self.term, "estimate": self.estimate, "se": self.se, "stat": self.stat, "p": self.p,
                "ci_lower": self.ci_lower, "ci_upper": self.ci_upper, "std_estimate": self.std_estimate}


@dataclass
class ModelFit:
    """One fitted model.

    family : ols | logit | probit | ordinal | mixed | mediation
    n : observations used; n_groups : {grouping variable: count} (mixed / clustered) or None
    coefficients : fixed effects (for ordinal, thresholds appear as terms 'a|b')
    fit : family-specific fit statistics (r2, adj_r2, f, aic, bic, loglik, icc, ...)
    random_effects : variance components for mixed models ({"township": {"var": .., "sd": ..}, "residual": {...}})
    effects : mediation effects [{"effect": "indirect|direct|total", "via", "estimate", "se", "ci_lower", "ci_upper"}]
    extra : anything else (simple slopes, Johnson-Neyman, VIF, steps...)
    """

    name: str
    family: str
    n: int
    coefficients: list[Coef]
    fit: dict = field(default_factory=dict)
    n_groups: dict | None = None
    random_effects: dict = field(default_factory=dict)
    effects: list[dict] = field(default_factory=list)
    se_type: str | None = None
    warnings: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def coef(self, term: str) -> Coef:
        for c in self.coefficients:
            if c.term == term:
                return c
        raise KeyError(term)

    def to_dict(self) -> dict:
        d = {"name": self.name, "family": self.family, "n": self.n, "n_groups": self.n_groups,
             "coefficients": [c.to_dict() for c in self.coefficients], "fit": dict(self.fit),
             "random_effects": dict(self.random_effects), "se_type": self.se_type, "warnings": list(self.warnings)}
        if self.effects:
            d["effects"] = list(self.effects)
        d.update(self.extra)
        return d


def stars(p: float, levels=(0.05, 0.01, 0.001)) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "*" * sum(p < a for a in levels)
