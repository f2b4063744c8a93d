"""Helpers every text renderer shares."""
from __future__ import annotations

from ..core.table import Table, fmt_number, label

__all__ = ["cells", "label"]


def cells(t: Table, lang: str, decimals: int) -> list[list[str]]:
    """Every body cell of ``t`` formatted as text (sections not included)."""
    return [[fmt_number(t.cell(i, j), decimals, lang) for j in range(len(t.columns))]
            for i in range(len(t.rows))]
