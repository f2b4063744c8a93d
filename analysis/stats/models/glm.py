"""Binary logit and probit by maximum likelihood (statsmodels Logit/Probit on arrays).

Matches R ``glm(y ~ ..., family = binomial(link = "logit" | "probit"))``: estimates, SEs
from the inverse information (``vcov``), z tests, Wald CIs, log-likelihood, AIC, BIC.
Robust SEs follow ``sandwich``: ``HC0`` = ``vcovHC(type = "HC0")``, ``HC1`` multiplies by
n/(n-k); ``cluster`` = ``vcovCL`` with its default for glm (``type = "HC0"``, cluster
adjustment G/(G-1)); ``hc: HC1`` adds (n-1)/(n-k).

The covariance is the inverse of the *expected* information X'WX with
W = (dmu/deta)^2 / (mu (1 - mu)), as ``summary.glm`` (IRLS) reports it; for probit this
differs from the observed-information Hessian statsmodels uses by default (about 1e-3 on
MASS::birthwt), so we compute it ourselves. Pinned to R in tests/test_model_glm.py.
"""
from __future__ import annotations

import math
import warnings as _w

from ...core.errors import AvoidSurveyError
from .ols import coefs_from
from .result import ModelFit, model_warning

__all__ = ["fit_binary", "binary_response"]


def binary_response(y, *, name, file=None, line=None):
    """0/1 float array from booleans, 0/1 codes, or any two-valued variable (higher = 1)."""
    import numpy as np
    import pandas as pd
    s = pd.Series(y)
    notes = []
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy(), notes
    vals = pd.unique(s.dropna())
    if len(vals) != 2:
        raise AvoidSurveyError(f"model '{name}': a logit/probit response needs exactly two values, "
                               f"found {len(vals)}", file=file, line=line)
    try:
        lv = sorted(vals)
    except TypeError:
        lv = sorted(vals, key=str)
    if not (pd.api.types.is_numeric_dtype(s) and set(float(v) for v in lv) == {0.0, 1.0}):
        notes.append(f"model '{name}': response coded 1 = '{lv[1]}', 0 = '{lv[0]}'")
    return (s.to_numpy() == lv[1]).astype(float), notes


