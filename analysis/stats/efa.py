"""Exploratory factor analysis equal to R psych::fa and psych::fa.parallel.

``efa(data, items, ...)`` computes, from ONE correlation matrix (pairwise-complete Pearson
correlations as ``cor(x, use = "pairwise")``, or listwise):

* KMO (overall and per item) and Bartlett's test of sphericity (psych::KMO,
  psych::cortest.bartlett);
* parallel analysis as ``psych::fa.parallel(x, fa = "fa")`` suggesting the number of
  factors (used with ``n_factors='auto'``);
* a minres, ML or principal-axis solution, rotated by oblimin (quartimin), promax,
  varimax, geomin (oblique) or quartimax, with factors reflected to positive loading sums
  and ordered by the variance they explain after rotation, exactly as psych::fa does.

The numerical work lives in :mod:`avoid_survey.analysis.numerics.factor_utils`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import (AvoidSurveyError, AvoidSurveyWarning, ConvergenceWarning, HeywoodWarning, warn)
from ..numerics import factor_utils as fu
from ..core.i18n import both, tr
from ..numerics.rotation import ROTATIONS

__all__ = ["efa", "efa_file", "EFAResult", "ParallelResult", "correlation_matrix", "polychoric_correlation",
           "METHODS"]

METHODS = ("minres", "ml", "pa")
_PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA"}


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class ParallelResult:
    """Parallel analysis as psych::fa.parallel(x, fa = "fa") with its defaults.

    observed : eigenvalues of R with the one-factor minres communalities on the diagonal
        (psych's ``fa.values``; fa.parallel's default ``SMC = FALSE``).
    simulated : (iterations x p) the same eigenvalues for correlation matrices of
        n x p independent standard-normal data.
    mean, q95 : column means (psych's ``fa.sim``, the plotted line) and 95th percentiles
        (R quantile type 7) of ``simulated``.
    n_factors : psych's ``nfact``: how many leading observed eigenvalues exceed the 95th
        percentile (``which(!(fa.values > sim.fa.ci))[1] - 1``).
    """

    n_factors: int
    observed: np.ndarray
    simulated: np.ndarray
    mean: np.ndarray
    q95: np.ndarray
    iterations: int
    seed: int | None
    n_sim: int

    def to_dict(self) -> dict:
        return {"n_factors": self.n_factors, "iterations": self.iterations, "seed": self.seed,
                "n_simulated": self.n_sim, "quantile": 0.95,
                "criterion": "observed eigenvalue > 95th percentile of simulated (psych::fa.parallel, fa='fa')",
                "observed": self.observed.tolist(), "simulated_mean": self.mean.tolist(),
                "simulated_q95": self.q95.tolist()}


@dataclass(frozen=True)
class EFAResult:
    """Result of :func:`efa`; full-precision numbers, rounded only when rendered.

    Attributes are numpy arrays indexed by ``items`` (rows) and ``factors`` (columns).
    ``loadings`` are the rotated pattern loadings, ``structure = loadings @ phi``;
    ``communalities`` are ``diag(LL')`` of the unrotated solution (psych's
    ``communality``), ``uniquenesses = 1 - communalities``.
    """

    items: list
    n: int
    n_complete: int
    n_pairwise_min: int
    missing: str
    method: str
    rotation: str
    n_factors: int
    n_factors_requested: object
    factors: list
    correlation: np.ndarray
    kmo_overall: float
    kmo_items: np.ndarray
    bartlett_chi2: float
    bartlett_df: int
    bartlett_p: float
    parallel: ParallelResult
    loadings: np.ndarray
    structure: np.ndarray
    phi: np.ndarray | None
    communalities: np.ndarray
    uniquenesses: np.ndarray
    ss_loadings: np.ndarray
    eigenvalues: np.ndarray
    fa_eigenvalues: np.ndarray
    converged: bool
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # item -> {en, zh} wording, for tables
    # cor='polychoric': the polychoric matrix (numerics.polychoric.PolychoricResult); None for Pearson
    polychoric: object = field(default=None, repr=False)
    # Pearson on items with <= 7 categories: stats.ordinal_hint's {max_categories, skewness}
    # (the command prints it as a note on stderr; not in the JSON)
    ordinal_hint: dict | None = field(default=None, repr=False)

    # ---- derived
    @property
    def proportion(self) -> np.ndarray:
        return self.ss_loadings / len(self.items)

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.proportion)

    def _by_item(self, values) -> dict:
        return {it: float(v) for it, v in zip(self.items, values)}

    def _matrix(self, m, rows, cols) -> dict:
        return {r: {c: float(m[i, j]) for j, c in enumerate(cols)} for i, r in enumerate(rows)}

    def to_dict(self) -> dict:
        phi = self.phi if self.phi is not None else np.eye(self.n_factors)
        tot = self.ss_loadings.sum()
        return {
            "n": self.n,
            "n_complete": self.n_complete,
            "n_pairwise_min": self.n_pairwise_min,
            "missing": self.missing,
            "items": list(self.items),
            "kmo": {"overall": self.kmo_overall, "items": self._by_item(self.kmo_items)},
            "bartlett": {"chi2": self.bartlett_chi2, "df": self.bartlett_df, "p": self.bartlett_p,
                         "n": self.n},
            "parallel": self.parallel.to_dict(),
            "method": self.method,
            "rotation": self.rotation,
            "oblique": self.phi is not None,
            "n_factors": self.n_factors,
            "n_factors_requested": self.n_factors_requested,
            "factors": list(self.factors),
            "loadings": self._matrix(self.loadings, self.items, self.factors),
            "structure": self._matrix(self.structure, self.items, self.factors),
            "communalities": self._by_item(self.communalities),
            "uniquenesses": self._by_item(self.uniquenesses),
            "factor_correlations": self._matrix(phi, self.factors, self.factors),
            "variance": {f: {"ss_loadings": float(self.ss_loadings[j]),
                             "proportion": float(self.proportion[j]),
                             "cumulative": float(self.cumulative[j]),
                             "proportion_explained": float(self.ss_loadings[j] / tot),
                             "cumulative_proportion": float(self.ss_loadings[: j + 1].sum() / tot)}
                         for j, f in enumerate(self.factors)},
            "eigenvalues": self.eigenvalues.tolist(),
            "fa_eigenvalues": self.fa_eigenvalues.tolist(),
            "converged": self.converged,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            **self._polychoric_dict(),
        }

    def _polychoric_dict(self) -> dict:
        """With cor='polychoric': the correlation used, the matrix and the thresholds."""
        if self.polychoric is None:
            return {}
        d = self.polychoric.to_dict()
        return {"correlation": "polychoric", "correlation_matrix": d["correlation_matrix"],
                "thresholds": d["thresholds"],
                "polychoric": {"convention": "psych", "local_thresholds": self.polychoric.local,
                               "correct": self.polychoric.correct, "smoothed": self.polychoric.smoothed,
                               "empty_cell_pairs": d["empty_cell_pairs"]}}

    def sorted_items(self) -> list[tuple[int, int]]:
        """(item index, factor index) sorted like psych::fa.sort: by the factor an item
        loads most on (largest |loading|), then by decreasing |loading|."""
        a = np.abs(self.loadings)
        best = a.argmax(1)
        order = sorted(range(len(self.items)), key=lambda i: (best[i], -a[i, best[i]]))
        return [(i, int(best[i])) for i in order]

    def to_tables(self, lang: str = "en") -> list:
        """Adequacy, loadings, variance, Phi and scree tables (:mod:`avoid_survey.analysis.tables.efa`)."""
        from ..tables.efa import efa_tables

        return efa_tables(self, lang)


# ------------------------------------------------------------------ correlation
def _numeric_frame(data, items):
    import pandas as pd

    missing = [c for c in items if c not in data.columns]
    if missing:
        raise AvoidSurveyError(f"unknown item(s): {', '.join(map(str, missing))} (not a column of the data)",
                               column=str(missing[0]))
    if len(set(items)) != len(items):
        dup = [c for c in items if list(items).count(c) > 1][0]
        raise AvoidSurveyError(f"item '{dup}' is listed twice", column=str(dup))
    from ..core.frames import numeric_column

    out = {c: numeric_column(data[c], c, message="non-numeric answer {value!r} in item column").to_numpy()
           for c in items}
    return pd.DataFrame(out, columns=list(items))


def _rows(x, missing: str):
    """(rows as floats, answered mask, complete rows); listwise keeps the complete rows only
    (at least 3)."""
    a = x.to_numpy(dtype=float)
    ok = ~np.isnan(a)
    n_complete = int(ok.all(1).sum())
    if missing == "listwise":
        a = a[ok.all(1)]
        ok = ok[ok.all(1)]
        if a.shape[0] < 3:
            raise AvoidSurveyError(f"only {a.shape[0]} row(s) answer every item; listwise correlations need at least 3")
    return a, ok, n_complete


def correlation_matrix(x, missing: str = "pairwise"):
    """Pearson correlations of the columns of a float frame.

    ``pairwise``: each r from the rows where both items are answered, with that pair's
    own means and SDs (R ``cor(x, use = "pairwise")``); ``listwise``: rows with every item
    answered (R ``use = "complete.obs"``).

    Returns
    -------
    R (p x p), n (rows in the data for pairwise, complete rows for listwise: the n psych
    uses), n_complete, smallest pairwise count.
    """
    a, ok, n_complete = _rows(x, missing)
    if missing == "listwise":
        sd = a.std(0)
        if (sd == 0).any():
            c = x.columns[int(np.flatnonzero(sd == 0)[0])]
            raise AvoidSurveyError("item has no variance among the complete rows", column=str(c))
        r = np.corrcoef(a, rowvar=False)
        return r, int(a.shape[0]), n_complete, int(a.shape[0])
    counts = ok.T.astype(float) @ ok.astype(float)
    i, j = np.unravel_index(np.argmin(counts), counts.shape)
    if a.shape[0] < 3:
        raise AvoidSurveyError(f"only {a.shape[0]} respondent(s): an EFA needs correlations, and a correlation "
                               f"needs at least 3 respondents (far more for a stable factor solution)")
    if counts[i, j] < 3 and i == j:
        raise AvoidSurveyError(f"item '{x.columns[i]}' is answered by only {int(counts[i, j])} respondent(s); "
                               f"a correlation needs at least 3", column=str(x.columns[i]))
    if counts[i, j] < 3:
        raise AvoidSurveyError(f"items '{x.columns[i]}' and '{x.columns[j]}' are answered together by only "
                               f"{int(counts[i, j])} respondent(s); a correlation needs at least 3",
                               column=str(x.columns[j]))
    r = fu.pairwise_cor(a)
    bad = np.isnan(r)
    if bad.any():
        c = x.columns[int(np.flatnonzero(bad.any(0))[0])]
        raise AvoidSurveyError("item has no variance (a correlation cannot be computed)", column=str(c))
    np.fill_diagonal(r, 1.0)
    r = (r + r.T) / 2
    return r, int(a.shape[0]), n_complete, int(counts.min())


def polychoric_correlation(x, missing: str = "pairwise"):
    """psych's polychoric matrix of the columns of a float frame (``psych::fa(cor = "poly")``).

    Returns R, n (rows of the data; listwise: complete rows), n_complete, the smallest
    pairwise count and the :class:`~..numerics.polychoric.PolychoricResult`.
    """
    from ..numerics.polychoric import polychoric_matrix

    a, _ok, n_complete = _rows(x, missing)
    res = polychoric_matrix(a, method="psych", items=[str(c) for c in x.columns])
    if np.isnan(res.rho).any():
        i, j = np.argwhere(np.isnan(res.rho))[0]
        raise AvoidSurveyError(f"items '{x.columns[i]}' and '{x.columns[j]}' have no polychoric correlation "
                               f"(no common answers, or one category in their common rows)", column=str(x.columns[j]))
    npair = res.n[np.triu_indices(res.n.shape[0], 1)]
    return res.rho, int(a.shape[0]), n_complete, int(npair.min()), res


# ------------------------------------------------------------------ parallel analysis
def parallel_analysis(r, n: int, iterations: int = 20, seed: int | None = 1) -> ParallelResult:
    """psych::fa.parallel(x, fa = "fa", n.iter = iterations) on a correlation matrix.

    ``observed`` = ``fa(R, 1, fm = "minres")$values``; each iteration draws the correlation
    matrix of n x p standard-normal data (in one batch, see
    :func:`factor_utils.simulate_correlations`) and computes the same eigenvalues; the
    suggested number of factors counts the leading observed eigenvalues above the 95th
    percentile of the simulated ones. psych also computes resampled (column-bootstrapped)
    eigenvalues for its plot; with its default ``sim = TRUE`` they do not enter the
    suggestion, so they are not computed here. The simulated values follow R's only in
    distribution (different random number generators), so the suggestion can differ from
    psych's when an observed eigenvalue lies within Monte Carlo error of the percentile.
    """
    p = r.shape[0]
    obs = fu.one_factor_values(r)
    rng = np.random.default_rng(seed)
    vals = np.empty((iterations, p))
    for b0 in range(0, iterations, 500):  # batches of 500 bound the memory use
        nb = min(500, iterations - b0)
        vals[b0:b0 + nb] = fu.one_factor_values_batch(fu.simulate_correlations(n, p, nb, rng))
    mean = vals.mean(0)
    q95 = np.quantile(vals, 0.95, axis=0)  # R's default type 7
    fail = np.flatnonzero(~(obs > q95))
    nf = int(fail[0]) if fail.size else p
    return ParallelResult(nf, obs, vals, mean, q95, iterations, seed, n)


# ------------------------------------------------------------------ main entry
def efa(data, items, *, n_factors="auto", method: str = "minres", rotation: str = "oblimin",
        missing: str = "pairwise", parallel_iterations: int = 20, seed: int | None = 1,
        notes=None, cor: str = "pearson") -> EFAResult:
    """Exploratory factor analysis of ``items`` in ``data`` (a DataFrame; left unchanged).

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of column names (at least 3)
    n_factors : int or 'auto' (None means 'auto'): 'auto' takes parallel analysis' suggestion
        (at least 1, at most the largest number with non-negative degrees of freedom)
    method : {'minres', 'ml', 'pa'}
    rotation : {'oblimin', 'promax', 'varimax', 'geomin', 'quartimax', 'none'}
        ``oblimin`` is GPArotation's quartimin (gamma = 0), ``geomin`` is the oblique
        geominQ (delta = .01), ``promax`` is psych's Kaiser-normalised promax (m = 4).
    missing : {'pairwise', 'listwise'}
        pairwise (psych's default): each correlation from the rows answering both items;
        KMO, Bartlett, parallel analysis and the fit all use this one matrix. Bartlett's
        n (and the n of the simulated data sets) is then the number of rows in the data,
        as ``psych::fa`` reports ``n.obs`` and ``cortest.bartlett(x)`` uses ``nrow(x)``;
        listwise: the rows answering every item, and n is their number.
    parallel_iterations : simulated data sets for parallel analysis (psych's n.iter)
    seed : seed of the parallel-analysis simulation
    cor : {'pearson', 'polychoric'}
        'polychoric' factors the polychoric matrix instead, as ``psych::fa(x, cor = "poly")``
        and ``psych::fa.parallel(x, cor = "poly", fa = "fa")``: psych's polychoric convention
        (pairwise answers, global thresholds, or local ones with zero cells corrected by 0.5
        when the items' highest codes differ; ``cor.smooth`` if not positive definite),
        n = rows of the data (listwise: complete rows). KMO, Bartlett, the observed
        eigenvalues of parallel analysis and the solution use that matrix; the simulated
        eigenvalues come from normal data as psych's ``sim`` ones (psych's resampled
        polychoric eigenvalues enter only its plot).

    Returns
    -------
    EFAResult

    Notes
    -----
    In R: ``psych::fa(x, nfactors, fm = method, rotate = rotation)`` (psych 2.2.9,
    GPArotation 2022.10.2) for loadings, communalities, Phi and variance explained;
    ``psych::KMO(R)``, ``psych::cortest.bartlett(R, n = nrow(x))`` and
    ``psych::fa.parallel(x, fa = "fa")``. Pinned against R on psych::bfi and
    lavaan::HolzingerSwineford1939 in tests/test_efa.py.

    Extraction: minres minimises the squared off-diagonal residuals
    ``sum_{i<j} (r_ij - (LL')_ij)^2``; ML the ML discrepancy
    ``log|Sigma| + tr(R Sigma^-1) - log|R| - p``; pa iterates principal axes on R with
    communalities on the diagonal. Factors are reflected so each column of loadings sums
    to a positive number and ordered by variance explained after rotation:
    ``colSums(L^2)`` (orthogonal) or ``diag(Phi L'L)`` (oblique).
    """
    # Every matrix here is p x p (p = number of items): multi-threaded BLAS only adds
    # overhead, and on a busy machine slows the many small eigen-decompositions tenfold.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return _efa(data, items, n_factors=n_factors, method=method, rotation=rotation, missing=missing,
                    parallel_iterations=parallel_iterations, seed=seed, notes=notes, cor=cor)
    with threadpool_limits(limits=1, user_api="blas"):
        return _efa(data, items, n_factors=n_factors, method=method, rotation=rotation, missing=missing,
                    parallel_iterations=parallel_iterations, seed=seed, notes=notes, cor=cor)


def _efa(data, items, *, n_factors="auto", method: str = "minres", rotation: str = "oblimin",
         missing: str = "pairwise", parallel_iterations: int = 20, seed: int | None = 1,
         notes=None, cor: str = "pearson") -> EFAResult:
    """The body of :func:`efa` (which limits BLAS threads around it)."""
    warnings_: list = []
    notes_ = list(notes or [])
    items = list(items)
    _check_options(items, method, rotation, missing, parallel_iterations)
    if cor not in ("pearson", "polychoric"):
        raise AvoidSurveyError(f"unknown correlation '{cor}' (pearson or polychoric)")
    x = _numeric_frame(data, items)
    poly = None
    hint = None
    if cor == "polychoric":
        r, n, n_complete, n_pair, poly = polychoric_correlation(x, missing)
        if not poly.converged:
            warn("some polychoric correlations did not converge", ConvergenceWarning, warnings_)
    else:
        r, n, n_complete, n_pair = correlation_matrix(x, missing)
        from .ordinal_hint import ordinal_hint
        hint = ordinal_hint(x.to_numpy(dtype=float), items)
    ev = _check_correlation(r, n, items)
    kmo_all, kmo_items = fu.kmo(r)
    chi2, bdf, bp = fu.bartlett(r, n)
    if kmo_all < 0.5:
        warn(f"KMO = {kmo_all:.2f} < .50: the correlations are too weak for factor analysis", AvoidSurveyWarning, warnings_)
    par = parallel_analysis(r, n, parallel_iterations, seed)
    k, requested = _number_of_factors(n_factors, par.n_factors, len(items), warnings_)
    lam, fa_vals, converged = _extract(r, k, method, warnings_)
    h2 = np.diag(lam @ lam.T).copy()
    rot, phi, ok = fu.rotate(lam, rotation)
    if not ok:
        converged = False
        warn(f"{rotation} rotation did not converge in 1000 iterations", ConvergenceWarning, warnings_)
    rot, phi, order = fu.sort_sign(rot, phi)
    names = [f"{_PREFIX[method]}{j + 1}" for j in order]
    ssl = np.diag(phi @ rot.T @ rot) if phi is not None else (rot ** 2).sum(0)
    structure = rot @ phi if phi is not None else rot.copy()
    if (h2 >= 0.995 - 1e-6).any():
        bad = [items[i] for i in np.flatnonzero(h2 >= 0.995 - 1e-6)]
        warn(f"Heywood case: communality at or above the bound (>= .995) for {', '.join(bad)}; the solution "
             "is improper, try fewer factors or another method", HeywoodWarning, warnings_)
    if phi is None:
        notes_.append(both("st_efa_orthogonal"))
    return EFAResult(items=items, n=n, n_complete=n_complete, n_pairwise_min=n_pair, missing=missing,
                     method=method, rotation=rotation, n_factors=k, n_factors_requested=requested,
                     factors=names, correlation=r, kmo_overall=kmo_all, kmo_items=kmo_items,
                     bartlett_chi2=chi2, bartlett_df=bdf, bartlett_p=bp, parallel=par, loadings=rot,
                     structure=structure, phi=phi, communalities=h2, uniquenesses=1.0 - h2, ss_loadings=ssl,
                     eigenvalues=ev, fa_eigenvalues=fa_vals, converged=converged, warnings=warnings_,
                     notes=notes_, polychoric=poly, ordinal_hint=hint)


def _check_options(items, method, rotation, missing, parallel_iterations) -> None:
    if method not in METHODS:
        raise AvoidSurveyError(f"unknown method '{method}' (choose from {', '.join(METHODS)})")
    if rotation not in ROTATIONS:
        raise AvoidSurveyError(f"unknown rotation '{rotation}' (choose from {', '.join(ROTATIONS.names())})")
    if missing not in ("pairwise", "listwise"):
        raise AvoidSurveyError(f"unknown missing-data rule '{missing}' (pairwise or listwise)")
    if len(items) < 3:
        raise AvoidSurveyError(f"factor analysis needs at least 3 items, got {len(items)}")
    if parallel_iterations < 1:
        raise AvoidSurveyError("--parallel-iterations must be at least 1")


def _check_correlation(r, n: int, items) -> np.ndarray:
    """Enough observations and a positive definite R; returns R's eigenvalues, largest first."""
    p = len(items)
    if n <= p:
        raise AvoidSurveyError(f"{n} observations for {p} items: factor analysis needs more observations than items")
    ev = np.linalg.eigvalsh(r)[::-1]
    if ev[-1] <= 1e-10:
        # the most collinear item: largest coefficient in the smallest eigenvector
        _w, v = np.linalg.eigh(r)
        c = items[int(np.argmax(np.abs(v[:, 0])))]
        what = "not positive definite (pairwise correlations that no data set could produce; try --missing listwise)" \
            if ev[-1] < -1e-10 else "singular (an item is a linear combination of others)"
        raise AvoidSurveyError(f"the correlation matrix of the items is {what}; check item '{c}'", column=c)
    return ev


def _number_of_factors(n_factors, suggested: int, p: int, warnings_: list):
    """(k, requested): parallel analysis' suggestion for 'auto' (kept within 1..max), else
    the requested whole number (checked)."""
    kmax = fu.max_factors(p)
    if n_factors in (None, "auto"):
        k = suggested
        if k < 1:
            warn("parallel analysis suggests 0 factors; extracting 1", AvoidSurveyWarning, warnings_)
            k = 1
        if k > kmax:
            warn(f"parallel analysis suggests {k} factors, but {p} items allow at most {kmax} with non-negative "
                 f"degrees of freedom; extracting {kmax}", AvoidSurveyWarning, warnings_)
            k = kmax
        return k, "auto"
    try:
        k = int(n_factors)
    except (TypeError, ValueError):
        raise AvoidSurveyError(f"--factors must be a whole number or 'auto', got {n_factors!r}") from None
    if k < 1:
        raise AvoidSurveyError("--factors must be at least 1")
    if k > kmax:
        raise AvoidSurveyError(f"too many factors: {k} factors on {p} items leave negative degrees of freedom "
                               f"(at most {kmax})")
    return k, k


def _extract(r, k: int, method: str, warnings_: list):
    """psych:::fac's extraction: (unrotated loadings reflected to positive column sums,
    fa_values, converged). fa_values (psych ``$values``) are the eigenvalues of R with the
    model communalities on the diagonal; for pa, those of the last iteration's reduced matrix."""
    converged = True
    pa_values = None
    if method == "pa":
        lam, pa_values, ok, its = fu.fit_pa(r, k)
        if not ok:
            converged = False
            warn(f"principal axis iterations did not converge in {its} iterations (psych stops at 50 too)",
                 ConvergenceWarning, warnings_)
        if np.isnan(lam).any():
            raise AvoidSurveyError("principal axis factoring met a negative eigenvalue; use --method minres "
                                   "or fewer factors")
    else:
        lam, _psi, ok, msg = fu.fit_minres_ml(r, k, method)
        if not ok:
            converged = False
            warn(f"{method} extraction did not converge: {msg}", ConvergenceWarning, warnings_)
    if k > 1:
        sg = np.sign(lam.sum(0))
        sg[sg == 0] = 1
        lam = lam * sg
    elif lam.sum() < 0:
        lam = -lam
    if pa_values is not None:
        return lam, pa_values, converged
    s = r.copy()
    np.fill_diagonal(s, np.diag(lam @ lam.T))
    return lam, np.linalg.eigvalsh(s)[::-1], converged


def efa_file(path, *, instrument=None, scales=None, items=None, **kwargs) -> EFAResult:
    """Read a response file and run :func:`efa` on the chosen items.

    ``items`` (a list of columns) or ``instrument`` (bundled id, path or Instrument):
    without ``scales``, every scale item of the instrument present in the data; with
    ``scales``, the items of those scales or facets (all must be present). Reverse-keyed
    items are NOT recoded: their loadings carry the sign.
    """
    from ..io import read

    notes = []
    if items is not None and scales:
        raise AvoidSurveyError("give either --items or --scale, not both")
    if items is not None and instrument is None:
        df = read(path)
        chosen = list(items)
    else:
        if instrument is None:
            if scales:
                raise AvoidSurveyError("--scale needs --instrument")
            raise AvoidSurveyError("give --instrument ID|PATH or --items a,b,c")
        from avoid_survey.instruments import load_instrument
        inst = instrument if hasattr(instrument, "all_scales") else load_instrument(instrument)
        df = read(path, inst)
        if items is not None:
            chosen = list(items)
        elif scales:
            chosen = []
            for sid in scales:
                try:
                    sc = inst.scale(sid)
                except KeyError:
                    valid = ", ".join(s.id for s in inst.all_scales())
                    raise AvoidSurveyError(f"instrument '{inst.id}' has no scale or facet '{sid}' (valid: {valid})") from None
                absent = [i for i in sc.item_ids if i not in df.columns]
                if absent:
                    raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(absent)} of scale '{sid}'",
                                           file=path, column=absent[0])
                chosen.extend(i for i in sc.item_ids if i not in chosen)
        else:
            chosen = [i.id for i in inst.items if i.id in df.columns]
            if not chosen:
                raise AvoidSurveyError(f"the data has none of the items of instrument '{inst.id}'", file=path)
            absent = [i.id for i in inst.items if i.id not in df.columns]
            if absent:
                notes.append(both("st_efa_absent", n=len(absent)))
        rev = [i for i in chosen if i in {it.id for it in inst.items} and inst.item(i).reverse]
        if rev:
            notes.append(both("st_efa_reverse", items=lambda lang: tr("st_list_sep", lang).join(rev)))
    try:
        return efa(df, chosen, notes=notes, **kwargs)
    except AvoidSurveyError as exc:
        raise exc.located(file=path)
