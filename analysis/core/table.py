"""One table model that every analysis result becomes.

A :class:`Table` has a title, columns, rows of cells and notes. A cell holds the raw
number and its role (estimate, se, ci, p, count, text...), never a pre-rounded string;
renderers in :mod:`avoid_survey.analysis.render` decide how it looks in each format.
Labels may be term keys of :mod:`avoid_survey.analysis.core.i18n` written as ``"@key"``,
plain strings (already in the reader's language: build them with ``tr(key, lang)``), or
``{en, zh}`` mappings taken from instrument data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .i18n import text_in, tr

__all__ = ["Cell", "Column", "Table", "label", "fmt_number"]

KINDS = {"num", "int", "text", "est", "se", "ci", "p", "pct", "stat"}


@dataclass(frozen=True)
class Cell:
    """One table cell.

    value : number, string, None or (lo, hi) for ``kind='ci'``
    kind : how to format: num, int, text, est (estimate, may carry stars), se (in
        parentheses), ci ([lo, hi]), p (p value), pct (0-1 shown as percent), stat
    stars : significance stars attached to an estimate
    decimals : override of the table/renderer default
    """

    value: Any
    kind: str = "num"
    stars: str = ""
    decimals: int | None = None
    bold: bool = False
    style: str = ""  # terminal only: a rich style for the cell (e.g. a severity colour)


@dataclass
class Column:
    key: str
    label: Any = None
    kind: str = "num"
    decimals: int | None = None
    group: Any = None  # a column-group label spanning adjacent columns with the same group
    # terminal only: rich add_column options (no_wrap, style, ratio, min_width ...), and
    # ``show=False`` to leave the column out of the terminal table (other formats keep it)
    terminal: dict = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return label(self.label if self.label is not None else self.key, lang)


@dataclass
class Table:
    title: Any
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)
    name: str = "table"  # short machine name (sheet name, file stem)
    row_sections: dict[int, Any] = field(default_factory=dict)  # row index -> heading before it
    # terminal only: {"panel": colour} draws a two-column key-value table as a framed panel
    terminal: dict = field(default_factory=dict)

    def add(self, *values) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"row has {len(values)} cells, table {len(self.columns)} columns")
        self.rows.append(list(values))

    def section(self, heading) -> None:
        """Start a labelled block of rows (e.g. a scale name above its items)."""
        self.row_sections[len(self.rows)] = heading

    def cell(self, i: int, j: int) -> Cell:
        v = self.rows[i][j]
        if isinstance(v, Cell):
            return v
        kind = self.columns[j].kind
        if isinstance(v, str) and kind not in ("text",):
            return Cell(v, "text")
        return Cell(v, kind, decimals=self.columns[j].decimals)

    def title_text(self, lang: str) -> str:
        return label(self.title, lang)

    def notes_text(self, lang: str) -> list[str]:
        return [label(n, lang) for n in self.notes]

    def column_groups(self, lang: str) -> list[tuple[str, int]]:
        """Runs of adjacent columns sharing a group label: [(label, span)]."""
        out: list[tuple[str, int]] = []
        for c in self.columns:
            g = label(c.group, lang) if c.group is not None else ""
            if out and out[-1][0] == g:
                out[-1] = (g, out[-1][1] + 1)
            else:
                out.append((g, 1))
        return out


def label(value, lang: str) -> str:
    if isinstance(value, str) and value.startswith("@"):
        return tr(value[1:], lang)
    return text_in(value, lang)


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_number(cell: Cell, decimals: int = 3, lang: str = "en") -> str:
    """Format a cell's value as text, the same way for every renderer."""
    v, kind = cell.value, cell.kind
    d = cell.decimals if cell.decimals is not None else decimals
    if kind == "text" or isinstance(v, str):
        return "" if v is None else str(v)
    if kind == "ci":
        if v is None or any(_is_missing(x) for x in v):
            return ""
        return f"[{v[0]:.{d}f}, {v[1]:.{d}f}]"
    if _is_missing(v):
        return ""
    if isinstance(v, bool):
        return tr("yes" if v else "no", lang)
    if kind == "int":
        return f"{int(round(v)):d}"
    if kind == "p":
        if v < 0.001:
            return tr("rnd_p_below", lang)
        s = f"{v:.3f}"
        return tr("rnd_p_value", lang).format(bare=s[1:] if s.startswith("0") else s, full=s)
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if isinstance(v, int) and kind in ("num", "stat"):
        return f"{v:d}"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    s = f"{v:.{d}f}"
    if kind == "se":
        return f"({s})"
    if kind == "est":
        return s + cell.stars
    return s
