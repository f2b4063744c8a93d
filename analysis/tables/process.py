"""The PROCESS tables of a ``family: process`` model, as Hayes' macro prints them.

Per model: the path models (one block per outcome equation: R, R², MSE, F, df1, df2, p, then
coeff, SE, t, p, LLCI, ULCI of each term), the effects (conditional or unconditional direct
and total effects with t-based intervals; indirect and conditional indirect effects, the
index of moderated mediation, the partial indices and contrasts of models 58/59 with
percentile bootstrap intervals) and, for models 1 and 3, the Johnson-Neyman table.
Every word comes from the catalogue (area ``process``); variable labels from the instrument.
"""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table
from ..stats.models.result import stars as _stars

__all__ = ["process_tables"]


def _lab(labels, vlabels, lang):
    from .models import term_label

    def f(term):
        if term == "constant":
            return tr("proc_constant", lang)
        return term_label(term, labels, vlabels, lang)
    return f


def _level_text(level, lang):
    """The short name of a moderator value: 'p16' -> 'P16'; 'mean+1SD' -> 'M + SD' / '均值+SD'
    (the values note spells them out); a given value as it is."""
    if level is None:
        return ""
    if level.startswith("p") and level[1:].isdigit():
        return f"P{level[1:]}"
    key = {"mean-1SD": "proc_mean_minus", "mean": "proc_mean", "mean+1SD": "proc_mean_plus"}.get(level)
    return tr(key, lang) if key else str(level)


def _est_cols(lang, boot=False):
    se = tr("proc_boot_se" if boot else "se", lang)
    lo = tr("proc_boot_llci" if boot else "proc_llci", lang)
    hi = tr("proc_boot_ulci" if boot else "proc_ulci", lang)
    return [Column("est", tr("proc_effect", lang), kind="est"), Column("se", se, kind="num"),
            Column("t", "t", kind="stat"), Column("p", tr("p", lang), kind="p"),
            Column("llci", lo, kind="num"), Column("ulci", hi, kind="num")]


def _est_cells(r, stars, boot=False):
    if boot:
        lo, hi = r.get("ci_lower"), r.get("ci_upper")
        sig = lo is not None and hi is not None and not lo <= 0 <= hi
        return [Cell(r["estimate"], "est", stars="*" if sig else ""), Cell(r.get("se"), "num"), Cell(None, "stat"),
                Cell(None, "p"), Cell(lo, "num"), Cell(hi, "num")]
    return [Cell(r["estimate"], "est", stars=_stars(r.get("p"), stars)), Cell(r.get("se"), "num"),
            Cell(r.get("t"), "stat"), Cell(r.get("p"), "p"), Cell(r.get("ci_lower"), "num"),
            Cell(r.get("ci_upper"), "num")]


def _title(m, key, lang):
    return tr(key, lang).format(model=m.extra["process"]["model"], name=m.name)


def _paths_table(m, lab, lang, stars):
    t = Table(_title(m, "proc_paths_title", lang),
              [Column("term", tr("variable", lang), kind="text")] + _est_cols(lang), name="process_paths")
    t.columns[1].label = tr("proc_coeff", lang)
    for pm in m.extra["path_models"]:
        t.section(tr("proc_outcome", lang).format(y=lab(pm["outcome"])))
        for c in pm["coefficients"]:
            t.add(lab(c["term"]), *_est_cells(c, stars))
    s = Table(_title(m, "proc_summary_title", lang),
              [Column("outcome", tr("proc_outcome_col", lang), kind="text"), Column("r", "R", kind="num"),
               Column("r2", tr("r2", lang), kind="num"), Column("mse", "MSE", kind="num"),
               Column("f", "F", kind="est"), Column("df1", "df1", kind="int"), Column("df2", "df2", kind="int"),
               Column("p", tr("p", lang), kind="p")], name="process_summary")
    for pm in m.extra["path_models"] + ([m.extra["total_effect_model"]] if "total_effect_model" in m.extra else []):
        name = lab(pm["outcome"]) + (tr("proc_total_model", lang) if pm is m.extra.get("total_effect_model") else "")
        s.add(name, Cell(pm["r"], "num"), Cell(pm["r2"], "num"), Cell(pm["mse"], "num"),
              Cell(pm["f"], "est", stars=_stars(pm["p"], stars)), Cell(pm["df1"], "int"), Cell(pm["df2"], "int"),
              Cell(pm["p"], "p"))
    from .models import _se_text
    s.notes.append(tr("proc_se_note", lang).format(se=_se_text(m, lang)))
    return [s, t] + _interaction_table(m, lab, lang, stars)


