"""Mediation and first- or second-stage moderated mediation with percentile bootstrap CIs.

Paths are ordinary least squares (as R ``lm``), one equation per mediator plus the outcome
equation and the total-effect equation::

    M_j = i_j + a_j X [+ a2_j W + a3_j X W] + covariates            (a paths)
    Y   = i_y + c' X + sum_j b_j M_j [+ W + sum_j b3_j M_j W] + covariates  (b, c')
    Y   = i_c + c X + covariates                                    (c, total)

Indirect effect via M_j: ``a_j b_j``; total indirect ``sum_j a_j b_j``; direct ``c'``;
total ``c``. With first-stage moderation (``moderated_path="a"``, Hayes' PROCESS model 7)
the index of moderated mediation is ``a3_j b_j`` and the conditional indirect effect at
``W = w`` is ``(a_j + a3_j w) b_j``; with second-stage moderation (``"b"``, PROCESS model 14)
``a_j b3_j`` and ``a_j (b_j + b3_j w)``. Conditional effects are given at the sample mean of W
minus one SD, the mean, and the mean plus one SD (SD with n-1), fixed at the original
sample's values across resamples, as PROCESS does.

Bootstrap: all resample indices are drawn at once from ``numpy.random.default_rng(seed)``
(rows, or whole clusters when ``cluster`` is given: a resample of G clusters drawn with
replacement, each bringing all its rows). A resample is a vector of frequency weights, so
each resample's OLS fit is ``(X' W_b X)^{-1} X' W_b y``, computed for all resamples at once
as matrix products of the count matrix with the column cross-products (summed per cluster
first for a cluster bootstrap) and a batched solve.
CIs are percentiles of the bootstrap distribution (R ``quantile(type = 7)``, as
``mediation::mediate``), ``se`` is the bootstrap SD. Resamples with a singular design (possible
with few clusters) are dropped with a warning.

Checked against R ``lm`` point estimates and a plain R loop over the same resample indices
(tests/reference/model_mediation.R) on ``datasets::mtcars`` and ``nlme::MathAchieve``.
"""
from __future__ import annotations

import math

import numpy as np

from ...numerics.dist import t_crit, t_sf2
from ...core.errors import AvoidSurveyError, AvoidSurveyWarning
from .result import Coef, ModelFit, model_warning

__all__ = ["fit_mediation", "bootstrap_indices"]

_CHUNK = 4_000_000  # count-matrix cells per bootstrap chunk (32 MB of float64)


def bootstrap_indices(n_units: int, n_boot: int, seed=None) -> np.ndarray:
    """The resample indices fit_mediation draws (0-based), shape (n_boot, n_units).

    Units are rows, or with a cluster variable the clusters in the order of their sorted
    labels (as strings, as ``numpy.unique``). fit_mediation draws the same numbers in chunks
    of rows of this matrix (numpy's Generator consumes its stream element by element, so
    chunking does not change them).
    """
    return np.random.default_rng(seed).integers(0, n_units, size=(n_boot, n_units))


def _numeric(df, cols, family="mediation"):
    from ...core.frames import numeric_column

    msg = family + ": column '{column}' must be numeric; it holds {value!r}"
    return {c: numeric_column(df[c], c, message=msg).to_numpy(dtype=float) for c in cols}


def _ols(X, Y):
    """OLS of each column of Y on X: coefficients (p, r), classical SEs (p, r), df, R2 (r)."""
    n, p = X.shape
    XtX = X.T @ X
    try:
        XtXi = np.linalg.inv(XtX)
    except np.linalg.LinAlgError:
        XtXi = None
    if XtXi is None or np.linalg.matrix_rank(X) < p:
        return None
    B = XtXi @ (X.T @ Y)
    E = Y - X @ B
    df = n - p
    s2 = (E * E).sum(axis=0) / df
    se = np.sqrt(np.outer(np.diag(XtXi), s2))
    tss = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
    r2 = 1.0 - (E * E).sum(axis=0) / tss
    return B, se, df, r2


def _cross_products(X, Y, units=None, n_units=None):
    """Per-unit cross-products ``X_i X_j`` and ``X_i Y_k``: (units, p*p), (units, p*r).

    Units are rows, or clusters (``units`` = cluster code of each row): a cluster's weight in
    a resample is the same for all its rows, so its rows can be summed once beforehand.
    """
    n, p = X.shape
    r = Y.shape[1]
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    XY = (X[:, :, None] * Y[:, None, :]).reshape(n, p * r)
    if units is None:
        return XX, XY, p, r
    agg = lambda M: np.stack([np.bincount(units, weights=M[:, j], minlength=n_units)  # noqa: E731
                              for j in range(M.shape[1])], axis=1)
    return agg(XX), agg(XY), p, r


