"""The regression table: one column per model, as journals print it.

Rows: each coefficient (estimate with stars, SE in parentheses below; odds ratios with
their CI for ``odds_ratio: true``), thresholds of ordinal models, mediation effects
(estimate, bootstrap CI below), random-effect variances, then N, groups and fit rows
(R², adj. R², ΔR², F, F change, pseudo R², log-likelihood, AIC, BIC, ICC). Notes declare
the stars and each model's SE type. A second table lists simple slopes and
Johnson-Neyman bounds when a model declares ``moderation``.
"""
from __future__ import annotations

from ..core.table import Cell, Column, Table
from ..stats.models.design import level_text
from ..stats.models.result import stars as _stars

__all__ = ["build_tables", "term_label"]

L = {
    "title": {"en": "Regression models", "zh": "回归模型结果"},
    "term": {"en": "Variable", "zh": "变量"},
    "Intercept": {"en": "Intercept", "zh": "常数项"},
    "n": {"en": "N", "zh": "样本量"},
    "r2": {"en": "R²", "zh": "R²"},
    "adj_r2": {"en": "Adj. R²", "zh": "调整后R²"},
    "r2_change": {"en": "ΔR²", "zh": "ΔR²"},
    "f": {"en": "F", "zh": "F值"},
    "f_change": {"en": "F change", "zh": "ΔF"},
    "pseudo_r2": {"en": "Pseudo R² (McFadden)", "zh": "伪R²（McFadden）"},
    "loglik": {"en": "Log-likelihood", "zh": "对数似然"},
    "aic": {"en": "AIC", "zh": "AIC"},
    "bic": {"en": "BIC", "zh": "BIC"},
    "icc": {"en": "ICC", "zh": "组内相关系数ICC"},
    "groups": {"en": "Groups", "zh": "组数"},
    "var": {"en": "Variance", "zh": "方差"},
    "residual": {"en": "residual", "zh": "残差"},
    "indirect": {"en": "Indirect effect", "zh": "间接效应"},
    "direct": {"en": "Direct effect", "zh": "直接效应"},
    "total": {"en": "Total effect", "zh": "总效应"},
    "index": {"en": "Index of moderated mediation", "zh": "有调节的中介指数"},
    "via": {"en": "via", "zh": "经由"},
    "slopes_title": {"en": "Simple slopes and Johnson-Neyman interval", "zh": "简单斜率与Johnson-Neyman区间"},
    "model": {"en": "Model", "zh": "模型"},
    "at": {"en": "Moderator at", "zh": "调节变量取值"},
    "mod_value": {"en": "Moderator value", "zh": "调节变量值"},
    "slope": {"en": "Slope", "zh": "斜率"},
    "se": {"en": "SE", "zh": "标准误"},
    "p": {"en": "p", "zh": "p"},
    "ci": {"en": "95% CI", "zh": "95%置信区间"},
    "stars": {"en": "Note: * p < {a}, ** p < {b}, *** p < {c} (two-sided).",
              "zh": "注：* p < {a}，** p < {b}，*** p < {c}（双侧检验）。"},
    "se_note": {"en": "Standard errors in parentheses; SE type: {x}.", "zh": "括号内为标准误；标准误类型：{x}。"},
    "ci_note": {"en": "95% confidence intervals in brackets; SE type: {x}.",
                "zh": "方括号内为95%置信区间；标准误类型：{x}。"},
    "or_note": {"en": "{x}: odds ratios, 95% CI in brackets.", "zh": "{x}：报告优势比，方括号内为95%置信区间。"},
    "med_note": {"en": "Mediation effects: percentile bootstrap CI in brackets; * the CI excludes 0.",
                 "zh": "中介效应：方括号内为百分位bootstrap置信区间；* 表示置信区间不含0。"},
    "robust_note": {"en": "Columns marked [..] re-run a model under other data rules (robustness).",
                    "zh": "标注[..]的列为稳健性检验（改变数据处理规则后重新估计）。"},
    "centered_note": {"en": "{x}: focal and moderator mean-centred before forming the product.",
                      "zh": "{x}：交互项构造前对自变量与调节变量做了均值中心化。"},
}

