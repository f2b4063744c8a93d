"""The regression table: one column per model, as journals print it.

Rows: each coefficient (estimate with stars, SE in parentheses below; odds ratios with
their CI for ``odds_ratio: true``), thresholds of ordinal models, mediation effects
(estimate, bootstrap CI below), random-effect variances, then N, groups and fit rows
(R², adj. R², ΔR², F, F change, pseudo R², log-likelihood, AIC, BIC, ICC). Notes declare
the stars and each model's SE type. A second table lists simple slopes and
Johnson-Neyman bounds when a model declares ``moderation``.

Every word comes from the i18n catalogue (area ``models``, shared terms from ``common``);
variable and value labels come from the instrument files (data).
"""
from __future__ import annotations

from ..core.i18n import TERMS, tr
from ..core.table import Cell, Column, Table
from ..stats.models.result import stars as _stars

__all__ = ["build_tables", "term_label"]

# fit rows in table order: fit key -> catalogue key
FIT_ROWS = {"r2": "r2", "adj_r2": "adj_r2", "r2_change": "mod_r2_change", "f": "mod_f",
            "f_change": "mod_f_change", "pseudo_r2": "mod_pseudo_r2", "loglik": "mod_loglik", "aic": "aic",
            "bic": "bic"}
# the p value that gives a fit row its stars
FIT_P = {"f": "f_p", "f_change": "f_change_p"}
SE_PLAIN = ("classical", "HC0", "HC1", "HC2", "HC3")


def _data_label(value, lang, default):
    """A label written in instrument or spec data ({en, zh}): ``lang``, else English, else ``default``."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or default
    return value or default


def _name(labels, var, lang):
    return _data_label(labels.get(var), lang, var)


def term_label(term: str, labels: dict, value_labels: dict, lang: str) -> str:
    """'accountability_pressure:rank[2]' -> 'Accountability pressure × Rank: 副科' (labels known)."""
    if term == "Intercept":
        return tr("intercept", lang)
    if "->" in term:  # mediation path terms: "a: x -> m", "cov: gender[2] -> m", "c: x -> y (total)"
        return _path_label(term, labels, value_labels, lang)
    if " ~ " in term:  # a SEM regression 'y ~ x [group]': 'x → y'
        lhs, rhs = term.split(" ~ ", 1)
        grp = ""
        if rhs.endswith("]") and " [" in rhs:
            rhs, grp = rhs.split(" [", 1)
            grp = " [" + grp
        return f"{_name(labels, rhs, lang)} → {_name(labels, lhs, lang)}{grp}"
    parts = []
    for p in term.split(":"):
        if p.endswith("]") and "[" in p:
            var, lv = p[:-1].split("[", 1)
            lvt = _data_label(value_labels.get(var, {}).get(lv), lang, lv)
            parts.append(f"{_name(labels, var, lang)}: {lvt}")
        else:
            parts.append(_name(labels, p, lang))
    return " × ".join(parts)


def _path_label(term: str, labels: dict, value_labels: dict, lang: str) -> str:
    """'cov: gender[2] -> risk_perception' -> '控制变量: 性别: 女 → 风险感知' (labels known);
    the path letters a, b, c, c' stay as PROCESS and the literature print them."""
    head, _, rhs = term.partition("->")
    role, sep, lhs = head.partition(": ")
    if not sep:
        role, lhs = "", head
    lhs, rhs = lhs.strip(), rhs.strip()
    total = rhs.endswith(" (total)")
    if total:
        rhs = rhs[: -len(" (total)")]
    left = tr("intercept", lang) if lhs == "(Intercept)" else term_label(lhs, labels, value_labels, lang)
    right = _name(labels, rhs, lang) + (tr("mod_via_total", lang) if total else "")
    role = tr("mod_role_cov", lang) if role == "cov" else role
    return f"{role}: {left} → {right}" if role else f"{left} → {right}"


def _col_label(m, lang):
    step = m.extra.get("step") or {}
    if not m.extra.get("label") and step and m.name == f"{step.get('of')} (step {step.get('step')})":
        return step["of"] + tr("mod_step_n", lang).format(k=step["step"])   # 'passive（第1步）'
    return _data_label(m.extra.get("label"), lang, m.name)


