"""Reliability of scales and facets: alpha, lambda6, omega, item statistics (R psych).

:func:`reliability` is the entry point (what ``avoid-survey reliability`` calls). The
numerical core below it works on plain numpy (n x k) float arrays with NaN and mirrors
R psych 2.2.9 (``psych::alpha``, ``psych::smc``,
``psych::alpha.ci``, ``psych::fa(fm="minres")``, ``psych::schmid``, ``psych::omega``),
``stats::varimax`` and ``GPArotation::oblimin`` line by line, so the numbers agree with R.
SMCs, the minres extraction and the varimax / oblimin rotations are the EFA's
(:mod:`avoid_survey.analysis.numerics.factor_utils`); only the Schmid-Leiman step is omega's own.
The core never touches pandas: the bootstrap runs a thousand resamples in a few matrix
products (no per-resample frame, no Python loop over resamples).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..numerics import factor_utils as fu
from ..numerics.rotation_algorithms import gpa_oblique, varimax
from ..numerics.dist import f_quantile
from ..numerics.factor_utils import cov2cor, pairwise_cor, pairwise_cov, smc
from .results import fields_dict
from ..core.errors import (AvoidSurveyError, FewItemsWarning, AvoidSurveyWarning, ConvergenceWarning, warn)

__all__ = ["reliability", "ReliabilityResult", "ScaleReliability", "ItemStats",
           "pairwise_cov", "pairwise_cor", "alpha_parts", "smc", "alpha_drop", "r_drop",
           "feldt_ci", "bootstrap_alpha", "schmid_leiman",
           "omega_from_cor"]


# ----------------------------------------------------------------- alpha
def alpha_parts(C, R=None):
    """psych's ``alpha.1``: raw alpha, standardized alpha, Guttman lambda6 (smc), mean r.

    raw = k/(k-1) (1 - tr C / 1'C1); std = k/(k-1) (1 - k / 1'R1);
    G6 = 1 - (k - sum smc(R)) / 1'R1; av_r = (1'R1 - k) / (k (k-1)).
    """
    if R is None:
        R = cov2cor(C)
    k = C.shape[0]
    if k < 2:
        return dict(alpha=np.nan, alpha_std=np.nan, lambda6=np.nan, average_r=np.nan)
    sC, sR = C.sum(), R.sum()
    return dict(alpha=(1 - np.trace(C) / sC) * k / (k - 1),
                alpha_std=(1 - k / sR) * k / (k - 1),
                lambda6=1 - (k - smc(R).sum()) / sR,
                average_r=(sR - k) / (k * (k - 1)))


def alpha_drop(C, R=None):
    """Alpha (raw, std, G6, mean r) of the scale without item i, for each i (k >= 3)."""
    if R is None:
        R = cov2cor(C)
    k = C.shape[0]
    out = []
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        if k < 3:
            out.append(dict(alpha=np.nan, alpha_std=np.nan, lambda6=np.nan, average_r=np.nan))
        else:
            out.append(alpha_parts(C[np.ix_(keep, keep)], R[np.ix_(keep, keep)]))
    return out


def r_drop(C):
    """Corrected item-total correlation from the covariance matrix (psych ``r.drop``):
    cov(x_i, sum of the others) / sqrt(var x_i * var(sum of the others))."""
    k = C.shape[0]
    out = np.full(k, np.nan)
    tot = C.sum()
    col = C.sum(axis=0)
    for i in range(k):
        v_drop = tot - 2 * col[i] + C[i, i]
        c_drop = col[i] - C[i, i]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = c_drop / np.sqrt(C[i, i] * v_drop)
    return out


def feldt_ci(alpha, n, k, level=0.95):
    """Feldt (1965) CI as ``psych::alpha.ci``: 1 - (1 - alpha) F_{df1, df2}^{-1}(q),
    df1 = n - 1, df2 = (n - 1)(k - 1). F quantiles by inverting the regularized incomplete
    beta (agrees with R ``qf`` / scipy ``fdtri`` to ~1e-11 relative)."""
    if not (np.isfinite(alpha) and n > 1 and k > 1):
        return (np.nan, np.nan)
    p = 1 - level
    d1, d2 = n - 1, (n - 1) * (k - 1)
    hi = 1 - (1 - alpha) * f_quantile(p / 2, d1, d2)
    lo = 1 - (1 - alpha) * f_quantile(1 - p / 2, d1, d2)
    return (float(lo), float(hi))


def bootstrap_alpha(X, n_boot=1000, seed=None, level=0.95, chunk=None):
    """Percentile bootstrap of raw alpha, resampling respondents (rows).

    Vectorised: each resample is a vector of row counts w (multinomial), and the pairwise
    sums a covariance needs are one matrix product W @ F over per-row features, so there
    is no Python loop over resamples. Quantiles as R ``quantile(type = 7)``, which is what
    ``psych::alpha(n.iter=)`` reports in ``boot.ci``.
    Returns (lo, hi, boot_values).
    """
    X = np.asarray(X, float)
    n, k = X.shape
    rng = np.random.default_rng(seed)
    M = ~np.isnan(X)
    X0 = np.where(M, X, 0.0)
    Mf = M.astype(float)
    iu = np.triu_indices(k)
    # per-row features; column blocks: counts n_ij, sum x_i|j, sum x_j|i, sum x_i x_j
    a, b = iu
    complete = M.all()
    if complete:
        # centre first: better conditioning, same covariance
        Xc = X0 - X0.mean(axis=0)
        F = np.concatenate([Xc, Xc[:, a] * Xc[:, b]], axis=1)
    else:
        F = np.concatenate([Mf[:, a] * Mf[:, b], X0[:, a] * Mf[:, b], X0[:, b] * Mf[:, a],
                            X0[:, a] * X0[:, b]], axis=1)
    m = len(a)
    # ~3 MB of counts per block: blocks this small reuse the same memory, where large ones
    # (40 MB) spend more time faulting fresh pages in than computing; the draws are the
    # same whatever the block size (one generator, drawn in order)
    chunk = chunk or max(1, min(n_boot, int(4e5 // max(n, 1))))
    vals = np.empty(n_boot)
    done = 0
    while done < n_boot:
        B = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(B, n))
        idx += (np.arange(B) * n)[:, None]
        W = np.bincount(idx.ravel(), minlength=B * n).reshape(B, n).astype(float)
        S = W @ F
        if complete:
            s1, s2 = S[:, :k], S[:, k:]
            cov_u = (s2 - s1[:, a] * s1[:, b] / n) / (n - 1)
        else:
            cnt, sa, sb, sab = S[:, :m], S[:, m:2 * m], S[:, 2 * m:3 * m], S[:, 3 * m:]
            with np.errstate(invalid="ignore", divide="ignore"):
                cov_u = (sab - sa * sb / cnt) / (cnt - 1)
        diag = a == b
        tr = cov_u[:, diag].sum(axis=1)
        tot = tr + 2 * cov_u[:, ~diag].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            vals[done:done + B] = (1 - tr / tot) * k / (k - 1)
        done += B
    q = (1 - level) / 2
    fin = vals[np.isfinite(vals)]
    if fin.size == 0:
        return np.nan, np.nan, vals
    lo, hi = np.quantile(fin, [q, 1 - q])  # numpy 'linear' = R type 7
    return float(lo), float(hi), vals


# ----------------------------------------------------------------- factor model
def schmid_leiman(R, nf):
    """``psych::schmid(R, nf, fm = "minres", rotate = "oblimin")``.

    minres with nf factors, varimax, oblimin; the general factor from a one-factor minres
    of the factor correlations (nf >= 3) or sqrt(|phi_12|) for both (nf = 2, psych's
    option "equal"). Returns dict(g, h2, u2, converged).
    """
    L = fu.fit_minres_ml(R, nf, "minres")[0]
    if nf == 1:
        orth = L * (np.sign(L.sum()) or 1)
        h2 = (orth ** 2).sum(axis=1)
        return dict(g=orth[:, 0], h2=h2, u2=np.diag(R) - h2, converged=True, orth=orth)
    orth = fu.sort_sign(varimax(L)[0])[0]
    h2 = (orth ** 2).sum(axis=1)
    fload, Phi, _T, conv = gpa_oblique(orth, "oblimin")
    if nf > 2:
        gl = fu.fit_minres_ml(Phi, 1, "minres")[0]
        gload = gl[:, 0] * (np.sign(gl.sum()) or 1)
    else:
        r12 = Phi[0, 1]
        gload = np.array([np.sqrt(abs(r12)), np.sign(r12) * np.sqrt(abs(r12))])
    g = fload @ gload
    return dict(g=g, h2=h2, u2=np.diag(R) - h2, converged=conv, orth=orth, oblique=fload, phi=Phi)


def omega_from_cor(R, nf):
    """psych::omega's omega_h and omega.tot from a correlation matrix and nf factors.

    omega_h = (sum g)^2 / 1'R1 and omega_tot = (1'R1 - sum u2) / 1'R1, after psych's flip of
    items whose general loading is negative (R -> DRD, D = diag(sign g)).
    """
    sl = schmid_leiman(R, nf)
    key = np.sign(sl["g"])
    key[key == 0] = 1
    Rf = R * np.outer(key, key)
    g = sl["g"] * key
    Vt = Rf.sum()
    return dict(omega_h=float(g.sum() ** 2 / Vt), omega_total=float((Vt - sl["u2"].sum()) / Vt),
                converged=sl["converged"], flipped=[int(i) for i in np.where(key < 0)[0]])


# ================================================================= results
def _f(x):
    """Plain float (NaN stays NaN; JSON output turns it into null)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


