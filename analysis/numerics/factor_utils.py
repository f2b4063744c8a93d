"""Numerical building blocks of exploratory factor analysis, ported from R.

Everything here works on a correlation matrix (numpy arrays in, numpy arrays out) and
follows the R code it names line by line, so that :func:`avoid_survey.analysis.stats.efa.efa`
reproduces ``psych::fa`` (psych 2.2.9) and ``GPArotation`` (2022.10.2):

* :func:`smc`, :func:`kmo`, :func:`bartlett` — ``psych::smc``, ``psych::KMO``,
  ``psych::cortest.bartlett``.
* :func:`fit_minres_ml` — the ``fit()`` closure of ``psych:::fac`` for ``fm="minres"`` and
  ``fm="ml"``: the same solution (same start ``1 - smc`` and bounds
  ``[0.005, max(smc, 1)]``), found by a projected BFGS in numpy converged more tightly
  than R's L-BFGS-B.
* :func:`fit_pa` — ``fm="pa"``: iterated principal axes from SMCs, stopping when the sum
  of communalities changes by less than ``min.err = 0.001`` (at most 50 iterations).
* :func:`rotate` — the rotations registered in :mod:`.rotation` (GPArotation's GPFoblq /
  GPForth criteria, ``stats::varimax``, psych's promax; see :mod:`.rotation_algorithms`).
* :func:`one_factor_values` — ``fa(R, nfactors = 1, fm = "minres")$values``, the
  "eigen values of principal factors" that ``psych::fa.parallel(fa = "fa")`` compares.

Why not factor-analyzer 0.5.1 for extraction and rotation: its minres objective sums the
squared residuals including the diagonal and uses finite-difference gradients (psych sums
the lower triangle and passes an analytic pseudo-gradient), it orders oblique factors by
unweighted sums of squares and does not reorder Phi with them, and importing it loads
scikit-learn (about one second of start-up, a third of our time budget for a parallel
analysis). For the same reason this module uses numpy only (importing scipy.optimize costs
about as much as the whole parallel analysis). The tests cross-check our loadings against
factor-analyzer and scipy's chi-square distribution anyway.
"""
from __future__ import annotations

import numpy as np

from .dist import chi2_sf

__all__ = ["smc", "kmo", "bartlett", "fit_minres_ml", "fit_pa", "rotate", "one_factor_values", "simulate_correlations",
           "max_factors", "chi2_sf", "one_factor_values_batch", "sort_sign",
           "pairwise_cov", "pairwise_cor", "cov2cor"]

_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- moments of data
def _pair_sums(X):
    """Sums over pairwise-complete rows: counts, sum x_i | j, sum x_i^2 | j, sum x_i x_j.

    Columns are centred at their means first (which changes no covariance), so that the
    one-pass formulas below do not cancel digits for data far from 0.
    """
    M = ~np.isnan(X)
    X0 = np.where(M, X, 0.0)
    X0 = np.where(M, X0 - X0.sum(0) / np.maximum(M.sum(0), 1), 0.0)
    Mf = M.astype(float)
    n = Mf.T @ Mf
    sx = X0.T @ Mf             # [i, j] = sum of x_i over rows where i and j are present
    sxx = (X0 * X0).T @ Mf     # [i, j] = sum of x_i^2 over those rows
    sxy = X0.T @ X0
    return n, sx, sxx, sxy


def pairwise_cov(X):
    """``cov(X, use = "pairwise")``: each pair's own complete rows, n - 1 denominator.

    Returns (C, n_pairs). Pairs with fewer than 2 common rows give NaN.
    """
    X = np.asarray(X, float)
    if not np.isnan(X).any():
        n = X.shape[0]
        with np.errstate(all="ignore"):  # huge codes overflow to inf/NaN, reported by the caller
            C = np.cov(X, rowvar=False, ddof=1) if n > 1 else np.full((X.shape[1],) * 2, np.nan)
        return np.atleast_2d(C), np.full((X.shape[1],) * 2, float(n))
    with np.errstate(all="ignore"):
        n, sx, _sxx, sxy = _pair_sums(X)
        # one-pass on globally centred data: exact to ~1e-15 relative like R's two-pass cov
        C = (sxy - sx * sx.T / n) / (n - 1)
    C[n < 2] = np.nan
    return C, n


