"""Measures read from a fitted CFA: composite reliability and AVE, factor correlations, HTMT."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["reliability", "factor_correlations", "htmt"]


def reliability(fitted, group_name) -> dict:
    """CR and AVE of each first-order factor from its absolute standardized loadings
    (a reverse-keyed item counts as if recoded: its loading is negative on raw codes)."""
    out = {}
    for f, items in fitted.model.first_order.items():
        ls = [abs(p["std"]) for p in fitted.params if p["op"] == "=~" and p["lhs"] == f and p["rhs"] in items
              and p["group"] == group_name]
        s = sum(ls)
        cr = s * s / (s * s + sum(1 - x * x for x in ls))
        ave = sum(x * x for x in ls) / len(ls)
        out[f] = {"cr": cr, "ave": ave, "sqrt_ave": math.sqrt(ave) if ave >= 0 else math.nan,
                  "n_items": len(ls)}
    return out


def factor_correlations(model, mats) -> dict:
    """Model-implied factor correlations (through second-order factors too)."""
    A = np.linalg.inv(np.eye(model.m) - mats["beta"])
    phi = A @ mats["psi"] @ A.T
    dphi = np.sqrt(np.clip(np.diag(phi), 1e-300, None))
    phi = phi / np.outer(dphi, dphi)
    return {a: {b: float(phi[i, j]) for j, b in enumerate(model.lv) if j != i} for i, a in enumerate(model.lv)}


def _geo(v):
    with np.errstate(divide="ignore"):
        return float(np.exp(np.mean(np.log(v))))


def htmt(R, ov, first_order):
    """HTMT of Henseler, Ringle & Sarstedt (2015) and HTMT2 (geometric means), as semTools::htmt,
    from the item correlation matrix R (absolute values)."""
    names = list(first_order)
    R = np.abs(R)
    idx = {c: k for k, c in enumerate(ov)}

    def block(a, b, same):
        ia = [idx[i] for i in first_order[a]]
        ib = [idx[i] for i in first_order[b]]
        sub = R[np.ix_(ia, ib)]
        return sub[np.triu_indices(len(ia), 1)] if same else sub.ravel()

    mono = {a: block(a, a, True) for a in names}
    out, out2 = {}, {}
    for a in names:
        out[a], out2[a] = {}, {}
        for b in names:
            if a == b:
                out[a][b] = out2[a][b] = 1.0
                continue
            het = block(a, b, False)
            ma, mb = mono[a], mono[b]
            if len(ma) == 0 or len(mb) == 0:
                out[a][b] = out2[a][b] = math.nan
                continue
            # a zero within-factor correlation leaves the ratio undefined: NaN, and the caller warns
            den = math.sqrt(ma.mean() * mb.mean())
            out[a][b] = float(het.mean() / den) if den > 0 else math.nan
            den2 = math.sqrt(_geo(ma) * _geo(mb))
            out2[a][b] = float(_geo(het) / den2) if den2 > 0 else math.nan
    return out, out2
