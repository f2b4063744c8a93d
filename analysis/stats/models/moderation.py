"""Simple slopes and the Johnson-Neyman interval for a two-way interaction.

For y = b0 + b1 x + b2 m + b3 x m + ..., the slope of the focal x at moderator value m is
``b1 + b3 m`` with variance ``V11 + m^2 V33 + 2 m V13``, V the coefficient covariance of
the chosen SE type (classical, HC, cluster). The Johnson-Neyman bounds are the m solving
``(b1 + b3 m)^2 = t^2 (V11 + m^2 V33 + 2 m V13)``, t the two-sided critical value (t with
the residual df for OLS, z otherwise), as ``interactions::johnson_neyman`` and the
PROCESS macro compute them. For a categorical moderator the slope of x is given at each
level (b1 + b3_level).
"""
from __future__ import annotations

import math

from ...numerics.dist import t_crit, t_sf2

__all__ = ["simple_slopes", "johnson_neyman", "interaction_columns", "moderation_block", "jn_observed", "jn_bounds"]


def interaction_columns(names, focal, moderator):
    """{moderator level or None: column index of focal:moderator} and the focal column index."""
    idx = {n: j for j, n in enumerate(names)}
    if focal not in idx:
        return None, {}
    out = {}
    for j, n in enumerate(names):
        parts = n.split(":")
        if len(parts) != 2 or focal not in parts:
            continue
        other = parts[1] if parts[0] == focal else parts[0]
        if other == moderator:
            out[None] = j
        elif other.startswith(moderator + "[") and other.endswith("]"):
            out[other[len(moderator) + 1:-1]] = j
    return idx[focal], out


def simple_slopes(beta, V, names, focal, moderator, values, *, df=None, ci=0.95, labels=None):
    """Slope of ``focal`` at each moderator value (numeric) with SE, t/z, p and CI.

    ``values`` are moderator values on the model's scale; ``labels`` optional display
    values (e.g. the uncentred moderator). For a categorical moderator pass ``values=None``.
    """
    j1, inter = interaction_columns(names, focal, moderator)
    if j1 is None or not inter:
        return []
    crit = t_crit(ci, df)
    rows = []
    if None in inter:
        j3 = inter[None]
        for i, m in enumerate(values):
            est = beta[j1] + beta[j3] * m
            var = V[j1, j1] + m * m * V[j3, j3] + 2 * m * V[j1, j3]
            se = math.sqrt(var) if var > 0 else float("nan")
            stat = est / se
            rows.append({"at": labels[i] if labels else None, "moderator_value": float(m),
                         "slope": float(est), "se": se, "stat": stat, "p": t_sf2(stat, df),
                         "ci_lower": float(est - crit * se), "ci_upper": float(est + crit * se)})
        return rows
    # categorical moderator: reference level first
    se0 = math.sqrt(V[j1, j1])
    rows.append({"at": "reference", "moderator_value": None, "slope": float(beta[j1]), "se": se0,
                 "stat": beta[j1] / se0, "p": t_sf2(beta[j1] / se0, df),
                 "ci_lower": float(beta[j1] - crit * se0), "ci_upper": float(beta[j1] + crit * se0)})
    for lv, j3 in inter.items():
        est = beta[j1] + beta[j3]
        var = V[j1, j1] + V[j3, j3] + 2 * V[j1, j3]
        se = math.sqrt(var) if var > 0 else float("nan")
        rows.append({"at": lv, "moderator_value": None, "slope": float(est), "se": se, "stat": est / se,
                     "p": t_sf2(est / se, df), "ci_lower": float(est - crit * se), "ci_upper": float(est + crit * se)})
    return rows


def johnson_neyman(beta, V, names, focal, moderator, *, df=None, ci=0.95, observed=None):
    """Johnson-Neyman bounds of a numeric moderator (model scale).

    Returns {"bounds": [lo, hi] or [], "significant": "outside" | "inside" | "everywhere" |
    "nowhere", "alpha", "observed_range": [min, max]} where ``significant`` says where the
    focal slope differs from 0 at level alpha relative to the bounds.
    """
    j1, inter = interaction_columns(names, focal, moderator)
    if j1 is None or None not in inter:
        return None
    j3 = inter[None]
    t = t_crit(ci, df)
    out = {"alpha": 1 - ci, "observed_range": list(observed) if observed is not None else None}
    kind, bounds = jn_bounds(beta[j1], beta[j3], V[j1, j1], V[j3, j3], V[j1, j3], t)
    out.update(bounds=bounds, significant=kind)
    return out