def _batched_ols(Wt, cross):
    """Weighted OLS for every row of the unit-weight matrix ``Wt`` (B, units): (B, p, r).

    ``X' W_b X`` for all b at once is ``Wt @ (X_i X_j)``; singular systems give NaN.
    """
    XX, XY, p, r = cross
    A = (Wt @ XX).reshape(-1, p, p)
    Bv = (Wt @ XY).reshape(-1, p, r)
    try:
        return np.linalg.solve(A, Bv)
    except np.linalg.LinAlgError:
        out = np.full((A.shape[0], p, r), np.nan)
        for b in range(A.shape[0]):
            try:
                if np.linalg.cond(A[b]) < 1e12:
                    out[b] = np.linalg.solve(A[b], Bv[b])
            except np.linalg.LinAlgError:
                pass
        return out


def fit_mediation(data, *, x: str, mediators, y: str, covariates=(), moderator: str | None = None,
                  moderated_path: str = "a", n_boot: int = 2000, seed=None, cluster: str | None = None,
                  ci: float = 0.95, name: str = "mediation") -> ModelFit:
    """Simple, parallel and moderated mediation with percentile bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric columns (scores already computed); left unchanged.
    x, y : str
        Predictor and outcome columns.
    mediators : str or list of str
        One mediator, or several in parallel.
    covariates : list of str
        Entered in every equation.
    moderator : str, optional
        W moderating the first stage (``moderated_path="a"``: X -> M, PROCESS model 7) or
        the second stage (``"b"``: M -> Y, PROCESS model 14). Products are raw (not centred);
        centre W beforehand if wanted.
    n_boot : int
        Bootstrap resamples (0 = no bootstrap: effects without SE and CI).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; same seed, same resamples, same CIs.
    cluster : str, optional
        Resample whole clusters (e.g. townships) instead of rows.
    ci : float
        Level of the percentile intervals and of the coefficients' t intervals.

    Returns
    -------
    ModelFit
        family ``mediation``; coefficients of all equations with classical OLS SEs (cluster-robust,
        ``sandwich::vcovCL``, when ``cluster`` is given), t and p on n - p df (as ``summary(lm(...))``
        and ``lmtest::coeftest``), terms ``"a: x -> m"``, ``"b: m -> y"``,
        ``"c': x -> y"``, ``"c: x -> y (total)"`` (moderation adds ``"a: w -> m"``,
        ``"a: x:w -> m"`` or ``"b: w -> y"``, ``"b: m:w -> y"``; covariates ``"cov: z -> m"``,
        intercepts ``"(Intercept) -> m"``); effects ``[{"effect": "indirect|direct|total",
        "via", "estimate", "se", "ci_lower", "ci_upper"}]`` (``via`` = mediator, ``"total"`` for
        the sum over several mediators, None for direct and total); with a moderator,
        ``extra["index_of_moderated_mediation"]`` and ``extra["conditional_indirect_effects"]``
        (each with ``"w"`` and ``"level"``), and the conditional indirect effects are the
        ``indirect`` rows of ``effects``.
    """
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise AvoidSurveyError("mediation: data must be a table (pandas DataFrame)")
    meds = [mediators] if isinstance(mediators, str) else list(mediators)
    covs = [covariates] if isinstance(covariates, str) else list(covariates or ())
    n_boot = _check_arguments(data, x, y, meds, covs, moderator, moderated_path, n_boot, cluster, ci)
    warnings: list = []
    cols, keep = complete_cases(data, [x, y] + meds + covs + ([moderator] if moderator else []), cluster,
                                 name, warnings)
    eq = _Equations(cols, x, meds, y, covs, moderator, moderated_path)
    fits = eq.fit(name)
    codes, n_units = _cluster_units(data, cluster, keep, eq.n, name, warnings)
    if codes is not None:   # path SEs clustered as the bootstrap is (sandwich::vcovCL)
        fits = eq.clustered(fits, codes)
    coefs = eq.coefficients(fits, ci)
    point = eq.effects(fits["a"][0], fits["b"][0], fits["c"][0])
    boot, n_ok = None, 0
    if n_boot > 0:
        boot, n_ok = _bootstrap(eq, point, codes, n_units, n_boot, seed, name, warnings)
    effects, extra = eq.summaries(point, boot, 1.0 - ci)
    r2a, r2b, r2c = fits["a"][3], fits["b"][3], fits["c"][3]
    fit = {"r2": {**{m: float(r2a[j]) for j, m in enumerate(meds)}, y: float(r2b[0]),
                  f"{y} (total)": float(r2c[0])},
           "n_boot": n_boot, "n_boot_used": n_ok, "seed": seed if isinstance(seed, (int, type(None))) else None,
           "ci": ci, "ci_method": "percentile bootstrap (R quantile type 7)",
           "bootstrap_unit": cluster if cluster else "row"}
    n_groups = {cluster: int(n_units)} if cluster else None
    se_type = ("cluster-robust OLS (HC1)" if cluster else "classical OLS") + "; effects: " + (f"percentile bootstrap ({n_boot} resamples"
                                            + (f" of clusters '{cluster}')" if cluster else " of rows)")
                                            if n_boot else "no bootstrap")
    return ModelFit(name=name, family="mediation", n=eq.n, coefficients=coefs, fit=fit, n_groups=n_groups,
                    effects=effects, se_type=se_type, warnings=warnings, extra=extra)