def pairwise_cor(X):
    """``cor(X, use = "pairwise")``: means and SDs of each pair from the pair's rows
    (this differs from ``cov2cor(cov(X, use = "pairwise"))`` when data are missing)."""
    X = np.asarray(X, float)
    if not np.isnan(X).any():
        with np.errstate(all="ignore"):
            return np.atleast_2d(np.corrcoef(X, rowvar=False))
    with np.errstate(all="ignore"):
        n, sx, sxx, sxy = _pair_sums(X)
        cxy = sxy - sx * sx.T / n
        vx = sxx - sx * sx / n
        R = cxy / np.sqrt(vx * vx.T)
    R[n < 2] = np.nan
    np.fill_diagonal(R, 1.0)
    return R


def cov2cor(C):
    d = np.sqrt(np.diag(C))
    with np.errstate(all="ignore"):
        return C / np.outer(d, d)


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^-1)``, clipped to [0, 1] (psych::smc).

    A matrix with NaN (a pair never answered together) gives all-NaN.
    """
    r = np.asarray(r, dtype=float)
    if np.isnan(r).any():
        return np.full(r.shape[0], np.nan)
    inv = np.linalg.pinv(r, hermitian=True)
    with np.errstate(divide="ignore"):
        out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def kmo(r: np.ndarray) -> tuple[float, np.ndarray]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (psych::KMO).

    ``Q = cov2cor(R^-1)`` (anti-image correlations up to sign), off-diagonals only:
    ``MSA = sum r^2 / (sum r^2 + sum q^2)`` overall and per column.
    """
    q = np.linalg.inv(r)
    d = 1.0 / np.sqrt(np.diag(q))
    q = q * d[:, None] * d[None, :]
    r0 = r.copy()
    np.fill_diagonal(q, 0.0)
    np.fill_diagonal(r0, 0.0)
    r2, q2 = r0 ** 2, q ** 2
    overall = r2.sum() / (r2.sum() + q2.sum())
    items = r2.sum(0) / (r2.sum(0) + q2.sum(0))
    return float(overall), items


def bartlett(r: np.ndarray, n: int) -> tuple[float, int, float]:
    """Bartlett's test of sphericity (psych::cortest.bartlett).

    ``chi2 = -log(det R) * (n - 1 - (2p + 5)/6)``, ``df = p(p - 1)/2``.
    """
    p = r.shape[0]
    sign, logdet = np.linalg.slogdet(r)
    chi2 = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return float(chi2), int(df), chi2_sf(chi2, df)


def max_factors(p: int) -> int:
    """Largest number of factors with non-negative model degrees of freedom."""
    k = 0
    while k + 1 < p and ((p - (k + 1)) ** 2 - (p + k + 1)) >= 0:
        k += 1
    return k


def _top(s: np.ndarray, nf: int):
    w, v = np.linalg.eigh(s)
    return w[::-1][:nf], v[:, ::-1][:, :nf]


def _box_bfgs(fg, x0, lo, hi, gtol: float = 1e-10, maxit: int = 500):
    """Minimise a smooth function on a box with projected BFGS and Armijo backtracking.

    ``fg(x) -> (f, gradient)``. Variables at a bound whose gradient points outward are held
    fixed; BFGS works on the free ones (reset when that set changes). Stops when the
    projected gradient's largest entry is below ``gtol`` or the step stalls.
    Returns x, converged, iterations.
    """
    x = np.clip(np.asarray(x0, dtype=float), lo, hi)
    f, g = fg(x)
    n = x.size
    h = np.eye(n)
    free_prev = None
    for it in range(1, maxit + 1):
        at_lo = (x <= lo) & (g > 0)
        at_hi = (x >= hi) & (g < 0)
        free = ~(at_lo | at_hi)
        pg = np.where(free, g, 0.0)
        if np.max(np.abs(pg)) < gtol:
            return x, True, it
        if free_prev is None or (free != free_prev).any():
            h = np.eye(n)
        free_prev = free
        d = -(h @ pg)
        d[~free] = 0.0
        if d @ pg >= 0:  # not a descent direction: restart with steepest descent
            h = np.eye(n)
            d = -pg
        t = 1.0
        # first step from the identity: keep it modest
        if it == 1:
            t = min(1.0, 0.1 / max(np.max(np.abs(d)), 1e-12))
        while True:
            xn = np.clip(x + t * d, lo, hi)
            fn, gn = fg(xn)
            if fn <= f + 1e-4 * (g @ (xn - x)) or t < 1e-12:
                break
            t *= 0.5
        s_, y_ = xn - x, gn - g
        if t < 1e-12 and fn >= f:
            return x, bool(np.max(np.abs(pg)) < 1e-6), it
        sy = s_ @ y_
        if sy > 1e-14:
            rho = 1.0 / sy
            v = np.eye(n) - rho * np.outer(s_, y_)
            h = v @ h @ v.T + rho * np.outer(s_, s_)
        x, f, g = xn, fn, gn
        if abs(s_).max() < 1e-15:
            return x, bool(np.max(np.abs(pg)) < 1e-6), it
    return x, False, maxit