def jn_bounds(b1, b3, v11, v33, v13, t):
    """Johnson-Neyman bounds of the linear function ``b1 + b3 m`` (variance
    ``v11 + m^2 v33 + 2 m v13``) at critical value ``t``: (kind, [lo, hi] or []), kind saying
    where the function differs from 0: 'outside' | 'inside' the bounds, 'everywhere', 'nowhere',
    'undetermined'."""
    A = b3 ** 2 - t ** 2 * v33
    B = 2 * (b1 * b3 - t ** 2 * v13)
    C = b1 ** 2 - t ** 2 * v11
    disc = B * B - 4 * A * C
    if abs(A) < 1e-300:
        return "undetermined", []
    if disc < 0:
        return ("everywhere" if A > 0 else "nowhere"), []
    r1 = (-B - math.sqrt(disc)) / (2 * A)
    r2 = (-B + math.sqrt(disc)) / (2 * A)
    lo, hi = sorted((r1, r2))
    return ("outside" if A > 0 else "inside"), [float(lo), float(hi)]


# ------------------------------------------------------------------ a spec's moderation block
def moderation_block(m, mv, cf, formula, ci=0.95):
    """The ``moderation`` entry of a fitted model's extra: simple slopes (at mean -1 SD, mean,
    mean +1 SD or the spec's ``at`` values; per level of a categorical moderator) and the
    Johnson-Neyman interval, on the moderator's raw scale when it was centred.

    ``m`` is the fitted ModelFit (its ``internal`` estimates), ``mv`` the spec's moderation
    block, ``cf`` the model's complete-case frame, ``formula`` the fitted formula.
    Returns (block or None when no focal:moderator column exists, warning messages).
    """
    import pandas as pd

    it = m.internal
    beta, V, df, names = it["beta"], it["vcov"], it["df"], it["names"]
    mod = cf[mv.moderator]
    numeric = (pd.api.types.is_numeric_dtype(mod) and not isinstance(mod.dtype, pd.CategoricalDtype)
               and mv.moderator in names)
    out = {"focal": mv.focal, "moderator": mv.moderator, "centered": bool(mv.center)}
    notes = []
    others = [n for n in names if ":" in n and mv.focal in n.split(":")
              and not set(p.split("[")[0] for p in n.split(":")) <= {mv.focal, mv.moderator}]
    if others:
        notes.append(f"model '{m.name}': {mv.focal} also enters {', '.join(others[:3])}; simple slopes are "
                     f"conditional on the other interacting variables being 0")
    args = (beta, V, names, mv.focal, mv.moderator)
    if numeric:
        shift = m.extra.get("centered", {}).get(mv.moderator, 0.0)
        out.update(_numeric_moderator(args, mod.astype(float), mv, shift, df, ci))
    else:
        out.update(simple_slopes=_categorical_moderator(args, mod, formula, df, ci), johnson_neyman=None)
    return (out if out["simple_slopes"] else None), notes


def _numeric_moderator(args, x, mv, shift, df, ci):
    mu, sd = float(x.mean()), float(x.std(ddof=1))
    if mv.at:
        vals = [a - shift for a in mv.at]
        labels = [f"{a:g}" for a in mv.at]
    else:
        vals = [mu - sd, mu, mu + sd]
        labels = ["mean - 1 SD", "mean", "mean + 1 SD"]
    rows = simple_slopes(*args, vals, df=df, ci=ci, labels=labels)
    for r in rows:
        r["moderator_value_raw"] = None if r["moderator_value"] is None else r["moderator_value"] + shift
    lo, hi = float(x.min()), float(x.max())
    jn = johnson_neyman(*args, df=df, ci=ci, observed=(lo, hi))
    if jn is not None:
        jn["bounds_raw"] = [b + shift for b in jn["bounds"]]
        jn["observed_significance"] = jn_observed(jn, lo, hi)
        jn["observed_range_raw"] = [v + shift for v in jn["observed_range"]]
    return {"simple_slopes": rows, "johnson_neyman": jn}


def _categorical_moderator(args, mod, formula, df, ci):
    from .design import categorical_levels, level_text

    rows = simple_slopes(*args, None, df=df, ci=ci)
    if rows:
        moderator = args[4]
        _, ref = categorical_levels(mod, None, var=moderator)
        for f_ in (f for t in formula.terms for f in t):
            if f_.var == moderator and f_.categorical and f_.ref is not None:
                ref = f_.ref
        rows[0]["at"] = level_text(ref)
        rows[0]["reference"] = True
    return rows


def jn_observed(jn, lo, hi):
    """Where, within the observed moderator range [lo, hi], the focal slope is significant:
    'all', 'none' or 'part'."""
    kind, b = jn.get("significant"), jn.get("bounds") or []
    if kind == "everywhere":
        return "all"
    if kind != "inside" and kind != "outside" or len(b) != 2:
        return "none"
    b0, b1 = b
    if kind == "inside":       # significant for b0 < m < b1
        if b0 <= lo and hi <= b1:
            return "all"
        return "part" if max(lo, b0) < min(hi, b1) else "none"
    # significant for m < b0 or m > b1
    if b0 <= lo and hi <= b1:
        return "none"
    if hi <= b0 or lo >= b1:
        return "all"
    return "part"
