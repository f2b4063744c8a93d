"""HTML: three-line tables, standalone page or a fragment for documents."""
from __future__ import annotations

import html as _html

from ..core.i18n import tr
from ..core.table import Table
from .common import cells, label as _label

__all__ = ["render_html", "CSS"]

CSS = """body{font-family:'Times New Roman','SimSun',serif;margin:2em}
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
        for i, row in enumerate(cells(t, lang, decimals)):
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
    html_lang = tr("rnd_html_lang", lang)
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<title>{e(tables[0].title_text(lang)) if tables else ''}</title><style>{CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n")
