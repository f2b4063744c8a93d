"""Partial measurement invariance: free, step by step, the loading or intercept whose equality
across groups the score test rejects most, until ΔCFI against the previous level is at most
.01 in size (Cheung & Rensvold 2002), as researchers do by hand with lavaan's
``lavTestScore`` and ``group.partial``.

The score test of releasing one equality (one parameter equal in all G groups) is that of
giving groups 2..G their own copy, at the constrained estimates; in units of the ML
discrepancy F (chi-square = N F) with gradient g and unit information I::

    T = N/4 g' I^-1 g  ~  chi2(G - 1)     (g and I in the released parameterization)

(with two groups this is lavTestScore's univariate test of that constraint). Each step
refits the model by the SEM engine with the freed rows as ``group.partial``.
"""
from __future__ import annotations

import copy

import numpy as np

__all__ = ["partial_search"]

_CLASS = {"metric": ("loadings",), "scalar": ("loadings", "intercepts")}


def _candidates(model, level):
    """(lhs, op, rhs) of the equality-constrained rows of the level's new class, with their rows."""
    new_op = "=~" if level == "metric" else "~1"
    by_key: dict = {}
    for r in model.rows:
        if r.op == new_op and r.free >= 0 and r.kind == "":
            by_key.setdefault((r.lhs, r.op, r.rhs), []).append(r)
    return {k: rows for k, rows in by_key.items() if len({r.free for r in rows}) == 1 and len(rows) > 1}


def _score(fitted, rows):
    model, est, groups = fitted.model, fitted.est, fitted.groups
    from .estimate import _Filler, _grad_info

    aug = copy.copy(model)
    aug.__dict__.pop("_deriv_plan", None)
    aug.rows = [copy.copy(r) for r in model.rows]
    ids = {id(r) for r in rows[1:]}
    extra = []
    for k, (orig, new) in enumerate(zip(model.rows, aug.rows)):
        if id(orig) in ids:
            new.free = model.npar + len(extra)
            extra.append(est.theta[orig.free])
    aug.npar = model.npar + len(extra)
    theta = np.concatenate([est.theta, extra])
    n = sum(gd.n for gd in groups)
    grad, info = _grad_info(aug, _Filler(aug), theta, groups, n)
    # the released parameter's first copy keeps the other groups' part of the gradient, so the
    # whole gradient enters (it is zero only in the constrained parameterization)
    return float(n / 4 * grad @ np.linalg.solve(info, grad)), len(extra)


def partial_search(fit_level, level, previous_cfi, max_steps: int = 20) -> list:
    """Steps of freeing constraints at ``level`` ("metric" or "scalar").

    ``fit_level(partial)`` fits the level's model with the rows of ``partial`` (a set of
    (lhs, op, rhs)) freed; ``previous_cfi`` is the CFI of the level below. Returns
    [{step, level, freed, score, df, p, cfi, delta_cfi}] (step 0: no row freed).
    """
    from ...numerics.dist import chi2_sf

    partial: set = set()
    fitted = fit_level(partial)
    steps = [{"step": 0, "level": level, "freed": None, "score": None, "df": None, "p": None,
              "cfi": fitted.fit["cfi"], "delta_cfi": fitted.fit["cfi"] - previous_cfi}]
    for step in range(1, max_steps + 1):
        if steps[-1]["delta_cfi"] >= -0.01:
            break
        cands = _candidates(fitted.model, level)
        if not cands:
            break
        scores = {k: _score(fitted, rows) for k, rows in cands.items()}
        best = max(scores, key=lambda k: scores[k][0])
        t, df = scores[best]
        partial.add(best)
        fitted = fit_level(set(partial))
        freed = f"{best[0]} {best[1]} {best[2]}".strip()
        steps.append({"step": step, "level": level, "freed": freed, "score": t, "df": df, "p": chi2_sf(t, df),
                      "cfi": fitted.fit["cfi"], "delta_cfi": fitted.fit["cfi"] - previous_cfi})
    return steps
