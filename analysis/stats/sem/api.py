"""`sem`: structural equation models with latent variables, equal to lavaan::sem.

In R::

    fit <- lavaan::sem(model, data)                          # ML, first loading fixed, fixed.x
    fit <- lavaan::sem(model, data, estimator = "MLR")       # robust SEs, Yuan-Bentler test
    fit <- lavaan::sem(model, data, missing = "ml")          # full-information ML
    parameterEstimates(fit); standardizedSolution(fit); lavInspect(fit, "r2"); fitMeasures(fit)

Checked against lavaan 0.6-14 on PoliticalDemocracy (Bollen's model with equality labels and
residual covariances; a mediation model with ``:=`` indirect effects; observed covariates
with fixed.x and an ``==`` constraint; MLR; FIML on an 8% MCAR copy): tests/reference/sem.R;
FIML and MLR with observed covariates (fixed.x): tests/reference/sem_fixedx.R.
"""
from __future__ import annotations

from ...core.errors import AvoidSurveyError, ConvergenceWarning, HeywoodWarning
from ..cfa.result import record
from .result import SEMResult
from .syntax import parse_sem

__all__ = ["sem"]

ESTIMATORS = ("ML", "MLR", "WLSMV")
MISSING = ("listwise", "ml")


def _limited(fn, *args, **kw):
    try:  # the matrices are small: BLAS threads only cost start-up and contention
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl is optional
        limits = None
    try:
        return fn(*args, **kw)
    finally:
        if limits is not None:
            limits.restore_original_limits()


def sem(data, *, model: str, group: str | None = None, group_equal=(), group_partial: str | None = None,
        estimator: str = "ML", missing: str = "listwise", std_lv: bool = False, bootstrap: int = 0, seed: int | None = None, mi: bool = False,
        mi_min: float = 0.0, compare=(), instrument=None, model_file=None, file=None, progress=None,
        ordered=None, parameterization: str = "delta") -> SEMResult:
    """Structural equation model by maximum likelihood, as ``lavaan::sem``.

    Parameters
    ----------
    data : pandas.DataFrame (left unchanged) or a NumericFrame
    model : lavaan syntax (see :mod:`.syntax`)
    estimator : {'ML', 'MLR'}; MLR: Huber-White SEs and the Yuan-Bentler (Mplus) scaled test
    missing : {'listwise', 'ml'}; 'ml' is full-information ML over the missing-data patterns; as
        lavaan's missing = "ml" with fixed.x, rows with a missing observed exogenous covariate
        are deleted first (a warning, 'sem-fixedx-missing'); lavaan's "ml.x" (keep them) is not offered
    std_lv : fix latent variances to 1 instead of the first loadings
    bootstrap, seed : resample rows ``bootstrap`` times (numpy default_rng(seed)) for
        percentile and bias-corrected CIs of every parameter, defined and standardized value
    mi, mi_min : modification indices (lavaan::modindices) at or above ``mi_min``
    ordered : with ``estimator="WLSMV"``: "all" (default) or the names of the ordered items
        (lavaan's ``ordered =``); thresholds, polychoric correlations, DWLS, robust SEs and the
        scaled-shifted test (see :mod:`.wlsmv`); ``missing`` listwise or pairwise
    parameterization : {'delta', 'theta'} for WLSMV (lavaan's ``parameterization``)
    compare : other models as (name, syntax, file): each fitted on the same rows, and a
        comparison table (lavTestLRT; Satorra-Bentler 2001 scaled difference under MLR)
    instrument : with an instrument, a scale or facet id used in the syntax without its own
        '=~' line is measured by its items (a scale with facets by its facets, each by its
        items); the measurement lines are appended after the user's lines
    group, group_equal, group_partial : multi-group model by the values of column ``group``;
        parameter classes equal across groups (lavaan's group.equal names: loadings,
        intercepts, regressions, residuals, residual.covariances, lv.variances,
        lv.covariances, means) except the rows of ``group_partial`` ("x3 ~ 1, visual =~ x9")

    Returns
    -------
    SEMResult (parameters, r2, fit measures as lavaan's fitMeasures, warnings ...).
    """
    if instrument is not None:
        model = expand_scales(model, instrument, data.columns, model_file)
    labels = group_value_labels(data, group, instrument) if group is not None else {}
    if ordered is not None and estimator.upper() != "WLSMV":
        raise AvoidSurveyError("--ordered needs --estimator wlsmv")
    if estimator.upper() == "WLSMV":
        return _limited(_sem_wlsmv, data, model=model, group=group, group_equal=tuple(group_equal),
                        group_partial=group_partial, missing=missing, std_lv=std_lv, bootstrap=bootstrap, mi=mi,
                        compare=compare, ordered=ordered, parameterization=parameterization, model_file=model_file,
                        file=file)
    res = _limited(_sem, data, model=model, group=group, group_equal=tuple(group_equal),
                    group_partial=group_partial, estimator=estimator, missing=missing, std_lv=std_lv,
                    bootstrap=bootstrap, seed=seed, mi=mi, mi_min=mi_min, compare=tuple(compare),
                    model_file=model_file, file=file, progress=progress)
    if labels and res.groups:
        import dataclasses

        res = dataclasses.replace(res, groups=[dict(g, label=_label_of(labels, g["group"])) for g in res.groups])
    return res


