"""The second step of the two-step polychoric estimator: rho of many tables at once, with the
thresholds fixed (``fit_rho``, re-exported by :mod:`.polychoric`, whose docstring is the
contract).

With the thresholds fixed, only the bivariate normal at a table's finite corners changes
with rho. :class:`PairLikelihood` therefore computes once what does not (the margins on the
+-inf borders, ``Phi(h) Phi(k)``, ``h k`` and ``(h^2 + k^2) / 2`` at the finite corners),
and an evaluation at new values of rho computes only the Gauss-Legendre sum of Genz's form of
the distribution function (the same rule and node counts as :func:`.bvnorm.bvn_cdf`, which it
calls for |rho| >= 0.925) and the density at those corners.
"""
from __future__ import annotations

import math

import numpy as np

from .bvnorm import _TWO_PI, _corners, _gauss_legendre, bvn_cdf, norm_cdf

__all__ = ["fit_rho", "PairLikelihood"]

_SQRT_EPS = math.sqrt(np.finfo(float).eps)
# Genz's node counts by |rho|, as bvn_cdf: 6 points below 0.3, 12 below 0.75, 20 below 0.925
_RULES = ((0.0, 0.3, 6), (0.3, 0.75, 12), (0.75, 0.925, 20))
_HIGH = 0.925
# a Newton step below this is taken as the last one: near the maximum the error after a step is
# of the order of the step squared (times |l'''/(2 l'')|), far below the 1e-11 asked of rho
_LAST_STEP = 1e-8


class PairLikelihood:
    """The clamped log-likelihood of P tables and its first two derivatives in rho.

    ``freq`` (P, A+1, B+1) counts, ``tx`` (P, A) and ``ty`` (P, B) increasing thresholds
    padded with +inf. ``lik(q, rho)`` returns ``(ll, g, h)`` for the tables ``q`` (indices)
    at correlations ``rho``: ``l = sum n_ab log max(pi_ab, sqrt(eps))`` and its derivatives,
    cells with ``pi_ab <= sqrt(eps)`` left out of the derivatives (lavaan's
    ``lav_bvord_noexo_pi``).

    Arrays are kept with the tables on the last axis, so that every numpy loop runs along
    the tables (hundreds) rather than along a table's few corners or quadrature nodes.
    """

    def __init__(self, freq, tx, ty):
        cx, cy = _corners(tx, ty)
        fx, fy = np.isfinite(cx), np.isfinite(cy)
        # the distribution function at every corner is Phi(h) Phi(k) where a limit is infinite
        F = (norm_cdf(cx)[:, :, None] * norm_cdf(cy)[:, None, :]).transpose(1, 2, 0)      # (A+2, B+2, P)
        full = (fx[:, :, None] & fy[:, None, :]).transpose(1, 2, 0)
        self.shape = F.shape[:2]
        self.pp = F[1:-1, 1:-1].reshape(-1, F.shape[2]).copy()        # (A*B, P): the rho = 0 part of the finite corners
        F[full] = 0.0
        self.F0 = np.ascontiguousarray(F)
        self.fin = full[1:-1, 1:-1].reshape(-1, F.shape[2])            # (A*B, P): the finite corners
        self.h = np.where(self.fin, np.repeat(cx[:, 1:-1].T, cy.shape[1] - 2, axis=0), 0.0)
        self.k = np.where(self.fin, np.tile(cy[:, 1:-1].T, (cx.shape[1] - 2, 1)), 0.0)
        self.hk = self.h * self.k
        self.hs = (self.h * self.h + self.k * self.k) / 2
        # for the Gauss-Legendre sum: an infinite corner gets (h^2 + k^2) / 2 = inf and no rho = 0
        # part, so its terms are exp(-inf) = 0 and the sum leaves it at 0 without a mask
        self.hs_sum = np.where(self.fin, self.hs, np.inf)
        self.pp[~self.fin] = 0.0
        self.freq = np.ascontiguousarray(np.asarray(freq, float).transpose(1, 2, 0))   # (A+1, B+1, P)
        self.P = self.freq.shape[2]

    def cdf(self, q, rho):
        """P(X <= h, Y <= k) at the finite corners (A*B, len(q)) of the tables ``q`` (0 elsewhere)."""
        out = np.empty((self.hk.shape[0], len(rho)))
        ar = np.abs(rho)
        for lo_r, hi_r, npts in _RULES:
            sel = (ar >= lo_r) & (ar < hi_r)
            if not sel.any():
                continue
            xg, wg = _gauss_legendre(npts)
            qs = q[sel]
            asr = np.arcsin(rho[sel])
            sn = np.sin(asr * (xg[:, None] + 1) / 2)[:, None, :]         # (npts, 1, s)
            terms = np.exp((sn * self.hk[:, qs] - self.hs_sum[:, qs]) / (1 - sn * sn))     # (npts, A*B, s)
            out[:, sel] = (wg @ terms.reshape(npts, -1)).reshape(-1, len(qs)) * asr / (2 * _TWO_PI) + self.pp[:, qs]
        high = ar >= _HIGH
        if high.any():
            qs = q[high]
            out[:, high] = np.where(self.fin[:, qs], bvn_cdf(self.h[:, qs], self.k[:, qs], rho[high]), 0.0)
        return np.clip(out, 0.0, 1.0, out=out)

    def __call__(self, q, rho):
        A, B = self.shape[0] - 2, self.shape[1] - 2
        # all tables, in order (fit_rho's first steps): their arrays as they are, not gathered
        every = len(q) == self.P and bool((np.diff(q) > 0).all())
        pick = (lambda a: a) if every else (lambda a: a[..., q])
        F = self.F0.copy() if every else self.F0[:, :, q]
        F[1:-1, 1:-1] += self.cdf(q, rho).reshape(A, B, -1)
        pi = _diff2_lead(F)
        s2 = 1 - rho * rho
        hk = pick(self.hk)
        quad = 2 * pick(self.hs) - 2 * rho * hk                       # h^2 - 2 rho h k + k^2
        dens = np.where(pick(self.fin), np.exp(-quad / (2 * s2)) / (_TWO_PI * np.sqrt(s2)), 0.0)
        D = np.zeros(F.shape)
        D[1:-1, 1:-1] = dens.reshape(A, B, -1)
        phi = _diff2_lead(D)                                          # d pi / d rho
        D[1:-1, 1:-1] = (dens * (hk * s2 - rho * quad + rho * s2) / (s2 * s2)).reshape(A, B, -1)
        dphi = _diff2_lead(D)                                         # d2 pi / d rho2
        freq = pick(self.freq)
        ok = pi > _SQRT_EPS
        safe = np.where(ok, pi, 1.0)
        ll = np.sum(freq * np.log(np.maximum(pi, _SQRT_EPS)), axis=(0, 1))
        g = np.sum(np.where(ok, freq * phi / safe, 0.0), axis=(0, 1))
        h = np.sum(np.where(ok, freq * dphi / safe - freq * phi * phi / (safe * safe), 0.0), axis=(0, 1))
        return ll, g, h


