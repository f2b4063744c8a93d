"""Polychoric and polyserial correlations by two-step maximum likelihood.

This module docstring is the API contract (part B, WLSMV, builds on it; keep it stable).

Conventions
-----------
*Categories.* An ordinal item's categories are the sorted distinct values it takes among
its non-missing answers (NaN = missing). A code nobody chose is not a category: an item
answered only 1, 2, 4, 5 on a 1-5 scale has 4 categories and 3 thresholds, as lavaan's
``ordered()`` conversion does. An item with one category, or with more than
``MAX_CATEGORIES`` (10) distinct values, is refused (:class:`AvoidSurveyError` naming the
item: the command exits 2 with one line). A pair without common answers gets NaN.

*Checked* (tests/reference/polychoric.R, tests/test_polychoric.py): skewed simulated 5-point
answers with empty cells and missing answers, psych::bfi (6-point, missing) and binary
items: max |diff| 3e-8 against lavCor (listwise and pairwise; thresholds 1e-14), 3e-5
against psych::polychoric (global and local, correct 0.5 and 0), 1e-7 against lavaan's
polyserial, 1e-13 for the per-case scores against ``lav_bvord_cor_scores``.

*Thresholds* (``thresholds``): ``t_j = qnorm(P(X <= c_j))``, j = 1..C-1, from the marginal
proportions; this is the closed form of the probit ML fit lavaan's ``lav_uvord_fit`` runs
(and psych's ``tau``).

*Two-step polychoric* (``polychoric_pair``): with the thresholds fixed, rho maximises the
bivariate-normal log-likelihood of the pair's contingency table (pairwise-complete rows)
``l(rho) = sum_ab n_ab log pi_ab(rho)``, ``pi_ab`` the rectangle probability of cell (a, b).
Cells with ``pi_ab < sqrt(eps)`` are evaluated at ``sqrt(eps)`` and left out of the
derivatives, as lavaan's ``lav_bvord_noexo_pi``; rho is kept in [-0.999, 0.999] (lavaan's
bounds). Newton-Raphson with the analytic Hessian, vectorised over all item pairs
(:mod:`.twostep`: what does not depend on rho computed once), until a step moves rho by less
than 1e-11 or the score is below 1e-10 n; a Newton step below 1e-8 is taken as the last one
(the error after it is of the order of its square). With ``method="lavaan"`` a 2 x 2 table
follows lavaan: two empty cells give +-1, one empty cell is filled with 0.5 keeping the
margins, a table with odds ratio 1 gives 0. The tables of all pairs come from bit sets of
the rows choosing each category (the set bits of their AND counted).

*Matrix conventions* (``polychoric_matrix(method=...)``):

``method="lavaan"`` (default) equals ``lavaan::lavCor(x, ordered = names(x))`` (two-step,
``missing = "listwise"``: rows with any missing answer among the items are dropped first;
``missing="pairwise"`` as ``lavCor(missing = "pairwise")``: thresholds from each item's
answers, tables from pairwise-complete rows). Empty cells of tables larger than 2 x 2 are
left as they are (lavaan's ``zero.add = c(0.5, 0)``); an empty cell only means that cell adds
nothing to the likelihood.

``method="psych"`` equals ``psych::polychoric(x)`` (psych 2.2.9 defaults ``global = TRUE,
correct = 0.5, smooth = TRUE``): thresholds from each item's answers (pairwise), tables from
pairwise-complete rows. While every item reaches the same highest code (after shifting by the
smallest code of all items) psych uses these *global* thresholds and the estimate is the same
ML estimate as lavaan's pairwise one. If the items' highest codes differ psych switches to
*local* thresholds for every pair: rows and columns of the pair's table that are all zero
are dropped, zero cells are set to ``correct`` (0.5 of a count; ``correct=0`` for none) and
the thresholds come from that pair's corrected margins (divided by the uncorrected total, as
psych does). A matrix that is not positive definite (smallest eigenvalue < machine eps) is
smoothed as ``psych::cor.smooth`` (eigenvalues < 1e-12 set to 1e-10, rescaled to sum p,
``cov2cor``). psych finds rho with ``optimize`` (tolerance ~1.2e-4 on rho) over
``mnormt::sadmvn`` rectangles (abs. error 1e-6); we return the exact maximiser, so expect
agreement to ~1e-5, not 1e-10. Two psych behaviours are not copied: psych stops on items
with more than 8 codes (``max.cat``; we take up to 10) and deletes items without variance
(we refuse them, naming the item).

*Polyserial* (``polyserial``): lavaan's two-step ``lav_bvmix_cor_twostep_fit``: z = (y -
mean) / sd with the ML (divide-by-n) sd, thresholds of the ordinal variable fixed, rho
maximises ``sum_i log[Phi((t_c - rho z_i)/s) - Phi((t_{c-1} - rho z_i)/s)]``, s = sqrt(1 -
rho^2), within [-0.995, 0.995].

Public functions
----------------
Basic normal functions (vectorised, no scipy): ``norm_cdf``, ``norm_ppf``.

``categories(codes) -> (idx, levels)``
    integer category index 0..C-1 (-1 for missing) and the sorted distinct codes.
``thresholds(codes) -> ndarray``
    the C-1 probit thresholds of one item (NaN = missing).
``bvn_cdf(h, k, rho) -> ndarray``
    P(X <= h, Y <= k) of the standard bivariate normal, broadcast over arrays; +-inf limits
    allowed. Drezner & Wesolowsky (1990) in Genz's (2004) form: Gauss-Legendre over
    asin(rho) for |rho| < 0.925, the series near |rho| = 1 otherwise; error < 1e-14.
``bvn_pdf(h, k, rho) -> ndarray``
    the bivariate normal density (d bvn_cdf / d rho).
``rectangle_probs(tx, ty, rho, deriv=0) -> dict``
    cell probabilities of pairs of ordinal items: ``tx`` (P, A) and ``ty`` (P, B) thresholds
    padded with +inf to a common width (a padded category has probability 0), ``rho`` (P,).
    Returns ``{"pi": (P, A+1, B+1)}``; ``deriv >= 1`` adds ``"dpi_drho"`` (same shape),
    ``"dpi_dtx"`` (P, A+1, B+1, A) and ``"dpi_dty"`` (P, A+1, B+1, B); ``deriv >= 2`` adds
    ``"d2pi_drho2"``.
``pair_loglik(freq, tx, ty, rho) -> (P,)``
    the clamped log-likelihood of tables ``freq`` (P, A+1, B+1).
``fit_rho(freq, tx, ty, start=None, bounds=0.999) -> (rho, converged, iterations)``
    the vectorised two-step ML fit for P tables at once.
``polychoric_pair(x, y, tx=None, ty=None) -> (rho, info)``
    one pair; thresholds default to ``thresholds(x)``, ``thresholds(y)``. ``info``: n, freq
    (the table), loglik, converged, iterations, empty_cells.
``pair_case_scores(x, y, tx, ty, rho) -> (n, 1 + A + B)``
    per-case derivatives of the pair's log-likelihood with respect to (rho, tx, ty)
    (lavaan's ``lav_bvord_cor_scores``); rows with a missing code are 0.
``threshold_case_scores(x, t) -> (n, C-1)``
    per-case derivatives of the univariate probit log-likelihood with respect to the
    thresholds (lavaan's ``lav_uvord_scores`` without covariates); missing rows are 0.
``polychoric_matrix(data, *, method="lavaan", missing=None, correct=0.5, smooth=True,
items=None, ordered=None) -> PolychoricResult``
    the p x p matrix; ``data`` a DataFrame (columns = items) or an (n, p) array; with
    ``ordered`` (lavaan), the other items are continuous (Pearson / polyserial), as
    ``lavCor(x, ordered = ...)``.
``polyserial(x_cont, y_ord, ty=None) -> float``
    two-step polyserial correlation.
``case_scores(data, result) -> dict``
    per-case scores of every item's thresholds (n, T) and every pair's rho (n, P), lavaan's
    pair order, vectorised (the pieces of the WLSMV weight matrix).

``PolychoricResult`` (frozen): ``items`` (tuple of names), ``rho`` (p x p ndarray),
``thresholds`` (tuple of 1-d arrays, one per item), ``levels`` (tuple of the category codes),
``n`` (p x p pairwise n), ``n_obs`` (rows used), ``method``, ``missing``, ``correct``,
``smoothed``, ``local`` (psych's local thresholds used), ``empty_cell_pairs`` (tuple of
(item, item) with an empty cell), ``converged`` (bool), ``continuous`` (names of the
continuous items; their thresholds and levels are empty); ``to_dict()`` gives
``{"correlation_matrix": {item: {item: r}}, "thresholds": {item: [t1, ...]}, ...}``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import AvoidSurveyError
from .bvnorm import _dnorm, bvn_cdf, bvn_pdf, norm_cdf, norm_ppf, rectangle_probs
from .polyserial import _thresholds_from_counts, categories, polyserial, thresholds
from .twostep import fit_rho

__all__ = ["norm_cdf", "norm_ppf", "categories", "thresholds", "bvn_cdf", "bvn_pdf", "rectangle_probs",
           "pair_loglik", "fit_rho", "polychoric_pair", "pair_case_scores", "threshold_case_scores",
           "polychoric_matrix", "polyserial", "PolychoricResult", "cor_smooth", "case_scores", "MAX_CATEGORIES"]

MAX_CATEGORIES = 10          # more distinct answers than this: not an ordinal item
_SQRT_EPS = math.sqrt(np.finfo(float).eps)


# ----------------------------------------------------------------------------- two-step fit
def pair_loglik(freq, tx, ty, rho):
    """Clamped log-likelihood ``sum n_ab log max(pi_ab, sqrt(eps))`` of each table."""
    pi = rectangle_probs(tx, ty, rho)["pi"]
    return np.sum(freq * np.log(np.maximum(pi, _SQRT_EPS)), axis=(1, 2))


def _pair_table(ix, iy, A1, B1):
    ok = (ix >= 0) & (iy >= 0)
    return np.bincount(ix[ok] * B1 + iy[ok], minlength=A1 * B1).reshape(A1, B1).astype(float)


def _special_2x2(freq, tx, ty):
    """lavaan's 2 x 2 rules; returns (rho or None, possibly adjusted table)."""
    f = freq.copy()
    zeros = np.flatnonzero(f.ravel() == 0)
    if len(zeros) == 2:
        return (1.0 if f[0, 0] > 0 else -1.0), f
    if len(zeros) == 1:
        z = zeros[0]
        if z in (0, 3):
            f += np.array([[0.5, -0.5], [-0.5, 0.5]])
        else:
            f += np.array([[-0.5, 0.5], [0.5, -0.5]])
    if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
        return 0.0, f
    if tx[0] == 0 and ty[0] == 0:
        return float(-math.cos(2 * math.pi * f[0, 0] / f.sum())), f
    return None, f


