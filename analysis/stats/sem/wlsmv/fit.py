"""One WLSMV fit from data to what lavaan prints: sample statistics per group, DWLS,
parameter table with robust SEs, ``std.all`` (delta-method SEs), R², thresholds and fit
measures.

``std.all`` as lavaan's ``standardizedSolution`` with ordered items: the variance of a
latent response is the implied ``Sigma*_ii`` (1 in the first group of the delta
parameterization); loadings ``l sd(eta)/sd(y*)``, thresholds and intercepts ``/ sd(y*)``,
scaling factors ``Delta sd(y*)``, residual variances as shares, covariances as correlations.
R² of an ordered item is ``1 - Theta_ii / Sigma*_ii``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ....core.errors import AvoidSurveyError

__all__ = ["WLSMVFit", "fit_wlsmv", "check_supported", "item_levels"]


@dataclass
class WLSMVFit:
    model: object
    dwls: object
    fit: dict
    params: list
    r2: dict
    thresholds: list
    groups: list
    vcov: np.ndarray
    warnings: list = field(default_factory=list)

    @property
    def est(self):
        return self.dwls


def check_supported(syntax, columns, ordered, file=None):
    """WLSMV here covers latent-variable models, ordered outcomes regressed on latent variables,
    and observed covariates predicting latent variables (lavaan's conditional.x); other
    regressions with observed variables are refused with a clear line."""
    lv = {s.lhs for s in syntax.statements if s.op == "=~"}
    ordset = set(ordered)
    indicators = {t.name for s in syntax.statements if s.op == "=~" for t in s.terms}
    predictors = {t.name for s in syntax.statements if s.op == "~" for t in s.terms}
    outcomes = {s.lhs for s in syntax.statements if s.op == "~"}
    covariates = {v for v in predictors if v not in lv}
    for s in syntax.statements:
        if s.op != "~":
            continue
        text = f"'{s.lhs} ~ {' + '.join(t.name for t in s.terms)}'"
        for t in s.terms:
            if t.name in lv:
                continue
            if t.name in ordset or t.name in indicators or t.name in outcomes:
                raise AvoidSurveyError(f"{text}: with --estimator wlsmv an observed predictor must be a continuous "
                                       f"covariate ('{t.name}' is ordered, an indicator or an outcome); leave it out "
                                       f"of --ordered or measure it with a factor", file=file, line=s.line)
            if s.lhs not in lv:
                raise AvoidSurveyError(f"{text}: with --estimator wlsmv covariates may only predict latent variables",
                                       file=file, line=s.line)
        if s.lhs not in lv:
            if s.lhs not in ordset:
                raise AvoidSurveyError(f"{text}: with --estimator wlsmv an observed outcome must be ordered "
                                       f"(add '{s.lhs}' to --ordered)", file=file, line=s.line)
            if s.lhs in indicators or s.lhs in predictors:
                raise AvoidSurveyError(f"{text}: an ordered outcome that is also an indicator or a predictor is "
                                       f"not available with --estimator wlsmv", file=file, line=s.line)
            if covariates:
                raise AvoidSurveyError(f"{text}: an ordered outcome together with observed covariates is not "
                                       f"available with --estimator wlsmv", file=file, line=s.line)


def item_levels(x, items):
    """Every item's categories (sorted distinct answers among the rows used)."""
    return [np.unique(x[~np.isnan(x[:, j]), j]) for j in range(len(items))]


def _standardized(model, X, plan):
    """std.all of every row for each parameter vector of X (K, npar) -> (K, nrows)."""
    grp, mat, ii, jj, item_of = plan
    K = X.shape[0]
    out = np.zeros((K, len(model.rows)), dtype=X.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):   # phantom rows (0/0) are not shown
        for g in range(model.n_groups):
            _standardize_group(model, X, g, plan, out)
    return out


def _standardize_group(model, X, g, plan, out):
    """std.all of group g's rows into ``out``."""
    grp, mat, ii, jj, item_of = plan
    mt = model.implied(X, g)
    A, psi, sigma = mt["A"], mt["psi"], mt["sigma"]
    v_eta = np.einsum("kij,kjl,kil->ki", A, psi, A)
    sd_lv = np.sqrt(v_eta)
    sd_ov = np.sqrt(np.einsum("kii->ki", sigma))
    th = mt["theta"]
    for c, name in enumerate(("lambda", "beta", "psi", "theta", "nu", "alpha", "tau", "delta")):
        sel = np.flatnonzero((grp == g) & (mat == c))
        if not len(sel):
            continue
        i, j = ii[sel], jj[sel]
        if name == "lambda":
            val = mt["lambda"][:, i, j] * sd_lv[:, j] / sd_ov[:, i]
        elif name == "beta":
            val = mt["beta"][:, i, j] * sd_lv[:, j] / sd_lv[:, i]
        elif name == "psi":
            d = np.einsum("kii->ki", psi)
            val = np.where(i == j, psi[:, i, j] / np.where(i == j, v_eta[:, i], 1.0),
                           psi[:, i, j] / np.sqrt(d[:, i] * d[:, j]))
        elif name == "theta":
            d = np.einsum("kii->ki", th)
            val = np.where(i == j, th[:, i, j] / sigma[:, i, i], th[:, i, j] / np.sqrt(d[:, i] * d[:, j]))
        elif name == "nu":
            val = mt["nu"][:, i, 0] / sd_ov[:, i]
        elif name == "alpha":
            val = mt["alpha"][:, i, 0] / sd_lv[:, i]
        elif name == "tau":
            it = item_of[i]
            val = mt["tau"][:, i, 0] / sd_ov[:, it]
        else:
            # Delta times the sd of the latent response (given the covariates): 1 in delta
            val = mt["scale"][:, i] * np.sqrt(np.einsum("kii->ki", mt["sigma_c"]))[:, i]
        out[:, sel] = val


def _std_plan(model):
    code = {"lambda": 0, "beta": 1, "psi": 2, "theta": 3, "nu": 4, "alpha": 5, "tau": 6, "delta": 7}
    item_of = np.repeat(np.arange(model.p), model.nth)
    return (np.array([r.group for r in model.rows]), np.array([code[r.mat] for r in model.rows]),
            np.array([r.i for r in model.rows]), np.array([r.j for r in model.rows]), item_of)


def _row_value(model, theta, r):
    mt = model.implied(theta[None], r.group)
    if r.mat == "delta":
        return float(mt["scale"][0, r.i])
    if r.mat == "theta":
        return float(mt["theta"][0, r.i, r.j])
    m = mt[r.mat][0]
    return float(m[r.i, r.j])


def _params(model, d, group_names):
    from ..engine import _row_dict

    theta, vcov = d.theta, d.vcov
    plan = _std_plan(model)
    k = model.npar
    X = np.empty((k + 1, k), dtype=complex)
    X[:] = theta
    h = 1e-30
    X[1:] += 1j * h * np.eye(k)
    S = _standardized(model, X, plan)
    std = S[0].real
    jac = (S[1:].imag / h).T
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, vcov, jac), 0, None))
    named = model.n_groups > 1
    out = []
    for n, r in enumerate(model.rows):
        if r.kind == "phantom":
            continue
        val = _row_value(model, theta, r)
        s = float(se[r.free]) if r.free >= 0 else None
        row = _row_dict(r, val, s, std[n], float(std_se[n]), group_names[r.group] if named else None)
        if r.free < 0 and row["std_all_se"] is not None and r.kind != "derived":
            if not np.any(jac[n]):
                row["std_all_se"] = None
        out.append(row)
    if model.base.definitions:
        out.extend(_defined(model, theta, vcov, std, jac))
    return out