def fit_minres_ml(r: np.ndarray, nf: int, method: str = "minres"):
    """Unrotated loadings by minres (ULS) or maximum likelihood, as ``psych:::fac``'s fit().

    Both are minimised over the uniquenesses psi on psych's box [0.005, max(smc, 1)] from
    psych's start ``1 - smc``, to a tighter tolerance than R's L-BFGS-B (so results agree
    with psych to its own precision, about 1e-6):

    * minres: ``f(psi) = 1/2 sum_{m > nf} e_m^2`` over the trailing eigenvalues e of
      ``R - diag(psi)``, gradient ``-sum_{m > nf} e_m v_m^2``. Its minimum has a zero
      diagonal residual, so it is the minimum of psych's lower-triangle criterion
      ``sum_{i<j} (R* - LL')_ij^2`` (R* = R with 1 - psi on the diagonal) and the root of
      psych's gradient ``diag(LL' + Psi - R)``.
    * ML: psych's FAfn ``-(sum(log e - e) - nf + p)`` over the trailing eigenvalues of
      ``Psi^-1/2 R Psi^-1/2`` with its analytic gradient FAgr.

    Loadings are then psych's FAout.wls (minres) / FAout (ML).

    Returns
    -------
    loadings (p x nf), psi, converged (bool), message
    """
    p = r.shape[0]
    s_smc = smc(r)
    upper = max(float(s_smc.max()), 1.0)
    start = np.diag(r) - s_smc
    dg = np.diag(r)

    if method == "minres":
        def fg(psi):
            s = r.copy()
            s[np.diag_indices(p)] = dg - psi
            w, v = np.linalg.eigh(s)  # ascending: the first p - nf are the trailing ones
            e, vv = w[: p - nf], v[:, : p - nf]
            return 0.5 * float(e @ e), -((vv ** 2) @ e)
    elif method == "ml":
        def fg(psi):
            sc = 1.0 / np.sqrt(psi)
            sstar = r * sc[:, None] * sc[None, :]
            w, v = np.linalg.eigh(sstar)
            w, v = w[::-1], v[:, ::-1]
            e = w[nf:]
            if (e <= 0).any():
                return np.inf, np.zeros(p)
            f = -float(np.sum(np.log(e) - e) - nf + p)  # FAfn
            lam = v[:, :nf] * np.sqrt(np.maximum(w[:nf] - 1.0, 0.0))  # FAgr
            lam = np.sqrt(psi)[:, None] * lam
            g = (lam ** 2).sum(1) + psi - dg
            return f, g / psi ** 2
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(method)

    psi, ok, its = _box_bfgs(fg, start, 0.005, upper)
    if method == "minres":  # FAout.wls
        s = r.copy()
        np.fill_diagonal(s, dg - psi)
        w, v = _top(s, nf)
        lam = v * np.sqrt(np.maximum(w, 0.0))
    else:  # FAout
        sc = 1.0 / np.sqrt(psi)
        w, v = _top(r * sc[:, None] * sc[None, :], nf)
        lam = np.sqrt(psi)[:, None] * (v * np.sqrt(np.maximum(w - 1.0, 0.0)))
    return lam, psi, ok, ("converged" if ok else f"no convergence in {its} iterations")


