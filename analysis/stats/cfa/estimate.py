"""Maximum likelihood estimation of a CFA, as lavaan's default (``estimator = "ML"``).

Per group g, with the biased sample covariance ``S_g`` (divisor N_g) and mean ``ybar_g``::

    F_g = log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g)
    F   = sum_g (N_g / N) F_g,          chi-square = N F = sum_g N_g F_g

(the last term only with a mean structure). ``F`` is minimised by Fisher scoring with the
analytic gradient and expected information and a backtracking line search::

    dF_g/dt   = tr(G dSigma/dt) - 2 d' Sigma^-1 dmu/dt,   G = Sigma^-1 - Sigma^-1 (S + d d') Sigma^-1
    I_g(s, t) = 1/2 tr(Sigma^-1 dSigma/ds Sigma^-1 dSigma/dt) + dmu/ds' Sigma^-1 dmu/dt

Standard errors come from the expected information, ``vcov = (sum_g N_g I_g)^-1``, as
lavaan's ``information = "expected"`` with ``likelihood = "normal"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core.errors import AvoidSurveyError
from .fiml import pattern_f, pattern_grad_parts
from .model import CFAModel

__all__ = ["GroupData", "Estimation", "estimate", "implied", "standardized"]


@dataclass
class GroupData:
    name: str
    n: int
    S: np.ndarray      # biased covariance (divisor n); with missing = "ml" the EM (h1) estimate
    mean: np.ndarray
    patterns: list | None = None   # missing-data patterns (full-information ML)
    f_h1: float = 0.0              # pattern fit value of the saturated model
    logl_h1: float | None = None


@dataclass
class Estimation:
    theta: np.ndarray
    fmin: float                 # F at the solution (sum_g N_g/N F_g)
    chisq_groups: list          # N_g F_g
    converged: bool
    iterations: int
    vcov: np.ndarray | None
    sigma: list                 # implied covariance per group
    mu: list                    # implied means per group
    mats: list                  # (Lambda, B, Psi, Theta, nu, alpha) per group
    warnings: list = field(default_factory=list)
    info: np.ndarray | None = None  # unit expected information at theta (sum_g N_g/N I_g); None with
    #                                 missing-data patterns when the observed information settled identification


class _Filler:
    """Writes free parameters into the model matrices of each group."""

    def __init__(self, model: CFAModel):
        p, m = model.p, model.m
        self.model = model
        self.base = []
        self.free = []
        for g in range(model.n_groups):
            mats = {"lambda": np.zeros((p, m)), "beta": np.zeros((m, m)), "psi": np.zeros((m, m)),
                    "theta": np.zeros((p, p)), "nu": np.zeros((p, 1)), "alpha": np.zeros((m, 1))}
            fr = {k: ([], [], []) for k in mats}
            for r in model.rows:
                if r.group != g:
                    continue
                pairs = [(r.i, r.j)]
                if r.mat in ("psi", "theta") and r.i != r.j:
                    pairs.append((r.j, r.i))
                for (a, b) in pairs:
                    if r.free >= 0:
                        fr[r.mat][0].append(a)
                        fr[r.mat][1].append(b)
                        fr[r.mat][2].append(r.free)
                    else:
                        mats[r.mat][a, b] = r.value
            self.base.append(mats)
            self.free.append({k: tuple(np.asarray(v, dtype=int) for v in t) for k, t in fr.items()})

    def mats(self, theta, g):
        out = {}
        for k, base in self.base[g].items():
            a = base.copy()
            i, j, idx = self.free[g][k]
            if len(idx):
                a[i, j] = theta[idx]
            out[k] = a
        return out


def implied(mats, meanstructure: bool):
    """Sigma, mu, and the pieces the derivatives need."""
    lam, beta, psi, th = mats["lambda"], mats["beta"], mats["psi"], mats["theta"]
    m = beta.shape[0]
    if np.any(beta):
        A = np.linalg.inv(np.eye(m) - beta)
    else:
        A = np.eye(m)
    L = lam @ A
    sigma = L @ psi @ L.T + th
    sigma = (sigma + sigma.T) / 2
    a_alpha = A @ mats["alpha"][:, 0]
    mu = mats["nu"][:, 0] + lam @ a_alpha if meanstructure else None
    return sigma, mu, A, L, a_alpha


def _plan(model: CFAModel, g: int):
    """Free rows of group g as arrays (kind, i, j, index), cached on the model."""
    cache = model.__dict__.setdefault("_deriv_plan", {})
    if g not in cache:
        code = {"lambda": 0, "beta": 1, "psi": 2, "theta": 3, "nu": 4, "alpha": 5}
        rows = [r for r in model.rows if r.group == g and r.free >= 0]
        cache[g] = (np.array([code[r.mat] for r in rows], dtype=int), np.array([r.i for r in rows], dtype=int),
                    np.array([r.j for r in rows], dtype=int), np.array([r.free for r in rows], dtype=int))
    return cache[g]


def _derivatives(model: CFAModel, filler: _Filler, theta, g):
    """Every free row's dSigma as a symmetric rank-2 term u v' + v u', and its dmu.

    Returns sigma, mu, U, V (p x n_rows), dM (n_rows x p), idx (free index of each row).
    lambda_ij: u = e_i, v = (A Psi A' Lambda')_j;  beta_ij: u = (Lambda A)_i, v = same as lambda;
    psi_ij: u = L_i, v = L_j (halved on the diagonal);  theta_ij: u = e_i, v = e_j (halved).
    """
    p = model.p
    mats = filler.mats(theta, g)
    sigma, mu, A, L, a_alpha = implied(mats, model.meanstructure)
    Q = A @ mats["psi"] @ L.T  # m x p
    kind, ii, jj, idx = _plan(model, g)
    n = len(idx)
    U = np.zeros((p, n))
    V = np.zeros((p, n))
    dM = np.zeros((n, p))
    eye = np.eye(p)
    half = np.where(ii == jj, 0.5, 1.0)
    for c in range(6):
        sel = np.flatnonzero(kind == c)
        if not len(sel):
            continue
        i, j = ii[sel], jj[sel]
        if c == 0:    # lambda
            U[:, sel] = eye[:, i]
            V[:, sel] = Q[j, :].T
            dM[sel] = eye[i] * a_alpha[j][:, None]
        elif c == 1:  # beta
            U[:, sel] = L[:, i]
            V[:, sel] = Q[j, :].T
            dM[sel] = L[:, i].T * a_alpha[j][:, None]
        elif c == 2:  # psi
            U[:, sel] = L[:, i]
            V[:, sel] = L[:, j] * half[sel]
        elif c == 3:  # theta
            U[:, sel] = eye[:, i]
            V[:, sel] = eye[:, j] * half[sel]
        elif c == 4:  # nu
            dM[sel] = eye[i]
        else:         # alpha
            dM[sel] = L[:, i].T
    return sigma, mu, U, V, dM, idx


def _fvalue(model, filler, theta, groups, ntotal):
    total = 0.0
    parts = []
    for g, gd in enumerate(groups):
        mats = filler.mats(theta, g)
        sigma, mu, *_ = implied(mats, model.meanstructure)
        if gd.patterns is not None:
            f = pattern_f(gd.patterns, gd.n, sigma, mu)
            if not np.isfinite(f):
                return np.inf, None
            f -= gd.f_h1
            parts.append(gd.n * f)
            total += gd.n / ntotal * f
            continue
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return np.inf, None
        try:
            W = np.linalg.inv(sigma)
        except np.linalg.LinAlgError:
            return np.inf, None
        logdet_s = gd.__dict__.get("_logdet_s")
        if logdet_s is None:
            logdet_s = gd.__dict__["_logdet_s"] = np.linalg.slogdet(gd.S)[1]
        f = logdet + np.sum(gd.S * W) - logdet_s - model.p
        if model.meanstructure:
            d = gd.mean - mu
            f += d @ W @ d
        parts.append(gd.n * f)
        total += gd.n / ntotal * f
    return total, parts


def _scatter(target, idx, block, npar):
    """target[idx][:, idx] += block, summing rows that share a free parameter."""
    if len(np.unique(idx)) == len(idx):
        target[np.ix_(idx, idx)] += block
        return
    tmp = np.zeros((npar, block.shape[1]))
    np.add.at(tmp, idx, block)
    np.add.at(target.T, idx, tmp.T)


def _grad_info(model, filler, theta, groups, ntotal, need_info=True, scoring=False):
    """Gradient of F and the unit expected information sum_g (N_g/N) I_g.

    With dSigma_s = u_s v_s' + v_s u_s':  1/2 tr(W dSigma_s W dSigma_t) = (U'WV)_st (U'WV)_ts
    + (U'WU)_st (V'WV)_st, and tr(G dSigma_s) = 2 u_s' G v_s, so nothing p x p x npar is formed.

    ``scoring``: with missing-data patterns, the information of complete data at the current
    Sigma instead of the pattern-wise one, as the metric of a scoring step only. It bounds the
    observed-data information from above, so steps are short rather than too long; the rate is
    the fraction of missing information, and each step costs a gradient, not a pass of
    npar x npar products over every pattern.
    """
    npar = model.npar
    grad = np.zeros(npar)
    info = np.zeros((npar, npar))
    for g, gd in enumerate(groups):
        sigma, mu, U, V, dM, idx = _derivatives(model, filler, theta, g)
        w = gd.n / ntotal
        if gd.patterns is not None:
            G, mvec, parts = pattern_grad_parts(gd.patterns, gd.n, sigma, mu)
            ge = 2 * np.sum(U * (G @ V), axis=0) - 2 * dM @ mvec
            ie = 0.0
            if need_info and scoring:
                Wf = np.linalg.inv(sigma)
                WU, WV = Wf @ U, Wf @ V
                Muv = U.T @ WV
                ie = Muv * Muv.T + (U.T @ WU) * (V.T @ WV) + dM @ Wf @ dM.T
            if need_info and not scoring:   # the patterns' expected information, over the saturated moments
                from .fiml_info import pattern_expected_information

                ie = pattern_expected_information(gd, sigma, U, V, dM)
            grad += w * np.bincount(idx, weights=ge, minlength=npar)
            if need_info:
                _scatter(info, idx, w * ie, npar)
            continue
        W = np.linalg.inv(sigma)
        if model.meanstructure:
            d = gd.mean - mu
            Wd = W @ d
            G = W - W @ (gd.S + np.outer(d, d)) @ W
            ge = 2 * np.sum(U * (G @ V), axis=0) - 2 * dM @ Wd
            ie = dM @ W @ dM.T
        else:
            G = W - W @ gd.S @ W
            ge = 2 * np.sum(U * (G @ V), axis=0)
            ie = 0.0
        WU, WV = W @ U, W @ V
        Muv = U.T @ WV
        ie = ie + Muv * Muv.T + (U.T @ WU) * (V.T @ WV)
        grad += w * np.bincount(idx, weights=ge, minlength=npar)
        _scatter(info, idx, w * ie, npar)
    return grad, info


def _marker_variances(model, rows, S, ovi):
    """Each factor's marker item (and its fixed loading) and a start for its variance."""
    marker = {}
    for r in rows:
        if r.op == "=~" and r.rhs in ovi and r.lhs not in marker:
            marker[r.lhs] = (r.rhs, r.value if r.free < 0 else None)
    lv_var = {}
    for f, (item, val) in marker.items():
        s_mm = S[ovi[item], ovi[item]]
        if model.std_lv or val is None or val == 0:
            lv_var[f] = 1.0
        else:
            lv_var[f] = max(0.5 * s_mm / val ** 2, 1e-3)
    return marker, lv_var


