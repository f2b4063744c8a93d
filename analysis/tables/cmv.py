"""CMV result -> tables: Harman's test, the method-factor model comparison, the marker correction."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table

__all__ = ["build_tables"]


def _harman(result, lang):
    h = result.harman
    t = Table("@sem_cmv_harman", [Column("statistic", "@sem_cmv_statistic", "text"),
                                   Column("value", "@sem_cmv_value")], name="cmv_harman")
    t.add(tr("sem_cmv_first_component", lang), Cell(h["first_component_share"], "pct"))
    t.add(tr("sem_cmv_first_factor", lang), Cell(h["first_factor_share"], "pct"))
    t.add(tr("sem_cmv_n_eigen", lang), Cell(h["n_eigen_gt1"], "int"))
    t.notes.append("@sem_cmv_harman_note")
    return t


def _models(result, lang):
    cols = [Column("model", "@sem_model", "text"), Column("chisq", "@chisq", "stat"), Column("df", "@df", "int"),
            Column("cfi", "@cfi"), Column("tli", "@tli"), Column("rmsea", "@rmsea"), Column("srmr", "@srmr"),
            Column("delta_chisq", "@sem_delta_chisq", "stat"), Column("delta_df", "@sem_delta_df", "int"),
            Column("p_delta", "@p", "p"), Column("delta_cfi", "@delta_cfi"),
            Column("method_share", "@sem_cmv_method_share", "pct")]
    t = Table("@sem_cmv_models", cols, name="cmv_models")
    m, s, u = result.measurement, result.single_factor, result.ulmc
    t.add(tr("sem_cmv_measurement", lang), m["chisq"], m["df"], m["cfi"], m["tli"], m["rmsea"], m["srmr"], None, None, None,
          None, None)
    for lab, r, share in (("sem_cmv_single", s, None), ("sem_cmv_ulmc", u, u["method_variance_share"])):
        t.add(tr(lab, lang), r["chisq"], r["df"], r["cfi"], r["tli"], r["rmsea"], r["srmr"], r["delta_chisq"], r["delta_df"],
              r["p_delta"], r["delta_cfi"], Cell(share, "pct"))
    t.notes.append("@sem_cmv_models_note")
    return t


def _marker(result, lang):
    mk = result.marker
    cols = [Column("pair", "@sem_cmv_pair", "text"), Column("r", "@sem_cmv_r"),
            Column("r_corrected", "@sem_cmv_r_corrected"), Column("p", "@p", "p")]
    t = Table("@sem_cmv_marker", cols, name="cmv_marker")
    for p in mk["pairs"]:
        t.add(f"{p['a']} - {p['b']}", p["r"], p["r_corrected"], p["p_corrected"])
    t.notes.append(tr("sem_cmv_marker_note", lang).format(col=mk["column"], rm=f"{mk['r_m']:.3f}"))
    return t


def build_tables(result, lang: str = "en") -> list[Table]:
    tabs = [_harman(result, lang), _models(result, lang)]
    if result.marker:
        tabs.append(_marker(result, lang))
    return tabs
