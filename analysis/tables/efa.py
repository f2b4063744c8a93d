"""Tables of an :class:`~..stats.efa.EFAResult`: adequacy, loadings, variance, Phi, scree."""
from __future__ import annotations

from ..core.i18n import tr
from ..core.table import Cell, Column, Table

__all__ = ["efa_tables", "BLANK_BELOW"]

BLANK_BELOW = 0.30  # loadings below this (in absolute value) are left blank in tables


def efa_tables(result, lang: str = "en") -> list[Table]:
    """Adequacy, loadings, variance explained, factor correlations (oblique), parallel analysis."""
    tabs = [_adequacy_table(result, lang), _loadings_table(result, lang), _variance_table(result, lang)]
    if result.phi is not None:
        tabs.append(_phi_table(result))
    tabs.append(_parallel_table(result, lang))
    if getattr(result, "polychoric", None) is not None:
        from .polychoric import thresholds_table

        tabs.append(thresholds_table(result.polychoric, lang))
    return tabs


def _adequacy_table(r, lang: str) -> Table:
    adq = Table(title="@st_efa_adequacy", name="adequacy",
                columns=[Column("stat", "@stat", "text"), Column("value", "@st_value", "num")])
    rows = [("n", Cell(r.n, "int")),
            ("st_efa_kmo", r.kmo_overall),
            ("st_efa_bartlett_chi2", Cell(r.bartlett_chi2, "stat", decimals=2)),
            ("st_efa_bartlett_df", Cell(r.bartlett_df, "int")),
            ("st_efa_bartlett_p", Cell(r.bartlett_p, "p")),
            ("st_efa_parallel_k", Cell(r.parallel.n_factors, "int")),
            ("st_efa_k", Cell(r.n_factors, "int"))]
    for key, value in rows:
        adq.add(tr(key, lang), value)
    corr = tr("st_efa_pairwise" if r.missing == "pairwise" else "st_efa_listwise", lang)
    poly = getattr(r, "polychoric", None)
    note_key = "st_efa_adequacy_note" if poly is None else "ord_efa_adequacy_note"
    adq.notes.append(tr(note_key, lang).format(
        corr=corr, n=r.n, iterations=r.parallel.iterations, seed=r.parallel.seed))
    if poly is not None:
        if poly.local:
            adq.notes.append(tr("ord_local", lang).format(correct=f"{poly.correct:g}"))
        if poly.smoothed:
            adq.notes.append("@ord_smoothed")
    return adq


def _loadings_table(r, lang: str) -> Table:
    title = tr("st_efa_title", lang).format(method=r.method, rotation=r.rotation, k=r.n_factors)
    cols = [Column("item", "@item", "text")]
    cols += [Column(f, f, "num") for f in r.factors]
    cols += [Column("h2", "@st_efa_h2", "num"), Column("u2", "@st_efa_u2", "num"),
             Column("msa", "@st_efa_msa", "num")]
    lt = Table(title=title, columns=cols, name="loadings")
    for i, main in r.sorted_items():
        row = [r.items[i]]
        for j in range(r.n_factors):
            v = float(r.loadings[i, j])
            row.append(Cell(v, "num", bold=(j == main)) if abs(v) >= BLANK_BELOW else None)
        row += [float(r.communalities[i]), float(r.uniquenesses[i]), float(r.kmo_items[i])]
        lt.add(*row)
    lt.notes.append(tr("st_efa_loadings_note", lang).format(cut=f"{BLANK_BELOW:.2f}"))
    lt.notes.extend(r.notes)
    return lt


def _variance_table(r, lang: str) -> Table:
    vt = Table(title="@st_efa_variance", name="variance",
               columns=[Column("stat", "", "text")] + [Column(f, f, "num") for f in r.factors])
    vt.add(tr("st_efa_ss_loadings", lang), *map(float, r.ss_loadings))
    vt.add(tr("st_efa_proportion", lang), *map(float, r.proportion))
    vt.add(tr("st_efa_cumulative", lang), *map(float, r.cumulative))
    return vt


def _phi_table(r) -> Table:
    ft = Table(title="@st_efa_phi", name="phi",
               columns=[Column("factor", "", "text")] + [Column(f, f, "num") for f in r.factors])
    for i, f in enumerate(r.factors):
        ft.add(f, *[float(r.phi[i, j]) if j <= i else None for j in range(r.n_factors)])
    return ft


def _parallel_table(r, lang: str) -> Table:
    pt = Table(title="@st_efa_scree",
               columns=[Column("k", "@factor", "int"), Column("eig", "@st_efa_eigenvalue", "num"),
                        Column("obs", "@st_efa_observed", "num"), Column("mean", "@st_efa_sim_mean", "num"),
                        Column("q95", "@st_efa_sim_q95", "num")], name="parallel")
    par = r.parallel
    for j in range(len(r.items)):
        pt.add(j + 1, float(r.eigenvalues[j]), float(par.observed[j]), float(par.mean[j]), float(par.q95[j]))
    pt.notes.append(tr("st_efa_parallel_note", lang).format(k=par.n_factors))
    return pt
