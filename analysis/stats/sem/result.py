"""The SEM result: a frozen record of full-precision numbers; tables are built on request."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..cfa.result import to_json_value

__all__ = ["SEMResult"]


@dataclass(frozen=True)
class SEMResult:
    """Result of :func:`avoid_survey.analysis.stats.sem.sem`.

    ``parameters`` is lavaan's parameter table (``parameterEstimates`` with ``std.all``):
    one dict per row with lhs, op (as lavaan spells it: =~, ~, ~~, ~1, :=), rhs, group (the
    group value as text, None without groups), label, estimate, se, z, p, ci_lower, ci_upper,
    std_all, std_all_se; ``r2`` maps each endogenous variable to its R² (per group with
    groups); ``bootstrap`` holds the resampling summary when asked for.
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
    parameters: list = field(default_factory=list)
    r2: dict = field(default_factory=dict)
    group: str | None = None
    groups: list = field(default_factory=list)
    modification_indices: list | None = None
    comparison: list | None = None
    bootstrap: dict | None = field(default=None, metadata={"json_if": "bootstrap"})
    warnings: tuple = ()
    boot_indices: object = field(default=None, repr=False, compare=False, metadata={"json": False})
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
        from ...tables.sem import build_tables

        return build_tables(self, lang)

    def to_table(self, lang: str = "en"):
        return self.to_tables(lang)[0]
