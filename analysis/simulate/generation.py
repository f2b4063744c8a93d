"""One simulated data set from a :class:`.spec.Study` (:func:`simulate`).

The steps, each drawing from its own random stream spawned from ``SeedSequence(seed)``
(so changing, say, the missing-data share leaves the latent scores as they were):
design (ids and cluster sizes), variables (county, unit, individual), latents, the method
factor, item answers, careless respondents, attention checks, durations, missing answers;
then the three frames. Streams are only ever added at the end of :data:`_STREAMS`, so the
existing ones keep their numbers (a spec without the newer keys gives the same bytes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..core.errors import AvoidSurveyError
from .spec import (BernoulliDist, CategoricalDist, IntegerDist, LognormalDist, NormalDist, PoissonDist, Study,
                   UniformDist, load_study)

__all__ = ["Simulation", "simulate", "item_frame"]

_STREAMS = ("design", "unit", "ind", "lat", "items", "careless", "missing", "meta", "county", "method")


@dataclass(frozen=True)
class Simulation:
    """One simulated data set.

    responses : the survey file (one row per official, columns named as the instrument)
    units : one row per township (county_id, township_id, unit-level variables)
    latents : truth per official (ids, respondent_type, every latent; ``method``, the
        method-factor score, when the spec declares ``measurement.method``)
    """

    responses: object
    units: object
    latents: object
    study: Study
    seed: int | None
    warnings: list = field(default_factory=list)

    def joined(self):
        """Responses with the unit-level variables merged in by township id."""
        tw = self.study.columns["township"]
        u = self.units.drop(columns=[self.study.columns["county"]])
        return self.responses.merge(u, on=tw, how="left", validate="many_to_one")


def draw_frames(study, design, rng, tick=lambda *a: None):
    """Everything drawn after the design, in the fixed order of the streams: variables,
    latents, the method factor, answers, careless respondents, attention checks, durations,
    missing answers; returns the (responses, units, latents) frames. One run and each block
    of a chunked run (:mod:`.chunked`) both draw through here."""
    draws = _variables(study, design, rng["unit"], rng["ind"], rng["county"])
    tick("variables", 1, 1)
    latent_vals = _latents(study, design, draws.values, rng["lat"], tick)
    method = _method_factor(study, design.n, rng["method"])
    codes = _item_answers(study, latent_vals, design.n, rng["items"], tick, method)
    kinds = _careless(study, codes, design.n, rng["careless"])
    _attention_checks(study, codes, kinds, design.n, rng["careless"])
    dur = _durations(study, kinds, design.n, rng["meta"])
    _missing_answers(study, codes, dur, kinds, design.n, rng["missing"])
    tick("realism", 1, 1)
    return _frames(study, design, draws, codes, dur, kinds.rtype, latent_vals, method)


def simulate(study, seed=None, *, progress=None) -> Simulation:
    """Generate one data set from a study.

    Parameters
    ----------
    study : Study (from :func:`load_study`), or a path / mapping of a study spec.
    seed : int or numpy SeedSequence; default: the spec's ``seed``, else 1.
    progress : optional callable ``progress(stage: str, done: int, total: int)``.

    Returns
    -------
    Simulation with ``responses``, ``units`` and ``latents`` frames.
    """
    import numpy as np

    if not isinstance(study, Study):
        study = load_study(study)
    if seed is None:
        seed = study.spec.seed
    rng = dict(zip(_STREAMS, (np.random.default_rng(s) for s in _seedseq(seed).spawn(len(_STREAMS)))))
    tick = progress or (lambda *a: None)

    design = _design(study, rng["design"])
    tick("design", 1, 1)
    responses, units, latents = draw_frames(study, design, rng, tick)
    return Simulation(responses, units, latents, study, seed if not isinstance(seed, np.random.SeedSequence)
                      else None, list(study.warnings))


def _seedseq(seed):
    import numpy as np

    if isinstance(seed, np.random.SeedSequence):
        # a fresh copy: spawning mutates the object, and the same seed must give the same data
        return np.random.SeedSequence(entropy=seed.entropy, spawn_key=seed.spawn_key)
    if seed is None:
        seed = 1
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise AvoidSurveyError(f"seed must be a whole number, got {seed!r}") from None
    if seed < 0:
        raise AvoidSurveyError("seed must be 0 or positive")
    return np.random.SeedSequence(seed)


# ---------------------------------------------------------------- design
@dataclass(frozen=True)
class _Design:
    """Who is where: per respondent the county, township and unit index, and every id."""

    n: int
    n_counties: int
    n_townships: int
    n_units: int
    town_county: object       # county index of each township
    resp_county: object
    resp_town: object
    resp_unit: object
    county_ids: object
    town_ids: object
    unit_ids: object
    resp_ids: object


def _sizes(rng, size, n):
    import numpy as np

    if isinstance(size, int):
        return np.full(n, size, dtype=np.int64)
    return rng.integers(size[0], size[1] + 1, size=n)


def _design(study: Study, rng) -> _Design:
    import numpy as np

    d = study.spec.design
    n_c = d.counties
    n_t_per_c = _sizes(rng, d.townships_per_county, n_c)
    town_county = np.repeat(np.arange(n_c), n_t_per_c)
    n_t = len(town_county)
    n_u_per_t = None
    if study.has_units:
        n_u_per_t = _sizes(rng, d.units_per_township, n_t)
        unit_town = np.repeat(np.arange(n_t), n_u_per_t)
        n_per_u = _sizes(rng, d.officials_per_unit, len(unit_town))
        resp_unit = np.repeat(np.arange(len(unit_town)), n_per_u)
        resp_town = unit_town[resp_unit]
    else:
        n_per_t = _sizes(rng, d.officials_per_township, n_t)
        resp_town = np.repeat(np.arange(n_t), n_per_t)
        resp_unit = resp_town
        unit_town = np.arange(n_t)
    n = len(resp_town)
    if n > 5_000_000:
        raise AvoidSurveyError(f"the design gives {n} respondents; the limit is 5,000,000")
    county_ids, town_ids, unit_ids = _cluster_ids(n_c, n_t_per_c, town_county, unit_town, n_u_per_t)
    rw = max(5, len(str(n)))
    resp_ids = np.asarray([f"R{i + 1:0{rw}d}" for i in range(n)], dtype=object)
    return _Design(n, n_c, n_t, len(unit_town), town_county, town_county[resp_town], resp_town, resp_unit,
                   county_ids, town_ids, unit_ids, resp_ids)


def _cluster_ids(n_c, n_t_per_c, town_county, unit_town, n_u_per_t):
    """C01, C01-T03, C01-T03-U02: zero-padded to the widest number."""
    import numpy as np

    cw = max(2, len(str(n_c)))
    tw = max(2, len(str(int(n_t_per_c.max()))))
    county_ids = np.asarray([f"C{c + 1:0{cw}d}" for c in range(n_c)], dtype=object)
    t_in_c = np.concatenate([np.arange(k) for k in n_t_per_c])
    town_ids = np.asarray([f"{county_ids[c]}-T{t + 1:0{tw}d}" for c, t in zip(town_county, t_in_c)], dtype=object)
    if n_u_per_t is None:
        return county_ids, town_ids, town_ids
    u_in_t = np.concatenate([np.arange(k) for k in n_u_per_t])
    uw = max(2, len(str(int(n_u_per_t.max()))))
    unit_ids = np.asarray([f"{town_ids[t]}-U{u + 1:0{uw}d}" for t, u in zip(unit_town, u_in_t)], dtype=object)
    return county_ids, town_ids, unit_ids


# ---------------------------------------------------------------- variables
@dataclass(frozen=True)
class _Draws:
    values: dict        # name -> per-respondent values (unit variables repeated per official)
    unit_cols: dict     # name -> per-township values
    int_coded: dict     # name -> whole-number codes?
    ind_missing: dict   # name -> mask of values left missing, or None


def _draw(rng, dist, n):
    """Draw ``n`` values; returns (values as float array, is_integer_coded)."""
    import numpy as np

    if isinstance(dist, (NormalDist, LognormalDist)):
        if isinstance(dist, NormalDist):
            x = rng.normal(dist.mean, dist.sd, n)
        else:
            x = np.exp(rng.normal(math.log(dist.median), dist.sdlog, n))
        x = np.clip(x, dist.min if dist.min is not None else -np.inf, dist.max if dist.max is not None else np.inf)
        return _rounded(x, dist.decimals)
    if isinstance(dist, UniformDist):
        return _rounded(rng.uniform(dist.min, dist.max, n), dist.decimals)
    if isinstance(dist, IntegerDist):
        return rng.integers(dist.min, dist.max + 1, size=n).astype(float), True
    if isinstance(dist, PoissonDist):
        x = rng.poisson(dist.lam, n).astype(float)
        if dist.max is not None:
            x = np.minimum(x, dist.max)
        return x, True
    if isinstance(dist, BernoulliDist):
        return (rng.random(n) < dist.p).astype(float), True
    if isinstance(dist, CategoricalDist):
        p = np.asarray(dist.probs, float) if dist.probs is not None else np.full(len(dist.values), 1 / len(dist.values))
        idx = rng.choice(len(dist.values), size=n, p=p / p.sum())
        vals = dist.values
        if all(isinstance(v, int) for v in vals):
            return np.asarray(vals, float)[idx], True
        return np.asarray([str(v) for v in vals], dtype=object)[idx], False
    raise AssertionError(dist)  # pragma: no cover


def _rounded(x, dec):
    import numpy as np

    if dec is not None:
        x = np.round(x, dec)
        if dec == 0:
            return x, True
    return x, False


def _variables(study: Study, design: _Design, r_unit, r_ind, r_county=None) -> _Draws:
    values, unit_cols, int_coded, ind_missing = {}, {}, {}, {}
    for name, dist in study.county_vars.items():  # one draw per county, copied to its townships
        x, is_int = _draw(r_county, dist, design.n_counties)
        unit_cols[name] = x[design.town_county]
        int_coded[name] = is_int
        values[name] = x[design.resp_county]
    for name, dist in study.unit_vars.items():  # dict order = spec order, then instrument order
        x, is_int = _draw(r_unit, dist, design.n_townships)
        unit_cols[name] = x
        int_coded[name] = is_int
        values[name] = x[design.resp_town]
    n = design.n
    for name, dist in study.ind_vars.items():
        x, is_int = _draw(r_ind, dist, n)
        values[name] = x
        int_coded[name] = is_int
        ind_missing[name] = r_ind.random(n) < dist.missing if dist.missing else None
    return _Draws(values, unit_cols, int_coded, ind_missing)


# ---------------------------------------------------------------- latents and items
def _factor_value(values: dict, factor, center: bool, in_product: bool):
    import numpy as np

    _kind, name, value, power = factor
    x = values[name]
    if value is not None:
        if x.dtype == object:
            x = (x == value).astype(float)
        else:
            x = (x == float(value)).astype(float)
    else:
        x = np.asarray(x, float)
    if (in_product or power > 1) and center:
        x = x - np.nanmean(x)
    return x ** power


def _latents(study: Study, design: _Design, values: dict, rng, tick) -> dict:
    """Every latent in plan order: an auto facet is its parent plus noise, the others their
    structural terms plus random intercepts and a residual."""
    import numpy as np

    n = design.n
    center = study.spec.center_interactions
    latent_vals: dict = {}
    for k, plan in enumerate(study.latents):
        if plan.parent is not None:
            eta = latent_vals[plan.parent] + rng.normal(0.0, plan.facet_sd, n)
        else:
            eta = np.full(n, float(plan.intercept))
            for term in plan.terms:
                prod = np.ones(n)
                in_product = len(term.factors) > 1
                for f in term.factors:
                    src = latent_vals if f[0] == "latent" else values
                    prod = prod * _factor_value(src, f, center, in_product)
                eta = eta + term.coef * prod
            eta = eta + _random_parts(study, design, plan, rng)
        latent_vals[plan.id] = eta
        tick("latents", k + 1, len(study.latents))
    return latent_vals


def _random_parts(study: Study, design: _Design, plan, rng):
    """County, township (and unit) intercepts and the residual: shares of ``residual_sd^2``."""
    s2 = plan.residual_sd ** 2
    icc = plan.icc or {}
    ic, it_, iu = icc.get("county", 0.0), icc.get("township", 0.0), icc.get("unit", 0.0)
    e = rng.normal(0.0, math.sqrt(ic * s2), design.n_counties)[design.resp_county]
    e = e + rng.normal(0.0, math.sqrt(it_ * s2), design.n_townships)[design.resp_town]
    if study.has_units:
        e = e + rng.normal(0.0, math.sqrt(iu * s2), design.n_units)[design.resp_unit]
    return e + rng.normal(0.0, math.sqrt(max(0.0, 1.0 - ic - it_ - iu) * s2), design.n)


def _method_factor(study: Study, n: int, rng):
    """The respondents' method-factor scores m ~ N(0, 1) (None without ``measurement.method``)."""
    if study.spec.measurement.method is None:
        return None
    return rng.normal(0.0, 1.0, n)


