"""DWLS estimation with robust standard errors and the scaled-shifted test: lavaan's
``estimator = "WLSMV"`` for ordered indicators.

Per group g, with sample statistics ``s_g`` (thresholds, polychoric correlations), their
NACOV ``Gamma_g`` and ``W_g = diag(1/diag(Gamma_g))``::

    F(theta) = sum_g (N_g - 1) (s_g - sigma_g)' W_g (s_g - sigma_g)       chisq T = F(theta_hat)

minimised by Gauss-Newton on the implied moments ``sigma_g(theta)`` with their Jacobian
``D_g`` (complex step). With ``f_g = N_g / N`` and ``E = sum_g f_g D_g' W_g D_g``::

    vcov = E^-1 (sum_g f_g D_g' W_g Gamma_g W_g D_g) E^-1 / (N - G)        (robust.sem)
    U    = V - V D E^-1 D' V,  V = bdiag(f_g W_g),  UG = U bdiag(Gamma_g / f_g)
    a    = sqrt(df / tr(UG^2)),  b = df - a tr(UG),  T_ss = a T + b        (scaled.shifted)

as lavaan's ``lav_model_nvcov_robust_sem`` and ``lav_test_satorra_bentler`` (0.6-14).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ....core.errors import AvoidSurveyError

__all__ = ["DWLSFit", "dwls", "start_values"]


@dataclass
class DWLSFit:
    model: object
    samples: list
    theta: np.ndarray
    chisq_groups: list
    converged: bool
    iterations: int
    jac: list = field(default_factory=list)       # D_g at the solution
    implied: list = field(default_factory=list)   # sigma_g at the solution
    info: np.ndarray | None = None                # E (unit information)
    info_inv: np.ndarray | None = None
    vcov: np.ndarray | None = None
    warnings: list = field(default_factory=list)

    @property
    def chisq(self):
        return float(sum(self.chisq_groups))

    @property
    def ntotal(self):
        return sum(s.n for s in self.samples)


def start_values(model, samples):
    """Starting values: the ML engine's starts on the polychoric matrices for the structural
    part, the sample thresholds for the thresholds, 1 for scaling factors and residual
    variances of ordered items (theta), 0 for intercepts and means."""
    from ...cfa.estimate import GroupData
    from ..engine import sem_start

    base = model.base
    gds = []
    for s in samples:
        if s.start_S is not None:
            gds.append(GroupData(s.name, s.n, s.start_S, s.start_mean))
            continue
        S = np.array(s.R, float) * np.outer(s.sd, s.sd)
        gds.append(GroupData(s.name, s.n, S, np.array(s.mean, float)))
    try:
        b0 = sem_start(base, gds)
    except Exception:  # pragma: no cover - starts are a convenience
        b0 = np.full(base.npar, 0.5)
    theta = np.full(model.npar, np.nan)
    base_free = {}
    for r0 in base.rows:
        if r0.free >= 0:
            base_free[(r0.group, r0.mat, r0.i, r0.j)] = r0.free
    th_of = {}
    for g, s in enumerate(samples):
        th_of[g] = np.concatenate(s.th) if len(s.th) else np.zeros(0)
    for r in model.rows:
        if r.free < 0 or not np.isnan(theta[r.free]):
            continue
        if r.mat == "tau":
            val = th_of[r.group][r.i]
        elif r.mat in ("delta",):
            val = 1.0
        elif r.mat == "theta" and r.i == r.j and model.ordered[r.i]:
            val = 1.0
        elif r.mat == "nu":
            val = float(samples[r.group].mean[r.i]) if samples[r.group].start_S is None else 0.0
        elif r.mat == "alpha":
            val = 0.0
        else:
            k = base_free.get((r.group, r.mat, r.i, r.j))
            val = b0[k] if k is not None else 0.1
            if r.mat == "lambda" and model.ordered[r.i]:
                val = float(np.clip(val, -0.95, 0.95)) if model.base.std_lv else val
        theta[r.free] = val
    theta[np.isnan(theta)] = 0.1
    return _shrink_to_admissible(model, theta)


def _shrink_to_admissible(model, theta):
    """Halve loadings until every ordered item keeps a positive residual variance (delta)."""
    if model.parameterization != "delta":
        return theta
    lam = [r.free for r in model.rows if r.mat in ("lambda", "beta") and r.free >= 0]
    check = model.ordered.copy()
    check[model.meta.get("ord_phantom", (np.zeros(0, int),))[0]] = False   # their theta is 0 by design
    for _ in range(30):
        ok = True
        for g in range(model.n_groups):
            mt = model.implied(theta[None], g)
            d = np.diag(mt["theta"][0])[check]
            if np.any(d <= 0.01):
                ok = False
        if ok:
            return theta
        theta = theta.copy()
        theta[lam] *= 0.8
    return theta


def _objective(model, samples, theta):
    tot, parts = 0.0, []
    for g, s in enumerate(samples):
        sig = model.moments(theta[None], g)[0]
        if not np.all(np.isfinite(sig)):
            return np.inf, None
        r = s.obs - sig
        f = (s.n - 1) * float(np.sum(s.wdiag * r * r))
        parts.append(f)
        tot += f
    return tot, parts


def _gn_parts(model, samples, theta):
    grad = np.zeros(model.npar)
    H = np.zeros((model.npar, model.npar))
    jac, imp = [], []
    for g, s in enumerate(samples):
        sig, D = model.jacobian(theta, g)
        r = s.obs - sig
        WD = s.wdiag[:, None] * D
        grad -= 2 * (s.n - 1) * (WD.T @ r)
        H += 2 * (s.n - 1) * (D.T @ WD)
        jac.append(D)
        imp.append(sig)
    return grad, H, jac, imp


def dwls(model, samples, *, start=None, max_iter=200, tol=1e-9) -> DWLSFit:
    """Minimise the DWLS discrepancy; returns the fit with E, E^-1 and the robust vcov."""
    theta = start_values(model, samples) if start is None else np.array(start, float)
    f, _ = _objective(model, samples, theta)
    if not np.isfinite(f):
        raise AvoidSurveyError("the WLSMV starting values give no admissible model; fix more parameters or "
                               "give a simpler model")
    converged, it = False, 0
    scale = sum(s.n - 1 for s in samples)
    for it in range(1, max_iter + 1):
        grad, H, _, _ = _gn_parts(model, samples, theta)
        if np.max(np.abs(grad)) / scale < tol:
            converged = True
            break
        try:
            step = -np.linalg.solve(H + 1e-12 * np.trace(H) / len(H) * np.eye(len(H)), grad)
        except np.linalg.LinAlgError:
            step = -grad / scale
        t = 1.0
        while True:
            f_new, _ = _objective(model, samples, theta + t * step)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * t * float(grad @ step):
                break
            t /= 2
            if t < 1e-10:
                break
        if t < 1e-10:
            converged = np.max(np.abs(grad)) / scale < 1e-6
            break
        theta = theta + t * step
        if abs(f - f_new) < 1e-14 * max(1.0, f) and np.max(np.abs(t * step)) < 1e-10:
            f = f_new
            converged = True
            break
        f = f_new
    f, parts = _objective(model, samples, theta)
    _, _, jac, imp = _gn_parts(model, samples, theta)
    fit = DWLSFit(model, samples, theta, parts, converged, it, jac, imp)
    if not converged:
        fit.warnings.append(f"the DWLS estimation did not converge in {it} iterations; estimates are not to be "
                            f"trusted")
    _robust_vcov(fit)
    return fit


def _robust_vcov(fit):
    samples, N, G = fit.samples, fit.ntotal, len(fit.samples)
    k = fit.model.npar
    E = np.zeros((k, k))
    meat = np.zeros((k, k))
    for s, D in zip(samples, fit.jac):
        fg = s.n / N
        WD = s.wdiag[:, None] * D
        E += fg * (D.T @ WD)
        meat += fg * (WD.T @ s.gamma @ WD)
    dg = np.sqrt(np.clip(np.diag(E), 1e-300, None))
    ev, evec = np.linalg.eigh(E / np.outer(dg, dg))
    if ev[0] <= 1e-10 * max(ev[-1], 1e-300):
        free = {}
        for r in fit.model.rows:
            if r.free >= 0 and r.free not in free:
                free[r.free] = r
        bad = free.get(int(np.argmax(np.abs(evec[:, 0]))))
        where = f" (look at '{bad.lhs} {bad.op} {bad.rhs}')" if bad is not None else ""
        raise AvoidSurveyError(f"the model is not identified: the information matrix is singular{where}")
    Einv = np.linalg.inv(E)
    fit.info, fit.info_inv = E, Einv
    fit.vcov = Einv @ meat @ Einv / (N - G)


def ug_traces(fit, rows=None):
    """tr(UG) and tr(UG^2) of lavaan's scaled tests (``rows``: the statistics kept per group)."""
    N = fit.ntotal
    blocks_V, blocks_G, blocks_D = [], [], []
    for s, D in zip(fit.samples, fit.jac):
        fg = s.n / N
        blocks_V.append(fg * s.wdiag)
        blocks_G.append(s.gamma / fg)
        blocks_D.append(D)
    v = np.concatenate(blocks_V)
    D = np.vstack(blocks_D)
    VD = v[:, None] * D
    U = np.diag(v) - VD @ fit.info_inv @ VD.T
    Gm = _bdiag(blocks_G)
    UG = U @ Gm
    return float(np.trace(UG)), float(np.sum(UG * UG.T))


def _bdiag(blocks):
    n = sum(b.shape[0] for b in blocks)
    out = np.zeros((n, n))
    k = 0
    for b in blocks:
        m = b.shape[0]
        out[k:k + m, k:k + m] = b
        k += m
    return out
