"""CFA result -> tables: fit indices, loadings, CR/AVE, factor correlations, HTMT, invariance."""
from __future__ import annotations

import math

from ..core.i18n import text_in, tr
from ..core.table import Cell, Column, Table

__all__ = ["build_tables", "fit_table"]


def _namer(result, lang):
    """A factor's instrument label in the table language, with its id."""
    def name(f):
        lab = text_in(result.factor_labels.get(f), lang)
        return f"{lab} ({f})" if lab and lab != f else f
    return name


def fit_table(n, f, lang, title="@cfa_fit", name="cfa_fit", note="cfa_fit_note"):
    """The fit indices of one model as an index/value table."""
    t = Table(title, [Column("index", "@cfa_index", "text"), Column("value", "@cfa_value")], name=name)
    t.add("N", Cell(n, "int"))
    t.add(tr("chisq", lang), Cell(f["chisq"], "stat"))
    t.add(tr("df", lang), Cell(f["df"], "int"))
    t.add("p", Cell(f["pvalue"], "p"))
    t.add("CFI", f["cfi"])
    t.add("TLI", f["tli"])
    t.add("RMSEA", f["rmsea"])
    t.add(tr("cfa_rmsea_ci", lang), Cell((f["rmsea_ci_lower"], f["rmsea_ci_upper"]), "ci"))
    t.add("SRMR", f["srmr"])
    t.add("AIC", Cell(f["aic"], "num", decimals=1))
    t.add("BIC", Cell(f["bic"], "num", decimals=1))
    if note:
        t.notes.append("@" + note)
    return t


def _loadings_table(result, name):
    t = Table("@cfa_loadings", [Column("item", "@item", "text"), Column("estimate", "@estimate", "est"),
                                Column("se", "@se", "num"), Column("z", "@z", "stat"), Column("p", "@p", "p"),
                                Column("std", "@cfa_std_loading")], name="cfa_loadings")
    cur = None
    for r in result.loadings:
        if r["factor"] != cur:
            cur = r["factor"]
            t.section(name(cur))
        t.add(r["item"], r["estimate"], r["se"], r["z"], r["p"], r["std"])
    t.notes.append("@cfa_std_lv_note" if result.std_lv else "@cfa_marker_note")
    return t


def _reliability_table(result, name):
    names = list(result.factor_reliability)
    t = Table("@cfa_reliability", [Column("factor", "@factor", "text"), Column("k", "@k", "int"),
                                   Column("cr", "@cr"), Column("ave", "@ave"),
                                   Column("sqrt_ave", "@cfa_sqrt_ave"), Column("max_r", "@cfa_max_r")],
              name="cfa_reliability")
    for a in names:
        fr = result.factor_reliability[a]
        others = [abs(v) for b, v in result.factor_correlations.get(a, {}).items() if b in names]
        t.add(name(a), fr["n_items"], fr["cr"], fr["ave"], fr["sqrt_ave"], max(others) if others else math.nan)
    t.notes.append("@cfa_reliability_note")
    return t


def _square_table(values, title, tname, name, diagonal):
    names = list(values)
    t = Table(title, [Column("factor", "@factor", "text")] + [Column(g, g) for g in names], name=tname)
    for a in names:
        t.add(name(a), *[values[a].get(b, math.nan) if a != b else diagonal for b in names])
    return t


def _invariance_table(result, lang):
    t = Table("@cfa_invariance", [Column("level", "@level", "text"), Column("chisq", "@chisq", "stat"),
                                  Column("df", "@df", "int"), Column("cfi", "@cfi"), Column("tli", "@tli"),
                                  Column("rmsea", "@rmsea"), Column("srmr", "@srmr"),
                                  Column("chisq_diff", "@cfa_chisq_diff", "stat"),
                                  Column("df_diff", "@cfa_df_diff", "int"), Column("p_diff", "@p", "p"),
                                  Column("delta_cfi", "@delta_cfi")], name="cfa_invariance")
    for r in result.invariance:
        t.add(tr("cfa_" + r["level"], lang), r["chisq"], r["df"], r["cfi"], r["tli"], r["rmsea"], r["srmr"],
              r["chisq_diff"], r["df_diff"], r["p_diff"], r["delta_cfi"])
    gl = tr("cfa_group_sep", lang).join(tr("cfa_group_n", lang).format(group=text_in(g.get("label"), lang) or g["group"],
                                                                      n=g["n"]) for g in result.groups)
    t.notes.append(tr("cfa_invariance_note", lang).format(group=result.group, groups=gl))
    return t


def _partial_table(result, lang):
    cols = [Column("step", "@cfa_step", "int"), Column("freed", "@cfa_freed", "text"),
            Column("score", "@cfa_score", "stat"), Column("df", "@df", "int"), Column("p", "@p", "p"),
            Column("cfi", "@cfi"), Column("delta_cfi", "@delta_cfi")]
    t = Table("@cfa_partial", cols, name="cfa_partial_invariance")
    for s in result.partial_invariance:
        t.add(s["step"], s["freed"] or "", s["score"], s["df"], s["p"], s["cfi"], s["delta_cfi"])
    level = result.partial_invariance[0]["level"]
    t.notes.append(tr("cfa_partial_note", lang).format(level=tr("cfa_" + level, lang)))
    return t


def build_tables(result, lang: str = "en") -> list[Table]:
    """The tables of a :class:`~avoid_survey.analysis.stats.cfa.CFAResult`."""
    name = _namer(result, lang)
    wlsmv = getattr(result, "estimator", "ML") == "WLSMV"
    if wlsmv:
        from .wlsmv import wlsmv_fit_table

        tabs = [wlsmv_fit_table(result.n, result.fit, lang, name="cfa_fit"), _loadings_table(result, name)]
    else:
        tabs = [fit_table(result.n, result.fit, lang), _loadings_table(result, name)]
    if result.factor_reliability:
        tabs.append(_reliability_table(result, name))
    if len(result.factor_correlations) > 1:
        tabs.append(_square_table(result.factor_correlations, "@cfa_factor_corr", "cfa_factor_correlations",
                                  name, 1.0))
    if len(result.htmt) > 1:
        t = _square_table(result.htmt, "@cfa_htmt", "cfa_htmt", name, math.nan)
        t.notes.append("@cfa_htmt_note")
        tabs.append(t)
    if result.invariance:
        if wlsmv:
            from .wlsmv import ordinal_invariance_table

            tabs.append(ordinal_invariance_table(result, lang))
        else:
            tabs.append(_invariance_table(result, lang))
    if wlsmv and result.thresholds:
        from .wlsmv import thresholds_table

        tabs.append(thresholds_table(result.thresholds, lang, result.parameterization, name="cfa_thresholds"))
    if result.partial_invariance:
        tabs.append(_partial_table(result, lang))
    return tabs