def _item_answers(study: Study, latent_vals: dict, n: int, rng, tick, method=None) -> dict:
    """y* = location + loading * eta + error, cut at the thresholds; reverse-keyed items reversed.
    The method factor enters in the answered direction (acquiescence raises the written code,
    so a reverse-keyed item gets it with the opposite sign before the reversal)."""
    import numpy as np

    codes: dict = {}
    for k, ip in enumerate(study.items):
        ystar = ip.location + ip.loading * latent_vals[ip.latent] + rng.normal(0.0, ip.error_sd, n)
        if method is not None and ip.method_loading:
            ystar = ystar + (-ip.method_loading if ip.reverse else ip.method_loading) * method
        c = ip.min + np.searchsorted(np.asarray(ip.thresholds), ystar, side="right")
        if ip.reverse:
            c = ip.min + ip.max - c
        codes[ip.id] = c.astype(float)
        tick("items", k + 1, len(study.items))
    return codes


# ---------------------------------------------------------------- realism
@dataclass(frozen=True)
class _Kinds:
    """Respondent types and who answers how."""

    rtype: object       # normal | straight | random | speeder per respondent
    straight: object    # answers straight (straight-liners, and speeders answering straight)
    random: object      # answers at random
    speed: object       # speeders
    pos: object         # relative position of each straight-liner's answers (None: no straight-liner)