def _start_loading(r, S, ovi, marker, lv_var):
    item, val = marker.get(r.lhs, (None, None))
    psi = lv_var.get(r.lhs, 1.0)
    if item is not None and item != r.rhs and val not in (None, 0):
        return S[r.i, ovi[item]] / (val * psi)
    # free marker or std.lv: sqrt(S_ii / 2) / sqrt(psi), signed like the marker covariance
    first = marker.get(r.lhs, (r.rhs, None))[0]
    sgn = np.sign(S[r.i, ovi[first]]) if first != r.rhs else 1.0
    return (sgn or 1.0) * np.sqrt(0.5 * S[r.i, r.i] / psi)


def _start_one(model, r, gd, ovi, marker, lv_var):
    S = gd.S
    if r.mat == "theta":
        return 0.5 * S[r.i, r.i] if r.i == r.j else 0.0
    if r.mat == "lambda":
        return _start_loading(r, S, ovi, marker, lv_var)
    if r.mat == "beta":
        return 0.0 if r.op == "~" else 1.0
    if r.mat == "psi":
        if r.i != r.j:
            return 0.0
        return 0.05 if r.lhs in model.higher_order else lv_var.get(r.lhs, 0.05)
    if r.mat == "nu":
        return gd.mean[r.i]
    return 0.0


