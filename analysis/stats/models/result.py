"""The result shapes of ``avoid-survey model`` (see CONTRACT.md, `model`).

:class:`ModelFit` is what every model family returns, :class:`ModelsResult` every fitted
model of a spec. Both are frozen; their ``to_dict`` is read off the fields (what
``--format json`` prints). Warnings are :class:`~avoid_survey.analysis.core.records.WarningRecord`
objects; JSON prints their message text.
"""
from __future__ import annotations

import math
import warnings as _pywarn
from dataclasses import dataclass, field, fields, replace

from ...core.records import WarningRecord

__all__ = ["Coef", "ModelFit", "ModelsResult", "stars", "model_warning"]


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
    # family-specific keys appended to the coefficient's JSON (OLS: "beta", "vif")
    more: dict | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "more"}
        if self.more:
            d.update(self.more)
        return d


def model_warning(code: str, message: str, *, category=None, location: str | None = None) -> WarningRecord:
    """A warning record for a result; ``category`` (a warning class) is also emitted as a
    Python warning, so callers can filter it."""
    if category is not None:
        _pywarn.warn(message, category, stacklevel=3)
    return WarningRecord(code, message, category.__name__ if category is not None else "AvoidSurveyWarning",
                         location)


def _as_record(w, code: str = "model-note") -> WarningRecord:
    return w if isinstance(w, WarningRecord) else WarningRecord(code, str(w))


@dataclass(frozen=True, kw_only=True)
class ModelFit:
    """One fitted model.

    family : ols | logit | probit | ordinal | mixed | mediation
    n : observations used; n_groups : {grouping variable: count} (mixed / clustered) or None
    coefficients : fixed effects (for ordinal, thresholds appear as terms 'a|b')
    fit : family-specific fit statistics (r2, adj_r2, f, aic, bic, loglik, icc, ...)
    random_effects : variance components for mixed models ({"township": {"var": .., "sd": ..}, "residual": {...}})
    effects : mediation effects [{"effect": "indirect|direct|total", "via", "estimate", "se", "ci_lower", "ci_upper"}]
    extra : anything else (simple slopes, Johnson-Neyman, VIF, steps...), merged into to_dict()
    internal : estimates and covariance a moderation block needs ({"beta", "vcov", "df", "names"});
        not part of the output
    """

    # field order = the key order of to_dict()
    name: str
    family: str
    n: int
    n_groups: dict | None = None
    coefficients: list
    fit: dict = field(default_factory=dict)
    random_effects: dict = field(default_factory=dict)
    se_type: str | None = None
    warnings: tuple = ()
    effects: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    internal: dict | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "warnings", tuple(_as_record(w) for w in self.warnings))

    def coef(self, term: str) -> Coef:
        for c in self.coefficients:
            if c.term == term:
                return c
        raise KeyError(term)

    def with_extra(self, **items) -> "ModelFit":
        """A copy with ``items`` added to ``extra``."""
        return replace(self, extra={**self.extra, **items})

    def with_warnings(self, more) -> "ModelFit":
        return replace(self, warnings=self.warnings + tuple(more))

    def to_dict(self) -> dict:
        d = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("extra", "internal") or (f.name == "effects" and not v):
                continue
            if f.name == "coefficients":
                v = [c.to_dict() for c in v]
            elif f.name == "warnings":
                v = [str(w) for w in v]
            elif isinstance(v, (dict, list)):
                v = type(v)(v)
            d[f.name] = v
        d.update(self.extra)
        return d


@dataclass(frozen=True)
class ModelsResult:
    """Every fitted model of a spec, in spec order (steps and robustness runs expanded).

    to_dict() = {"spec": {...}, "models": [ModelFit.to_dict(), ...], "warnings": [...]}
    to_tables(lang) = [the comparison table (a column per model), simple slopes if any]
    ``stars`` (significance levels) and ``show`` ('se' or 'ci' below each estimate) are how
    the tables are drawn: ``result.styled(stars=..., show=...)``.
    """

    spec: dict
    models: list
    warnings: tuple = ()
    labels: dict = field(default_factory=dict)        # variable -> its label in each language
    value_labels: dict = field(default_factory=dict)  # variable -> {code: label in each language}
    stars: tuple = (0.05, 0.01, 0.001)
    show: str = "se"
    beta: bool = True    # β and VIF columns beside OLS models in the tables
    vif: bool = True

    def __post_init__(self):
        object.__setattr__(self, "warnings", tuple(_as_record(w) for w in self.warnings))

    def to_dict(self) -> dict:
        return {"spec": dict(self.spec), "models": [m.to_dict() for m in self.models],
                "warnings": [str(w) for w in self.warnings]}

    def styled(self, *, stars=None, show=None, beta=None, vif=None) -> "ModelsResult":
        """A copy drawn with other star levels, 'se' | 'ci' below the estimates, and/or without
        the β (``beta=False``) or VIF (``vif=False``) columns of OLS models."""
        return replace(self, stars=tuple(stars) if stars else self.stars, show=show or self.show,
                       beta=self.beta if beta is None else bool(beta), vif=self.vif if vif is None else bool(vif))

    def to_tables(self, lang: str = "en", stars=None, show=None):
        from ...tables.models import build_tables
        return build_tables(self, lang, tuple(stars) if stars else self.stars, show or self.show,
                            beta=self.beta, vif=self.vif)

    def model(self, name: str):
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


def stars(p: float, levels=(0.05, 0.01, 0.001)) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "*" * sum(p < a for a in levels)
