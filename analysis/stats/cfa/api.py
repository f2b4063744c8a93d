"""`cfa`: confirmatory factor analysis and measurement invariance, equal to lavaan::cfa.

In R::

    fit <- lavaan::cfa(model, data)                       # ML, marker variable, N-based chi-square
    fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                       "rmsea.ci.upper", "srmr", "aic", "bic"))
    standardizedSolution(fit)                             # std.all
    cfa(model, data, group = "g", group.equal = c("loadings", "intercepts"))

Checked against lavaan 0.6-14 on HolzingerSwineford1939 (3 factors, std.lv, orthogonal,
second order, invariance across school), PoliticalDemocracy (equality labels, residual
covariances) and psych::bfi (5 factors and a second-order factor, listwise): see
tests/reference/cfa.R.

Items are analysed on their raw codes: a reverse-keyed item gets a negative loading.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError, ConvergenceWarning, HeywoodWarning, warn
from .syntax import parse_model

__all__ = ["cfa", "CFAResult", "instrument_model"]


def instrument_model(instrument, scales=None, second_order: bool = False) -> str:
    """lavaan syntax of an instrument's measurement model.

    Every scale loads its items; a scale with facets becomes one factor per facet (and, with
    ``second_order``, the scale a second-order factor over its facets). ``scales`` picks
    scales or facets by id.
    """
    chosen = []
    if scales:
        for sid in scales:
            try:
                chosen.append(instrument.scale(sid))
            except KeyError:
                valid = ", ".join(s.id for s in instrument.all_scales())
                raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{sid}' "
                                       f"(scales and facets: {valid})") from None
    else:
        chosen = list(instrument.scales)
    lines = []
    for s in chosen:
        if s.facets:
            for f in s.facets:
                lines.append(f"{f.id} =~ " + " + ".join(f.item_ids))
            if second_order:
                lines.append(f"{s.id} =~ " + " + ".join(f.id for f in s.facets))
        else:
            lines.append(f"{s.id} =~ " + " + ".join(s.item_ids))
    return "\n".join(lines)


@dataclass
class Fitted:
    """One fitted model: parameter table rows with estimates, fit measures, moments."""

    model: object
    est: object
    groups: list
    fit: dict
    params: list      # dicts: lhs, op, rhs, group, label, estimate, se, z, p, std, free


@dataclass
class CFAResult:
    n: int
    model_syntax: str
    fit: dict
    loadings: list
    parameters: list
    factor_reliability: dict
    factor_correlations: dict
    htmt: dict
    residual_covariances: dict
    converged: bool
    iterations: int
    n_dropped: int = 0
    group: str | None = None
    groups: list = field(default_factory=list)
    invariance: list = field(default_factory=list)
    std_lv: bool = False
    htmt2: dict = field(default_factory=dict)
    missing: str = "listwise"
    factor_labels: dict = field(default_factory=dict)   # factor id -> {en, zh} from the instrument
    estimator: str = "ML"
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {"n": self.n, "n_dropped": self.n_dropped, "estimator": self.estimator, "missing": self.missing,
             "converged": self.converged, "iterations": self.iterations, "std_lv": self.std_lv,
             "model": self.model_syntax, "fit": self.fit, "loadings": self.loadings,
             "factor_reliability": self.factor_reliability, "factor_correlations": self.factor_correlations,
             "htmt": self.htmt, "htmt2": self.htmt2, "parameters": self.parameters, "residual_covariances": self.residual_covariances,
             "warnings": list(self.warnings)}
        if self.group is not None:
            d["group"] = self.group
            d["groups"] = self.groups
            d["invariance"] = self.invariance
        return d

    def to_tables(self, lang: str = "en"):
        from ...core.i18n import text_in, tr
        from ...core.table import Cell, Column, Table

        def name(f):  # a factor's instrument label in the table language, with its id
            lab = text_in(self.factor_labels.get(f), lang)
            return f"{lab} ({f})" if lab and lab != f else f

        tabs = []
        f = self.fit
        t = Table("@cfa_fit", [Column("index", "@cfa_index", "text"), Column("value", "@cfa_value")],
                  name="cfa_fit")
        t.add("N", Cell(self.n, "int"))
        t.add(tr("chisq", lang), Cell(f["chisq"], "stat"))
        t.add(tr("df", lang), Cell(f["df"], "int"))
        t.add("p", Cell(f["pvalue"], "p"))
        t.add("CFI", f["cfi"])
        t.add("TLI", f["tli"])
        t.add("RMSEA", f["rmsea"])
        t.add(tr("cfa_rmsea_ci", lang), Cell((f["rmsea_ci_lower"], f["rmsea_ci_upper"]), "ci"))
        t.add("SRMR", f["srmr"])
        t.add("AIC", Cell(f["aic"], "num", decimals=1))
        t.add("BIC", Cell(f["bic"], "num", decimals=1))
        t.notes.append({"en": "Maximum likelihood as lavaan::cfa (N-based chi-square); RMSEA with 90% CI; "
                              "SRMR as lavaan's srmr (Bentler).",
                        "zh": "最大似然估计，与 lavaan::cfa 一致（基于 N 的卡方）；RMSEA 附 90% 置信区间；"
                              "SRMR 为 lavaan 默认定义（Bentler）。"})
        tabs.append(t)

        t = Table("@cfa_loadings", [Column("item", "@item", "text"), Column("estimate", "@estimate", "est"),
                                    Column("se", "@se", "num"), Column("z", "@z", "stat"), Column("p", "@p", "p"),
                                    Column("std", "@cfa_std_loading")], name="cfa_loadings")
        cur = None
        for r in self.loadings:
            if r["factor"] != cur:
                cur = r["factor"]
                t.section(name(cur))
            t.add(r["item"], r["estimate"], r["se"], r["z"], r["p"], r["std"])
        if self.std_lv:
            t.notes.append({"en": "Factor variances fixed to 1.", "zh": "因子方差固定为 1。"})
        else:
            t.notes.append({"en": "The first loading of each factor is fixed to 1 (no SE). Items are on their raw "
                                  "codes: reverse-keyed items load negatively.",
                            "zh": "每个因子的第一个载荷固定为 1（无标准误）。条目使用原始编码，反向计分条目的载荷为负。"})
        tabs.append(t)

        if self.factor_reliability:
            names = list(self.factor_reliability)
            t = Table("@cfa_reliability", [Column("factor", "@factor", "text"), Column("k", "@k", "int"),
                                           Column("cr", "@cr"), Column("ave", "@ave"),
                                           Column("sqrt_ave", "@cfa_sqrt_ave"), Column("max_r", "@cfa_max_r")],
                      name="cfa_reliability")
            for a in names:
                fr = self.factor_reliability[a]
                others = [abs(v) for b, v in self.factor_correlations.get(a, {}).items() if b in names]
                t.add(name(a), fr["n_items"], fr["cr"], fr["ave"], fr["sqrt_ave"], max(others) if others else math.nan)
            t.notes.append({"en": "CR = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)), AVE = mean l^2, l the absolute "
                                  "standardized loadings; Fornell-Larcker: sqrt(AVE) above the largest |r| with "
                                  "another factor.",
                            "zh": "CR = (Σl)² / ((Σl)² + Σ(1 − l²))，AVE = l² 的均值，l 为标准化载荷的绝对值；"
                                  "Fornell-Larcker 准则：√AVE 应大于与其他因子的最大 |r|。"})
            tabs.append(t)
        if len(self.factor_correlations) > 1:
            names = list(self.factor_correlations)
            t = Table("@cfa_factor_corr", [Column("factor", "@factor", "text")] + [Column(g, g) for g in names],
                      name="cfa_factor_correlations")
            for a in names:
                t.add(name(a), *[self.factor_correlations[a].get(b, math.nan) if a != b else 1.0 for b in names])
            tabs.append(t)
        if len(self.htmt) > 1:
            names = list(self.htmt)
            t = Table("@cfa_htmt", [Column("factor", "@factor", "text")] + [Column(g, g) for g in names],
                      name="cfa_htmt")
            for a in names:
                t.add(name(a), *[self.htmt[a][b] if a != b else math.nan for b in names])
            t.notes.append({"en": "Heterotrait-monotrait ratio (Henseler et al. 2015) of item correlations; "
                                  "values above 0.85 question discriminant validity.",
                            "zh": "异质-单质比（HTMT，Henseler 等 2015），基于条目相关；大于 0.85 提示区分效度不足。"})
            tabs.append(t)
        if self.invariance:
            t = Table("@cfa_invariance", [Column("level", "@level", "text"), Column("chisq", "@chisq", "stat"),
                                          Column("df", "@df", "int"), Column("cfi", "@cfi"), Column("tli", "@tli"),
                                          Column("rmsea", "@rmsea"), Column("srmr", "@srmr"),
                                          Column("chisq_diff", "@cfa_chisq_diff", "stat"),
                                          Column("df_diff", "@cfa_df_diff", "int"), Column("p_diff", "@p", "p"),
                                          Column("delta_cfi", "@delta_cfi")], name="cfa_invariance")
            for r in self.invariance:
                t.add(tr("cfa_" + r["level"], lang), r["chisq"], r["df"], r["cfi"], r["tli"], r["rmsea"], r["srmr"],
                      r["chisq_diff"], r["df_diff"], r["p_diff"], r["delta_cfi"])
            gl = ", ".join(f"{g['group']} (n = {g['n']})" for g in self.groups)
            t.notes.append({"en": f"Groups by {self.group}: {gl}. Metric: equal loadings; scalar: equal loadings "
                                  f"and intercepts (lavaan group.equal). Differences against the previous step.",
                            "zh": f"按 {self.group} 分组：{gl}。度量不变：载荷相等；标量不变：载荷与截距相等"
                                  f"（lavaan group.equal）。差异检验相对于上一步模型。"})
            tabs.append(t)
        return tabs


# ---------------------------------------------------------------------------- internals
def _numeric(data, cols, file):
    """Float matrix (rows x cols) of the named columns of a pandas frame or a NumericFrame."""
    import numpy as np

    if hasattr(data, "matrix"):  # io.NumericFrame: already floats
        return np.array(data.matrix(cols), dtype=float)
    from ...core.frames import numeric_column

    out = [numeric_column(data[c], c, message="value '{value}' is not a number (CFA needs numeric item codes)",
                          file=file).to_numpy(dtype=float, na_value=np.nan) for c in cols]
    return np.column_stack(out) if out else np.empty((len(data), 0))


def _moments(x, name, file, fiml=False, ov=()):
    import numpy as np
    from .estimate import GroupData

    n, p = x.shape
    if n <= p:
        raise AvoidSurveyError(f"{'group ' + repr(name) + ': ' if name is not None else ''}only {n} "
                               f"{'usable' if fiml else 'complete'} rows for {p} observed variables; CFA needs more "
                               f"rows than variables", file=file)
    if fiml:
        from .fiml import em_saturated, pattern_f, pattern_logl, patterns

        seen = ~np.isnan(x)
        empty = [ov[j] for j in range(p) if seen[:, j].sum() < 2]
        if empty:
            raise AvoidSurveyError(f"item '{empty[0]}' has fewer than 2 observed values"
                                   f"{' in group ' + repr(str(name)) if name is not None else ''}", file=file,
                                   column=empty[0])
        pats = patterns(x)
        sigma, mu, _ = em_saturated(pats, p, n)
        gd = GroupData(str(name) if name is not None else "all", n, sigma, mu, patterns=pats,
                       f_h1=pattern_f(pats, n, sigma, mu), logl_h1=pattern_logl(pats, n, sigma, mu))
        return gd, np.sqrt(np.diag(sigma))
    S = np.cov(x.T, bias=True)
    sd = np.sqrt(np.diag(S))
    return GroupData(str(name) if name is not None else "all", n, S, x.mean(axis=0)), sd


def _check_pd(gd, ov, file):
    import numpy as np

    sd = np.sqrt(np.diag(gd.S))
    where = f" in group '{gd.name}'" if gd.name != "all" else ""
    const = [ov[i] for i in range(len(ov)) if sd[i] <= 1e-12]
    if const:
        raise AvoidSurveyError(f"item '{const[0]}' has no variance{where}; drop it from the model", file=file,
                               column=const[0])
    R = gd.S / np.outer(sd, sd)
    ev = np.linalg.eigvalsh(R)
    if ev[0] <= 1e-10:
        raise AvoidSurveyError(f"the sample covariance matrix{where} is not positive definite (smallest eigenvalue "
                               f"{ev[0]:.2g}): some items are linear combinations of others", file=file)


def _fit_one(statements, columns, groups, *, std_lv, group_equal=(), meanstructure=None, file=None,
             warnings=None):
    import numpy as np

    from ...numerics.dist import norm_sf
    from .estimate import _Filler, estimate, standardized
    from .fit import fit_measures
    from .model import build_model

    model = build_model(statements, columns, n_groups=len(groups), std_lv=std_lv, group_equal=group_equal,
                        meanstructure=meanstructure, file=file)
    pstar = model.p * (model.p + 1) // 2 + (model.p if model.meanstructure else 0)
    df = len(groups) * pstar - model.npar
    if df < 0:
        raise AvoidSurveyError(f"the model is not identified: {model.npar} free parameters but only "
                               f"{len(groups) * pstar} sample moments (df = {df})", file=file)
    est = estimate(model, groups)
    fm = fit_measures(model, est, groups)
    se = np.sqrt(np.clip(np.diag(est.vcov), 0, None))
    filler = _Filler(model)
    std = standardized(model, est.theta, filler)
    # delta-method SEs of the standardized values (lavaan's standardizedSolution se), central differences
    jac = np.empty((len(std), model.npar))
    for t in range(model.npar):
        h = 1e-6 * max(1.0, abs(est.theta[t]))
        up, dn = est.theta.copy(), est.theta.copy()
        up[t] += h
        dn[t] -= h
        jac[:, t] = (standardized(model, up, filler) - standardized(model, dn, filler)) / (2 * h)
    std_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, est.vcov, jac), 0, None))
    params = []
    for k, r in enumerate(model.rows):
        val = est.mats[r.group][r.mat][r.i, r.j]
        if r.free >= 0:
            s = float(se[r.free])
            z = float(val) / s if s > 0 else math.nan
            p = 2 * norm_sf(abs(z)) if math.isfinite(z) else math.nan
        else:
            s = z = p = math.nan
        params.append({"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": groups[r.group].name, "label": r.label,
                       "free": r.free >= 0, "estimate": float(val), "se": s, "z": z, "p": p,
                       "std": float(std[k]), "std_se": float(std_se[k]) if std_se[k] > 1e-12 else math.nan})
    if warnings is not None:
        for w in est.warnings:
            warn(w, ConvergenceWarning, sink=warnings)
        for r, pr in zip(model.rows, params):
            if r.op == "~~" and r.lhs == r.rhs and pr["estimate"] < 0:
                where = f" in group '{pr['group']}'" if len(groups) > 1 else ""
                kind = "residual variance of item" if r.mat == "theta" else "variance of factor"
                warn(f"Heywood case: negative {kind} '{r.lhs}' ({pr['estimate']:.4g}){where}; the solution is "
                     f"improper", HeywoodWarning, sink=warnings)
        for g, mt in enumerate(est.mats):
            where = f" in group '{groups[g].name}'" if len(groups) > 1 else ""
            A = np.linalg.inv(np.eye(model.m) - mt["beta"])
            if model.m > 1 and np.linalg.eigvalsh(A @ mt["psi"] @ A.T)[0] < -1e-10:
                warn(f"the covariance matrix of the factors{where} is not positive definite (a factor correlation "
                     f"beyond +-1 or a negative variance): the solution is improper", HeywoodWarning, sink=warnings)
            if np.linalg.eigvalsh(est.sigma[g])[0] <= 0:
                warn(f"the model-implied covariance matrix{where} is not positive definite", HeywoodWarning,
                     sink=warnings)
    return Fitted(model, est, groups, fm, params)


def _reliability(fitted, group_name):
    out = {}
    for f, items in fitted.model.first_order.items():
        # absolute values: a reverse-keyed item counts as if recoded (its loading is negative on raw codes)
        ls = [abs(p["std"]) for p in fitted.params if p["op"] == "=~" and p["lhs"] == f and p["rhs"] in items
              and p["group"] == group_name]
        s = sum(ls)
        cr = s * s / (s * s + sum(1 - x * x for x in ls))
        ave = sum(x * x for x in ls) / len(ls)
        out[f] = {"cr": cr, "ave": ave, "sqrt_ave": math.sqrt(ave) if ave >= 0 else math.nan,
                  "n_items": len(ls)}
    return out


def _htmt(R, ov, first_order):
    """HTMT of Henseler, Ringle & Sarstedt (2015) and HTMT2 (geometric means), as semTools::htmt,
    from the item correlation matrix R (absolute values)."""
    import numpy as np

    names = list(first_order)
    R = np.abs(R)
    idx = {c: k for k, c in enumerate(ov)}

    def block(a, b, same):
        ia = [idx[i] for i in first_order[a]]
        ib = [idx[i] for i in first_order[b]]
        sub = R[np.ix_(ia, ib)]
        if same:
            iu = np.triu_indices(len(ia), 1)
            return sub[iu]
        return sub.ravel()

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
            # a zero within-factor correlation leaves the ratio undefined (fuzzing found the
            # ZeroDivisionError): NaN, and the caller warns
            den = math.sqrt(ma.mean() * mb.mean())
            out[a][b] = float(het.mean() / den) if den > 0 else math.nan
            with np.errstate(divide="ignore"):
                g = lambda v: float(np.exp(np.mean(np.log(v))))  # noqa: E731
                den2 = math.sqrt(g(ma) * g(mb))
                out2[a][b] = float(g(het) / den2) if den2 > 0 else math.nan
    return out, out2


def cfa(data, *, model: str | None = None, instrument=None, scales=None, group: str | None = None,
        missing: str = "listwise", std_lv: bool = False, second_order: bool = False,
        model_file=None, file=None) -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa``.

    Parameters
    ----------
    data : pandas.DataFrame (left unchanged)
    model : lavaan syntax; or None with ``instrument`` (each scale, or each facet of a scale
        with facets, loads its items; ``second_order`` puts a scale over its facets)
    scales : restrict the instrument model to these scale or facet ids
    group : column defining groups: adds configural, metric and scalar invariance models
    missing : "listwise" (rows with a missing value on a model variable are dropped, as
        lavaan's default) or "ml" (full-information ML over the missing-data patterns, as
        lavaan's ``missing = "ml"``: mean structure, EM saturated model, observed-information SEs)
    std_lv : identify factors by unit variance instead of the first loading

    Returns
    -------
    CFAResult. Fit measures as lavaan's fitMeasures (see :mod:`.fit`), loadings with
    expected-information SEs, std = lavaan's std.all, CR and AVE (Fornell-Larcker) from the
    standardized loadings, HTMT from item correlations.
    """
    try:  # the matrices are small: BLAS threads only cost start-up and contention
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl is optional
        limits = None
    try:
        return _cfa(data, model=model, instrument=instrument, scales=scales, group=group, missing=missing,
                    std_lv=std_lv, second_order=second_order, model_file=model_file, file=file)
    finally:
        if limits is not None:
            limits.restore_original_limits()