def _diff2_lead(F):
    """Rectangle masses from corner values on the two leading axes: (A+2, B+2, ...) -> (A+1, B+1, ...)."""
    return F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]


def fit_rho(freq, tx, ty, start=None, bounds: float = 0.999, tol: float = 1e-11, maxit: int = 100):
    """Two-step ML polychoric correlations of P tables at once (Newton-Raphson, step halving).

    Returns ``(rho, converged, iterations)``; ``rho`` stays within [-bounds, bounds].
    """
    freq = np.asarray(freq, float)
    tx = np.atleast_2d(np.asarray(tx, float))
    ty = np.atleast_2d(np.asarray(ty, float))
    P = freq.shape[0]
    n = freq.sum(axis=(1, 2))
    lik = PairLikelihood(freq, tx, ty)
    rho = np.zeros(P) if start is None else np.clip(np.asarray(start, float).copy(), -bounds, bounds)
    rho = np.where(np.isfinite(rho), rho, 0.0)
    active = np.ones(P, bool)
    converged = np.zeros(P, bool)
    it = 0
    ll, g, h = lik(np.arange(P), rho)
    while active.any() and it < maxit:
        it += 1
        ia = np.where(active)[0]
        step = np.where(h[ia] < 0, -g[ia] / np.where(h[ia] < 0, h[ia], -1.0), np.sign(g[ia]) * 0.05)
        step = np.clip(step, -0.5, 0.5)
        new = np.clip(rho[ia] + step, -bounds, bounds)
        last = (h[ia] < 0) & (np.abs(step) < _LAST_STEP)
        if last.any():     # a step this small is the last one: taken without evaluating after it
            rho[ia[last]] = new[last]
            converged[ia[last]] = True
            active[ia[last]] = False
            ia, new = ia[~last], new[~last]
            if not ia.size:
                break
        cur = rho[ia]
        lla, ga, ha = lik(ia, new)
        for _ in range(40):   # step halving where the likelihood went down
            worse = lla < ll[ia] - 1e-12 * np.abs(ll[ia])
            if not worse.any():
                break
            new[worse] = cur[worse] + (new[worse] - cur[worse]) / 2
            lla[worse], ga[worse], ha[worse] = lik(ia[worse], new[worse])
        moved = np.abs(new - cur)
        rho[ia] = new
        ll[ia], g[ia], h[ia] = lla, ga, ha
        at_bound = (np.abs(new) >= bounds) & (np.sign(ga) == np.sign(new))
        done = (moved < tol) | at_bound | (np.abs(ga) < 1e-10 * np.maximum(1.0, n[ia]))
        converged[ia[done]] = True
        active[ia[done]] = False
    return rho, converged, it