def _pearson_start(ix, iy):
    ok = (ix >= 0) & (iy >= 0)
    if ok.sum() < 2:
        return 0.0
    a, b = ix[ok].astype(float), iy[ok].astype(float)
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return 0.0
    r = float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))
    return r if abs(r) < 1 else 0.0


def polychoric_pair(x, y, tx=None, ty=None):
    """Two-step ML polychoric correlation of two ordinal items (pairwise-complete rows).

    ``tx``/``ty`` default to :func:`thresholds` of ``x``/``y``; given, they must have one
    value fewer than the item has categories. Returns ``(rho, info)``.
    """
    ix, lx = categories(x)
    iy, ly = categories(y)
    tx = thresholds(x) if tx is None else np.asarray(tx, float)
    ty = thresholds(y) if ty is None else np.asarray(ty, float)
    if len(tx) != len(lx) - 1 or len(ty) != len(ly) - 1:
        raise ValueError("thresholds must have one value fewer than the item has categories")
    if len(lx) < 2 or len(ly) < 2:
        raise AvoidSurveyError("a polychoric correlation needs two items with at least two categories each")
    freq = _pair_table(ix, iy, len(lx), len(ly))
    info = dict(n=int(freq.sum()), freq=freq, empty_cells=bool((freq == 0).any()))
    if freq.shape == (2, 2):
        special, freq2 = _special_2x2(freq, tx, ty)
        if special is not None:
            info.update(loglik=math.nan, converged=True, iterations=0)
            return special, info
        freq = freq2
    rho, conv, it = fit_rho(freq[None], tx[None], ty[None], start=[_pearson_start(ix, iy)])
    info.update(loglik=float(pair_loglik(freq[None], tx[None], ty[None], rho)[0]), converged=bool(conv[0]),
                iterations=it)
    return float(rho[0]), info


