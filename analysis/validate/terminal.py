"""The terminal view of a :class:`~.report.ValidationReport`: its summary and findings
tables with terminal hints (a panel coloured by the worst severity, findings coloured by
severity), drawn by the one terminal renderer."""
from __future__ import annotations

from dataclasses import replace

from ..core.table import Cell

__all__ = ["print_terminal", "terminal_tables"]

_STYLES = {"error": "red", "warning": "yellow", "info": "dim"}
_SHOWN = (0, 2, 3, 4, 5)  # the severity column is shown by colour


def terminal_tables(report, lang: str = "zh") -> list:
    """The report's summary and findings tables, with the terminal hints set."""
    t1, t2 = report.to_tables(lang)[:2]
    colour = "red" if report.n_errors else ("yellow" if report.n_warnings else "green")
    tables = [replace(t1, terminal={"panel": colour})]
    if any(s["n_removed"] for s in report.screening or ()):
        from ..tables.screening import screening_table
        tables.append(screening_table(report.screening, lang))
    if not report.counts:
        return tables
    cols = [replace(c, terminal={"justify": "right" if c.kind == "int" else "left", "no_wrap": j in (0, 2)}
                    if j in _SHOWN else {"show": False})
            for j, c in enumerate(t2.columns)]
    rows = [[Cell(str(row[0]), "text", style=_STYLES.get(s["severity"], "")), *row[1:]]
            for row, s in zip(t2.rows, report.summary())]
    tables.append(replace(t2, columns=cols, rows=rows))
    return tables


def print_terminal(report, lang: str = "zh", file=None) -> None:
    """Print ``report`` to ``file`` (default stdout)."""
    from ..render.terminal import print_rich
    print_rich(terminal_tables(report, lang), lang, file=file)