# ------------------------------------------------------------------ steps of fit_mediation
def _check_arguments(data, x, y, meds, covs, moderator, moderated_path, n_boot, cluster, ci) -> int:
    """Argument checks (one clear message each); the number of resamples as an int."""
    if not meds:
        raise AvoidSurveyError("mediation: give at least one mediator")
    if moderated_path not in ("a", "b"):
        raise AvoidSurveyError(f"mediation: moderated_path must be 'a' (first stage) or 'b' (second stage), "
                               f"got {moderated_path!r}")
    if not 0 < ci < 1:
        raise AvoidSurveyError(f"mediation: ci must lie between 0 and 1, got {ci}")
    try:
        n_boot = int(n_boot)
    except (TypeError, ValueError):
        raise AvoidSurveyError("mediation: the number of bootstrap resamples must be an integer, "
                               f"got {n_boot!r}") from None
    if n_boot < 0:
        raise AvoidSurveyError("mediation: the number of bootstrap resamples cannot be negative")
    roles = [x, y] + meds + covs + ([moderator] if moderator else [])
    if len(set(roles)) != len(roles):
        raise AvoidSurveyError("mediation: x, y, mediators, covariates and moderator must be different columns")
    missing = [c for c in roles + ([cluster] if cluster else []) if c not in data.columns]
    if missing:
        raise AvoidSurveyError(f"mediation: unknown column '{missing[0]}'", column=missing[0])
    return n_boot


def complete_cases(data, roles, cluster, name, warnings, family="mediation"):
    """Numeric columns of the complete rows, and the row mask (mediation and process models:
    rows missing any role or the cluster are dropped, with one warning)."""
    cols = _numeric(data, roles, family)
    keep = np.ones(len(data), dtype=bool)
    for v in cols.values():
        keep &= np.isfinite(v)
    if cluster:
        keep &= data[cluster].notna().to_numpy()
    if not keep.all():
        msg = f"{family} '{name}': {int((~keep).sum())} row(s) with missing values dropped (listwise)"
        warnings.append(model_warning(f"{family}-rows-dropped", msg, category=AvoidSurveyWarning, location=name))
    return {k: v[keep] for k, v in cols.items()}, keep


def _cluster_units(data, cluster, keep, n, name, warnings):
    """Cluster code of each complete row (None without a cluster) and the number of units."""
    if not cluster:
        return None, n
    labels = data[cluster].to_numpy()[keep]
    _, codes = np.unique(labels.astype(str), return_inverse=True)
    codes = codes.ravel()
    n_units = int(codes.max()) + 1
    if n_units < 2:
        raise AvoidSurveyError(f"mediation '{name}': cluster '{cluster}' has only one cluster; "
                               "a cluster bootstrap needs several")
    if n_units < 20:
        msg = (f"mediation '{name}': only {n_units} clusters of '{cluster}'; the cluster bootstrap "
               "is unreliable with so few")
        warnings.append(model_warning("mediation-few-clusters", msg, category=AvoidSurveyWarning, location=name))
    return codes, n_units


