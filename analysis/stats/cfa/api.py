"""`cfa`: confirmatory factor analysis and measurement invariance, equal to lavaan::cfa.

In R::

    fit <- lavaan::cfa(model, data)                       # ML, marker variable, N-based chi-square
    fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                       "rmsea.ci.upper", "srmr", "aic", "bic"))
    standardizedSolution(fit)                             # std.all
    cfa(model, data, group = "g", group.equal = c("loadings", "intercepts"))

Checked against lavaan 0.6-14 on HolzingerSwineford1939 (3 factors, std.lv, orthogonal,
second order, invariance across school), PoliticalDemocracy (equality labels, residual
covariances) and psych::bfi (5 factors and a second-order factor, listwise): see
tests/reference/cfa.R.

Items are analysed on their raw codes: a reverse-keyed item gets a negative loading.
"""
from __future__ import annotations

import math

from ...core.errors import AvoidSurveyError, HeywoodWarning
from .result import CFAResult, record
from .syntax import parse_model

__all__ = ["cfa", "CFAResult", "instrument_model"]


def instrument_model(instrument, scales=None, second_order: bool = False) -> str:
    """lavaan syntax of an instrument's measurement model.

    Every scale loads its items; a scale with facets becomes one factor per facet (and, with
    ``second_order``, the scale a second-order factor over its facets). ``scales`` picks
    scales or facets by id.
    """
    chosen = []
    if scales:
        for sid in scales:
            try:
                chosen.append(instrument.scale(sid))
            except KeyError:
                valid = ", ".join(s.id for s in instrument.all_scales())
                raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{sid}' "
                                       f"(scales and facets: {valid})") from None
    else:
        chosen = list(instrument.scales)
    lines = []
    for s in chosen:
        if s.facets:
            for f in s.facets:
                lines.append(f"{f.id} =~ " + " + ".join(f.item_ids))
            if second_order:
                lines.append(f"{s.id} =~ " + " + ".join(f.id for f in s.facets))
        else:
            lines.append(f"{s.id} =~ " + " + ".join(s.item_ids))
    return "\n".join(lines)


