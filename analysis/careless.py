"""Careless-response indices, vectorised over respondents (no loop per row).

All functions take an ``(n, k)`` float array of item answers in questionnaire order
(NaN = unanswered) and return one value per respondent (NaN where not computable).
They follow the definitions of the R package *careless* (Yentes & Wilhelm):

* :func:`longstring` — ``careless::longstring(x)``: the longest run of identical
  consecutive answers (a missing answer ends a run).
* :func:`irv` — ``careless::irv(x, na.rm = TRUE)``: the intra-individual response SD
  (sample SD, n - 1) over the answered items (Dunn et al., 2018).
* :func:`mahalanobis` — ``careless::mahad(x)`` / ``stats::mahalanobis``:
  D² = (x - m)' S⁻¹ (x - m), m and S the mean vector and covariance of the complete
  cases; compared with the chi-square quantile on k df (Meade & Craig, 2012).
* :func:`even_odd` — ``careless::evenodd(x, factors)``: for each scale, the mean of its
  odd-numbered and of its even-numbered items (reverse-keyed items recoded first); the
  within-person correlation of the odd and even means over scales, Spearman-Brown
  corrected, r_sb = 2r / (1 + r). careless >= 1.2.1 returns the negative of this
  value (higher = more careless); we keep the consistency (higher = more consistent).
"""
from __future__ import annotations

__all__ = ["longstring", "irv", "mahalanobis", "even_odd"]


def longstring(x):
    """Longest run of identical consecutive answers per row (NaN ends a run).

    Loops over the k columns (not the rows): run_j = (run_{j-1} + 1) if x_j == x_{j-1}
    else 1; the result is max_j run_j, and NaN for a row with no answer.
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    n, k = x.shape
    if k == 0:
        return np.full(n, np.nan)
    run = np.where(np.isnan(x[:, 0]), 0, 1).astype(np.int32)
    best = run.copy()
    for j in range(1, k):
        cur = x[:, j]
        same = cur == x[:, j - 1]          # False when either is NaN
        run = np.where(same, run + 1, np.where(np.isnan(cur), 0, 1)).astype(np.int32)
        np.maximum(best, run, out=best)
    out = best.astype(float)
    out[best == 0] = np.nan
    return out


def irv(x, min_items: int = 2):
    """Intra-individual response variability: row SD (ddof 1) of the answered items."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    cnt = np.count_nonzero(~np.isnan(x), axis=1)
    s = np.nansum(x, axis=1)
    s2 = np.nansum(x * x, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / cnt
        var = (s2 - cnt * mean * mean) / (cnt - 1)
    var = np.where(var < 0, 0.0, var)  # rounding
    out = np.sqrt(var)
    out[cnt < max(2, min_items)] = np.nan
    return out


def mahalanobis(x, chunk: int = 200_000):
    """Squared Mahalanobis distance of each complete row from the complete-case centroid.

    Returns (d2, n_complete, rank_ok). Rows with a missing answer get NaN. The covariance
    uses n - 1 (as ``stats::cov``); a singular covariance returns all NaN and rank_ok False.
    Memory: processed in chunks of ``chunk`` rows.
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    n, k = x.shape
    d2 = np.full(n, np.nan)
    complete = ~np.isnan(x).any(axis=1)
    nc = int(complete.sum())
    if nc <= k + 1 or k == 0:
        return d2, nc, False
    idx = np.flatnonzero(complete)
    mu = np.zeros(k)
    for lo in range(0, nc, chunk):
        mu += x[idx[lo:lo + chunk]].sum(axis=0)
    mu /= nc
    S = np.zeros((k, k))
    for lo in range(0, nc, chunk):
        z = x[idx[lo:lo + chunk]] - mu
        S += z.T @ z
    S /= nc - 1
    try:
        L = np.linalg.cholesky(S)
        if np.min(np.diag(L)) <= 1e-10 * max(1.0, float(np.max(np.diag(L)))):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        return d2, nc, False
    Linv_t = np.linalg.inv(L).T
    for lo in range(0, nc, chunk):
        rows = idx[lo:lo + chunk]
        y = (x[rows] - mu) @ Linv_t
        d2[rows] = np.einsum("ij,ij->i", y, y)
    return d2, nc, True


def even_odd(blocks, min_pairs: int = 3):
    """Even-odd consistency per row from a list of (n, k_f) arrays, one per scale.

    Returns (r_sb, pairs): the Spearman-Brown corrected within-person correlation of odd
    and even half-scale means over the scales, and how many scales entered it (rows with
    fewer than ``min_pairs`` usable scales, or no variance over them, get NaN).
    """
    import numpy as np

    usable = [b for b in blocks if b.shape[1] >= 2]
    if not usable:
        return None, None
    n = usable[0].shape[0]
    O = np.empty((n, len(usable)))
    E = np.empty((n, len(usable)))
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for f, b in enumerate(usable):
                O[:, f] = np.nanmean(b[:, 0::2], axis=1)
                E[:, f] = np.nanmean(b[:, 1::2], axis=1)
        ok = ~np.isnan(O) & ~np.isnan(E)
        m = ok.sum(axis=1)
        Oz = np.where(ok, O, 0.0)
        Ez = np.where(ok, E, 0.0)
        mo = Oz.sum(axis=1) / m
        me = Ez.sum(axis=1) / m
        do = np.where(ok, O - mo[:, None], 0.0)
        de = np.where(ok, E - me[:, None], 0.0)
        r = (do * de).sum(axis=1) / np.sqrt((do * do).sum(axis=1) * (de * de).sum(axis=1))
        r_sb = 2 * r / (1 + r)
    r_sb[np.isnan(r)] = np.nan
    r_sb[m < min_pairs] = np.nan
    return r_sb, m
