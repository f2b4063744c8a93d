"""The terminal: rich tables (title above, notes as caption), printed or as plain text.

Terminal-only hints ride on the table model and are ignored by the other formats:
``Column.terminal`` (rich ``add_column`` options; ``show=False`` hides the column here),
``Cell.style`` (a rich style for one cell) and ``Table.terminal = {"panel": colour}``
(a key-value table drawn as a framed panel, as ``validate`` shows its summary).
"""
from __future__ import annotations

import io

from ..core.table import Table
from .common import cells, label as _label

__all__ = ["rich_tables", "print_rich", "render_table_text"]


def rich_tables(tables: list[Table], lang: str = "en", decimals: int = 3):
    """One rich renderable per table."""
    return [_panel(t, lang, decimals) if t.terminal.get("panel") else _table(t, lang, decimals)
            for t in tables]


def _table(t: Table, lang: str, decimals: int):
    from rich import box
    from rich.table import Table as RTable

    caption = "\n".join(t.notes_text(lang))
    rt = RTable(title=_rich_escape(t.title_text(lang)), box=box.SIMPLE_HEAD, title_justify="left",
                caption=_rich_escape(caption) if caption else None, caption_justify="left")
    shown = [j for j, c in enumerate(t.columns) if c.terminal.get("show", True)]
    for j in shown:
        c = t.columns[j]
        opts = {"justify": "left" if c.kind == "text" else "right", "overflow": "fold"}
        opts.update({k: v for k, v in c.terminal.items() if k != "show"})
        rt.add_column(_rich_escape(c.text(lang)), **opts)
    for i, row in enumerate(cells(t, lang, decimals)):
        if i in t.row_sections:
            rt.add_row(f"[bold]{_rich_escape(_label(t.row_sections[i], lang))}[/bold]", *[""] * (len(shown) - 1))
        rt.add_row(*[_styled(t, i, j, row[j]) for j in shown])
    return rt


def _styled(t: Table, i: int, j: int, text: str) -> str:
    style = t.cell(i, j).style
    return f"[{style}]{_rich_escape(text)}[/{style}]" if style else _rich_escape(text)


def _panel(t: Table, lang: str, decimals: int):
    from rich.panel import Panel
    from rich.table import Table as RTable

    grid = RTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for row in cells(t, lang, decimals):
        grid.add_row(*[_rich_escape(x) for x in row[:2]])
    return Panel(grid, title=t.title_text(lang), title_align="left", border_style=t.terminal["panel"], expand=False)


def _rich_escape(s: str) -> str:
    from rich.markup import escape
    return escape(s)


def print_rich(tables: list[Table], lang: str = "en", decimals: int = 3, file=None) -> None:
    """Print to the terminal (or ``file``) at the console's width."""
    from rich.console import Console
    console = Console(file=file, soft_wrap=False)
    for rt in rich_tables(tables, lang, decimals):
        console.print(rt)


def render_table_text(tables: list[Table], lang: str = "en", decimals: int = 3, width: int = 120) -> str:
    """The terminal rendering as plain text (``--format table --output FILE``)."""
    from rich.console import Console
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    for rt in rich_tables(tables, lang, decimals):
        console.print(rt)
    return buf.getvalue()
