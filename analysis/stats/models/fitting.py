"""Fitting one declared model on its prepared frame: a formula with its family, the
hierarchical ``steps`` of a model, or a mediation model.

Each function takes the loaded spec and the model's index (for located errors), the
model's spec entry, its parsed formulas and its analysis frame, and returns ModelFit
objects (frozen; extra entries are added with ``with_extra``).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

from ...core.errors import AvoidSurveyError
from .formula import Factor, Formula
from .result import model_warning
from .spec import ModelSpec

__all__ = ["fit_formula", "fit_steps", "fit_mediation_model", "fit_process_model"]


def _center_cols(frame, cols):
    import pandas as pd
    frame = frame.copy()
    means = {}
    for c in cols:
        x = pd.to_numeric(frame[c], errors="coerce").astype(float)
        means[c] = float(x.mean())
        frame[c] = x - means[c]
    return frame, means


def _numeric_response(y, name, file, line):
    import pandas as pd
    try:
        return pd.to_numeric(y, errors="raise").astype(float).to_numpy()
    except (ValueError, TypeError):
        raise AvoidSurveyError(f"the response '{name}' is not numeric", file=file, line=line, column=name) from None


# ------------------------------------------------------------------ one family each
class _Ctx(NamedTuple):
    """What every family's fitter needs besides the design."""

    loaded: object
    i: int
    ms: ModelSpec
    name: str
    file: object
    line: object
    clusters: list


def _ols(ctx, d, formula, cf):
    from .ols import fit_ols
    ms, se = ctx.ms, ctx.ms.se_spec
    y = _numeric_response(d.y, formula.response, ctx.file, ctx.line)
    return fit_ols(y, d.X, d.names, d.terms, se_type=se.type, clusters=ctx.clusters, hc=se.hc or "HC1",
                   ci=ms.ci, name=ctx.name, file=ctx.file, line=ctx.line)


def _binary(ctx, d, formula, cf):
    from .glm import binary_response, fit_binary
    ms, se, name, file, line = ctx.ms, ctx.ms.se_spec, ctx.name, ctx.file, ctx.line
    y, notes = binary_response(d.y, name=name, file=file, line=line)
    m = fit_binary(y, d.X, d.names, link=ms.family, se_type=se.type, clusters=ctx.clusters, hc=se.hc,
                   ci=ms.ci, odds_ratio=ms.odds_ratio, name=name, file=file, line=line)
    return m.with_warnings(model_warning("model-response-coding", n, location=name) for n in notes)


def _ordinal(ctx, d, formula, cf):
    from .ordinal import fit_ordinal
    ms = ctx.ms
    m = fit_ordinal(d.y, d.X, d.names, link=ms.link or "logit", ci=ms.ci, name=ctx.name, file=ctx.file,
                    line=ctx.line)
    if ms.odds_ratio:
        m = m.with_extra(odds_ratios=[{"term": c.term, "odds_ratio": math.exp(c.estimate),
                                       "ci_lower": math.exp(c.ci_lower), "ci_upper": math.exp(c.ci_upper)}
                                      for c in m.coefficients if "|" not in c.term])
    return m


def _mixed(ctx, d, formula, cf):
    from .mixed import fit_mixed
    ms, file, line = ctx.ms, ctx.file, ctx.line
    if not d.intercept:
        raise AvoidSurveyError("mixed models need an intercept (remove -1 / +0)", file=file, line=line)
    y = _numeric_response(d.y, formula.response, file, line)
    groups = [cf[g].astype(str).to_numpy() for g in reversed(ms.group_list)]  # innermost first
    slopes = ms.random_slopes or None
    for s_ in slopes or []:
        if s_ not in d.names:
            raise AvoidSurveyError(f"random slope '{s_}' is not a column of the design ({', '.join(d.names)})",
                                   file=file, line=ctx.loaded.model_line(ctx.i, "random_slopes"))
    return fit_mixed(y, d.X, d.names, groups, reml=ms.reml, random_slopes=slopes,
                     group_names=list(reversed(ms.group_list)), name=ctx.name, ci=ms.ci)


FITTERS = {"ols": _ols, "logit": _binary, "probit": _binary, "ordinal": _ordinal, "mixed": _mixed}


