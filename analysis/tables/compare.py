"""CompareResult -> tables: the tests (one block of group rows per variable), the
assumption checks (Levene, Welch), the post hoc comparisons and the crosstabs of
chi-square tests."""
from __future__ import annotations

import math

from ..core.i18n import tr
from ..core.table import Cell, Column, Table

__all__ = ["build_tables"]


def _df(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return Cell("", "text")
    return Cell(v, "num", decimals=0 if float(v).is_integer() else 2)


def _effect(r, lang):
    if r.effect_size_ci is None:
        return Cell("", "text")
    return Cell(tuple(r.effect_size_ci), "ci", decimals=2)


def _tests(res, lang: str) -> Table:
    t = Table(title="@cmp_title", name="compare", columns=[
        Column("group", "@cmp_group", "text"), Column("n", "@n", "int"), Column("mean", "@mean"),
        Column("sd", "@sd"), Column("test", "@cmp_test", "text"), Column("statistic", "@stat", "stat"),
        Column("df", "@df"), Column("df2", "@cmp_df2"), Column("p", "@p", "p"),
        Column("effect", "@cmp_effect_size", "text"), Column("es", "@cmp_value"),
        Column("es_ci", "@ci", "ci")])
    for r in res.tests:
        t.section(r.label if r.label == r.variable else f"{r.label} ({r.variable})")
        for i, g in enumerate(r.groups):
            first = i == 0
            t.add(g["label"], g["n"], g["mean"], g["sd"],
                  tr(f"cmp_test_{r.test}", lang) if first else "", r.statistic if first else Cell("", "text"),
                  _df(r.df) if first else Cell("", "text"), _df(r.df2) if first else Cell("", "text"),
                  r.p if first else Cell("", "text"),
                  tr(f"cmp_es_{r.effect_size_name}", lang) if first else "",
                  r.effect_size if first else Cell("", "text"), _effect(r, lang) if first else Cell("", "text"))
    t.notes.append(tr("cmp_by_note", lang).format(by=res.by_label or res.by) if res.by else "@cmp_paired_note")
    return t


def _assumptions(res, lang: str) -> Table | None:
    rows = [r for r in res.tests if "levene" in r.details]
    if not rows:
        return None
    t = Table(title="@cmp_assumptions_title", name="assumptions", columns=[
        Column("variable", "@variable", "text"), Column("lev_f", "@f_stat", "stat", group="@cmp_levene"),
        Column("lev_df1", "@df", group="@cmp_levene"), Column("lev_df2", "@cmp_df2", group="@cmp_levene"),
        Column("lev_p", "@p", "p", group="@cmp_levene"),
        Column("w_stat", "@stat", "stat", group="@cmp_welch"), Column("w_df", "@df", group="@cmp_welch"),
        Column("w_df2", "@cmp_df2", group="@cmp_welch"), Column("w_p", "@p", "p", group="@cmp_welch")])
    for r in rows:
        lev = r.details["levene"]
        w = r.details.get("welch") or r.details.get("welch_anova")
        t.add(r.label, lev["statistic"], _df(lev["df"]), _df(lev["df2"]), lev["p"], w["statistic"], _df(w["df"]),
              _df(w.get("df2")), w["p"])
    t.notes.append("@cmp_assumptions_note")
    return t


def _post_hoc(res, lang: str) -> Table | None:
    rows = [r for r in res.tests if r.post_hoc]
    if not rows:
        return None
    t = Table(title="@cmp_posthoc_title", name="post_hoc", columns=[
        Column("pair", "@cmp_pair", "text"), Column("diff", "@cmp_diff"), Column("se", "@se"),
        Column("p", "@p", "p"), Column("ci", "@ci", "ci")])
    for r in rows:
        labels = {g["group"]: g["label"] for g in r.groups}
        for method in ("tukey", "games_howell"):
            t.section(f"{r.label}: {tr(f'cmp_{method}', lang)}")
            for ph in (x for x in r.post_hoc if x["method"] == method):
                t.add(f"{labels.get(ph['group1'], ph['group1'])} – {labels.get(ph['group2'], ph['group2'])}",
                      ph["diff"], ph["se"], ph["p"], Cell((ph["ci_lower"], ph["ci_upper"]), "ci"))
    t.notes.append("@cmp_posthoc_note")
    return t


def _crosstab(r, lang: str) -> Table:
    values = []
    for c in r.details["crosstab"]:
        if c["value"] not in [v for v, _ in values]:
            values.append((c["value"], c["label"]))
    cols = [Column("group", "@cmp_group", "text")]
    cols += [Column(f"v{k}", lab, "int") for k, (_, lab) in enumerate(values)]
    cols.append(Column("total", "@cmp_total", "int"))
    t = Table(title=tr("cmp_crosstab_title", lang).format(v=r.label), name=f"crosstab_{r.variable}", columns=cols)
    for g in r.groups:
        cells = {c["value"]: c["n"] for c in r.details["crosstab"] if c["group"] == g["group"]}
        t.add(g["label"], *[cells.get(v, 0) for v, _ in values], g["n"])
    if "fisher" in r.details:
        t.notes.append(tr("cmp_fisher_note", lang).format(p=r.details["fisher"]["p"],
                                                          y=r.details["yates"]["statistic"],
                                                          yp=r.details["yates"]["p"]))
    for w in r.warnings:
        t.notes.append(str(w))
    return t


def build_tables(res, lang: str = "en") -> list[Table]:
    out = [_tests(res, lang)]
    for extra in (_assumptions(res, lang), _post_hoc(res, lang)):
        if extra is not None:
            out.append(extra)
    out.extend(_crosstab(r, lang) for r in res.tests if r.test == "chisq")
    return out
