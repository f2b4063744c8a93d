"""The result of an experiment analysis: design, balance, attrition, effects, tests."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = ["ExperimentResult", "EFFECT_KEYS"]

# keys every effect row carries (the JSON contract), in this order
EFFECT_KEYS = ("estimand", "factor", "level", "baseline", "estimate", "se", "ci_lower", "ci_upper", "p")


@dataclass(frozen=True)
class ExperimentResult:
    """What ``experiment DATA --instrument ID`` reports.

    design : the declared design and the data it met (rows, respondents, outcome, SE type)
    balance : [{variable, factor, arm, n, mean, std_diff}]
    attrition : [{factor, arm, n_assigned, n_observed, missing_share}]
    effects : [{estimand: ate|amce|mm|interaction, model, factor, level, baseline, term,
        estimate, se, ci_lower, ci_upper, p, n, se_type}]
    tests : [{test, factor, statistic, df1, df2, p, se_type}]
    power : [{factor, level, baseline, n_level, n_baseline, mde}] when asked for
    """

    design: dict
    balance: tuple = ()
    attrition: tuple = ()
    effects: tuple = ()
    tests: tuple = ()
    power: tuple = ()
    warnings: tuple = field(default=())
    labels: dict = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            if f.name == "labels":
                continue
            v = getattr(self, f.name)
            out[f.name] = [dict(r) for r in v] if isinstance(v, tuple) and f.name != "warnings" else v
        out["warnings"] = [str(w) for w in self.warnings]
        return out

    def to_tables(self, lang: str = "en") -> list:
        from avoid_survey.analysis.tables.experiment import build_tables

        return build_tables(self, lang)

    def _repr_html_(self) -> str:
        from avoid_survey.analysis.render import render_text

        return render_text(self.to_tables("en"), "html", "en", 3)
