"""The terminal: rich tables (title above, notes below), printed or as plain text.

Tables fit the console width (80 columns when stdout is not a terminal and ``COLUMNS`` is
unset, as in CI logs): a number is never split across lines (numeric columns do not wrap and
are as wide as their widest cell); header words are kept whole; the label column wraps; a
table wider than the console folds into stacked blocks, each repeating the label column,
instead of dropping or squeezing columns (:func:`column_blocks`).

Terminal-only hints ride on the table model and are ignored by the other formats:
``Column.terminal`` (rich ``add_column`` options; ``show=False`` hides the column here),
``Cell.style`` (a rich style for one cell) and ``Table.terminal = {"panel": colour}``
(a key-value table drawn as a framed panel, as ``validate`` shows its summary).
"""
from __future__ import annotations

import io

from ..core.table import Table
from ..core.i18n import tr
from .common import cells, label as _label

__all__ = ["rich_tables", "print_rich", "render_table_text", "column_blocks"]

# the narrowest a wrapping (text) column is squeezed to, in terminal cells
_TEXT_MIN = 10


def rich_tables(tables: list[Table], lang: str = "en", decimals: int = 3, width: int | None = None):
    """Rich renderables for ``tables``; with ``width``, a wide table becomes several blocks."""
    out = []
    for t in tables:
        if t.terminal.get("panel"):
            out.append(_panel(t, lang, decimals))
        else:
            out.extend(_tables(t, lang, decimals, width))
    return out


def _cell_len(s: str) -> int:
    from rich.cells import cell_len
    return max((cell_len(line) for line in s.split("\n")), default=0)


def _wraps(c) -> bool:
    """A text column wraps unless its terminal hints say ``no_wrap``; a number column wraps
    only when they say ``no_wrap=False``."""
    if c.kind == "text":
        return not c.terminal.get("no_wrap")
    return c.terminal.get("no_wrap") is False


