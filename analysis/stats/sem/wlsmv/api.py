"""WLSMV for ``cfa`` and ``sem``: the hooks the ML entry points call with ``estimator="WLSMV"``.

In R::

    cfa(model, data, ordered = items, estimator = "WLSMV")                 # delta parameterization
    cfa(model, data, ordered = items, estimator = "WLSMV", parameterization = "theta")
    cfa(model, data, ordered = items, estimator = "WLSMV", missing = "pairwise")
    fitMeasures(fit, c("chisq.scaled", "cfi.scaled", "cfi.robust", "rmsea.robust", ...))

Rows: ``missing="listwise"`` (lavaan's default) keeps the rows complete on the model's
variables; ``"pairwise"`` keeps every row with an answer (thresholds from each item's
answers, correlations from pairwise-complete rows, as lavaan's ``missing = "pairwise"``).
Full-information ML does not exist for WLSMV. Checked against lavaan 0.6-14 and semTools
(tests/reference/wlsmv.R).
"""
from __future__ import annotations

import numpy as np

from ....core.errors import AvoidSurveyError

__all__ = ["resolve_ordered", "check_wlsmv_options", "cfa_wlsmv", "sem_wlsmv", "WLSMV_MISSING"]

WLSMV_MISSING = ("listwise", "pairwise")
PARAMETERIZATIONS = ("delta", "theta")


def resolve_ordered(ordered, ov, columns, file=None) -> list:
    """``ordered``: "all", a comma-separated string or a list of names -> the ordered names."""
    if ordered is None or ordered == () or ordered == []:
        return list(ov)
    if isinstance(ordered, str):
        if ordered.strip().lower() == "all":
            return list(ov)
        names = [s.strip() for s in ordered.split(",") if s.strip()]
    else:
        names = [str(s) for s in ordered]
        if len(names) == 1 and names[0].lower() == "all":
            return list(ov)
    for nm in names:
        if nm not in columns:
            raise AvoidSurveyError(f"--ordered names '{nm}', which is not a column of the data", file=file, column=nm)
    return names


def check_wlsmv_options(missing, parameterization, file=None):
    if missing == "ml":
        raise AvoidSurveyError("--missing ml (full-information ML, FIML) is not available with --estimator wlsmv: use "
                               "--missing pairwise (lavaan's pairwise deletion for categorical data) or listwise",
                               file=file)
    if missing not in WLSMV_MISSING:
        raise AvoidSurveyError(f"--missing {missing} is not available with --estimator wlsmv: use listwise or "
                               f"pairwise", file=file)
    if parameterization not in PARAMETERIZATIONS:
        raise AvoidSurveyError(f"--parameterization {parameterization} is unknown: use delta or theta", file=file)


def _rows(data, syntax, group, missing, file, warnings, what):
    from ...cfa.api import select_rows

    return select_rows(data, syntax.statements, group, missing == "pairwise", file, warnings, what=what)


def _split(data, keep, group, x, file):
    if group is None:
        return [x], [None]
    gvals = data.loc[keep, group]
    levels = list(dict.fromkeys(gvals.tolist()))
    if len(levels) < 2:
        raise AvoidSurveyError(f"column '{group}' has only one group among the rows used", file=file, column=group)
    return [x[(gvals == lvl).to_numpy()] for lvl in levels], [_label(lvl) for lvl in levels]