def _defined(model, theta, vcov, std, jac):
    """``:=`` rows (estimates, delta-method SEs, std.all) with the engine's reader: the labels
    point at the same rows here, the matrices are those of the ordinal model."""
    from types import SimpleNamespace

    from ..engine import _defined_rows

    mats = []
    for g in range(model.n_groups):
        mt = model.implied(theta[None], g)
        mats.append({k: mt[k][0] for k in ("lambda", "beta", "psi", "theta", "nu", "alpha", "tau", "delta")})
    shim = SimpleNamespace(definitions=model.base.definitions, labels=model.base.labels, rows=model.rows,
                           npar=model.npar)
    return _defined_rows(shim, SimpleNamespace(mats=mats), vcov, std, jac)


def _r2(model, theta, group_names):
    out = {}
    endo_lv = [v for v in model.base.endogenous if v in model.lv]
    for g in range(model.n_groups):
        mt = model.implied(theta[None], g)
        sigma, th, A, psi = mt["sigma"][0], mt["theta"][0], mt["A"][0], mt["psi"][0]
        v_eta = np.sum((A @ psi) * A, axis=1)
        res = {}
        for v in model.base.endogenous:
            if v in endo_lv:
                k = model.lv.index(v)
                res[v] = float(1 - psi[k, k] / v_eta[k])
            elif v in model.ov:
                k = model.ov.index(v)
                res[v] = float(1 - th[k, k] / sigma[k, k])
        out[group_names[g] if model.n_groups > 1 else None] = res
    return out


