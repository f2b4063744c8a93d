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
order; a continuous item's slot holds minus its mean), the variances of the continuous items,
then the correlations below the diagonal by columns ((2,1), (3,1), ..., (3,2), ...), as
covariances where a continuous item takes part (``cov = r sd_i sd_j``, with the matching
rows of Gamma transformed by the Jacobian H of that map, as lavaan). Continuous items enter
with their ML mean and variance (casewise scores of the normal log-likelihood), polyserial
pairs with the scores of lavaan's ``lav_bvmix_cor_scores``, Pearson pairs with those of the
bivariate normal.
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
    R: np.ndarray           # polychoric (polyserial, Pearson) correlations
    obs: np.ndarray         # thresholds (-means), variances of continuous items, then (co)variances
    gamma: np.ndarray       # NACOV (N times the asymptotic covariance of obs)
    wdiag: np.ndarray       # 1 / diag(gamma): the DWLS weights
    numeric: np.ndarray = None   # bool per item: continuous (not ordered)
    cut: int = 0            # where the (co)variances below the diagonal start in obs
    mean: np.ndarray = None  # means of the continuous items (0 for ordered ones)
    sd: np.ndarray = None    # ML standard deviations of the continuous items (1 for ordered ones)
    start_S: np.ndarray = None     # moments for the starting values (with covariates)
    start_mean: np.ndarray = None

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


def _dn(x):
    x = np.asarray(x, float)
    fin = np.isfinite(x)
    return np.where(fin, np.exp(-0.5 * np.where(fin, x, 0.0) ** 2) / np.sqrt(2 * np.pi), 0.0)


def _mixed_pair_scores(z, sd, var, cat, t, rho):
    """lavaan's ``lav_bvmix_cor_scores``: scores (rho, mean, var, thresholds) of a continuous
    (standardised ``z``) and an ordinal item (category index ``cat``, thresholds ``t``)."""
    from ....numerics.polychoric import norm_cdf

    R = np.sqrt(1 - rho * rho)
    cut = np.concatenate([[-np.inf], t, [np.inf]])
    up, lo = cut[cat + 1], cut[cat]
    with np.errstate(invalid="ignore"):
        a = np.where(np.isfinite(up), (np.where(np.isfinite(up), up, 0) - rho * z) / R, np.inf)
        b = np.where(np.isfinite(lo), (np.where(np.isfinite(lo), lo, 0) - rho * z) / R, -np.inf)
    da, db = _dn(a), _dn(b)
    p = np.maximum(norm_cdf(a) - norm_cdf(b), np.finfo(float).eps)
    d = da - db
    s_mu = (z + (rho / R) * d / p) / sd
    s_var = ((z * z - 1) + (rho * z / R) * d / p) / (2 * var)
    ta = np.where(np.isfinite(up), da * (np.where(np.isfinite(up), up, 0) * rho - z), 0.0)
    tb = np.where(np.isfinite(lo), db * (np.where(np.isfinite(lo), lo, 0) * rho - z), 0.0)
    s_rho = (ta - tb) / (R ** 3 * p)
    C = len(t) + 1
    s_th = np.zeros((len(z), C - 1))
    for k in range(C - 1):
        s_th[:, k] = ((cat == k) * da - (cat == k + 1) * db) / (R * p)
    return s_rho, s_mu, s_var, s_th


def _normal_pair_scores(z1, z2, sd1, sd2, v1, v2, rho):
    """Scores (rho, mean1, var1, mean2, var2) of the bivariate normal log-density."""
    q = 1 - rho * rho
    s_rho = rho / q + z1 * z2 / q - rho * (z1 * z1 - 2 * rho * z1 * z2 + z2 * z2) / (q * q)
    s_m1 = (z1 - rho * z2) / (q * sd1)
    s_m2 = (z2 - rho * z1) / (q * sd2)
    s_v1 = -1 / (2 * v1) + z1 * (z1 - rho * z2) / (2 * v1 * q)
    s_v2 = -1 / (2 * v2) + z2 * (z2 - rho * z1) / (2 * v2 * q)
    return s_rho, s_m1, s_v1, s_m2, s_v2