def cfa(data, *, model: str | None = None, instrument=None, scales=None, group: str | None = None,
        missing: str = "listwise", std_lv: bool = False, second_order: bool = False,
        model_file=None, file=None, partial_search: bool = False, estimator: str = "ML", ordered=None,
        parameterization: str = "delta") -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa``.

    Parameters
    ----------
    data : pandas.DataFrame (left unchanged)
    model : lavaan syntax; or None with ``instrument`` (each scale, or each facet of a scale
        with facets, loads its items; ``second_order`` puts a scale over its facets)
    scales : restrict the instrument model to these scale or facet ids
    group : column defining groups: adds configural, metric and scalar invariance models
    missing : "listwise" (rows with a missing value on a model variable are dropped, as
        lavaan's default) or "ml" (full-information ML over the missing-data patterns, as
        lavaan's ``missing = "ml"``: mean structure, EM saturated model, observed-information SEs)
    std_lv : identify factors by unit variance instead of the first loading
    partial_search : with ``group``, where metric or scalar invariance fails (ΔCFI < -.01),
        free the loading or intercept with the largest score test step by step until
        ΔCFI >= -.01 (see :mod:`.partial`)
    estimator : {'ML', 'WLSMV'}; WLSMV (lavaan ``estimator = "WLSMV"``) treats the ``ordered``
        items as ordinal: thresholds, polychoric correlations, DWLS, robust SEs, the
        scaled-shifted test and scaled/robust CFI/TLI/RMSEA; with ``group`` the ordinal
        invariance levels of Wu & Estabrook (2016) (see :mod:`..sem.wlsmv`)
    ordered : "all" (default with WLSMV) or the names of the ordered items
    parameterization : {'delta', 'theta'} (WLSMV only)

    Returns
    -------
    CFAResult. Fit measures as lavaan's fitMeasures (see :mod:`.fit`), loadings with
    expected-information SEs, std = lavaan's std.all, CR and AVE (Fornell-Larcker) from the
    standardized loadings, HTMT from item correlations.
    """
    try:  # the matrices are small: BLAS threads only cost start-up and contention
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl is optional
        limits = None
    try:
        return _cfa(data, model=model, instrument=instrument, scales=scales, group=group, missing=missing,
                    std_lv=std_lv, second_order=second_order, model_file=model_file, file=file,
                    partial_search=partial_search, estimator=estimator, ordered=ordered,
                    parameterization=parameterization)
    finally:
        if limits is not None:
            limits.restore_original_limits()


_INVARIANCE = (("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts")))


def fielded_scales(instrument, data, scales=None):
    """(scales to model, optional scales skipped): with no ``scales`` chosen, every scale
    of the instrument except optional modules none of whose items is in the data (not
    fielded). ``scales`` given: as given, nothing skipped."""
    if scales:
        return scales, []
    cols = set(data.columns)
    skipped = [s.id for s in instrument.scales if s.optional and not any(i in cols for i in s.item_ids)]
    if not skipped:
        return None, []
    return [s.id for s in instrument.scales if s.id not in skipped], skipped


def _instrument_syntax(data, instrument, scales, second_order, file):
    """The instrument's measurement model, checked against the data; (syntax, notes)."""
    notes = []
    scales, skipped = fielded_scales(instrument, data, scales)
    if skipped:
        record(notes, "cfa-optional-skipped", f"optional scale(s) not fielded (no item in the data) left out of the "
               f"model: {', '.join(skipped)}")
    model = instrument_model(instrument, scales, second_order)
    statements0 = parse_model(model)
    lv0 = {st.lhs for st in statements0 if st.op == "=~"}
    if second_order and not any(t.name in lv0 for st in statements0 for t in st.terms):
        record(notes, "cfa-second-order-no-effect", "--second-order has no effect: none of the chosen scales has facets")
    for st in statements0:
        if st.op == "=~" and len(st.terms) == 1 and st.terms[0].name not in lv0:
            # the generated syntax has no line a user could look up: name the scale instead
            raise AvoidSurveyError(f"scale '{st.lhs}' of instrument '{instrument.id}' has only one item "
                                   f"('{st.terms[0].name}'): a one-item factor is not identified; choose "
                                   f"other scales with --scale, or write the model with --model", file=file)
        absent = [t.name for t in st.terms if t.name not in lv0 and t.name not in data.columns]
        if absent:
            raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(absent)} of '{st.lhs}' "
                                   f"(instrument '{instrument.id}')", file=file, column=absent[0])
    return model, notes


def model_variables(statements) -> list:
    """Observed names in the order of the syntax (latent names left out)."""
    lv = {s.lhs for s in statements if s.op == "=~"}
    names = []
    for s in statements:
        for nm in [t.name for t in s.terms] + [s.lhs]:
            if nm not in lv and nm not in names:
                names.append(nm)
    return names


def select_rows(data, statements, group, fiml, file, warnings, what="CFA"):
    """The model variables as floats, rows kept (complete, or any value observed with FIML, and
    a group value), the number dropped, and the column of each name."""
    import numpy as np

    from .data import numeric_matrix

    if group is not None and group not in data.columns:
        raise AvoidSurveyError(f"no column '{group}' in the data for --group", file=file, column=group)
    # unknown variables are reported by build_model with the syntax line
    present = [c for c in model_variables(statements) if c in data.columns]
    x = numeric_matrix(data, present, file, what)
    seen = ~np.isnan(x)
    keep = seen.any(axis=1) if fiml else seen.all(axis=1)
    if group is not None:
        keep &= data[group].notna().to_numpy()
    n_drop = int((~keep).sum())
    if n_drop:
        if fiml:
            note = f"{n_drop} of {len(keep)} rows dropped (no observed model variable"
        else:
            note = f"{n_drop} of {len(keep)} rows dropped (listwise: a missing value on a model variable"
        note += " or the group)" if group else ")"
        if not fiml and n_drop > 0.2 * len(keep):
            note += (f"; listwise deletion lost {100 * n_drop / len(keep):.0f}% of the rows: `--missing ml` (full "
                     f"information ML) uses every observed answer")
        record(warnings, "rows-dropped", note)
    return x[keep], keep, n_drop, {c: i for i, c in enumerate(present)}


