"""The exclusion flow of a screening as a table: received -> each rule -> analysed."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Column, Table

__all__ = ["screening_table"]


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
