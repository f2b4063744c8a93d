"""The parameter table of a model with ordered indicators, and its implied thresholds and
correlations, as lavaan sets them up for ``ordered = ...`` (categorical, mean structure).

Every ordered item y_i is the discretisation of a latent response y*_i with thresholds
``tau_i1 < tau_i2 < ...``. With the LISREL matrices of :mod:`..partable` (per group)::

    Sigma* = Lambda A Psi A' Lambda' + Theta,      mu* = nu + Lambda A alpha,   A = (I - B)^-1
    implied threshold   Delta_i (tau_ik - mu*_i)
    implied correlation Delta_i Delta_j Sigma*_ij

``Delta`` holds the scaling factors (lavaan's ``y ~*~ y``). *Delta parameterization*
(lavaan's default): Delta is a parameter (1 in the first group) and the residual variance of
an ordered item is not, ``Theta_ii = 1/Delta_i^2 - (Lambda A Psi A' Lambda')_ii``.
*Theta parameterization*: Theta_ii is a parameter (1 in the first group) and
``Delta_i = 1/sqrt(Sigma*_ii)``. Intercepts of ordered items are fixed to 0 and latent means
to 0 unless a rule frees them (groups, invariance levels).

Moments are evaluated for a batch of parameter vectors at once, so that the Jacobian comes
from one complex-step evaluation (``Im f(theta + i h e_k) / h``, exact to rounding).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..partable import SemRow, build_sem

__all__ = ["OrdinalModel", "build_ordinal", "GroupRules"]

_MATS = ("lambda", "beta", "psi", "theta", "nu", "alpha", "tau", "delta")


@dataclass
class GroupRules:
    """Which identification parameters are free in groups after the first.

    ``thresholds_equal``: thresholds equal across groups; ``nu_free``: intercepts of ordered
    items free (groups > 1); ``scale_free``: the scaling factors (delta) or residual variances
    (theta) of ordered items free (groups > 1); ``alpha_free``: latent means free (groups > 1).
    """

    thresholds_equal: bool = False
    nu_free: bool = False
    scale_free: bool = False
    alpha_free: bool = False

    @classmethod
    def lavaan_default(cls, group_equal):
        """lavaan's rule for ``group.equal`` with ordered data: equal thresholds (asked for, or
        implied by equal intercepts) free the scaling factors and the latent means."""
        eq = "thresholds" in group_equal or "intercepts" in group_equal
        return cls(thresholds_equal=eq, nu_free=False, scale_free=eq, alpha_free=eq)


@dataclass
class OrdinalModel:
    base: object                 # the SEMModel from build_sem (rows replaced below)
    rows: list
    npar: int
    ov: list
    ordered: np.ndarray          # bool per ov
    nth: list                    # number of thresholds per ov (0 for continuous)
    n_groups: int
    parameterization: str
    lv: list
    meta: dict = field(default_factory=dict)

    @property
    def p(self):
        return len(self.ov)

    @property
    def m(self):
        return len(self.lv)

    @property
    def th_start(self):
        return np.concatenate([[0], np.cumsum(self.nth)]).astype(int)

    # ------------------------------------------------------------------ filling
    def _plan(self):
        plan = self.meta.get("plan")
        if plan is not None:
            return plan
        p, m, T = self.p, self.m, int(sum(self.nth))
        shapes = {"lambda": (p, m), "beta": (m, m), "psi": (m, m), "theta": (p, p), "nu": (p, 1),
                  "alpha": (m, 1), "tau": (T, 1), "delta": (p, 1)}
        plan = []
        for g in range(self.n_groups):
            base = {k: np.zeros(s) for k, s in shapes.items()}
            base["delta"][:] = 1.0
            free = {k: ([], [], []) for k in shapes}
            for r in self.rows:
                if r.group != g or r.kind == "derived":
                    continue
                pairs = [(r.i, r.j)]
                if r.mat in ("psi", "theta") and r.i != r.j:
                    pairs.append((r.j, r.i))
                for a, b in pairs:
                    if r.free >= 0:
                        free[r.mat][0].append(a)
                        free[r.mat][1].append(b)
                        free[r.mat][2].append(r.free)
                    else:
                        base[r.mat][a, b] = r.value
            plan.append((base, {k: tuple(np.asarray(v, dtype=int) for v in t) for k, t in free.items()}))
        self.meta["plan"] = plan
        return plan

    def mats(self, X, g):
        """The matrices of group g for every parameter vector (row) of X: dict of (K, ...) arrays."""
        base, free = self._plan()[g]
        K = X.shape[0]
        out = {}
        for k, b in base.items():
            a = np.broadcast_to(b, (K,) + b.shape).astype(X.dtype, copy=True)
            i, j, idx = free[k]
            if len(idx):
                a[:, i, j] = X[:, idx]
            out[k] = a
        return out

    def implied(self, X, g):
        """(Sigma*, mu*, Delta, LPL, A) of group g for each row of X (theta's derived rows filled)."""
        mt = self.mats(X, g)
        K = X.shape[0]
        lam, beta, psi = mt["lambda"], mt["beta"], mt["psi"]
        if self.meta.get("has_beta") is None:
            self.meta["has_beta"] = any(r.mat == "beta" and (r.free >= 0 or r.value != 0) for r in self.rows)
        if self.meta["has_beta"]:
            A = np.linalg.inv(np.eye(self.m)[None] - beta)
        else:
            A = np.broadcast_to(np.eye(self.m, dtype=X.dtype), (K, self.m, self.m))
        L = lam @ A
        LPL = L @ psi @ np.swapaxes(L, 1, 2)
        theta = mt["theta"]
        ordi = np.flatnonzero(self.ordered)
        delta = mt["delta"][:, :, 0]
        pi, pk = self.meta.get("ord_phantom", (np.zeros(0, int), np.zeros(0, int)))
        if self.parameterization == "delta" and len(pi):
            # the disturbance of an ordered outcome makes its latent response variance 1/Delta^2
            d = 1.0 / delta[:, pi] ** 2 - LPL[:, pi, pi]
            psi[:, pk, pk] = d
            LPL = L @ psi @ np.swapaxes(L, 1, 2)
        cond = self.meta.get("cond")
        LPLc = LPL
        if cond is not None:
            # conditional on the covariates: their (fixed) variances leave the residual part
            xe = cond["x_eta"]
            psic = psi.copy()
            psic[:, xe, :] = 0.0
            psic[:, :, xe] = 0.0
            LPLc = L @ psic @ np.swapaxes(L, 1, 2)
        if self.parameterization == "delta":
            theta[:, ordi, ordi] = 1.0 / delta[:, ordi] ** 2 - LPLc[:, ordi, ordi]
        sigma = LPL + theta
        sigma_c = LPLc + theta
        if self.parameterization != "delta":
            delta = delta.copy()
            delta[:, ordi] = 1.0 / np.sqrt(sigma_c[:, ordi, ordi])
        alpha = mt["alpha"]
        cond = self.meta.get("cond")
        if cond is not None and len(cond["x_eta"]):
            # conditional.x: the statistics are at x = 0, so the covariates' means (their
            # phantoms' alpha, fixed at the sample means) stay out of the items' means
            alpha = alpha.copy()
            alpha[:, cond["x_eta"], :] = 0.0
        mu = mt["nu"][:, :, 0] + (lam @ (A @ alpha))[:, :, 0]
        mt.update(sigma=sigma, sigma_c=sigma_c, mu=mu, scale=delta, A=A, LPL=LPL, theta=theta, L=L)
        return mt

    def _moments_conditional(self, mt, cond):
        """Thresholds at x = 0, slopes on the covariates and residual correlations (lavaan's
        conditional.x statistics) of the items ``cond["y"]``."""
        sc, mu, L = mt["scale"], mt["mu"], mt["L"]
        y, xe = cond["y"], cond["x_eta"]
        item, tau, is_th, _ = self._layout()
        taus = mt["tau"][:, tau, 0]
        th = sc[:, item] * (taus - mu[:, item])                     # thresholds at x = 0, as lavaan's
        slopes = sc[:, y][:, None, :] * np.swapaxes(L[:, y][:, :, xe], 1, 2)   # K x q x p_y
        a, b = np.triu_indices(len(y), 1)
        yb, ya = y[b], y[a]
        cor = sc[:, yb] * sc[:, ya] * mt["sigma_c"][:, yb, ya]
        return np.concatenate([th, slopes.reshape(len(sc), -1), cor], axis=1)

    def _layout(self):
        lay = self.meta.get("layout")
        if lay is None:
            item, tau = [], []
            k = 0
            skip = set(self.meta["cond"]["x_ov"].tolist()) if self.meta.get("cond") is not None else set()
            for i in range(self.p):
                if i in skip:
                    continue
                if self.ordered[i]:
                    item += [i] * self.nth[i]
                    tau += list(range(k, k + self.nth[i]))
                    k += self.nth[i]
                else:
                    item.append(i)
                    tau.append(-1)
            item, tau = np.array(item, int), np.array(tau, int)
            lay = (item, tau, tau >= 0, np.flatnonzero(~self.ordered))
            self.meta["layout"] = lay
        return lay

    def moments(self, X, g):
        """Implied statistics of group g in lavaan's WLS.obs order: (K, nstat): thresholds
        (minus the mean for a continuous item), variances of continuous items, (co)variances."""
        mt = self.implied(X, g)
        if self.meta.get("cond") is not None:
            return self._moments_conditional(mt, self.meta["cond"])
        sc, mu, sigma = mt["scale"], mt["mu"], mt["sigma"]
        item, tau, is_th, num = self._layout()
        taus = mt["tau"][:, np.where(is_th, tau, 0), 0]
        th = np.where(is_th[None], sc[:, item] * (taus - mu[:, item]), -mu[:, item])
        a, b = np.triu_indices(self.p, 1)
        cor = sc[:, b] * sc[:, a] * sigma[:, b, a]
        return np.concatenate([th, sigma[:, num, num], cor], axis=1)

    def jacobian(self, theta, g, h=1e-30):
        """(moments, d moments / d theta) of group g at ``theta`` by the complex step."""
        k = self.npar
        X = np.empty((k + 1, k), dtype=complex)
        X[:] = theta
        X[1:] += 1j * h * np.eye(k)
        M = self.moments(X, g)
        return M[0].real, (M[1:].imag / h).T


def _renumber(rows):
    keys, npar = {}, 0
    for r in rows:
        if r.free is None or r.free == -1:
            r.free = -1
            continue
        if r.free not in keys:
            keys[r.free] = npar
            npar += 1
        r.free = keys[r.free]
    return npar


def build_ordinal(syntax, columns, ordered_names, nth, *, n_groups=1, std_lv=False, group_equal=(),
                  group_partial=(), parameterization="delta", rules: GroupRules | None = None,
                  file=None) -> OrdinalModel:
    """The parameter table of ``syntax`` with the items of ``ordered_names`` ordered.

    ``nth``: number of thresholds of each ordered item (dict name -> count). ``rules``: the
    identification of groups after the first (default lavaan's rule for ``group_equal``).
    """
    ge = tuple(g for g in group_equal if g != "thresholds")
    base = build_sem(syntax, columns, n_groups=n_groups, std_lv=std_lv, meanstructure=True, group_equal=ge,
                     group_partial=group_partial, file=file)
    rules = rules or GroupRules.lavaan_default(group_equal)
    ov = list(base.ov)
    ordset = set(ordered_names)
    ordered = np.array([v in ordset for v in ov])
    nth_l = [int(nth[v]) if v in ordset else 0 for v in ov]
    ovi = {v: k for k, v in enumerate(ov)}
    phantom = set(base.phantom)
    rows = []
    for r in base.rows:
        nr = SemRow(r.lhs, r.op, r.rhs, r.group, r.mat, r.i, r.j, r.free, r.value, r.label, r.user, r.kind, r.start)
        g = r.group
        if r.free >= 0:
            nr.free = ("old", r.free)
        if r.mat == "nu" and r.lhs in ordset:
            if rules.nu_free and g > 0:
                nr.free, nr.value = ("nu", g, r.i), 0.0
            else:
                nr.free, nr.value = -1, 0.0
        elif r.mat == "psi" and r.i == r.j and r.lhs in ordset and r.lhs in phantom:
            # an ordered variable regressed on latent variables: its disturbance plays the part
            # of the residual variance (derived in the delta parameterization)
            if parameterization == "delta":
                nr.free, nr.kind = -1, "derived"
            elif rules.scale_free and g > 0:
                nr.free, nr.value = ("theta", g, r.i), 1.0
            else:
                nr.free, nr.value = -1, 1.0
        elif r.mat == "theta" and r.i == r.j and r.lhs in ordset and r.kind != "phantom":
            if parameterization == "delta":
                nr.free, nr.kind = -1, "derived"
            elif rules.scale_free and g > 0:
                nr.free, nr.value = ("theta", g, r.i), 1.0
            else:
                nr.free, nr.value = -1, 1.0
        elif r.mat == "alpha" and not r.user and r.kind != "fixedx":
            # (a covariate's mean is a fixed.x row: its value comes from the sample moments)
            nr.free, nr.value = (("alpha", g, r.i) if rules.alpha_free and g > 0 else -1), 0.0
        rows.append(nr)
    start = np.concatenate([[0], np.cumsum(nth_l)]).astype(int)
    for g in range(n_groups):
        for v in ov:
            if v not in ordset:
                continue
            i = ovi[v]
            for k in range(nth_l[i]):
                key = ("tau", i, k) if rules.thresholds_equal else ("tau", g, i, k)
                rows.append(SemRow(v, "|", f"t{k + 1}", g, "tau", int(start[i] + k), 0, key, 0.0, None, False, ""))
        for v in ov:
            if v not in ordset:
                continue
            i = ovi[v]
            if parameterization == "delta":
                free = ("delta", g, i) if (rules.scale_free and g > 0) else -1
                rows.append(SemRow(v, "~*~", v, g, "delta", i, 0, free, 1.0, None, False, ""))
            else:
                rows.append(SemRow(v, "~*~", v, g, "delta", i, 0, -1, 1.0, None, False, "derived"))
    npar = _renumber(rows)
    eta = {v: k for k, v in enumerate(base.lv)}
    ph = [(ovi[v], eta[v]) for v in ov if v in ordset and v in phantom]
    meta = {"ord_phantom": (np.array([a for a, _ in ph], int), np.array([b for _, b in ph], int))}
    return OrdinalModel(base, rows, npar, ov, ordered, nth_l, n_groups, parameterization, list(base.lv), meta)
