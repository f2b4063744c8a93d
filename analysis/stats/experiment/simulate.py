"""Simulated experiment data with known effects (examples, tests, power).

Vignette: each respondent reads ``per_respondent`` vignettes drawn at random without
replacement from the design's cells (with replacement when there are fewer cells);
``y = mean + sum of the level effects + heterogeneity * moderator + u_respondent + e``,
``u ~ N(0, respondent_sd^2)``, ``e ~ N(0, sd^2)``.

Conjoint: each task shows ``profiles`` profiles, each drawn uniformly from the allowed
cells; with ``choice=True`` the profile of highest utility (level effects + Gumbel noise of
scale ``sd``, a conditional-logit choice) gets ``chosen = 1``; else ``y`` is a rating as for a
vignette. Respondent covariates: ``age`` (years), ``female`` (0/1), ``tenure`` (years).
"""
from __future__ import annotations

__all__ = ["simulate_experiment"]


def _cells(exp, rng):
    import numpy as np

    cells = exp.cells()
    ids = exp.factor_ids
    table = np.array([[exp.factor(f).level_ids.index(c[f]) for f in ids] for c in cells], dtype=np.int64)
    return table, ids


def _effect_vector(exp, effects):
    """{factor: {level: effect}} -> per factor an array indexed by level position."""
    import numpy as np

    out = []
    for f in exp.factors:
        e = np.zeros(len(f.levels))
        for lid, v in (effects or {}).get(f.id, {}).items():
            e[f.level_ids.index(lid)] = float(v)
        out.append(e)
    return out


def _covariates(rng, n):
    import numpy as np

    age = np.clip(np.round(rng.normal(42, 8, n)), 22, 60).astype(int)
    female = (rng.random(n) < 0.4).astype(int)
    tenure = np.minimum(rng.integers(0, 31, n), age - 21).astype(int)
    return {"age": age, "female": female, "tenure": tenure}


def simulate_experiment(exp, n_respondents: int, *, effects=None, sd: float = 1.0, respondent_sd: float = 0.0,
                        mean: float = 0.0, heterogeneity=None, choice: bool | None = None, missing: float = 0.0,
                        seed: int = 1, outcome: str | None = None, decimals: int | None = 6, interactions=None):
    """A long-format DataFrame drawn from the design with the given effects.

    effects : {factor: {level: effect}} relative to the baseline (0); may also hold
        ``":interactions"`` and ``":heterogeneity"`` lists (as :func:`.power.parse_effects`
        writes them), added to ``interactions`` and ``heterogeneity``
    heterogeneity : {"moderator": "female"|"age"|"tenure", "factor", "level", "effect"} (or a
        list of them): the level's effect grows by ``effect`` per unit of the moderator
    interactions : [{"levels": {factor: level, ...}, "effect"}]: added to the outcome of the
        rows showing all those levels (a two-way interaction of the factorial model)
    choice : conjoint forced choice (default True for a conjoint)
    missing : share of outcomes set missing at random (attrition)
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    table, ids = _cells(exp, rng)
    per = exp.per_respondent
    prof = exp.profiles if exp.type == "conjoint" else 1
    n_rows = n_respondents * per * prof
    blocks = [np.asarray(b, dtype=np.int64) for b in exp.block_cells()]
    if not exp.blocks and (exp.type == "conjoint" or len(table) < per):
        pick = rng.integers(0, len(table), n_rows)
    elif not exp.blocks:
        pick = np.concatenate([rng.permutation(len(table))[:per] for _ in range(n_respondents)])
    else:  # blocked design: respondent r sees block (r - 1) mod B
        parts = []
        for r in range(n_respondents):
            b = blocks[r % len(blocks)]
            if exp.type == "vignette" and len(b) >= per:
                parts.append(b[rng.permutation(len(b))[:per]])
            else:
                parts.append(b[rng.integers(0, len(b), per * prof)])
        pick = np.concatenate(parts)
    levels = table[pick]
    resp = np.repeat(np.arange(1, n_respondents + 1), per * prof)
    cov = _covariates(rng, n_respondents)
    eff = _effect_vector(exp, effects)
    signal = mean + sum(eff[j][levels[:, j]] for j in range(len(ids)))
    het = [heterogeneity] if isinstance(heterogeneity, dict) else list(heterogeneity or ())
    het += list((effects or {}).get(":heterogeneity", ()))
    for h in het:
        j = ids.index(h["factor"])
        k = exp.factor(h["factor"]).level_ids.index(h["level"])
        m = cov[h["moderator"]][resp - 1]
        signal = signal + h["effect"] * m * (levels[:, j] == k)
    for inter in list(interactions or ()) + list((effects or {}).get(":interactions", ())):
        on = np.ones(n_rows, dtype=bool)
        for fid, lid in inter["levels"].items():
            on &= levels[:, ids.index(fid)] == exp.factor(fid).level_ids.index(lid)
        signal = signal + inter["effect"] * on
    u = rng.normal(0, respondent_sd, n_respondents)[resp - 1] if respondent_sd else 0.0
    frame = {exp.respondent: resp}
    if exp.blocks:
        frame["block"] = (resp - 1) % len(exp.blocks) + 1
    if exp.type == "conjoint":
        frame["task"] = np.tile(np.repeat(np.arange(1, per + 1), prof), n_respondents)
        frame["profile"] = np.tile(np.arange(1, prof + 1), n_respondents * per)
    else:
        frame["vignette"] = np.tile(np.arange(1, per + 1), n_respondents)
    for j, fid in enumerate(ids):
        frame[fid] = np.array(exp.factor(fid).level_ids, dtype=object)[levels[:, j]]
    name = outcome or (exp.outcomes[0] if exp.outcomes else "y")
    if exp.type == "conjoint" and (choice is None or choice):
        util = signal + u + rng.gumbel(0, sd, n_rows)
        best = util.reshape(-1, prof).argmax(axis=1)
        y = (np.arange(prof)[None, :] == best[:, None]).astype(float).ravel()
    else:
        y = signal + u + rng.normal(0, sd, n_rows)
        if decimals is not None:
            y = np.round(y, decimals)
    if missing:
        y[rng.random(n_rows) < missing] = np.nan
    frame[name] = y.astype(int) if exp.type == "conjoint" and (choice is None or choice) and not missing else y
    for k, v in cov.items():
        frame[k] = v[resp - 1]
    return pd.DataFrame(frame)