# ------------------------------------------------------------------ a formula
def _model_frame(loaded, i, ms: ModelSpec, formula: Formula, frame, rows):
    """Complete cases of the model's variables, focal and moderator centred when asked."""
    import pandas as pd
    from .design import complete_frame

    needed = formula.variables + ms.se_spec.clusters + ms.group_list
    cf = (complete_frame(frame, needed, file=loaded.file, line=loaded.model_line(i, "formula"))
          if rows is None else frame.loc[rows])
    centred = {}
    if ms.moderation and ms.moderation.center:
        to_centre = [v for v in (ms.moderation.focal, ms.moderation.moderator)
                     if pd.api.types.is_numeric_dtype(cf[v]) and not pd.api.types.is_bool_dtype(cf[v])
                     and not any(f.var == v and f.categorical for t in formula.terms for f in t)]
        cf, centred = _center_cols(cf, to_centre)
    return cf, centred


def fit_formula(loaded, i, ms: ModelSpec, formula: Formula, frame, name, rows=None):
    """Fit ``formula`` with the family of ``ms`` on the complete cases of ``frame``."""
    from .design import build_design

    file, line = loaded.file, loaded.model_line(i, "formula")
    cf, centred = _model_frame(loaded, i, ms, formula, frame, rows)
    if ms.family == "ordinal":
        formula = Formula(formula.response, formula.terms, False, formula.text, formula.categorical)
    d = build_design(cf, formula, file=file, line=line)
    if ms.family not in FITTERS:  # pragma: no cover - validated by the schema
        raise AvoidSurveyError(f"unknown family {ms.family}", file=file, line=line)
    ctx = _Ctx(loaded, i, ms, name, file, line, [cf[c].rename(c) for c in ms.se_spec.clusters])
    m = FITTERS[ms.family](ctx, d, formula, cf)
    if "formula" not in m.extra:
        m = m.with_extra(formula=formula.text)
    if centred:
        m = m.with_extra(centered=centred)
    mv = ms.moderation
    if mv and m.internal is not None and any(set(t.split(":")) == {mv.focal, mv.moderator} for t in d.terms):
        m = _with_moderation(m, mv, cf, formula, loaded, i, ms.ci)
    return m


def _with_moderation(m, mv, cf, formula, loaded, i, ci):
    from .moderation import moderation_block

    block, notes = moderation_block(m, mv, cf, formula, ci)
    if block is None:
        raise loaded.error(f"spec: moderation: no column {mv.focal}:{mv.moderator} in the design (the focal "
                           f"variable must be numeric)", "models", i, "moderation")
    m = m.with_warnings(model_warning("model-slopes-conditional", n, location=m.name) for n in notes)
    return m.with_extra(moderation=block)


# ------------------------------------------------------------------ hierarchical steps
def _step_formula(f0: Formula, steps: list, terms: list) -> Formula:
    cats = dict(f0.categorical)
    for s in steps:
        cats.update(s.categorical)
    fixed = [tuple(Factor(x.var, True, cats[x.var]) if x.var in cats else x for x in t) for t in terms]
    rhs = " + ".join(":".join((f"C({x.var})" if x.categorical else x.var) for x in t) for t in fixed)
    return Formula(f0.response, fixed, f0.intercept, f"{f0.response} ~ {rhs}", cats)


def _r2_change(m, prev) -> dict:
    """ΔR² of a step against the previous one, with its F test."""
    from ...numerics.dist import f_sf
    r2, k = m.fit["r2"], len(m.coefficients)
    if prev is None:
        df1, r2_prev = m.fit["f_df1"], 0.0
    else:
        df1, r2_prev = k - len(prev.coefficients), prev.fit["r2"]
    df2 = m.n - k
    dr2 = r2 - r2_prev
    fch = (dr2 / df1) / ((1 - r2) / df2) if df1 > 0 and r2 < 1 else float("nan")
    return {"r2_change": dr2, "f_change": fch, "f_change_df1": df1, "f_change_df2": df2,
            "f_change_p": f_sf(fch, df1, df2)}


