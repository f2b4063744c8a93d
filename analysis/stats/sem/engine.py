"""Fit a SEM parameter table by ML on the CFA engine and read what lavaan prints from it:
estimates with SE, z, p and CI, ``std.all`` with delta-method SEs, R², defined parameters.

SEs: expected information for complete data (lavaan's default), observed information with
``missing = "ml"``, Huber-White sandwich with MLR (:mod:`.robust`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...core.errors import AvoidSurveyError
from ..cfa.estimate import _Filler, estimate, implied, start_values
from ..cfa.fitted import check_df as _check_df, std_jacobian
from .defined import defined_values
from .partable import build_sem, set_fixed_x

__all__ = ["SemFit", "fit_sem", "Z975"]

Z975 = 1.959963984540054


@dataclass(frozen=True)
class SemFit:
    model: object
    est: object
    groups: list
    vcov: np.ndarray
    fit: dict
    params: list
    r2: dict
    warnings: list = field(default_factory=list)
    robust: object = None


def sem_start(model, groups):
    """lavaan-like starts; phantom (observed) residual variances start at half the sample variance;
    a parameter given ``start(value)*`` in the syntax starts at that value."""
    theta = start_values(model, groups)
    idx = {v: k for k, v in enumerate(model.ov)}
    for r in model.rows:
        if r.free >= 0 and r.mat == "psi" and r.i == r.j and r.lhs in idx:
            theta[r.free] = 0.5 * groups[r.group].S[idx[r.lhs], idx[r.lhs]]
        elif r.free >= 0 and r.mat == "alpha" and r.lhs in idx:   # a phantom's intercept: its mean
            theta[r.free] = groups[r.group].mean[idx[r.lhs]]
    for r in model.rows:   # the user's start values (start(0.2)*x) win
        if r.free >= 0 and getattr(r, "start", None) is not None:
            theta[r.free] = r.start
    return theta


def _estimate(model, groups, start):
    """ML estimates; with missing-data patterns the SEs come from the analytic observed
    information (:mod:`..cfa.fiml_info`, shared with `cfa`)."""
    return estimate(model, groups, start=start)


def _wald(est, se):
    from ...numerics.dist import norm_sf

    if se is None or not (se > 0):
        return None, None, None, None
    z = est / se
    return z, 2 * norm_sf(abs(z)), est - Z975 * se, est + Z975 * se


def _none(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def _row_dict(r, est, se, std, std_se, group):
    z, p, lo, hi = _wald(est, se)
    return {"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": group, "label": r.label, "free": r.free >= 0,
            "estimate": float(est), "se": _none(se), "z": _none(z), "p": _none(p), "ci_lower": _none(lo),
            "ci_upper": _none(hi), "std_all": _none(std), "std_all_se": _none(std_se) if std_se and std_se > 1e-12
            else None}


def parameter_table(model, est, vcov, groups, std, jac):
    """The visible rows (phantom rows left out), then the defined parameters."""
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, vcov, jac), 0, None))
    named = len(groups) > 1
    out = []
    for k, r in enumerate(model.rows):
        if r.kind == "phantom":
            continue
        val = est.mats[r.group][r.mat][r.i, r.j]
        s = float(se[r.free]) if r.free >= 0 else None
        out.append(_row_dict(r, val, s, std[k], float(std_se[k]) if r.free >= 0 or r.kind != "fixedx" else None,
                             groups[r.group].name if named else None))
    out.extend(_defined_rows(model, est, vcov, std, jac))
    return out


def _defined_rows(model, est, vcov, std, jac):
    if not model.definitions:
        return []
    vals, grads, svals, sgrads = {}, {}, {}, {}
    for lab, k in model.labels.items():
        r = model.rows[k]
        vals[lab] = float(est.mats[r.group][r.mat][r.i, r.j])
        g = np.zeros(model.npar)
        if r.free >= 0:
            g[r.free] = 1.0
        grads[lab] = g
        svals[lab], sgrads[lab] = float(std[k]), jac[k]
    raw = defined_values(model.definitions, vals, grads, model.npar)
    stdd = defined_values(model.definitions, svals, sgrads, model.npar)
    out = []
    for (name, v, g), (_, sv, sg), d in zip(raw, stdd, model.definitions):
        se = float(np.sqrt(max(g @ vcov @ g, 0.0)))
        sse = float(np.sqrt(max(sg @ vcov @ sg, 0.0)))
        z, p, lo, hi = _wald(v, se)
        out.append({"lhs": name, "op": ":=", "rhs": d.text, "group": None, "label": name, "free": False,
                    "estimate": v, "se": _none(se), "z": _none(z), "p": _none(p), "ci_lower": _none(lo),
                    "ci_upper": _none(hi), "std_all": _none(sv), "std_all_se": _none(sse)})
    return out


def r_squared(model, est, groups) -> dict:
    """R² of every endogenous variable (indicators, regressed observed and latent variables)."""
    out = {}
    ovi = {v: k for k, v in enumerate(model.ov)}
    eta = {v: k for k, v in enumerate(model.lv)}
    for g, mt in enumerate(est.mats):
        sigma, _, A, _, _ = implied(mt, model.meanstructure)
        v_eta = np.sum((A @ mt["psi"]) * A, axis=1)
        res = {}
        for v in model.endogenous:
            if v in eta:   # a latent or a phantom (regressed observed) variable
                k = eta[v]
                res[v] = float(1 - mt["psi"][k, k] / v_eta[k])
            else:
                k = ovi[v]
                res[v] = float(1 - mt["theta"][k, k] / sigma[k, k])
        out[groups[g].name if len(groups) > 1 else None] = res
    return out


def _fixed_x_adjust(model, fm, groups):
    """With fixed.x covariates lavaan conditions on them: their (co)variances (and means) are no
    sample moments of the model (df), the log-likelihood is that of y given x, and the
    baseline model keeps the covariances among the covariates."""
    from ...numerics.dist import chi2_sf
    from ..cfa.fit import incremental, rmsea_ci, rmsea_point

    xi = [model.ov.index(v) for v in model.ov_x]
    if not xi:
        return fm
    G, nx, ntotal = len(groups), len(xi), fm["ntotal"]
    chisq_b, logl_x = 0.0, 0.0
    y = [k for k in range(model.p) if k not in xi]
    for gd in groups:
        S = gd.S
        _, ld = np.linalg.slogdet(S)
        _, ldx = np.linalg.slogdet(S[np.ix_(xi, xi)])
        if gd.patterns is None:
            chisq_b += gd.n * (np.sum(np.log(np.diag(S)[y])) + ldx - ld)
        logl_x += -gd.n / 2 * (nx * math.log(2 * math.pi) + ldx + nx)
    if any(gd.patterns is not None for gd in groups):
        # FIML (rows with a missing covariate deleted, so the covariates are complete and their
        # EM moments are the sample moments): the independence model with the covariates'
        # covariances kept differs from the all-independent one by n (sum log s_xx - log|S_xx|)
        chisq_b = fm["baseline_chisq"] - sum(
            gd.n * (np.sum(np.log(np.diag(gd.S)[xi])) - np.linalg.slogdet(gd.S[np.ix_(xi, xi)])[1])
            for gd in groups)
    df = fm["df"] - G * (nx * (nx + 1) // 2 + (nx if model.meanstructure else 0))
    df_b = fm["baseline_df"] - G * nx * (nx - 1) // 2
    chisq = fm["chisq"]
    cfi, tli = incremental(chisq, df, chisq_b, df_b)
    lo, hi = rmsea_ci(chisq, df, ntotal, G)
    logl = fm["logl"] - logl_x
    npar = fm["npar"]
    return dict(fm, df=int(df), pvalue=float(chi2_sf(chisq, df)) if df > 0 else (1.0 if df == 0 else math.nan),
                baseline_chisq=float(chisq_b), baseline_df=int(df_b), cfi=float(cfi), tli=float(tli),
                rmsea=float(rmsea_point(chisq, df, ntotal, G)), rmsea_ci_lower=float(lo), rmsea_ci_upper=float(hi),
                logl=float(logl), unrestricted_logl=float(fm["unrestricted_logl"] - logl_x),
                aic=float(-2 * logl + 2 * npar), bic=float(-2 * logl + npar * math.log(ntotal)))


def fit_sem(syntax, columns, groups, *, std_lv=False, meanstructure=False, estimator="ML", data=None,
            file=None, start=None, group_equal=(), group_partial=()) -> SemFit:
    """Build, estimate and read a SEM (``data``: each group's raw rows, needed for MLR)."""
    from ..cfa.fit import fit_measures

    model = build_sem(syntax, columns, n_groups=len(groups), std_lv=std_lv, meanstructure=meanstructure,
                      group_equal=group_equal, group_partial=group_partial, file=file)
    set_fixed_x(model, groups)
    _check_df(model, len(groups), file)
    est = _estimate(model, groups, sem_start(model, groups) if start is None else start)
    fm = _fixed_x_adjust(model, fit_measures(model, est, groups), groups)
    if abs(fm["chisq"]) < 1e-9:   # a saturated model: no rounding noise below zero
        fm = dict(fm, chisq=0.0)
    vcov, rob = est.vcov, None
    if estimator == "MLR":
        from .robust import mlr

        rob = mlr(model, est, groups, data, fm)
        vcov = rob.vcov
        fm = dict(fm, **rob.fit)
    elif data is not None and any(gd.patterns is not None for gd in groups):
        from .robust import fiml_robust_ml   # lavaan reports these with ML and missing = "ml" too

        fm = dict(fm, **fiml_robust_ml(model, est, groups, data, fm))
    filler = _Filler(model)
    std, jac = std_jacobian(model, est.theta, filler)
    params = parameter_table(model, est, vcov, groups, std, jac)
    return SemFit(model, est, groups, vcov, fm, params, r_squared(model, est, groups), list(est.warnings), rob)
