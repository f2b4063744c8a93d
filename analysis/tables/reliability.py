"""Tables of a :class:`~..stats.reliability.ReliabilityResult`: scales, items, frequencies."""
from __future__ import annotations

from ..core.i18n import text_in, tr
from ..core.table import Cell, Column, Table

__all__ = ["reliability_tables"]


def reliability_tables(result, lang: str = "en") -> list[Table]:
    """The scale table, the item table and (answers with at most 10 codes) the frequencies."""
    out = [_scales_table(result, lang)]
    if getattr(result, "ordinal", False):
        out.append(_ordinal_table(result, lang))
    out.append(_items_table(result, lang))
    freq = _frequency_table(result)
    if freq is not None:
        out.append(freq)
    return out


def _scale_name(s, lang: str) -> str:
    return text_in(s.label, lang) or s.scale


def _scales_table(result, lang: str) -> Table:
    ci_name = "bootstrap" if result.ci == "bootstrap" else "Feldt"
    pct = f"{100 * result.level:g}%"
    t = Table(title="@reliability_title", name="reliability", columns=[
        Column("scale", "@scale", "text"), Column("k", "@k", "int"), Column("n", "@n", "int"),
        Column("alpha", "@alpha"), Column("alpha_std", "@alpha_std"),
        Column("ci", tr("st_rel_ci", lang).format(pct=pct, method=ci_name), "ci"),
        Column("lambda6", "@lambda6"), Column("average_r", "@average_r"),
        Column("omega_total", "@omega_total"), Column("omega_h", "@omega_h"),
        Column("omega_total_sl", "@omega_total_sl"),
        Column("mean", "@mean"), Column("sd", "@sd")])
    indent = tr("st_indent", lang)
    for s in result.scales:
        name = _scale_name(s, lang)
        t.add(indent + name if s.parent else name, s.k, s.n, s.alpha, s.alpha_std,
              Cell(tuple(s.alpha_ci), "ci"), s.lambda6, s.average_r, s.omega_total, s.omega_h,
              s.omega_total_sl, s.mean, s.sd)
    t.notes.append("@reliability_note")
    if result.missing == "listwise":
        t.notes.append("@listwise_note")
    return t


def _items_table(result, lang: str) -> Table:
    items = Table(title="@item_stats_title", name="items", columns=[
        Column("item", "@item", "text"), Column("reverse", "@reverse", "text"), Column("n", "@n", "int"),
        Column("mean", "@mean"), Column("sd", "@sd"), Column("r_drop", "@r_drop"),
        Column("alpha_if_deleted", "@alpha_if_deleted")])
    yes = tr("yes", lang)
    for s in result.scales:
        items.section(f"{_scale_name(s, lang)} ({s.scale})")
        for it in s.items:
            items.add(it.item, yes if it.reverse else "", it.n, it.mean, it.sd, it.r_drop, it.alpha_if_deleted)
    return items


def _frequency_table(result) -> Table | None:
    from ..stats.reliability import code_text

    codes = sorted({c for s in result.scales for it in s.items if it.frequencies for c in it.frequencies})
    if not codes or len(codes) > 10:
        return None
    fr = Table(title="@freq_title", name="frequencies", columns=[Column("item", "@item", "text")] +
               [Column(f"c{code_text(c)}", code_text(c), "pct") for c in codes] +
               [Column("miss", "@missing_share", "pct")])
    seen = set()
    for s in result.scales:
        for it in s.items:
            if it.item in seen or not it.frequencies:
                continue
            seen.add(it.item)
            tot = it.n
            answered = it.n + it.n_missing
            fr.add(it.item, *[(it.frequencies.get(c, 0) / tot if tot else float("nan")) for c in codes],
                   it.n_missing / answered if answered else float("nan"))
    return fr


def _ordinal_table(result, lang: str) -> Table:
    """Ordinal alpha / omega beside the Pearson values (``reliability --ordinal``)."""
    t = Table(title="@ord_reliability_title", name="ordinal", columns=[
        Column("scale", "@scale", "text"), Column("k", "@k", "int"), Column("n", "@n", "int"),
        Column("alpha", "@ord_reliability_pearson"), Column("alpha_ordinal", "@ord_alpha"),
        Column("omega_total", "@ord_reliability_pearson_omega"), Column("omega_total_ordinal", "@ord_omega_total"),
        Column("omega_h", "@omega_h"), Column("omega_h_ordinal", "@ord_omega_h")])
    indent = tr("st_indent", lang)
    for s in result.scales:
        name = _scale_name(s, lang)
        t.add(indent + name if s.parent else name, s.k, s.n, s.alpha, s.alpha_ordinal, s.omega_total,
              s.omega_total_ordinal, s.omega_h, s.omega_h_ordinal)
    t.notes.append("@ord_reliability_note")
    return t
