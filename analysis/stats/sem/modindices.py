"""Modification indices, as ``lavaan::modindices`` (expected information, ML).

Candidates: every cross-loading of a latent on an observed indicator, every residual
covariance between two observed variables, and every fixed loading or covariance already in
the model. With the free parameters at their estimates and a candidate at its fixed value,
in units of the ML discrepancy F (chi-square = N F; its gradient g and the unit information
I, with the free part I_11 already reduced by the equality labels)::

    V   = I_22 - I_21 I_11^-1 I_12         (per candidate: the diagonal)
    MI  = N g^2 / (4 V)                     EPC = -g / (2 V)

``sepc.all`` is the EPC standardized as ``std.all`` standardizes that kind of parameter.
Candidates whose V is (numerically) zero, so freeing them would leave the model not
identified, are dropped, as lavaan drops them.
"""
from __future__ import annotations

import copy

import numpy as np

from ..cfa.estimate import _Filler, _grad_info, implied

__all__ = ["modification_indices"]


def _candidates(model):
    """(row, value) of every candidate per group: new rows at 0, fixed rows at their value."""
    from .partable import SemRow

    plain = [v for v in model.ov if v not in set(model.phantom)]
    ovi = {v: k for k, v in enumerate(model.ov)}
    lvs = [f for f in model.lv if f not in set(model.phantom)]
    lvi = {f: k for k, f in enumerate(model.lv)}
    out = []
    for g in range(model.n_groups):
        present = {(r.mat, r.i, r.j) for r in model.rows if r.group == g}
        out += [r for r in model.rows if r.group == g and r.free < 0 and r.kind == "" and r.op in ("=~", "~~")]
        for f in lvs:
            for v in plain:
                if ("lambda", ovi[v], lvi[f]) not in present:
                    out.append(SemRow(f, "=~", v, g, "lambda", ovi[v], lvi[f], -1, 0.0))
        for a_k, a in enumerate(plain):
            for b in plain[a_k + 1:]:
                i, j = max(ovi[a], ovi[b]), min(ovi[a], ovi[b])
                if ("theta", i, j) not in present:
                    out.append(SemRow(a, "~~", b, g, "theta", i, j, -1, 0.0))
    return out


def _augmented(model, cands):
    aug = copy.copy(model)
    aug.__dict__.pop("_deriv_plan", None)
    aug.__dict__.pop("_std_plan", None)
    rows = [r for r in model.rows if not any(r is c for c in cands)]
    extra = []
    for k, c in enumerate(cands):
        nr = copy.copy(c)
        nr.free = model.npar + k
        extra.append(nr)
    aug.rows = rows + extra
    aug.npar = model.npar + len(cands)
    return aug


def _sepc(model, mats, cand, epc):
    sigma, _, A, _, _ = implied(mats, model.meanstructure)
    v_lv = np.sum((A @ mats["psi"]) * A, axis=1)
    if cand.mat == "lambda":
        return epc * np.sqrt(v_lv[cand.j]) / np.sqrt(sigma[cand.i, cand.i])
    th = mats["theta"] if cand.mat == "theta" else mats["psi"]
    if cand.i == cand.j:
        tot = np.diag(sigma) if cand.mat == "theta" else v_lv
        return epc / tot[cand.i]
    return epc / np.sqrt(th[cand.i, cand.i] * th[cand.j, cand.j])


def modification_indices(fitted, minimum: float = 0.0) -> list:
    """[{lhs, op, rhs, group, mi, epc, sepc_all}] sorted by MI (largest first), MI >= ``minimum``."""
    model, est, groups = fitted.model, fitted.est, fitted.groups
    cands = _candidates(model)
    if not cands:
        return []
    aug = _augmented(model, cands)
    theta = np.concatenate([est.theta, [c.value for c in cands]])
    ntotal = sum(gd.n for gd in groups)
    grad, info = _grad_info(aug, _Filler(aug), theta, groups, ntotal)
    q = model.npar
    I11, I12, I22 = info[:q, :q], info[:q, q:], info[q:, q:]
    V = np.diag(I22) - np.sum(I12 * np.linalg.solve(I11, I12), axis=0)
    g = grad[q:]
    out = []
    for k, c in enumerate(cands):
        if not V[k] > 1e-8 * max(I22[k, k], 1e-300):
            continue
        mi = ntotal * g[k] ** 2 / (4 * V[k])
        epc = -g[k] / (2 * V[k])
        if mi >= minimum:
            out.append({"lhs": c.lhs, "op": c.op, "rhs": c.rhs,
                        "group": groups[c.group].name if len(groups) > 1 else None, "mi": float(mi),
                        "epc": float(epc), "sepc_all": float(_sepc(model, est.mats[c.group], c, epc))})
    out.sort(key=lambda d: -d["mi"])
    return out
