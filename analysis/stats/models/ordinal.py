"""Ordered logit / probit (proportional odds), as ``MASS::polr``.

Model: P(Y <= j | x) = F(zeta_j - x'beta), j = 1..J-1, F logistic or normal. This is
polr's sign convention (and statsmodels OrderedModel's): a positive beta shifts answers
up. Thresholds are reported as terms ``'1|2'``, ``'2|3'``... like polr's ``zeta``; their
SEs come from the delta method on statsmodels' increasing parameterisation
(zeta_1, log(zeta_2 - zeta_1), ...), which equals polr's ``vcov`` on zeta.
"""
from __future__ import annotations

import math
import warnings as _w

from ...core.errors import AvoidSurveyError
from .design import level_text
from .ols import coefs_from
from .result import ModelFit, model_warning

__all__ = ["fit_ordinal"]


def fit_ordinal(y, X, names, *, link="logit", ci=0.95, name="model", file=None, line=None) -> ModelFit:
    """Fit an ordered logit/probit; ``X`` must not hold an intercept column.

    Returns ModelFit with coefficients (slopes, then thresholds 'a|b'), fit = {loglik,
    aic, bic, n_thresholds} and extra ``thresholds`` (list of {"term", "estimate", "se"}).
    In R: ``MASS::polr(y ~ ..., method = "logistic" | "probit", Hess = TRUE)``.
    """
    import numpy as np
    import pandas as pd
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    X = np.asarray(X, dtype=float)
    s = pd.Series(y)
    vals = pd.unique(s.dropna())
    try:
        levels = sorted(vals)
    except TypeError:
        levels = sorted(vals, key=str)
    if len(levels) < 3:
        raise AvoidSurveyError(f"model '{name}': an ordinal response needs at least 3 categories "
                               f"(found {len(levels)}); use logit for two", file=file, line=line)
    codes = s.map({v: i for i, v in enumerate(levels)}).to_numpy().astype(int)
    n, k = X.shape
    distr = "logit" if link == "logit" else "probit"
    warnings = []
    with _w.catch_warnings():
        _w.simplefilter("ignore")
        try:
            mod = OrderedModel(codes, X, distr=distr)
            res = mod.fit(method="bfgs", maxiter=5000, disp=0, gtol=1e-10)
            res = mod.fit(start_params=res.params, method="newton", maxiter=100, disp=0, tol=1e-12)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise AvoidSurveyError(f"model '{name}': ordinal fit failed: {' '.join(str(exc).split())[:200]}",
                                   file=file, line=line) from None
    try:
        grad_ok = float(np.max(np.abs(mod.score(res.params)))) < 1e-5   # score of the mean log-likelihood
    except Exception:  # pragma: no cover
        grad_ok = False
    if not (res.mle_retvals.get("converged", True) or grad_ok):
        warnings.append(model_warning("model-no-convergence", f"model '{name}': the ordinal fit did not converge",
                                      location=name))
    p = np.asarray(res.params)
    H = mod.hessian(p)
    try:
        V = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        raise AvoidSurveyError(f"model '{name}': the information matrix is singular "
                               f"(perfect separation or collinear predictors)", file=file, line=line) from None
    # as R's glm ("fitted probabilities numerically 0 or 1 occurred"): a response category
    # predicted with certainty means (quasi-)separation and meaningless estimates
    try:
        probs = np.asarray(res.predict())
        p_obs = probs[np.arange(len(codes)), codes]
        separated = bool(np.any(p_obs > 1 - 10 * np.finfo(float).eps)) or not np.all(np.isfinite(np.diag(V)))
    except Exception:  # pragma: no cover
        separated = False
    if separated:
        warnings.append(model_warning("model-separation", f"model '{name}': fitted probabilities numerically 0 or 1 "
                                      "occurred (perfect or quasi-separation): estimates, standard errors and "
                                      "p-values are not meaningful", location=name))
    J = len(levels) - 1
    est, Vn = _thresholds(p, V, k, J)
    se = np.sqrt(np.clip(np.diag(Vn), 0, None))
    tnames = [f"{level_text(levels[a])}|{level_text(levels[a + 1])}" for a in range(J)]
    coefs = coefs_from(list(names) + tnames, est, se, df=None, ci=ci)
    # thresholds: keep estimate and se, but no test of zeta = 0 (polr prints t values; we keep them)
    ll = float(res.llf)
    npar = k + J
    fit = {"loglik": ll, "aic": -2 * ll + 2 * npar, "bic": -2 * ll + math.log(n) * npar, "n_thresholds": J,
           "link": link}
    extra = {"thresholds": [{"term": c.term, "estimate": c.estimate, "se": c.se} for c in coefs[k:]]}
    m = ModelFit(name=name, family="ordinal", n=n, coefficients=coefs, fit=fit, se_type="classical",
                 warnings=warnings, extra=extra,
                 internal={"beta": est, "vcov": Vn, "df": None, "names": list(names) + tnames})
    return m


def _thresholds(p, V, k, J):
    """Estimates and covariance on polr's scale: (beta, t1, log d2, ...) -> (beta, zeta_1, zeta_2, ...)
    by the delta method."""
    import numpy as np
    raw = p[k:]
    zeta = np.cumsum(np.concatenate([[raw[0]], np.exp(raw[1:])]))
    G = np.zeros((k + J, k + J))
    G[:k, :k] = np.eye(k)
    for a in range(J):
        G[k + a, k] = 1.0
        for b in range(1, a + 1):
            G[k + a, k + b] = math.exp(raw[b])
    return np.concatenate([p[:k], zeta]), G @ V @ G.T
