"""The CFA result: a frozen record of full-precision numbers; tables are built on request."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = ["CFAResult", "Fitted", "record", "to_json_value"]


def to_json_value(value):
    """Warning records print as their message; tuples as lists."""
    if isinstance(value, tuple):
        return [to_json_value(v) for v in value]
    if hasattr(value, "code") and hasattr(value, "message"):
        return str(value)
    return value


@dataclass(frozen=True)
class Fitted:
    """One fitted model: the parameter table with estimates, fit measures, the moments used."""

    model: object
    est: object
    groups: list
    fit: dict
    params: list      # dicts: lhs, op, rhs, group, label, free, estimate, se, z, p, std, std_se


_GROUPED = {"json_if": "group"}


@dataclass(frozen=True)
class CFAResult:
    """Result of :func:`avoid_survey.analysis.stats.cfa.cfa`.

    ``to_dict()`` (what ``--format json`` prints) lists the fields in order; ``group``,
    ``groups`` and ``invariance`` only with ``--group``; ``warnings`` are
    :class:`~avoid_survey.analysis.core.records.WarningRecord` printed as their message.
    """

    n: int
    n_dropped: int
    estimator: str
    missing: str
    converged: bool
    iterations: int
    std_lv: bool
    model_syntax: str = field(metadata={"key": "model"})
    fit: dict = field(default_factory=dict)
    loadings: list = field(default_factory=list)
    factor_reliability: dict = field(default_factory=dict)
    factor_correlations: dict = field(default_factory=dict)
    htmt: dict = field(default_factory=dict)
    htmt2: dict = field(default_factory=dict)
    parameters: list = field(default_factory=list)
    residual_covariances: dict = field(default_factory=dict)
    warnings: tuple = ()
    group: str | None = field(default=None, metadata=_GROUPED)
    groups: list = field(default_factory=list, metadata=_GROUPED)
    invariance: list = field(default_factory=list, metadata=_GROUPED)
    partial_invariance: list | None = field(default=None, metadata={"json_if": "partial_invariance"})
    factor_labels: dict = field(default_factory=dict, metadata={"json": False})  # factor id -> {en, zh}
    # WLSMV (--estimator wlsmv --ordered ...): thresholds with SEs and the parameterization
    thresholds: list | None = field(default=None, metadata={"json_if": "thresholds"})
    parameterization: str | None = field(default=None, metadata={"json_if": "parameterization"})

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            if f.metadata.get("json", True) is False:
                continue
            cond = f.metadata.get("json_if")
            if cond and getattr(self, cond) is None:
                continue
            out[f.metadata.get("key", f.name)] = to_json_value(getattr(self, f.name))
        return out

    def to_tables(self, lang: str = "en"):
        from ...tables.cfa import build_tables

        return build_tables(self, lang)


def record(sink: list, code: str, message: str, category=None, location: str | None = None) -> None:
    """Keep a warning on a result's list as a WarningRecord; with a warning ``category``
    (ConvergenceWarning, HeywoodWarning ...) also emit it as a Python warning."""
    import warnings

    from ...core.records import WarningRecord

    name = category.__name__ if category is not None else "AvoidSurveyWarning"
    sink.append(WarningRecord(code, message, name, location))
    if category is not None:
        warnings.warn(message, category, stacklevel=3)
