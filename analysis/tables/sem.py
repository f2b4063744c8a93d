"""SEM result -> tables: fit indices, parameter estimates with std.all, R², defined effects."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table
from .cfa import fit_table

__all__ = ["build_tables"]

_SECTIONS = (("=~", "@sem_measurement"), ("~", "@sem_regressions"), ("cov", "@sem_covariances"),
             ("var", "@sem_variances"), ("~1", "@sem_intercepts"))


def _section_of(p):
    if p["op"] == "~~":
        return "var" if p["lhs"] == p["rhs"] else "cov"
    return p["op"]


def _fit(result, lang):
    f = result.fit
    if result.estimator == "WLSMV":
        from .wlsmv import wlsmv_fit_table

        return wlsmv_fit_table(result.n, f, lang, name="sem_fit")
    t = fit_table(result.n, f, lang, title="@sem_fit", name="sem_fit", note=None)
    if result.estimator == "MLR" and "chisq_scaled" in f:
        t.add(tr("sem_chisq_scaled", lang), Cell(f["chisq_scaled"], "stat"))
        t.add("p (" + tr("sem_robust", lang) + ")", Cell(f["pvalue_scaled"], "p"))
        for k in ("cfi", "tli", "rmsea"):
            t.add(f"{k.upper()} ({tr('sem_robust', lang)})", f[k + "_robust"])
        t.notes.append(tr("sem_fit_mlr_note", lang).format(c=f"{f['chisq_scaling_factor']:.3f}"))
    else:
        t.notes.append("@sem_fit_note")
    return t


def _parameters(result, lang):
    cols = [Column("parameter", "@sem_parameter", "text"), Column("label", "@sem_label", "text"),
            Column("estimate", "@estimate", "est"), Column("se", "@se", "num"), Column("z", "@z", "stat"),
            Column("p", "@p", "p"), Column("ci", "@ci", "ci"), Column("std_all", "@sem_std_all")]
    t = Table("@sem_parameters", cols, name="sem_parameters")
    rows = [p for p in result.parameters if p["op"] != ":="]
    for op, title in _SECTIONS:
        part = [p for p in rows if _section_of(p) == op]
        if not part:
            continue
        t.section(title)
        for p in part:
            name = f"{p['lhs']} {p['op']} {p['rhs']}".strip() if op != "~1" else f"{p['lhs']} ~1"
            if p.get("group") is not None:   # multi-group: each group's row says which group it is
                name += f" [{p['group']}]"
            ci = (p["ci_lower"], p["ci_upper"]) if p["ci_lower"] is not None else None
            t.add(name, p["label"] or "", p["estimate"], p["se"], p["z"], p["p"], Cell(ci, "ci"), p["std_all"])
    info = "sem_info_robust" if result.estimator == "MLR" else (
        "sem_info_observed" if result.missing == "ml" else "sem_info_expected")
    t.notes.append(tr("sem_params_note", lang).format(info=tr(info, lang)))
    return t


def _r2(result):
    t = Table("@sem_r2", [Column("variable", "@variable", "text"), Column("r2", "@r2")], name="sem_r2")
    for v, val in result.r2.items():
        if isinstance(val, dict):   # multi-group: {group: {variable: r2}}
            for var, r2 in val.items():
                t.add(f"{var} [{v}]", r2)
        else:
            t.add(v, val)
    return t


def _effects(result, lang):
    boot = result.bootstrap or {}
    bci = bool(boot) and boot.get("n_converged", 0) > 1
    cols = [Column("effect", "@sem_effect", "text"), Column("definition", "@sem_definition", "text"),
            Column("estimate", "@estimate", "est"), Column("se", "@se", "num"), Column("p", "@p", "p"),
            Column("ci", "@ci", "ci"), Column("std_all", "@sem_std_all")]
    if bci:
        cols += [Column("boot_ci", "@sem_boot_ci", "ci"), Column("boot_bc_ci", "@sem_boot_bc_ci", "ci"),
                 Column("boot_std_ci", "@sem_boot_std_ci", "ci")]
    t = Table("@sem_effects", cols, name="sem_effects")
    for p in result.parameters:
        if p["op"] != ":=":
            continue
        vals = [p["lhs"], p["rhs"], p["estimate"], p["se"], p["p"], Cell((p["ci_lower"], p["ci_upper"]), "ci"),
                p["std_all"]]
        if bci:
            vals += [Cell((p.get("boot_ci_lower"), p.get("boot_ci_upper")), "ci"),
                     Cell((p.get("boot_bc_lower"), p.get("boot_bc_upper")), "ci"),
                     Cell((p.get("boot_std_ci_lower"), p.get("boot_std_ci_upper")), "ci")]
        t.add(*vals)
    if bci:
        t.notes.append(tr("sem_effects_note", lang).format(n=boot["n"], ok=boot["n_converged"], seed=boot["seed"]))
    else:
        t.notes.append("@sem_effects_note_plain")
    return t


def _mi(result):
    cols = [Column("parameter", "@sem_parameter", "text"), Column("mi", "@sem_mi_col", "stat"),
            Column("epc", "@sem_epc"), Column("sepc_all", "@sem_sepc_all")]
    t = Table("@sem_mi", cols, name="sem_modification_indices")
    for m in result.modification_indices:
        where = f" [{m['group']}]" if m.get("group") is not None else ""
        t.add(f"{m['lhs']} {m['op']} {m['rhs']}{where}", m["mi"], m["epc"], m["sepc_all"])
    t.notes.append("@sem_mi_note")
    return t


def _comparison(result, lang):
    cols = [Column("model", "@sem_model", "text"), Column("chisq", "@chisq", "stat"), Column("df", "@df", "int"),
            Column("cfi", "@cfi"), Column("tli", "@tli"), Column("rmsea", "@rmsea"), Column("srmr", "@srmr"),
            Column("aic", "AIC", "num"), Column("bic", "BIC", "num"),
            Column("delta_chisq", "@sem_delta_chisq", "stat"), Column("delta_df", "@sem_delta_df", "int"),
            Column("p_delta", "@p", "p"), Column("delta_cfi", "@delta_cfi")]
    t = Table("@sem_comparison", cols, name="sem_comparison")
    for r in result.comparison:
        t.add(r["model"], r["chisq"], r["df"], r["cfi"], r["tli"], r["rmsea"], r["srmr"], Cell(r["aic"], "num", decimals=1),
              Cell(r["bic"], "num", decimals=1), r["delta_chisq"], r["delta_df"], r["p_delta"], r["delta_cfi"])
    note = tr("sem_comparison_note", lang)
    if result.estimator == "MLR":
        note += tr("sem_comparison_mlr_note", lang)
    t.notes.append(note)
    return t


def build_tables(result, lang: str = "en") -> list[Table]:
    """The tables of a :class:`~avoid_survey.analysis.stats.sem.SEMResult`."""
    tabs = [_fit(result, lang), _parameters(result, lang), standardized_table(result, lang)]
    if result.r2:
        tabs.append(_r2(result))
    if getattr(result, "thresholds", None):
        from .wlsmv import thresholds_table

        tabs.append(thresholds_table(result.thresholds, lang, result.parameterization, name="sem_thresholds"))
    if any(p["op"] == ":=" for p in result.parameters):
        tabs.append(_effects(result, lang))
    if result.modification_indices:
        tabs.append(_mi(result))
    if result.comparison:
        tabs.append(_comparison(result, lang))
    return tabs


# ------------------------------------------------------------------ standardized solution
def _std_row_values(p):
    """(std, se, z, p, ci) of one row as lavaan's standardizedSolution (delta-method SE)."""
    from ..numerics.dist import norm_sf

    est, se = p.get("std_all"), p.get("std_all_se")
    if est is None or se is None or not se > 0:
        return est, None, None, None, None
    z = est / se
    return est, se, z, 2 * norm_sf(abs(z)), Cell((est - 1.959963984540054 * se, est + 1.959963984540054 * se), "ci")