def _label(v):
    """A group value as text: 2.0 (a whole-number code read as float) prints as "2"."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _prepare(data, model, group, ordered, missing, parameterization, model_file, file, what):
    from ..partable import build_sem
    from ..syntax import parse_sem

    check_wlsmv_options(missing, parameterization, file)
    syntax = parse_sem(model, file=model_file)
    warnings: list = []
    x_all, keep, n_drop, col_of = _rows(data, syntax, group, missing, file, warnings, what)
    ov = build_sem(syntax, data.columns, file=model_file).ov
    x = x_all[:, [col_of[c] for c in ov]]
    xs, names = _split(data, keep, group, x, file)
    ordered = resolve_ordered(ordered, ov, data.columns, file)
    return syntax, ov, xs, names, ordered, n_drop, warnings


def sem_wlsmv(data, *, model, group=None, group_equal=(), group_partial=None, ordered="all",
              parameterization="delta", missing="listwise", std_lv=False, model_file=None, file=None):
    """``sem --estimator wlsmv``: an SEMResult with thresholds and the scaled/robust fit keys."""
    from ..partable import parse_partial
    from ..result import SEMResult
    from .fit import fit_wlsmv

    syntax, ov, xs, names, ordered, n_drop, warnings = _prepare(data, model, group, ordered, missing,
                                                                parameterization, model_file, file, "SEM")
    f = fit_wlsmv(syntax, data.columns, xs, names, ordered, std_lv=std_lv, group_equal=tuple(group_equal),
                  group_partial=parse_partial(group_partial, file), parameterization=parameterization,
                  missing=missing, file=file, model_file=model_file)
    _warn(f, warnings)
    extra = {}
    if group is not None:
        extra.update(group=group, groups=f.groups)
    r2 = f.r2 if group is not None else f.r2[None]
    return SEMResult(n=f.dwls.ntotal, n_dropped=n_drop, estimator="WLSMV", missing=missing,
                     converged=f.dwls.converged, iterations=f.dwls.iterations, std_lv=std_lv, model_syntax=model,
                     fit=f.fit, parameters=f.params, r2=r2, warnings=tuple(warnings), thresholds=f.thresholds,
                     parameterization=parameterization, **extra)


def _warn(f, warnings):
    from ..api import solution_warnings

    solution_warnings(f.warnings, f.params, warnings)


def _cfa_fields(f, model, ov):
    """The CFAResult fields of a one-group WLSMV fit (CR/AVE from std.all, HTMT and residuals
    from the polychoric correlations)."""
    from ...cfa.measures import factor_correlations, htmt, reliability

    params = []
    for p in f.params:
        q = dict(p)
        q["std"] = p["std_all"]
        q["std_se"] = p["std_all_se"]
        params.append(q)

    class _F:  # what reliability() reads
        pass

    shim = _F()
    shim.model = model.base
    shim.params = params
    rel = reliability(shim, None)
    loadings = [{"factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"], "se": p["se"], "z": p["z"],
                 "p": p["p"], "std": p["std"], "std_se": p["std_se"], "label": p["label"]}
                for p in params if p["op"] == "=~"]
    mt = model.implied(f.dwls.theta[None], 0)
    mats = {"beta": mt["beta"][0], "psi": mt["psi"][0]}
    corr = factor_correlations(model.base, mats)
    s = f.dwls.samples[0]
    R = s.R
    h, h2 = htmt(R, ov, model.base.first_order) if len(model.base.first_order) > 1 else ({}, {})
    from .measures import implied_correlation

    resid = R - implied_correlation(model, f.dwls.theta, 0)
    resid_d = {x: {y: float(resid[i, j]) for j, y in enumerate(ov)} for i, x in enumerate(ov)}
    return dict(fit=f.fit, loadings=loadings, parameters=params, factor_reliability=rel, factor_correlations=corr,
                htmt=h, htmt2=h2, residual_covariances=resid_d)


def cfa_wlsmv(data, *, model, group=None, ordered="all", parameterization="delta", missing="listwise",
              std_lv=False, model_file=None, file=None, labels=None, notes=()):
    """``cfa --estimator wlsmv``: the one-group fit, and with ``group`` the ordinal invariance
    levels of Wu & Estabrook (2016) (:mod:`.invariance`)."""
    from ...cfa.result import CFAResult
    from .fit import fit_wlsmv

    syntax, ov, xs, names, ordered, n_drop, warnings = _prepare(data, model, group, ordered, missing,
                                                                parameterization, model_file, file, "CFA")
    warnings = list(notes) + warnings
    pooled_x = [np.vstack(xs)]
    f = fit_wlsmv(syntax, data.columns, pooled_x, [None], ordered, std_lv=std_lv,
                  parameterization=parameterization, missing=missing, file=file, model_file=model_file)
    _warn(f, warnings)
    fields = _cfa_fields(f, f.model, ov)
    extra = {}
    if group is not None:
        from .invariance import ordinal_invariance

        inv, groups = ordinal_invariance(syntax, data.columns, xs, names, ordered, missing=missing, file=file,
                                         model_file=model_file, parameterization=parameterization)
        extra = dict(group=group, groups=groups, invariance=inv)
    return CFAResult(n=f.dwls.ntotal, n_dropped=n_drop, estimator="WLSMV", missing=missing,
                     converged=f.dwls.converged, iterations=f.dwls.iterations, std_lv=std_lv, model_syntax=model,
                     warnings=tuple(warnings), factor_labels=labels or {}, thresholds=f.thresholds,
                     parameterization=parameterization, **fields, **extra)
