"""Comparison of models fitted on the same rows, as ``lavaan::lavTestLRT``.

Models are ordered by df (fewest first, as lavTestLRT) and each is compared with the one
before it: Δχ² = T_k - T_(k-1), Δdf = df_k - df_(k-1). Under MLR the difference is the
Satorra-Bentler (2001) scaled difference: with scaling factors c,
``cd = (df_k c_k - df_(k-1) c_(k-1)) / Δdf`` and ``Δχ²_scaled = Δχ² / cd``. The test assumes
the models are nested; that is not checked. ΔCFI is the CFI (robust CFI under MLR) change.
"""
from __future__ import annotations

import math

from ...numerics.dist import chi2_sf

__all__ = ["comparison"]


def _row(name, fit, robust):
    keys = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
    row = {"model": name, **{k: fit[k] for k in keys}}
    if robust:
        row.update(chisq_scaled=fit.get("chisq_scaled"), scaling_factor=fit.get("chisq_scaling_factor"),
                   cfi_robust=fit.get("cfi_robust"))
    return row


def _delta(row, prev, robust):
    ddf = row["df"] - prev["df"]
    dchi = row["chisq"] - prev["chisq"]
    out = {"delta_chisq": dchi, "delta_df": ddf, "p_delta": None, "delta_cfi": row["cfi"] - prev["cfi"]}
    if ddf <= 0:
        out["p_delta"] = None
        return out
    if robust and row.get("scaling_factor") and prev.get("scaling_factor"):
        cd = (row["df"] * row["scaling_factor"] - prev["df"] * prev["scaling_factor"]) / ddf
        dchi = dchi / cd if cd > 0 else math.nan
        out.update(delta_chisq=dchi, scaled_difference="satorra.bentler.2001")
        if row.get("cfi_robust") is not None and prev.get("cfi_robust") is not None:
            out["delta_cfi"] = row["cfi_robust"] - prev["cfi_robust"]
    out["p_delta"] = chi2_sf(dchi, ddf) if math.isfinite(dchi) and dchi >= 0 else (1.0 if dchi < 0 else None)
    return out


def comparison(fits, estimator) -> list:
    """[{model, chisq, df, ..., delta_chisq, delta_df, p_delta, delta_cfi}] ordered by df."""
    robust = estimator == "MLR"
    rows = sorted((_row(name, f.fit, robust) for name, f in fits), key=lambda r: r["df"])
    prev = None
    for r in rows:
        r.update(_delta(r, prev, robust) if prev is not None else
                 {"delta_chisq": None, "delta_df": None, "p_delta": None, "delta_cfi": None})
        prev = r
    return rows