SE_NAMES = {
    "classical": {"en": "classical", "zh": "普通"},
    "HC0": {"en": "HC0 robust", "zh": "HC0稳健"},
    "HC1": {"en": "HC1 robust", "zh": "HC1稳健"},
    "HC2": {"en": "HC2 robust", "zh": "HC2稳健"},
    "HC3": {"en": "HC3 robust", "zh": "HC3稳健"},
}


def _t(key, lang):
    d = L[key]
    return d.get(lang) or d["en"]


def _name(labels, var, lang):
    lab = labels.get(var)
    if lab:
        return lab.get(lang) or lab.get("en") or var
    return var


def term_label(term: str, labels: dict, value_labels: dict, lang: str) -> str:
    """'accountability_pressure:rank[2]' -> 'Accountability pressure × Rank: 副科' (labels known)."""
    if term == "Intercept":
        return _t("Intercept", lang)
    if "->" in term:  # mediation path terms ("a: x -> m") are shown as they are
        return term.replace("->", "→")
    parts = []
    for p in term.split(":"):
        if p.endswith("]") and "[" in p:
            var, lv = p[:-1].split("[", 1)
            vl = value_labels.get(var, {}).get(lv)
            lvt = (vl.get(lang) or vl.get("en")) if vl else lv
            parts.append(f"{_name(labels, var, lang)}: {lvt}")
        else:
            parts.append(_name(labels, p, lang))
    return " × ".join(parts)


def _col_label(m, lang):
    lab = m.extra.get("label")
    if isinstance(lab, dict):
        return lab.get(lang) or lab.get("en") or m.name
    return lab or m.name


def _se_text(m, lang):
    st = m.se_type or ""
    if st in SE_NAMES:
        return SE_NAMES[st][lang if lang in ("en", "zh") else "en"]
    if st.startswith("cluster"):
        cl = ", ".join(m.n_groups or {})
        return (f"clustered by {cl} {st[len('cluster'):].strip()}" if lang != "zh"
                else f"按{cl}聚类稳健 {st[len('cluster'):].strip()}")
    if m.family == "mixed":
        return "model-based (lme4 vcov)" if lang != "zh" else "模型估计（同lme4）"
    if m.family == "mediation":
        return "bootstrap" if lang != "zh" else "bootstrap"
    return st


