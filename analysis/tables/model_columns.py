"""Additions to the regression table: the β and VIF columns of OLS models, and the
hierarchical-regression summary (one row per step, as SPSS's "Model Summary" prints it).

β is each coefficient's standardized estimate (``lm`` on the standardized design columns);
VIF is each design column's 1 / (1 - R²) from its auxiliary regression
(:func:`avoid_survey.analysis.stats.models.ols.column_vif`).
"""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table
from ..stats.models.result import stars as _stars

__all__ = ["insert_beta_vif", "steps_tables"]


def insert_beta_vif(t: Table, models, est_rows: dict, lang: str, *, beta=True, vif=True) -> None:
    """Insert β and/or VIF columns after the estimate column of each OLS model of ``t``.

    ``est_rows`` maps the row index of each coefficient's estimate row to its term. The estimate
    column keeps the model's label (so every renderer shows which model the β and VIF belong to).
    """
    kinds = [k for k, on in (("beta", beta), ("vif", vif)) if on]
    if not kinds:
        return
    ols = [j for j, m in enumerate(models) if m.family == "ols"]
    if not ols:
        return
    shift = 0
    for j in ols:
        m = models[j]
        pos = 1 + j + shift
        col = t.columns[pos]
        coefs = {c.term: c for c in m.coefficients}
        for k, kind in enumerate(kinds):
            t.columns.insert(pos + 1 + k, Column(f"{col.key}_{kind}", tr(f"reg_col_{kind}", lang), kind="num"))
        for i, row in enumerate(t.rows):
            c = coefs.get(est_rows.get(i))
            more = (c.more or {}) if c is not None else {}
            cells = [Cell(more.get(kind), "num") for kind in kinds]
            row[pos + 1:pos + 1] = cells
        shift += len(kinds)
    notes = [tr(f"reg_{kind}_note", lang) for kind in kinds]
    t.notes.append(" ".join(notes))


# ------------------------------------------------------------------ hierarchical steps
def _step_groups(models) -> dict:
    groups: dict = {}
    for m in models:
        st = m.extra.get("step")
        if st and not m.extra.get("robustness"):
            groups.setdefault(st["of"], []).append(m)
    return groups


def steps_tables(models, labels, vlabels, lang, stars) -> list[Table]:
    """One summary table per model declared with ``steps``: R, R², adjusted R², SE of the
    estimate, ΔR², ΔF, df1, df2 and p of ΔF per step (equal to R ``summary(lm)`` and
    ``anova(m_{k-1}, m_k)``; step 1 is tested against the intercept-only model)."""
    from .models import term_label

    groups = _step_groups(models)
    out = []
    for of, steps in groups.items():
        cols = [Column("step", tr("reg_step", lang), kind="text"), Column("r", "R", kind="num"),
                Column("r2", tr("r2", lang), kind="num"), Column("adj_r2", tr("adj_r2", lang), kind="num"),
                Column("sigma", tr("reg_sigma", lang), kind="num"),
                Column("r2_change", tr("mod_r2_change", lang), kind="num", group=tr("reg_change_stats", lang)),
                Column("f_change", tr("mod_f_change", lang), kind="est", group=tr("reg_change_stats", lang)),
                Column("df1", "df1", kind="int", group=tr("reg_change_stats", lang)),
                Column("df2", "df2", kind="int", group=tr("reg_change_stats", lang)),
                Column("p", tr("reg_p_change", lang), kind="p", group=tr("reg_change_stats", lang)),
                Column("added", tr("reg_entered", lang), kind="text")]
        t = Table(tr("reg_steps_title", lang).format(model=of), cols, name="hierarchical")
        for m in steps:
            f = m.fit
            r2 = f.get("r2")
            added = ", ".join(term_label(a, labels, vlabels, lang) for a in m.extra["step"].get("added", []))
            t.add(str(m.extra["step"]["step"]), Cell(r2 ** 0.5 if r2 is not None and r2 >= 0 else None, "num"),
                  Cell(r2, "num"), Cell(f.get("adj_r2"), "num"), Cell(f.get("sigma"), "num"),
                  Cell(f.get("r2_change"), "num"),
                  Cell(f.get("f_change"), "est", stars=_stars(f.get("f_change_p"), stars)),
                  Cell(f.get("f_change_df1"), "int"), Cell(f.get("f_change_df2"), "int"),
                  Cell(f.get("f_change_p"), "p"), added)
        t.notes.append(tr("reg_steps_note", lang))
        out.append(t)
    return out