def _se_text(m, lang):
    st = m.se_type or ""
    if st in SE_PLAIN:
        return tr(f"mod_se_{st}", lang)
    if m.family == "mediation":
        if st.startswith("cluster-robust"):   # path SEs clustered (vcovCL), effects by cluster bootstrap
            return tr("mod_se_cluster", lang).format(clusters=", ".join(m.n_groups or {}), kind="(HC1)") + \
                "; " + tr("mod_se_bootstrap", lang)
        return tr("mod_se_bootstrap", lang)
    if st.startswith("cluster"):
        return tr("mod_se_cluster", lang).format(clusters=", ".join(m.n_groups or {}),
                                                 kind=st[len("cluster"):].strip())
    if m.family == "mixed":
        return tr("mod_se_mixed", lang)
    return st


def _first_seen(items) -> list:
    out = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# ------------------------------------------------------------------ coefficient rows
def _term_order(models) -> list[str]:
    """Terms in order of first appearance; the intercept and ordinal thresholds last."""
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
    return slope_terms + (["Intercept"] if has_int else []) + thresh_terms


def _coef_cells(c, odds, term, stars, show):
    """(estimate cell, cell below) of one coefficient."""
    if c is None:
        return Cell(None, "est"), Cell(None, "se")
    if odds is not None and term in odds and term != "Intercept" and "|" not in term:
        o = odds[term]
        return (Cell(o["odds_ratio"], "est", stars=_stars(c.p, stars)),
                Cell((o["ci_lower"], o["ci_upper"]), "ci"))
    est = Cell(c.estimate, "est", stars="" if "|" in term else _stars(c.p, stars))
    return est, (Cell((c.ci_lower, c.ci_upper), "ci") if show == "ci" else Cell(c.se, "se"))


def _add_coefficients(t, models, labels, vlabels, lang, stars, show):
    odds = [{d["term"]: d for d in m.extra["odds_ratios"]} if m.extra.get("odds_ratios") else None
            for m in models]
    est_rows = {}
    for term in _term_order(models):
        est_rows[len(t.rows)] = term
        est_row, below = [term_label(term, labels, vlabels, lang)], [""]
        for m, orm in zip(models, odds):
            c = next((x for x in m.coefficients if x.term == term), None)
            e, b = _coef_cells(c, orm, term, stars, show)
            est_row.append(e)
            below.append(b)
        t.add(*est_row)
        t.add(*below)
    return est_rows


# ------------------------------------------------------------------ mediation effects
def _effect_keys(models) -> list[tuple]:
    keys = []
    for m in models:
        keys += [(e.get("effect"), e.get("via"), e.get("level")) for e in m.effects or []]
        keys += [("index", e.get("via"), None) for e in m.extra.get("index_of_moderated_mediation") or []]
    return _first_seen(keys)


def _find_effect(m, key):
    if key[0] == "index":
        rows = m.extra.get("index_of_moderated_mediation") or []
        return next((x for x in rows if x.get("via") == key[1]), None)
    return next((x for x in m.effects or [] if (x.get("effect"), x.get("via"), x.get("level")) == key), None)


def _effect_label(key, labels, vlabels, lang):
    eff, via, level = key
    if eff == "defined":   # a SEM ':=' parameter, shown by its name
        return f"{tr('semspec_defined', lang)}: {via}"
    lab = tr(f"mod_{eff}", lang) if f"mod_{eff}" in TERMS else str(eff)
    if via and via != "total":
        lab += f" ({tr('mod_via', lang)} {term_label(str(via), labels, vlabels, lang)})"
    elif via == "total":
        lab += tr("mod_via_total", lang)
    if level is not None:
        lab += f", W = {level}"
    return lab


def _add_effects(t, models, keys, labels, vlabels, lang):
    only_sem = all(m.family == "sem" for m in models if m.effects)
    t.section(tr("semspec_effects_section" if only_sem else "mod_section_mediation", lang))
    for key in keys:
        er, cr = [_effect_label(key, labels, vlabels, lang)], [""]
        for m in models:
            e = _find_effect(m, key)
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


# ------------------------------------------------------------------ random effects, N, fit
def _add_random_effects(t, models, labels, lang):
    keys = _first_seen(k for m in models for k in (m.random_effects or {}))
    if not keys:
        return
    t.section(tr("mod_section_random", lang))
    for k in keys:
        who = tr("mod_residual", lang) if k == "residual" else _name(labels, k, lang)
        row = [f"{tr('mod_var', lang)}: {who}"]
        for m in models:
            v = (m.random_effects or {}).get(k)
            row.append(Cell(v.get("var") if isinstance(v, dict) else None, "num"))
        t.add(*row)


