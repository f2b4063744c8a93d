"""Linear mixed models: random intercepts for one or two nested levels, optional random slopes.

The model is lme4's ``lmer``::

    y = X beta + Z1 b1 + Z2 b2 + e,   e ~ N(0, s2 I)
    b1_g ~ N(0, s2 * Lam Lam')  per inner group g (township), Z1_g = [1, slopes...]
    b2_c ~ N(0, s2 * th_c^2)     per outer group c (county), random intercept

with the inner groups nested in the outer ones (``(1|county/township)``). It is fitted
exactly as lme4 does, by minimising the *profiled* deviance over the relative covariance
parameters ``theta`` (the lower-triangular Cholesky factor ``Lam`` of the inner covariance
divided by the residual SD, and ``th_c``), but evaluated from group sufficient statistics
instead of a sparse Cholesky factor:

for an inner group g with ``M_g = I + Lam' Z_g'Z_g Lam`` and ``U_g = Lam' Z_g'[X y]``,
``W_g^{-1} = I - Z_g Lam M_g^{-1} Lam' Z_g'`` (Woodbury), so
``[X y]' W^{-1} [X y] = [X y]'[X y] - sum_g U_g' M_g^{-1} U_g`` and
``log|W| = sum_g log|M_g|``. The outer random intercept is a rank-one update per county
``V_c^{-1} = W_c^{-1} - l2 W_c^{-1} 1 1' W_c^{-1} / (1 + l2 1'W_c^{-1}1)``, ``l2 = th_c^2``.
With ``Q = [X y]' V^{-1} [X y] = [[A, b], [b', r0]]``: ``beta = A^{-1} b``,
``r = r0 - b' beta`` (penalised residual sum of squares) and

* ML deviance   ``-2 logL = log|V| + n (1 + log(2 pi r / n))``
* REML criterion ``log|V| + log|A| + (n - p) (1 + log(2 pi r / (n - p)))``

which are lme4's ``deviance(m)`` / ``REMLcrit(m)`` (lme4 leaves out the constant
``log|X'X|`` of the textbook REML likelihood, and so do we). Each evaluation costs
``O(G q^3 + G q p^2)``, independent of the number of rows, so 75,000 officials in 1,100
townships fit in milliseconds after one pass over the data.

Checked against ``lme4::lmer`` 1.1-31 (tests/reference/model_mixed.R): sleepstudy (random
intercept; correlated random intercept and slope of Days), Pastes (``(1|batch/cask)``),
REML and ML.
"""
from __future__ import annotations

import math
import warnings as _warnings

import numpy as np

from ...numerics.dist import chi2_sf, chibar_sf, norm_ppf, t_sf2
from ...core.errors import AvoidSurveyError, AvoidSurveyWarning, ConvergenceWarning
from .optim import brent_min, newton_polish
from .result import Coef, ModelFit, model_warning

__all__ = ["fit_mixed"]

_LOG2PI = math.log(2.0 * math.pi)


