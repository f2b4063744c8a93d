"""The terminal view of a :class:`~.report.ValidationReport` (rich): a summary panel
coloured by the worst severity, then the findings by code coloured by severity."""
from __future__ import annotations

__all__ = ["print_terminal"]

_STYLES = {"error": "red", "warning": "yellow", "info": "dim"}


def print_terminal(report, lang: str = "zh", file=None) -> None:
    """Print ``report`` to ``file`` (default stdout)."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table as RTable

    console = Console(file=file, soft_wrap=False)
    t1, t2 = report.to_tables(lang)[:2]
    grid = RTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for a, b in t1.rows:
        grid.add_row(escape(str(a)), escape(str(b)))
    colour = "red" if report.n_errors else ("yellow" if report.n_warnings else "green")
    console.print(Panel(grid, title=t1.title_text(lang), title_align="left", border_style=colour, expand=False))
    if not report.counts:
        return
    rt = RTable(title=t2.title_text(lang), box=box.SIMPLE_HEAD, title_justify="left",
                caption="\n".join(t2.notes_text(lang)), caption_justify="left")
    keep = [0, 2, 3, 4, 5]  # severity shown by colour
    for j in keep:
        c = t2.columns[j]
        rt.add_column(c.text(lang), justify="right" if c.kind == "int" else "left", no_wrap=j in (0, 2),
                      overflow="fold")
    for row, s in zip(t2.rows, report.summary()):
        sev = _STYLES.get(s["severity"], "")
        cells = [escape(str(row[j])) for j in keep]
        cells[0] = f"[{sev}]{cells[0]}[/{sev}]" if sev else cells[0]
        rt.add_row(*cells)
    console.print(rt)