def _interaction_table(m, lab, lang, stars):
    """PROCESS's test of highest order unconditional interaction(s): R² change and F."""
    rows = [(pm["outcome"], it) for pm in m.extra["path_models"] for it in pm.get("interaction_tests", [])]
    if not rows:
        return []
    t = Table(_title(m, "proc_inter_title", lang),
              [Column("outcome", tr("proc_outcome_col", lang), kind="text"),
               Column("term", tr("proc_inter_term", lang), kind="text"),
               Column("r2_change", tr("mod_r2_change", lang), kind="num"), Column("f", "F", kind="est"),
               Column("df1", "df1", kind="int"), Column("df2", "df2", kind="int"), Column("p", tr("p", lang), kind="p")],
              name="process_interactions")
    for outcome, it in rows:
        t.add(lab(outcome), lab(it["term"]), Cell(it["r2_change"], "num"),
              Cell(it["f"], "est", stars=_stars(it["p"], stars)), Cell(it["df1"], "int"), Cell(it["df2"], "int"),
              Cell(it["p"], "p"))
    return [t]


def _at_text(r, pr, lab, lang):
    parts = []
    if "w" in r and pr.get("w"):
        parts.append(tr("proc_at_value", lang).format(v="W", x=r["w"], level=_level_text(r.get("level"), lang)))
    if "z" in r and pr.get("z"):
        parts.append(tr("proc_at_value", lang).format(v="Z", x=r["z"], level=_level_text(r.get("z_level"), lang)))
    return "; ".join(parts)


def _via_text(r, lab, lang):
    """The mediator (a chain of mediators in model 6) an indirect effect runs through."""
    via = r.get("via")
    if via == "total":
        return tr("proc_total_indirect", lang)
    path = r.get("path")
    return " → ".join(lab(v) for v in (path[1:-1] if path else [via]))


def _via_name(via, lab, lang):
    """'m1 -> m2' -> 'M1 label → M2 label'; 'total' -> the total indirect effect."""
    if via == "total":
        return tr("proc_total_indirect", lang)
    return " → ".join(lab(v) for v in via.split(" -> "))


def _roles_note(pr, lab, lang):
    parts = [f"X = {lab(pr['x'])}"]
    meds = pr.get("m") or []
    if len(meds) == 1:
        parts.append(f"M = {lab(meds[0])}")
    parts += [f"M{j + 1} = {lab(v)}" for j, v in enumerate(meds) if len(meds) > 1]
    parts += [f"{k.upper()} = {lab(pr[k])}" for k in ("w", "z") if pr.get(k)]
    parts.append(f"Y = {lab(pr['y'])}")
    return tr("proc_roles_note", lang).format(roles="; ".join(parts))