def build_tables(res, lang="en", stars=(0.05, 0.01, 0.001), show="se"):
    """The comparison table (and the simple-slopes table when any model has moderation)."""
    models = res.models
    labels, vlabels = res.labels, res.value_labels
    cols = [Column("term", _t("term", lang), kind="text")]
    for j, m in enumerate(models):
        cols.append(Column(f"m{j}", _col_label(m, lang), kind="est"))
    title = res.spec.get("title") or L["title"]
    t = Table(title, cols, name="models")
    K = len(models)

    # ---- coefficient rows (terms in order of first appearance; intercept and thresholds last)
    slope_terms, thresh_terms = [], []
    has_int = False
    for m in models:
        for c in m.coefficients:
            if c.term == "Intercept":
                has_int = True
            elif m.family == "ordinal" and "|" in c.term:
                if c.term not in thresh_terms:
                    thresh_terms.append(c.term)
            elif c.term not in slope_terms:
                slope_terms.append(c.term)
    order = slope_terms + (["Intercept"] if has_int else []) + thresh_terms

    def or_map(m):
        return {d["term"]: d for d in m.extra.get("odds_ratios", [])} if m.extra.get("odds_ratios") else None

    ors = [or_map(m) for m in models]
    for term in order:
        est_row = [term_label(term, labels, vlabels, lang)]
        se_row = [""]
        for j, m in enumerate(models):
            c = next((x for x in m.coefficients if x.term == term), None)
            if c is None:
                est_row.append(Cell(None, "est"))
                se_row.append(Cell(None, "se"))
                continue
            orm = ors[j]
            if orm is not None and term in orm and term != "Intercept" and "|" not in term:
                o = orm[term]
                est_row.append(Cell(o["odds_ratio"], "est", stars=_stars(c.p, stars)))
                se_row.append(Cell((o["ci_lower"], o["ci_upper"]), "ci"))
            else:
                is_thr = "|" in term
                est_row.append(Cell(c.estimate, "est", stars="" if is_thr else _stars(c.p, stars)))
                se_row.append(Cell((c.ci_lower, c.ci_upper), "ci") if show == "ci" else Cell(c.se, "se"))
        t.add(*est_row)
        t.add(*se_row)

    # ---- mediation effects (conditional indirect effects one row per moderator level)
    eff_keys = []
    for m in models:
        for e in m.effects or []:
            k = (e.get("effect"), e.get("via"), e.get("level"))
            if k not in eff_keys:
                eff_keys.append(k)
        for e in m.extra.get("index_of_moderated_mediation") or []:
            k = ("index", e.get("via"), None)
            if k not in eff_keys:
                eff_keys.append(k)

    def find_effect(m, key):
        if key[0] == "index":
            rows = m.extra.get("index_of_moderated_mediation") or []
            return next((x for x in rows if x.get("via") == key[1]), None)
        return next((x for x in m.effects or [] if (x.get("effect"), x.get("via"), x.get("level")) == key), None)

    if eff_keys:
        t.section({"en": "Mediation effects", "zh": "中介效应"})
        for key in eff_keys:
            eff, via, level = key
            base = L.get(eff, {"en": str(eff), "zh": str(eff)})
            lab = base.get(lang) or base["en"]
            if via and via != "total":
                lab += f" ({_t('via', lang)} {term_label(str(via), labels, vlabels, lang)})"
            elif via == "total":
                lab += " (total)" if lang != "zh" else "（合计）"
            if level is not None:
                lab += f", W = {level}"
            er, cr = [lab], [""]
            for m in models:
                e = find_effect(m, key)
                if e is None:
                    er.append(Cell(None, "est"))
                    cr.append(Cell(None, "ci"))
                    continue
                lo, hi = e.get("ci_lower"), e.get("ci_upper")
                sig = lo is not None and hi is not None and not (lo <= 0 <= hi)
                er.append(Cell(e.get("estimate"), "est", stars="*" if sig else ""))
                cr.append(Cell((lo, hi), "ci"))
            t.add(*er)
            t.add(*cr)

    # ---- random effects
    re_keys = []
    for m in models:
        for k in (m.random_effects or {}):
            if k not in re_keys:
                re_keys.append(k)
    if re_keys:
        t.section({"en": "Random effects (variances)", "zh": "随机效应（方差）"})
        for k in re_keys:
            row = [f"{_t('var', lang)}: {_t('residual', lang) if k == 'residual' else _name(labels, k, lang)}"]
            for m in models:
                v = (m.random_effects or {}).get(k)
                row.append(Cell(v.get("var") if isinstance(v, dict) else None, "num"))
            t.add(*row)

    # ---- N, groups, fit
    t.section({"en": "Model fit", "zh": "模型拟合"})
    t.add(_t("n", lang), *[Cell(m.n, "int") for m in models])
    gkeys = []
    for m in models:
        for g in (m.n_groups or {}):
            if g not in gkeys:
                gkeys.append(g)
    for g in gkeys:
        t.add(f"{_t('groups', lang)}: {_name(labels, g, lang)}",
              *[Cell((m.n_groups or {}).get(g), "int") for m in models])
    for key in ("r2", "adj_r2", "r2_change", "f", "f_change", "pseudo_r2", "loglik", "aic", "bic"):
        vals = [m.fit.get(key) for m in models]
        if not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            continue
        row = [_t(key, lang)]
        for m, v in zip(models, vals):
            if key == "f":
                p = m.fit.get("f_p")
            elif key == "f_change":
                p = m.fit.get("f_change_p")
            else:
                p = None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                row.append(Cell(float(v), "est" if p is not None else "num", stars=_stars(p, stars)))
            else:
                row.append(Cell(None, "num"))
        t.add(*row)
    # ICC (mixed): one row per level
    icc_keys = []
    for m in models:
        icc = m.fit.get("icc")
        if isinstance(icc, dict):
            icc_keys += [k for k in icc if k not in icc_keys]
    for k in icc_keys:
        t.add(f"{_t('icc', lang)}: {_name(labels, k, lang)}", *[Cell((m.fit.get("icc") or {}).get(k) if isinstance(m.fit.get("icc"), dict)
                                                else None, "num") for m in models])
    # ---- notes
    a, b, c = (list(stars) + [None, None, None])[:3]
    t.notes.append(_t("stars", lang).format(a=_fmt_level(a), b=_fmt_level(b), c=_fmt_level(c)))
    se_parts = []
    for m in models:
        se_parts.append(f"{_col_label(m, lang)} {_se_text(m, lang)}")
    t.notes.append(_t("ci_note" if show == "ci" else "se_note", lang).format(x="; ".join(se_parts)))
    or_models = [_col_label(m, lang) for m in models if m.extra.get("odds_ratios")]
    if or_models:
        t.notes.append(_t("or_note", lang).format(x=", ".join(or_models)))
    if eff_keys:
        t.notes.append(_t("med_note", lang))
    cen = [_col_label(m, lang) for m in models if m.extra.get("centered")]
    if cen:
        t.notes.append(_t("centered_note", lang).format(x=", ".join(cen)))
    if any(m.extra.get("robustness") for m in models):
        t.notes.append(_t("robust_note", lang))
    tables = [t]
    mods = [m for m in models if m.extra.get("moderation")]
    if mods:
        tables.append(_slopes_table(mods, labels, vlabels, lang, stars))
    _ = K
    return tables