def _careless(study: Study, codes: dict, n: int, rng) -> _Kinds:
    """Pick the careless respondents and overwrite their answers (straight or random)."""
    import numpy as np

    cs = study.spec.realism.careless
    rtype = np.full(n, "normal", dtype=object)
    n_care = int(round(cs.share * n))
    if n_care:
        who = rng.choice(n, size=n_care, replace=False)
        w = np.asarray([cs.straight, cs.random, cs.speeder], float)
        counts = np.floor(w / w.sum() * n_care).astype(int)
        rest = n_care - counts.sum()
        for j in np.argsort(-(w / w.sum() * n_care - counts), kind="stable")[:rest]:
            counts[j] += 1
        labels = np.repeat(np.asarray(["straight", "random", "speeder"], dtype=object), counts)
        rtype[who] = labels  # `who` is a random permutation, so types land at random
    straight = rtype == "straight"
    randomr = rtype == "random"
    speed = rtype == "speeder"
    if cs.speeder_answers == "random":
        randomr = randomr | speed
    elif cs.speeder_answers == "straight":
        straight = straight | speed
    pos = None
    if straight.any():
        # one relative position per straight-liner (middle and agreeing answers most common)
        pos = rng.choice(np.asarray([0.0, 0.25, 0.5, 0.75, 1.0]), size=int(straight.sum()),
                         p=[0.1, 0.15, 0.35, 0.3, 0.1])
        for ip in study.items:
            codes[ip.id][straight] = ip.min + np.round(pos * (ip.max - ip.min))
    if randomr.any():
        for ip in study.items:
            codes[ip.id][randomr] = rng.integers(ip.min, ip.max + 1, size=int(randomr.sum()))
    return _Kinds(rtype, straight, randomr, speed, pos)


