"""Sample statistics of WLSMV, as lavaan's ``muthen1984``: thresholds and polychoric
correlations by two-step ML, and their asymptotic covariance matrix Gamma (NACOV).

With casewise scores of the univariate probit log-likelihoods (thresholds, ``S1``) and of
each pair's bivariate log-likelihood with respect to its correlation (``s_rho``) and the
pair's thresholds (``s_t``), all evaluated at the two-step estimates::

    INNER = [S1 S2]' [S1 S2]                     (S2: the n x pairs matrix of s_rho)
    A11   = block-diagonal of INNER over each item's thresholds
    A21   = sum_i s_rho,i s_t,i'  (per pair, on the pair's two threshold blocks)
    A22   = diag(sum_i s_rho,i^2)
    B^-1  = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]]
    Gamma = N B^-1 INNER B^-1'

The statistics are ordered as lavaan's ``WLS.obs``: every item's thresholds (items in model
order), then the correlations below the diagonal by columns ((2,1), (3,1), ..., (3,2), ...).
Polychoric estimates and the bivariate rectangle derivatives come from
:mod:`avoid_survey.analysis.numerics.polychoric`; only the Gamma assembly lives here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ....core.errors import AvoidSurveyError

__all__ = ["OrdinalSample", "ordinal_sample"]


@dataclass
class OrdinalSample:
    """One group's sample statistics for DWLS."""

    name: object
    n: int
    items: list
    levels: list            # category codes of each item
    th: list                # thresholds of each item (arrays)
    R: np.ndarray           # polychoric correlations
    obs: np.ndarray         # thresholds then correlations (lavaan's WLS.obs)
    gamma: np.ndarray       # NACOV (N times the asymptotic covariance of obs)
    wdiag: np.ndarray       # 1 / diag(gamma): the DWLS weights

    @property
    def nth(self):
        return [len(t) for t in self.th]


def _codes(x, items, levels, group, file):
    """Category index of every answer (-1 missing) on the categories in ``levels``; a category
    nobody chose in this group is refused, naming the item and the group."""
    idx = np.full(x.shape, -1, dtype=np.int64)
    for j, lv in enumerate(levels):
        col = x[:, j]
        ok = ~np.isnan(col)
        pos = np.searchsorted(lv, col[ok])
        idx[ok, j] = pos
        used = np.bincount(pos, minlength=len(lv))
        empty = [lv[k] for k in range(len(lv)) if used[k] == 0]
        if empty:
            where = f" in group '{group}'" if group is not None else ""
            code = empty[0]
            code = int(code) if float(code).is_integer() else code
            raise AvoidSurveyError(f"item '{items[j]}': nobody chose category {code}{where} (an empty category): "
                                   f"its threshold cannot be estimated; merge the category with a neighbour or "
                                   f"drop the item", file=file, column=items[j])
        if len(lv) < 2:
            raise AvoidSurveyError(f"item '{items[j]}' has only one category among the rows used: it cannot be "
                                   f"treated as ordinal", file=file, column=items[j])
    return idx


def _uni_scores(idx, th):
    """n x sum(nth) casewise scores of every item's thresholds (lavaan ``lav_uvord_scores``)."""
    from ....numerics.polychoric import norm_cdf

    n = idx.shape[0]
    cols = []
    for j, t in enumerate(th):
        cut = np.concatenate([[-np.inf], t, [np.inf]])
        pc = norm_cdf(cut[1:]) - norm_cdf(cut[:-1])
        dens = np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
        C = len(t) + 1
        # a case in category c: +phi(t_c)/P_c on t_c, -phi(t_{c-1})/P_c on t_{c-1}
        tab = np.zeros((C + 1, C - 1))        # last row: missing
        for c in range(C):
            if c < C - 1:
                tab[c, c] = dens[c] / pc[c]
            if c > 0:
                tab[c, c - 1] = -dens[c - 1] / pc[c]
        cols.append(tab[np.where(idx[:, j] >= 0, idx[:, j], C)])
    return np.hstack(cols) if cols else np.zeros((n, 0))


