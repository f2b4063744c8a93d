"""Ordinal measurement invariance with the identification of Wu & Estabrook (2016), as
``semTools::measEq.syntax(..., ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")`` fitted by
lavaan with ``estimator = "WLSMV"``, and the scaled-shifted difference tests of
``lavTestLRT`` (Satorra 2000, lavaan's default method for WLSMV).

Levels (delta parameterization; with theta the residual variances of the ordered items play
the part of the scaling factors):

==============  ===========  ==============  ==============  ==============  ===========
level           thresholds   loadings        intercepts      scaling (g>1)   means (g>1)
==============  ===========  ==============  ==============  ==============  ===========
configural      free         free            0               1               0
thresholds      equal        free            free (g>1)      free            0
metric          equal        equal           free (g>1)      free            0
scalar          equal        equal           0               free            free
==============  ===========  ==============  ==============  ==============  ===========

Factor variances are 1 in every group until loadings are equal, then free after the first.

Difference test of nested fits m1 (less restrictive) and m0: with ``D1``, ``D0`` the stacked
Jacobians, ``A`` a basis of the orthogonal complement of ``pinv(D1) D0`` (the constraints in
m1's parameters), ``E1`` m1's unit information and ``P = E1^-1 A' (A E1^-1 A')^+ A E1^-1``::

    U  = bdiag(W_g) D1 P D1' bdiag(W_g),   UG = U bdiag(f_g Gamma_g)
    a  = sqrt(m / tr(UG^2)),  b = m - a tr(UG),  T_delta = a (T0 - T1) + b,  df = m
"""
from __future__ import annotations

import math

import numpy as np

from ....core.errors import AvoidSurveyError
from ....numerics.dist import chi2_sf

__all__ = ["ordinal_invariance", "LEVELS", "satorra2000_shifted"]

LEVELS = ("configural", "thresholds", "metric", "scalar")


def _rules(level):
    from .model import GroupRules

    if level == "configural":
        return GroupRules(), ()
    if level == "thresholds":
        return GroupRules(thresholds_equal=True, nu_free=True, scale_free=True), ()
    if level == "metric":
        return GroupRules(thresholds_equal=True, nu_free=True, scale_free=True), ("loadings",)
    return GroupRules(thresholds_equal=True, nu_free=False, scale_free=True, alpha_free=True), ("loadings",)


def _orth_complement(H, tol=1e-9):
    """Orthonormal basis (columns) of the complement of H's column space."""
    U, s, _ = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(s > tol * max(s[0], 1e-300))) if len(s) else 0
    return U[:, rank:]


def satorra2000_shifted(m1, m0):
    """lavaan's scaled-shifted difference test of nested WLSMV fits (``m1`` less restrictive)."""
    T1, T0 = m1.dwls.chisq, m0.dwls.chisq
    r1, r0 = m1.fit["df"], m0.fit["df"]
    m = r0 - r1
    if m <= 0:
        return T0 - T1, m, math.nan
    d1, d0 = m1.dwls, m0.dwls
    D1 = np.vstack(d1.jac)
    D0 = np.vstack(d0.jac)
    H = np.linalg.pinv(D1) @ D0
    A = _orth_complement(H).T
    Pinv = d1.info_inv
    APA = A @ Pinv @ A.T
    keep = ~((np.abs(APA.sum(axis=0)) < math.sqrt(np.finfo(float).eps))
             & (np.abs(APA.sum(axis=1)) < math.sqrt(np.finfo(float).eps)))
    A = A[keep]
    PAAPAAP = Pinv @ A.T @ np.linalg.pinv(A @ Pinv @ A.T) @ A @ Pinv
    N = d1.ntotal
    w = np.concatenate([s.wdiag for s in d1.samples])
    fg = [s.n / N for s in d1.samples]
    Gall = _bdiag([f * s.gamma for f, s in zip(fg, d1.samples)])
    WD = w[:, None] * D1
    U = WD @ PAAPAAP @ WD.T
    UG = U @ Gall
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    a = math.sqrt(m / tr2)
    b = m - a * tr1
    return (T0 - T1) * a + b, m, chi2_sf((T0 - T1) * a + b, m)


def _bdiag(blocks):
    from .estimate import _bdiag as bd

    return bd(blocks)


_ROW_KEYS = ("chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
             "chisq_shift_parameter", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
             "cfi_scaled", "tli_scaled", "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled",
             "cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
             "baseline_chisq", "baseline_df", "baseline_chisq_scaled", "npar")


def _row(level, f, prev_fit, prev_row):
    fm = f.fit
    row = {"level": level}
    row.update({k: fm.get(k) for k in _ROW_KEYS})
    row.update(aic=None, bic=None, converged=f.dwls.converged, chisq_diff=None, df_diff=None, p_diff=None,
               delta_cfi=None, delta_rmsea=None, delta_cfi_scaled=None, delta_cfi_robust=None,
               test="scaled-shifted (Satorra 2000)")
    if prev_fit is not None:
        td, m, p = satorra2000_shifted(prev_fit, f)
        row.update(chisq_diff=float(td), df_diff=int(m), p_diff=None if math.isnan(p) else float(p))

        def diff(key):
            a, b = fm.get(key), prev_row.get(key)
            return None if a is None or b is None else a - b

        row.update(delta_cfi=diff("cfi"), delta_rmsea=diff("rmsea"), delta_cfi_scaled=diff("cfi_scaled"),
                   delta_cfi_robust=diff("cfi_robust"))
    row["loadings"] = [{"group": p["group"], "factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"],
                        "se": p["se"], "std": p["std_all"]} for p in f.params if p["op"] == "=~"]
    row["thresholds"] = [{"group": p["group"], "item": p["lhs"], "threshold": p["rhs"], "estimate": p["estimate"],
                          "se": p["se"]} for p in f.params if p["op"] == "|"]
    return row


def ordinal_invariance(syntax, columns, xs, names, ordered, *, missing="listwise", parameterization="delta",
                       file=None, model_file=None):
    """The four levels fitted by WLSMV; (rows, groups)."""
    from .fit import fit_wlsmv, item_levels

    allx = np.vstack(xs)
    from ..partable import build_sem

    ov = build_sem(syntax, columns, file=model_file).ov
    cont = [v for v in ov if v not in set(ordered)]
    if cont:
        raise AvoidSurveyError(f"ordinal invariance needs every indicator ordered; not ordered: {', '.join(cont)} "
                               f"(use --ordered all, or --estimator ml for continuous items)", file=file,
                               column=cont[0])
    for v, lv in zip(ov, item_levels(allx, ov)):
        if len(lv) < 3:
            raise AvoidSurveyError(f"item '{v}' has two categories: ordinal invariance with the Wu & Estabrook "
                                   f"(2016) identification is implemented here for items with 3 or more "
                                   f"categories", file=file, column=v)
    rows, prev_fit, prev_row, groups = [], None, None, None
    for level in LEVELS:
        rules, ge = _rules(level)
        f = fit_wlsmv(syntax, columns, xs, names, ordered, std_lv=True, group_equal=ge, rules=rules,
                      parameterization=parameterization, missing=missing, file=file, model_file=model_file,
                      samples=prev_fit.dwls.samples if prev_fit is not None else None)
        row = _row(level, f, prev_fit, prev_row)
        rows.append(row)
        prev_fit, prev_row, groups = f, row, f.groups
    return rows, groups