def _heywood_loadings(params, warnings):
    for pr in params:
        if pr["op"] == "=~" and abs(pr["std"]) > 1:
            record(warnings, "cfa-heywood-loading", f"Heywood case: standardized loading of '{pr['rhs']}' on "
                   f"'{pr['lhs']}' is {pr['std']:.3f} (> 1)", HeywoodWarning, pr["rhs"])


def _htmt_of(gd, x, ov, model, fiml, warnings):
    import numpy as np

    from .measures import htmt

    if fiml:  # correlations of the EM (h1) covariance matrix
        sd = np.sqrt(np.diag(gd.S))
        R = gd.S / np.outer(sd, sd)
    else:
        R = np.corrcoef(x.T)
    h, h2 = htmt(R, ov, model.first_order) if len(model.first_order) > 1 else ({}, {})
    undefined = sorted({a for a in h for b in h[a] if a != b and math.isnan(h[a][b])})
    if undefined:
        record(warnings, "cfa-htmt-undefined", f"HTMT is undefined for {', '.join(undefined)}: the factor has "
               f"fewer than two indicators or its items do not correlate")
    return h, h2


def _nan_to_none(params):
    for p in params:
        for k in ("se", "z", "p", "std_se"):
            if p[k] is not None and isinstance(p[k], float) and math.isnan(p[k]):
                p[k] = None


def _pooled(statements, data, x, ov, std_lv, fiml, model_file, file, warnings):
    """The one-group fit and what is read from it (a dict of CFAResult fields)."""
    from .data import check_pd, group_moments
    from .fitted import fit_model
    from .measures import factor_correlations, reliability

    gd, _ = group_moments(x, None, file, fiml, ov)
    check_pd(gd, ov, file)
    pooled = fit_model(statements, data.columns, [gd], std_lv=std_lv, file=model_file, warnings=warnings,
                       meanstructure=True if fiml else None)
    m = pooled.model
    loadings = [{"factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"], "se": p["se"], "z": p["z"],
                 "p": p["p"], "std": p["std"], "std_se": p["std_se"], "label": p["label"]}
                for p in pooled.params if p["op"] == "=~"]
    rel = reliability(pooled, "all")
    for f, r in rel.items():
        if r["n_items"] < 3:
            record(warnings, "cfa-few-indicators", f"factor '{f}' has {r['n_items']} indicator(s); its "
                   f"identification leans on its correlations with other factors", location=f)
    corr = factor_correlations(m, pooled.est.mats[0])
    _heywood_loadings(pooled.params, warnings)
    htmt, htmt2 = _htmt_of(gd, x, ov, m, fiml, warnings)
    resid = pooled.groups[0].S - pooled.est.sigma[0]
    resid_d = {a: {b: float(resid[i, j]) for j, b in enumerate(ov)} for i, a in enumerate(ov)}
    _nan_to_none(pooled.params)
    fields = dict(n=gd.n, fit=pooled.fit, loadings=loadings, parameters=pooled.params, factor_reliability=rel,
                  factor_correlations=corr, htmt=htmt, htmt2=htmt2, residual_covariances=resid_d,
                  converged=pooled.est.converged, iterations=pooled.est.iterations)
    return fields, m


