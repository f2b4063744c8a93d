"""Conjoint estimands: AMCEs, marginal means and nested-model F tests.

- AMCE (Hainmueller, Hopkins & Yamamoto 2014): ``lm(y ~ attributes)`` on treatment dummies,
  SEs clustered by respondent, CR1 = ``sandwich::vcovCL(fit, cluster = ~respondent,
  type = "HC1")`` (``G/(G-1) (N-1)/(N-K)``, as Stata). cregg's ``amce`` clusters through
  ``survey::svyglm``, whose factor is ``G/(G-1)`` only: its SEs are smaller by
  ``sqrt((N-1)/(N-K))`` (under 0.03% at 40,000 rows and 17 coefficients), and it reports z.
  Restrictions between two attributes: the interacted model of :mod:`.restricted`
  (restrictions chaining three or more attributes keep the additive model, with a warning).
- Marginal means (Leeper, Hobolt & Tilley 2020): per attribute, ``lm(y ~ 0 + level)`` with
  the same CR1 SE: the estimate is the mean outcome of the profiles showing the level.
  cregg's ``mm`` computes the same mean with ``survey::svymean`` (factor ``G/(G-1)``, z).
  The p value tests ``h0``: 0.5 for a forced choice between two profiles, else 0.
- Nested F, as ``cregg::cj_anova(by = ~group)``: ``anova(lm(y ~ attributes),
  lm(y ~ (attributes) * group), test = "F")``, classical (not clustered) residual
  variances, by cregg's convention. Used for subgroup differences (``--moderator``), and as
  diagnostics of carry-over (``by = task``) and profile order (``by = profile``).
"""
from __future__ import annotations

from .design import (Columns, distinct, factor_dummies, group_codes, intercept_and_dummies, level_indicators, products,
                     se_plan)
from .effects import Model, observed
from .linalg import nested_f_from, rss_rank

__all__ = ["amce", "marginal_means", "nested_by"]


def amce(d, ci: float = 0.95):
    exp = d.experiment
    if exp.restrictions:
        from .restricted import amce_restricted, restricted_pairs

        pairs = restricted_pairs(exp)
        if pairs:
            return amce_restricted(d, pairs, ci)
    mask = observed(d)
    base = _base_columns(d)
    m = Model(base, d, mask)
    return m.rows("amce", "main", set(base.names[1:]), ci), m.factor_tests("wald_factor", d.experiment)


def _h0(d, mask) -> float:
    import numpy as np

    y = d.y[mask]
    binary = bool(np.all((y == 0) | (y == 1)))
    return 0.5 if binary and d.experiment.profiles == 2 else 0.0


def marginal_means(d, ci: float = 0.95) -> list[dict]:
    from .linalg import coef_row

    mask = observed(d)
    plan = se_plan(d, mask)
    h0 = _h0(d, mask)
    out = []
    for f in d.experiment.factors:
        cols = level_indicators(f, d.codes[f.id])
        if plan[0] == "cl":
            rows, n = _mm_clustered(d.y[mask], d.codes[f.id][mask], len(f.levels), plan[1], ci, h0)
            se_type = "CR1"
        else:
            m = Model(cols, d, mask, plan)
            rows, n, se_type = [coef_row(m.fit, m.V, name, ci, h0=h0) for name in cols.names], m.n, m.se_type
        for name, (_, level, _b), row in zip(cols.names, cols.meta, rows):
            r = {"estimand": "mm", "model": "mm", "factor": f.id, "level": level, "baseline": None, "term": name}
            r.update(row)
            r.update({"n": n, "se_type": se_type, "h0": h0})
            out.append(r)
    return out


def _mm_clustered(y, code, n_levels, clusters, ci, h0):
    """``lm(y ~ 0 + level)`` + ``vcovCL(type = "HC1")`` in closed form: the coefficients are
    the level means, (X'X)^-1 = diag(1/n_k), and the cluster scores are the within-cluster
    sums of the residuals of each level, so V = c U'U / (n_k n_l) with
    c = G/(G-1) (N-1)/(N-L) (the same numbers as the regression, without building it)."""
    import numpy as np

    from avoid_survey.analysis.core.errors import AvoidSurveyError

    from .linalg import estimate_row

    codes, g = clusters
    if g < 2:
        raise AvoidSurveyError("clustered standard errors need at least two clusters")
    n = len(y)
    counts = np.bincount(code, minlength=n_levels).astype(float)
    means = np.bincount(code, weights=y, minlength=n_levels) / counts
    e = y - means[code]
    U = np.bincount(codes * n_levels + code, weights=e, minlength=g * n_levels).reshape(g, n_levels)
    adj = g / (g - 1) * (n - 1) / (n - n_levels)
    var = adj * np.einsum("gk,gk->k", U, U) / (counts * counts)
    return [estimate_row(float(means[k]), float(var[k]), n - n_levels, ci, h0) for k in range(n_levels)], n