def _bootstrap(eq, point, codes, n_units, n_boot, seed, name, warnings):
    """Bootstrap draws of every effect (resamples with a singular design dropped), and how many were kept."""
    rng = np.random.default_rng(seed)
    draws = {key: [] for key in point}
    crosses = [_cross_products(Xe, Ye, codes, n_units) for Xe, Ye in eq.designs.values()]
    chunk = max(1, _CHUNK // n_units)
    done = 0
    while done < n_boot:
        bsz = min(chunk, n_boot - done)
        idx = rng.integers(0, n_units, size=(bsz, n_units))
        Wt = np.bincount((idx + (np.arange(bsz) * n_units)[:, None]).ravel(),
                         minlength=bsz * n_units).reshape(bsz, n_units).astype(float)
        eff = eq.effects(*(_batched_ols(Wt, cr) for cr in crosses))
        for key in point:
            draws[key].append(eff[key])
        done += bsz
    boot = {key: np.concatenate(v) for key, v in draws.items()}
    ok = np.ones(n_boot, dtype=bool)
    for v in boot.values():
        ok &= np.isfinite(v)
    n_ok = int(ok.sum())
    if n_ok < n_boot:
        msg = (f"mediation '{name}': {n_boot - n_ok} of {n_boot} bootstrap resamples had a singular design "
               "and were dropped")
        warnings.append(model_warning("mediation-singular-resamples", msg, category=AvoidSurveyWarning,
                                      location=name))
    if n_ok < 2:
        raise AvoidSurveyError(f"mediation '{name}': fewer than 2 usable bootstrap resamples")
    return {key: v[ok] for key, v in boot.items()}, n_ok


class _Equations:
    """The three equations of a (moderated) mediation model: designs, fits, coefficient
    labels and the effects as functions of the coefficients."""

    def __init__(self, cols, x, meds, y, covs, moderator, moderated_path):
        self.x, self.meds, self.y, self.covs = x, meds, y, covs
        self.moderator, self.path = moderator, moderated_path
        self.k = len(meds)
        n = self.n = len(cols[x])
        one, xv = np.ones(n), cols[x]
        Cv = np.column_stack([cols[c] for c in covs]) if covs else np.empty((n, 0))
        wv = cols[moderator] if moderator else None
        self.a_names = ["(Intercept)", x]
        Xa = [one, xv]
        if moderator and moderated_path == "a":
            Xa += [wv, xv * wv]
            self.a_names += [moderator, f"{x}:{moderator}"]
        self.a_names += covs
        self.b_names = ["(Intercept)", x] + meds
        Xb = [one, xv] + [cols[m] for m in meds]
        if moderator and moderated_path == "b":
            Xb += [wv] + [cols[m] * wv for m in meds]
            self.b_names += [moderator] + [f"{m}:{moderator}" for m in meds]
        self.b_names += covs
        self.c_names = ["(Intercept)", x] + covs
        yv = cols[y][:, None]
        self.designs = {"a": (np.column_stack(Xa + [Cv]), np.column_stack([cols[m] for m in meds])),
                        "b": (np.column_stack(Xb + [Cv]), yv), "c": (np.column_stack([one, xv, Cv]), yv)}
        if moderator:
            wmean, wsd = float(wv.mean()), float(wv.std(ddof=1))
            self.levels = [("mean-1SD", wmean - wsd), ("mean", wmean), ("mean+1SD", wmean + wsd)]
        else:
            self.levels = []

    def fit(self, name) -> dict:
        fits = {}
        for key, (Xe, Ye) in self.designs.items():
            if self.n <= Xe.shape[1]:
                raise AvoidSurveyError(f"mediation '{name}': {self.n} complete rows for {Xe.shape[1]} coefficients")
            f = _ols(Xe, Ye)
            if f is None:
                what = {"a": "mediator", "b": "outcome", "c": "total-effect"}[key]
                raise AvoidSurveyError(f"mediation '{name}': the {what} equation's design is singular "
                                       "(a constant or collinear variable); drop or change a variable")
            fits[key] = f
        return fits

    def clustered(self, fits, codes) -> dict:
        """The fits with cluster-robust SEs (``sandwich::vcovCL`` defaults: HC1, G/(G-1))."""
        from .process import path_vcov
        out = {}
        for key, (B, S, df, r2) in fits.items():
            Xe, Ye = self.designs[key]
            S = np.column_stack([np.sqrt(np.clip(np.diag(path_vcov(Xe, Ye[:, j], "cluster", [codes])), 0, None))
                                 for j in range(Ye.shape[1])])
            out[key] = (B, S, df, r2)
        return out

    def _label(self, eq, nm, m=None):
        x, y, covs = self.x, self.y, self.covs
        if eq == "a":
            return (f"(Intercept) -> {m}" if nm == "(Intercept)" else
                    f"cov: {nm} -> {m}" if nm in covs else f"a: {nm} -> {m}")
        if eq == "b":
            return (f"(Intercept) -> {y}" if nm == "(Intercept)" else f"cov: {nm} -> {y}" if nm in covs else
                    f"c': {x} -> {y}" if nm == x else f"b: {nm} -> {y}")
        return (f"(Intercept) -> {y} (total)" if nm == "(Intercept)" else
                f"cov: {nm} -> {y} (total)" if nm in covs else f"c: {x} -> {y} (total)")

    def coefficients(self, fits, ci) -> list[Coef]:
        """Coefficients of all equations with classical OLS SEs, t and p on n - p df."""
        coefs: list[Coef] = []

        def add(term, est, se, df):
            t = est / se if se > 0 else float("nan")
            p = t_sf2(t, df) if math.isfinite(t) else float("nan")
            q = t_crit(ci, df)
            coefs.append(Coef(term, float(est), float(se), float(t), p, float(est - q * se), float(est + q * se)))

        Ba, Sa, dfa, _ = fits["a"]
        for j, m in enumerate(self.meds):
            for i, nm in enumerate(self.a_names):
                add(self._label("a", nm, m), Ba[i, j], Sa[i, j], dfa)
        for eq, names in (("b", self.b_names), ("c", self.c_names)):
            B, S, df, _ = fits[eq]
            for i, nm in enumerate(names):
                add(self._label(eq, nm), B[i, 0], S[i, 0], df)
        return coefs

    def effects(self, A, B, C) -> dict:
        """Named effect arrays from coefficient arrays (..., p, r) (one fit or stacked resamples)."""
        k, meds = self.k, self.meds
        out = {}
        a = A[..., 1, :]  # (..., k)
        b = np.stack([B[..., 2 + j, 0] for j in range(k)], axis=-1)
        out["direct"] = B[..., 1, 0]
        out["total"] = C[..., 1, 0]
        if not self.moderator:
            ind = a * b
            for j, m in enumerate(meds):
                out[("indirect", m)] = ind[..., j]
            if k > 1:
                out[("indirect", "total")] = ind.sum(axis=-1)
            return out
        if self.path == "a":
            a3 = A[..., 3, :]
            imm = a3 * b
            cond = [(lvl, (a + a3 * w) * b) for lvl, w in self.levels]
        else:
            b3 = np.stack([B[..., 2 + k + 1 + j, 0] for j in range(k)], axis=-1)
            imm = a * b3
            cond = [(lvl, a * (b + b3 * w)) for lvl, w in self.levels]
        for j, m in enumerate(meds):
            out[("imm", m)] = imm[..., j]
            for lvl, ce in cond:
                out[("cond", m, lvl)] = ce[..., j]
        if k > 1:
            for lvl, ce in cond:
                out[("cond", "total", lvl)] = ce.sum(axis=-1)
        return out

    def summaries(self, point, boot, alpha):
        """The ``effects`` rows and the ``extra`` entries of the result."""
        def summary(key):
            est = float(point[key])
            if boot is None:
                return {"estimate": est, "se": None, "ci_lower": None, "ci_upper": None}
            v = boot[key]
            lo, hi = np.quantile(v, [alpha / 2, 1 - alpha / 2])
            return {"estimate": est, "se": float(v.std(ddof=1)), "ci_lower": float(lo), "ci_upper": float(hi)}

        meds, moderator = self.meds, self.moderator
        effects = []
        extra: dict = {"x": self.x, "mediators": meds, "y": self.y, "covariates": self.covs}
        if not moderator:
            for m in meds:
                effects.append({"effect": "indirect", "via": m, **summary(("indirect", m))})
            if self.k > 1:
                effects.append({"effect": "indirect", "via": "total", **summary(("indirect", "total"))})
        else:
            imm, conds = [], []
            for m in meds + (["total"] if self.k > 1 else []):
                if m != "total":
                    imm.append({"via": m, "moderator": moderator, "path": self.path, **summary(("imm", m))})
                for lvl, w in self.levels:
                    row = {"effect": "indirect", "via": m, "moderator": moderator, "level": lvl, "w": w,
                           **summary(("cond", m, lvl))}
                    conds.append(row)
                    effects.append(row)
            extra.update({"moderator": moderator, "moderated_path": self.path,
                          "index_of_moderated_mediation": imm, "conditional_indirect_effects": conds})
        effects.append({"effect": "direct", "via": None, **summary("direct")})
        effects.append({"effect": "total", "via": None, **summary("total")})
        return effects, extra
