"""Tables of a score run (:class:`~..stats.scoring.ScoreRun`) and of unit aggregation."""
from __future__ import annotations

from ..core.i18n import LANGS, text_in, tr
from ..core.table import Column, Table

__all__ = ["score_tables", "aggregate_tables"]


def score_tables(run, lang: str = "en") -> list[Table]:
    """Per scale: k, respondents scored, mean, SD, min, max; then the aggregation, if any."""
    t = Table(title="@score_title", name="scores", columns=[
        Column("scale", "@scale", "text"), Column("k", "@k", "int"), Column("n_scored", "@n_valid", "int"),
        Column("mean", "@mean"), Column("sd", "@sd"), Column("min", "@min"), Column("max", "@max")])
    for s in run.scales:
        name = text_in(s.get("label"), lang) or s["scale"]
        t.add(f"{name} ({s['scale']})", s["k"], s["n_scored"], s["mean"], s["sd"], s["min"], s["max"])
    t.notes.append(tr("st_score_rule", lang).format(
        method=tr(f"st_score_{run.method}", lang), min_items=f"{run.min_items:g}", out=run.out))
    out = [t]
    if run.aggregate is not None:
        out.extend(aggregate_tables(run.aggregate, lang))
    return out


def _label_of(stat: dict, lang: str) -> str:
    """The scale's label in ``lang`` (else the other language), else its id."""
    for code in (lang, *LANGS):
        if stat.get(f"label_{code}"):
            return stat[f"label_{code}"]
    return stat["scale"]


def aggregate_tables(result, lang: str = "en") -> list[Table]:
    """ICC(1), ICC(2) and r_wg(j) per scale of an :class:`~..stats.aggregate.AggregateResult`."""
    t = Table(title="@aggregate_title", name="aggregation", columns=[
        Column("scale", "@scale", "text"), Column("n", "@n", "int"), Column("n_units", "@n_units", "int"),
        Column("k", "@mean_group_size", decimals=1), Column("f", "@f_stat", "stat"), Column("p", "@p", "p"),
        Column("icc1", "@icc1"), Column("icc2", "@icc2"), Column("rwg_mean", "@rwg_mean"),
        Column("rwg_median", "@rwg_median"), Column("rwg_share70", "@rwg_share70", "pct")])
    for s in result.stats:
        t.add(f"{_label_of(s, lang)} ({s['scale']})", s["n"], s["n_units"], s["mean_group_size"], s["f"], s["p"],
              s["icc1"], s["icc2"], s["rwg_j_mean"], s["rwg_j_median"], s["rwg_j_share_70"])
    t.notes.append(tr("st_agg_note", lang).format(unit=result.unit))
    return [t]