def start_values(model: CFAModel, groups) -> np.ndarray:
    """Simple starting values: residual variances S_ii/2, loadings from covariances with the
    marker item, factor variances S_marker/2, covariances 0, intercepts the sample means
    (regressions, op '~', start at 0)."""
    theta = np.full(model.npar, np.nan)
    ovi = {v: k for k, v in enumerate(model.ov)}
    for g, gd in enumerate(groups):
        rows = [r for r in model.rows if r.group == g]
        marker, lv_var = _marker_variances(model, rows, gd.S, ovi)
        for r in rows:
            if r.free >= 0 and np.isnan(theta[r.free]):
                theta[r.free] = _start_one(model, r, gd, ovi, marker, lv_var)
    theta[np.isnan(theta)] = 0.1
    return theta


def _line_search(model, filler, theta, step, slope, f, groups, ntotal):
    """Backtracking (Armijo) step length; (t, f_new), t < 1e-12 when no progress is possible."""
    t = 1.0
    while True:
        f_new, _ = _fvalue(model, filler, theta + t * step, groups, ntotal)
        if np.isfinite(f_new) and f_new <= f + 1e-4 * t * slope:
            return t, f_new
        t /= 2
        if t < 1e-12:
            return t, f_new


def _scoring_step(grad, info):
    H = 2 * info
    try:
        step = -np.linalg.solve(H + 1e-12 * np.eye(len(H)) * max(1.0, np.trace(H) / len(H)), grad)
    except np.linalg.LinAlgError:
        step = -grad
    slope = grad @ step
    if slope >= 0:  # not a descent direction: fall back to steepest descent
        step = -grad
        slope = grad @ step
    return step, slope