def _group_columns(values, name) -> Columns:
    levels = [v for v in distinct(values).tolist() if v != ""]
    out = Columns([], [], [])
    for lv in levels[1:]:
        out.names.append(f"{name}{lv}")
        out.arrays.append((values == lv).astype(float))
        out.meta.append((name, lv, levels[0]))
    return out


def nested_by(d, test: str, by_name: str, by_columns: Columns, mask=None, groups=None) -> dict | None:
    """cj_anova: reduced ``y ~ attributes``, full ``y ~ (attributes) * by`` (classical F).

    With a categorical ``by`` (``groups`` = its label per row) the full model is the
    attributes model fitted within each group (the same column space, so the same RSS and
    rank), which avoids one regression on all the product columns. ``by_columns`` may be a
    function returning them, called only when the product columns are needed.
    """
    mask = observed(d) if mask is None else mask
    if groups is not None and callable(by_columns):
        # one group among the rows tested (also when the outcome is missing in every other
        # group): nothing to test, no product columns
        if len([v for v in distinct(groups[mask]).tolist() if v != ""]) < 2:
            return None
    else:
        by_columns = by_columns() if callable(by_columns) else by_columns
        if not by_columns.names:
            return None
    base = _base_columns(d)
    y = d.y[mask]
    reduced = _reduced_fit(d, base, mask, y)
    full = _within_groups(d, base, mask, groups) if groups is not None else None
    if full is None:
        by_columns = by_columns() if callable(by_columns) else by_columns
        dm = factor_dummies(d.experiment, d.codes)
        cols = base + by_columns + products(dm, by_columns)
        full = rss_rank(cols.matrix(mask), y)
    return {"test": test, "factor": by_name, **nested_f_from(reduced[0], reduced[1], full[0], full[1], len(y)),
            "se_type": "classical"}


_BASE: dict = {}
_REDUCED: dict = {}


def _reduced_fit(d, base: Columns, mask, y):
    """(RSS, rank) of ``y ~ attributes`` on the rows in ``mask``, computed once per data and
    row set (the carry-over and profile-order tests usually share their rows)."""
    key = (id(d), mask.tobytes())
    hit = _REDUCED.get(key)
    if hit is not None and hit[0] is d:
        return hit[1]
    out = rss_rank(base.matrix(mask), y)
    if len(_REDUCED) > 8:
        _REDUCED.clear()
    _REDUCED[key] = (d, out)
    return out


def _base_columns(d) -> Columns:
    """Intercept + attribute dummies of ``d``, built once per data (its matrix is kept)."""
    hit = _BASE.get(id(d))
    if hit is not None and hit[0] is d:
        return hit[1]
    cols = intercept_and_dummies(d.experiment, d.codes, d.n_rows)
    _BASE.clear()
    _BASE[id(d)] = (d, cols)
    return cols


def _within_groups(d, base: Columns, mask, groups):
    """(RSS, rank) of the attributes model fitted separately in each group; None when a
    group is too small for that (the product-column route then handles the aliasing).

    The design is built once with the rows in group order, so each group's fit reads a
    contiguous block instead of scanning a mask over every row."""
    import numpy as np

    rows = np.flatnonzero(mask)
    code = group_codes(groups)[rows]
    counts = np.bincount(code)
    counts = counts[counts > 0]
    if (counts <= len(base.names)).any():
        return None
    order = rows[np.argsort(code, kind="stable")]
    # the design of the rows in group order, built from the reordered codes (cheaper than
    # gathering the rows of the full design; the same columns as ``base``)
    X = intercept_and_dummies(d.experiment, {f: c[order] for f, c in d.codes.items()}, order.size).matrix(None)
    y = d.y[order]
    rss, k = 0.0, 0
    lo = 0
    for c in counts.tolist():
        r, kg = rss_rank(X[lo:lo + c], y[lo:lo + c])
        rss += r
        k += kg
        lo += c
    return rss, k


def diagnostics(d) -> list[dict]:
    """Carry-over (by task) and profile-order (by profile) nested F tests, when the data
    hold ``task`` / ``profile`` columns with more than one value."""
    out = []
    for test, name, values in (("carryover", "task", d.task), ("profile_order", "profile", d.profile)):
        if values is None:
            continue
        r = nested_by(d, test, name, lambda v=values, nm=name: _group_columns(v, nm), observed(d) & (values != ""),
                      groups=values)
        if r is not None:
            out.append(r)
    return out


def subgroup_test(d) -> list[dict]:
    import numpy as np

    from .design import moderator_columns

    name, values, numeric = d.moderator
    mask = observed(d) & (~np.isnan(values) if numeric else (values != ""))
    two_values = numeric and len(np.unique(values[mask])) <= 2  # a 0/1 moderator is a grouping too
    groups = values if (not numeric or two_values) else None
    r = nested_by(d, "nested_f", name, moderator_columns(d.moderator), mask, groups=groups)
    return [r] if r else []
