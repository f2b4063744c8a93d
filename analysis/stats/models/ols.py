"""Ordinary least squares with classical, HC0-HC3 and one-/two-way cluster-robust SEs.

Matches R: ``lm`` for estimates, ``summary.lm`` for the classical SEs, R2, adjusted R2 and
F; ``sandwich::vcovHC(type=...)`` for HC0-HC3; ``sandwich::vcovCL`` with its defaults for
clustering (``type = "HC1"``, ``cadjust = TRUE``, ``multi0 = FALSE``, ``fix = FALSE``):

    V = (X'X)^-1 [ sum_c sign_c * G_c/(G_c - 1) * sum_g (X_g'e_g)(X_g'e_g)' ] (X'X)^-1 * (N-1)/(N-K)

where for two-way clustering c runs over {A, B, A∩B} with signs (+, +, -). ``hc: HC0``
drops the (N-1)/(N-K) factor. Inference uses t with N-K degrees of freedom for every SE
type, as ``lmtest::coeftest(fit, vcov = ...)`` does.
"""
from __future__ import annotations

import math
from dataclasses import replace

from ...core.errors import AvoidSurveyError
from .result import Coef, ModelFit, model_warning

__all__ = ["fit_ols", "ols_core", "cluster_meat", "gvif", "column_vif", "coefs_from"]

SE_TYPES = ("classical", "HC0", "HC1", "HC2", "HC3", "cluster")


def ols_core(y, X):
    """(beta, XtX_inv, residuals, hat diagonal) via QR."""
    import numpy as np
    Q, R = np.linalg.qr(X)
    beta = np.linalg.solve(R, Q.T @ y)
    Rinv = np.linalg.solve(R, np.eye(R.shape[0]))
    XtX_inv = Rinv @ Rinv.T
    e = y - X @ beta
    h = (Q ** 2).sum(axis=1)
    return beta, XtX_inv, e, h


def cluster_meat(ef, clusters, *, file=None, line=None):
    """sum_c sign_c * G_c/(G_c-1) * sum_g s_g s_g' for one or two clustering variables.

    ``ef`` is the n x k matrix of score contributions (e_i x_i for OLS); ``clusters`` a
    list of 1-d arrays of labels. Mirrors ``sandwich::meatCL`` (before its 1/n).
    """
    import itertools

    import numpy as np
    import pandas as pd

    if len(clusters) > 2:
        raise AvoidSurveyError("at most two clustering variables are supported", file=file, line=line)
    labels = [pd.Series(np.asarray(c)).astype(str).to_numpy() for c in clusters]
    combos = []
    for r in range(1, len(labels) + 1):
        for combo in itertools.combinations(range(len(labels)), r):
            combos.append(combo)
    k = ef.shape[1]
    meat = np.zeros((k, k))
    gs = []
    for combo in combos:
        if len(combo) == 1:
            lab = labels[combo[0]]
        else:
            lab = np.char.add(np.char.add(labels[combo[0]].astype(str), "\x1f"), labels[combo[1]].astype(str))
        codes, uniq = pd.factorize(lab)
        g = len(uniq)
        if g < 2:
            raise AvoidSurveyError("cluster-robust SEs need at least 2 clusters", file=file, line=line)
        sums = np.zeros((g, k))
        np.add.at(sums, codes, ef)
        sign = (-1) ** (len(combo) + 1)
        meat += sign * g / (g - 1) * (sums.T @ sums)
        if len(combo) == 1:
            gs.append(g)
    return meat, gs


def gvif(X, names, terms):
    """Generalized VIF per term (Fox & Monette 1992), as ``car::vif``.

    GVIF_t = det(R_tt) det(R_oo) / det(R) over the correlation matrix R of the non-intercept
    design columns; for a one-column term it is the usual 1/(1-R2_j). Returns
    {term: {"gvif", "df", "gvif_adj"}} with gvif_adj = GVIF^(1/(2 df)).
    """
    import numpy as np
    idx = [j for j, t in enumerate(terms) if t != "Intercept"]
    tnames = list(dict.fromkeys(terms[j] for j in idx))
    if len(tnames) < 2:
        return {}
    R = np.corrcoef(X[:, idx], rowvar=False)
    detR = np.linalg.det(R)
    out = {}
    pos = {j: i for i, j in enumerate(idx)}
    for t in tnames:
        s = [pos[j] for j in idx if terms[j] == t]
        o = [pos[j] for j in idx if terms[j] != t]
        g = np.linalg.det(R[np.ix_(s, s)]) * np.linalg.det(R[np.ix_(o, o)]) / detR
        out[t] = {"gvif": float(g), "df": len(s), "gvif_adj": float(g ** (1 / (2 * len(s))))}
    return out