def _starting_point(model, filler, groups, ntotal, theta=None):
    theta = start_values(model, groups) if theta is None else np.array(theta, dtype=float)
    f, _ = _fvalue(model, filler, theta, groups, ntotal)
    if not np.isfinite(f):
        # rescue: residual variances larger
        for r in model.rows:
            if r.free >= 0 and r.mat == "theta" and r.i == r.j:
                theta[r.free] = groups[r.group].S[r.i, r.i]
        f, _ = _fvalue(model, filler, theta, groups, ntotal)
    return theta, f


def _fisher_scoring(model, filler, groups, ntotal, theta, f, max_iter, tol):
    """Minimise F; returns (theta, converged, iterations)."""
    converged = False
    it = 0
    blind = 0
    for it in range(1, max_iter + 1):
        grad, info = _grad_info(model, filler, theta, groups, ntotal, scoring=True)
        if np.max(np.abs(grad)) < tol:
            return theta, True, it
        step, slope = _scoring_step(grad, info)
        if -slope < 1e-13 * max(1.0, abs(f)) and blind < 25:
            # the decrease the step promises is below the rounding of F: a line search cannot
            # rank it (it would halve the step some 20 times), so take the full scoring step
            # and let the gradient decide convergence (F is not re-evaluated)
            theta = theta + step
            blind += 1
            continue
        t, f_new = _line_search(model, filler, theta, step, slope, f, groups, ntotal)
        if t < 1e-12:
            # no progress is possible: at a (numerical) optimum or stuck
            return theta, np.max(np.abs(grad)) < 1e-6, it
        theta = theta + t * step
        if abs(f - f_new) < 1e-15 and np.max(np.abs(t * step)) < 1e-10:
            grad, _ = _grad_info(model, filler, theta, groups, ntotal, need_info=False)
            return theta, np.max(np.abs(grad)) < 1e-6, it
        f = f_new
    return theta, converged, it


