"""Tables of a survey-experiment result: effects, tests, balance, attrition, power.

Factor and level names come from the instrument (zh/en); every other word from the
``exp_`` terms of the i18n catalogue.
"""
from __future__ import annotations

from ..core.i18n import text_in, tr
from ..core.table import Cell, Column, Table

__all__ = ["build_tables", "version_tables"]

MODEL_ORDER = ("main", "lin", "mixed", "interactions", "moderator", "subgroup", "mm", "manipulation")


def _factor_name(result, factor, lang) -> str:
    if factor is None:
        return ""
    parts = str(factor).split(":")
    names = result.labels.get("factors", {})
    return " × ".join(text_in(names.get(p), lang) or p for p in parts)


def _level_name(result, factor, level, lang) -> str:
    if level is None:
        return ""
    levels = result.labels.get("levels", {})
    fparts = str(factor).split(":")
    lparts = str(level).split(":")
    out = []
    for i, lv in enumerate(lparts):
        f = fparts[i] if i < len(fparts) else fparts[-1]
        out.append(text_in(levels.get((f, lv)), lang) or lv)
    return " × ".join(out)


def _effects_table(result, lang) -> Table:
    d = result.design
    conjoint = d.get("type") == "conjoint"
    title = tr("exp_title_amce" if conjoint else "exp_title_effects", lang).format(outcome=d.get("outcome"))
    t = Table(title=title, name="effects", columns=[
        Column("factor", tr("exp_attribute" if conjoint else "exp_factor", lang), "text"),
        Column("level", tr("exp_level", lang), "text"),
        Column("baseline", tr("exp_baseline", lang), "text"),
        Column("estimate", "@estimate", "est"),
        Column("se", "@se", "num"),
        Column("ci", "@ci", "ci"),
        Column("p", "@p", "p"),
    ])
    for model in MODEL_ORDER:
        rows = [e for e in result.effects if e["model"] == model]
        if not rows:
            continue
        heading = tr("exp_section", lang).format(model=tr(f"exp_model_{model}", lang),
                                                 estimand=tr(f"exp_{rows[0]['estimand']}", lang))
        group = object()
        for e in rows:
            if e.get("group", None) != group:
                group = e.get("group")
                label = _factor_name(result, e["moderator"], lang) if group is not None else ""
                t.section(f"{heading} ({label} = {group})" if group is not None else heading)
            t.add(_factor_name(result, e["factor"], lang), _level_name(result, e["factor"], e["level"], lang),
                  _level_name(result, e["factor"], e["baseline"], lang), e["estimate"], e["se"], Cell((e["ci_lower"], e["ci_upper"]), "ci"), e["p"])
    t.notes.extend(_se_notes(result, lang))
    return t


def _se_notes(result, lang) -> list[str]:
    d = result.design
    notes = []
    if d.get("se_type") == "HC2":
        notes.append(tr("exp_note_hc2", lang))
    elif d.get("se_type") == "CR1":
        notes.append(tr("exp_note_cr1", lang).format(cluster=d.get("cluster")))
    if any(e["model"] == "mixed" for e in result.effects):
        notes.append(tr("exp_note_mixed", lang))
    h0 = {e.get("h0") for e in result.effects if e["model"] == "mm"}
    if h0:
        notes.append(tr("exp_note_mm", lang).format(h0=h0.pop()))
    return notes


def _tests_table(result, lang) -> Table:
    t = Table(title=tr("exp_title_tests", lang), name="tests", columns=[
        Column("test", tr("exp_test", lang), "text"),
        Column("factor", tr("exp_factor", lang), "text"),
        Column("level", tr("exp_level", lang), "text"),
        Column("statistic", "F", "stat"),
        Column("df1", tr("exp_df1", lang), "int"),
        Column("df2", tr("exp_df2", lang), "int"),
        Column("p", "@p", "p"),
    ])
    for r in result.tests:
        factor = r.get("factor")
        t.add(tr(f"exp_test_{r['test']}", lang), _factor_name(result, factor, lang) if factor else "",
              _level_name(result, factor, r.get("level"), lang) if r.get("level") else "",
              r["statistic"], r["df1"], r["df2"], r["p"])
    if any(r["se_type"] == "classical" and r["test"] != "balance_f" for r in result.tests):
        t.notes.append(tr("exp_note_nested", lang))
    return t