def _attention_checks(study: Study, codes: dict, kinds: _Kinds, n: int, rng) -> None:
    """Careful respondents pass unless they fail at ``attention_fail``; careless ones answer
    the checks as they answer the items."""
    import numpy as np

    careless_any = kinds.straight | kinds.random
    fail_share = study.spec.realism.attention_fail
    for a in study.checks:
        cand = [float(c) for c in a.response.codes]
        exp = float(a.expected[0])
        others = np.asarray([c for c in cand if float(c) not in {float(e) for e in a.expected}] or cand)
        v = np.full(n, exp)
        fail = (rng.random(n) < fail_share) & ~careless_any
        v[fail] = others[rng.integers(0, len(others), size=int(fail.sum()))]
        if kinds.random.any():
            v[kinds.random] = np.asarray(cand)[rng.integers(0, len(cand), size=int(kinds.random.sum()))]
        if kinds.straight.any():
            lo, hi = min(cand), max(cand)
            v[kinds.straight] = lo + np.round(kinds.pos * (hi - lo))
        codes[a.id] = v


def _durations(study: Study, kinds: _Kinds, n: int, rng):
    """Seconds per respondent: lognormal around ``seconds_per_item`` times the questions."""
    import numpy as np

    du = study.spec.realism.duration
    n_q = len(study.items) + len(study.checks)  # durations scale with the Likert questions
    med = du.seconds_per_item * n_q
    dur = np.exp(rng.normal(math.log(med), du.sdlog, n))
    dur[kinds.straight | kinds.random] *= du.careless_factor
    n_sp = int(kinds.speed.sum())
    if n_sp:
        dur[kinds.speed] = np.exp(rng.normal(math.log(du.speeder_seconds_per_item * n_q), du.speeder_sdlog, n_sp))
    return np.maximum(1.0, np.round(dur))