def _add_fit(t, models, labels, lang, stars):
    t.section(tr("mod_section_fit", lang))
    t.add(tr("n", lang), *[Cell(m.n, "int") for m in models])
    for g in _first_seen(g for m in models for g in (m.n_groups or {})):
        t.add(f"{tr('groups', lang)}: {_name(labels, g, lang)}",
              *[Cell((m.n_groups or {}).get(g), "int") for m in models])
    for key, term in FIT_ROWS.items():
        vals = [m.fit.get(key) for m in models]
        if not any(_is_number(v) for v in vals):
            continue
        row = [tr(term, lang)]
        for m, v in zip(models, vals):
            p = m.fit.get(FIT_P[key]) if key in FIT_P else None
            row.append(Cell(float(v), "est" if p is not None else "num", stars=_stars(p, stars))
                       if _is_number(v) else Cell(None, "num"))
        t.add(*row)
    _add_sem_fit(t, models, labels, lang)
    iccs = [m.fit.get("icc") if isinstance(m.fit.get("icc"), dict) else None for m in models]
    for k in _first_seen(k for icc in iccs if icc for k in icc):   # ICC (mixed): one row per level
        t.add(f"{tr('mod_icc', lang)}: {_name(labels, k, lang)}",
              *[Cell(icc.get(k) if icc is not None else None, "num") for icc in iccs])


def _add_sem_fit(t, models, labels, lang):
    """χ² (df), CFI, TLI, RMSEA, SRMR and the R² of endogenous variables of ``family: sem`` models."""
    if not any(m.family == "sem" for m in models):
        return
    sems = [m if m.family == "sem" else None for m in models]
    t.add(tr("semspec_chisq_df", lang), *[Cell(f"{m.fit['chisq']:.2f} ({m.fit['df']:g})", "text")
                                            if m is not None and _is_number(m.fit.get("chisq")) else Cell(None, "num")
                                            for m in sems])
    for key, term in (("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr")):
        t.add(tr(term, lang), *[Cell(m.fit.get(key) if m is not None else None, "num") for m in sems])
    r2s = [(m.extra.get("r2") or {}) if m is not None and m.extra.get("group") is None else {} for m in sems]
    endo = [m.extra.get("endogenous") or [] if m is not None else [] for m in sems]
    for v in _first_seen(v for r, own in zip(r2s, endo) for v in own if v in r):
        t.add(f"R²: {_name(labels, v, lang)}", *[Cell(r.get(v), "num") for r in r2s])


# ------------------------------------------------------------------ notes
def _fmt_level(a):
    if a is None:
        return ""
    s = f"{a:g}"
    return s[1:] if s.startswith("0.") else s


def _notes(models, lang, stars, show, has_effects) -> list[str]:
    a, b, c = (list(stars) + [None, None, None])[:3]
    notes = [tr("mod_stars_note", lang).format(a=_fmt_level(a), b=_fmt_level(b), c=_fmt_level(c))]
    se_parts = [f"{_col_label(m, lang)} {_se_text(m, lang)}" for m in models]
    notes.append(tr("mod_ci_note" if show == "ci" else "mod_se_note", lang).format(x="; ".join(se_parts)))
    or_models = [_col_label(m, lang) for m in models if m.extra.get("odds_ratios")]
    if or_models:
        notes.append(tr("mod_or_note", lang).format(x=", ".join(or_models)))
    if has_effects and any(m.family != "sem" and m.effects for m in models):
        notes.append(tr("mod_med_note", lang))
    if any(m.family == "sem" for m in models):
        notes.append(tr("semspec_note", lang))
    cen = [_col_label(m, lang) for m in models if m.extra.get("centered")]
    if cen:
        notes.append(tr("mod_centered_note", lang).format(x=", ".join(cen)))
    if any(m.extra.get("robustness") for m in models):
        notes.append(tr("mod_robust_note", lang))
    return notes