def group_value_labels(data, group, instrument=None) -> dict:
    """{code as text: label} of the grouping column: the instrument's answer labels of that
    variable (a label per language), else the value labels read from an SPSS/Stata file (text)."""
    if instrument is not None:
        for v in list(getattr(instrument, "variables", [])) + list(getattr(instrument, "items", [])):
            if v.id == group and getattr(v.response, "labels", None):
                return {str(k): dict(t) for k, t in v.response.labels.items()}
    vl = (getattr(data, "attrs", {}) or {}).get("source", {}).get("value_labels", {}) or {}
    if group in vl:
        return {str(k): str(t) for k, t in vl[group].items()}   # one language: as the file has it
    return {}


def _group_text(name: str) -> str:
    try:
        f = float(name)
    except ValueError:
        return name
    return str(int(f)) if f.is_integer() and name.endswith(".0") else name


def _label_of(labels, name):
    if name in labels:
        return labels[name]
    try:   # codes read as floats ("1.0") against integer labels ("1")
        f = float(name)
        for k, v in labels.items():
            if float(k) == f:
                return v
    except ValueError:
        pass
    return None


def _sem_wlsmv(data, *, model, group, group_equal, group_partial, missing, std_lv, bootstrap, mi, compare, ordered,
               parameterization, model_file, file):
    from .wlsmv.api import sem_wlsmv

    for flag, what in ((bootstrap, "--bootstrap"), (mi, "--mi"), (compare, "--compare")):
        if flag:
            raise AvoidSurveyError(f"{what} is not available with --estimator wlsmv")
    return sem_wlsmv(data, model=model, group=group, group_equal=group_equal, group_partial=group_partial,
                     ordered=ordered if ordered is not None else "all", parameterization=parameterization,
                     missing=missing, std_lv=std_lv, model_file=model_file, file=file)


def expand_scales(model: str, instrument, columns, model_file=None) -> str:
    """``model`` with a '=~' line appended for every scale or facet id of ``instrument`` that the
    syntax uses as a variable but neither measures nor finds among the data columns."""
    syntax = parse_sem(model, file=model_file)
    measured = {s.lhs for s in syntax.statements if s.op == "=~"}
    used = []
    for s in syntax.statements:
        for nm in [s.lhs] + [t.name for t in s.terms]:
            if nm not in used:
                used.append(nm)
    ids = {sc.id: sc for sc in instrument.all_scales()}
    lines, done = [], set(measured)

    def measure(sid):
        if sid in done:
            return
        done.add(sid)
        sc = ids[sid]
        if sc.facets:
            for f in sc.facets:
                measure(f.id)
            lines.append(f"{sid} =~ " + " + ".join(f.id for f in sc.facets))
        else:
            lines.append(f"{sid} =~ " + " + ".join(sc.item_ids))

    for nm in used:
        if nm in ids and nm not in columns:
            measure(nm)
    if not lines:
        return model
    return model.rstrip("\n") + "\n# measured by their items (instrument '" + instrument.id + "')\n" + "\n".join(lines)


