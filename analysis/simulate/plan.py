"""From a checked study spec to its generation plan (steps of :func:`.spec.load_study`).

* :func:`latent_plans`: the structural model, one :class:`.spec.LatentPlan` per latent in
  generation order: the declared latents (their effects parsed into :class:`.spec.Term`),
  the facets of a declared scale that have no declaration of their own (parent plus noise),
  and an independent standard-normal latent for every kept scale the spec does not explain;
* :func:`item_plans`: the measurement model, one :class:`.spec.ItemPlan` per kept Likert
  item, with its loading, error SD, location (``measurement.location_sd``: drawn once per
  study from the spec's seed, so every replicate of the study shares them), thresholds and
  method-factor loading (``measurement.method``);
* :func:`column_order`: the columns of the responses file.
"""
from __future__ import annotations

from .spec import CategoricalDist, ItemPlan, LatentPlan, Term

__all__ = ["latent_plans", "item_plans", "column_order"]


def latent_plans(ctx, ind_vars: dict, unit_vars: dict, excluded: set) -> tuple[list, set]:
    """(plans in generation order, ids of every latent generated)."""
    m = ctx.spec.measurement
    facets_of = {s.id: [f.id for f in s.facets] for s in ctx.inst.scales}
    declared = {lt.id for lt in ctx.spec.latents}
    plans: list[LatentPlan] = []
    available: set[str] = set()

    def add_auto_facets(parent):
        for f in facets_of.get(parent, []):
            if f not in declared:
                plans.append(LatentPlan(f, 0.0, (), 0.0, {}, declared=False, parent=parent, facet_sd=m.facet_sd))
                available.add(f)

    for k, lt in enumerate(ctx.spec.latents):
        terms = tuple(Term(key, _effect_factors(ctx, lt.id, key, ("latents", k, "effects", key), available,
                                                ind_vars, unit_vars, declared), float(coef))
                      for key, coef in lt.effects.items())
        plans.append(LatentPlan(lt.id, lt.intercept, terms, lt.residual_sd,
                                {"county": lt.icc.county, "township": lt.icc.township, "unit": lt.icc.unit}))
        available.add(lt.id)
        add_auto_facets(lt.id)

    unexplained = []
    for s in ctx.inst.scales:
        if all(i in excluded for i in s.item_ids) or s.id in available:
            continue
        fac = [f.id for f in s.facets]
        needs_parent = not fac or any(f not in available and
                                      any(i not in excluded for i in ctx.scales[f].item_ids) for f in fac)
        if needs_parent:
            plans.append(LatentPlan(s.id, 0.0, (), 1.0, {}, declared=False))
            available.add(s.id)
            add_auto_facets(s.id)
            unexplained.append(s.id)
    if unexplained:
        ctx.warn("sim-no-latent", "no latent declared for " + ", ".join(unexplained) +
                 "; their items come from independent standard-normal latents")
    return plans, available


def _effect_factors(ctx, latent: str, key: str, path: tuple, available: set, ind_vars: dict, unit_vars: dict,
                    declared: set) -> tuple:
    """The factors of one effect ``x``, ``x=value``, ``x^2`` or ``x:z``: ((kind, name, value, power), ...)."""
    doc = ctx.doc
    factors = []
    for part in key.split(":"):
        part = part.strip()
        power = 1
        if part.endswith("^2"):
            part, power = part[:-2].strip(), 2
        value = None
        if "=" in part:
            part, value = (x.strip() for x in part.split("=", 1))
        kind = _factor_kind(ctx, latent, key, part, path, available, ind_vars, unit_vars, declared)
        if part == latent:
            raise doc.error(f"latent '{latent}' cannot depend on itself", path)
        if value is not None:
            if kind == "latent":
                raise doc.error(f"'{part}={value}': indicators need a categorical variable", path)
            dist = ind_vars.get(part) or unit_vars.get(part)
            if isinstance(dist, CategoricalDist) and value not in {str(x) for x in dist.values}:
                raise doc.error(f"'{part}={value}': {value} is not one of the values of '{part}' "
                                f"({', '.join(str(x) for x in dist.values)})", path)
        factors.append((kind, part, value, power))
    return tuple(factors)


