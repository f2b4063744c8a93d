"""Hayes' PROCESS models 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58 and 59 as OLS path models.

Variables are named as PROCESS names them: ``x`` (focal predictor), ``y`` (outcome), ``m``
(one mediator, or several: parallel in models 4, 5, 7, 8, 14, 15, 58, 59, serial in model 6),
``w`` (the moderator) and ``z`` (the second moderator of models 2 and 3), ``covariates``
entered in every equation. Products are raw (not centred), as PROCESS's default; centre
beforehand with a spec transform if wanted.

The equations (every one with an intercept and the covariates)::

    M_j = a_j X [+ a_wj W + a_xwj X·W (7, 8, 58, 59)] [+ d_jl M_l, l < j (6)]
    Y   = c' X [+ b_j M_j] [+ W] [+ X·W (1, 2, 3, 5, 8, 15, 59)] [+ M_j·W (14, 15, 58, 59)]
          [+ Z + X·Z (2, 3)] [+ W·Z + X·W·Z (3)]
    Y   = c X                                                (total effect, models 4 and 6)

Effects (Hayes 2018): the conditional effect of X on Y (the direct effect) at W = w (and Z = z)
is ``c' + c_xw w [+ c_xz z + c_xwz w z]`` with its SE from the coefficient covariance (the
chosen SE type) and t on the outcome equation's residual df; the conditional indirect effect
via M_j is ``(a_j + a_xwj w)(b_j + b_mwj w)``; the index of moderated mediation (Hayes 2015) is
``a_xwj b_j`` (models 7, 8) or ``a_j b_mwj`` (14, 15). In models 58 and 59 W moderates both
stages, so the indirect effect ``a_j b_j + (a_xwj b_j + a_j b_mwj) w + a_xwj b_mwj w^2`` is not
linear in W and has no single index: for a dichotomous W the index is the difference of the two
conditional indirect effects per unit of W (as PROCESS reports it); for a continuous W we report
the three polynomial coefficients (first-stage ``a_xw b``, second-stage ``a b_mw`` and the
product ``a_xw b_mw``: the "partial" indices, each conditional on W = 0) and the pairwise
contrasts of the conditional indirect effects, all with bootstrap CIs. Model 6: the indirect
effect of every chain X -> M_i -> ... -> M_l -> Y (products of the path coefficients) and their
sum. The moderator values are the 16th, 50th and 84th percentiles of W (R ``quantile``, type 7;
PROCESS's default) or the mean and mean ± 1 SD (``moderator_values="mean_sd"``), and the two
values of a dichotomous W.

Johnson-Neyman: model 1, the values of W where the conditional effect of X is significant at
level 1 - ci; model 3, the values of Z where the conditional X·W interaction ``c_xw + c_xwz z``
is; bounds solve ``theta(v)^2 = t^2 var(theta(v))`` (as :mod:`.moderation`).

Standard errors of path coefficients: classical (``summary(lm)``), HC0-HC3
(``sandwich::vcovHC``) or cluster-robust (``sandwich::vcovCL`` defaults, one clustering variable),
t on n - p df; each equation's F is the Wald F of its slopes under the same covariance (the
classical F with classical SEs). Bootstrap: percentile CIs (R ``quantile`` type 7) over row
resamples, or over cluster resamples when a cluster is given, drawn and fitted as
:mod:`.mediation` draws them (the same generator, the same batched weighted OLS).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ...core.errors import AvoidSurveyError
from ...numerics.dist import f_sf, t_crit, t_sf2
from .result import Coef, ModelFit

__all__ = ["fit_process", "PROCESS_MODELS", "process_roles"]

PROCESS_MODELS = (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59)

# which paths W (and Z) moderate in each model
_A_W = {7, 8, 58, 59}
_B_W = {14, 15, 58, 59}
_D_W = {1, 2, 3, 5, 8, 15, 59}
_MEDIATION = {4, 5, 6, 7, 8, 14, 15, 58, 59}


def process_roles(model: int) -> dict:
    """What model ``model`` needs: {"m": bool, "w": bool, "z": bool, "serial": bool}."""
    if model not in PROCESS_MODELS:
        raise AvoidSurveyError(f"process: model {model} is not available (use one of "
                               f"{', '.join(map(str, PROCESS_MODELS))})")
    return {"m": model in _MEDIATION, "w": model not in (4, 6), "z": model in (2, 3), "serial": model == 6}


# ------------------------------------------------------------------ OLS of one equation
def _path_fit(X, y, se_type, clusters, hc):
    """OLS of y on X: beta, covariance of the chosen type, df, R2, residuals."""
    from .ols import ols_core, robust_vcov
    beta, XtX_inv, e, h = ols_core(y, X)
    V = robust_vcov(X, XtX_inv, e, h, se_type, clusters, hc)
    n, p = X.shape
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(e @ e) / tss if tss > 0 else float("nan")
    return beta, V, n - p, r2, e


def path_vcov(X, y, se_type, clusters=None, hc="HC1"):
    """Coefficient covariance of one OLS path (used by :mod:`.mediation` for cluster-robust
    path SEs): classical, HC0-HC3 or sandwich::vcovCL."""
    return _path_fit(X, y, se_type, clusters, hc)[1]


def _wald_f(beta, V, idx):
    """Wald F of the coefficients ``idx`` (= the classical F-change with classical V)."""
    b = beta[idx]
    Vs = V[np.ix_(idx, idx)]
    try:
        return float(b @ np.linalg.solve(Vs, b)) / len(idx)
    except np.linalg.LinAlgError:
        return float("nan")


class _Equation:
    """One outcome equation: its column names (terms) and design."""

    def __init__(self, outcome, terms, cols, y):
        self.outcome = outcome
        self.terms = ["constant"] + terms
        n = len(y)
        self.X = np.column_stack([np.ones(n)] + [_product(cols, t) for t in terms])
        self.y = y

    def idx(self, term):
        return self.terms.index(term)


def _product(cols, term):
    out = None
    for v in term.split(":"):
        out = cols[v] if out is None else out * cols[v]
    return out


# ------------------------------------------------------------------ the model
class _Process:
    def __init__(self, model, cols, x, y, meds, w, z, covs):
        self.model, self.x, self.y, self.meds, self.w, self.z, self.covs = model, x, y, meds, w, z, covs
        eqs = []
        for j, m in enumerate(meds):
            terms = [x] + (meds[:j] if model == 6 else [])
            if model in _A_W:
                terms += [w, f"{x}:{w}"]
            eqs.append(_Equation(m, terms + covs, cols, cols[m]))
        terms = [x] + meds
        if model in _B_W or model in _D_W:
            terms.append(w)
        if model in _D_W:
            terms.append(f"{x}:{w}")
        if model in _B_W:
            terms += [f"{m}:{w}" for m in meds]
        if model in (2, 3):
            terms += [z, f"{x}:{z}"]
        if model == 3:
            terms += [f"{w}:{z}", f"{x}:{w}:{z}"]
        eqs.append(_Equation(y, terms + covs, cols, cols[y]))
        if model in (4, 6):
            self.total_eq = _Equation(y, [x] + covs, cols, cols[y])
        else:
            self.total_eq = None
        self.eqs = eqs
        self.designs = {i: (e.X, e.y[:, None]) for i, e in enumerate(eqs)}
        if model in (4, 6):   # the moments of X and Y, for the standardized indirect effects
            xv, yv = cols[x], cols[y]
            self.designs["moments"] = (np.ones((len(yv), 1)), np.column_stack([xv, xv * xv, yv, yv * yv]))
            self.n = len(yv)
        self.w_levels = []
        self.w_dichotomous = False
        self.contrast_pairs = []

    # effects as functions of coefficient arrays (one fit, or stacked bootstrap fits)
    def effects(self, *Bs) -> dict:
        def g(i, term):
            return Bs[i][..., self.eqs[i].idx(term), 0]

        x, w, meds, model = self.x, self.w, self.meds, self.model
        out = {}
        if model not in _MEDIATION:
            return out
        k = len(meds)
        ky = k  # index of the outcome equation
        if model == 6:
            total = 0.0
            for path in _serial_paths(k):
                eff = g(path[0], x)
                for prev, nxt in zip(path, path[1:]):
                    eff = eff * g(nxt, meds[prev])
                eff = eff * g(ky, meds[path[-1]])
                out[("indirect", path, None)] = eff
                total = total + eff
            out[("indirect", "total", None)] = total
            return self._standardized(_with_contrasts(out), Bs[-1])
        for j, m in enumerate(meds):
            a, b = g(j, x), g(ky, m)
            a_w = g(j, f"{x}:{w}") if model in _A_W else None
            b_w = g(ky, f"{m}:{w}") if model in _B_W else None
            if a_w is None and b_w is None:
                out[("indirect", (j,), None)] = a * b
                continue
            conds = {}
            for lvl, wv in self.w_levels:
                ce = (a + (a_w * wv if a_w is not None else 0.0)) * (b + (b_w * wv if b_w is not None else 0.0))
                conds[lvl] = ce
                out[("indirect", (j,), lvl)] = ce
            if model in (7, 8):
                out[("index", (j,), None)] = a_w * b
            elif model in (14, 15):
                out[("index", (j,), None)] = a * b_w
            else:                                        # 58, 59: W on both stages
                if self.w_dichotomous:
                    (l1, w1), (l2, w2) = self.w_levels
                    out[("index", (j,), None)] = (conds[l2] - conds[l1]) / (w2 - w1)
                    continue
                out[("partial", (j,), "first_stage")] = a_w * b
                out[("partial", (j,), "second_stage")] = a * b_w
                out[("partial", (j,), "product")] = a_w * b_w
                for l1, l2 in self.contrast_pairs:
                    out[("contrast", (j,), (l2, l1))] = conds[l2] - conds[l1]
        if model in (4, 5) and k > 1:
            out[("indirect", "total", None)] = sum(out[("indirect", (j,), None)] for j in range(k))
            out = _with_contrasts(out)
        if model == 4:
            out = self._standardized(out, Bs[-1])
        return out

    def _standardized(self, out, moments):
        """Completely (ab SD_X / SD_Y) and partially (ab / SD_Y) standardized indirect effects, the
        SDs (n - 1) of the same sample or resample (PROCESS's effect sizes of models 4 and 6)."""
        mo = moments[..., 0, :]
        n = self.n
        var_x = (mo[..., 1] - mo[..., 0] ** 2) * n / (n - 1)
        var_y = (mo[..., 3] - mo[..., 2] ** 2) * n / (n - 1)
        sd_x, sd_y = np.sqrt(np.maximum(var_x, 0)), np.sqrt(np.maximum(var_y, 0))
        for key in [k_ for k_ in out if k_[0] == "indirect"]:
            out[("std", key[1], "completely")] = out[key] * sd_x / sd_y
            out[("std", key[1], "partially")] = out[key] / sd_y
        return out


def _with_contrasts(out):
    """Pairwise differences of the specific indirect effects (PROCESS's ``contrast=1``), appended."""
    paths = [key[1] for key in out if key[0] == "indirect" and key[1] != "total" and key[2] is None]
    for i, p in enumerate(paths):
        for q in paths[i + 1:]:
            out[("icontrast", p, q)] = out[("indirect", p, None)] - out[("indirect", q, None)]
    return out


def _serial_paths(k):
    """Every chain of mediators in order (model 6): (0,), (1,), (0, 1), ... ordered by PROCESS's
    listing: by the first mediator, then length."""
    paths = []
    for r in range(1, k + 1):
        paths += list(itertools.combinations(range(k), r))
    return sorted(paths, key=lambda p: (p[0], len(p), p))


def _moderator_values(v, how, name, at=None):
    """([(label, value)], dichotomous): ``at`` when given (PROCESS's wmodval/zmodval), else the two
    values of a dichotomous moderator, else percentiles 16/50/84 (R quantile type 7) or mean -1 SD,
    mean, mean +1 SD."""
    u = np.unique(v)
    if at:
        vals = [float(a) for a in at]
        return [(f"{a:g}", a) for a in vals], len(u) == 2 and len(vals) == 2
    if len(u) == 2:
        return [(f"{u[0]:g}", float(u[0])), (f"{u[1]:g}", float(u[1]))], True
    if len(u) < 2:
        raise AvoidSurveyError(f"process '{name}': the moderator is constant")
    if how == "mean_sd":
        mu, sd = float(v.mean()), float(v.std(ddof=1))
        return [("mean-1SD", mu - sd), ("mean", mu), ("mean+1SD", mu + sd)], False
    q = np.quantile(v, [0.16, 0.50, 0.84])
    return [("p16", float(q[0])), ("p50", float(q[1])), ("p84", float(q[2]))], False


# ------------------------------------------------------------------ the public function
def fit_process(data, *, model: int, x: str, y: str, m=(), w: str | None = None, z: str | None = None,
                covariates=(), moderator_values: str = "percentiles", w_at=None, z_at=None, n_boot: int = 5000,
                seed=None,
                se: str = "classical", cluster: str | None = None, hc: str = "HC1", ci: float = 0.95,
                name: str = "process") -> ModelFit:
    """Fit PROCESS model ``model`` (Hayes 2018) by OLS with percentile bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame with numeric columns (covariates already as design columns)
    model : one of 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59
    x, y, m, w, z, covariates : the variables as PROCESS names them (``m`` a name or a list)
    moderator_values : 'percentiles' (16th, 50th, 84th; PROCESS's default) or 'mean_sd'
    w_at, z_at : explicit moderator values instead (PROCESS's ``wmodval`` / ``zmodval``)
    n_boot, seed : bootstrap resamples (0: no bootstrap) and the seed of numpy's default_rng
    se : 'classical', 'HC0'-'HC3' or 'cluster' (then ``cluster`` names the column; the bootstrap
        then resamples whole clusters)
    ci : level of every interval

    Returns
    -------
    ModelFit of family ``process``: coefficients of every equation (terms ``"x -> m"``), effects
    rows (``indirect`` / ``direct`` / ``total``, with ``w``/``z`` and ``level`` when conditional),
    and in ``extra``: ``process`` (model and roles), ``path_models`` (each equation with R², F,
    df and its coefficients), ``conditional_effects`` (models 1-3), ``conditional_direct_effects``
    (5, 8, 15, 59), ``conditional_interaction`` (3), ``conditional_indirect_effects``,
    ``index_of_moderated_mediation`` (7, 8, 14, 15; 58/59 with a dichotomous W),
    ``partial_moderated_mediation`` and ``contrasts`` (58, 59), ``johnson_neyman`` (1, 3),
    ``indirect_contrasts`` (pairwise differences of specific indirect effects: 4 and 5 with several
    mediators, 6), ``proportion_mediated`` (indirect / total, point estimates; 4 and 6) and
    ``standardized_indirect_effects`` (completely: ab SD_X/SD_Y, partially: ab/SD_Y, with bootstrap
    CIs from each resample's own SDs; 4 and 6). A path
    model with product terms has ``interaction_tests`` (R² change and F of each highest-order
    product, as PROCESS's "test of highest order unconditional interaction").
    Checked against R ``lm`` + ``sandwich`` and an R bootstrap loop over the same resample
    indices (tests/reference/model_process.R).
    """
    import pandas as pd

    from .mediation import _bootstrap, _cluster_units, complete_cases

    if not isinstance(data, pd.DataFrame):
        raise AvoidSurveyError("process: data must be a table (pandas DataFrame)")
    try:
        model = int(model)
    except (TypeError, ValueError):
        raise AvoidSurveyError(f"process: model must be a number, got {model!r}") from None
    roles = process_roles(model)
    meds = [m] if isinstance(m, str) else list(m or ())
    covs = [covariates] if isinstance(covariates, str) else list(covariates or ())
    _check(model, roles, x, y, meds, w, z, covs, moderator_values, se, cluster, ci, data, name, w_at, z_at)
    warnings: list = []
    used = [x, y] + meds + ([w] if w else []) + ([z] if z else []) + covs
    cols, keep = complete_cases(data, used, cluster, name, warnings, family="process")
    n = len(cols[x])
    clusters = [data[cluster].to_numpy()[keep]] if se == "cluster" else None
    pm = _Process(model, cols, x, y, meds, w, z, covs)
    _check_estimable(pm, n, name)
    fits = [_path_fit(e.X, e.y, se, clusters, hc) for e in pm.eqs]
    total_fit = _path_fit(pm.total_eq.X, pm.total_eq.y, se, clusters, hc) if pm.total_eq else None
    if w:
        pm.w_levels, pm.w_dichotomous = _moderator_values(cols[w], moderator_values, name, w_at)
        lv = [lbl for lbl, _ in pm.w_levels]
        pm.contrast_pairs = list(itertools.combinations(lv, 2))
    z_levels = _moderator_values(cols[z], moderator_values, name, z_at)[0] if z else []
    moments = ([pm.designs["moments"][1].mean(axis=0)[None, :]] if "moments" in pm.designs else [])
    point = pm.effects(*[f[0][:, None] for f in fits], *moments)
    boot, n_ok, n_units = None, 0, n
    if point and n_boot > 0:
        codes, n_units = _cluster_units(data, cluster, keep, n, name, warnings) if cluster else (None, n)
        boot, n_ok = _bootstrap(pm, point, codes, n_units, n_boot, seed, name, warnings)
    alpha = 1 - ci
    path_models, coefs = _path_models(pm, fits, ci, se, clusters, hc)
    extra = {"process": {"model": model, "x": x, "y": y, "m": meds, "w": w, "z": z, "covariates": covs,
                         "moderator_values": ("values" if w_at else moderator_values) if w else None,
                         "w_values": [{"level": lbl, "w": v} for lbl, v in pm.w_levels],
                         "z_values": [{"level": lbl, "z": v} for lbl, v in z_levels]},
             "path_models": path_models}
    effects = []
    yfit, yeq = fits[-1], pm.eqs[-1]
    _direct(model, pm, yeq, yfit, z_levels, ci, effects, extra)
    if total_fit is not None:
        _total_effect(pm, total_fit, ci, effects, extra)
    _bootstrap_summaries(pm, point, boot, alpha, effects, extra)
    _johnson_neyman(model, pm, yeq, yfit, cols, ci, extra)
    fit = {"r2": {p_["outcome"]: p_["r2"] for p_ in path_models},
           "n_boot": n_boot if point else 0, "n_boot_used": n_ok, "seed": seed if isinstance(seed, (int, type(None)))
           else None, "ci": ci, "ci_method": "percentile bootstrap (R quantile type 7)" if point else None,
           "bootstrap_unit": (cluster or "row") if point and n_boot else None}
    n_groups = {cluster: int(len(np.unique(np.asarray(clusters[0]).astype(str))))} if clusters else None
    label = se if se != "cluster" else f"cluster ({hc})"
    return ModelFit(name=name, family="process", n=n, n_groups=n_groups, coefficients=coefs, fit=fit,
                    se_type=label, warnings=warnings, effects=effects, extra=extra)


def _check_estimable(pm, n, name) -> None:
    """Every equation (and the total-effect one) has more complete rows than coefficients and
    full-rank columns, else one clear error."""
    for e in pm.eqs + ([pm.total_eq] if pm.total_eq else []):
        if n <= e.X.shape[1] or np.linalg.matrix_rank(e.X) < e.X.shape[1]:
            raise AvoidSurveyError(f"process '{name}': the equation of '{e.outcome}' cannot be estimated "
                                   f"({n} complete rows, {e.X.shape[1]} coefficients, or collinear columns)")


def _path_models(pm, fits, ci, se, clusters, hc):
    """(the path-model tables with their highest-order interaction tests, the coefficients of
    every equation as ``"term -> outcome"`` rows)."""
    path_models = [_path_model(e, f, ci) for e, f in zip(pm.eqs, fits)]
    for e, f, p_ in zip(pm.eqs, fits, path_models):
        tests = _interaction_tests(e, f, se, clusters, hc)
        if tests:
            p_["interaction_tests"] = tests
    coefs = [Coef(f"{c['term']} -> {pm_['outcome']}", c["estimate"], c["se"], c["t"], c["p"], c["ci_lower"],
                  c["ci_upper"]) for pm_ in path_models for c in pm_["coefficients"]]
    return path_models, coefs


def _total_effect(pm, total_fit, ci, effects, extra) -> None:
    """The total-effect model (models 4 and 6) and its X coefficient as the total effect."""
    tm = _path_model(pm.total_eq, total_fit, ci)
    extra["total_effect_model"] = tm
    c = tm["coefficients"][1]
    effects.append({"effect": "total", "via": None, "estimate": c["estimate"], "se": c["se"], "t": c["t"],
                    "p": c["p"], "ci_lower": c["ci_lower"], "ci_upper": c["ci_upper"]})


def _check(model, roles, x, y, meds, w, z, covs, how, se, cluster, ci, data, name, w_at=None, z_at=None):
    if roles["m"] and not meds:
        raise AvoidSurveyError(f"process '{name}': model {model} needs a mediator 'm'")
    if not roles["m"] and meds:
        raise AvoidSurveyError(f"process '{name}': model {model} has no mediator (drop 'm')")
    if roles["serial"] and not 2 <= len(meds) <= 6:
        raise AvoidSurveyError(f"process '{name}': model 6 (serial mediation) needs 2 to 6 mediators")
    if roles["w"] != bool(w):
        raise AvoidSurveyError(f"process '{name}': model {model} " + ("needs a moderator 'w'" if roles["w"]
                                                                      else "has no moderator (drop 'w')"))
    if roles["z"] != bool(z):
        raise AvoidSurveyError(f"process '{name}': model {model} " + ("needs a second moderator 'z'" if roles["z"]
                                                                      else "has no second moderator (drop 'z')"))
    for nm, at in (("w_at", w_at), ("z_at", z_at)):
        if at is not None and (not at or (nm == "w_at" and not w) or (nm == "z_at" and not z)):
            raise AvoidSurveyError(f"process '{name}': '{nm}' needs the moderator {nm[0]} and at least one value")
    if how not in ("percentiles", "mean_sd"):
        raise AvoidSurveyError(f"process '{name}': moderator_values is 'percentiles' or 'mean_sd', not {how!r}")
    if not 0 < ci < 1:
        raise AvoidSurveyError(f"process '{name}': ci must lie between 0 and 1, got {ci}")
    if se == "cluster" and not cluster:
        raise AvoidSurveyError(f"process '{name}': cluster-robust SEs need the cluster column")
    roles_ = [x, y] + meds + [v for v in (w, z) if v] + covs
    if len(set(roles_)) != len(roles_):
        raise AvoidSurveyError(f"process '{name}': x, y, m, w, z and covariates must be different columns")
    missing = [c for c in roles_ + ([cluster] if cluster else []) if c not in data.columns]
    if missing:
        raise AvoidSurveyError(f"process '{name}': unknown column '{missing[0]}'", column=missing[0])


def _path_model(e, f, ci):
    """One equation as PROCESS prints it: R, R², MSE, F, df1, df2, p and the coefficient table."""
    beta, V, df, r2, res = f
    crit = t_crit(ci, df)
    coefs = []
    for i, term in enumerate(e.terms):
        s = math.sqrt(V[i, i]) if V[i, i] > 0 else float("nan")
        t = beta[i] / s
        coefs.append({"term": term, "estimate": float(beta[i]), "se": s, "t": float(t), "p": t_sf2(t, df),
                      "ci_lower": float(beta[i] - crit * s), "ci_upper": float(beta[i] + crit * s)})
    slopes = list(range(1, len(e.terms)))
    F = _wald_f(beta, V, slopes)
    return {"outcome": e.outcome, "n": int(len(e.y)), "r": math.sqrt(max(r2, 0.0)), "r2": r2,
            "mse": float(res @ res) / df, "f": F, "df1": len(slopes), "df2": int(df), "p": f_sf(F, len(slopes), df),
            "coefficients": coefs}


def _interaction_tests(e, f, se, clusters, hc):
    """PROCESS's "test of highest order unconditional interaction": for each highest-order
    product term of the equation, R² change when it is dropped and its F(1, df) under the chosen
    covariance (the anova F-change with classical SEs)."""
    beta, V, df, r2 = f[0], f[1], f[2], f[3]
    prods = [t for t in e.terms if ":" in t]
    top = max((t.count(":") for t in prods), default=0)
    out = []
    for t in (t for t in prods if t.count(":") == top):
        i = e.idx(t)
        keep = [j for j in range(len(e.terms)) if j != i]
        r2_0 = _path_fit(e.X[:, keep], e.y, "classical", None, hc)[3]
        F = _wald_f(beta, V, [i])
        out.append({"term": t, "r2_change": r2 - r2_0, "f": F, "df1": 1, "df2": int(df), "p": f_sf(F, 1, df)})
    return out


def _lincomb(beta, V, weights, df, ci):
    """Estimate, SE, t, p and CI of sum_k w_k beta_k."""
    g = np.zeros(len(beta))
    for i, wt in weights.items():
        g[i] += wt
    est = float(g @ beta)
    var = float(g @ V @ g)
    se = math.sqrt(var) if var > 0 else float("nan")
    t = est / se
    crit = t_crit(ci, df)
    return {"estimate": est, "se": se, "t": t, "p": t_sf2(t, df), "ci_lower": est - crit * se,
            "ci_upper": est + crit * se}


def _direct(model, pm, yeq, yfit, z_levels, ci, effects, extra):
    """Direct / conditional effects of X on Y (t-based, as PROCESS) and model 3's conditional
    X·W interaction."""
    beta, V, df = yfit[0], yfit[1], yfit[2]
    x, w, z = pm.x, pm.w, pm.z
    ix = yeq.idx(x)
    if model not in _D_W:
        effects.append({"effect": "direct", "via": None, **_lincomb(beta, V, {ix: 1.0}, df, ci)})
        return
    rows = []
    for lw, wv in pm.w_levels:
        for lz, zv in (z_levels or [(None, None)]):
            wts = {ix: 1.0, yeq.idx(f"{x}:{w}"): wv}
            if model in (2, 3):
                wts[yeq.idx(f"{x}:{z}")] = zv
            if model == 3:
                wts[yeq.idx(f"{x}:{w}:{z}")] = wv * zv
            row = {"effect": "direct", "via": None, "level": lw, "w": wv}
            if lz is not None:
                row.update(z_level=lz, z=zv)
            row.update(_lincomb(beta, V, wts, df, ci))
            rows.append(row)
    effects.extend(rows)
    extra["conditional_effects" if model in (1, 2, 3) else "conditional_direct_effects"] = rows
    if model == 3:
        extra["conditional_interaction"] = [
            {"level": lz, "z": zv, **_lincomb(beta, V, {yeq.idx(f"{x}:{w}"): 1.0, yeq.idx(f"{x}:{w}:{z}"): zv},
                                              df, ci)} for lz, zv in z_levels]


def _via(pm, path):
    return "total" if path == "total" else " -> ".join(pm.meds[j] for j in path)


def _bootstrap_summaries(pm, point, boot, alpha, effects, extra):
    def summary(key):
        est = float(point[key])
        if boot is None:
            return {"estimate": est, "se": None, "ci_lower": None, "ci_upper": None}
        v = boot[key]
        lo, hi = np.quantile(v, [alpha / 2, 1 - alpha / 2])
        return {"estimate": est, "se": float(v.std(ddof=1)), "ci_lower": float(lo), "ci_upper": float(hi)}

    conds, index, partial, contrasts, icontrasts, standardized = [], [], [], [], [], []
    wv = dict(pm.w_levels)
    for key in point:
        kind, path, lvl = key
        if kind == "icontrast":
            icontrasts.append({"via": _via(pm, path), "minus_via": _via(pm, lvl), **summary(key)})
            continue
        if kind == "std":
            standardized.append({"via": _via(pm, path), "kind": lvl, **summary(key)})
            continue
        via = _via(pm, path)
        if kind == "indirect":
            row = {"effect": "indirect", "via": via}
            if path != "total":
                row["path"] = [pm.x] + [pm.meds[j] for j in path] + [pm.y]
            if lvl is not None:
                row.update(level=lvl, w=wv[lvl])
            row.update(summary(key))
            effects.append(row)
            if lvl is not None:
                conds.append(row)
        elif kind == "index":
            index.append({"via": via, "moderator": pm.w, **summary(key)})
        elif kind == "partial":
            partial.append({"via": via, "moderator": pm.w, "component": lvl, **summary(key)})
        else:
            hi_l, lo_l = lvl
            contrasts.append({"via": via, "level": hi_l, "w": wv[hi_l], "minus_level": lo_l, "minus_w": wv[lo_l],
                              **summary(key)})
    if conds:
        extra["conditional_indirect_effects"] = conds
    if index:
        extra["index_of_moderated_mediation"] = index
    if partial:
        extra["partial_moderated_mediation"] = partial
    if contrasts:
        extra["contrasts"] = contrasts
    if icontrasts:
        extra["indirect_contrasts"] = icontrasts
    if standardized:
        extra["standardized_indirect_effects"] = standardized
    total = next((e for e in effects if e["effect"] == "total"), None)
    if total is not None and total["estimate"] != 0:   # models 4 and 6: share of the total effect
        extra["proportion_mediated"] = [{"via": e["via"], "proportion": e["estimate"] / total["estimate"]}
                                        for e in effects if e["effect"] == "indirect"]


def _johnson_neyman(model, pm, yeq, yfit, cols, ci, extra):
    """Johnson-Neyman bounds within the observed range (model 1: over W; model 3: the X·W
    interaction over Z), the share of cases below and above each, and a 21-point grid."""
    if model not in (1, 3):
        return
    from .moderation import jn_bounds
    beta, V, df = yfit[0], yfit[1], yfit[2]
    x, w, z = pm.x, pm.w, pm.z
    if model == 1:
        i0, i1, mod = yeq.idx(x), yeq.idx(f"{x}:{w}"), w
    else:
        i0, i1, mod = yeq.idx(f"{x}:{w}"), yeq.idx(f"{x}:{w}:{z}"), z
    v = cols[mod]
    if len(np.unique(v)) <= 2:
        return
    t = t_crit(ci, df)
    kind, bounds = jn_bounds(beta[i0], beta[i1], V[i0, i0], V[i1, i1], V[i0, i1], t)
    lo, hi = float(v.min()), float(v.max())
    inside = [b for b in bounds if lo <= b <= hi]
    points = [{"value": b, "pct_below": float(100 * (v < b).mean()), "pct_above": float(100 * (v > b).mean())}
              for b in inside]
    grid_vals = sorted(set(list(np.linspace(lo, hi, 21)) + inside))
    grid = [{"value": float(g), **_lincomb(beta, V, {i0: 1.0, i1: g}, df, ci)} for g in grid_vals]
    extra["johnson_neyman"] = {"moderator": mod, "of": "effect" if model == 1 else "interaction",
                               "alpha": 1 - ci, "bounds": bounds, "significant": kind,
                               "observed_range": [lo, hi], "points": points, "table": grid}