def fit_pa(r: np.ndarray, nf: int, min_err: float = 0.001, max_iter: int = 50):
    """Iterated principal axes as ``psych:::fac(fm = "pa")``.

    Start with SMCs on the diagonal; repeat: L = first nf eigenvectors times sqrt of their
    eigenvalues, put diag(LL') on the diagonal, until the sum of communalities changes by
    less than ``min_err`` or ``max_iter`` iterations.

    Returns
    -------
    loadings, eigenvalues of the last reduced matrix, converged (bool), iterations
    """
    rm = r.copy()
    np.fill_diagonal(rm, smc(r))
    comm = float(np.trace(rm))
    err, i, converged = comm, 1, True
    w = np.zeros(r.shape[0])
    lam = np.zeros((r.shape[0], nf))
    while err > min_err:
        w_all, v_all = np.linalg.eigh(rm)
        w, v = w_all[::-1], v_all[:, ::-1]
        with np.errstate(invalid="ignore"):
            lam = v[:, :nf] * np.sqrt(w[:nf])
        new = (lam ** 2).sum(1)
        comm1 = float(new.sum())
        np.fill_diagonal(rm, new)
        err = abs(comm - comm1)
        if np.isnan(err):
            converged = False
            break
        comm = comm1
        i += 1
        if i > max_iter:
            converged = False
            err = 0.0
    return lam, w, converged, i - 1


# --------------------------------------------------------------------------- rotations
def rotate(lam: np.ndarray, rotation: str):
    """Rotate unrotated loadings by a registered rotation (:data:`.rotation.ROTATIONS`);
    returns (loadings, Phi or None, converged). One factor is left as it is."""
    from .rotation import ROTATIONS

    if lam.shape[1] < 2:
        return lam.copy(), None, True
    return ROTATIONS.get(rotation)(lam)