def _invariance_row(level, fitted, prev):
    from ...numerics.dist import chi2_sf

    fm = fitted.fit
    row = {"level": level, "chisq": fm["chisq"], "df": fm["df"], "pvalue": fm["pvalue"], "cfi": fm["cfi"],
           "tli": fm["tli"], "rmsea": fm["rmsea"], "rmsea_ci_lower": fm["rmsea_ci_lower"],
           "rmsea_ci_upper": fm["rmsea_ci_upper"], "srmr": fm["srmr"], "aic": fm["aic"], "bic": fm["bic"],
           "npar": fm["npar"], "converged": fitted.est.converged,
           "chisq_diff": None, "df_diff": None, "p_diff": None, "delta_cfi": None, "delta_rmsea": None}
    if prev is not None:
        dchi = fm["chisq"] - prev["chisq"]
        ddf = fm["df"] - prev["df"]
        row.update(chisq_diff=dchi, df_diff=ddf, p_diff=chi2_sf(dchi, ddf) if ddf > 0 else None,
                   delta_cfi=fm["cfi"] - prev["cfi"], delta_rmsea=fm["rmsea"] - prev["rmsea"])
    row["loadings"] = [{"group": p["group"], "factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"],
                        "se": None if math.isnan(p["se"]) else p["se"], "std": p["std"]}
                       for p in fitted.params if p["op"] == "=~"]
    return row


def split_groups(data, keep, group, x, ov, fiml, file, what="CFA"):
    """One GroupData per level of ``group`` (in order of appearance among the kept rows)."""
    from .data import check_pd, group_moments

    gvals = data.loc[keep, group]
    levels = list(dict.fromkeys(gvals.tolist()))
    if len(levels) < 2:
        raise AvoidSurveyError(f"column '{group}' has only one group among the complete rows", file=file,
                               column=group)
    groups = []
    for lvl in levels:
        gdg, _ = group_moments(x[(gvals == lvl).to_numpy()], lvl, file, fiml, ov, what)
        check_pd(gdg, ov, file)
        groups.append(gdg)
    return groups


def _invariance(statements, data, keep, group, x, ov, std_lv, fiml, model_file, file, warnings):
    """Configural, metric and scalar models across the groups (a dict of CFAResult fields)."""
    from .fitted import fit_model

    groups = split_groups(data, keep, group, x, ov, fiml, file)
    inv, prev = [], None
    for level, eq in _INVARIANCE:
        fitted = fit_model(statements, data.columns, groups, std_lv=std_lv, group_equal=eq, meanstructure=True,
                           file=model_file, warnings=warnings)
        prev = _invariance_row(level, fitted, prev)
        inv.append(prev)
    return dict(group=group, groups=[{"group": g.name, "n": g.n} for g in groups], invariance=inv)


def _partial(model, data, groups, inv, std_lv, fiml, model_file):
    """The partial-invariance steps at the first level whose ΔCFI is below -.01 (SEM engine)."""
    from ..sem.engine import fit_sem
    from ..sem.syntax import parse_sem
    from .partial import partial_search

    syntax = parse_sem(model, file=model_file)
    for k, row in enumerate(inv[1:], start=1):
        if row["delta_cfi"] is not None and row["delta_cfi"] < -0.01:
            level = row["level"]
            eq = ("loadings",) if level == "metric" else ("loadings", "intercepts")
            return partial_search(lambda part: fit_sem(syntax, data.columns, groups, std_lv=std_lv,
                                                       meanstructure=True, group_equal=eq, group_partial=part,
                                                       file=model_file), level, inv[k - 1]["cfi"])
    return []


