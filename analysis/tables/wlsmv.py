"""WLSMV tables (cfa and sem with ordered items): standard/scaled/robust fit, thresholds,
ordinal invariance."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table

__all__ = ["wlsmv_fit_table", "thresholds_table", "ordinal_invariance_table"]


def wlsmv_fit_table(n, f, lang, name="wlsmv_fit"):
    """Fit indices in three columns: standard, scaled (scaled-shifted) and robust."""
    t = Table("@wlsmv_fit", [Column("index", "@cfa_index", "text"), Column("standard", "@wlsmv_standard"),
                             Column("scaled", "@wlsmv_scaled"), Column("robust", "@wlsmv_robust")], name=name)
    t.add("N", Cell(n, "int"), None, None)
    t.add(tr("chisq", lang), Cell(f["chisq"], "stat"), Cell(f.get("chisq_scaled"), "stat"), None)
    t.add(tr("df", lang), Cell(f["df"], "int"), Cell(f.get("df_scaled"), "int"), None)
    t.add("p", Cell(f["pvalue"], "p"), Cell(f.get("pvalue_scaled"), "p"), None)
    for k in ("cfi", "tli", "rmsea"):
        t.add(k.upper(), f.get(k), f.get(k + "_scaled"), f.get(k + "_robust"))
    t.add(tr("cfa_rmsea_ci", lang), Cell((f["rmsea_ci_lower"], f["rmsea_ci_upper"]), "ci"),
          Cell((f.get("rmsea_ci_lower_scaled"), f.get("rmsea_ci_upper_scaled")), "ci"),
          Cell((f.get("rmsea_ci_lower_robust"), f.get("rmsea_ci_upper_robust")), "ci"))
    t.add("SRMR", f.get("srmr"), None, None)
    a, b = f.get("chisq_scaling_factor"), f.get("chisq_shift_parameter")
    t.notes.append(tr("wlsmv_fit_note", lang).format(a="-" if a is None else f"{a:.3f}",
                                                     b="-" if b is None else f"{b:.3f}"))
    return t


def thresholds_table(thresholds, lang, parameterization="delta", name="wlsmv_thresholds"):
    grouped = any(r["group"] is not None for r in thresholds)
    cols = [Column("item", "@item", "text"), Column("threshold", "@wlsmv_threshold", "text")]
    if grouped:
        cols.append(Column("group", "@group", "text"))
    cols += [Column("estimate", "@estimate", "est"), Column("se", "@se", "num"), Column("std", "@sem_std_all")]
    t = Table("@wlsmv_thresholds", cols, name=name)
    for r in thresholds:
        vals = [r["item"], r["threshold"]] + ([str(r["group"])] if grouped else [])
        t.add(*vals, r["estimate"], r["se"], r.get("std_all"))
    t.notes.append(tr("wlsmv_thresholds_note", lang).format(param=tr("wlsmv_" + (parameterization or "delta"), lang)))
    return t


def ordinal_invariance_table(result, lang):
    cols = [Column("level", "@level", "text"), Column("chisq", "@wlsmv_chisq_scaled", "stat"),
            Column("df", "@df", "int"), Column("cfi", "@wlsmv_cfi_scaled"), Column("cfi_robust", "@wlsmv_cfi_robust"),
            Column("rmsea", "@wlsmv_rmsea_scaled"), Column("chisq_diff", "@cfa_chisq_diff", "stat"),
            Column("df_diff", "@cfa_df_diff", "int"), Column("p_diff", "@p", "p"),
            Column("delta_cfi", "@wlsmv_delta_cfi_scaled")]
    t = Table("@wlsmv_invariance", cols, name="cfa_invariance")
    for r in result.invariance:
        key = "wlsmv_thresholds_level" if r["level"] == "thresholds" else "cfa_" + r["level"]
        t.add(tr(key, lang), r["chisq_scaled"], r["df"], r["cfi_scaled"], r["cfi_robust"], r["rmsea_scaled"],
              r["chisq_diff"], r["df_diff"], r["p_diff"], r["delta_cfi_scaled"])
    gl = ", ".join(f"{g['group']} (n = {g['n']})" for g in result.groups)
    t.notes.append(tr("wlsmv_invariance_note", lang).format(group=result.group, groups=gl))
    return t