def _thresholds(params):
    return [{"item": p["lhs"], "threshold": p["rhs"], "group": p["group"], "estimate": p["estimate"],
             "se": p["se"], "std_all": p["std_all"]} for p in params if p["op"] == "|"]


def fit_wlsmv(syntax, columns, xs, group_names, ordered, *, std_lv=False, group_equal=(), group_partial=(),
              parameterization="delta", rules=None, missing="listwise", file=None, model_file=None,
              samples=None) -> WLSMVFit:
    """Fit ``syntax`` by WLSMV to the groups' rows ``xs`` (each n_g x p over the model's
    observed variables, in the model's order; NaN = missing, used pairwise with
    ``missing="pairwise"``)."""
    from .estimate import dwls
    from .measures import wlsmv_measures
    from .model import build_ordinal
    from .sample import ordinal_sample

    from ..partable import build_sem

    base0 = build_sem(syntax, columns, file=model_file)
    ov = base0.ov
    ordered = [v for v in ordered if v not in set(base0.ov_x)]   # as lavaan's ordered = TRUE: not the covariates
    check_supported(syntax, columns, ordered, file=model_file)
    if base0.ov_x:
        return _fit_conditional(syntax, columns, xs, group_names, ordered, base0, std_lv=std_lv,
                                group_equal=group_equal, group_partial=group_partial,
                                parameterization=parameterization, rules=rules, missing=missing, file=file,
                                model_file=model_file, samples=samples)
    ordset = set(ordered)
    numeric = np.array([v not in ordset for v in ov])
    allx = np.vstack(xs)
    levels = item_levels(allx, ov)
    for v, lv, num in zip(ov, levels, numeric):
        if not num and len(lv) > 15:
            raise AvoidSurveyError(f"column '{v}' has {len(lv)} distinct values: too many categories for an ordered "
                                   f"item (at most 15); leave it out of --ordered to treat it as continuous",
                                   file=file, column=v)
    nth = {v: len(lv) - 1 for v, lv, num in zip(ov, levels, numeric) if not num}
    model = build_ordinal(syntax, columns, [v for v in ov if v in ordset], nth, n_groups=len(xs), std_lv=std_lv,
                          group_equal=group_equal, group_partial=group_partial, parameterization=parameterization,
                          rules=rules, file=model_file)
    if samples is None:
        samples = [ordinal_sample(x, ov, levels, name=nm, file=file, missing=missing, numeric=numeric)
                   for x, nm in zip(xs, group_names)]
    d = dwls(model, samples)
    fm = wlsmv_measures(d)
    params = _params(model, d, group_names)
    names = list(group_names)
    return WLSMVFit(model, d, fm, params, _r2(model, d.theta, names), _thresholds(params),
                    [{"group": nm, "n": s.n} for nm, s in zip(group_names, samples)], d.vcov, list(d.warnings))