def _balance_table(result, lang) -> Table:
    t = Table(title=tr("exp_title_balance", lang), name="balance", columns=[
        Column("variable", tr("exp_variable", lang), "text"),
        Column("factor", tr("exp_factor", lang), "text"),
        Column("arm", tr("exp_arm", lang), "text"),
        Column("n", "@n", "int"),
        Column("mean", "@mean", "num"),
        Column("std_diff", tr("exp_std_diff", lang), "num"),
    ])
    for r in result.balance:
        t.add(r["variable"], _factor_name(result, r["factor"], lang), _level_name(result, r["factor"], r["arm"], lang),
              r["n"], r["mean"], r["std_diff"])
    t.notes.append(tr("exp_note_balance", lang))
    return t


def _attrition_table(result, lang) -> Table:
    t = Table(title=tr("exp_title_attrition", lang), name="attrition", columns=[
        Column("factor", tr("exp_factor", lang), "text"),
        Column("arm", tr("exp_arm", lang), "text"),
        Column("n_assigned", tr("exp_n_assigned", lang), "int"),
        Column("n_observed", tr("exp_n_observed", lang), "int"),
        Column("missing_share", tr("exp_missing_share", lang), "pct"),
    ])
    for r in result.attrition:
        t.add(_factor_name(result, r["factor"], lang), _level_name(result, r["factor"], r["arm"], lang),
              r["n_assigned"], r["n_observed"], r["missing_share"])
    return t


def _power_table(result, lang) -> Table:
    first = result.power[0]
    t = Table(title=tr("exp_title_power", lang).format(power=first["power"], alpha=first["alpha"]), name="power",
              columns=[Column("factor", tr("exp_factor", lang), "text"), Column("level", tr("exp_level", lang), "text"),
                       Column("baseline", tr("exp_baseline", lang), "text"),
                       Column("n_level", tr("exp_n_level", lang), "num", decimals=1),
                       Column("n_baseline", tr("exp_n_baseline", lang), "num", decimals=1),
                       Column("mde", tr("exp_mde", lang), "num")])
    sim = "power_sim" in first
    if sim:
        t.columns += [Column("effect", tr("exp_effect", lang), "num"),
                      Column("power_sim", tr("exp_power_sim", lang).format(reps=first["reps"]), "pct")]
    for r in result.power:
        cells = [_factor_name(result, r["factor"], lang), _level_name(result, r["factor"], r["level"], lang),
                 _level_name(result, r["factor"], r["baseline"], lang), r["n_level"], r["n_baseline"], r["mde"]]
        t.add(*cells, *((r["effect"], r["power_sim"]) if sim else ()))
    t.notes.append(tr("exp_note_power", lang).format(sd=first["sd"], icc=first["icc"]))
    return t


def build_tables(result, lang: str = "en") -> list[Table]:
    """Effects, tests, then balance, attrition and power when the result holds them."""
    tables = []
    if result.effects:
        tables.append(_effects_table(result, lang))
    if result.tests:
        tables.append(_tests_table(result, lang))
    if result.balance:
        tables.append(_balance_table(result, lang))
    if result.attrition and any(r["n_assigned"] != r["n_observed"] for r in result.attrition):
        tables.append(_attrition_table(result, lang))
    if result.power:
        tables.append(_power_table(result, lang))
    return tables


def version_tables(inst, lang: str = "zh") -> list[Table]:
    """The printable versions of a design: for a vignette, one table per run (cell) with the
    vignette in every language of the instrument and the outcome questions; for a conjoint,
    the attributes and levels a profile card shows."""
    exp = inst.experiment
    langs = tuple(inst.languages) or ("zh", "en")
    outcomes = [v for v in inst.variables if v.id in exp.outcomes]
    if exp.type == "conjoint":
        t = Table(title=tr("exp_title_card", lang), name="card", columns=[
            Column("attribute", tr("exp_attribute", lang), "text"),
            *(Column(f"level_{g}", f"{tr('exp_level', lang)} ({g})", "text") for g in langs)])
        for f in exp.factors:
            for lv in f.levels:
                t.add(f.name(lang), *(lv.wording(g) for g in langs))
        return [t]
    tables = []
    for k, cell in enumerate(exp.cells(), 1):
        levels = ", ".join(f"{exp.factor(f).name(lang)}: {_version_level(exp, f, lid, lang)}" for f, lid in cell.items())
        t = Table(title=tr("exp_title_version", lang).format(k=k, levels=levels), name=f"version_{k}", columns=[
            Column("lang", tr("exp_language", lang), "text"), Column("text", tr("exp_text", lang), "text")])
        for g in langs:
            t.add(g, exp.vignette(cell, g))
            for v in outcomes:
                t.add(g, text_in(v.text or v.label, g))
        tables.append(t)
    return tables


def _version_level(exp, fid, lid, lang) -> str:
    lv = exp.factor(fid).level(lid)
    return text_in(lv.label, lang) if lv.label else lid