# ----------------------------------------------------------------------------- case scores
def pair_case_scores(x, y, tx, ty, rho):
    """Per-case scores of a pair's bivariate log-likelihood: columns (rho, tx_1..A, ty_1..B).

    Case i in cell (a, b) scores ``d log pi_ab / d theta``; lavaan's ``lav_bvord_cor_scores``
    (no covariates). Rows with a missing code are 0.
    """
    ix, _ = categories(x)
    iy, _ = categories(y)
    tx = np.asarray(tx, float)
    ty = np.asarray(ty, float)
    d = rectangle_probs(tx[None], ty[None], [rho], deriv=1)
    pi = d["pi"][0]
    A, B = len(tx), len(ty)
    cell = np.concatenate([d["dpi_drho"][0][:, :, None], d["dpi_dtx"][0], d["dpi_dty"][0]], axis=2)
    cell = cell / np.maximum(pi, _SQRT_EPS)[:, :, None]
    out = np.zeros((len(ix), 1 + A + B))
    ok = (ix >= 0) & (iy >= 0)
    out[ok] = cell[ix[ok], iy[ok]]
    return out


def threshold_case_scores(x, t):
    """Per-case scores of the univariate probit log-likelihood with respect to the thresholds:
    a case in category c scores ``phi(t_c)/P_c`` on t_c and ``-phi(t_{c-1})/P_c`` on t_{c-1}."""
    ix, levels = categories(x)
    t = np.asarray(t, float)
    C = len(t) + 1
    cut = np.concatenate([[-np.inf], t, [np.inf]])
    p = norm_cdf(cut[1:]) - norm_cdf(cut[:-1])
    dens = _dnorm(t)
    out = np.zeros((len(ix), C - 1))
    for c in range(C):
        rows = ix == c
        if c < C - 1:
            out[rows, c] = dens[c] / p[c]
        if c > 0:
            out[rows, c - 1] = -dens[c - 1] / p[c]
    return out


