"""One model fitted to the groups' moments: build, estimate, standardize, check the solution."""
from __future__ import annotations

import math

import numpy as np

from ...core.errors import AvoidSurveyError, ConvergenceWarning, HeywoodWarning
from .result import Fitted, record

__all__ = ["fit_model", "std_with_se", "std_jacobian", "parameter_rows", "check_df"]


def check_df(model, n_groups, file):
    """A model with more free parameters than sample moments is not identified: exit 2."""
    pstar = model.p * (model.p + 1) // 2 + (model.p if model.meanstructure else 0)
    df = n_groups * pstar - model.npar
    if df < 0:
        raise AvoidSurveyError(f"the model is not identified: {model.npar} free parameters but only "
                               f"{n_groups * pstar} sample moments (df = {df})", file=file)


def std_jacobian(model, theta, filler):
    """std.all of every row and its Jacobian over the free parameters (central differences)."""
    from .estimate import standardized

    std = standardized(model, theta, filler)
    jac = np.empty((len(std), model.npar))
    for t in range(model.npar):
        h = 1e-6 * max(1.0, abs(theta[t]))
        up, dn = theta.copy(), theta.copy()
        up[t] += h
        dn[t] -= h
        jac[:, t] = (standardized(model, up, filler) - standardized(model, dn, filler)) / (2 * h)
    return std, jac


def std_with_se(model, theta, vcov, filler):
    """std.all of every row and its delta-method SE (lavaan's standardizedSolution se)."""
    std, jac = std_jacobian(model, theta, filler)
    std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, vcov, jac), 0, None))
    return std, std_se


def parameter_rows(model, est, groups, std, std_se):
    """One dict per parameter-table row: estimate, SE, z, p (NaN where fixed), std.all and its SE."""
    from ...numerics.dist import norm_sf

    se = np.sqrt(np.clip(np.diag(est.vcov), 0, None))
    params = []
    for k, r in enumerate(model.rows):
        val = est.mats[r.group][r.mat][r.i, r.j]
        if r.free >= 0:
            s = float(se[r.free])
            z = float(val) / s if s > 0 else math.nan
            p = 2 * norm_sf(abs(z)) if math.isfinite(z) else math.nan
        else:
            s = z = p = math.nan
        params.append({"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": groups[r.group].name, "label": r.label,
                       "free": r.free >= 0, "estimate": float(val), "se": s, "z": z, "p": p,
                       "std": float(std[k]), "std_se": float(std_se[k]) if std_se[k] > 1e-12 else math.nan})
    return params


def _solution_warnings(model, est, groups, params, sink):
    """Non-convergence, negative variances, non-PD factor or implied covariance matrices."""
    for w in est.warnings:
        record(sink, "cfa-not-converged", w, ConvergenceWarning)
    many = len(groups) > 1
    for r, pr in zip(model.rows, params):
        if r.op == "~~" and r.lhs == r.rhs and pr["estimate"] < 0:
            where = f" in group '{pr['group']}'" if many else ""
            kind = "residual variance of item" if r.mat == "theta" else "variance of factor"
            record(sink, "cfa-negative-variance", f"Heywood case: negative {kind} '{r.lhs}' ({pr['estimate']:.4g})"
                   f"{where}; the solution is improper", HeywoodWarning, r.lhs)
    for g, mt in enumerate(est.mats):
        where = f" in group '{groups[g].name}'" if many else ""
        A = np.linalg.inv(np.eye(model.m) - mt["beta"])
        if model.m > 1 and np.linalg.eigvalsh(A @ mt["psi"] @ A.T)[0] < -1e-10:
            record(sink, "cfa-factor-cov-not-pd", f"the covariance matrix of the factors{where} is not positive "
                   f"definite (a factor correlation beyond +-1 or a negative variance): the solution is improper",
                   HeywoodWarning)
        if np.linalg.eigvalsh(est.sigma[g])[0] <= 0:
            record(sink, "cfa-implied-not-pd", f"the model-implied covariance matrix{where} is not positive definite",
                   HeywoodWarning)


def fit_model(statements, columns, groups, *, std_lv, group_equal=(), meanstructure=None, file=None,
              warnings=None) -> Fitted:
    """Build the parameter table, fit it by ML and read estimates, SEs and std.all from it."""
    from .estimate import _Filler, estimate
    from .fit import fit_measures
    from .model import build_model

    model = build_model(statements, columns, n_groups=len(groups), std_lv=std_lv, group_equal=group_equal,
                        meanstructure=meanstructure, file=file)
    check_df(model, len(groups), file)
    est = estimate(model, groups)
    fm = fit_measures(model, est, groups)
    std, std_se = std_with_se(model, est.theta, est.vcov, _Filler(model))
    params = parameter_rows(model, est, groups, std, std_se)
    if warnings is not None:
        _solution_warnings(model, est, groups, params, warnings)
    return Fitted(model, est, groups, fm, params)
