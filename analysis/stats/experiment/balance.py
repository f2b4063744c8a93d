"""Balance of covariates across arms, and attrition by arm.

Per factor and level (arm), over the rows holding the covariate (the unit of assignment is
the row: a vignette or a profile):

- ``mean`` of each covariate and ``std_diff`` = (mean_arm - mean_baseline) /
  sqrt((var_arm + var_baseline) / 2), sample variances (n - 1); null for the baseline;
- an omnibus test per non-baseline level: the F of the regression of the level's indicator
  on all covariates against the intercept only (``summary(lm(I(arm == level) ~ covariates))``
  F statistic; rows with every covariate present). Under random assignment the covariates
  do not predict assignment; a small p flags imbalance. (A multinomial test of assignment
  on covariates asks the same question of all levels at once.)
- attrition: rows assigned to the level, rows with an observed outcome, share missing.
"""
from __future__ import annotations

import math

from avoid_survey.analysis.core.errors import AvoidSurveyError

from .design import intercept
from .linalg import nested_f, ols

__all__ = ["balance", "attrition"]


def _std_diff(a, b) -> float:
    import numpy as np

    if a.size < 2 or b.size < 2:
        return float("nan")
    pooled = math.sqrt((float(np.var(a, ddof=1)) + float(np.var(b, ddof=1))) / 2)
    return (float(a.mean()) - float(b.mean())) / pooled if pooled > 0 else float("nan")


def balance(d) -> tuple[list[dict], list[dict]]:
    """(rows {variable, factor, arm, n, mean, std_diff}, omnibus tests)."""
    import numpy as np

    rows, tests = [], []
    if not d.covariates:
        return rows, tests
    for f in d.experiment.factors:
        codes = d.codes[f.id]
        base = f.level_ids.index(f.baseline)
        for var, x in d.covariates.items():
            ok = ~np.isnan(x)
            xb = x[ok & (codes == base)]
            for k, lv in enumerate(f.levels):
                xa = x[ok & (codes == k)]
                rows.append({"variable": var, "factor": f.id, "arm": lv.id, "n": int(xa.size),
                             "mean": float(xa.mean()) if xa.size else float("nan"),
                             "std_diff": None if k == base else _std_diff(xa, xb)})
        tests.extend(_omnibus(d, f, codes, base))
    return rows, tests


def _omnibus(d, f, codes, base) -> list[dict]:
    import numpy as np

    complete = np.ones(d.n_rows, dtype=bool)
    for x in d.covariates.values():
        complete &= ~np.isnan(x)
    n = int(complete.sum())
    X = np.column_stack([np.ones(n)] + [x[complete] for x in d.covariates.values()])
    names = ["(Intercept)", *d.covariates]
    out = []
    for k, lv in enumerate(f.levels):
        if k == base:
            continue
        ind = (codes[complete] == k).astype(float)
        try:
            full = ols(X, ind, names)
            reduced = ols(intercept(n).matrix(np.ones(n, dtype=bool)), ind, ["(Intercept)"])
            r = nested_f(reduced, full)
        except (AvoidSurveyError, np.linalg.LinAlgError):  # constant covariates: nothing to test
            continue
        out.append({"test": "balance_f", "factor": f.id, "level": lv.id, **r, "se_type": "classical"})
    return out


def attrition(d) -> list[dict]:
    import numpy as np

    seen = ~np.isnan(d.y)
    out = []
    for f in d.experiment.factors:
        c = d.codes[f.id]
        for k, lv in enumerate(f.levels):
            assigned = int(np.count_nonzero(c == k))
            obs = int(np.count_nonzero(seen & (c == k)))
            out.append({"factor": f.id, "arm": lv.id, "n_assigned": assigned, "n_observed": obs,
                        "missing_share": (assigned - obs) / assigned if assigned else float("nan")})
    return out