def _factor_kind(ctx, latent, key, part, path, available, ind_vars, unit_vars, declared) -> str:
    """latent | individual | unit, or the error saying why ``part`` cannot enter an effect."""
    doc = ctx.doc
    if part in available:
        return "latent"
    if part in ind_vars:
        return "individual"
    if part in unit_vars:
        return "unit"
    if part in declared:
        raise doc.error(f"latent '{latent}': '{part}' is declared later; latents are computed in the "
                        f"order they are declared", path)
    if part in ctx.scales:
        raise doc.error(f"latent '{latent}': '{part}' is a scale of the instrument but no latent "
                        f"declared before this one", path)
    import difflib
    known = sorted(available | set(ind_vars) | set(unit_vars))
    close = difflib.get_close_matches(part, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise doc.error(f"latent '{latent}': unknown variable '{part}' in effect '{key}'{hint}", path)


def item_plans(ctx, available: set, excluded: set) -> list[ItemPlan]:
    """One plan per kept Likert item, in questionnaire order."""
    m = ctx.spec.measurement
    for key in m.scales:
        if key not in ctx.scales:
            raise ctx.doc.error(f"measurement.scales: '{key}' is no scale or facet of the instrument",
                                ("measurement", "scales", key))
    for key in m.items:
        if key not in ctx.item_ids:
            raise ctx.doc.error(f"measurement.items: '{key}' is no item of the instrument",
                                ("measurement", "items", key))
    drawn = _drawn_locations(ctx)
    method_scales = _method_scales(ctx)
    items = []
    for it in ctx.inst.items:
        if it.id in excluded or not it.response.is_likert:
            continue
        lat = it.facet if it.facet in available else it.scale
        if lat not in available:  # pragma: no cover - every kept scale got a latent above
            continue
        items.append(_item_plan(ctx, it, lat, drawn.get(it.id, 0.0), method_scales))
    return items


# the location stream: child LOCATION_STREAM of SeedSequence(spec seed), after the
# generation streams of .generation._STREAMS (which never reach this index)
LOCATION_STREAM = 16


def _drawn_locations(ctx) -> dict:
    """item id -> location drawn N(0, location_sd^2), for every Likert item of the instrument in
    questionnaire order (so excluding an item leaves the others' draws as they were). Drawn
    from the spec's seed (default 1), not the run's: ``--seed`` and ``--replicate`` draw new
    respondents for the same questionnaire."""
    sd = ctx.spec.measurement.location_sd
    if not sd:
        return {}
    import numpy as np

    seed = ctx.spec.seed if ctx.spec.seed is not None else 1
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(LOCATION_STREAM,)))
    ids = [it.id for it in ctx.inst.items if it.response.is_likert]
    return dict(zip(ids, (float(x) for x in np.round(rng.normal(0.0, sd, len(ids)), 6))))


def _method_scales(ctx) -> set:
    """Scale and facet ids whose items load on the method factor (empty: no method factor)."""
    meth = ctx.spec.measurement.method
    if meth is None:
        return set()
    if meth.scales is None:
        return {it.scale for it in ctx.inst.items if it.response.is_likert}
    for k, sc in enumerate(meth.scales):
        if sc not in ctx.scales:
            raise ctx.doc.error(f"measurement.method.scales: '{sc}' is no scale or facet of the instrument",
                                ("measurement", "method", "scales", k))
    return set(meth.scales)


def _item_plan(ctx, it, lat: str, drawn: float = 0.0, method_scales: set = frozenset()) -> ItemPlan:
    """Measurement parameters: the defaults, overridden by the scale's, the facet's, the item's.
    A drawn location (``location_sd``) adds to the default or scale/facet location; an item's
    own ``location`` replaces it."""
    m = ctx.spec.measurement
    lo, hi = int(it.response.min), int(it.response.max)
    params = {"loading": m.loading, "error_sd": m.error_sd, "location": 0.0, "thresholds": None}
    for src, path in ((m.scales.get(it.scale), ("measurement", "scales", it.scale)),
                      (m.scales.get(it.facet) if it.facet else None, ("measurement", "scales", it.facet)),
                      (m.items.get(it.id), ("measurement", "items", it.id))):
        if src is None:
            continue
        for k2 in params:
            val = getattr(src, k2)
            if val is not None:
                params[k2] = val
        if src.thresholds is not None:
            th = src.thresholds
            if len(th) != hi - lo or any(b <= a for a, b in zip(th, th[1:])):
                raise ctx.doc.error(f"thresholds for '{it.id}' must be {hi - lo} increasing numbers "
                                    f"(codes {lo}..{hi})", path + ("thresholds",))
    th = params["thresholds"]
    if th is None:
        k_cut = hi - lo
        th = [m.step * (c - (k_cut - 1) / 2.0) for c in range(k_cut)]
    own = m.items.get(it.id)
    location = float(params["location"]) + (drawn if own is None or own.location is None else 0.0)
    in_method = it.scale in method_scales or (it.facet is not None and it.facet in method_scales)
    ml = float(m.method.loading) if in_method and m.method is not None else 0.0
    return ItemPlan(it.id, lat, float(params["loading"]), float(params["error_sd"]),
                    location, tuple(float(x) for x in th), lo, hi, it.reverse, it.scale, ml)


def column_order(inst, role_col: dict, ind_vars: dict, items: list, checks: list) -> list[str]:
    """id, clusters, variables (instrument order, then extras), items with each attention
    check after its item, the loose checks, duration."""
    order = [role_col["id"], role_col["county"], role_col["township"]]
    if role_col["unit"]:
        order.append(role_col["unit"])
    var_order = [v.id for v in inst.variables if v.id in ind_vars]
    var_order += [n for n in ind_vars if n not in var_order]
    order += var_order
    after: dict[str, list[str]] = {}
    loose = []
    kept_items = {p.id for p in items}
    for a in checks:
        if a.after and a.after in kept_items:
            after.setdefault(a.after, []).append(a.id)
        else:
            loose.append(a.id)
    for p in items:
        order.append(p.id)
        order.extend(after.get(p.id, []))
    order += loose
    order.append(role_col["duration"])
    return order
