"""Renderers: one Table model, many formats.

``render_text(tables, fmt, lang, decimals)`` returns text for table/md/csv/latex/html;
``render_file(tables, fmt, path, ...)`` writes binary formats (docx, xlsx) and text ones.
A new format is one more function here; every analysis gets it for free.
"""
from __future__ import annotations

import csv
import html as _html
import io
import math

from ..core.table import Cell, Table, fmt_number, label as _label

__all__ = ["render_text", "render_bytes", "TEXT_FORMATS", "BINARY_FORMATS", "print_rich"]

TEXT_FORMATS = ("table", "md", "csv", "latex", "html")
BINARY_FORMATS = ("docx", "xlsx")


def _cells(t: Table, lang: str, decimals: int) -> list[list[str]]:
    return [[fmt_number(t.cell(i, j), decimals, lang) for j in range(len(t.columns))]
            for i in range(len(t.rows))]


# ---------------------------------------------------------------- Markdown
def _md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_md(tables: list[Table], lang: str = "en", decimals: int = 3) -> str:
    out = []
    for t in tables:
        out.append(f"**{_md_escape(t.title_text(lang))}**\n")
        heads = [_md_escape(c.text(lang)) for c in t.columns]
        out.append("| " + " | ".join(heads) + " |")
        out.append("|" + "|".join(":---" if c.kind == "text" else "---:" for c in t.columns) + "|")
        body = _cells(t, lang, decimals)
        for i, row in enumerate(body):
            if i in t.row_sections:
                sec = _md_escape(_label(t.row_sections[i], lang))
                out.append("| **" + sec + "** " + "| " * (len(row) - 1) + "|")
            out.append("| " + " | ".join(_md_escape(x) for x in row) + " |")
        for n in t.notes_text(lang):
            out.append(f"\n*{_md_escape(n)}*")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- CSV
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(s: str) -> str:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe.
    Plain negative numbers are left alone."""
    if s and s.startswith(_FORMULA_START):
        try:
            float(s)
            return s
        except ValueError:
            return "'" + s
    return s


def render_csv(tables: list[Table], lang: str = "en", decimals: int = 3) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for k, t in enumerate(tables):
        if len(tables) > 1:
            if k:
                w.writerow([])
            w.writerow([_csv_safe("# " + t.title_text(lang))])
        w.writerow([_csv_safe(c.text(lang)) for c in t.columns])
        for i in range(len(t.rows)):
            if i in t.row_sections:
                w.writerow([_csv_safe(_label(t.row_sections[i], lang))] + [""] * (len(t.columns) - 1))
            row = []
            for j in range(len(t.columns)):
                c = t.cell(i, j)
                v = c.value
                if c.kind == "ci" and v is not None:
                    ok = all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
                    row.append(f"[{float(v[0])!r}, {float(v[1])!r}]" if ok else "")
                elif isinstance(v, float):
                    row.append(repr(v) if math.isfinite(v) else "")
                elif isinstance(v, int) and not isinstance(v, bool):
                    row.append(str(v))
                else:
                    row.append(_csv_safe(fmt_number(c, decimals, lang)))
            w.writerow(row)
    return buf.getvalue()


# ---------------------------------------------------------------- LaTeX
_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_escape(s: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in s)


def render_latex(tables: list[Table], lang: str = "en", decimals: int = 3) -> str:
    out = []
    for t in tables:
        cols = "l" + "r" * (len(t.columns) - 1)
        out += [r"\begin{table}[htbp]", r"\centering", r"\caption{" + tex_escape(t.title_text(lang)) + "}",
                r"\begin{tabular}{" + cols + "}", r"\toprule"]
        groups = t.column_groups(lang)
        if any(g for g, _ in groups):
            out.append(" & ".join(r"\multicolumn{%d}{c}{%s}" % (n, tex_escape(g)) if n > 1 else tex_escape(g)
                                  for g, n in groups) + r" \\")
        out.append(" & ".join(tex_escape(c.text(lang)) for c in t.columns) + r" \\")
        out.append(r"\midrule")
        for i, row in enumerate(_cells(t, lang, decimals)):
            if i in t.row_sections:
                out.append(r"\multicolumn{%d}{l}{\textit{%s}} \\" % (len(row), tex_escape(_label(t.row_sections[i], lang))))
            out.append(" & ".join(tex_escape(x) for x in row) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}"]
        for n in t.notes_text(lang):
            out.append(r"\par\footnotesize " + tex_escape(n))
        out += [r"\end{table}", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- HTML
_CSS = """body{font-family:'Times New Roman','SimSun',serif;margin:2em}
table{border-collapse:collapse;margin:1em 0}caption{font-weight:bold;text-align:left;padding:.3em 0}
thead tr:first-child th{border-top:2px solid #000}thead tr:last-child th{border-bottom:1px solid #000}
tbody tr:last-child td{border-bottom:2px solid #000}th,td{padding:.2em .7em;text-align:right}
th:first-child,td:first-child{text-align:left}td.sec{font-style:italic;text-align:left}td.t{text-align:left}
p.note{font-size:.9em;margin:.2em 0}"""


def render_html(tables: list[Table], lang: str = "en", decimals: int = 3, standalone: bool = True) -> str:
    e = _html.escape
    out = []
    for t in tables:
        out.append("<table>")
        out.append(f"<caption>{e(t.title_text(lang))}</caption>")
        out.append("<thead>")
        groups = t.column_groups(lang)
        if any(g for g, _ in groups):
            out.append("<tr>" + "".join(f'<th colspan="{n}">{e(g)}</th>' for g, n in groups) + "</tr>")
        out.append("<tr>" + "".join(f"<th>{e(c.text(lang))}</th>" for c in t.columns) + "</tr></thead><tbody>")
        for i, row in enumerate(_cells(t, lang, decimals)):
            if i in t.row_sections:
                out.append(f'<tr><td class="sec" colspan="{len(row)}">{e(_label(t.row_sections[i], lang))}</td></tr>')
            out.append("<tr>" + "".join(f'<td class="t">{e(x)}</td>' if t.columns[j].kind == "text" else f"<td>{e(x)}</td>"
                                        for j, x in enumerate(row)) + "</tr>")
        out.append("</tbody></table>")
        for n in t.notes_text(lang):
            out.append(f'<p class="note">{e(n)}</p>')
    body = "\n".join(out)
    if not standalone:
        return body
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<title>{e(tables[0].title_text(lang)) if tables else ''}</title><style>{_CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


# ---------------------------------------------------------------- terminal
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
        for i, row in enumerate(_cells(t, lang, decimals)):
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


def render_text(tables: list[Table], fmt: str, lang: str = "en", decimals: int = 3) -> str:
    if fmt == "md":
        return render_md(tables, lang, decimals)
    if fmt == "csv":
        return render_csv(tables, lang, decimals)
    if fmt == "latex":
        return render_latex(tables, lang, decimals)
    if fmt == "html":
        return render_html(tables, lang, decimals)
    if fmt == "table":
        return render_table_text(tables, lang, decimals)
    raise ValueError(f"not a text format: {fmt}")


def render_bytes(tables: list[Table], fmt: str, lang: str = "en", decimals: int = 3) -> bytes:
    """docx and xlsx as bytes (the CLI writes them atomically)."""
    if fmt == "xlsx":
        from .office import tables_to_xlsx
        return tables_to_xlsx(tables, lang, decimals)
    if fmt == "docx":
        from .office import tables_to_docx
        return tables_to_docx(tables, lang, decimals)
    raise ValueError(f"not a binary format: {fmt}")
