"""Small optimisers for the mixed-model deviance (pure Python / numpy, no scipy import).

``brent_min``: Brent's one-dimensional minimiser, as R ``optimize()``; ``newton_polish``:
a few safeguarded finite-difference Newton steps that take L-BFGS-B's answer to the optimum.
"""
from __future__ import annotations

import numpy as np

__all__ = ["brent_min", "newton_polish"]


def brent_min(f, a: float, b: float, tol: float = 1e-10, maxiter: int = 500):
    """Brent's minimiser on [a, b] (golden section + parabolic steps, as R optimize()).

    Pure Python so the one-parameter fit does not pay for importing scipy.optimize.
    """
    golden = 0.3819660112501051
    x = w = v = a + golden * (b - a)
    fx = fw = fv = f(x)
    d = e = 0.0
    for _ in range(maxiter):
        m = 0.5 * (a + b)
        tol1 = tol * abs(x) + 1e-12
        tol2 = 2.0 * tol1
        if abs(x - m) <= tol2 - 0.5 * (b - a):
            return x, fx, True
        if abs(e) > tol1:
            r = (x - w) * (fx - fv)
            q = (x - v) * (fx - fw)
            p = (x - v) * q - (x - w) * r
            q = 2.0 * (q - r)
            if q > 0:
                p = -p
            q = abs(q)
            etemp = e
            e = d
            if abs(p) >= abs(0.5 * q * etemp) or p <= q * (a - x) or p >= q * (b - x):
                e = (a - x) if x >= m else (b - x)
                d = golden * e
            else:
                d = p / q
                u = x + d
                if u - a < tol2 or b - u < tol2:
                    d = tol1 if m >= x else -tol1
        else:
            e = (a - x) if x >= m else (b - x)
            d = golden * e
        u = x + d if abs(d) >= tol1 else x + (tol1 if d > 0 else -tol1)
        fu = f(u)
        if fu <= fx:
            if u >= x:
                a = x
            else:
                b = x
            v, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu <= fw or w == x:
                v, fv, w, fw = w, fw, u, fu
            elif fu <= fv or v == x or v == w:
                v, fv = u, fu
    return x, fx, False


def newton_polish(f, x, bounded, steps: int = 20):
    """A few safeguarded Newton steps with central-difference gradient and Hessian.

    L-BFGS-B with a forward-difference gradient stops ~1e-5 short of the optimum; with at
    most four parameters a finite-difference Newton step costs ~30 evaluations and brings
    theta to the optimum to ~1e-8. Parameters at a zero lower bound with an outward
    gradient stay there.
    """
    x = x.copy()
    fx = f(x)
    k = len(x)
    for _ in range(steps):
        h = 1e-4 * np.maximum(1.0, np.abs(x))
        active = np.array([bounded[i] and x[i] <= 2 * h[i] for i in range(k)])
        free = ~active
        if not free.any():
            break
        idx = np.flatnonzero(free)
        g = np.zeros(k)
        H = np.zeros((k, k))
        fp, fm = {}, {}
        for i in idx:
            e = np.zeros(k)
            e[i] = h[i]
            fp[i], fm[i] = f(x + e), f(x - e)
            g[i] = (fp[i] - fm[i]) / (2 * h[i])
            H[i, i] = (fp[i] - 2 * fx + fm[i]) / h[i] ** 2
        for a_ in range(len(idx)):
            for b_ in range(a_ + 1, len(idx)):
                i, j = idx[a_], idx[b_]
                ei = np.zeros(k)
                ej = np.zeros(k)
                ei[i], ej[j] = h[i], h[j]
                H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                    4 * h[i] * h[j])
        Hs = H[np.ix_(idx, idx)]
        if not np.all(np.isfinite(Hs)) or not np.all(np.isfinite(g)):
            break
        try:
            w, _ = np.linalg.eigh(Hs)
            if w.min() <= 0:
                break
            step = np.linalg.solve(Hs, g[idx])
        except np.linalg.LinAlgError:
            break
        t = 1.0
        improved = False
        while t > 1e-4:
            xn = x.copy()
            xn[idx] -= t * step
            for i in idx:
                if bounded[i] and xn[i] < 0:
                    xn[i] = 0.0
            fn = f(xn)
            if fn <= fx:
                improved = fx - fn
                x, fx = xn, fn
                break
            t /= 2
        if improved is False or (np.max(np.abs(t * step)) < 1e-10 * max(1.0, np.max(np.abs(x)))):
            break
    return x
