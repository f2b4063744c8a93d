"""Factor rotations, ported from R line by line (numpy only).

* :func:`gpa_oblique`, :func:`gpa_orthogonal` — ``GPArotation::GPFoblq`` / ``GPForth``
  (``eps = 1e-5``, ``maxit = 1000``, identity start, no normalisation) with the
  quartimin (``oblimin``), geomin (``delta = 0.01``) and quartimax criteria;
* :func:`varimax` — ``stats::varimax`` (Kaiser normalised, ``eps = 1e-5``);
* :func:`promax` — ``psych::kaiser(f, rotate = "Promax")`` around ``psych::Promax`` (``m = 4``).

The ``*_rotation`` functions at the end are what :data:`.rotation.ROTATIONS` registers:
each takes unrotated loadings (p x k, k >= 2) and returns (loadings, Phi or None, converged).
"""
from __future__ import annotations

import numpy as np

__all__ = ["gpa_oblique", "gpa_orthogonal", "varimax", "promax", "oblimin_rotation", "geomin_rotation",
           "quartimax_rotation", "varimax_rotation", "promax_rotation", "no_rotation"]


def _vgq_quartimin(lam):
    """GPArotation vgQ.oblimin with gam = 0 (quartimin)."""
    k = lam.shape[1]
    x = (lam ** 2) @ (1.0 - np.eye(k))
    return lam * x, float(np.sum(lam ** 2 * x) / 4)


def _vgq_geomin(lam, delta=0.01):
    k = lam.shape[1]
    l2 = lam ** 2 + delta
    pro = np.exp(np.log(l2).sum(1) / k)
    return (2.0 / k) * (lam / l2) * pro[:, None], float(pro.sum())


def _vgq_quartimax(lam):
    return -(lam ** 3), float(-np.sum(lam ** 4) / 4)


_CRITERIA = {"oblimin": _vgq_quartimin, "geomin": _vgq_geomin, "quartimax": _vgq_quartimax}


def gpa_oblique(a: np.ndarray, criterion: str, eps: float = 1e-5, maxit: int = 1000):
    """Gradient projection oblique rotation, GPArotation::GPFoblq.

    Returns pattern loadings ``A (T')^-1``, Phi ``T'T``, T, converged.
    """
    vgq = _CRITERIA[criterion]
    tmat = np.eye(a.shape[1])
    al = 1.0
    lam = a @ np.linalg.inv(tmat).T
    gq, f = vgq(lam)
    g = -(lam.T @ gq @ np.linalg.inv(tmat)).T
    s = np.inf
    for _ in range(maxit + 1):
        gp = g - tmat @ np.diag(np.sum(tmat * g, axis=0))
        s = float(np.sqrt(np.sum(gp ** 2)))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            x = tmat - al * gp
            tmatt = x / np.sqrt(np.sum(x ** 2, axis=0))[None, :]
            lam = a @ np.linalg.inv(tmatt).T
            gqt, ft = vgq(lam)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2
        tmat = tmatt
        f = ft
        g = -(lam.T @ gqt @ np.linalg.inv(tmatt)).T
    return lam, tmat.T @ tmat, tmat, s < eps


def gpa_orthogonal(a: np.ndarray, criterion: str, eps: float = 1e-5, maxit: int = 1000):
    """Gradient projection orthogonal rotation, GPArotation::GPForth. Returns A T, T, converged."""
    vgq = _CRITERIA[criterion]
    tmat = np.eye(a.shape[1])
    al = 1.0
    lam = a @ tmat
    gq, f = vgq(lam)
    g = a.T @ gq
    s = np.inf
    for _ in range(maxit + 1):
        m = tmat.T @ g
        sym = (m + m.T) / 2
        gp = g - tmat @ sym
        s = float(np.sqrt(np.sum(gp ** 2)))
        if s < eps:
            break
        al *= 2
        for _ in range(11):
            x = tmat - al * gp
            u, _d, vt = np.linalg.svd(x)
            tmatt = u @ vt
            lam = a @ tmatt
            gqt, ft = vgq(lam)
            if ft < f - 0.5 * s ** 2 * al:
                break
            al /= 2
        tmat = tmatt
        f = ft
        g = a.T @ gqt
    return lam, tmat, s < eps


def varimax(x: np.ndarray, normalize: bool = True, eps: float = 1e-5):
    """stats::varimax: returns rotated loadings and the rotation matrix."""
    p, nc = x.shape
    if nc < 2:
        return x.copy(), np.eye(nc)
    sc = np.sqrt((x ** 2).sum(1)) if normalize else np.ones(p)
    xs = x / sc[:, None]
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = xs @ tt
        b = xs.T @ (z ** 3 - z @ np.diag((z ** 2).sum(0)) / p)
        u, sv, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast, d = d, float(sv.sum())
        if d < dpast * (1 + eps):
            break
    return (xs @ tt) * sc[:, None], tt


def promax(f: np.ndarray, m: int = 4):
    """psych's ``fa(rotate = "promax")``: ``kaiser(f, rotate = "Promax")``.

    Rows are divided by sqrt(h2), psych::Promax (varimax, target ``x|x|^(m-1)``, least
    squares transformation with unit-variance factors) is applied, rows are multiplied back.
    Returns pattern loadings and Phi.
    """
    h2 = (f ** 2).sum(1)
    w = f / np.sqrt(h2)[:, None]
    x, rot = varimax(w)
    q = x * np.abs(x) ** (m - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u @ np.diag(np.sqrt(d))
    z = x @ u
    u = rot @ u
    ui = np.linalg.inv(u)
    return z * np.sqrt(h2)[:, None], ui @ ui.T


# --------------------------------------------------------------------------- registered rotations
def oblimin_rotation(lam):
    """GPArotation::oblimin with gam = 0 (quartimin), oblique."""
    out, phi, _t, conv = gpa_oblique(lam, "oblimin")
    return out, phi, conv


def geomin_rotation(lam):
    """GPArotation::geominQ (delta = .01), oblique."""
    out, phi, _t, conv = gpa_oblique(lam, "geomin")
    return out, phi, conv


def quartimax_rotation(lam):
    """GPArotation::quartimax, orthogonal."""
    out, _t, conv = gpa_orthogonal(lam, "quartimax")
    return out, None, conv


def varimax_rotation(lam):
    """stats::varimax (Kaiser normalised), orthogonal."""
    return varimax(lam)[0], None, True


def promax_rotation(lam):
    """psych's Kaiser-normalised promax (m = 4), oblique."""
    out, phi = promax(lam)
    return out, phi, True


def no_rotation(lam):
    """The unrotated solution."""
    return lam.copy(), None, True
