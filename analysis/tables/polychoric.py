"""Tables of a polychoric correlation matrix (:class:`~..numerics.polychoric.PolychoricResult`):
the lower triangle of correlations and each item's thresholds."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Column, Table

__all__ = ["polychoric_tables", "correlation_table", "thresholds_table"]


def polychoric_tables(result, lang: str = "en") -> list[Table]:
    return [correlation_table(result, lang), thresholds_table(result, lang)]


def correlation_table(result, lang: str = "en") -> Table:
    items = list(result.items)
    t = Table(title="@ord_poly_title", name="polychoric",
              columns=[Column("item", "@item", "text")] + [Column(it, it, "num") for it in items])
    for i, it in enumerate(items):
        t.add(it, *[float(result.rho[i, j]) if j <= i else None for j in range(len(items))])
    if result.method == "lavaan":
        missing = tr("st_efa_pairwise" if result.missing == "pairwise" else "st_efa_listwise", lang)
        t.notes.append(tr("ord_poly_note_lavaan", lang).format(missing=missing, n=result.n_obs))
    else:
        kind = tr("ord_local", lang).format(correct=f"{result.correct:g}") if result.local else tr("ord_global", lang)
        t.notes.append(tr("ord_poly_note_psych", lang).format(local=kind))
    if result.empty_cell_pairs:
        t.notes.append(tr("ord_empty_cells", lang).format(n=len(result.empty_cell_pairs)))
    if result.smoothed:
        t.notes.append("@ord_smoothed")
    return t


def thresholds_table(result, lang: str = "en") -> Table:
    width = max(len(th) for th in result.thresholds)
    t = Table(title="@ord_thresholds_title", name="thresholds",
              columns=[Column("item", "@item", "text")] + [Column(f"t{j + 1}", f"t{j + 1}", "num") for j in range(width)])
    for it, th in zip(result.items, result.thresholds):
        t.add(it, *[float(v) for v in th], *[None] * (width - len(th)))
    return t