def sort_sign(lam: np.ndarray, phi: np.ndarray | None = None):
    """psych's fa after rotation: reflect each factor so its loadings sum to > 0, then order
    factors by variance accounted for, ``diag(Phi L'L)`` (``diag(L'L)`` when orthogonal).

    Returns (loadings, Phi or None, order) with ``order`` the column permutation applied.
    """
    sg = np.sign(lam.sum(0))
    sg[sg == 0] = 1
    lam = lam * sg
    if phi is not None:
        phi = phi * np.outer(sg, sg)
    ssl = np.diag(phi @ lam.T @ lam) if phi is not None else (lam ** 2).sum(0)
    order = np.argsort(-ssl, kind="stable")
    lam = lam[:, order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    return lam, phi, order


# ------------------------------------------------------------------ parallel analysis
def one_factor_values(r: np.ndarray) -> np.ndarray:
    """``psych::fa(r, nfactors = 1, fm = "minres")$values``.

    The eigenvalues (decreasing) of R with the one-factor minres communalities on the
    diagonal: what ``psych::fa.parallel(fa = "fa")`` plots and tests (its default
    ``SMC = FALSE``), not the eigenvalues of R with SMCs on the diagonal.
    """
    lam, _psi, _ok, _msg = fit_minres_ml(r, 1, "minres")
    s = r.copy()
    np.fill_diagonal(s, (lam ** 2).sum(1))
    return np.linalg.eigvalsh(s)[::-1]


def simulate_correlations(n: int, p: int, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """Correlation matrices of ``iterations`` samples of n x p independent normal data.

    Drawn in one batch through the Bartlett decomposition of the Wishart distribution:
    the centred cross-product matrix of n standard-normal rows is ``W ~ Wishart(n-1, I)``,
    ``W = A A'`` with A lower triangular, ``A_ii = sqrt(chi2(n - i))`` (i = 1..p) and
    ``A_ij ~ N(0, 1)`` below the diagonal; ``cov2cor(W)`` then has exactly the distribution
    of ``cor(matrix(rnorm(n * p), n))`` that psych::fa.parallel draws, at O(p^2) instead
    of O(n p) random numbers per iteration.
    """
    a = np.zeros((iterations, p, p))
    il = np.tril_indices(p, -1)
    a[:, il[0], il[1]] = rng.standard_normal((iterations, il[0].size))
    ii = np.arange(p)
    a[:, ii, ii] = np.sqrt(rng.chisquare((n - 1) - ii, size=(iterations, p)))
    w = a @ a.transpose(0, 2, 1)
    d = 1.0 / np.sqrt(np.einsum("bii->bi", w))
    c = w * d[:, :, None] * d[:, None, :]
    c[:, ii, ii] = 1.0
    return c


def one_factor_values_batch(r: np.ndarray, tol: float = 1e-10, maxit: int = 200) -> np.ndarray:
    """:func:`one_factor_values` for a batch of correlation matrices (B x p x p) at once.

    The one-factor minres solution minimises ``1/2 sum_{i != j} (r_ij - l_i l_j)^2`` over
    the loadings l with psych's bound ``l_i^2 <= 0.995`` (uniqueness >= 0.005). All B
    problems are solved together by a damped (Levenberg-Marquardt) projected Newton
    iteration with the analytic gradient and Hessian
    ``g = -2 (R0 l - l * (|l|^2 - l^2))``, ``H = 2 (diag(|l|^2 - l^2) - R0 + 2 (ll' - diag(l^2)))``
    (R0 = R with a zero diagonal), starting from psych's start (communalities = SMCs).
    Returns the (B x p) eigenvalues, decreasing, of each R with ``l^2`` on the diagonal.

    For proper solutions this equals :func:`one_factor_values` (to 1e-6). For improper ones
    (an item at the bound, frequent for random data with few rows) it can differ: here the
    bounded item's communality is exactly .995, while psych's parameterisation by the
    uniquenesses lets the model communality pass the bound; rarely another local optimum is
    found. This only moves the simulated distribution of the first eigenvalue, which parallel
    analysis on real data never comes near (tests/test_efa.py compares with psych's).
    """
    r = np.asarray(r, dtype=float)
    nb, p, _ = r.shape
    ii = np.arange(p)
    bound = np.sqrt(0.995)
    r0 = r.copy()
    r0[:, ii, ii] = 0.0
    inv = np.linalg.inv(r)
    h2 = np.clip(1.0 - 1.0 / inv[:, ii, ii], 0.0, 1.0)
    s = r.copy()
    s[:, ii, ii] = h2
    w, v = np.linalg.eigh(s)
    l = v[:, :, -1] * np.sqrt(np.maximum(w[:, -1], 1e-6))[:, None]
    l = np.clip(l, -bound, bound)

    def fval(r0, l):
        m = r0 - l[:, :, None] * l[:, None, :]
        m[:, ii, ii] = 0.0
        return 0.5 * (m * m).sum((1, 2))

    f = fval(r0, l)
    mu = np.full(nb, 1e-3)
    todo = np.arange(nb)  # problems still iterating; the others are left alone
    eye = np.eye(p)
    for _ in range(maxit):
        if todo.size == 0:
            break
        lt, rt = l[todo], r0[todo]
        ss = (lt ** 2).sum(1)[:, None]
        g = -2.0 * ((rt @ lt[:, :, None])[:, :, 0] - lt * (ss - lt ** 2))
        active = (np.abs(lt) >= bound - 1e-12) & (np.sign(lt) * g < 0)
        pg = np.where(active, 0.0, g)
        conv = np.abs(pg).max(1) < tol
        h = 4.0 * lt[:, :, None] * lt[:, None, :] - 2.0 * rt
        h[:, ii, ii] = 2.0 * (ss - lt ** 2)
        if active.any():
            act = active[:, :, None] | active[:, None, :]
            h = np.where(act, 0.0, h)
            h[:, ii, ii] = np.where(active, 1.0, h[:, ii, ii])
        scale = np.maximum(np.abs(h[:, ii, ii]).mean(1), 1e-12)
        d = np.linalg.solve(h + (mu[todo] * scale)[:, None, None] * eye, -pg[:, :, None])[:, :, 0]
        ln = np.clip(lt + d, -bound, bound)
        fn = fval(rt, ln)
        better = (fn <= f[todo]) & ~conv
        upd = todo[better]
        l[upd] = ln[better]
        f[upd] = fn[better]
        mu[todo] = np.where(better, np.maximum(mu[todo] / 3.0, 1e-12), mu[todo] * 4.0)
        stalled = ~better & (mu[todo] > 1e12)
        todo = todo[~(conv | stalled)]
    s = r.copy()
    s[:, ii, ii] = l ** 2
    return np.linalg.eigvalsh(s)[:, ::-1]