def _mixed_correlations(x, items, numeric, th, mean, sd):
    """Polychoric (ordered pairs), polyserial (mixed) and ML Pearson (continuous) correlations."""
    from ....numerics.polychoric import polychoric_matrix, polyserial

    p = x.shape[1]
    ordi = np.flatnonzero(~numeric)
    R = np.eye(p)
    if len(ordi) > 1:
        pc = polychoric_matrix(x[:, ordi], items=[items[j] for j in ordi], method="lavaan")
        R[np.ix_(ordi, ordi)] = pc.rho
    for i in range(p):
        for j in range(i + 1, p):
            if numeric[i] and numeric[j]:
                r = float(np.mean((x[:, i] - mean[i]) * (x[:, j] - mean[j])) / (sd[i] * sd[j]))
            elif numeric[i] or numeric[j]:
                c, o = (i, j) if numeric[i] else (j, i)
                r = polyserial(x[:, c], x[:, o], th[o])
            else:
                continue
            R[i, j] = R[j, i] = r
    return R


class _Layout:
    """Columns of the casewise score matrix: TH block (thresholds, or the mean of a continuous
    item), VAR block (continuous items), COR block (pairs in lavaan's order)."""

    def __init__(self, numeric, th):
        p = len(numeric)
        slots = [1 if numeric[j] else len(th[j]) for j in range(p)]
        self.tstart = np.concatenate([[0], np.cumsum(slots)]).astype(int)
        self.T = int(self.tstart[-1])
        self.num = np.flatnonzero(numeric)
        self.var_col = {j: self.T + k for k, j in enumerate(self.num)}
        self.K = self.T + len(self.num)
        self.a, self.b = np.triu_indices(p, 1)

    def th(self, j):
        return slice(self.tstart[j], self.tstart[j + 1])


def _pair_into(q, S, A21, H, lay, x, z, idx, numeric, th, sd, var, R):
    """Pair q's score column, its A21 row and (with a continuous item) its rows of H."""
    from ....numerics.polychoric import pair_case_scores

    j1, j2 = lay.b[q], lay.a[q]                      # lavaan's pair (i, j) with i > j
    rho, col = R[j1, j2], lay.K + q
    if not numeric[j1] and not numeric[j2]:
        sc = pair_case_scores(x[:, j1], x[:, j2], th[j1], th[j2], rho)
        S[:, col] = sc[:, 0]
        n1 = len(th[j1])
        A21[q, lay.th(j1)] = S[:, col] @ sc[:, 1:1 + n1]
        A21[q, lay.th(j2)] = S[:, col] @ sc[:, 1 + n1:]
    elif numeric[j1] and numeric[j2]:
        s_rho, s_m1, s_v1, s_m2, s_v2 = _normal_pair_scores(z[:, j1], z[:, j2], sd[j1], sd[j2], var[j1], var[j2],
                                                            rho)
        S[:, col] = s_rho
        A21[q, lay.tstart[j1]], A21[q, lay.tstart[j2]] = s_rho @ s_m1, s_rho @ s_m2
        A21[q, lay.var_col[j1]], A21[q, lay.var_col[j2]] = s_rho @ s_v1, s_rho @ s_v2
        H[col, lay.var_col[j1]] = sd[j2] * rho / (2 * sd[j1])
        H[col, lay.var_col[j2]] = sd[j1] * rho / (2 * sd[j2])
        H[col, col] = sd[j1] * sd[j2]
    else:
        c, o = (j1, j2) if numeric[j1] else (j2, j1)
        s_rho, s_mu, s_var, s_th = _mixed_pair_scores(z[:, c], sd[c], var[c], idx[:, o], th[o], rho)
        S[:, col] = s_rho
        A21[q, lay.tstart[c]] = s_rho @ s_mu
        A21[q, lay.th(o)] = s_rho @ s_th
        A21[q, lay.var_col[c]] = s_rho @ s_var
        H[col, lay.var_col[c]] = rho / (2 * sd[c])
        H[col, col] = sd[c]


