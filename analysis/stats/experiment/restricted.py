"""AMCEs of a conjoint whose design restricts combinations of two attributes.

When a restriction ties attribute A to attribute B (some pairs of levels never appear
together), the additive model is misspecified. Following Hainmueller, Hopkins & Yamamoto
(2014), the model gains the A x B interaction and the AMCE of level a of A (against the
baseline a0) is the average of its conditional effects over the levels b of B that the
design allows with both a and a0, each weighted by its design probability (uniform over
those levels, as the profiles are drawn uniformly from the allowed cells)::

    AMCE(a) = sum_b w_b (beta_a + beta_{a:b}),   beta_{a:b0} = 0,   w_b = 1 / #allowed b

Its variance is g' V g with V the respondent-clustered CR1 variance of the interacted
model. Each restricted attribute must be tied to exactly one other attribute (restrictions
that chain three or more attributes keep the additive estimate and a warning). Pinned to R:
``lm(y ~ A * B + others)`` + ``vcovCL(type = "HC1")`` and the same linear combinations.
"""
from __future__ import annotations

import math

from avoid_survey.analysis.numerics.dist import f_sf, t_sf2

from .design import factor_dummies, intercept, products
from .effects import Model, observed
from .linalg import _crit

__all__ = ["restricted_pairs", "amce_restricted"]


def restricted_pairs(exp) -> list[tuple[str, str]] | None:
    """The (A, B) attribute pairs tied by restrictions, or None when an attribute is tied to
    more than one other (not handled)."""
    partners: dict[str, set] = {}
    for r in exp.restrictions:
        names = {*r.when, *r.exclude}
        for a in names:
            partners.setdefault(a, set()).update(names - {a})
    order = exp.factor_ids  # pairs in design order, so products are named as R names A * B
    partners = {a: partners[a] for a in order if a in partners}
    if any(len(p) != 1 for p in partners.values()):
        return None
    pairs = []
    for a, (b,) in ((a, tuple(p)) for a, p in partners.items()):
        if (b, a) not in pairs:
            pairs.append((a, b))
    return pairs


def _weights(exp, fa, a_level, fb) -> list[str]:
    """Levels of ``fb`` allowed with both ``a_level`` and the baseline of ``fa``."""
    base = exp.factor(fa).baseline
    return [b for b in exp.factor(fb).level_ids
            if exp.allowed({fa: a_level, fb: b}) and exp.allowed({fa: base, fb: b})]


def amce_restricted(d, pairs, ci: float = 0.95):
    """(AMCE rows, Wald tests) from the model with the pairs' interactions."""
    exp = d.experiment
    mask = observed(d)
    dm = factor_dummies(exp, d.codes)
    cols = intercept(d.n_rows) + dm
    for fa, fb in pairs:
        cols = cols + products(factor_dummies(exp, d.codes, {fa}), factor_dummies(exp, d.codes, {fb}))
    m = Model(cols, d, mask)
    tied = {fa: fb for fa, fb in pairs} | {fb: fa for fa, fb in pairs}
    rows, tests = [], []
    for f in exp.factors:
        grads = []
        for lv in f.levels:
            if lv.id == f.baseline:
                continue
            g = _gradient(m, f.id, lv.id, tied.get(f.id), exp, pairs)
            grads.append(g)
            rows.append(_row(m, g, f, lv.id, ci, f.id in tied))
        tests.append(_wald(m, f.id, grads))
    return rows, tests


def _gradient(m, fid, level, partner, exp, pairs):
    """Weights of the coefficients whose combination is the AMCE of ``level``."""
    import numpy as np

    g = np.zeros(m.fit.k)
    main = m.fit.index(f"{fid}{level}")
    if partner is None:
        g[main] = 1.0
        return g
    allowed = _weights(exp, fid, level, partner)
    if not allowed:
        return g * float("nan")
    first = (fid, partner) in pairs
    pbase = exp.factor(partner).baseline
    for b in allowed:
        g[main] += 1.0 / len(allowed)
        if b == pbase:
            continue
        name = f"{fid}{level}:{partner}{b}" if first else f"{partner}{b}:{fid}{level}"
        j = m.fit.index(name)
        if j is not None:
            g[j] += 1.0 / len(allowed)
    return g


def _row(m, g, f, level, ci, restricted) -> dict:
    est = float(g @ m.fit.beta)
    se = math.sqrt(max(float(g @ m.V @ g), 0.0)) if not math.isnan(est) else float("nan")
    df = m.fit.df_resid
    crit = _crit(ci, df)
    p = t_sf2(est / se, df) if se and se > 0 else float("nan")
    return {"estimand": "amce", "model": "main", "factor": f.id, "level": level, "baseline": f.baseline,
            "term": f"{f.id}{level}", "estimate": est, "se": se, "ci_lower": est - crit * se,
            "ci_upper": est + crit * se, "p": p, "n": m.n, "se_type": m.se_type, "restricted": restricted}


def _wald(m, fid, grads) -> dict:
    import numpy as np

    G = np.array(grads)
    b = G @ m.fit.beta
    w = float(b @ np.linalg.solve(G @ m.V @ G.T, b))
    q = len(grads)
    return {"test": "wald_factor", "factor": fid, "statistic": w / q, "df1": q, "df2": m.fit.df_resid,
            "p": f_sf(w / q, q, m.fit.df_resid), "se_type": m.se_type}
