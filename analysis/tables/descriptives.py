"""Table of a :class:`~..stats.descriptives.DescriptivesResult`: N, mean, SD and the lower
triangle of correlations with alpha on the diagonal, as journals print it."""
from __future__ import annotations

from ..core.table import Cell, Column, Table

__all__ = ["descriptives_tables"]


def descriptives_tables(result, lang: str = "en") -> list[Table]:
    from ..stats.models.result import stars

    cols = [Column("variable", "@variable", kind="text"), Column("n", "@n", kind="int"),
            Column("mean", "@mean", decimals=2), Column("sd", "@sd", decimals=2)]
    cols += [Column(f"c{k}", str(k + 1), decimals=2) for k in range(len(result.variables))]
    t = Table("@st_desc_title", cols, name="descriptives", notes=["@st_desc_note"])
    for i, v in enumerate(result.variables):
        lab = result.labels.get(v)
        name = (lab.get(lang) or v) if isinstance(lab, dict) else v
        row = [f"{i + 1}. {name}", result.n[v], result.mean[v], result.sd[v]]
        for j, w in enumerate(result.variables):
            if j < i:
                row.append(Cell(result.corr[v][w], "est", stars=stars(result.p[v][w]), decimals=2))
            elif j == i:
                a = result.diagonal.get(v)
                row.append(Cell(a, "num", decimals=2) if a is not None else Cell("—", "text"))
            else:
                row.append(Cell("", "text"))
        t.add(*row)
    return [t]