def _cfa(data, *, model, instrument, scales, group, missing, std_lv, second_order, model_file, file):
    import numpy as np

    if missing not in ("listwise", "ml"):
        raise AvoidSurveyError(f"--missing {missing} is not available for CFA: use listwise (complete rows, "
                               f"lavaan's default) or ml (full-information ML, lavaan's missing = \"ml\")")
    fiml = missing == "ml"
    if model is None:
        if instrument is None:
            raise AvoidSurveyError("give a model (--model) or an instrument (--instrument)")
        model = instrument_model(instrument, scales, second_order)
        model_file = None
        statements0 = parse_model(model)
        lv0 = {st.lhs for st in statements0 if st.op == "=~"}
        pre_warn = []
        if second_order and not any(t.name in lv0 for st in statements0 for t in st.terms):
            pre_warn.append("--second-order has no effect: none of the chosen scales has facets")
        for st in statements0:
            if st.op == "=~" and len(st.terms) == 1 and st.terms[0].name not in lv0:
                # the generated syntax has no line a user could look up: name the scale instead
                raise AvoidSurveyError(f"scale '{st.lhs}' of instrument '{instrument.id}' has only one item "
                                       f"('{st.terms[0].name}'): a one-item factor is not identified; choose "
                                       f"other scales with --scale, or write the model with --model",
                                       file=file)
            absent = [t.name for t in st.terms if t.name not in lv0 and t.name not in data.columns]
            if absent:
                raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(absent)} of '{st.lhs}' "
                                       f"(instrument '{instrument.id}')", file=file, column=absent[0])
    else:
        pre_warn = []
    statements = parse_model(model, file=model_file)
    warnings: list[str] = list(pre_warn)
    if group is not None and group not in data.columns:
        raise AvoidSurveyError(f"no column '{group}' in the data for --group", file=file, column=group)
    lv = {s.lhs for s in statements if s.op == "=~"}
    names = []
    for s in statements:
        for nm in [t.name for t in s.terms] + [s.lhs]:
            if nm not in lv and nm not in names:
                names.append(nm)
    # unknown variables are reported by build_model with the syntax line
    present = [c for c in names if c in data.columns]
    x = _numeric(data, present, file)
    seen = ~np.isnan(x)
    keep = seen.any(axis=1) if fiml else seen.all(axis=1)
    if group is not None:
        keep &= data[group].notna().to_numpy()
    n_drop = int((~keep).sum())
    x = x[keep]
    col_of = {c: i for i, c in enumerate(present)}
    if n_drop:
        if fiml:
            note = f"{n_drop} of {len(keep)} rows dropped (no observed model variable"
        else:
            note = f"{n_drop} of {len(keep)} rows dropped (listwise: a missing value on a model variable"
        note += " or the group)" if group else ")"
        warnings.append(note)

    # the pooled model
    from .model import build_model
    ov = build_model(statements, data.columns, std_lv=std_lv, file=model_file).ov
    x = x[:, [col_of[c] for c in ov]]
    gd, _ = _moments(x, None, file, fiml, ov)
    _check_pd(gd, ov, file)
    pooled = _fit_one(statements, data.columns, [gd], std_lv=std_lv, file=model_file, warnings=warnings,
                      meanstructure=True if fiml else None)
    m = pooled.model
    loadings = [{"factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"], "se": p["se"], "z": p["z"],
                 "p": p["p"], "std": p["std"], "std_se": p["std_se"], "label": p["label"]}
                for p in pooled.params if p["op"] == "=~"]
    rel = _reliability(pooled, "all")
    for f, r in rel.items():
        if r["n_items"] < 3:
            warnings.append(f"factor '{f}' has {r['n_items']} indicator(s); its identification leans on its "
                            f"correlations with other factors")
    # model-implied factor correlations (through second-order factors too)
    mt = pooled.est.mats[0]
    A = np.linalg.inv(np.eye(m.m) - mt["beta"])
    phi = A @ mt["psi"] @ A.T
    dphi = np.sqrt(np.clip(np.diag(phi), 1e-300, None))
    phi = phi / np.outer(dphi, dphi)
    corr = {a: {b: float(phi[i, j]) for j, b in enumerate(m.lv) if j != i} for i, a in enumerate(m.lv)}
    for pr in pooled.params:
        if pr["op"] == "=~" and abs(pr["std"]) > 1:
            warn(f"Heywood case: standardized loading of '{pr['rhs']}' on '{pr['lhs']}' is {pr['std']:.3f} (> 1)",
                 HeywoodWarning, sink=warnings)
    if fiml:  # correlations of the EM (h1) covariance matrix
        sd = np.sqrt(np.diag(gd.S))
        R = gd.S / np.outer(sd, sd)
    else:
        R = np.corrcoef(x.T)
    htmt, _htmt2 = _htmt(R, ov, m.first_order) if len(m.first_order) > 1 else ({}, {})
    undefined = sorted({a for a in htmt for b in htmt[a] if a != b and math.isnan(htmt[a][b])})
    if undefined:
        warnings.append(f"HTMT is undefined for {', '.join(undefined)}: the factor has fewer than two "
                        f"indicators or its items do not correlate")
    resid = pooled.groups[0].S - pooled.est.sigma[0]
    resid_d = {a: {b: float(resid[i, j]) for j, b in enumerate(ov)} for i, a in enumerate(ov)}
    for p in pooled.params:
        for k in ("se", "z", "p", "std_se"):
            if p[k] is not None and isinstance(p[k], float) and math.isnan(p[k]):
                p[k] = None
    result = CFAResult(n=gd.n, model_syntax=model, fit=pooled.fit, loadings=loadings, parameters=pooled.params,
                       factor_reliability=rel, factor_correlations=corr, htmt=htmt,
                       residual_covariances=resid_d, converged=pooled.est.converged,
                       iterations=pooled.est.iterations, n_dropped=n_drop, std_lv=std_lv, htmt2=_htmt2,
                       warnings=warnings, missing=missing)
    if instrument is not None:
        for sc in instrument.all_scales():
            if sc.id in m.lv:
                result.factor_labels[sc.id] = sc.label
    if group is None:
        return result

    gvals = data.loc[keep, group]
    levels = list(dict.fromkeys(gvals.tolist()))
    if len(levels) < 2:
        raise AvoidSurveyError(f"column '{group}' has only one group among the complete rows", file=file,
                               column=group)
    groups = []
    for lvl in levels:
        xg = x[(gvals == lvl).to_numpy()]
        gdg, _ = _moments(xg, lvl, file, fiml, ov)
        _check_pd(gdg, ov, file)
        groups.append(gdg)
    inv = []
    prev = None
    for level, eq in (("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts"))):
        fitted = _fit_one(statements, data.columns, groups, std_lv=std_lv, group_equal=eq, meanstructure=True,
                          file=model_file, warnings=warnings)
        fm = fitted.fit
        row = {"level": level, "chisq": fm["chisq"], "df": fm["df"], "pvalue": fm["pvalue"], "cfi": fm["cfi"],
               "tli": fm["tli"], "rmsea": fm["rmsea"], "rmsea_ci_lower": fm["rmsea_ci_lower"],
               "rmsea_ci_upper": fm["rmsea_ci_upper"], "srmr": fm["srmr"], "aic": fm["aic"], "bic": fm["bic"],
               "npar": fm["npar"], "converged": fitted.est.converged,
               "chisq_diff": None, "df_diff": None, "p_diff": None, "delta_cfi": None, "delta_rmsea": None}
        if prev is not None:
            from ...numerics.dist import chi2_sf
            dchi = fm["chisq"] - prev["chisq"]
            ddf = fm["df"] - prev["df"]
            row.update(chisq_diff=dchi, df_diff=ddf,
                       p_diff=chi2_sf(dchi, ddf) if ddf > 0 else None,
                       delta_cfi=fm["cfi"] - prev["cfi"], delta_rmsea=fm["rmsea"] - prev["rmsea"])
        row["loadings"] = [{"group": p["group"], "factor": p["lhs"], "item": p["rhs"], "estimate": p["estimate"],
                            "se": None if math.isnan(p["se"]) else p["se"], "std": p["std"]}
                           for p in fitted.params if p["op"] == "=~"]
        inv.append(row)
        prev = row
    result.group = group
    result.groups = [{"group": g.name, "n": g.n} for g in groups]
    result.invariance = inv
    return result
