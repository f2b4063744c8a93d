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

from .bvnorm import _TWO_PI, _corners, _diff2, _gauss_legendre, bvn_cdf, norm_cdf

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
    """

    def __init__(self, freq, tx, ty):
        self.freq = freq
        cx, cy = _corners(tx, ty)
        fx, fy = np.isfinite(cx), np.isfinite(cy)
        # the distribution function at every corner is Phi(h) Phi(k) where a limit is infinite
        F = norm_cdf(cx)[:, :, None] * norm_cdf(cy)[:, None, :]
        full = fx[:, :, None] & fy[:, None, :]
        self.pp = F[:, 1:-1, 1:-1].copy()                           # the rho = 0 part of the finite corners
        F[full] = 0.0
        self.F0 = F
        self.fin = full[:, 1:-1, 1:-1]                              # (P, A, B): the finite corners
        h = np.where(self.fin, cx[:, 1:-1, None], 0.0)
        k = np.where(self.fin, cy[:, None, 1:-1], 0.0)
        self.h, self.k = h, k
        self.hk = h * k
        self.hs = (h * h + k * k) / 2

    def cdf(self, q, rho):
        """P(X <= h, Y <= k) at the finite corners of the tables ``q`` (0 elsewhere)."""
        out = np.zeros(self.hk[q].shape)
        ar = np.abs(rho)
        for lo_r, hi_r, npts in _RULES:
            sel = (ar >= lo_r) & (ar < hi_r)
            if not sel.any():
                continue
            xg, wg = _gauss_legendre(npts)
            qs = q[sel]
            asr = np.arcsin(rho[sel])
            sn = np.sin(asr[:, None] * (xg + 1) / 2)[:, None, None, :]        # (s, 1, 1, npts)
            terms = np.exp((sn * self.hk[qs][..., None] - self.hs[qs][..., None]) / (1 - sn * sn))
            out[sel] = (terms @ wg) * asr[:, None, None] / (2 * _TWO_PI) + self.pp[qs]
        high = ar >= _HIGH
        if high.any():
            qs = q[high]
            out[high] = bvn_cdf(self.h[qs], self.k[qs], rho[high][:, None, None])
        return np.where(self.fin[q], np.clip(out, 0.0, 1.0), 0.0)

    def __call__(self, q, rho):
        F = self.F0[q]
        F[:, 1:-1, 1:-1] += self.cdf(q, rho)
        pi = _diff2(F)
        R = rho[:, None, None]
        s2 = 1 - R * R
        hk, quad = self.hk[q], 2 * self.hs[q] - 2 * R * self.hk[q]          # h^2 - 2 rho h k + k^2
        D = np.zeros(F.shape)
        dens = D[:, 1:-1, 1:-1]
        dens[...] = np.where(self.fin[q], np.exp(-quad / (2 * s2)) / (_TWO_PI * np.sqrt(s2)), 0.0)
        phi = _diff2(D)                                                     # d pi / d rho
        dens *= (hk * s2 - R * quad + R * s2) / (s2 * s2)
        dphi = _diff2(D)                                                    # d2 pi / d rho2
        freq = self.freq[q]
        ok = pi > _SQRT_EPS
        safe = np.where(ok, pi, 1.0)
        ll = np.sum(freq * np.log(np.maximum(pi, _SQRT_EPS)), axis=(1, 2))
        g = np.sum(np.where(ok, freq * phi / safe, 0.0), axis=(1, 2))
        h = np.sum(np.where(ok, freq * dphi / safe - freq * phi * phi / (safe * safe), 0.0), axis=(1, 2))
        return ll, g, h


def fit_rho(freq, tx, ty, start=None, bounds: float = 0.999, tol: float = 1e-11, maxit: int = 100):
    """Two-step ML polychoric correlations of P tables at once (Newton-Raphson, step halving).

    Returns ``(rho, converged, iterations)``; ``rho`` stays within [-bounds, bounds].
    """
    freq = np.asarray(freq, float)
    tx = np.atleast_2d(np.asarray(tx, float))
    ty = np.atleast_2d(np.asarray(ty, float))
    P = freq.shape[0]
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
        done = (moved < tol) | at_bound | (np.abs(ga) < 1e-10 * np.maximum(1.0, freq[ia].sum(axis=(1, 2))))
        converged[ia[done]] = True
        active[ia[done]] = False
    return rho, converged, it