def _check_options(estimator, missing, group, group_equal, bootstrap, mi):
    if estimator.upper() not in ESTIMATORS:
        raise AvoidSurveyError(f"--estimator {estimator} is not available: use ml or mlr")
    if missing not in MISSING:
        raise AvoidSurveyError(f"--missing {missing} is not available for SEM: use listwise or ml (pairwise needs "
                               f"--estimator wlsmv)")
    if group is None:
        if group_equal:
            raise AvoidSurveyError("--group-equal needs --group")
        return


def _solution_warnings(fitted, warnings):
    solution_warnings(fitted.warnings, fitted.params, warnings)
    import numpy as np

    for g, s in enumerate(fitted.est.sigma):
        if np.linalg.eigvalsh(s)[0] <= 0:
            record(warnings, "sem-implied-not-pd", "the model-implied covariance matrix is not positive definite",
                   HeywoodWarning)


def solution_warnings(messages, params, warnings) -> None:
    """Non-convergence ``messages`` and the improper solutions in ``params`` (negative
    variances, standardized loadings above 1) as warning records (ML and WLSMV alike)."""
    for w in messages:
        record(warnings, "sem-not-converged", w, ConvergenceWarning)
    for p in params:
        if p["op"] == "~~" and p["lhs"] == p["rhs"] and p["estimate"] < 0:
            record(warnings, "sem-negative-variance", f"Heywood case: negative (residual) variance of "
                   f"'{p['lhs']}' ({p['estimate']:.4g}); the solution is improper", HeywoodWarning, p["lhs"])
        elif p["op"] == "=~" and p["std_all"] is not None and abs(p["std_all"]) > 1:
            record(warnings, "sem-heywood-loading", f"Heywood case: standardized loading of '{p['rhs']}' on "
                   f"'{p['lhs']}' is {p['std_all']:.3f} (> 1)", HeywoodWarning, p["rhs"])


def _rows(data, syntaxes, group, fiml, file, warnings):
    """The rows every model can use (complete on all their variables, or FIML), as floats."""
    from ..cfa.api import select_rows

    statements = [st for syn in syntaxes for st in syn.statements]
    return select_rows(data, statements, group, fiml, file, warnings, what="SEM")


def _drop_missing_x(data, syntaxes, x_all, keep, n_drop, col_of, model_file, warnings):
    """FIML with observed exogenous covariates (fixed.x): as lavaan (missing = "ml"), the rows
    with a missing covariate are deleted first, with a warning; the covariates' moments are then
    their complete sample moments and the likelihood is that of the rest given them."""
    import numpy as np

    from .partable import build_sem

    xs = []
    for syn in syntaxes:
        for v in build_sem(syn, data.columns, file=model_file).ov_x:
            if v not in xs:
                xs.append(v)
    if not xs:
        return x_all, keep, n_drop
    ok = ~np.isnan(x_all[:, [col_of[v] for v in xs]]).any(axis=1)
    lost = int((~ok).sum())
    if lost:
        record(warnings, "sem-fixedx-missing", f"{lost} rows deleted: a missing value on an exogenous covariate "
               f"({', '.join(xs)}), while fixed.x = TRUE (as lavaan with missing = \"ml\")")
        keep = keep.copy()
        keep[np.flatnonzero(keep)[~ok]] = False
    return x_all[ok], keep, n_drop + lost


def _empty_groups(data, keep, group, file, warnings):
    """Groups of ``group`` with no usable row: a warning naming them (they are left out), or an
    error when fewer than two groups remain."""
    from ...core.errors import DataWarning

    if group not in data.columns:
        return
    present = list(dict.fromkeys(data[group].dropna().tolist()))
    kept = set(data.loc[keep, group].tolist())
    empty = [str(v) for v in present if v not in kept]
    if not empty:
        return
    names = ", ".join(f"'{v}'" for v in empty)
    if len(present) - len(empty) < 2:
        raise AvoidSurveyError(f"group {names} has no usable row (every row misses a model "
                               f"variable); a multi-group model needs at least two groups", file=file, column=group)
    record(warnings, "sem-empty-group", f"group {names} of column '{group}' has no usable row and is left out",
           DataWarning, group)