def case_scores(data, result, *, items=None) -> dict:
    """Per-case scores of a whole polychoric matrix (lavaan's per-case pieces of the WLSMV
    weight matrix), vectorised over the item pairs.

    ``data`` as given to :func:`polychoric_matrix` (same items, same rows), ``result`` its
    :class:`PolychoricResult`. Returns ``{"rows": (n,) bool, rows used (listwise: complete
    rows), "th": (m, T) scores of every item's thresholds in item order (T = total
    thresholds), "rho": (m, P) scores of rho for the pairs in lavaan's order (a, b) = (0, 1),
    (0, 2), ..., (1, 2), ..., "pairs": (P, 2) item indices}`` with m = number of rows used;
    a missing answer scores 0. Threshold scores of the bivariate likelihoods: per pair with
    :func:`pair_case_scores`.
    """
    X, _names = _as_matrix(data, items if items is not None else list(result.items))
    rows = ~np.isnan(X).any(axis=1) if result.missing == "listwise" else np.ones(X.shape[0], bool)
    X = X[rows]
    p = X.shape[1]
    idx = np.empty(X.shape, dtype=np.int64)
    for j in range(p):
        lv = result.levels[j]
        v = X[:, j]
        pos = np.searchsorted(lv, v)
        ok = ~np.isnan(v) & (pos < len(lv))
        ok[ok] = lv[pos[ok]] == v[ok]
        idx[:, j] = np.where(ok, pos, -1)
    th = np.concatenate([threshold_case_scores(np.where(idx[:, j] >= 0, idx[:, j], np.nan), result.thresholds[j])
                         for j in range(p)], axis=1)
    a, b = np.triu_indices(p, 1)
    C = max(len(lv) for lv in result.levels)
    tx = np.array([_pad(result.thresholds[i], C - 1) for i in a])
    ty = np.array([_pad(result.thresholds[j], C - 1) for j in b])
    rho_v = result.rho[a, b]
    d = rectangle_probs(tx, ty, np.where(np.isfinite(rho_v), rho_v, 0.0), deriv=1)
    cell = d["dpi_drho"] / np.maximum(d["pi"], _SQRT_EPS)          # (P, C, C)
    ia, ib = idx[:, a], idx[:, b]                                   # (m, P)
    ok = (ia >= 0) & (ib >= 0)
    q = np.broadcast_to(np.arange(len(a)), ia.shape)
    rho = np.where(ok, cell[q, np.where(ok, ia, 0), np.where(ok, ib, 0)], 0.0)
    return {"rows": rows, "th": th, "rho": rho, "pairs": np.column_stack([a, b])}


# ----------------------------------------------------------------------------- matrix
@dataclass(frozen=True, eq=False)
class PolychoricResult:
    """A polychoric correlation matrix with its thresholds (see the module docstring).
    Compared by identity (``eq=False``): field-wise equality of its arrays has no truth value."""

    items: tuple
    rho: np.ndarray = field(repr=False)
    thresholds: tuple = field(repr=False)
    levels: tuple = field(repr=False)
    n: np.ndarray = field(repr=False)
    n_obs: int
    method: str
    missing: str
    correct: float
    smoothed: bool
    local: bool
    empty_cell_pairs: tuple
    converged: bool
    continuous: tuple = ()       # items taken as continuous (``ordered=``): Pearson / polyserial

    def to_dict(self) -> dict:
        def f(v):
            v = float(v)
            return v if math.isfinite(v) else None

        it = self.items
        return {
            "method": self.method, "missing": self.missing, "n_obs": self.n_obs,
            "correlation_matrix": {a: {b: f(self.rho[i, j]) for j, b in enumerate(it)} for i, a in enumerate(it)},
            "thresholds": {a: [f(t) for t in self.thresholds[i]] for i, a in enumerate(it) if a not in self.continuous},
            "n_pairwise": {a: {b: int(self.n[i, j]) for j, b in enumerate(it)} for i, a in enumerate(it)},
            "empty_cell_pairs": [list(p) for p in self.empty_cell_pairs],
            "smoothed": self.smoothed, "converged": self.converged,
            **({"continuous": list(self.continuous)} if self.continuous else {}),
        }


