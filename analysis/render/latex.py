"""LaTeX: booktabs three-line tables in a ``table`` float."""
from __future__ import annotations

from ..core.table import Table
from .common import cells, label as _label

__all__ = ["render_latex", "tex_escape"]

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
        for i, row in enumerate(cells(t, lang, decimals)):
            if i in t.row_sections:
                out.append(r"\multicolumn{%d}{l}{\textit{%s}} \\" % (len(row), tex_escape(_label(t.row_sections[i], lang))))
            out.append(" & ".join(tex_escape(x) for x in row) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}"]
        for n in t.notes_text(lang):
            out.append(r"\par\footnotesize " + tex_escape(n))
        out += [r"\end{table}", ""]
    return "\n".join(out)
