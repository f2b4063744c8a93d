"""Markdown (GitHub pipe tables), one bold title line above each table."""
from __future__ import annotations

from ..core.table import Table
from ..core.textsafe import markup_safe
from .common import cells, label as _label

__all__ = ["render_md"]


def _md_escape(s: str) -> str:
    """Pipes escaped, newlines joined, and markup shown as text: Markdown viewers pass raw
    HTML through, and labels come from files we did not write."""
    return markup_safe(s).replace("|", "\\|").replace("\n", " ")


def render_md(tables: list[Table], lang: str = "en", decimals: int = 3) -> str:
    out = []
    for t in tables:
        out.append(f"**{_md_escape(t.title_text(lang))}**\n")
        heads = [_md_escape(c.text(lang)) for c in t.columns]
        out.append("| " + " | ".join(heads) + " |")
        out.append("|" + "|".join(":---" if c.kind == "text" else "---:" for c in t.columns) + "|")
        body = cells(t, lang, decimals)
        for i, row in enumerate(body):
            if i in t.row_sections:
                sec = _md_escape(_label(t.row_sections[i], lang))
                out.append("| **" + sec + "** " + "| " * (len(row) - 1) + "|")
            out.append("| " + " | ".join(_md_escape(x) for x in row) + " |")
        for n in t.notes_text(lang):
            out.append(f"\n*{_md_escape(n)}*")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
