"""Power of a survey experiment: minimum detectable effects and simulated power.

MDE (Bloom 1995) of a level against its baseline, in outcome units::

    MDE = (z_{1 - alpha/2} + z_{power}) * sd * sqrt(1/n_level + 1/n_baseline) * sqrt(deff)

with n_level, n_baseline the expected rows showing each level (rows = respondents x
vignettes, or x tasks x profiles, spread over the design's cells) and the design effect
``deff = 1 + (m - 1) icc`` for m rows per respondent (conservative: levels randomised within
respondent cancel part of the respondent variance). ``sd = 1`` gives standardized MDEs.

Simulated power draws data from the design with the declared effects
(:func:`.simulate.simulate_experiment`), estimates the main effects / AMCEs as
:func:`~avoid_survey.analysis.stats.experiment.analyze` does, and counts p < alpha.
"""
from __future__ import annotations

import math

from avoid_survey.analysis.numerics.dist import norm_ppf

__all__ = ["mde", "simulated_power", "power_analysis", "parse_effects"]


def _shares(exp) -> dict:
    cells = exp.cells()
    out = {}
    for f in exp.factors:
        for lv in f.levels:
            out[(f.id, lv.id)] = sum(1 for c in cells if c[f.id] == lv.id) / len(cells)
    return out


def mde(exp, n_respondents: int, *, sd: float = 1.0, alpha: float = 0.05, power: float = 0.8,
        icc: float = 0.0) -> list[dict]:
    """Minimum detectable effect of every non-baseline level (see the module notes)."""
    m = exp.per_respondent * exp.profiles
    rows = n_respondents * m
    deff = 1 + (m - 1) * icc
    mult = norm_ppf(1 - alpha / 2) + norm_ppf(power)
    shares = _shares(exp)
    out = []
    for f in exp.factors:
        nb = rows * shares[(f.id, f.baseline)]
        for lv in f.levels:
            if lv.id == f.baseline:
                continue
            nl = rows * shares[(f.id, lv.id)]
            val = mult * sd * math.sqrt((1 / nl + 1 / nb) * deff) if nl > 0 and nb > 0 else float("nan")
            out.append({"factor": f.id, "level": lv.id, "baseline": f.baseline, "n_level": nl, "n_baseline": nb,
                        "mde": val, "sd": sd, "alpha": alpha, "power": power, "icc": icc})
    return out


def simulated_power(exp, n_respondents: int, effects: dict, *, sd: float = 1.0, respondent_sd: float = 0.0,
                    reps: int = 200, alpha: float = 0.05, seed: int = 1, choice: bool | None = None) -> list[dict]:
    """Share of ``reps`` simulated studies in which each level's effect has p < alpha."""
    from . import conjoint as C
    from . import effects as E
    from .data import prepare
    from .simulate import simulate_experiment

    hits: dict = {}
    outcome = "y"
    for r in range(reps):
        frame = simulate_experiment(exp, n_respondents, effects=effects, sd=sd, respondent_sd=respondent_sd,
                                    seed=seed + r, choice=choice, outcome=outcome, decimals=None)
        d = prepare(frame, exp, outcome=outcome)
        rows = C.amce(d)[0] if exp.type == "conjoint" else E.main_effects(d)[1]
        for e in rows:
            key = (e["factor"], e["level"], e["baseline"])
            hits[key] = hits.get(key, 0) + (e["p"] < alpha)
    return [{"factor": f, "level": lv, "baseline": b, "effect": (effects.get(f) or {}).get(lv, 0.0),
             "power": n / reps, "reps": reps, "alpha": alpha} for (f, lv, b), n in hits.items()]


def power_analysis(exp, n_respondents: int, *, effects=None, reps: int = 0, sd: float = 1.0,
                   respondent_sd: float = 0.0, icc: float = 0.0, alpha: float = 0.05, power: float = 0.8,
                   seed: int = 1) -> list[dict]:
    """MDE rows, each with ``power_sim`` (simulated power under ``effects``) when ``reps``."""
    rows = mde(exp, n_respondents, sd=sd, alpha=alpha, power=power, icc=icc)
    if reps and effects:
        sim = {(r["factor"], r["level"]): r for r in simulated_power(
            exp, n_respondents, effects, sd=sd, respondent_sd=respondent_sd, reps=reps, alpha=alpha, seed=seed)}
        for r in rows:
            s = sim.get((r["factor"], r["level"]))
            r.update({"effect": s["effect"] if s else 0.0, "power_sim": s["power"] if s else None, "reps": reps})
    return rows


INTERACTIONS = ":interactions"      # keys of the effects mapping that are not factor ids
HETEROGENEITY = ":heterogeneity"
MODERATORS = ("age", "female", "tenure")   # the simulator's respondent variables


def parse_effects(items, exp) -> dict:
    """``--effect`` texts -> the effects mapping of :func:`.simulate.simulate_experiment`:

    - ``factor.level=0.3``: a main effect (against the baseline) -> {factor: {level: 0.3}};
    - ``a.x:b.y=0.2``: an interaction (added when a = x and b = y) -> under ``":interactions"``;
    - ``factor.level*female=0.3``: heterogeneity, the level's effect grows by 0.3 per unit of
      a respondent variable (age, female, tenure) -> under ``":heterogeneity"``.

    Unknown names are errors."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    out: dict = {}
    for item in items or ():
        name, eq, value = str(item).partition("=")
        try:
            val = float(value)
        except ValueError:
            val = None
        if not eq or val is None:
            raise AvoidSurveyError(f"--effect '{item}': write FACTOR.LEVEL=NUMBER (e.g. ft_list.published=0.3), "
                                   f"A.X:B.Y=NUMBER for an interaction, or FACTOR.LEVEL*female=NUMBER")
        name, star, moderator = name.strip().partition("*")
        terms = [_level_of(t, exp, item) for t in name.split(":")]
        if star:
            moderator = moderator.strip()
            if moderator not in MODERATORS or len(terms) != 1:
                raise AvoidSurveyError(f"--effect '{item}': heterogeneity is FACTOR.LEVEL*VARIABLE with VARIABLE one "
                                       f"of {', '.join(MODERATORS)}")
            out.setdefault(HETEROGENEITY, []).append({"moderator": moderator, "factor": terms[0][0],
                                                      "level": terms[0][1], "effect": val})
        elif len(terms) > 1:
            if len({f for f, _ in terms}) < len(terms):
                raise AvoidSurveyError(f"--effect '{item}': an interaction joins levels of different factors")
            out.setdefault(INTERACTIONS, []).append({"levels": dict(terms), "effect": val})
        else:
            out.setdefault(terms[0][0], {})[terms[0][1]] = val
    return out


def _level_of(text, exp, item):
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    factor, dot, level = text.strip().partition(".")
    if not dot:
        raise AvoidSurveyError(f"--effect '{item}': write FACTOR.LEVEL=NUMBER, e.g. ft_list.published=0.3")
    if factor not in exp.factor_ids or level not in exp.factor(factor).level_ids:
        raise AvoidSurveyError(f"--effect '{item}': no level '{level}' of a factor '{factor}' in the design "
                               f"(factors: {', '.join(exp.factor_ids)})")
    return factor, level
