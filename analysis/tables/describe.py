"""DescribeResult -> tables: the sample profile, descriptives (overall and by group) and
the correlation table with alpha or sqrt(AVE) on the diagonal, as journals print them."""
from __future__ import annotations

import math

from ..core.i18n import tr
from ..core.table import Cell, Column, Table
from ..stats.models.result import stars

__all__ = ["build_tables"]


def _profile(res, lang: str) -> Table:
    t = Table(title="@desc_profile_title", name="profile", columns=[
        Column("label", "@desc_category", "text"), Column("n", "@desc_frequency", "int"),
        Column("percent", "@desc_percent", decimals=1), Column("valid_percent", "@desc_valid_percent", decimals=1)])
    current = None
    for r in res.profile:
        if r.variable != current:
            t.section(r.variable_label or r.variable)
            current = r.variable
        t.add(tr("desc_indent", lang) + r.label, r.n, r.percent,
              r.valid_percent if r.valid_percent is not None else Cell("", "text"))
    t.notes.append(tr("desc_profile_note", lang).format(n=res.n))
    return t


def _name(d, lang: str) -> str:
    text = d.label or d.variable
    return tr("desc_indent", lang) + text if d.kind == "facet" else text


def _descriptives_table(title, name, rows_by_section, lang: str) -> Table:
    t = Table(title=title, name=name, columns=[
        Column("variable", "@variable", "text"), Column("n", "@n", "int"), Column("mean", "@mean"),
        Column("sd", "@sd"), Column("min", "@min"), Column("max", "@max"),
        Column("skewness", "@desc_skewness"), Column("kurtosis", "@desc_kurtosis")])
    for heading, rows in rows_by_section:
        if heading is not None:
            t.section(heading)
        for d in rows:
            t.add(_name(d, lang), d.n, d.mean, d.sd, d.min, d.max, d.skewness, d.kurtosis)
    t.notes.append("@desc_moments_note")
    return t


def _descriptives(res, lang: str) -> Table:
    return _descriptives_table("@desc_descriptives_title", "descriptives", [(None, res.descriptives)], lang)


def _by_group(res, lang: str) -> Table:
    """One block of rows per group of ``--by`` (every renderer shows row sections)."""
    title = tr("desc_by_title", lang).format(by=res.by_label or res.by)
    blocks = [(f"{g.label} (n = {g.n})", g.descriptives) for g in res.groups]
    return _descriptives_table(title, "descriptives_by", blocks, lang)


def _diagonal_cell(res, v):
    a = res.diagonal_values.get(v)
    if res.diagonal == "none":
        return Cell("1", "text")
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return Cell("—", "text")
    return Cell(a, "num", decimals=2, bold=True)


def _correlations(res, lang: str) -> Table:
    names = {d.variable: d for d in res.descriptives}
    vs = list(res.correlated)
    cols = [Column("variable", "@variable", "text"), Column("mean", "@mean", decimals=2),
            Column("sd", "@sd", decimals=2)]
    cols += [Column(f"c{k}", str(k + 1), decimals=2) for k in range(len(vs))]
    t = Table(title="@desc_cor_title", name="correlations", columns=cols)
    for i, v in enumerate(vs):
        d = names[v]
        row = [f"{i + 1}. {d.label or v}", d.mean, d.sd]
        for j, w in enumerate(vs):
            if j < i:
                row.append(Cell(res.correlations[v][w], "est", stars=stars(res.p_values[v][w]), decimals=2))
            elif j == i:
                row.append(_diagonal_cell(res, v))
            else:
                row.append(Cell("", "text"))
        t.add(*row)
    t.notes.append(f"@desc_diag_{res.diagonal}")
    t.notes.append(tr("desc_stars_note", lang))
    if res.diagonal == "sqrt_ave":
        t.notes.append(_fornell_larcker_note(res, lang))
    return t


def _fornell_larcker_note(res, lang: str) -> str:
    failed = [f["variable"] for f in res.fornell_larcker if f["passed"] is False]
    if not res.fornell_larcker:
        return tr("desc_fl_none", lang)
    if failed:
        labels = {d.variable: d.label or d.variable for d in res.descriptives}
        return tr("desc_fl_fail", lang).format(x=", ".join(labels.get(f, f) for f in failed))
    return tr("desc_fl_pass", lang)


def build_tables(res, lang: str = "en") -> list[Table]:
    out = []
    if res.profile:
        out.append(_profile(res, lang))
    out.append(_descriptives(res, lang))
    if res.groups:
        out.append(_by_group(res, lang))
    if res.correlated:
        out.append(_correlations(res, lang))
    return out
