"""Effects of a vignette experiment (and the shared regression steps of a conjoint).

Models (``lm`` by QR; SEs from :func:`.design.se_plan`: HC2, or CR1 clustered by
respondent when respondents answered several vignettes, or by ``--cluster``):

- ``main``: ``y ~ factors``: each level against its baseline (``estimand = "ate"``; with one
  two-level factor this is the difference in means with its HC2 SE, ``lm`` +
  ``sandwich::vcovHC(type = "HC2")``);
- ``lin``: Lin (2013): ``y ~ factors * (covariates - mean)``; the level coefficients are
  the covariate-adjusted effects;
- ``interactions``: ``y ~ (factors)^2``: the two-way interaction terms;
- ``moderator``: ``y ~ factors * M``: how each effect changes with M (heterogeneity);
- ``subgroup``: for a categorical (or two-valued) M, the main-effects model within each
  group of M (``lm(y ~ factors, subset = M == g)``, its own SE), rows carrying ``group``;
- ``mixed``: ``lme4::lmer(y ~ factors + (1 | respondent))`` (REML; SE from ``vcov``, p and CI
  from the normal, as ``confint(method = "Wald")``), for within-respondent designs;
- ``manipulation``: the main-effects model on a manipulation-check column: did each factor
  move what it was meant to move?

Tests: a Wald F per factor (its levels jointly, with the model's SE), and of all
interaction / moderator terms (``car::linearHypothesis(fit, terms, vcov = V)``).
"""
from __future__ import annotations

from .design import Columns, centred, factor_dummies, intercept, moderator_columns, products, se_plan
from .linalg import coef_row, ols, vcov, wald_f

__all__ = ["main_effects", "lin_effects", "interaction_effects", "moderator_effects", "mixed_effects",
           "subgroup_effects", "Model"]


class Model:
    """A fitted model: columns, the fit, its variance and how the SE was made."""

    def __init__(self, cols: Columns, d, mask, plan=None):
        import numpy as np

        self.cols, self.mask = cols, mask
        self.plan = plan or se_plan(d, mask)
        X = cols.matrix(mask)
        self.fit = ols(X, d.y[mask], cols.names)
        kind, clusters, _ = self.plan
        self.V = vcov(self.fit, kind, clusters)
        self.n = int(np.count_nonzero(mask))

    @property
    def se_type(self) -> str:
        return "HC2" if self.plan[0] == "hc2" else "CR1"

    def rows(self, estimand: str, model: str, names=None, ci: float = 0.95) -> list[dict]:
        out = []
        for name, (factor, level, baseline) in zip(self.cols.names, self.cols.meta):
            if names is not None and name not in names:
                continue
            r = {"estimand": estimand, "model": model, "factor": factor, "level": level, "baseline": baseline,
                 "term": name}
            r.update(coef_row(self.fit, self.V, name, ci))
            r.update({"n": self.n, "se_type": self.se_type})
            out.append(r)
        return out

    def factor_tests(self, label: str, exp, names=None) -> list[dict]:
        out = []
        for f in exp.factors:
            terms = [n for n, m in zip(self.cols.names, self.cols.meta) if m[0] == f.id
                     and (names is None or n in names)]
            w = wald_f(self.fit, self.V, terms)
            if w is not None:
                out.append({"test": label, "factor": f.id, **w, "se_type": self.se_type})
        return out


def observed(d):
    import numpy as np

    return ~np.isnan(d.y)


def main_effects(d, estimand: str = "ate", ci: float = 0.95):
    mask = observed(d)
    dm = factor_dummies(d.experiment, d.codes)
    m = Model(intercept(d.n_rows) + dm, d, mask)
    return m, m.rows(estimand, "main", set(dm.names), ci), m.factor_tests("wald_factor", d.experiment)


