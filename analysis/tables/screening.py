"""The exclusion flow of a screening as a table: received -> each rule -> analysed."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Column, Table

__all__ = ["screening_table", "sensitivity_table"]


def screening_table(flow, lang: str = "en") -> Table:
    """One row per step: the rule, rows removed, rows remaining (cells set to missing for
    the out-of-range step)."""
    t = Table("@scr_title", [Column("step", "@scr_step", "text"), Column("rule", "@scr_rule", "text"),
                             Column("n_removed", "@scr_removed", "int"),
                             Column("n_remaining", "@scr_remaining", "int")], name="screening")
    for s in flow:
        removed = s.get("n_cells") if s["step"] == "out_of_range" else s["n_removed"]
        t.add(tr(f"scr_{s['step']}", lang), tr(f"scr_rule_{s['step']}", lang), removed, s["n_remaining"])
    if any(s["step"] == "out_of_range" for s in flow):
        t.notes.append("@scr_note_cells")
    return t


def sensitivity_table(screened, unscreened, lang: str = "en") -> Table:
    """Coefficients of each model fitted on the screened sample and on every row (blank
    rows aside), side by side, with each fit's N."""
    t = Table("@scr_sensitivity", [Column("model", "@scr_sens_model", "text"), Column("term", "@scr_sens_term", "text"),
                                   Column("screened", "@scr_sens_screened", "est"),
                                   Column("all", "@scr_sens_all", "est")], name="sensitivity")
    other = {m.name: m for m in unscreened.models}
    for m in screened.models:
        u = other.get(m.name)
        if u is None:
            continue
        t.section(m.name)
        ucoef = {c["term"]: c["estimate"] for c in u.to_dict().get("coefficients", [])}
        for c in m.to_dict().get("coefficients", []):
            t.add(m.name, c["term"], c["estimate"], ucoef.get(c["term"]))
        t.add(m.name, tr("scr_sens_n", lang), m.n, u.n)
    return t