def _cfa_wlsmv(data, *, model, instrument, scales, group, missing, std_lv, second_order, model_file, file,
               partial_search, ordered, parameterization):
    from ..sem.wlsmv.api import cfa_wlsmv, check_wlsmv_options

    check_wlsmv_options(missing, parameterization, file)
    if partial_search:
        raise AvoidSurveyError("--partial-search is not available with --estimator wlsmv")
    notes: list = []
    if model is None:
        if instrument is None:
            raise AvoidSurveyError("give a model (--model) or an instrument (--instrument)")
        model, notes = _instrument_syntax(data, instrument, scales, second_order, file)
        model_file = None
    labels = {}
    if instrument is not None:
        labels = {sc.id: sc.label for sc in instrument.all_scales()}
    return cfa_wlsmv(data, model=model, group=group, ordered=ordered if ordered is not None else "all",
                     parameterization=parameterization, missing=missing, std_lv=std_lv, model_file=model_file,
                     file=file, labels=labels, notes=notes)
def _label_groups(groups: list, instrument, column: str) -> None:
    """Each group's value label from the instrument ({en, zh}: 男/女 rather than 2.0), when it has one."""
    from ..compare.groups import by_format, group_label

    fmt = by_format(instrument, column)
    if fmt is None or not fmt.labels:
        return
    for g in groups:
        code = _as_code(g["group"])
        labels = {lg: group_label(fmt, code, lg) for lg in ("zh", "en")}
        if any(v != str(code) for v in labels.values()):
            g["label"] = labels


def _as_code(text):
    """'2.0' -> 2 (groups are named by their value as text)."""
    try:
        f = float(text)
    except (TypeError, ValueError):
        return text
    return int(f) if f.is_integer() else f


def _cfa(data, *, model, instrument, scales, group, missing, std_lv, second_order, model_file, file,
         partial_search=False, estimator="ML", ordered=None, parameterization="delta"):
    if str(estimator).upper() == "WLSMV":
        return _cfa_wlsmv(data, model=model, instrument=instrument, scales=scales, group=group, missing=missing,
                          std_lv=std_lv, second_order=second_order, model_file=model_file, file=file,
                          partial_search=partial_search, ordered=ordered, parameterization=parameterization)
    if str(estimator).upper() != "ML":
        raise AvoidSurveyError(f"--estimator {estimator} is not available for CFA: use ml or wlsmv")
    if ordered is not None:
        raise AvoidSurveyError("--ordered needs --estimator wlsmv")
    if missing not in ("listwise", "ml"):
        raise AvoidSurveyError(f"--missing {missing} is not available for CFA: use listwise (complete rows, "
                               f"lavaan's default) or ml (full-information ML, lavaan's missing = \"ml\"); pairwise "
                               f"needs --estimator wlsmv")
    fiml = missing == "ml"
    warnings: list = []
    if model is None:
        if instrument is None:
            raise AvoidSurveyError("give a model (--model) or an instrument (--instrument)")
        model, warnings = _instrument_syntax(data, instrument, scales, second_order, file)
        model_file = None
    statements = parse_model(model, file=model_file)
    x, keep, n_drop, col_of = select_rows(data, statements, group, fiml, file, warnings)
    from .model import build_model
    ov = build_model(statements, data.columns, std_lv=std_lv, file=model_file).ov
    x = x[:, [col_of[c] for c in ov]]
    fields, m = _pooled(statements, data, x, ov, std_lv, fiml, model_file, file, warnings)
    if group is not None:
        fields.update(_invariance(statements, data, keep, group, x, ov, std_lv, fiml, model_file, file, warnings))
        if partial_search:
            groups = split_groups(data, keep, group, x, ov, fiml, file)
            fields["partial_invariance"] = _partial(model, data, groups, fields["invariance"], std_lv, fiml,
                                                    model_file)
    labels = {}
    if instrument is not None:
        labels = {sc.id: sc.label for sc in instrument.all_scales() if sc.id in m.lv}
        if group is not None:
            _label_groups(fields.get("groups") or [], instrument, group)
    return CFAResult(n_dropped=n_drop, estimator="ML", missing=missing, std_lv=std_lv, model_syntax=model,
                     warnings=tuple(warnings), factor_labels=labels, **fields)