def _min_widths(t: Table, lang: str, body: list[list[str]], shown: list[int],
                width: int | None = None) -> dict[int, int]:
    """The narrowest each shown column may be: a numeric column is as wide as its widest cell
    (numbers never split) and its longest header word; a text column may wrap down to
    ``_TEXT_MIN`` cells (the label column to a quarter of ``width``), but never below its
    longest header word."""
    out = {}
    heads = _headers(t, lang)
    for k, j in enumerate(shown):
        c = t.columns[j]
        words = max((_cell_len(w) for w in heads[j].split()), default=0)
        data = max((_cell_len(r[j]) for r in body), default=0)
        if _wraps(c):
            natural = max(data, _cell_len(heads[j]))
            floor = max(_TEXT_MIN, (width or 0) // 4) if k == 0 else _TEXT_MIN
            out[j] = max(words, min(natural, floor))
            if k == 0 and t.row_sections:   # section headings stand in the label column
                longest = max(_cell_len(_label(h, lang)) for h in t.row_sections.values())
                out[j] = max(out[j], min(longest, max(_TEXT_MIN, (width or 0) // 3)))
        else:
            out[j] = max(words, data, 1)
    return out


def column_blocks(t: Table, lang: str, decimals: int, width: int | None) -> list[list[int]]:
    """The shown columns split into blocks that fit ``width`` cells; every block after the
    first repeats the label (first shown) column. One block when it fits or ``width`` is None."""
    shown = [j for j, c in enumerate(t.columns) if c.terminal.get("show", True)]
    if width is None or len(shown) < 2:
        return [shown]
    mins = _min_widths(t, lang, cells(t, lang, decimals), shown, width)
    cost = {j: mins[j] + 3 for j in shown}          # two cells of padding and one separator
    first, rest = shown[0], shown[1:]
    blocks, cur, used = [], [first], 1 + cost[first]
    for j in rest:
        if len(cur) > 1 and used + cost[j] > width:
            blocks.append(cur)
            cur, used = [first], 1 + cost[first]
        cur.append(j)
        used += cost[j]
    blocks.append(cur)
    return blocks


def _headers(t: Table, lang: str) -> list[str]:
    """Column headers; a column group's label (Levene / Welch, Model 1 ...) stands on a line
    above the first column of its run, as the other formats span it."""
    heads = [c.text(lang) for c in t.columns]
    if not any(g for g, _ in t.column_groups(lang)):
        return heads
    out, j = [], 0
    for g, span in t.column_groups(lang):
        for k in range(span):
            out.append(f"{g if (g and k == 0) else ''}\n{heads[j]}")
            j += 1
    return out


def _block_widths(t: Table, lang: str, body, shown: list[int], mins: dict, width: int | None) -> dict:
    """Exact column widths of one block when it would not fit at its natural widths: numeric
    columns at their minimum, the room left shared by the text columns in proportion to their
    natural width (never below their minimum)."""
    if width is None:
        return {}
    heads = _headers(t, lang)
    natural = {j: max(mins[j], _cell_len(heads[j]), *(_cell_len(r[j]) for r in body)) for j in shown}
    if t.row_sections:
        natural[shown[0]] = max(natural[shown[0]], *(_cell_len(_label(h, lang)) for h in t.row_sections.values()))
    if 1 + sum(natural[j] + 3 for j in shown) <= width:
        return natural
    out = {j: mins[j] for j in shown}
    texts = [j for j in shown if natural[j] > mins[j]]
    room = width - 1 - sum(mins[j] + 3 for j in shown)
    extra = sum(natural[j] - mins[j] for j in texts)
    for j in texts:
        if room > 0 and extra > 0:
            out[j] += min(natural[j] - mins[j], room * (natural[j] - mins[j]) // extra)
    return out


def _tables(t: Table, lang: str, decimals: int, width: int | None):
    from rich import box
    from rich.table import Table as RTable

    body = cells(t, lang, decimals)
    blocks = column_blocks(t, lang, decimals, width)
    mins = _min_widths(t, lang, body, blocks[0] + [j for b in blocks[1:] for j in b[1:]], width)
    caption = "\n".join(t.notes_text(lang))
    heads = _headers(t, lang)
    out = []
    for k, shown in enumerate(blocks):
        title = t.title_text(lang)
        if len(blocks) > 1:
            title += tr("rnd_block", lang).format(k=k + 1, n=len(blocks))
        rt = RTable(title=_rich_escape(title), box=box.SIMPLE_HEAD, title_justify="left")
        widths = _block_widths(t, lang, body, shown, mins, width)
        for j in shown:
            c = t.columns[j]
            wraps = _wraps(c)
            opts = {"justify": "left" if c.kind == "text" else "right", "overflow": "fold",
                    "min_width": mins[j]}
            if widths:
                opts["width"] = widths[j]
            elif not wraps:
                opts["no_wrap"] = True
            opts.update({k2: v for k2, v in c.terminal.items() if k2 not in ("show", "ratio", "min_width")})
            rt.add_column(_rich_escape(heads[j]), **opts)
        for i, row in enumerate(body):
            if i in t.row_sections:
                rt.add_row(f"[bold]{_rich_escape(_label(t.row_sections[i], lang))}[/bold]", *[""] * (len(shown) - 1))
            rt.add_row(*[_styled(t, i, j, row[j]) for j in shown])
        out.append(rt)
    if caption:   # the notes wrap at the console's width, not at a narrow table's
        from rich.text import Text
        out.append(Text(caption))
    return out


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
    for rt in rich_tables(tables, lang, decimals, width=console.width):
        console.print(rt)


def render_table_text(tables: list[Table], lang: str = "en", decimals: int = 3, width: int = 120) -> str:
    """The terminal rendering as plain text (``--format table --output FILE``)."""
    from rich.console import Console
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    for rt in rich_tables(tables, lang, decimals, width=width):
        console.print(rt)
    return buf.getvalue()