def column_vif(X, names):
    """VIF of each design column from its auxiliary regression: 1 / (1 - R2_j), R2_j of column j
    regressed (with an intercept) on the other non-intercept columns, i.e. the diagonal of the
    inverse correlation matrix of the columns.

    As SPSS prints it: a factor's dummies and an interaction's product column each get their
    own VIF. For one-column terms this equals ``car::vif``; ``gvif`` gives car's term-level
    GVIF of factors. Returns {column name: vif}; the intercept gets None, a single predictor
    1.0, a column with no variance None.
    """
    import numpy as np
    idx = [j for j, nm in enumerate(names) if nm != "Intercept"]
    out = {nm: None for nm in names}
    if len(idx) == 1:
        out[names[idx[0]]] = 1.0
    if len(idx) < 2:
        return out
    Z = X[:, idx]
    sd = Z.std(axis=0, ddof=1)
    ok = sd > 0
    if ok.sum() < 2:
        return out
    R = np.corrcoef(Z[:, ok], rowvar=False)
    try:
        d = np.diag(np.linalg.inv(R))
    except np.linalg.LinAlgError:
        return out
    for k, j in enumerate(np.asarray(idx)[ok]):
        out[names[j]] = float(d[k])
    return out


def coefs_from(names, beta, se, *, df=None, ci=0.95, std=None):
    """Coef list with t (df given) or z statistics, two-sided p and Wald CIs."""
    from ...numerics.dist import t_crit, t_sf2
    out = []
    crit = t_crit(ci, df)
    for j, nm in enumerate(names):
        b, s = float(beta[j]), float(se[j])
        if not math.isfinite(s) or s <= 0:
            stat = p = lo = hi = float("nan")
        else:
            stat = b / s
            p = t_sf2(stat, df)
            lo, hi = b - crit * s, b + crit * s
        out.append(Coef(nm, b, s, stat, p, lo, hi, None if std is None else std[j]))
    return out


def robust_vcov(X, XtX_inv, e, h, se_type, clusters=None, hc="HC1", *, file=None, line=None):
    """Covariance of OLS coefficients for the chosen SE type (see module docstring)."""
    import numpy as np
    n, k = X.shape
    if se_type == "classical":
        return XtX_inv * (e @ e) / (n - k)
    if se_type in ("HC0", "HC1", "HC2", "HC3"):
        if se_type in ("HC2", "HC3") and np.any(h > 1 - 1e-10):
            raise AvoidSurveyError(f"{se_type} is undefined: an observation has leverage 1", file=file, line=line)
        w = {"HC0": e ** 2, "HC1": e ** 2 * n / (n - k), "HC2": e ** 2 / (1 - h),
             "HC3": e ** 2 / (1 - h) ** 2}[se_type]
        meat = (X * w[:, None]).T @ X
        return XtX_inv @ meat @ XtX_inv
    if se_type == "cluster":
        meat, _ = cluster_meat(X * e[:, None], clusters, file=file, line=line)
        V = XtX_inv @ meat @ XtX_inv
        if hc == "HC1":
            V = V * (n - 1) / (n - k)
        return V
    raise AvoidSurveyError(f"unknown SE type '{se_type}' (use {', '.join(SE_TYPES)})", file=file, line=line)