# ----------------------------------------------------------------------------- input handling
def _as_float(a, what: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise AvoidSurveyError(f"{what} must be numeric; it holds values that are not numbers") from None
    if arr.ndim == 1 and ndim == 2:
        arr = arr[:, None]
    if arr.ndim != ndim:
        raise AvoidSurveyError(f"{what} must be a {ndim}-dimensional array, got {arr.ndim} dimensions")
    return arr


def _codes(labels, what: str, n: int):
    """Integer codes 0..k-1 for group labels, and a missing-label mask."""
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise AvoidSurveyError(f"grouping variable '{what}' must have one label per row ({n}), "
                               f"got shape {arr.shape}")
    if arr.dtype.kind == "f":
        miss = np.isnan(arr)
    elif arr.dtype.kind in "iub":
        miss = np.zeros(n, dtype=bool)
    else:
        import pandas as pd  # already loaded by every caller that has object labels

        obj = arr.astype(object)
        miss = np.asarray(pd.isna(obj), dtype=bool)  # None, NaN, pd.NA, NaT
        arr = np.where(miss, "", obj).astype(str)
    _, codes = np.unique(arr, return_inverse=True)
    return codes.ravel().astype(np.int64), miss


def _refactor(codes: np.ndarray) -> tuple[np.ndarray, int]:
    uniq, inv = np.unique(codes, return_inverse=True)
    return inv.ravel().astype(np.int64), len(uniq)


def _group_sums(codes: np.ndarray, G: int, cols: np.ndarray) -> np.ndarray:
    """(G, k) per-group column sums of ``cols`` (n, k)."""
    out = np.empty((G, cols.shape[1]))
    for j in range(cols.shape[1]):
        out[:, j] = np.bincount(codes, weights=cols[:, j], minlength=G)
    return out


# ----------------------------------------------------------------------------- the engine
class _Profile:
    """Sufficient statistics and the profiled deviance of one mixed model."""

    def __init__(self, y, X, Z, inner, G, outer_of_inner=None, C=0):
        n, p = X.shape
        q = Z.shape[1]
        self.n, self.p, self.q, self.G, self.C = n, p, q, G, C
        D = np.column_stack([X, y])  # (n, P)
        P = p + 1
        self.DtD = D.T @ D
        # Z_g'Z_g (G, q, q) and Z_g'D_g (G, q, P) from bincounts of column products
        zz = np.stack([Z[:, k] * Z[:, l] for k in range(q) for l in range(q)], axis=1)
        self.ZtZ = _group_sums(inner, G, zz).reshape(G, q, q)
        zd = np.concatenate([Z[:, [k]] * D for k in range(q)], axis=1)
        self.ZtD = _group_sums(inner, G, zd).reshape(G, q, P)
        self.outer = outer_of_inner
        self.ntheta_inner = q * (q + 1) // 2
        self.ntheta = self.ntheta_inner + (1 if C else 0)
        self.tril = np.tril_indices(q)

    def lam(self, theta) -> np.ndarray:
        L = np.zeros((self.q, self.q))
        L[self.tril] = theta[: self.ntheta_inner]
        return L

    def solve(self, theta, reml: bool):
        """Profiled deviance (ML) or REML criterion, and the pieces needed afterwards."""
        theta = np.asarray(theta, dtype=float)
        n, p, q = self.n, self.p, self.q
        if q == 1:
            t2 = theta[0] ** 2
            nz = self.ZtZ[:, 0, 0]
            m = 1.0 + t2 * nz  # M_g (scalar)
            logdet = float(np.sum(np.log(m)))
            U = theta[0] * self.ZtD[:, 0, :]  # (G, P)
            MiU = U / m[:, None]
            Q = self.DtD - U.T @ MiU
            if self.C:
                h = self.ZtD[:, 0, :] - (theta[0] * nz)[:, None] * MiU  # 1'W_g^{-1}[X y]_g
                mg = nz - t2 * nz * nz / m
        else:
            Lam = self.lam(theta)
            M = np.einsum("ki,gkl,lj->gij", Lam, self.ZtZ, Lam) + np.eye(q)
            _, ld = np.linalg.slogdet(M)
            logdet = float(np.sum(ld))
            U = np.einsum("ki,gkp->gip", Lam, self.ZtD)  # (G, q, P)
            MiU = np.linalg.solve(M, U)
            Q = self.DtD - np.einsum("giP,giR->PR", U, MiU)
            if self.C:
                e = Lam.T @ self.ZtZ[:, :, 0].T  # (q, G): Lam' Z_g'1
                e = e.T  # (G, q)
                h = self.ZtD[:, 0, :] - np.einsum("gi,giP->gP", e, MiU)
                Mie = np.linalg.solve(M, e[:, :, None])[:, :, 0]
                mg = self.ZtZ[:, 0, 0] - np.einsum("gi,gi->g", e, Mie)
        if self.C:
            l2 = theta[-1] ** 2
            H = _group_sums(self.outer, self.C, h)
            mc = np.bincount(self.outer, weights=mg, minlength=self.C)
            w = l2 / (1.0 + l2 * mc)
            Q = Q - (H * w[:, None]).T @ H
            logdet += float(np.sum(np.log1p(l2 * mc)))
        A = Q[:p, :p]
        b = Q[:p, p]
        try:
            R = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            return math.inf, None
        beta = np.linalg.solve(R.T, np.linalg.solve(R, b))
        r = float(Q[p, p] - b @ beta)
        if not r > 0:
            return math.inf, None
        logdetA = 2.0 * float(np.sum(np.log(np.diag(R))))
        if reml:
            dof = n - p
            dev = logdet + logdetA + dof * (1.0 + _LOG2PI + math.log(r / dof))
        else:
            dev = logdet + n * (1.0 + _LOG2PI + math.log(r / n))
        return dev, (beta, r, R)

    def deviance(self, theta, reml: bool) -> float:
        return self.solve(theta, reml)[0]

    # optimisation ------------------------------------------------------------------------
    def optimize(self, reml: bool, warnings: list):
        lower = np.zeros(self.ntheta)
        lower_free = np.ones(self.ntheta, dtype=bool)
        # off-diagonal elements of Lam are unbounded (as lme4's getME(m, "lower"))
        diag_pos = {i * (i + 1) // 2 + i for i in range(self.q)}
        ti = 0
        for i in range(self.q):
            for j in range(i + 1):
                if i != j:
                    lower_free[ti] = False
                ti += 1
        if self.ntheta == 1:
            f = lambda phi: self.deviance([math.exp(phi)], reml)  # noqa: E731
            phi, fbest, ok = brent_min(f, -12.0, 7.0, tol=1e-12)
            theta = np.array([math.exp(phi)])
            f0 = self.deviance([0.0], reml)
            if f0 <= fbest + 1e-10:
                theta, fbest = np.array([0.0]), f0
            if not ok:
                _warn(warnings, "mixed-no-convergence", "mixed model: the optimiser did not converge",
                      ConvergenceWarning)
            elif phi > 6.9:
                _warn(warnings, "mixed-search-limit", "mixed model: the group SD is over 1,000 times the residual "
                      "SD (the search limit); check that the outcome varies within groups", ConvergenceWarning)
            return theta, fbest
        from scipy.optimize import minimize  # lazy: only for several variance parameters

        x0 = np.array([1.0 if (k in diag_pos) else 0.0 for k in range(self.ntheta_inner)]
                      + ([1.0] if self.C else []))
        # sd ratios above 1e4 (group SD 10,000 times the residual SD) are not a fit worth having and
        # keep L-BFGS-B's first steps from leaving the region where the deviance is finite
        bounds = [(0.0, 1e4) if lower_free[k] else (-1e4, 1e4) for k in range(self.ntheta)]
        f = lambda th: self.deviance(th, reml)  # noqa: E731
        # The deviance depends on theta through Lam Lam', so theta = 0 is a stationary point:
        # a gradient method that reaches a zero bound early stays there (the sample data's
        # county/township model did). So, as lme4 (derivative-free BOBYQA), start with a
        # derivative-free simplex from lme4's start and from a smaller one, then refine the
        # best with L-BFGS-B and finite-difference Newton steps.
        with np.errstate(all="ignore"), _warnings.catch_warnings():
            _warnings.simplefilter("ignore", RuntimeWarning)
            best = None
            for start in (x0, 0.3 * x0):
                r = minimize(f, start, method="Nelder-Mead", bounds=bounds,
                             options={"xatol": 1e-6, "fatol": 1e-9, "maxfev": 4000})
                if best is None or r.fun < best.fun:
                    best = r
            res = minimize(f, best.x, method="L-BFGS-B", bounds=bounds,
                           options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
            theta = np.asarray(res.x if res.fun <= best.fun else best.x, dtype=float)
            theta = newton_polish(f, theta, lower_free)
        theta = np.where(lower_free & (theta < 0), 0.0, theta)
        # a parameter within 1e-4 of its zero bound is set on it when that does not worsen the fit
        for k in range(self.ntheta):
            if lower_free[k] and 0 < theta[k] < 1e-4:
                trial = theta.copy()
                trial[k] = 0.0
                if f(trial) <= f(theta) + 1e-10:
                    theta = trial
        fbest = f(theta)
        if not math.isfinite(fbest):
            _warn(warnings, "mixed-no-convergence", "mixed model: the optimiser did not converge",
                  ConvergenceWarning)
        return theta, fbest


# ----------------------------------------------------------------------------- public function
def fit_mixed(y, X, names, groups, *, reml: bool = True, random_slopes=None, group_names=None,
              name: str = "mixed", ci: float = 0.95) -> ModelFit:
    """Fit a linear mixed model with random intercepts for one or two nested grouping levels.

    Parameters
    ----------
    y : array (n,)
        Outcome.
    X : array (n, p)
        Fixed-effects design including the intercept column; ``names`` its column names.
    groups : list of 1 or 2 arrays (n,)
        Group labels, innermost first: ``[township]`` or ``[township, county]``. With two
        levels the inner groups are the (county, township) pairs, as lme4's
        ``(1|county/township)``: a township label reused in two counties is two townships.
    reml : bool
        REML (default, as lmer) or ML.
    random_slopes : list of str, optional
        Columns of X that also get a random slope at the first (inner) level, correlated with
        the random intercept, as ``(1 + x | township)``.
    group_names : list of str, optional
        Names of the grouping variables (keys of ``random_effects`` and ``n_groups``).
    ci : float
        Level of the Wald confidence intervals of the fixed effects.

    Returns
    -------
    ModelFit
        family ``mixed``. coefficients: fixed effects with SE from ``s2 * A^{-1}``
        (lme4's ``vcov``), ``stat`` = z = estimate / se, p and CI from the standard normal
        (lme4 prints t values without p; we use the large-sample normal approximation, as
        ``confint(m, method = "Wald")``; no Satterthwaite/Kenward-Roger df). random_effects:
        ``{group: {"var", "sd"}, "<group> (<slope>)": {"var", "sd", "cor"}, "residual": {...}}``.
        fit: ``loglik`` (REML log-likelihood for REML fits, as ``logLik(m)``),
        ``reml_criterion`` (REML fits, ``REMLcrit(m)``), ``deviance`` (ML fits), ``aic``,
        ``bic`` (as ``AIC(m)``, ``BIC(m)``, df = p + #theta + 1), ``icc`` per level
        (intercept variance / (all intercept variances + residual variance)), ``lrt``: the
        likelihood-ratio test against the same fixed effects without any random effect,
        both fitted by ML (``anova(lmer_ml, lm)``), with the chi-bar-square p value
        (``0.5 chi2(df-1) + 0.5 chi2(df)``: exactly the naive p halved for one variance on the
        boundary of its space) and the naive chi-square p; with two levels also
        ``lrt_levels``: {level: test of dropping that level's random effects} (as ``anova`` of the
        two ML fits).

    Notes
    -----
    Estimation: profiled deviance over the relative covariance factor, from group
    sufficient statistics (see module docstring); identical to lme4's criterion, so the
    fixed effects, variance components and log-likelihood match ``lme4::lmer`` to the
    optimiser's tolerance (pinned to 1e-4 in tests/test_model_mixed.py). In R:
    ``lmer(y ~ x + (1 | county/township), data, REML = TRUE)``.
    """
    warnings: list = []
    yv, Xv, names, groups, group_names, slopes = _check_inputs(y, X, names, groups, group_names, random_slopes, ci)
    yv, Xv, codes = _complete_rows(yv, Xv, groups, group_names, name, warnings)
    n, p = Xv.shape
    if n <= p:
        raise AvoidSurveyError(f"mixed model '{name}': {n} complete rows for {p} fixed effects")
    rank = np.linalg.matrix_rank(Xv)
    if rank < p:
        raise AvoidSurveyError(f"mixed model '{name}': the fixed-effects design is singular (rank {rank} "
                               f"< {p} columns); drop a collinear term")
    lv = _Levels(codes, group_names, n, name, warnings)
    Z = np.column_stack([np.ones(n)] + [Xv[:, names.index(s)] for s in slopes])
    prof = _Profile(yv, Xv, Z, lv.inner, lv.G, lv.outer_of_inner, lv.C)
    theta, dev = prof.optimize(reml, warnings)
    _, (beta, r, R) = prof.solve(theta, reml)
    s2 = r / ((n - p) if reml else n)
    vcov = s2 * np.linalg.solve(R.T, np.linalg.solve(R, np.eye(p)))
    coefs = _wald_coefs(names, beta, vcov, ci)
    re, icc = _variance_components(prof, theta, s2, group_names, slopes, lv.C, name, warnings)
    k_par = p + prof.ntheta + 1
    fit = {"method": "REML" if reml else "ML", "loglik": -dev / 2.0, "aic": dev + 2 * k_par,
           "bic": dev + math.log(n) * k_par, "df": k_par, "icc": icc, "sigma": math.sqrt(s2),
           "theta": [float(t) for t in theta]}
    fit["reml_criterion" if reml else "deviance"] = dev
    fit.update(_lrt(prof, dev, reml, warnings, yv, Xv, Z, lv, group_names))
    n_groups = {group_names[0]: int(lv.G)}
    if lv.C:
        n_groups[group_names[1]] = int(lv.C)
    return ModelFit(name=name, family="mixed", n=int(n), coefficients=coefs, fit=fit, n_groups=n_groups,
                    random_effects=re, se_type="model-based (Wald z, normal approximation)",
                    warnings=warnings,
                    extra={"vcov": vcov.tolist(), "random_slopes": slopes, "group_names": group_names})


# ----------------------------------------------------------------------------- steps of fit_mixed
def _warn(sink, code, message, category=AvoidSurveyWarning, location=None):
    sink.append(model_warning(code, message, category=category, location=location))


def _check_inputs(y, X, names, groups, group_names, random_slopes, ci):
    yv = _as_float(y, "the outcome", 1)
    Xv = _as_float(X, "the design matrix", 2)
    names = [str(s) for s in names]
    n = yv.shape[0]
    if Xv.shape[0] != n:
        raise AvoidSurveyError(f"the design matrix has {Xv.shape[0]} rows but the outcome {n}")
    if len(names) != Xv.shape[1]:
        raise AvoidSurveyError(f"{len(names)} names for {Xv.shape[1]} design columns")
    if not isinstance(groups, (list, tuple)):
        groups = [groups]
    if len(groups) not in (1, 2):
        raise AvoidSurveyError(f"mixed models take one or two nested grouping levels, got {len(groups)}")
    if group_names is None:
        group_names = ["group"] if len(groups) == 1 else ["group", "group2"]
    group_names = [str(g) for g in group_names]
    if len(group_names) != len(groups):
        raise AvoidSurveyError("give one name per grouping level")
    if not 0 < ci < 1:
        raise AvoidSurveyError(f"ci must lie between 0 and 1, got {ci}")
    slopes = list(random_slopes or [])
    for s in slopes:
        if s not in names:
            raise AvoidSurveyError(f"random slope '{s}' is not a term of the model (terms: {', '.join(names)})")
    return yv, Xv, names, groups, group_names, slopes


def _complete_rows(yv, Xv, groups, group_names, name, warnings):
    """Rows with an outcome, every predictor and every group label; group codes."""
    n = yv.shape[0]
    codes = []
    miss = ~np.isfinite(yv) | ~np.all(np.isfinite(Xv), axis=1)
    for lab, gname in zip(groups, group_names):
        c, m = _codes(lab, gname, n)
        codes.append(c)
        miss |= m
    if miss.any():
        _warn(warnings, "mixed-rows-dropped", f"mixed model '{name}': {int(miss.sum())} row(s) with a missing "
              "outcome, predictor or group label dropped", location=name)
        keep = ~miss
        yv, Xv = yv[keep], Xv[keep]
        codes = [c[keep] for c in codes]
    return yv, Xv, codes


class _Levels:
    """Inner groups (a (county, township) pair with two levels) and the outer group of each."""

    def __init__(self, codes, group_names, n, name, warnings):
        self.outer_of_inner, self.C, self.oc = None, 0, None
        if len(codes) == 2:
            self.oc, self.C = _refactor(codes[1])
            self.inner, self.G = _refactor(self.oc * (int(codes[0].max()) + 1) + codes[0])
            self.outer_of_inner = np.zeros(self.G, dtype=np.int64)
            self.outer_of_inner[self.inner] = self.oc
            if len(np.unique(codes[0])) < self.G:
                _warn(warnings, "mixed-labels-repeat",
                      f"{group_names[0]} labels repeat across {group_names[1]}; each "
                      f"({group_names[1]}, {group_names[0]}) pair is one group, as lme4's "
                      f"(1|{group_names[1]}/{group_names[0]})", location=name)
            if self.C < 2:
                raise AvoidSurveyError(f"mixed model '{name}': '{group_names[1]}' has only {self.C} group; "
                                       "a random intercept needs at least 2")
        else:
            self.inner, self.G = _refactor(codes[0])
        if self.G < 2:
            raise AvoidSurveyError(f"mixed model '{name}': '{group_names[0]}' has only {self.G} group; "
                                   "a random intercept needs at least 2")
        if self.G >= n:
            raise AvoidSurveyError(f"mixed model '{name}': as many groups of '{group_names[0]}' ({self.G}) as "
                                   f"observations ({n}); the random effect is not identifiable")


def _wald_coefs(names, beta, vcov, ci) -> list[Coef]:
    se = np.sqrt(np.diag(vcov))
    zcrit = norm_ppf(0.5 + ci / 2.0)
    coefs = []
    for j, term in enumerate(names):
        est, s = float(beta[j]), float(se[j])
        z = est / s if s > 0 else float("nan")
        pval = t_sf2(z) if math.isfinite(z) else float("nan")
        coefs.append(Coef(term, est, s, z, pval, est - zcrit * s, est + zcrit * s))
    return coefs


def _variance_components(prof, theta, s2, group_names, slopes, C, name, warnings):
    """random_effects ({group: {var, sd}, slopes with cor, residual}) and the ICC per level."""
    Sig = s2 * (prof.lam(theta) @ prof.lam(theta).T)
    re: dict = {}
    g0 = group_names[0]
    re[g0] = {"var": float(Sig[0, 0]), "sd": math.sqrt(max(Sig[0, 0], 0.0))}
    for k, s in enumerate(slopes, start=1):
        sdk = math.sqrt(max(Sig[k, k], 0.0))
        cor = float(Sig[0, k] / (re[g0]["sd"] * sdk)) if re[g0]["sd"] > 0 and sdk > 0 else float("nan")
        re[f"{g0} ({s})"] = {"var": float(Sig[k, k]), "sd": sdk, "cor": cor}
    if C:
        v2 = s2 * theta[-1] ** 2
        re[group_names[1]] = {"var": float(v2), "sd": math.sqrt(v2)}
    re["residual"] = {"var": float(s2), "sd": math.sqrt(s2)}
    int_vars = {g0: re[g0]["var"]}
    if C:
        int_vars[group_names[1]] = re[group_names[1]]["var"]
    total = sum(int_vars.values()) + s2
    icc = {g: v / total for g, v in int_vars.items()}
    if slopes:
        _warn(warnings, "mixed-icc-slopes", f"mixed model '{name}': with random slopes the ICC uses the intercept "
              "variance (between-group share where the slope predictors are 0)", location=name)
    if any(v == 0.0 for v in int_vars.values()):
        _warn(warnings, "mixed-singular-fit", f"mixed model '{name}': singular fit, a random-intercept variance "
              "is estimated as 0", location=name)
    return re, icc


def _lrt(prof, dev, reml, warnings, yv, Xv, Z, lv, group_names) -> dict:
    """Likelihood-ratio tests against the model without random effects and, with two levels,
    without each level's random effects (all ML fits)."""
    dev_ml = prof.optimize(False, warnings)[1] if reml else dev
    dev_ols = prof.deviance(np.zeros(prof.ntheta), False)
    chisq = max(0.0, dev_ols - dev_ml)
    df = prof.ntheta
    out = {"lrt": {"against": "no random effects (ML fits)", "chisq": chisq, "df": df,
                   "p": chibar_sf(chisq, df), "p_naive": chi2_sf(chisq, df),
                   "loglik_ml": -dev_ml / 2.0, "loglik_null": -dev_ols / 2.0,
                   "p_method": "chi-bar-square 0.5*chi2(df-1) + 0.5*chi2(df)"}}
    if lv.C:
        # one test per level: the ML fit without that level's random effects vs the full ML fit
        # (as anova(lmer(.. + (1|county/township), REML=FALSE), lmer(.. + (1|county:township), REML=FALSE)))
        without_outer = _Profile(yv, Xv, Z, lv.inner, lv.G)
        without_inner = _Profile(yv, Xv, np.ones((len(yv), 1)), lv.oc, lv.C)
        out["lrt_levels"] = {}
        for gname, sub in ((group_names[1], without_outer), (group_names[0], without_inner)):
            _, dev_sub = sub.optimize(False, [])
            ch = max(0.0, dev_sub - dev_ml)
            dfl = prof.ntheta - sub.ntheta
            out["lrt_levels"][gname] = {"against": f"the model without the {gname} random effects (ML fits)",
                                        "chisq": ch, "df": dfl, "p": chibar_sf(ch, dfl), "p_naive": chi2_sf(ch, dfl),
                                        "loglik_null": -dev_sub / 2.0}
    return out