def _fit_one(syntax, data, x_all, keep, col_of, *, group, group_equal, group_partial, fiml, std_lv, estimator,
             model_file, file):
    import numpy as np

    from ..cfa.api import split_groups
    from ..cfa.data import check_pd, group_moments
    from .engine import fit_sem
    from .partable import build_sem, parse_partial

    ov = build_sem(syntax, data.columns, file=model_file).ov
    x = x_all[:, [col_of[c] for c in ov]]
    if group is not None:
        groups = split_groups(data, keep, group, x, ov, fiml, file, "SEM")
        for gd in groups:   # a code read as a float ("2.0") is named as written ("2")
            gd.name = _group_text(gd.name)
        gvals = data.loc[keep, group]
        masks = [(gvals == lvl).to_numpy() for lvl in dict.fromkeys(gvals.tolist())]
        xs = [x[m] for m in masks]
        rows = [np.flatnonzero(keep)[m] for m in masks]
    else:
        rows = np.flatnonzero(keep)
        if fiml:
            seen = ~np.isnan(x).all(axis=1)
            x, rows = x[seen], rows[seen]
        rows = [rows]
        gd, _ = group_moments(x, None, file, fiml, ov, what="SEM")
        check_pd(gd, ov, file)
        groups, xs = [gd], [x]
    fitted = fit_sem(syntax, data.columns, groups, std_lv=std_lv, meanstructure=fiml, estimator=estimator,
                     data=xs, file=model_file, group_equal=group_equal,
                     group_partial=parse_partial(group_partial, file))
    return fitted, xs, rows


def _sem(data, *, model, group, group_equal, group_partial, estimator, missing, std_lv, bootstrap, seed, mi, mi_min,
         compare, model_file, file, progress):
    import numpy as np

    estimator = estimator.upper()
    _check_options(estimator, missing, group, group_equal, bootstrap, mi)
    fiml = missing == "ml"
    syntax = parse_sem(model, file=model_file)
    others = [(name, parse_sem(text, file=f)) for name, text, f in compare]
    warnings: list = []
    x_all, keep, n_drop, col_of = _rows(data, [syntax] + [o for _, o in others], group, fiml, file, warnings)
    if fiml:
        x_all, keep, n_drop = _drop_missing_x(data, [syntax] + [o for _, o in others], x_all, keep, n_drop, col_of,
                                              model_file, warnings)
    if group is not None:
        _empty_groups(data, keep, group, file, warnings)
    kw = dict(fiml=fiml, std_lv=std_lv, estimator=estimator, file=file, group=group, group_equal=group_equal,
              group_partial=group_partial)
    fitted, xs, rows = _fit_one(syntax, data, x_all, keep, col_of, model_file=model_file, **kw)
    _solution_warnings(fitted, warnings)
    extra = {}
    if mi:
        from .modindices import modification_indices

        extra["modification_indices"] = modification_indices(fitted, mi_min)
    if others:
        from .compare import comparison

        from pathlib import Path

        fits = [(Path(model_file).stem if model_file else "model 1", fitted)] + [(name, _fit_one(o, data, x_all, keep, col_of, model_file=f, **kw)[0])
                                      for (name, o), (_, _, f) in zip(others, compare)]
        extra["comparison"] = comparison(fits, estimator)
    boot = idx = None
    if bootstrap:
        from .bootstrap import bootstrap_sem

        boot, idx = bootstrap_sem(fitted, syntax, data.columns, xs, bootstrap, seed, fiml=fiml, std_lv=std_lv,
                                  estimator=estimator, file=model_file, progress=progress, warnings=warnings)
        idx = np.concatenate(rows)[idx]   # as positions among the data rows (0-based)
    if group is not None:
        extra.update(group=group, groups=[{"group": g.name, "n": g.n} for g in fitted.groups])
    r2 = fitted.r2 if group is not None else fitted.r2[None]
    return SEMResult(n=sum(g.n for g in fitted.groups), n_dropped=n_drop, estimator=estimator, missing=missing,
                     converged=fitted.est.converged, iterations=fitted.est.iterations, std_lv=std_lv,
                     model_syntax=model, fit=fitted.fit, parameters=fitted.params, r2=r2,
                     bootstrap=boot, warnings=tuple(warnings), boot_indices=idx, **extra)