def _effects_table(m, lab, lang, stars):
    pr = m.extra["process"]
    model = pr["model"]
    t = Table(_title(m, "proc_effects_title", lang),
              [Column("what", tr("proc_effect_col", lang), kind="text"),
               Column("at", tr("proc_at", lang), kind="text")] + _est_cols(lang), name="process_effects")
    direct = [e for e in m.effects if e["effect"] == "direct"]
    total = [e for e in m.effects if e["effect"] == "total"]
    if model in (1, 2, 3):
        t.section(tr("proc_sec_conditional", lang))
    elif "level" in (direct[0] if direct else {}):
        t.section(tr("proc_sec_cond_direct", lang))
    else:
        t.section(tr("proc_sec_direct", lang))
    for e in direct:
        what = tr("proc_cond_effect" if "level" in e else "proc_direct", lang)
        t.add(what, _at_text(e, pr, lab, lang), *_est_cells(e, stars))
    for e in total:
        t.add(tr("proc_total", lang), "", *_est_cells(e, stars))
    for e in m.extra.get("conditional_interaction", []):
        if e is m.extra["conditional_interaction"][0]:
            t.section(tr("proc_sec_cond_interaction", lang))
        t.add(tr("proc_interaction", lang),
              tr("proc_at_value", lang).format(v="Z", x=e["z"], level=_level_text(e["level"], lang)),
              *_est_cells(e, stars))
    ind = [e for e in m.effects if e["effect"] == "indirect"]
    if ind:
        key = "proc_sec_cond_indirect" if any("level" in e for e in ind) else (
            "proc_sec_serial" if model == 6 else "proc_sec_indirect")
        t.section(tr(key, lang))
        for e in ind:
            t.add(_via_text(e, lab, lang), _at_text(e, pr, lab, lang), *_est_cells(e, stars, boot=True))
    for e in m.extra.get("index_of_moderated_mediation", []):
        if e is m.extra["index_of_moderated_mediation"][0]:
            t.section(tr("proc_sec_index", lang))
        t.add(_via_text(e, lab, lang), "", *_est_cells(e, stars, boot=True))
    for e in m.extra.get("partial_moderated_mediation", []):
        if e is m.extra["partial_moderated_mediation"][0]:
            t.section(tr("proc_sec_partial", lang))
        t.add(_via_text(e, lab, lang), tr(f"proc_part_{e['component']}", lang), *_est_cells(e, stars, boot=True))
    for e in m.extra.get("contrasts", []):
        if e is m.extra["contrasts"][0]:
            t.section(tr("proc_sec_contrasts", lang))
        at = f"{_level_text(e['level'], lang)} − {_level_text(e['minus_level'], lang)}"
        t.add(_via_text(e, lab, lang), at, *_est_cells(e, stars, boot=True))
    for e in m.extra.get("indirect_contrasts", []):
        if e is m.extra["indirect_contrasts"][0]:
            t.section(tr("proc_sec_icontrasts", lang))
        a_, b_ = _via_name(e["via"], lab, lang), _via_name(e["minus_via"], lab, lang)
        if "→" in a_ + b_:
            a_, b_ = f"({a_})", f"({b_})"
        t.add(f"{a_} − {b_}", "",
              *_est_cells(e, stars, boot=True))
    for e in m.extra.get("standardized_indirect_effects", []):
        if e is m.extra["standardized_indirect_effects"][0]:
            t.section(tr("proc_sec_standardized", lang))
        t.add(_via_name(e["via"], lab, lang), tr(f"proc_std_{e['kind']}", lang), *_est_cells(e, stars, boot=True))
    for e in m.extra.get("proportion_mediated", []):
        if e is m.extra["proportion_mediated"][0]:
            t.section(tr("proc_sec_proportion", lang))
        t.add(_via_name(e["via"], lab, lang), "", Cell(e["proportion"], "pct"), *[Cell(None, "num")] * 5)
    t.notes.append(_roles_note(pr, lab, lang))
    if pr.get("w"):
        t.notes.append(tr("proc_values_note_" + pr["moderator_values"], lang))
    if ind:
        unit = m.fit.get("bootstrap_unit")
        t.notes.append(tr("proc_boot_note", lang).format(n=m.fit.get("n_boot_used"),
                                                          unit=tr("proc_rows", lang) if unit == "row" else lab(unit)))
    if model in (58, 59) and m.extra.get("partial_moderated_mediation"):
        t.notes.append(tr("proc_partial_note", lang))
    t.notes.append(tr("proc_stars_note", lang))
    return t


def _jn_table(m, lab, lang, stars):
    jn = m.extra.get("johnson_neyman")
    if not jn:
        return []
    pr = m.extra["process"]
    what = tr("proc_jn_effect" if jn["of"] == "effect" else "proc_jn_interaction", lang).format(
        x=lab(pr["x"]), w=lab(pr["w"]), z=lab(pr["z"]) if pr.get("z") else "")
    t = Table(_title(m, "proc_jn_title", lang) + f": {what}",
              [Column("value", lab(jn["moderator"]), kind="num")] + _est_cols(lang), name="process_jn")
    for r in jn["table"]:
        t.add(Cell(r["value"], "num"), *_est_cells(r, stars))
    if jn["points"]:
        pts = "; ".join(tr("proc_jn_point", lang).format(v=p["value"], below=p["pct_below"], above=p["pct_above"])
                        for p in jn["points"])
        t.notes.append(tr("proc_jn_bounds", lang).format(points=pts))
    else:
        t.notes.append(tr("proc_jn_none", lang))
    return [t]


def process_tables(models, labels, vlabels, lang="en", stars=(0.05, 0.01, 0.001)) -> list[Table]:
    """The PROCESS tables of every ``family: process`` model in ``models``."""
    out = []
    lab = _lab(labels, vlabels, lang)
    for m in models:
        if m.family != "process":
            continue
        out += _paths_table(m, lab, lang, stars)
        out.append(_effects_table(m, lab, lang, stars))
        out += _jn_table(m, lab, lang, stars)
    return out
