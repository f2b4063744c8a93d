"""Least squares and the sandwich variances the experiment estimators use.

Every fit is ``lm`` by QR; aliased columns (a fraction or a restriction can make an
interaction inestimable) are dropped as R reports them ``NA``. Variances:

- ``hc2``: ``sandwich::vcovHC(type = "HC2")``, meat ``sum x_i x_i' e_i^2 / (1 - h_ii)``;
- ``cl``: ``sandwich::vcovCL(type = "HC1")`` (CR1, as Stata's ``vce(cluster)``):
  ``G/(G-1) (N-1)/(N-K) B (sum_g u_g u_g') B`` with ``u_g = sum_{i in g} x_i e_i``;
- ``classical``: ``s^2 (X'X)^-1``.

Tests and intervals use the t distribution with the residual degrees of freedom N - K, as
``lmtest::coeftest(fit, vcov = V)`` does (cregg reports z; Stata uses G - 1 with clusters).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.numerics.dist import f_sf, t_crit, t_sf2

__all__ = ["Fit", "ols", "vcov", "coef_row", "wald_f", "nested_f"]


@dataclass(frozen=True)
class Fit:
    names: tuple        # kept column names (aliased ones dropped)
    beta: object        # numpy arrays
    bread: object       # (X'X)^-1
    resid: object
    X: object
    aliased: tuple = ()

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def k(self) -> int:
        return int(self.X.shape[1])

    @property
    def df_resid(self) -> int:
        return self.n - self.k

    @property
    def rss(self) -> float:
        return float(self.resid @ self.resid)

    def index(self, name: str) -> int | None:
        try:
            return self.names.index(name)
        except ValueError:
            return None


def ols(X, y, names, tol: float = 1e-7) -> Fit:
    """OLS of ``y`` on the columns of ``X`` (names in order); aliased columns dropped."""
    import numpy as np

    names = list(names)
    if X.shape[0] <= X.shape[1]:
        raise AvoidSurveyError(f"{X.shape[0]} observations cannot estimate {X.shape[1]} coefficients")
    r = np.linalg.qr(X, mode="r")
    d = np.abs(np.diag(r))
    keep = d > tol * max(float(d.max()), 1e-300)
    aliased = ()
    if not keep.all():
        # R's lm pivots a column out when it is (near) a combination of the ones before it
        keep = _sequential_keep(X, tol)
        aliased = tuple(n for n, k in zip(names, keep) if not k)
        X = X[:, keep]
        names = [n for n, k in zip(names, keep) if k]
    q, r = np.linalg.qr(X)
    beta = np.linalg.solve(r, q.T @ y)
    rinv = np.linalg.solve(r, np.eye(r.shape[0]))
    bread = rinv @ rinv.T
    return Fit(tuple(names), beta, bread, y - X @ beta, X, aliased)


def _sequential_keep(X, tol):
    import numpy as np

    keep = np.zeros(X.shape[1], dtype=bool)
    scale = float(np.sqrt((X * X).sum(axis=0)).max()) or 1.0
    for j in range(X.shape[1]):
        cols = np.flatnonzero(keep)
        x = X[:, j]
        if cols.size:
            b, *_ = np.linalg.lstsq(X[:, cols], x, rcond=None)
            x = x - X[:, cols] @ b
        keep[j] = math.sqrt(float(x @ x)) > tol * scale
    return keep


def cluster_codes(values):
    """Integer codes 0..G-1 of cluster labels (any hashable values) and G."""
    import numpy as np

    _, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes.astype(np.intp), int(codes.max()) + 1 if len(codes) else 0


def vcov(fit: Fit, kind: str, clusters=None):
    """Variance of the coefficients: 'classical', 'hc2' or 'cl' (``clusters`` = (codes, G))."""
    import numpy as np

    X, e, B = fit.X, fit.resid, fit.bread
    if kind == "classical":
        return B * (fit.rss / fit.df_resid)
    if kind == "hc2":
        h = np.einsum("ij,jk,ik->i", X, B, X)
        w = e * e / (1.0 - h)
        meat = (X * w[:, None]).T @ X
        return B @ meat @ B
    if kind == "cl":
        codes, g = clusters
        if g < 2:
            raise AvoidSurveyError("clustered standard errors need at least two clusters")
        xe = X * e[:, None]
        u = np.empty((g, X.shape[1]))
        for j in range(X.shape[1]):
            u[:, j] = np.bincount(codes, weights=xe[:, j], minlength=g)
        adj = g / (g - 1) * (fit.n - 1) / fit.df_resid
        return adj * (B @ (u.T @ u) @ B)
    raise ValueError(kind)


def coef_row(fit: Fit, V, name: str, ci: float = 0.95, h0: float = 0.0) -> dict:
    """estimate, se, t-based p and CI (df = N - K) of one coefficient; NaNs when aliased."""
    j = fit.index(name)
    if j is None:
        nan = float("nan")
        return {"estimate": nan, "se": nan, "ci_lower": nan, "ci_upper": nan, "p": nan}
    est = float(fit.beta[j])
    se = math.sqrt(max(float(V[j, j]), 0.0))
    crit = t_crit(ci, fit.df_resid)
    p = t_sf2((est - h0) / se, fit.df_resid) if se > 0 else float("nan")
    return {"estimate": est, "se": se, "ci_lower": est - crit * se, "ci_upper": est + crit * se, "p": p}


def wald_f(fit: Fit, V, names) -> dict | None:
    """F = b' V^-1 b / q for the named coefficients (``car::linearHypothesis(test = "F")``)."""
    import numpy as np

    idx = [fit.index(n) for n in names]
    idx = [i for i in idx if i is not None]
    if not idx:
        return None
    b = fit.beta[idx]
    sub = V[np.ix_(idx, idx)]
    try:
        w = float(b @ np.linalg.solve(sub, b))
    except np.linalg.LinAlgError:
        return None
    q = len(idx)
    return {"statistic": w / q, "df1": q, "df2": fit.df_resid, "p": f_sf(w / q, q, fit.df_resid)}


def nested_f(reduced: Fit, full: Fit) -> dict:
    """``anova(reduced, full)``: F = ((RSS_r - RSS_f) / (K_f - K_r)) / (RSS_f / (N - K_f))."""
    q = full.k - reduced.k
    if q <= 0:
        raise AvoidSurveyError("the nested F test needs a larger full model")
    f = ((reduced.rss - full.rss) / q) / (full.rss / full.df_resid)
    return {"statistic": f, "df1": q, "df2": full.df_resid, "p": f_sf(f, q, full.df_resid)}