def _missing_answers(study: Study, codes: dict, dur, kinds: _Kinds, n: int, rng) -> None:
    """Break-offs, skipped blocks and MCAR holes (careful respondents only: careless
    patterns stay as they are)."""
    import numpy as np

    ms = study.spec.realism.missing
    normal_idx = np.flatnonzero(kinds.rtype == "normal")
    q_order = [c for c in study.order if c in codes]  # items and checks in questionnaire order
    if not q_order or not len(normal_idx):
        return
    nb = int(round(ms.breakoff_share * n))
    if nb:
        who = rng.choice(normal_idx, size=min(nb, len(normal_idx)), replace=False)
        start = rng.integers(int(0.3 * len(q_order)), len(q_order), size=len(who))
        for i, s0 in zip(who, start):
            for col in q_order[s0:]:
                codes[col][i] = np.nan
        dur[who] = np.round(dur[who] * start / len(q_order))
    nsk = int(round(ms.skip_block_share * n))
    blocks = list(dict.fromkeys(ip.scale for ip in study.items))
    if nsk and blocks:
        who = rng.choice(normal_idx, size=min(nsk, len(normal_idx)), replace=False)
        blk = rng.integers(0, len(blocks), size=len(who))
        by_block = {b: [ip.id for ip in study.items if ip.scale == b] for b in blocks}
        for i, b in zip(who, blk):
            for col in by_block[blocks[b]]:
                codes[col][i] = np.nan
    if ms.mcar:
        is_normal = kinds.rtype == "normal"
        for col in q_order:
            hole = (rng.random(n) < ms.mcar) & is_normal
            codes[col][hole] = np.nan