def cor_smooth(R, eig_tol: float = 1e-12):
    """``psych::cor.smooth``: if the smallest eigenvalue is below machine eps, set eigenvalues
    below ``eig_tol`` to ``100 * eig_tol``, rescale them to sum p, rebuild and ``cov2cor``.
    Returns ``(R, smoothed)``."""
    vals, vecs = np.linalg.eigh(R)
    if vals.min() >= np.finfo(float).eps:
        return R, False
    vals = np.where(vals < eig_tol, 100 * eig_tol, vals)
    vals = vals * R.shape[0] / vals.sum()
    S = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(S))
    S = S / np.outer(d, d)
    np.fill_diagonal(S, 1.0)
    return S, True


def _as_matrix(data, items):
    if hasattr(data, "columns") and not hasattr(data, "iloc") and hasattr(data, "matrix"):
        # the plain numeric CSV reader's NumericFrame (analysis.io.plain): no pandas needed
        cols = list(items) if items is not None else [str(c) for c in data.columns]
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise AvoidSurveyError(f"the data have no column '{missing[0]}'", column=missing[0])
        # all its columns in order: the frame's own matrix (nothing here writes into X)
        X = data.values if cols == data.columns else data.matrix(cols)
        return np.asarray(X, dtype=float), tuple(cols)
    if hasattr(data, "columns"):
        cols = list(items) if items is not None else [str(c) for c in data.columns]
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise AvoidSurveyError(f"the data have no column '{missing[0]}'", column=missing[0])
        try:
            X = np.column_stack([np.asarray(data[c], dtype=float) for c in cols]) if cols else np.empty((len(data), 0))
        except (TypeError, ValueError):
            bad = next(c for c in cols if not _numeric(data[c]))
            raise AvoidSurveyError(f"column '{bad}' is not numeric: polychoric correlations need answer codes",
                                   column=bad) from None
        return X, tuple(cols)
    X = np.asarray(data, dtype=float)
    if X.ndim != 2:
        raise ValueError("data must be a 2-d array or a DataFrame")
    names = tuple(items) if items is not None else tuple(f"V{j + 1}" for j in range(X.shape[1]))
    return X, names