def _fmt_level(a):
    if a is None:
        return ""
    s = f"{a:g}"
    return s[1:] if s.startswith("0.") else s


def _slopes_table(mods, labels, vlabels, lang, stars):
    cols = [Column("model", _t("model", lang), kind="text"), Column("at", _t("at", lang), kind="text"),
            Column("value", _t("mod_value", lang), kind="num"), Column("slope", _t("slope", lang), kind="est"),
            Column("se", _t("se", lang), kind="num"), Column("p", _t("p", lang), kind="p"),
            Column("ci", _t("ci", lang), kind="ci")]
    t = Table(L["slopes_title"], cols, name="simple_slopes")
    for m in mods:
        mo = m.extra["moderation"]
        head = (f"{_col_label(m, lang)}: {term_label(mo['focal'], labels, vlabels, lang)} "
                f"{'@' if lang != 'zh' else '在'} {term_label(mo['moderator'], labels, vlabels, lang)}")
        for r in mo["simple_slopes"]:
            at = r.get("at")
            mv_ = r.get("moderator_value_raw", r.get("moderator_value"))
            if mv_ is None and at is not None:
                vl = vlabels.get(mo["moderator"], {}).get(str(at))
                if vl:
                    at = f"{at} {vl.get(lang) or vl.get('en')}"
                if r.get("reference"):
                    at = f"{at} ({'参照组' if lang == 'zh' else 'reference'})"

            t.add(head, str(at) if at is not None else "", Cell(mv_, "num"),
                  Cell(r["slope"], "est", stars=_stars(r["p"], stars)), Cell(r["se"], "num"), Cell(r["p"], "p"),
                  Cell((r["ci_lower"], r["ci_upper"]), "ci"))
        jn = mo.get("johnson_neyman")
        if jn:
            sig = jn.get("significant")
            bnd = jn.get("bounds_raw") or jn.get("bounds") or []
            if bnd:
                txt = (f"Johnson-Neyman: slope significant {sig} [{bnd[0]:.3f}, {bnd[1]:.3f}]" if lang != "zh" else
                       f"Johnson-Neyman：斜率在区间[{bnd[0]:.3f}, {bnd[1]:.3f}]"
                       f"{'之外' if sig == 'outside' else '之内'}显著")
            else:
                txt = (f"Johnson-Neyman: slope significant {sig}" if lang != "zh" else
                       f"Johnson-Neyman：斜率{'处处显著' if sig == 'everywhere' else '无显著区域'}")
            rng = jn.get("observed_range_raw") or jn.get("observed_range")
            if rng:
                txt += (f" (observed moderator range {rng[0]:.3f} to {rng[1]:.3f})" if lang != "zh"
                        else f"（调节变量观测范围 {rng[0]:.3f} 至 {rng[1]:.3f}）")
            obs = jn.get("observed_significance")
            if obs:
                txt += ({"all": "; significant across the observed range", "none": "; not significant anywhere "
                         "in the observed range", "part": "; significant in part of the observed range"}[obs]
                        if lang != "zh" else {"all": "；在观测范围内处处显著", "none": "；在观测范围内均不显著",
                                              "part": "；在观测范围内部分显著"}[obs])
            t.notes.append(f"{_col_label(m, lang)}: {txt}")
    return t


_ = level_text