def fit_binary(y, X, names, *, link="logit", se_type="classical", clusters=None, hc=None, ci=0.95,
               odds_ratio=False, name="model", file=None, line=None) -> ModelFit:
    """Logit or probit of a 0/1 response on the design ``X`` (intercept column included).

    Returns ModelFit with fit = {loglik, ll_null, deviance, aic, bic, pseudo_r2 (McFadden),
    lr_chi2, lr_df, lr_p}; with ``odds_ratio`` (logit) extra ``odds_ratios`` = exp(b) and
    exp(CI). In R: ``glm(..., family = binomial(link))`` + ``sandwich``.
    """
    import numpy as np
    from statsmodels.discrete.discrete_model import Logit, Probit

    from ...numerics.dist import norm_cdf, norm_pdf

    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if n <= k:
        raise AvoidSurveyError(f"model '{name}': {n} complete rows for {k} coefficients", file=file, line=line)
    cls = Logit if link == "logit" else Probit
    warnings = []
    with _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always")
        try:
            res = cls(y, X).fit(method="newton", maxiter=200, tol=1e-12, disp=0)
        except np.linalg.LinAlgError:
            raise AvoidSurveyError(f"model '{name}': the information matrix is singular "
                                   f"(perfect separation or collinear predictors)", file=file, line=line) from None
        except Exception as exc:  # statsmodels PerfectSeparationError and friends
            raise AvoidSurveyError(f"model '{name}': {link} fit failed: {' '.join(str(exc).split())[:200]}",
                                   file=file, line=line) from None
    # statsmodels warns once per Newton step: keep one line
    beta = np.asarray(res.params)
    # expected information X'WX (what glm's IRLS and summary.glm / sandwich::bread use);
    # for the canonical logit link it equals the observed information
    eta = X @ beta
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        if link == "logit":
            mu = 1 / (1 + np.exp(-eta))
            w = mu * (1 - mu)
        else:
            mu = norm_cdf(eta)
            w = norm_pdf(eta) ** 2 / np.clip(mu * (1 - mu), 1e-300, None)
    # statsmodels warns once per Newton step; R's glm checks fitted probabilities numerically
    # 0 or 1 (10 * machine epsilon). Either way: one line.
    eps = 10 * np.finfo(float).eps
    if (any("separation" in str(c.message).lower() for c in caught)
            or bool(np.any((mu < eps) | (mu > 1 - eps)))):
        warnings.append(model_warning("model-separation", f"model '{name}': perfect separation or prediction "
                                      "(fitted probabilities numerically 0 or 1): some parameters are not "
                                      "identified, so their estimates, standard errors and p-values are not "
                                      "meaningful", location=name))
    if not res.mle_retvals.get("converged", True):
        warnings.append(model_warning("model-no-convergence", f"model '{name}': the {link} fit did not converge",
                                      location=name))
    try:
        bread = np.linalg.inv((X * w[:, None]).T @ X)
    except np.linalg.LinAlgError:
        raise AvoidSurveyError(f"model '{name}': the information matrix is singular "
                               f"(perfect separation or collinear predictors)", file=file, line=line) from None
    V = _vcov(bread, res, beta, se_type, clusters, hc, n, k, link, file, line)
    diag = np.diag(V).copy()
    diag[diag < 0] = np.nan
    se = np.sqrt(diag)
    coefs = coefs_from(names, beta, se, df=None, ci=ci)
    fit = _fit_statistics(float(res.llf), y, n, k, names)
    extra = {}
    if odds_ratio:
        extra["odds_ratios"] = [{"term": c.term, "odds_ratio": math.exp(c.estimate),
                                 "ci_lower": math.exp(c.ci_lower) if math.isfinite(c.ci_lower) else None,
                                 "ci_upper": math.exp(c.ci_upper) if math.isfinite(c.ci_upper) else None}
                                for c in coefs]
    n_groups = None
    if se_type == "cluster":
        import pandas as pd
        n_groups = {str(getattr(c, "name", None) or f"cluster{i + 1}"): int(pd.Series(np.asarray(c)).nunique())
                    for i, c in enumerate(clusters)}
    label = se_type if se_type != "cluster" else f"cluster ({'two-way, ' if len(clusters) > 1 else ''}{hc or 'HC0'})"
    m = ModelFit(name=name, family=link, n=n, coefficients=coefs, fit=fit, n_groups=n_groups, se_type=label,
                 warnings=warnings, extra=extra,
                 internal={"beta": beta, "vcov": V, "df": None, "names": list(names)})
    return m


def _vcov(bread, res, beta, se_type, clusters, hc, n, k, link, file, line):
    """Coefficient covariance for the SE type (sandwich's vcovHC / vcovCL for glm)."""
    from .ols import cluster_meat
    if se_type == "classical":
        return bread
    S = res.model.score_obs(beta)
    if se_type in ("HC0", "HC1"):
        return bread @ (S.T @ S) @ bread * (n / (n - k) if se_type == "HC1" else 1.0)
    if se_type == "cluster":
        meat, _ = cluster_meat(S, clusters, file=file, line=line)
        V = bread @ meat @ bread
        return V * (n - 1) / (n - k) if (hc or "HC0") == "HC1" else V
    raise AvoidSurveyError(f"SE type '{se_type}' is not available for {link} (use classical, HC0, HC1 "
                           f"or cluster)", file=file, line=line)


def _fit_statistics(ll, y, n, k, names) -> dict:
    """Log-likelihoods, deviance, AIC, BIC, McFadden's pseudo R² and the LR test against the null."""
    from ...numerics.dist import chi2_sf
    p_mean = y.mean()
    ll0 = float(n * (p_mean * math.log(p_mean) + (1 - p_mean) * math.log(1 - p_mean))) if 0 < p_mean < 1 else 0.0
    lr = 2 * (ll - ll0)
    lr_df = k - (1 if "Intercept" in names else 0)
    return {"loglik": ll, "ll_null": ll0, "deviance": -2 * ll, "aic": -2 * ll + 2 * k,
            "bic": -2 * ll + math.log(n) * k, "pseudo_r2": 1 - ll / ll0 if ll0 else float("nan"),
            "lr_chi2": lr, "lr_df": lr_df, "lr_p": chi2_sf(lr, lr_df) if lr_df > 0 else float("nan")}