def fit_ols(y, X, names, terms=None, *, se_type="classical", clusters=None, hc="HC1", ci=0.95,
            name="model", file=None, line=None) -> ModelFit:
    """Fit y = X b + e by least squares.

    Parameters
    ----------
    y : 1-d float array; X : n x k design (intercept column included when wanted)
    names, terms : column names and the formula term of each column
    se_type : {'classical', 'HC0', 'HC1', 'HC2', 'HC3', 'cluster'}
    clusters : list of one or two label arrays (se_type='cluster')
    hc : {'HC1', 'HC0'} small-sample type for clustered SEs (sandwich::vcovCL ``type``)

    Returns
    -------
    ModelFit with fit = {r2, adj_r2, f, f_df1, f_df2, f_p, sigma, loglik, aic, bic, df_resid},
    std_estimate = b_j sd(x_j) / sd(y) (all variables standardized; as lm.beta), repeated as
    each coefficient's ``beta`` (= ``lm(scale(y) ~ scale(X))`` over the design columns, as SPSS:
    a factor's dummies and an interaction's product column are standardized as columns), each
    coefficient's ``vif`` (:func:`column_vif`, the auxiliary regressions), and extra ``vif``
    (GVIF per term, as car::vif). In R: ``lm`` + ``sandwich``.
    """
    import numpy as np

    from ...numerics.dist import f_sf

    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    terms = list(terms) if terms is not None else list(names)
    n, k = X.shape
    if n <= k:
        raise AvoidSurveyError(f"model '{name}': {n} complete rows for {k} coefficients", file=file, line=line)
    beta, XtX_inv, e, h = ols_core(y, X)
    V = robust_vcov(X, XtX_inv, e, h, se_type, clusters, hc, file=file, line=line)
    warnings = []
    diag = np.diag(V).copy()
    if np.any(diag < 0):
        warnings.append(model_warning("model-negative-variance", f"model '{name}': a cluster-robust variance is "
                                      "negative (two-way clustering); SE set to NaN", location=name))
        diag[diag < 0] = np.nan
    se = np.sqrt(diag)
    df = n - k
    has_int = "Intercept" in names
    sdy = y.std(ddof=1)
    std = [None if nm == "Intercept" else float(beta[j] * X[:, j].std(ddof=1) / sdy) if sdy > 0 else None
           for j, nm in enumerate(names)]
    vifs = column_vif(X, list(names))
    coefs = [replace(c, more={"beta": c.std_estimate, "vif": vifs.get(c.term)})
             for c in coefs_from(names, beta, se, df=df, ci=ci, std=std)]
    ssr = float(e @ e)
    fitted = y - e
    if ssr / df < (fitted.mean() ** 2 + (fitted.var(ddof=1) if n > 1 else 0.0)) * 1e-30:
        # R's summary.lm test: residuals at the level of rounding error, so every SE, t and p
        # below is noise
        warnings.append(model_warning("model-perfect-fit", f"model '{name}': essentially perfect fit (residual "
                                      f"variance {ssr / df:.3g}); the outcome is an exact function of the "
                                      f"predictors and the SEs, t and p values are not reliable", location=name))
    sst = float(((y - y.mean()) ** 2).sum()) if has_int else float((y ** 2).sum())
    r2 = 1 - ssr / sst if sst > 0 else float("nan")
    df1 = k - 1 if has_int else k
    adj = 1 - (1 - r2) * (n - (1 if has_int else 0)) / df if df > 0 else float("nan")
    f = (r2 / df1) / ((1 - r2) / df) if df1 > 0 and r2 < 1 else float("nan")
    fp = f_sf(f, df1, df)
    loglik = -n / 2 * (math.log(2 * math.pi) + math.log(ssr / n) + 1)
    fit = {"r2": r2, "adj_r2": adj, "f": f, "f_df1": df1, "f_df2": df, "f_p": fp,
           "sigma": math.sqrt(ssr / df), "loglik": loglik, "aic": -2 * loglik + 2 * (k + 1),
           "bic": -2 * loglik + math.log(n) * (k + 1), "df_resid": df}
    n_groups = None
    if se_type == "cluster":
        import pandas as pd
        n_groups = {}
        for i, c in enumerate(clusters):
            nm = getattr(c, "name", None) or f"cluster{i + 1}"
            n_groups[str(nm)] = int(pd.Series(np.asarray(c)).nunique())
    label = se_type if se_type != "cluster" else f"cluster ({'two-way, ' if len(clusters) > 1 else ''}{hc})"
    m = ModelFit(name=name, family="ols", n=n, coefficients=coefs, fit=fit, n_groups=n_groups,
                 se_type=label, warnings=warnings, extra={"vif": gvif(X, names, terms)},
                 internal={"beta": beta, "vcov": V, "df": df, "names": list(names)})
    return m