def standardized_table(result, lang: str = "en") -> Table:
    """The standardized solution (std.all) with delta-method SEs, as lavaan::standardizedSolution;
    bootstrap percentile CIs of the standardized values beside them when resampled."""
    boot = bool(result.bootstrap) and (result.bootstrap or {}).get("n_converged", 0) > 1
    cols = [Column("parameter", "@sem_parameter", "text"), Column("std_all", "@sem_std_all", "est"),
            Column("se", "@sem_std_se", "num"), Column("z", "@z", "stat"), Column("p", "@p", "p"),
            Column("ci", "@ci", "ci")]
    if boot:
        cols.append(Column("boot_std_ci", "@sem_boot_std_ci", "ci"))
    t = Table("@semspec_std_title", cols, name="sem_standardized")
    rows = [p for p in result.parameters if p["op"] != "~1"]
    for op, title in _SECTIONS + ((":=", "@sem_effects"),):
        part = [p for p in rows if _section_of(p) == op]
        if not part:
            continue
        t.section(title)
        for p in part:
            where = f" [{p['group']}]" if p.get("group") is not None else ""
            vals = [f"{p['lhs']} {p['op']} {p['rhs']}{where}", *_std_row_values(p)]
            if boot:
                vals.append(Cell((p.get("boot_std_ci_lower"), p.get("boot_std_ci_upper")), "ci"))
            t.add(*vals)
    t.notes.append("@semspec_std_note")
    return t