def _mixed_sample(x, items, idx, numeric, name, file):
    """Sample statistics with continuous items (listwise rows): thresholds / -means, variances,
    (co)variances and their Gamma as lavaan's ``muthen1984`` with ``ov.types`` numeric."""
    from ....numerics.polychoric import thresholds as uni_th

    n, p = x.shape
    th = [np.zeros(0) if numeric[j] else np.asarray(uni_th(x[:, j]), float) for j in range(p)]
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    sd = np.sqrt(var)
    R = _mixed_correlations(x, items, numeric, th, mean, sd)
    lay = _Layout(numeric, th)
    P, K = len(lay.a), lay.K
    z = (x - mean) / np.where(numeric, sd, 1.0)
    S = np.zeros((n, K + P))
    for j in range(p):
        if numeric[j]:
            S[:, lay.tstart[j]] = z[:, j] / sd[j]
            S[:, lay.var_col[j]] = (z[:, j] ** 2 - 1) / (2 * var[j])
        else:
            S[:, lay.th(j)] = _uni_scores(idx[:, [j]], [th[j]])
    A21 = np.zeros((P, K))
    H = np.eye(K + P)
    for q in range(P):
        _pair_into(q, S, A21, H, lay, x, z, idx, numeric, th, sd, var, R)
    inner = S.T @ S
    A11 = np.zeros((K, K))
    for j in range(p):
        cols = list(range(lay.tstart[j], lay.tstart[j + 1])) + ([lay.var_col[j]] if numeric[j] else [])
        A11[np.ix_(cols, cols)] = inner[np.ix_(cols, cols)]
    a22 = np.sum(S[:, K:] ** 2, axis=0)
    A11inv = np.linalg.inv(A11)
    Binv = np.zeros((K + P, K + P))
    Binv[:K, :K] = A11inv
    Binv[K:, K:] = np.diag(1.0 / a22)
    Binv[K:, :K] = -(A21 @ A11inv) / a22[:, None]
    gamma = n * (H @ Binv @ inner @ Binv.T @ H.T)
    flip = np.ones(K + P)
    flip[[lay.tstart[j] for j in lay.num]] = -1.0        # the statistic is minus the mean
    gamma = gamma * np.outer(flip, flip)
    th_obs = np.concatenate([[-mean[j]] if numeric[j] else th[j] for j in range(p)])
    sds = np.where(numeric, sd, 1.0)
    COV = R * np.outer(sds, sds)
    obs = np.concatenate([th_obs, var[lay.num], COV[lay.b, lay.a]])
    return th, R, obs, gamma, K, np.where(numeric, mean, 0.0), sds


def ordinal_sample(x, items, levels, *, name=None, file=None, missing="listwise", numeric=None) -> OrdinalSample:
    """Thresholds, polychoric correlations, Gamma and DWLS weights of one group.

    ``x``: the group's rows (n x p floats, NaN missing), items in model order; ``levels``:
    every ordered item's categories over all groups (an empty category in this group is
    refused); ``numeric``: bool per item, True for a continuous (not ordered) item.
    """
    from ....numerics.polychoric import polychoric_matrix

    p = len(items)
    numeric = np.zeros(p, bool) if numeric is None else np.asarray(numeric, bool)
    ordi = np.flatnonzero(~numeric)
    idx = np.full(x.shape, -1, dtype=np.int64)
    idx[:, ordi] = _codes(x[:, ordi], [items[j] for j in ordi], [levels[j] for j in ordi], name, file)
    n = int(x.shape[0])
    if numeric.any():
        if missing == "pairwise":
            raise AvoidSurveyError("--missing pairwise with continuous (not ordered) variables is not available: "
                                   "use listwise, or list every model variable in --ordered", file=file)
        th, R, obs, gamma, cut, mean, sds = _mixed_sample(x, list(items), idx, numeric, name, file)
    else:
        pc = polychoric_matrix(x, items=list(items), method="lavaan", missing=missing)
        th = [np.asarray(t, float) for t in pc.thresholds]
        R = np.asarray(pc.rho, float)
        if not np.isfinite(R).all():
            raise AvoidSurveyError("a polychoric correlation could not be estimated", file=file)
        a, b = np.triu_indices(p, 1)
        cut = int(sum(len(t) for t in th))
        obs = np.concatenate([np.concatenate(th), R[b, a]])
        gamma = _gamma(idx, th, R)
        mean, sds = np.zeros(p), np.ones(p)
    dg = np.diag(gamma)
    if not np.all(np.isfinite(dg)) or np.any(dg <= 0):
        raise AvoidSurveyError("the asymptotic covariance matrix of the polychoric correlations (Gamma) is "
                               "degenerate: too few rows for this many items and categories", file=file)
    return OrdinalSample(name, n, list(items), [np.asarray(lv) for lv in levels], th, R, obs, gamma, 1.0 / dg,
                         numeric, cut, mean, sds)