def fit_steps(loaded, i, ms, parsed, frame, name):
    """Hierarchical entry: the formula is block 1, each ``steps`` entry adds a block."""
    from .design import complete_frame
    f0 = parsed.formula
    allvars = list(f0.variables)
    for s in parsed.steps:
        allvars += [v for v in s.variables if v not in allvars]
    cf = complete_frame(frame, allvars + ms.se_spec.clusters, file=loaded.file, line=loaded.model_line(i, "formula"))
    fits, terms, prev = [], [], None
    for k, blk in enumerate([f0.terms] + [s.terms for s in parsed.steps]):
        n_before = len(terms)
        for t in blk:
            if frozenset(x.var for x in t) not in {frozenset(x.var for x in u) for u in terms}:
                terms.append(t)
        added = [":".join(x.var for x in t) for t in terms[n_before:]]
        fk = _step_formula(f0, parsed.steps, terms)
        m = fit_formula(loaded, i, ms, fk, cf, f"{name} (step {k + 1})", rows=cf.index)
        m = replace(m, fit={**m.fit, **_r2_change(m, prev)}).with_extra(step={"of": name, "step": k + 1,
                                                                                "added": added})
        fits.append(m)
        prev = m
    return fits


# ------------------------------------------------------------------ mediation
def _mediation_frame(loaded, i, ms, covf, frame):
    """The numeric columns fit_mediation takes (covariates as design columns) and their names."""
    roles = [ms.x, *ms.mediators, ms.y] + ([ms.moderator] if ms.moderator else [])
    return _path_frame(loaded, i, "mediation", roles, covf, ms.cluster, frame)


def _path_frame(loaded, i, family, roles, covf, cluster, frame):
    """(data frame, covariate column names) of a path model (mediation, process): the complete
    rows of the role variables as numbers, the covariates as design columns (factors dummy
    coded) and the cluster column as text."""
    import pandas as pd
    from .design import build_design, complete_frame

    need = roles + ([cluster] if cluster else []) + (covf.variables if covf is not None else [])
    cf = complete_frame(frame, need, file=loaded.file, line=loaded.model_line(i))
    cols, cov_names = {}, []
    for v in roles:
        try:
            cols[v] = pd.to_numeric(cf[v], errors="raise").astype(float)
        except (ValueError, TypeError):
            raise loaded.error(f"spec: {family} variable '{v}' must be numeric", "models", i, column=v) from None
    if covf is not None:
        d = build_design(cf, Formula(None, covf.terms, False, "covariates", covf.categorical), file=loaded.file,
                         line=loaded.model_line(i, "covariates"), response=False)
        for j, nm in enumerate(d.names):
            cols[nm] = d.X[:, j]
            cov_names.append(nm)
    if cluster:
        cols[cluster] = cf[cluster].astype(str)
    return pd.DataFrame(cols, index=cf.index), cov_names


def fit_mediation_model(loaded, i, ms, parsed, frame, name):
    """A ``family: mediation`` model (bootstrap; see :mod:`.mediation`)."""
    from .mediation import fit_mediation

    data, cov_names = _mediation_frame(loaded, i, ms, parsed.covariates, frame)
    bs = ms.bootstrap
    return fit_mediation(data, x=ms.x, mediators=list(ms.mediators), y=ms.y, covariates=tuple(cov_names),
                         moderator=ms.moderator, moderated_path=ms.moderated_path or "a",
                         n_boot=bs.n if bs else 2000, seed=bs.seed if bs else None, cluster=ms.cluster, ci=ms.ci,
                         name=name)


# ------------------------------------------------------------------ process
def fit_process_model(loaded, i, ms, parsed, frame, name):
    """A ``family: process`` model (Hayes' PROCESS; see :mod:`.process`)."""
    from .process import fit_process

    se = ms.se_spec
    roles = [ms.x, *ms.m_list, ms.y] + [v for v in (ms.w, ms.z) if v]
    cluster = se.clusters[0] if se.type == "cluster" else None
    data, cov_names = _path_frame(loaded, i, "process", roles, parsed.covariates, cluster, frame)
    bs = ms.bootstrap
    try:
        return fit_process(data, model=ms.model, x=ms.x, y=ms.y, m=ms.m_list, w=ms.w, z=ms.z,
                           covariates=cov_names, moderator_values=ms.moderator_values or "percentiles",
                           w_at=ms.w_at, z_at=ms.z_at,
                           n_boot=bs.n if bs else 5000, seed=bs.seed if bs else None, se=se.type, cluster=cluster,
                           hc=se.hc or "HC1", ci=ms.ci, name=name)
    except AvoidSurveyError as exc:
        raise exc.located(file=loaded.file, line=loaded.model_line(i)) from None