def build_tables(res, lang="en", stars=(0.05, 0.01, 0.001), show="se", beta=True, vif=True):
    """The comparison table (with β and VIF columns beside each OLS model unless turned off),
    the hierarchical-regression summary when a model has steps, and the simple-slopes table
    when any model has moderation."""
    from .model_columns import insert_beta_vif, steps_tables
    from .process import process_tables
    models = [m for m in res.models if m.family != "process"]   # PROCESS models get their own tables
    labels, vlabels = res.labels, res.value_labels
    cols = [Column("term", tr("variable", lang), kind="text")]
    cols += [Column(f"m{j}", _col_label(m, lang), kind="est") for j, m in enumerate(models)]
    t = Table(res.spec.get("title") or tr("mod_title", lang), cols, name="models")
    est_rows = _add_coefficients(t, models, labels, vlabels, lang, stars, show)
    eff_keys = _effect_keys(models)
    if eff_keys:
        _add_effects(t, models, eff_keys, labels, vlabels, lang)
    _add_random_effects(t, models, labels, lang)
    _add_fit(t, models, labels, lang, stars)
    t.notes.extend(_notes(models, lang, stars, show, bool(eff_keys)))
    insert_beta_vif(t, models, est_rows, lang, beta=beta, vif=vif)
    tables = ([t] if models else []) + steps_tables(models, labels, vlabels, lang, stars)
    tables += process_tables(res.models, labels, vlabels, lang, stars)
    mods = [m for m in models if m.extra.get("moderation")]
    if mods:
        tables.append(_slopes_table(mods, labels, vlabels, lang, stars))
    for m in models:   # each SEM's own tables: fit, parameters, standardized solution, R², effects
        if m.family == "sem" and m.internal and m.internal.get("sem") is not None:
            from .sem import model_tables
            tables.extend(model_tables(m.internal["sem"], lang, m.name, _col_label(m, lang),
                                       standardized=m.extra.get("standardized", True)))
    return tables


# ------------------------------------------------------------------ simple slopes
def _slope_at(r, mo, vlabels, lang):
    """The 'moderator at' text of a simple-slope row (a level and its label for a factor)."""
    at = r.get("at")
    if r.get("moderator_value_raw", r.get("moderator_value")) is None and at is not None:
        vl = vlabels.get(mo["moderator"], {}).get(str(at))
        if vl:
            at = f"{at} {vl.get(lang) or vl.get('en')}"
        if r.get("reference"):
            at = f"{at} ({tr('mod_reference', lang)})"
    return str(at) if at is not None else ""


def _jn_text(jn, lang) -> str:
    """The Johnson-Neyman note of one model."""
    sig = jn.get("significant")
    bnd = jn.get("bounds_raw") or jn.get("bounds") or []
    if bnd:
        key = "mod_jn_outside" if sig == "outside" else "mod_jn_inside"
        txt = tr(key, lang).format(kind=sig, lo=bnd[0], hi=bnd[1])
    else:
        txt = tr("mod_jn_everywhere" if sig == "everywhere" else "mod_jn_nowhere", lang).format(kind=sig)
    rng = jn.get("observed_range_raw") or jn.get("observed_range")
    if rng:
        txt += tr("mod_jn_range", lang).format(lo=rng[0], hi=rng[1])
    obs = jn.get("observed_significance")
    if obs:
        txt += tr(f"mod_jn_obs_{obs}", lang)
    return txt


def _slopes_table(mods, labels, vlabels, lang, stars):
    cols = [Column("model", tr("model", lang), kind="text"), Column("at", tr("mod_at", lang), kind="text"),
            Column("value", tr("mod_value", lang), kind="num"), Column("slope", tr("mod_slope", lang), kind="est"),
            Column("se", tr("se", lang), kind="num"), Column("p", tr("p", lang), kind="p"),
            Column("ci", tr("ci", lang), kind="ci")]
    t = Table(tr("mod_slopes_title", lang), cols, name="simple_slopes")
    for m in mods:
        mo = m.extra["moderation"]
        head = tr("mod_slope_head", lang).format(model=_col_label(m, lang),
                                                 focal=term_label(mo["focal"], labels, vlabels, lang),
                                                 moderator=term_label(mo["moderator"], labels, vlabels, lang))
        for r in mo["simple_slopes"]:
            t.add(head, _slope_at(r, mo, vlabels, lang), Cell(r.get("moderator_value_raw", r.get("moderator_value")), "num"),
                  Cell(r["slope"], "est", stars=_stars(r["p"], stars)), Cell(r["se"], "num"), Cell(r["p"], "p"),
                  Cell((r["ci_lower"], r["ci_upper"]), "ci"))
        jn = mo.get("johnson_neyman")
        if jn:
            t.notes.append(f"{_col_label(m, lang)}: {_jn_text(jn, lang)}")
    return t