def model_tables(result, lang: str, model: str, label: str, standardized: bool = True) -> list[Table]:
    """The tables of one ``family: sem`` model of a spec, titled and named after the model."""
    import re

    from ..core.table import label as _label

    tabs = build_tables(result, lang)
    if standardized and not any(t.name == "sem_standardized" for t in tabs):
        tabs.insert(2, standardized_table(result, lang))
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", model).strip("_") or "model"
    for t in tabs:
        t.title = f"{label}: {_label(t.title, lang)}"
        t.name = f"{t.name}_{stem}"[:31]
    return tabs


# ------------------------------------------------------------------ the report's SEM section
def _lab(labels, var, lang):
    from ..core.i18n import text_in

    v = labels.get(var)
    return (text_in(v, lang) if isinstance(v, dict) else v) or var


def report_tables(models, lang: str = "en", labels=None) -> list[Table]:
    """Compact tables of the ``family: sem`` models of a spec (ModelFit objects): fit of every
    model, standardized structural paths, indirect and defined effects."""
    from ..core.i18n import text_in

    labels = labels or {}
    name = {m.name: text_in(m.extra.get("label"), lang) or m.name for m in models}
    cols = [Column("model", "@semspec_model", "text"), Column("n", "@n", "int"), Column("chisq", "@chisq", "stat"),
            Column("df", "@df", "int"), Column("p", "@p", "p"), Column("cfi", "@cfi"), Column("tli", "@tli"),
            Column("rmsea", "@rmsea"), Column("rmsea_ci", "@ci", "ci"), Column("srmr", "@srmr")]
    fit = Table("@semspec_rep_fit", cols, name="sem_report_fit")
    for m in models:
        f = m.fit
        fit.add(name[m.name], m.n, f.get("chisq"), f.get("df"), f.get("pvalue"), f.get("cfi"), f.get("tli"),
                f.get("rmsea"), Cell((f.get("rmsea_ci_lower"), f.get("rmsea_ci_upper")), "ci"), f.get("srmr"))
    cols = [Column("model", "@semspec_model", "text"), Column("path", "@semspec_rep_path", "text"),
            Column("std_all", "@sem_std_all", "est"), Column("se", "@sem_std_se", "num"), Column("p", "@p", "p"),
            Column("ci", "@ci", "ci"), Column("estimate", "@estimate", "num")]
    paths = Table("@semspec_rep_paths", cols, name="sem_report_paths")
    from ..stats.models.result import stars

    for m in models:
        for p in m.extra.get("parameters", []):
            if p["op"] != "~":
                continue
            grp = f" [{p['group']}]" if p.get("group") is not None else ""
            est, se, _, pv, ci = _std_row_values(p)
            paths.add(name[m.name], f"{_lab(labels, p['rhs'], lang)} → {_lab(labels, p['lhs'], lang)}{grp}",
                      Cell(est, "est", stars=stars(p.get("p"))), se, p.get("p"), ci, p["estimate"])
    tabs = [fit, paths]
    defined = [(m, e) for m in models for e in m.effects]
    if defined:
        cols = [Column("model", "@semspec_model", "text"), Column("effect", "@sem_effect", "text"),
                Column("definition", "@semspec_rep_definition", "text"), Column("estimate", "@estimate", "est"),
                Column("ci", "@ci", "ci"), Column("std_all", "@sem_std_all"),
                Column("std_ci", "@semspec_rep_std_ci", "ci")]
        eff = Table("@semspec_rep_effects", cols, name="sem_report_effects")
        for m, e in defined:
            lo, hi = e.get("ci_lower"), e.get("ci_upper")
            sig = lo is not None and hi is not None and not lo <= 0 <= hi
            eff.add(name[m.name], e["via"], e.get("definition") or "", Cell(e["estimate"], "est", stars="*" if sig else ""),
                    Cell((lo, hi), "ci"), e.get("std_all"), Cell((e.get("std_ci_lower"), e.get("std_ci_upper")), "ci"))
        tabs.append(eff)
    tabs[-1].notes.append("@semspec_rep_note")
    return tabs