def _fit_conditional(syntax, columns, xs, group_names, ordered, base0, *, std_lv, group_equal, group_partial,
                     parameterization, rules, missing, file, model_file, samples):
    """Observed covariates (lavaan's conditional.x): probit regressions and residual polychoric
    correlations as statistics (:mod:`.conditional`); the covariates' own moments are fixed at
    their sample values (fixed.x)."""
    from .conditional import conditional_sample
    from .estimate import dwls
    from .measures import wlsmv_measures
    from .model import build_ordinal
    from .sample import OrdinalSample

    ov, xnames = base0.ov, list(base0.ov_x)
    ynames = [v for v in ov if v not in set(xnames)]
    cont = [v for v in ynames if v not in set(ordered)]
    if cont:
        raise AvoidSurveyError(f"with observed covariates every other model variable must be ordered; not ordered: "
                               f"{', '.join(cont)}", file=file, column=cont[0])
    if missing != "listwise":
        raise AvoidSurveyError("--missing pairwise with observed covariates is not available: use listwise",
                               file=file)
    yi = [ov.index(v) for v in ynames]
    xi = [ov.index(v) for v in xnames]
    levels = item_levels(np.vstack(xs)[:, yi], ynames)
    nth = {v: len(lv) - 1 for v, lv in zip(ynames, levels)}
    model = build_ordinal(syntax, columns, ynames, nth, n_groups=len(xs), std_lv=std_lv, group_equal=group_equal,
                          group_partial=group_partial, parameterization=parameterization, rules=rules,
                          file=model_file)
    eta = {v: k for k, v in enumerate(model.base.lv)}
    model.meta["cond"] = {"y": np.array(yi), "x_ov": np.array(xi), "x_eta": np.array([eta[v] for v in xnames])}
    moments = []
    for x in xs:
        X = x[:, xi]
        mean = X.mean(axis=0)
        moments.append((mean, (X - mean).T @ (X - mean) / (len(X) - 1)))   # lavaan: cov.x with N - 1
    for r in model.rows:
        if r.kind == "fixedx":
            mean, cov = moments[r.group]
            a = xnames.index(r.lhs)
            r.value = float(mean[a]) if r.op == "~1" else float(cov[a, xnames.index(r.rhs)])
    model.meta.pop("plan", None)
    if samples is None:
        samples = []
        for x, nm, (mean, cov) in zip(xs, group_names, moments):
            th, slopes, R, obs, gamma, cut = conditional_sample(x[:, yi], x[:, xi], ynames, levels, name=nm,
                                                                file=file)
            dg = np.diag(gamma)
            s = OrdinalSample(nm, int(len(x)), ynames, levels, th, R, obs, gamma, 1.0 / dg,
                              np.zeros(len(yi), bool), cut, np.zeros(len(yi)), np.ones(len(yi)))
            S = np.zeros((len(ov), len(ov)))
            S[np.ix_(yi, yi)] = R
            S[np.ix_(xi, xi)] = cov
            m = np.zeros(len(ov))
            m[xi] = mean
            s.start_S, s.start_mean = S, m
            samples.append(s)
    d = dwls(model, samples)
    fm = wlsmv_measures(d)
    params = _params(model, d, group_names)
    names = list(group_names)
    return WLSMVFit(model, d, fm, params, _r2(model, d.theta, names), _thresholds(params),
                    [{"group": nm, "n": s.n} for nm, s in zip(group_names, samples)], d.vcov, list(d.warnings))