@dataclass(frozen=True)
class ItemStats:
    """One item of a scale, as psych::alpha's ``item.stats`` / ``alpha.drop`` rows."""

    item: str
    reverse: bool
    n: int
    mean: float            # of the (reverse-recoded) item
    sd: float
    r_drop: float          # corrected item-total r (psych r.drop)
    raw_r: float           # item-total r, total = mean of the items (psych raw.r)
    alpha_if_deleted: float
    alpha_std_if_deleted: float
    lambda6_if_deleted: float
    frequencies: dict      # {code: count} of answered codes (None if > 10 distinct values)
    n_missing: int

    def to_dict(self) -> dict:
        freq = self.frequencies
        return fields_dict(self, frequencies=None if freq is None else {code_text(k): v for k, v in freq.items()})


def code_text(v) -> str:
    """An answer code as text: ``3`` for 3.0, ``2.5`` for 2.5."""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one scale or facet (fields in the order of its JSON)."""

    scale: str
    label: dict
    parent: str | None
    facets: tuple
    n: int                  # respondents used (pairwise: at least one item answered; listwise: complete)
    k: int
    alpha: float
    alpha_std: float
    alpha_ci: tuple
    alpha_ci_method: str
    alpha_ci_feldt: tuple
    alpha_ci_bootstrap: tuple | None
    alpha_se: float         # psych's asymptotic SE of alpha ("ase")
    lambda6: float
    average_r: float
    omega_total: float      # one-factor minres model, psych::omega(nfactors = 1)$omega.tot
    omega_h: float          # multi-facet scales: psych::omega(nfactors = #facets)$omega_h
    omega_total_sl: float   # multi-facet scales: psych::omega(nfactors = #facets)$omega.tot
    mean: float
    sd: float
    items: tuple
    warnings: tuple = ()
    # with ordinal=True: the same statistics from the polychoric matrix (psych::polychoric);
    # None otherwise, and then left out of the JSON
    alpha_ordinal: float | None = field(default=None, repr=False)
    omega_total_ordinal: float | None = field(default=None, repr=False)
    omega_h_ordinal: float | None = field(default=None, repr=False)
    omega_total_sl_ordinal: float | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        d = fields_dict(self)
        if self.alpha_ordinal is not None:
            d.update(alpha_ordinal=self.alpha_ordinal, omega_total_ordinal=self.omega_total_ordinal,
                     omega_h_ordinal=self.omega_h_ordinal, omega_total_sl_ordinal=self.omega_total_sl_ordinal)
        return d


@dataclass(frozen=True)
class ReliabilityResult:
    """What :func:`reliability` returns; ``to_dict()`` is the ``--format json`` document."""

    instrument: str
    missing: str
    ci: str
    level: float
    n_boot: int | None
    seed: int | None
    scales: tuple
    warnings: list = field(default_factory=list)
    ordinal: bool = field(default=False, repr=False)   # alpha/omega from polychoric correlations too

    def scale(self, sid: str) -> ScaleReliability:
        for s in self.scales:
            if s.scale == sid:
                return s
        raise KeyError(sid)

    def to_dict(self) -> dict:
        d = fields_dict(self)
        if self.ordinal:
            d["ordinal"] = {"correlation": "polychoric", "convention": "psych", "correct": 0.5}
        return d

    def to_tables(self, lang: str = "en") -> list:
        """The scale, item and frequency tables (:mod:`avoid_survey.analysis.tables.reliability`)."""
        from ..tables.reliability import reliability_tables

        return reliability_tables(self, lang)


# ================================================================= entry point
def _freqs(col, fmt):
    vals = col[~np.isnan(col)]
    if fmt is not None and fmt.is_likert:
        codes = [float(c) for c in fmt.codes]
    else:
        codes = sorted(set(vals.tolist()))
        if len(codes) > 10:
            return None
    out = {c: int(np.sum(vals == c)) for c in codes}
    other = int(vals.size - sum(out.values()))
    if other:
        for v in sorted(set(vals.tolist()) - set(codes)):
            out[v] = int(np.sum(vals == v))
    return out


def _item_total_r(X, total):
    out = np.full(X.shape[1], np.nan)
    for j in range(X.shape[1]):
        m = ~np.isnan(X[:, j]) & ~np.isnan(total)
        if m.sum() > 2:
            a, b = X[m, j], total[m]
            sa, sb = a.std(), b.std()
            if sa > 0 and sb > 0:
                out[j] = float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))
    return out


def _scale_reliability(X, scale, instrument, *, missing, ci, n_boot, seed, level, sink, ordinal=False):
    """Everything about one scale or facet from its reverse-recoded item matrix X."""
    ids = scale.item_ids
    k_all = len(ids)
    local: list[str] = []

    def w(msg, cat=AvoidSurveyWarning):
        warn(msg, cat, sink=local)

    answered = ~np.isnan(X)
    X = X[answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)]
    n = int(X.shape[0])
    nan = float("nan")
    if k_all < 2:
        w(f"scale '{scale.id}' has {k_all} item: alpha needs at least 2 items (k < 2)", FewItemsWarning)
    elif k_all < 3:
        w(f"scale '{scale.id}' has only {k_all} items: alpha, alpha-if-deleted and omega are unstable or "
          f"undefined with fewer than 3 items", FewItemsWarning)
    sd_items = np.array([np.nanstd(X[:, j], ddof=1) if np.sum(~np.isnan(X[:, j])) > 1 else nan
                         for j in range(k_all)])
    use = np.isfinite(sd_items) & (sd_items > 0)
    for j in np.where(~use)[0] if n >= 2 else ():   # one respondent: said once below, not per item
        w(f"item '{ids[j]}' of scale '{scale.id}' has no variance and was left out of alpha (as psych::alpha does)")
    a = _alpha_block(X[:, use], use, scale.id, n, ci=ci, n_boot=n_boot, seed=seed, level=level, w=w)
    for j in range(k_all):
        if np.isfinite(a["rdrop"][j]) and a["rdrop"][j] < 0:
            it = instrument.item(ids[j])
            hint = ("it is marked reverse: check the key" if it.reverse
                    else "it is probably worded in reverse and needs `reverse: true`")
            w(f"item '{ids[j]}' correlates negatively with the rest of scale '{scale.id}' "
              f"(r.drop = {a['rdrop'][j]:.3f}): {hint}")
    om1, omsl = _omega_block(X[:, use], scale, n, w)
    ordinal_values = _ordinal_block(X[:, use], [i for i, u in zip(ids, use) if u], scale, n, w) if ordinal else {}
    total = np.nanmean(X, axis=1) if X.size else np.array([])
    items = _item_stats(X, total, ids, instrument, sd_items, a["drops"], a["rdrop"])
    parts, feldt, boot = a["parts"], a["feldt"], a["boot"]
    chosen = boot if ci == "bootstrap" and boot is not None else feldt
    sink.extend(local)
    return ScaleReliability(
        scale=scale.id, label=dict(scale.label or {}), parent=scale.parent, facets=tuple(f.id for f in scale.facets),
        n=n, k=k_all, alpha=_f(parts["alpha"]), alpha_std=_f(parts["alpha_std"]), lambda6=_f(parts["lambda6"]),
        average_r=_f(parts["average_r"]), alpha_se=_f(a["ase"]), alpha_ci=tuple(map(_f, chosen)),
        alpha_ci_method="bootstrap" if chosen is boot else "feldt", alpha_ci_feldt=tuple(map(_f, feldt)),
        alpha_ci_bootstrap=None if boot is None else tuple(map(_f, boot)),
        omega_total=_f(om1["omega_total"]), omega_h=_f(omsl["omega_h"]), omega_total_sl=_f(omsl["omega_total"]),
        mean=_f(np.nanmean(total)) if n else nan, sd=_f(np.nanstd(total, ddof=1)) if n > 1 else nan,
        items=tuple(items), warnings=tuple(local), **ordinal_values)


def _alpha_block(Xu, use, scale_id, n, *, ci, n_boot, seed, level, w) -> dict:
    """Alpha and friends from the items with variance (``Xu``; ``use`` marks them among all
    k items): parts (alpha, std. alpha, lambda6, mean r), asymptotic SE, per-item alpha if
    deleted and r.drop (NaN for the unused items), Feldt and bootstrap intervals."""
    nan = float("nan")
    k_all, k = len(use), int(use.sum())
    out = dict(parts=dict(alpha=nan, alpha_std=nan, lambda6=nan, average_r=nan),
               drops=[dict(alpha=nan, alpha_std=nan, lambda6=nan) for _ in range(k_all)],
               rdrop=np.full(k_all, nan), ase=nan, feldt=(nan, nan), boot=None)
    if n < 2:
        w(f"scale '{scale_id}': fewer than 2 respondents with answers; nothing to estimate")
        return out
    if k < 2:
        return out
    if n <= k:
        # fewer respondents than items: the item covariance matrix is singular and alpha, its
        # interval and omega are not estimates of anything (they can be any number)
        w(f"scale '{scale_id}': {n} respondent(s) for {k} items; alpha and omega need more respondents "
          f"than items and are not reported")
        return out
    C, _npair = pairwise_cov(Xu)
    if np.isnan(C).any():
        w(f"scale '{scale_id}': some item pairs have fewer than 2 common answers; alpha is not defined")
        return out
    R = cov2cor(C)
    out["parts"] = parts = alpha_parts(C, R)
    sC = C.sum()
    trC = np.trace(C)
    Q = (2 * k ** 2 / ((k - 1) ** 2 * sC ** 3)) * (sC * (np.trace(C @ C) + trC ** 2) - 2 * trC * (C @ C).sum())
    out["ase"] = float(np.sqrt(Q / n)) if Q >= 0 else nan
    dd = alpha_drop(C, R)
    rd = r_drop(C)
    for jj, j in enumerate(np.where(use)[0]):
        out["drops"][j] = dd[jj]
        out["rdrop"][j] = rd[jj]
    out["feldt"] = feldt_ci(parts["alpha"], n, k, level)
    if ci == "bootstrap":
        lo, hi, _vals = bootstrap_alpha(Xu, n_boot=n_boot, seed=seed, level=level)
        out["boot"] = (lo, hi)
    return out


def _omega_block(Xu, scale, n, w):
    """omega_total of one factor, and omega_h / omega_total (SL) with one group factor per facet."""
    nan = float("nan")
    om1 = dict(omega_total=nan)
    omsl = dict(omega_h=nan, omega_total=nan)
    k = Xu.shape[1]
    nf = len(scale.facets)
    if not (k >= 3 and n > max(2, k)):
        return om1, omsl
    Rp = pairwise_cor(Xu)
    if np.isnan(Rp).any():
        w(f"scale '{scale.id}': correlation matrix has undefined entries; omega not computed")
        return om1, omsl
    try:
        om1 = omega_from_cor(Rp, 1)
        if nf >= 2:
            if k <= nf:
                w(f"scale '{scale.id}': {k} items are too few for {nf} group factors; omega_h not computed")
            else:
                omsl = omega_from_cor(Rp, nf)
                if not omsl["converged"]:
                    w(f"scale '{scale.id}': oblimin rotation did not converge; omega_h is approximate",
                      ConvergenceWarning)
    except (np.linalg.LinAlgError, ValueError) as exc:
        w(f"scale '{scale.id}': omega could not be computed ({exc})")
    return om1, omsl


def _ordinal_block(Xu, ids, scale, n, w) -> dict:
    """Ordinal alpha and omega: the Pearson formulas on psych's polychoric matrix of the
    (reverse-recoded) items: ``psych::alpha(polychoric(x)$rho)``, ``psych::omega(x, nfactors,
    poly = TRUE)``."""
    from ..numerics.polychoric import polychoric_matrix

    nan = float("nan")
    out = dict(alpha_ordinal=nan, omega_total_ordinal=nan, omega_h_ordinal=nan, omega_total_sl_ordinal=nan)
    k = Xu.shape[1]
    if k < 2 or n < 2:
        return out
    poly = polychoric_matrix(Xu, method="psych", items=ids)
    R = poly.rho
    if not poly.converged:
        w(f"scale '{scale.id}': some polychoric correlations did not converge", ConvergenceWarning)
    if np.isnan(R).any():
        w(f"scale '{scale.id}': some polychoric correlations are undefined (item pairs without common answers); "
          f"ordinal alpha and omega not computed")
        return out
    out["alpha_ordinal"] = _f(alpha_parts(R, R)["alpha"])
    nf = len(scale.facets)
    if k >= 3:
        try:
            out["omega_total_ordinal"] = _f(omega_from_cor(R, 1)["omega_total"])
            if nf >= 2 and k > nf:
                om = omega_from_cor(R, nf)
                out["omega_h_ordinal"], out["omega_total_sl_ordinal"] = _f(om["omega_h"]), _f(om["omega_total"])
        except (np.linalg.LinAlgError, ValueError) as exc:
            w(f"scale '{scale.id}': ordinal omega could not be computed ({exc})")
    return out


def _item_stats(X, total, ids, instrument, sd_items, drops, rdrop) -> list:
    nan = float("nan")
    n = int(X.shape[0])
    raw_r = _item_total_r(X, total) if n > 2 else np.full(len(ids), nan)
    items = []
    for j, iid in enumerate(ids):
        it = instrument.item(iid)
        col = X[:, j]
        nj = int(np.sum(~np.isnan(col)))
        items.append(ItemStats(
            item=iid, reverse=bool(it.reverse and it.response.is_likert), n=nj,
            mean=_f(np.nanmean(col)) if nj else nan, sd=_f(sd_items[j]),
            r_drop=_f(rdrop[j]), raw_r=_f(raw_r[j]),
            alpha_if_deleted=_f(drops[j]["alpha"]), alpha_std_if_deleted=_f(drops[j]["alpha_std"]),
            lambda6_if_deleted=_f(drops[j]["lambda6"]), frequencies=_freqs(col, it.response),
            n_missing=int(n - nj)))
    return items


def reliability(data, instrument, *, scales=None, missing: str = "pairwise", ci: str = "feldt",
                n_boot: int = 1000, seed: int | None = None, level: float = 0.95,
                ordinal: bool = False) -> ReliabilityResult:
    """Reliability of every scale and facet of ``instrument`` found in ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses, item columns as numeric codes (what ``io.read_data`` returns), or the
        ``io.NumericFrame`` of a plain numeric CSV (``io.read_plain_numeric``). Not modified.
    instrument : Instrument or str
        A loaded instrument, a bundled id or a path to an instrument YAML file.
    scales : list of str, optional
        Scale or facet ids; default every scale and facet whose items are all in ``data``.
    missing : {'pairwise', 'listwise'}
        'pairwise' (psych::alpha default, ``use = "pairwise"``): each covariance from the
        rows answering both items; n = respondents answering at least one item.
        'listwise': only respondents answering every item of the scale.
    ci : {'feldt', 'bootstrap'}
        Which interval goes into ``alpha_ci``. Feldt is always computed as well.
    n_boot, seed : bootstrap resamples and seed (``ci='bootstrap'``).
    level : confidence level (0.95).
    ordinal : also ordinal alpha and omega (``alpha_ordinal``, ``omega_total_ordinal``,
        ``omega_h_ordinal``, ``omega_total_sl_ordinal``): the same formulas on the polychoric
        correlation matrix of the (reverse-recoded) items, psych's convention
        (``psych::polychoric``: pairwise answers, zero cells corrected by 0.5 when the items'
        highest codes differ), i.e. ``psych::alpha(polychoric(x)$rho)`` and
        ``psych::omega(x, nfactors, poly = TRUE)`` with the factor counts of the Pearson
        omegas (1 for omega total; one group factor per facet for omega_h, which is NaN for
        a scale without facets, not psych's default of 3 factors).

    Returns
    -------
    ReliabilityResult

    Notes
    -----
    Reverse-keyed items are recoded as (min + max - x) from the instrument's response range
    before anything else (psych::alpha with ``keys`` does the same with the data's range).
    With C the item covariance matrix and R its correlation matrix (``cov2cor(C)``), k items:

    * alpha = k/(k-1) (1 - tr C / 1'C1); std. alpha = k/(k-1) (1 - k / 1'R1)
    * Guttman lambda6 = 1 - (k - sum smc_i) / 1'R1, smc_i = 1 - 1/(R^-1)_ii
    * average r = (1'R1 - k) / (k(k-1)); r.drop_i = cov(x_i, T - x_i)/sd(x_i) sd(T - x_i)
    * Feldt CI: 1 - (1 - alpha) F^{-1}(q; n-1, (n-1)(k-1)), as psych::alpha.ci
    * bootstrap CI: percentile interval of alpha over ``n_boot`` resamples of respondents
      (psych::alpha(n.iter=) ``boot.ci``)
    * omega_total: one-factor minres model on the pairwise correlation matrix,
      (1'R1 - sum u_i^2)/1'R1, i.e. ``psych::omega(x, nfactors = 1)$omega.tot``
    * multi-facet scales: Schmid-Leiman with as many group factors as facets (minres,
      oblimin), omega_h = (sum g_i)^2 / 1'R1 and omega_total_sl, as ``psych::omega(x,
      nfactors = #facets)``.

    Checked against R psych 2.2.9 (tests/reference/reliability.R) on psych::bfi,
    psychTools::ability and lavaan::HolzingerSwineford1939.
    """
    from avoid_survey.instruments import load_instrument
    from .scoring import item_array

    if missing not in ("pairwise", "listwise"):
        raise AvoidSurveyError(f"missing must be 'pairwise' or 'listwise', not '{missing}'")
    if ci not in ("feldt", "bootstrap"):
        raise AvoidSurveyError(f"ci must be 'feldt' or 'bootstrap', not '{ci}'")
    if ci == "bootstrap" and (n_boot is None or int(n_boot) < 2):
        raise AvoidSurveyError("--n-boot must be at least 2 for a bootstrap interval")
    if not 0 < level < 1:
        raise AvoidSurveyError("the confidence level must be between 0 and 1")
    instrument = load_instrument(instrument)
    known = {s.id: s for s in instrument.all_scales()}
    if scales:
        bad = [s for s in scales if s not in known]
        if bad:
            raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{bad[0]}' "
                                   f"(it has: {', '.join(known)})")
        todo = [known[s] for s in dict.fromkeys(scales)]
    else:
        todo = [s for s in instrument.all_scales() if all(i in data.columns for i in s.item_ids)]
        if not todo:
            raise AvoidSurveyError(f"none of the scales of instrument '{instrument.id}' has all its items "
                                   f"in the data")
    sink: list[str] = []
    if not scales:
        for s in instrument.all_scales():
            present = [i for i in s.item_ids if i in data.columns]
            if present and len(present) < len(s.item_ids) and not s.optional:
                warn(f"scale '{s.id}' skipped: the data lack item column(s) "
                     f"{', '.join(i for i in s.item_ids if i not in data.columns)}", AvoidSurveyWarning, sink=sink)
    out = []
    for s in todo:
        X = item_array(data, instrument, s.id)
        try:
            out.append(_scale_reliability(X, s, instrument, missing=missing, ci=ci, n_boot=int(n_boot),
                                          seed=seed, level=level, sink=sink, ordinal=ordinal))
        except AvoidSurveyError as exc:
            if exc.column is not None and ordinal:
                raise AvoidSurveyError(f"--ordinal: {exc.message}", column=exc.column) from None
            raise
    return ReliabilityResult(instrument=instrument.id, scales=tuple(out), missing=missing, ci=ci, level=level,
                             n_boot=int(n_boot) if ci == "bootstrap" else None, seed=seed, warnings=sink,
                             ordinal=bool(ordinal))
