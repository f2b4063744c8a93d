"""Measures read from a fitted CFA: composite reliability and AVE, factor correlations, HTMT."""
from __future__ import annotations

import math

import numpy as np

__all__ = ["reliability", "factor_correlations", "htmt"]


def reliability(fitted, group_name) -> dict:
    """CR and AVE of each first-order factor from its absolute standardized loadings
    (a reverse-keyed item counts as if recoded: its loading is negative on raw codes).

    CR = (sum |lambda|)^2 / ((sum |lambda|)^2 + sum theta), with theta the item's standardized
    residual variance from the model (std.all of ``item ~~ item``). For an item loading on
    one factor theta = 1 - lambda^2; an item that also loads on another factor has a smaller
    residual variance than 1 - lambda^2 for either factor, and taking 1 - lambda^2 per
    factor would count the other factor's share as error of this one."""
    out = {}
    theta = {p["lhs"]: p["std"] for p in fitted.params
             if p["op"] == "~~" and p["lhs"] == p["rhs"] and p["group"] == group_name and p.get("std") is not None}
    for f, items in fitted.model.first_order.items():
        pairs = [(p["rhs"], abs(p["std"])) for p in fitted.params if p["op"] == "=~" and p["lhs"] == f
                 and p["rhs"] in items and p["group"] == group_name]
        ls = [x for _, x in pairs]
        s = sum(ls)
        err = sum(theta.get(i, 1 - x * x) for i, x in pairs)
        cr = s * s / (s * s + err)
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
        if same:
            return sub[np.triu_indices(len(ia), 1)]
        # an item measuring both factors is not correlated with itself: its diagonal 1 is
        # left out of the between-factor block (semTools sets diag(R) to NA)
        keep = np.asarray(ia)[:, None] != np.asarray(ib)[None, :]
        return sub[keep]

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
