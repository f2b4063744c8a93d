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
from functools import lru_cache

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.numerics.dist import f_sf, t_crit, t_sf2

__all__ = ["Fit", "ols", "vcov", "coef_row", "wald_f", "nested_f", "nested_f_from"]


@dataclass(frozen=True)
class Fit:
    """A least-squares fit: kept columns, coefficients, (X'X)^-1, residuals."""

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
    """OLS of ``y`` on the columns of ``X`` (names in order); aliased columns dropped.

    Solved through the Cholesky factor of X'X (dummy-coded designs are well conditioned; the
    R reference values agree to 1e-10). A column whose part not explained by the columns
    before it is below ``tol`` of its own norm is aliased, as in R's ``lm`` (``dqrdc2``).
    """
    import numpy as np

    names = list(names)
    if X.shape[0] <= X.shape[1]:
        raise AvoidSurveyError(f"{X.shape[0]} observations cannot estimate {X.shape[1]} coefficients")
    G = X.T @ X
    keep = _keep(G, tol)
    aliased = ()
    if not keep.all():
        aliased = tuple(n for n, k in zip(names, keep) if not k)
        X = X[:, keep]
        G = G[np.ix_(keep, keep)]
        names = [n for n, k in zip(names, keep) if k]
    L = np.linalg.cholesky(G)
    linv = np.linalg.solve(L, np.eye(L.shape[0]))
    bread = linv.T @ linv
    beta = bread @ (X.T @ y)
    return Fit(tuple(names), beta, bread, y - X @ beta, X, aliased)


def _keep(G, tol):
    """Columns that are not (near) combinations of the columns before them."""
    import numpy as np

    diag = np.diag(G).copy()
    try:
        L = np.linalg.cholesky(G)
        if np.all(np.diag(L) ** 2 > (tol * tol) * np.maximum(diag, 1e-300)):
            return np.ones(G.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        pass
    keep = np.zeros(G.shape[0], dtype=bool)
    L = np.zeros((0, 0))
    for j in range(G.shape[0]):
        idx = np.flatnonzero(keep)
        w = np.linalg.solve(L, G[idx, j]) if idx.size else np.zeros(0)
        d = float(G[j, j] - w @ w)
        if diag[j] > 0 and d > (tol * tol) * diag[j]:
            m = idx.size
            new = np.zeros((m + 1, m + 1))
            new[:m, :m] = L
            new[m, :m] = w
            new[m, m] = math.sqrt(d)
            L = new
            keep[j] = True
    return keep


def cluster_codes(values):
    """Integer codes 0..G-1 of cluster labels (any hashable values), numbered in order of
    first appearance (rows grouped by cluster get non-decreasing codes), and G."""
    import numpy as np

    arr = np.asarray(values)
    if not len(arr):
        return np.zeros(0, dtype=np.intp), 0
    if arr.ndim == 1 and arr.dtype.kind in "USiub":
        # long data list each respondent's rows together: when every label is one run of
        # rows, the runs in order are the clusters in order of first appearance (no sort)
        change = arr[1:] != arr[:-1]
        heads = np.sort(arr[np.flatnonzero(np.r_[True, change])])
        if not (heads[1:] == heads[:-1]).any():
            codes = np.empty(len(arr), dtype=np.intp)
            codes[0] = 0
            np.cumsum(change, out=codes[1:])
            return codes, int(heads.size)
    _, first, inv = np.unique(arr, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inv.ravel()], len(first)


def vcov(fit: Fit, kind: str, clusters=None):
    """Variance of the coefficients: 'classical', 'hc2' or 'cl' (``clusters`` = (codes, G))."""
    import numpy as np

    X, e, B = fit.X, fit.resid, fit.bread
    if kind == "classical":
        return B * (fit.rss / fit.df_resid)
    if kind == "hc2":
        h = ((X @ B) * X).sum(axis=1)
        w = e * e / (1.0 - h)
        meat = (X * w[:, None]).T @ X
        return B @ meat @ B
    if kind == "cl":
        codes, g = clusters
        if g < 2:
            raise AvoidSurveyError("clustered standard errors need at least two clusters")
        u = cluster_sums(X * e[:, None], codes)
        adj = g / (g - 1) * (fit.n - 1) / fit.df_resid
        return adj * (B @ (u.T @ u) @ B)
    raise ValueError(kind)


def cluster_sums(M, codes):
    """Row sums of ``M`` within each cluster (G x K): one ``reduceat`` over the rows in
    cluster order (no sort when the rows are already grouped, as long data usually are)."""
    import numpy as np

    if codes.size > 1 and np.all(codes[1:] >= codes[:-1]):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        return np.add.reduceat(M, starts, axis=0)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    return np.add.reduceat(M[order], starts, axis=0)


@lru_cache(maxsize=64)
def _crit(ci: float, df: int) -> float:
    return t_crit(ci, df)


def coef_row(fit: Fit, V, name: str, ci: float = 0.95, h0: float = 0.0) -> dict:
    """estimate, se, t-based p and CI (df = N - K) of one coefficient; NaNs when aliased."""
    j = fit.index(name)
    if j is None:
        nan = float("nan")
        return {"estimate": nan, "se": nan, "ci_lower": nan, "ci_upper": nan, "p": nan}
    return estimate_row(float(fit.beta[j]), float(V[j, j]), fit.df_resid, ci, h0)


def estimate_row(est: float, var: float, df: int, ci: float = 0.95, h0: float = 0.0) -> dict:
    """estimate, se, p (t with ``df``, against ``h0``) and CI of one estimate of variance ``var``."""
    se = math.sqrt(max(var, 0.0))
    crit = _crit(ci, df)
    p = t_sf2((est - h0) / se, df) if se > 0 else float("nan")
    return {"estimate": est, "se": se, "ci_lower": est - crit * se, "ci_upper": est + crit * se, "p": p}


def rss_rank(X, y, tol: float = 1e-7):
    """(RSS, rank) of the least-squares fit of ``y`` on ``X``, from the cross-products
    (aliased columns dropped as :func:`ols` drops them); for the nested F tests, which need
    no coefficients or residuals."""
    import numpy as np

    G = X.T @ X
    keep = _keep(G, tol)
    if not keep.all():
        G = G[np.ix_(keep, keep)]
        X = X[:, keep]
    c = np.linalg.solve(np.linalg.cholesky(G), X.T @ y)
    return max(float(y @ y - c @ c), 0.0), int(keep.sum())


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
    return nested_f_from(reduced.rss, reduced.k, full.rss, full.k, full.n)


def nested_f_from(rss_r: float, k_r: int, rss_f: float, k_f: int, n: int) -> dict:
    q = k_f - k_r
    if q <= 0:
        raise AvoidSurveyError("the nested F test needs a larger full model")
    f = ((rss_r - rss_f) / q) / (rss_f / (n - k_f))
    return {"statistic": f, "df1": q, "df2": n - k_f, "p": f_sf(f, q, n - k_f)}