def lin_effects(d, ci: float = 0.95):
    """Lin (2013): treatment dummies, centred covariates and their products."""
    import numpy as np

    mask = observed(d)
    for x in d.covariates.values():
        mask &= ~np.isnan(x)
    dm = factor_dummies(d.experiment, d.codes)
    xc = centred(d.covariates, mask)
    m = Model(intercept(d.n_rows) + dm + xc + products(dm, xc), d, mask)
    return m.rows("ate", "lin", set(dm.names), ci), m.factor_tests("wald_factor_lin", d.experiment, set(dm.names))


def interaction_effects(d, ci: float = 0.95):
    """All two-way interactions of the factors (none with a single factor)."""
    exp = d.experiment
    if len(exp.factors) < 2:
        return [], []
    mask = observed(d)
    per = [factor_dummies(exp, d.codes, {f.id}) for f in exp.factors]
    cols = intercept(d.n_rows)
    for p in per:
        cols = cols + p
    inter = Columns([], [], [])
    for i in range(len(per)):
        for j in range(i + 1, len(per)):
            inter = inter + products(per[i], per[j])
    m = Model(cols + inter, d, mask)
    rows = m.rows("interaction", "interactions", set(inter.names), ci)
    w = wald_f(m.fit, m.V, inter.names)
    tests = [{"test": "wald_interactions", "factor": None, **w, "se_type": m.se_type}] if w else []
    return rows, tests


def moderator_effects(d, estimand_model: str = "moderator", ci: float = 0.95):
    """``y ~ factors * M``: the factor-by-moderator terms and their joint Wald F."""
    import numpy as np

    mask = observed(d)
    name, values, numeric = d.moderator
    mask &= ~np.isnan(values) if numeric else (values != "")
    dm = factor_dummies(d.experiment, d.codes)
    mc = moderator_columns(d.moderator)
    inter = products(dm, mc)
    m = Model(intercept(d.n_rows) + dm + mc + inter, d, mask)
    rows = m.rows("interaction", estimand_model, set(inter.names), ci)
    w = wald_f(m.fit, m.V, inter.names)
    tests = [{"test": "wald_moderator", "factor": name, **w, "se_type": m.se_type}] if w else []
    return rows, tests


def mixed_effects(d, ci: float = 0.95):
    """Main effects with a random intercept per respondent (lmer, REML)."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.models.mixed import fit_mixed

    if d.respondent is None:
        raise AvoidSurveyError("a random intercept needs the respondent id column", file=d.file,
                               column=d.experiment.respondent)
    mask = observed(d)
    dm = factor_dummies(d.experiment, d.codes)
    cols = intercept(d.n_rows) + dm
    fit = fit_mixed(d.y[mask], cols.matrix(mask), cols.names, [d.respondent[mask]],
                    group_names=[d.experiment.respondent], ci=ci)
    meta = dict(zip(cols.names, cols.meta))
    n = int(mask.sum())
    rows = []
    for c in fit.coefficients:
        if c.term not in meta or meta[c.term][0] is None:
            continue
        factor, level, baseline = meta[c.term]
        rows.append({"estimand": "ate", "model": "mixed", "factor": factor, "level": level, "baseline": baseline,
                     "term": c.term, "estimate": c.estimate, "se": c.se, "ci_lower": c.ci_lower,
                     "ci_upper": c.ci_upper, "p": c.p, "n": n, "se_type": "lmer"})
    return rows


def subgroup_effects(d, estimand: str, ci: float = 0.95) -> list[dict]:
    """Main effects / AMCEs within each group of a categorical or two-valued moderator."""
    import numpy as np

    name, values, numeric = d.moderator
    groups = np.unique(values[~np.isnan(values)]) if numeric else np.unique(values[values != ""])
    if numeric and len(groups) > 2:
        return []
    dm = factor_dummies(d.experiment, d.codes)
    out = []
    for g in groups.tolist():
        mask = observed(d) & (values == g)
        m = Model(intercept(d.n_rows) + dm, d, mask)
        label = f"{g:g}" if numeric else str(g)
        out += [dict(r, group=label, moderator=name) for r in m.rows(estimand, "subgroup", set(dm.names), ci)]
    return out
