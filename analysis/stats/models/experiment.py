"""``family: experiment`` in a model spec: the survey experiment of ``avoid-survey experiment``.

The model takes the options of the command (``outcome``, ``covariates``, ``moderator``,
``cluster``, ``random_intercept``, ``manipulation``, ``mde``, ``ci``) and the design from the
``experiment:`` block of its instrument (the spec's or the model's ``instrument:``). The data
are the spec's prepared frame (filters and transforms applied), analysed by
:func:`avoid_survey.analysis.stats.experiment.analyze`: the numbers equal the command's on
the same rows. The main effects (vignette ATEs or conjoint AMCEs) are the coefficients,
named ``factor[level]`` (labelled from the instrument); the whole experiment result (design,
balance, attrition, every effect and test, power) is under ``experiment`` in the JSON.
"""
from __future__ import annotations

from .result import Coef, ModelFit

__all__ = ["fit_experiment_model"]


def fit_experiment_model(loaded, i, ms, frame, name, inst) -> ModelFit:
    from ...core.errors import AvoidSurveyError
    from ..experiment import analyze

    if inst is None or getattr(inst, "experiment", None) is None:
        what = "no instrument" if inst is None else f"instrument '{inst.id}' declares no experiment"
        raise AvoidSurveyError(f"spec: model '{ms.name}' (family experiment) has {what}: set 'instrument:' to an "
                               f"instrument with an 'experiment:' block", file=loaded.file,
                               line=loaded.model_line(i, "family"))
    try:
        r = analyze(frame.reset_index(drop=True), inst, outcome=ms.outcome, covariates=tuple(ms.covariates),
                    moderator=ms.moderator, cluster=ms.cluster, ci=ms.ci, power_n=ms.mde,
                    random_intercept=ms.random_intercept, manipulation=ms.manipulation)
    except AvoidSurveyError as exc:
        if exc.file is None:
            exc.located(file=loaded.file, line=loaded.model_line(i, "family"))
        raise
    d = r.to_dict()
    main = [e for e in d["effects"] if e["model"] == "main"]
    coefs = []
    for e in main:
        est, se = e["estimate"], e["se"]
        stat = est / se if se and se == se and se > 0 else float("nan")
        coefs.append(Coef(f"{e['factor']}[{e['level']}]", est, se, stat, e["p"], e["ci_lower"], e["ci_upper"]))
    design = d["design"]
    clustered = design.get("se_type") == "CR1"
    n_groups = {design["cluster"]: design["n_respondents"] if design["cluster"] == design["respondent"]
                else None} if clustered and design.get("cluster") else None
    if n_groups and None in n_groups.values():
        n_groups = {k: int(len(set(frame[k].astype(str)))) for k in n_groups}
    se_type = "cluster (CR1)" if clustered else design.get("se_type")
    fit = {"n_respondents": design["n_respondents"], "n_rows": design["n_rows"]}
    return ModelFit(name=name, family="experiment", n=design["n_observed"], n_groups=n_groups, coefficients=coefs,
                    fit=fit, se_type=se_type, warnings=tuple(r.warnings), extra={"experiment": d})