def _expected_vcov(model, info, ntotal):
    """Inverse of the expected information; a singular one (not identified) is an error."""
    full = info * ntotal
    # scale-free check (a factor with a tiny variance and a huge loading is badly scaled, not unidentified)
    dg = np.sqrt(np.clip(np.diag(full), 1e-300, None))
    ev, evec = np.linalg.eigh(full / np.outer(dg, dg))
    if ev[0] <= 1e-10 * max(ev[-1], 1e-300):
        bad = model.free_rows()[int(np.argmax(np.abs(evec[:, 0])))]
        raise AvoidSurveyError(f"the model is not identified: the information matrix is singular "
                               f"(look at '{bad.lhs} {bad.op} {bad.rhs}'); fix a loading or a variance, "
                               f"or add indicators")
    return np.linalg.inv(full)


def _clearly_regular(hess) -> bool:
    """A (total) information matrix whose scale-free smallest eigenvalue is far above the
    identification check's 1e-10 (:func:`_expected_vcov`): 1e-7 leaves room for the numerical
    second-derivative part of the observed information."""
    dg = np.sqrt(np.clip(np.diag(hess), 1e-300, None))
    if not np.all(np.isfinite(hess)) or np.any(np.diag(hess) <= 0):
        return False
    ev = np.linalg.eigvalsh(hess / np.outer(dg, dg))
    return bool(ev[0] > 1e-7 * max(ev[-1], 1e-300))


def observed_hessian(model, filler, theta, groups, ntotal):
    """Hessian of -logl (= N/2 F + const) by central differences of the analytic gradient."""
    hess = np.empty((model.npar, model.npar))
    for t in range(model.npar):
        h = 1e-5 * max(1.0, abs(theta[t]))
        up, dn = theta.copy(), theta.copy()
        up[t] += h
        dn[t] -= h
        hess[:, t] = (_grad_info(model, filler, up, groups, ntotal, False)[0]
                      - _grad_info(model, filler, dn, groups, ntotal, False)[0]) / (2 * h)
    return (hess + hess.T) / 2 * ntotal / 2