# ---------------------------------------------------------------- frames
def _frames(study: Study, design: _Design, draws: _Draws, codes: dict, dur, rtype, latent_vals: dict, method=None):
    """(responses, units, latents) data frames."""
    import numpy as np
    import pandas as pd

    cols = study.columns
    ds = design
    data: dict[str, object] = {cols["id"]: ds.resp_ids, cols["county"]: ds.county_ids[ds.resp_county],
                               cols["township"]: ds.town_ids[ds.resp_town]}
    if cols["unit"]:
        data[cols["unit"]] = ds.unit_ids[ds.resp_unit]
    for name in study.order:
        if name in study.ind_vars:
            data[name] = _column(_with_missing(draws.values[name], draws.ind_missing.get(name)),
                                 draws.int_coded[name])
        elif name in codes:
            data[name] = _column(codes[name], True)
    data[cols["duration"]] = _column(dur, True)
    responses = pd.DataFrame(data, columns=study.order)
    for c in (cols["id"], cols["county"], cols["township"], cols["unit"]):
        if c:
            responses[c] = responses[c].astype(str)

    u = {cols["county"]: ds.county_ids[ds.town_county].astype(str), cols["township"]: ds.town_ids.astype(str)}
    for name, x in draws.unit_cols.items():
        u[name] = _column(x, draws.int_coded[name])
    units = pd.DataFrame(u)

    lat = {cols["id"]: ds.resp_ids.astype(str), cols["county"]: ds.county_ids[ds.resp_county].astype(str),
           cols["township"]: ds.town_ids[ds.resp_town].astype(str)}
    if cols["unit"]:
        lat[cols["unit"]] = ds.unit_ids[ds.resp_unit].astype(str)
    lat["respondent_type"] = rtype.astype(str)
    for plan in study.latents:
        lat[plan.id] = np.round(latent_vals[plan.id], 6)
    if method is not None:
        lat["method"] = np.round(method, 6)
    return responses, units, pd.DataFrame(lat)


def item_frame(study: Study):
    """The measurement parameters used, one row per simulated Likert item: ``item``, ``scale``,
    ``latent`` (the facet or scale it measures), ``loading``, ``location``, ``error_sd``,
    ``method_loading``, ``reverse``, ``min``, ``max`` and ``threshold_1``..``threshold_K``
    (y* metric, construct direction: a reverse-keyed item's written code is min + max - code)."""
    import numpy as np
    import pandas as pd

    k = max((len(ip.thresholds) for ip in study.items), default=0)
    rows = []
    for ip in study.items:
        r = {"item": ip.id, "scale": ip.scale, "latent": ip.latent, "loading": ip.loading,
             "location": round(ip.location, 6), "error_sd": ip.error_sd, "method_loading": ip.method_loading,
             "reverse": int(bool(ip.reverse)), "min": ip.min, "max": ip.max}
        for j in range(k):
            r[f"threshold_{j + 1}"] = ip.thresholds[j] if j < len(ip.thresholds) else np.nan
        rows.append(r)
    cols = ["item", "scale", "latent", "loading", "location", "error_sd", "method_loading", "reverse", "min", "max"]
    return pd.DataFrame(rows, columns=cols + [f"threshold_{j + 1}" for j in range(k)])


def _with_missing(x, mask):
    import numpy as np

    if mask is None:
        return x
    x = x.copy()
    x[mask] = None if x.dtype == object else np.nan
    return x


def _column(x, integer: bool):
    import numpy as np
    import pandas as pd

    if x.dtype == object:
        return pd.array(x, dtype="string")
    if integer:
        return pd.array(np.where(np.isnan(x), np.nan, np.round(x)), dtype="Float64").astype("Int64")
    return np.round(x.astype(float), 6)
