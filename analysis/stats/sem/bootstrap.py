"""Bootstrap of a SEM: rows resampled with replacement, the model refitted on each resample.

The draw: all resample indices at once from ``numpy.random.default_rng(seed)`` as
``integers(0, n, size=(B, n))`` (as the mediation bootstrap), so ``--boot-indices`` exports
exactly the rows each refit used and R can replay them. Each refit starts from the
full-sample estimates. For every parameter, defined parameter and standardized (std.all)
value: bootstrap SE (sd over converged resamples), percentile CI (quantiles 2.5% / 97.5%, R's
type 7) and bias-corrected CI (quantiles at Phi(2 z0 + z_a), z0 = Phi^-1(share of resamples
below the estimate)). Ctrl-C stops the loop and keeps the resamples done so far.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from ...core.errors import AvoidSurveyError
from ..cfa.estimate import GroupData, standardized, _Filler
from ..cfa.result import record
from .defined import defined_values

__all__ = ["bootstrap_indices", "bootstrap_sem", "write_indices"]


def bootstrap_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The 0-based row indices of each resample (n_boot x n)."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def _moments(xb, fiml, p):
    if fiml:
        from ..cfa.fiml import em_saturated, pattern_f, pattern_logl, patterns

        xb = xb[~np.isnan(xb).all(axis=1)]
        pats = patterns(xb)
        sigma, mu, _ = em_saturated(pats, p, len(xb))
        return GroupData("all", len(xb), sigma, mu, patterns=pats, f_h1=pattern_f(pats, len(xb), sigma, mu),
                         logl_h1=pattern_logl(pats, len(xb), sigma, mu))
    return GroupData("all", len(xb), np.cov(xb.T, bias=True), xb.mean(axis=0))


def _visible(model):
    return [k for k, r in enumerate(model.rows) if r.kind != "phantom"]


def _draws(model, theta, filler):
    """Raw and std.all values of the visible rows and of the defined parameters."""
    from .partable import SEMModel  # noqa: F401  (documentation of the expected model type)

    mats = [filler.mats(theta, g) for g in range(model.n_groups)]
    raw = np.array([mats[r.group][r.mat][r.i, r.j] for r in model.rows])
    std = standardized(model, theta, filler)
    vis = _visible(model)
    if model.definitions:
        zeros = {lab: 0.0 for lab in model.labels}
        d_raw = defined_values(model.definitions, {lab: raw[k] for lab, k in model.labels.items()}, zeros, 1)
        d_std = defined_values(model.definitions, {lab: std[k] for lab, k in model.labels.items()}, zeros, 1)
        return (np.concatenate([raw[vis], [v for _, v, _ in d_raw]]),
                np.concatenate([std[vis], [v for _, v, _ in d_std]]))
    return raw[vis], std[vis]


class _Moments:
    """Complete-data resample moments from row counts: with x centred at the full-sample mean
    and the products x_i x_j (i <= j) of each row stored once, a resample's mean and biased
    covariance are count-weighted sums (one matrix product per chunk, no row copies)."""

    CHUNK = 64

    def __init__(self, x, idx):
        self.n, self.p = x.shape
        self.center = x.mean(axis=0)
        self.xc = x - self.center
        self.iu = np.triu_indices(self.p)
        self.x2 = self.xc[:, self.iu[0]] * self.xc[:, self.iu[1]]
        self.idx = idx
        self.cache = {}

    def get(self, b):
        start = b - b % self.CHUNK
        if start not in self.cache:
            self.cache = {start: self._chunk(start)}
        mean, S = self.cache[start]
        return GroupData("all", self.n, S[b - start], mean[b - start])

    def _chunk(self, start):
        rows = self.idx[start:start + self.CHUNK]
        counts = np.zeros((len(rows), self.n))
        for k, r in enumerate(rows):
            counts[k] = np.bincount(r, minlength=self.n)
        m = counts @ self.xc / self.n
        m2 = counts @ self.x2 / self.n
        S = np.zeros((len(rows), self.p, self.p))
        S[:, self.iu[0], self.iu[1]] = m2
        S[:, self.iu[1], self.iu[0]] = m2
        S -= m[:, :, None] * m[:, None, :]
        return m + self.center, S


def _refit(model, xbs, fiml, start, gds=None, filler=None):
    """The estimates of one resample (None when the refit does not converge): Fisher scoring
    from the full-sample estimates, no standard errors. ``filler`` is reused when the model
    has no fixed.x rows (their values change with every resample)."""
    from ..cfa.estimate import _fisher_scoring, _starting_point
    from .partable import set_fixed_x

    if gds is None:
        gds = [_moments(xb, fiml, model.p) for xb in xbs]
    if filler is None:
        set_fixed_x(model, gds)
        filler = _Filler(model)
    ntotal = sum(gd.n for gd in gds)
    theta, f = _starting_point(model, filler, gds, ntotal, start)
    if not np.isfinite(f):
        return None
    # max |gradient of F| below 1e-9 (the full fit: 1e-10): the CIs move in their 10th digit
    theta, converged, _ = _fisher_scoring(model, filler, gds, ntotal, theta, f, 500, 1e-9)
    return theta if converged else None


BATCH = True   # complete data without fixed.x: resamples fitted a chunk at a time (batchfit)


def _batch_theta(bm, fast, b, start):
    """Estimates of resample b, fitting its whole chunk of resamples at once on first use."""
    from .batchfit import fit_batch

    first = fast[0]
    c0 = b - b % first.CHUNK
    cache = first.__dict__.setdefault("_thetas", {})
    if c0 not in cache:
        cache.clear()
        chunks = [m._chunk(c0) for m in fast]
        try:
            cache[c0] = fit_batch(bm, start, [S for _, S in chunks], [mean for mean, _ in chunks],
                                  [m.n for m in fast])
        except (AvoidSurveyError, np.linalg.LinAlgError):
            cache[c0] = None
    thetas = cache[c0]
    if thetas is None:
        return None
    theta = thetas[b - c0]
    return None if np.isnan(theta).any() else theta


def _progress(b, total, on):
    if on and (b % max(1, total // 100) == 0 or b == total):
        sys.stderr.write(f"\rbootstrap {b}/{total}")
        sys.stderr.flush()


def _run(fitted, xs, idx, fiml, progress, warnings):
    model = fitted.model
    filler = _Filler(model)
    raws, stds = [], []
    done = 0
    fast = None if fiml else [_Moments(x, i) for x, i in zip(xs, idx)]
    shared = filler if not any(r.kind == "fixedx" for r in model.rows) else None
    batched = BATCH and fast is not None and shared is not None
    if batched:
        from .batchfit import BatchModel
        bm = BatchModel(model, filler)
    try:
        for b in range(len(idx[0])):
            if batched:
                theta = _batch_theta(bm, fast, b, fitted.est.theta)
                if theta is not None:
                    r, s = _draws(model, theta, filler)
                    raws.append(r)
                    stds.append(s)
                done = b + 1
                _progress(done, len(idx[0]), progress)
                continue
            try:
                if fast is not None:
                    theta = _refit(model, None, fiml, fitted.est.theta, [m.get(b) for m in fast], shared)
                else:
                    theta = _refit(model, [x[i[b]] for x, i in zip(xs, idx)], fiml, fitted.est.theta, None, shared)
            except (AvoidSurveyError, np.linalg.LinAlgError):
                theta = None
            if theta is not None:
                r, s = _draws(model, theta, filler)
                raws.append(r)
                stds.append(s)
            done = b + 1
            _progress(done, len(idx[0]), progress)
    except KeyboardInterrupt:
        record(warnings, "sem-bootstrap-interrupted", f"bootstrap interrupted after {done} of {len(idx[0])} "
               f"resamples; the CIs use those")
    finally:
        if progress:
            sys.stderr.write("\n")
        from .partable import set_fixed_x
        set_fixed_x(model, fitted.groups)
    return np.array(raws), np.array(stds), done


def _bc(draws, est, probs=(0.025, 0.975)):
    from ...numerics.dist import norm_cdf, norm_ppf

    share = np.mean(draws < est)
    if share <= 0 or share >= 1:
        return math.nan, math.nan
    z0 = norm_ppf(share)
    qs = [norm_cdf(2 * z0 + norm_ppf(p)) for p in probs]
    return tuple(float(v) for v in np.quantile(draws, qs))


def _summaries(params, raws, stds):
    keys = ("boot_se", "boot_ci_lower", "boot_ci_upper", "boot_bc_lower", "boot_bc_upper",
            "boot_std_se", "boot_std_ci_lower", "boot_std_ci_upper", "boot_std_bc_lower", "boot_std_bc_upper")
    for k, p in enumerate(params):
        vals = []
        for draws, est in ((raws[:, k], p["estimate"]), (stds[:, k], p["std_all"])):
            ok = draws[np.isfinite(draws)]
            if len(ok) < 2 or est is None or np.ptp(ok) == 0:
                vals += [None] * 5
                continue
            lo, hi = np.quantile(ok, [0.025, 0.975])
            vals += [float(np.std(ok, ddof=1)), float(lo), float(hi), *_bc(ok, est)]
        p.update({key: (None if v is None or not math.isfinite(v) else v) for key, v in zip(keys, vals)})


def bootstrap_sem(fitted, syntax, columns, xs, n_boot, seed, *, fiml, std_lv, estimator, file, progress,
                  warnings):
    """Resample (within each group), refit and summarise; writes boot_* keys into
    ``fitted.params`` and returns the summary {n, seed, n_done, n_converged, draw} and the
    resample rows (0-based positions in the rows used, groups one after the other)."""
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2 ** 31))
    rng_idx = _group_indices([len(x) for x in xs], n_boot, seed)
    raws, stds, done = _run(fitted, xs, rng_idx, fiml, progress, warnings)
    offsets = np.cumsum([0] + [len(x) for x in xs[:-1]])
    idx = np.hstack([i + o for i, o in zip(rng_idx, offsets)])
    ok = len(raws)
    summary = {"n": n_boot, "seed": seed, "n_done": done, "n_converged": ok, "draw": _DRAW}
    if ok < max(2, done // 2):
        record(warnings, "sem-bootstrap-failed", f"only {ok} of {done} bootstrap refits converged: no bootstrap CIs")
        return summary, idx
    if ok < done:
        record(warnings, "sem-bootstrap-nonconverged", f"{done - ok} of {done} bootstrap refits did not converge "
               f"and are left out")
    _summaries(fitted.params, raws, stds)
    return summary, idx


def _group_indices(sizes, n_boot, seed):
    """One group: exactly :func:`bootstrap_indices`; several: drawn group after group from one
    generator (rows resampled within their group, as lavaan's bootstrap)."""
    if len(sizes) == 1:
        return [bootstrap_indices(sizes[0], n_boot, seed)]
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, size=(n_boot, n)) for n in sizes]


_DRAW = ("numpy.random.default_rng(seed).integers(0, n, size=(B, n)); rows resampled with replacement "
         "(with groups: within each group, group after group from the same generator)")


def write_indices(result, path):
    """The resample rows (1-based data rows, header row not counted; one resample per line)
    as CSV, for replaying in R: ``d[idx[b, ], ]``."""
    from ...io.output import write_atomic

    text = "\n".join(",".join(str(int(v) + 1) for v in row) for row in result.boot_indices) + "\n"
    write_atomic(path, text, force=True)
