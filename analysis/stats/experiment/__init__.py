"""Survey experiments: vignette and conjoint designs, from the instrument to the effects.

``analyze(data, instrument)`` reads long-format data (see :mod:`.data`) against the
instrument's ``experiment:`` block and returns an :class:`ExperimentResult`:

- vignette: effects of each level against its baseline (difference in means / additive
  factorial model, HC2 or respondent-clustered CR1), Lin's covariate-adjusted estimator,
  two-way interactions, heterogeneity by a moderator; balance and attrition by arm;
- conjoint: AMCEs and marginal means with respondent-clustered CR1 SEs, subgroup
  differences by the nested F of cregg's ``cj_anova``, carry-over and profile-order checks.

Every number is pinned to R (``tests/reference/experiment.R``): ``lm`` +
``sandwich::vcovHC(type = "HC2")`` / ``vcovCL(type = "HC1")``, ``anova``,
``car::linearHypothesis``. Power: :mod:`.power`.
"""
from __future__ import annotations

from .result import ExperimentResult

__all__ = ["analyze", "power_only", "ExperimentResult", "experiment_of"]


def experiment_of(instrument):
    """The instrument's Experiment, or a clear error when it declares none."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.instruments import load_instrument

    inst = load_instrument(instrument)
    if inst.experiment is None:
        raise AvoidSurveyError(f"instrument '{inst.id}' declares no experiment (add an 'experiment:' block)",
                               file=inst.source)
    return inst, inst.experiment


def analyze(data, instrument, *, outcome=None, covariates=(), moderator=None, cluster=None, ci: float = 0.95,
            power_n: int | None = None, random_intercept: bool = False,
            manipulation: str | None = None, design=None) -> ExperimentResult:
    """Balance, attrition, effects and tests of a survey experiment.

    Parameters
    ----------
    data : path or pandas DataFrame in long format (one row per respondent x vignette, or
        respondent x task x profile; factor columns hold level ids)
    instrument : bundled id, path, or Instrument with an ``experiment:`` block
    outcome : outcome column (default: the experiment's first ``outcomes`` entry)
    covariates : numeric columns for balance and Lin's estimator (vignette)
    moderator : column whose interaction with every factor is estimated
    cluster : column to cluster SEs by (default: respondent when a respondent has more rows)
    power_n : number of respondents for the minimum detectable effects (``power``)
    random_intercept : also fit the main effects with a random intercept per respondent
        (``lme4::lmer(y ~ factors + (1 | respondent))``; vignette designs)
    manipulation : a manipulation-check column: the main effects on it (model ``manipulation``)
    design : the design file of ``instruments export --kind versions`` (path or DataFrame):
        the factor levels of each row are looked up by its ``version`` and position. Wide
        platform exports (one row per respondent, ``<outcome>_k`` columns) and Qualtrics
        conjoint exports (``F-t-p-j`` columns) are reshaped first (see
        :func:`.fielding.long_format`).
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    from .data import prepare
    from .fielding import SOURCE_ROW

    inst, exp = experiment_of(instrument)
    needed = {*exp.factor_ids, exp.respondent, "task", "profile", "cell", outcome or (exp.outcomes[0] if exp.outcomes else ""),
              *(covariates or ()), moderator, cluster, manipulation}
    frame, file = _frame(data, needed)
    y_name = outcome or (exp.outcomes[0] if exp.outcomes else None)
    if design is not None or (y_name and y_name not in frame and not all(f in frame for f in exp.factor_ids)):
        from .fielding import long_format

        full, file = _frame(data)
        dcols, dfile = _frame(design) if design is not None else (None, None)
        frame = long_format(full, exp, [y_name, manipulation], design=dcols, file=file, design_file=dfile)
    source = frame.pop(SOURCE_ROW, None) if isinstance(frame, dict) else None
    try:
        d = prepare(frame, exp, outcome=outcome, covariates=tuple(covariates or ()), moderator=moderator,
                    cluster=cluster, file=file)
    except AvoidSurveyError as exc:  # reshaped data: the row of the file, not of the long rows
        if source is not None and exc.row is not None and 0 < exc.row <= len(source):
            exc.row = source[exc.row - 1]
        raise
    extra = {"random_intercept": random_intercept}
    if manipulation:
        extra["manipulation"] = prepare(frame, exp, outcome=manipulation, file=file)
    with _one_blas_thread():
        return _run(d, ci, power_n, inst.variables, extra)


def _one_blas_thread():
    """The matrices are tall and thin (K <= a few hundred): one BLAS thread is as fast, and on
    a busy machine threads waiting for each other make X'X up to a hundred times slower. The
    command sets ``OPENBLAS_NUM_THREADS=1`` before numpy loads (cheapest, and effective where
    threadpoolctl's limit is not); from Python, threadpoolctl limits the threads."""
    import contextlib
    import os

    if os.environ.get("AVOID_SURVEY_BLAS_SET") == os.environ.get("OPENBLAS_NUM_THREADS") == "1":
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _frame(data, needed=None):
    """{column: cell texts} and the file name (None for a DataFrame)."""
    from .data import frame_columns, read_columns

    if hasattr(data, "columns") and hasattr(data, "iloc"):
        return frame_columns(data), None
    # read as is (no instrument): an outcome cell that is not a number must stop the run with
    # its row, not turn into a silent missing value (which would count as attrition)
    return read_columns(data, needed), str(data)


def _run(d, ci, power_n, variables=(), extra=None) -> ExperimentResult:
    from . import balance as B

    exp = d.experiment
    extra = extra or {}
    bal, bal_tests = B.balance(d)
    effects, tests = (_conjoint(d, ci) if exp.type == "conjoint" else _vignette(d, ci))
    more_effects, more_tests = _options(d, ci, extra)
    effects += more_effects
    tests += more_tests
    power = ()
    if power_n:
        from .power import mde
        power = tuple(mde(exp, power_n))
    warnings = ()
    if exp.type == "conjoint" and exp.restrictions:
        from .restricted import restricted_pairs

        warnings = () if restricted_pairs(exp) else (_restriction_warning(exp),)
    return ExperimentResult(_design(d, effects), tuple(bal), tuple(B.attrition(d)), tuple(effects),
                            tuple(bal_tests + tests), power, warnings, _labels(exp, variables))


def _vignette(d, ci):
    """Main effects, Lin's estimator (with covariates) and two-way interactions."""
    from . import effects as E

    _, effects, tests = E.main_effects(d, "ate", ci)
    if d.covariates:
        lin, lin_tests = E.lin_effects(d, ci)
        effects += lin
        tests += lin_tests
    inter, inter_tests = E.interaction_effects(d, ci)
    return effects + inter, tests + inter_tests


def _conjoint(d, ci):
    """AMCEs, marginal means, and the carry-over / profile-order checks."""
    from . import conjoint as C

    effects, tests = C.amce(d, ci)
    return effects + C.marginal_means(d, ci), tests + C.diagnostics(d)


def _options(d, ci, extra):
    """Random intercept, manipulation check and moderator, when asked for."""
    from . import conjoint as C
    from . import effects as E

    effects, tests = [], []
    if extra.get("random_intercept"):
        effects += E.mixed_effects(d, ci)
    if extra.get("manipulation") is not None:
        _, man, man_tests = E.main_effects(extra["manipulation"], "ate", ci)
        effects += [dict(e, model="manipulation") for e in man]
        tests += [dict(t, test="manipulation") for t in man_tests]
    if d.moderator is not None:
        het, het_tests = E.moderator_effects(d, "moderator", ci)
        effects += het + E.subgroup_effects(d, "amce" if d.experiment.type == "conjoint" else "ate", ci)
        tests += het_tests
        if d.experiment.type == "conjoint":
            tests += C.subgroup_test(d)
    return effects, tests


def _design(d, effects) -> dict:
    import numpy as np

    exp = d.experiment
    out = exp.to_dict()
    seen = ~np.isnan(d.y)
    out.update({"outcome": d.outcome, "n_rows": d.n_rows, "n_observed": int(seen.sum()),
                "n_respondents": _n_distinct(d.respondent) if d.respondent is not None else d.n_rows,
                "covariates": list(d.covariates), "moderator": d.moderator[0] if d.moderator else None,
                "se_type": effects[0]["se_type"] if effects else None,
                "cluster": (d.cluster[0] if d.cluster else (exp.respondent if effects and effects[0]["se_type"] == "CR1"
                                                            else None))})
    return out


def _n_distinct(labels) -> int:
    from .design import _codes_of

    return int(_codes_of(labels, None)[1])


def _restriction_warning(exp) -> str:
    from avoid_survey.analysis.core.i18n import tr

    return tr("exp_warn_restrictions", "en").format(n=len(exp.restrictions))


def _labels(exp, variables=()) -> dict:
    """Factor, level and variable (moderator) labels ({en, zh}) for the tables and figures."""
    out = {"factors": {**{v.id: v.label for v in variables}, **{f.id: f.label for f in exp.factors}},
           "levels": {(f.id, lv.id): lv.label or (lv.text if exp.type == "conjoint" else {"en": lv.id})
                      for f in exp.factors for lv in f.levels}}
    return out


def power_only(instrument, n_respondents: int, *, effects=None, reps: int = 0, sd: float = 1.0,
               respondent_sd: float = 0.0, icc: float = 0.0, seed: int = 1) -> ExperimentResult:
    """Power of the declared design before any data: MDEs and, with ``effects`` and ``reps``,
    simulated power (see :mod:`.power`)."""
    from .power import parse_effects, power_analysis

    inst, exp = experiment_of(instrument)
    eff = parse_effects(effects, exp) if isinstance(effects, (list, tuple)) else (effects or {})
    rows = power_analysis(exp, n_respondents, effects=eff, reps=reps, sd=sd, respondent_sd=respondent_sd, icc=icc,
                          seed=seed)
    design = {**exp.to_dict(), "n_respondents": n_respondents}
    return ExperimentResult(design, power=tuple(rows), labels=_labels(exp, inst.variables))