def _numeric(col) -> bool:
    try:
        np.asarray(col, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _item_codes(X, names, max_categories):
    """The levels of each item, the bit sets of the rows that chose each of its categories
    (p, C, words; :func:`_row_sets`) and the counts of its categories (p, C); refuses items
    with one category or more than ``max_categories``.

    Answers that are whole numbers within :data:`_MAX_WIDTH` of the item's smallest are
    compared with each possible code (a few passes over the data, no sort); other answers
    take :func:`categories` item by item. Both give the same categories (``categories``'s)."""
    Xt = np.ascontiguousarray(X.T, dtype=float)      # each item's answers contiguous
    found = _whole_code_sets(Xt)
    if found is None:
        idx = np.empty(Xt.shape, dtype=np.intp)
        levels = []
        for j in range(Xt.shape[0]):
            idx[j], lv = categories(Xt[j])
            levels.append(lv)
        C = max(len(lv) for lv in levels)
        sets = _row_sets(idx[:, None, :] == np.arange(C)[None, :, None])
    else:
        sets, levels = found
    for j, lv in enumerate(levels):
        if len(lv) < 2:
            raise AvoidSurveyError(f"item '{names[j]}' has {'no answers' if len(lv) == 0 else 'only one answer category'}"
                                   f": a polychoric correlation needs at least two categories", column=names[j])
        if len(lv) > max_categories:
            raise AvoidSurveyError(f"item '{names[j]}' has {len(lv)} distinct values: more than {max_categories} "
                                   f"categories is not an ordinal item (use Pearson correlations)", column=names[j])
    return sets, levels, _set_bits(sets).astype(float)


_MAX_WIDTH = 16      # whole-number codes spanning more than this take the per-item categories()


def _whole_code_sets(Xt):
    """The category bit sets and levels of :func:`_item_codes` when every item (row of
    ``Xt``) answers whole numbers within ``_MAX_WIDTH`` of its smallest; None otherwise (an
    item without answers, a signed zero that ``categories`` would keep)."""
    lo, hi = np.fmin.reduce(Xt, axis=1), np.fmax.reduce(Xt, axis=1)
    if not (np.isfinite(lo).all() and (lo == np.floor(lo)).all() and (hi - lo < _MAX_WIDTH).all()):
        return None
    if ((lo <= 0) & (hi >= 0)).any() and (np.signbit(Xt) & (Xt == 0)).any():
        return None
    codes = lo[:, None] + np.arange(int((hi - lo).max()) + 1)                     # (p, V): each item's possible codes
    sets = _row_sets(Xt[:, None, :] == codes[:, :, None])                        # (p, V, words)
    counts = _set_bits(sets)
    if not (counts.sum(axis=1) == Xt.shape[1] - np.isnan(Xt).sum(axis=1)).all():
        return None                                                              # an answer between two codes
    present = counts > 0
    # the codes nobody chose are not categories: each item's chosen codes first, in order
    order = np.argsort(~present, axis=1, kind="stable")
    C = int(present.sum(axis=1).max())
    sets = np.take_along_axis(sets, order[:, :C, None], axis=1)
    return sets, [codes[j][present[j]] for j in range(len(codes))]


def _row_sets(member):
    """Bit sets of boolean rows: (..., n) -> (..., ceil(n / 64)) uint64 words, bit r set when
    ``member[..., r]`` (``numpy.packbits``, zero-padded to whole words)."""
    packed = np.packbits(member, axis=-1)
    words = np.zeros(packed.shape[:-1] + (-(-packed.shape[-1] // 8) * 8,), dtype=np.uint8)
    words[..., :packed.shape[-1]] = packed
    return words.view(np.uint64)


def _pair_tables(sets):
    """The bivariate tables of the item pairs (a, b) of ``np.triu_indices(p, 1)``, over the
    pairwise-complete rows: (P, C, C) counts from the category bit sets (p, C, words) of
    :func:`_item_codes`. Cell (c, d) of a pair's table is the number of rows in both sets,
    the set bits of their AND: a few numpy calls per item over n / 64 words instead of a
    pass over the rows per pair. A missing answer is in no set."""
    p, C = sets.shape[:2]
    out = np.empty((p * (p - 1) // 2, C, C))
    q = 0
    for i in range(p - 1):
        out[q:q + p - 1 - i] = _set_bits(sets[i][None, :, None, :] & sets[i + 1:][:, None, :, :])
        q += p - 1 - i
    return out


def _set_bits(words):
    """The number of set bits of each row of unsigned words (a sum over the last axis, below 2**32)."""
    if hasattr(np, "bitwise_count"):                  # numpy >= 2
        return np.bitwise_count(words).sum(axis=-1, dtype=np.uint32)
    byte_bits = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)
    return byte_bits[np.ascontiguousarray(words).view(np.uint8)].sum(axis=-1, dtype=np.uint32)


def _pad(vals, width):
    out = np.full(width, np.inf)
    out[:len(vals)] = vals
    return out


def polychoric_matrix(data, *, method: str = "lavaan", missing: str | None = None, correct: float = 0.5,
                      smooth: bool = True, items=None, max_categories: int = MAX_CATEGORIES,
                      ordered=None) -> PolychoricResult:
    """Polychoric correlation matrix of ordinal items by two-step ML.

    Parameters
    ----------
    data : DataFrame (item columns) or (n, p) array of answer codes; NaN = missing.
    method : {'lavaan', 'psych'}
        'lavaan' equals ``lavaan::lavCor(x, ordered = names(x))``; 'psych' equals
        ``psych::polychoric(x)`` (global thresholds, or local ones with ``correct`` for zero
        cells when the items' highest codes differ; ``cor.smooth`` when not positive definite).
    missing : {'listwise', 'pairwise'}, optional
        default 'listwise' for lavaan (lavCor's default), 'pairwise' for psych (its only way).
    correct : psych's continuity correction for zero cells (local thresholds only).
    smooth : psych's ``cor.smooth`` of a non-positive-definite matrix (method 'psych' only).
    items : column names (DataFrame) or names for the array's columns.
    ordered : names of the ordinal items (method 'lavaan'); the others are continuous, as
        ``lavCor(x, ordered = ...)``: Pearson correlations between continuous items, two-step
        polyserial ones between a continuous and an ordinal item. Default: every item ordinal.

    Returns
    -------
    PolychoricResult
    """
    missing = _missing_option(method, missing)
    X, names = _as_matrix(data, items)
    if X.shape[1] < 2:
        raise AvoidSurveyError("a polychoric correlation matrix needs at least two items")
    if missing == "listwise":
        X = X[~np.isnan(X).any(axis=1)]
        if X.shape[0] == 0:
            raise AvoidSurveyError("no respondent answered every item (missing='listwise')")
    n_obs = int(X.shape[0])
    if ordered is not None and set(ordered) != set(names):
        if method != "lavaan":
            raise AvoidSurveyError("ordered= (continuous items beside ordinal ones) needs method='lavaan'")
        return _mixed_matrix(X, names, ordered, missing, max_categories, n_obs)
    sets, levels, marg = _item_codes(X, names, max_categories)
    # psych shifts every item by the smallest code of all items; items whose highest code
    # differs switch psych to local (per pair) thresholds
    local = method == "psych" and bool(min(lv[-1] for lv in levels) != max(lv[-1] for lv in levels))
    p = X.shape[1]
    C = marg.shape[1]
    TH = _thresholds_from_counts(marg)               # (p, C-1), +inf past each item's own categories
    th = [TH[j, :len(levels[j]) - 1].copy() for j in range(p)]
    a, b = np.triu_indices(p, 1)
    freq = _pair_tables(sets)                         # (P, C, C)
    raw = freq.copy()
    npair = freq.sum(axis=(1, 2))
    if method == "psych" and local:
        tx, ty, freq = _psych_local(freq, correct)
    else:
        tx, ty = TH[a], TH[b]
    nlev = np.array([len(lv) for lv in levels])
    used = np.arange(C)[None, :] < nlev[:, None]                      # (p, C): the item's own categories
    zero = (raw == 0) & used[a][:, :, None] & used[b][:, None, :]
    empty = [(names[i], names[j]) for i, j in zip(a[zero.any(axis=(1, 2))], b[zero.any(axis=(1, 2))])]
    rho, conv_all = _fit_pairs(freq, tx, ty, levels, a, b, npair, method, local)
    R = _symmetric(p, a, b, rho, np.ones(p))
    Nm = _symmetric(p, a, b, npair, marg.sum(axis=1)).astype(np.int64)
    smoothed = False
    if method == "psych" and smooth and not np.isnan(R).any():
        R, smoothed = cor_smooth(R)
    return PolychoricResult(items=tuple(names), rho=R, thresholds=tuple(th), levels=tuple(lv.copy() for lv in levels),
                            n=Nm, n_obs=n_obs, method=method, missing=missing, correct=float(correct),
                            smoothed=smoothed, local=local, empty_cell_pairs=tuple(empty), converged=conv_all)


def _missing_option(method, missing) -> str:
    """The missing-data rule of ``method`` (checked): listwise for lavaan by default,
    pairwise (the only one) for psych."""
    if method not in ("lavaan", "psych"):
        raise AvoidSurveyError(f"method must be 'lavaan' or 'psych', not '{method}'")
    if missing is None:
        missing = "listwise" if method == "lavaan" else "pairwise"
    if missing not in ("listwise", "pairwise"):
        raise AvoidSurveyError(f"missing must be 'listwise' or 'pairwise', not '{missing}'")
    if method == "psych" and missing != "pairwise":
        raise AvoidSurveyError("psych's polychoric uses pairwise-complete answers only (missing='pairwise')")
    return missing


def _fit_pairs(freq, tx, ty, levels, a, b, npair, method, local):
    """(rho per pair, all converged): lavaan's special 2 x 2 tables first, then one
    vectorised Newton fit over the remaining pairs (NaN for pairs without common answers or,
    with psych's local thresholds, without a finite threshold)."""
    rho = np.full(len(a), np.nan)
    todo = np.ones(len(a), bool)
    if method == "lavaan":
        for q in np.where([len(levels[i]) == 2 and len(levels[j]) == 2 for i, j in zip(a, b)])[0]:
            special, f2 = _special_2x2(freq[q, :2, :2], tx[q, :1], ty[q, :1])
            if special is not None:
                rho[q] = special
                todo[q] = False
            else:
                freq[q, :2, :2] = f2
    todo &= npair > 0                                 # no common answers: no correlation (NaN)
    if method == "psych" and local:
        todo &= np.isfinite(tx).any(axis=1) & np.isfinite(ty).any(axis=1)
    if not todo.any():
        return rho, True
    q = np.where(todo)[0]
    r, conv, _it = fit_rho(freq[q], tx[q], ty[q], start=_table_starts(freq[q]),
                           bounds=0.999 if method == "lavaan" else 0.9999999)
    rho[q] = r
    return rho, bool(conv.all())


def _symmetric(p, a, b, off, diag):
    """The p x p symmetric matrix with ``off`` at the pairs (a, b) and ``diag`` on the diagonal."""
    M = np.diag(np.asarray(diag, dtype=float))
    M[a, b] = off
    M[b, a] = off
    return M


def _mixed_matrix(X, names, ordered, missing, max_categories, n_obs):
    """lavCor(x, ordered = ...) with continuous items: the ordinal block as usual, Pearson
    between continuous items, polyserial between the two kinds (rows already listwise)."""
    unknown = [o for o in ordered if o not in names]
    if unknown:
        raise AvoidSurveyError(f"ordered item '{unknown[0]}' is not one of the items", column=str(unknown[0]))
    is_ord = np.array([nm in set(ordered) for nm in names])
    oj, cj = np.flatnonzero(is_ord), np.flatnonzero(~is_ord)
    p = len(names)
    R = np.eye(p)
    th = [np.empty(0)] * p
    lv = [np.empty(0)] * p
    empty, conv = (), True
    if len(oj) >= 2:
        sub = polychoric_matrix(X[:, oj], method="lavaan", missing="pairwise", items=[names[j] for j in oj],
                                max_categories=max_categories)
        R[np.ix_(oj, oj)] = sub.rho
        for k, j in enumerate(oj):
            th[j], lv[j] = sub.thresholds[k], sub.levels[k]
        empty, conv = sub.empty_cell_pairs, sub.converged
    elif len(oj) == 1:
        _sets, levels, _counts = _item_codes(X[:, oj], [names[oj[0]]], max_categories)
        th[oj[0]], lv[oj[0]] = thresholds(X[:, oj[0]]), levels[0]
    M = ~np.isnan(X)
    for a_, i in enumerate(cj):
        for j in cj[a_ + 1:]:
            ok = M[:, i] & M[:, j]
            x, y = X[ok, i], X[ok, j]
            r = float(np.corrcoef(x, y)[0, 1]) if ok.sum() > 1 and x.std() > 0 and y.std() > 0 else math.nan
            R[i, j] = R[j, i] = r
        for j in oj:
            R[i, j] = R[j, i] = polyserial(X[:, i], X[:, j], th[j])
    Nm = (M.T.astype(np.int64) @ M.astype(np.int64))
    return PolychoricResult(items=tuple(names), rho=R, thresholds=tuple(th), levels=tuple(lv), n=Nm, n_obs=n_obs,
                            method="lavaan", missing=missing, correct=0.5, smoothed=False, local=False,
                            empty_cell_pairs=tuple(empty), converged=conv,
                            continuous=tuple(names[j] for j in cj))


def _table_starts(freq):
    """lavaan's start values: Pearson correlations of the category indices over each table
    (the pairwise-complete rows), 0 when undefined; only the path to the maximum depends on them."""
    C1, C2 = freq.shape[1], freq.shape[2]
    u = np.arange(C1, dtype=float)[None, :, None]
    v = np.arange(C2, dtype=float)[None, None, :]
    n = freq.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = (freq * u).sum(axis=(1, 2)) / n
        mv = (freq * v).sum(axis=(1, 2)) / n
        cuv = (freq * u * v).sum(axis=(1, 2)) / n - mu * mv
        vu = (freq * u * u).sum(axis=(1, 2)) / n - mu * mu
        vv = (freq * v * v).sum(axis=(1, 2)) / n - mv * mv
        r = cuv / np.sqrt(vu * vv)
    return np.where(np.isfinite(r) & (np.abs(r) < 1), r, 0.0)


def _psych_local(freq, correct):
    """psych's local thresholds: zero rows/columns dropped, zero cells set to ``correct``,
    thresholds from the corrected margins over the uncorrected total."""
    tot = freq.sum(axis=(1, 2))
    rowm = freq.sum(axis=2)
    colm = freq.sum(axis=1)
    live = (rowm[:, :, None] > 0) & (colm[:, None, :] > 0)
    f = freq.copy()
    if correct > 0:
        f = np.where(live & (freq == 0), correct, freq)
    f = np.where(live, f, 0.0)

    def th(m, used):
        with np.errstate(invalid="ignore", divide="ignore"):
            cum = np.cumsum(m, axis=1)[:, :-1] / tot[:, None]
        t = norm_ppf(cum)
        # thresholds at or after the last used category are not thresholds
        last = np.array([np.flatnonzero(u).max() if u.any() else -1 for u in used])
        pos = np.arange(t.shape[1])[None, :]
        return np.where(pos >= last[:, None], np.inf, t)

    tx = th(f.sum(axis=2), rowm > 0)
    ty = th(f.sum(axis=1), colm > 0)
    return tx, ty, f