def estimate(model: CFAModel, groups: list[GroupData], *, max_iter: int = 500, tol: float = 1e-10,
             start=None, need_vcov: bool = True) -> Estimation:
    """Fit the model to the groups' moments by ML (Fisher scoring).

    Returns an :class:`Estimation`; a singular information matrix at the solution (a model that
    is not identified) raises AvoidSurveyError naming the parameter involved. ``start``: a
    parameter vector to start from (warm starts), default :func:`start_values`; ``need_vcov``
    False skips the standard errors (bootstrap resamples).
    """
    ntotal = sum(gd.n for gd in groups)
    filler = _Filler(model)
    warns: list[str] = []
    theta, f = _starting_point(model, filler, groups, ntotal, start)
    theta, converged, it = _fisher_scoring(model, filler, groups, ntotal, theta, f, max_iter, tol)
    f, parts = _fvalue(model, filler, theta, groups, ntotal)
    fiml = any(gd.patterns is not None for gd in groups)
    observed = None
    if fiml and need_vcov:
        # observed information (lavaan's default with missing = "ml"), analytic over the patterns
        from .fiml_info import fiml_observed_information

        observed = fiml_observed_information(model, theta, groups)
    if fiml and (not need_vcov or _clearly_regular(observed)):
        # the expected information would only check identification (and stand in for a singular
        # observed one): an observed information far from singular settles both
        grad, info = _grad_info(model, filler, theta, groups, ntotal, need_info=False)[0], None
    else:
        grad, info = _grad_info(model, filler, theta, groups, ntotal)
    if not converged:
        warns.append(f"the ML estimation did not converge in {it} iterations (max |gradient| "
                     f"{np.max(np.abs(grad)):.2g}); estimates are not to be trusted")
    vcov = _expected_vcov(model, info, ntotal) if need_vcov and info is not None else None
    if observed is not None:
        try:
            vcov = np.linalg.inv(observed)
        except np.linalg.LinAlgError:
            warns.append("the observed information matrix is singular: standard errors are from the expected "
                         "information")
    sig, mus, mats = [], [], []
    for g in range(len(groups)):
        mt = filler.mats(theta, g)
        sg, mu, *_ = implied(mt, model.meanstructure)
        sig.append(sg)
        mus.append(mu)
        mats.append(mt)
    return Estimation(theta, f, parts, converged, it, vcov, sig, mus, mats, warns, info)


def standardized(model: CFAModel, theta, filler=None):
    """std.all value of every parameter-table row (lavaan's ``standardizedSolution``).

    Loadings l * sd(factor) / sd(item); variances as a share of the total variance;
    covariances between residuals (or factor disturbances) as correlations of those residuals.
    """
    filler = filler or _Filler(model)
    plan = getattr(model, "_std_plan", None)
    if plan is None:
        code = {"lambda": 0, "beta": 1, "psi": 2, "theta": 3, "nu": 4, "alpha": 5}
        plan = (np.array([r.group for r in model.rows]), np.array([code[r.mat] for r in model.rows]),
                np.array([r.i for r in model.rows]), np.array([r.j for r in model.rows]))
        model._std_plan = plan
    grp, mat, ii, jj = plan
    out = np.full(len(model.rows), np.nan)
    names = ("lambda", "beta", "psi", "theta", "nu", "alpha")
    for g in range(model.n_groups):
        mt = filler.mats(theta, g)
        sigma, mu, A, L, _ = implied(mt, model.meanstructure)
        v_lv = np.sum((A @ mt["psi"]) * A, axis=1)
        v_ov = np.diag(sigma)
        with np.errstate(divide="ignore", invalid="ignore"):
            for c, name in enumerate(names):
                sel = (grp == g) & (mat == c)
                if not sel.any():
                    continue
                i, j = ii[sel], jj[sel]
                est = mt[name][i, j]
                if name == "lambda":
                    val = est * np.sqrt(v_lv[j]) / np.sqrt(v_ov[i])
                elif name == "beta":
                    val = est * np.sqrt(v_lv[j]) / np.sqrt(v_lv[i])
                elif name in ("psi", "theta"):
                    tot = v_lv if name == "psi" else v_ov
                    d = np.diag(mt[name])
                    # a (residual) covariance becomes a (residual) correlation, as lavaan
                    val = np.where(i == j, est / tot[i], est / np.sqrt(d[i] * d[j]))
                elif name == "nu":
                    val = est / np.sqrt(v_ov[i])
                else:
                    val = est / np.sqrt(v_lv[i])
                out[sel] = val
    return out