def _gamma(idx, th, R):
    """NACOV of (thresholds, correlations) from the casewise scores (see the module docstring)."""
    from ....numerics.polychoric import rectangle_probs

    n, p = idx.shape
    nth = [len(t) for t in th]
    start = np.concatenate([[0], np.cumsum(nth)])
    T = int(start[-1])
    a, b = np.triu_indices(p, 1)          # (a, b), a < b: lavaan's column-wise vech order
    P = len(a)
    W = max(nth)
    pad = lambda t: np.concatenate([t, np.full(W - len(t), np.inf)])  # noqa: E731
    tx = np.array([pad(th[i]) for i in a]).reshape(P, W)
    ty = np.array([pad(th[j]) for j in b]).reshape(P, W)
    d = rectangle_probs(tx, ty, R[a, b], deriv=1)
    pi = d["pi"]
    ok = pi > np.sqrt(np.finfo(float).eps)
    inv = np.where(ok, 1.0 / np.where(ok, pi, 1.0), 0.0)
    s_rho = d["dpi_drho"] * inv                         # (P, W+1, W+1)
    s_tx = d["dpi_dtx"] * inv[..., None]                # (P, W+1, W+1, W)
    s_ty = d["dpi_dty"] * inv[..., None]
    S1 = _uni_scores(idx, th)
    ia, ib = idx[:, a], idx[:, b]                       # (n, P)
    seen = (ia >= 0) & (ib >= 0)
    q = np.broadcast_to(np.arange(P), ia.shape)
    S2 = np.where(seen, s_rho[q, np.where(seen, ia, 0), np.where(seen, ib, 0)], 0.0)
    # cell counts of every pair's table, for the sums over cases
    C = W + 1
    freq = np.zeros((P, C, C))
    np.add.at(freq, (q[seen], ia[seen], ib[seen]), 1.0)
    S = np.hstack([S1, S2])
    inner = S.T @ S
    A11 = np.zeros((T, T))
    for j in range(p):
        sl = slice(start[j], start[j + 1])
        A11[sl, sl] = inner[sl, sl]
    A21 = np.zeros((P, T))
    w = freq * s_rho
    ex = np.einsum("pab,pabk->pk", w, s_tx)
    ey = np.einsum("pab,pabk->pk", w, s_ty)
    for k in range(P):
        i, j = a[k], b[k]
        A21[k, start[i]:start[i + 1]] = ex[k, :nth[i]]
        A21[k, start[j]:start[j + 1]] = ey[k, :nth[j]]
    a22 = np.einsum("pab,pab->p", freq, s_rho * s_rho)
    A11inv = np.linalg.inv(A11)
    Binv = np.zeros((T + P, T + P))
    Binv[:T, :T] = A11inv
    Binv[T:, T:] = np.diag(1.0 / a22)
    Binv[T:, :T] = -(A21 @ A11inv) / a22[:, None]
    return n * (Binv @ inner @ Binv.T)


def ordinal_sample(x, items, levels, *, name=None, file=None, missing="listwise") -> OrdinalSample:
    """Thresholds, polychoric correlations, Gamma and DWLS weights of one group.

    ``x``: the group's rows (n x p floats, NaN missing), items in model order; ``levels``:
    every item's categories over all groups (an empty category in this group is refused).
    """
    from ....numerics.polychoric import polychoric_matrix

    idx = _codes(x, items, levels, name, file)
    pc = polychoric_matrix(x, items=list(items), method="lavaan", missing=missing)
    th = [np.asarray(t, float) for t in pc.thresholds]
    R = np.asarray(pc.rho, float)
    if not np.isfinite(R).all():
        raise AvoidSurveyError("a polychoric correlation could not be estimated", file=file)
    p = len(items)
    a, b = np.triu_indices(p, 1)
    obs = np.concatenate([np.concatenate(th), R[b, a]])
    gamma = _gamma(idx, th, R)
    dg = np.diag(gamma)
    if not np.all(np.isfinite(dg)) or np.any(dg <= 0):
        raise AvoidSurveyError("the asymptotic covariance matrix of the polychoric correlations (Gamma) is "
                               "degenerate: too few rows for this many items and categories", file=file)
    n = int(x.shape[0])
    return OrdinalSample(name, n, list(items), [np.asarray(lv) for lv in levels], th, R, obs, gamma, 1.0 / dg)
