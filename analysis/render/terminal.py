"""The terminal: rich tables (title above, notes as caption), printed or as plain text."""
from __future__ import annotations

import io

from ..core.table import Table
from .common import cells, label as _label

__all__ = ["rich_tables", "print_rich", "render_table_text"]


def rich_tables(tables: list[Table], lang: str = "en", decimals: int = 3):
    from rich import box
    from rich.table import Table as RTable

    out = []
    for t in tables:
        caption = "\n".join(t.notes_text(lang))
        rt = RTable(title=_rich_escape(t.title_text(lang)), box=box.SIMPLE_HEAD, title_justify="left",
                    caption=_rich_escape(caption) if caption else None, caption_justify="left")
        for c in t.columns:
            rt.add_column(_rich_escape(c.text(lang)), justify="left" if c.kind == "text" else "right", overflow="fold")
        for i, row in enumerate(cells(t, lang, decimals)):
            if i in t.row_sections:
                rt.add_row(f"[bold]{_rich_escape(_label(t.row_sections[i], lang))}[/bold]", *[""] * (len(row) - 1))
            rt.add_row(*[_rich_escape(x) for x in row])
        out.append(rt)
    return out


def _rich_escape(s: str) -> str:
    from rich.markup import escape
    return escape(s)


def print_rich(tables: list[Table], lang: str = "en", decimals: int = 3, file=None) -> None:
    from rich.console import Console
    console = Console(file=file, soft_wrap=False)
    for rt in rich_tables(tables, lang, decimals):
        console.print(rt)


def render_table_text(tables: list[Table], lang: str = "en", decimals: int = 3, width: int = 120) -> str:
    from rich.console import Console
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    for rt in rich_tables(tables, lang, decimals):
        console.print(rt)
    return buf.getvalue()
