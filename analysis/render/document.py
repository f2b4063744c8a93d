"""A small document model for reports: headings, paragraphs, tables and figures, written
as standalone HTML (figures embedded) or Word .docx (three-line tables)."""
from __future__ import annotations

import base64
import html as _html
from dataclasses import dataclass, field
from pathlib import Path

from ..core.i18n import tr
from ..core.textsafe import strip_control
from ..core.table import Table

__all__ = ["Document", "Block"]


@dataclass
class Block:
    kind: str          # heading | para | table | figure | note
    content: object
    level: int = 2
    caption: str | None = None


@dataclass
class Document:
    title: str
    lang: str = "en"
    decimals: int = 3
    blocks: list = field(default_factory=list)
    # Word table style: "apa" (APA 7) or "cn" (Chinese journals); see render.office.TABLE_STYLES
    style: str = "apa"

    def heading(self, text: str, level: int = 2):
        self.blocks.append(Block("heading", text, level))

    def para(self, text: str):
        self.blocks.append(Block("para", text))

    def note(self, text: str):
        self.blocks.append(Block("note", text))

    def tables(self, tables: list[Table]):
        for t in tables:
            self.blocks.append(Block("table", t))

    def figure(self, path, caption: str | None = None):
        self.blocks.append(Block("figure", Path(path), caption=caption))

    # ------------------------------------------------------------ HTML
    def to_html(self) -> str:
        from .html import CSS as _CSS, render_html

        e = _html.escape
        parts = [f"<h1>{e(self.title)}</h1>"]
        for b in self.blocks:
            if b.kind == "heading":
                lvl = min(max(b.level, 2), 4)
                parts.append(f"<h{lvl}>{e(b.content)}</h{lvl}>")
            elif b.kind == "para":
                parts.append(f"<p>{e(b.content)}</p>")
            elif b.kind == "note":
                parts.append(f'<p class="note">{e(b.content)}</p>')
            elif b.kind == "table":
                parts.append(render_html([b.content], self.lang, self.decimals, standalone=False))
            elif b.kind == "figure":
                data = b.content.read_bytes()
                if b.content.suffix.lower() == ".svg":
                    src = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
                else:
                    src = "data:image/png;base64," + base64.b64encode(data).decode()
                cap = f"<figcaption>{e(b.caption)}</figcaption>" if b.caption else ""
                parts.append(f'<figure><img src="{src}" style="max-width:100%">{cap}</figure>')
        lang = tr("rnd_html_lang", self.lang)
        css = _CSS + "\nh1{font-size:1.5em}h2{font-size:1.25em;margin-top:1.6em}figure{margin:1em 0}" \
                     "figcaption{font-size:.9em;font-style:italic}"
        return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{e(self.title)}</title>'
                f"<style>{css}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")

    # ------------------------------------------------------------ Word
    def to_docx(self) -> bytes:
        import io

        from docx import Document as Docx
        from docx.shared import Inches, Pt

        from .office import CJK_FONT_CN, add_table_to_document, landscape_if_wide, set_document_fonts

        doc = Docx()
        set_document_fonts(doc, 10.5 if self.style == "cn" else 11, cjk=CJK_FONT_CN)
        number = 0
        landscape_if_wide(doc, [b.content for b in self.blocks if b.kind == "table"])
        doc.add_heading(strip_control(self.title), level=0)
        for b in self.blocks:
            if b.kind == "heading":
                doc.add_heading(strip_control(b.content), level=min(max(b.level - 1, 1), 3))
            elif b.kind == "para":
                doc.add_paragraph(strip_control(b.content))
            elif b.kind == "note":
                r = doc.add_paragraph().add_run(strip_control(b.content))
                r.italic = True
                r.font.size = Pt(9)
            elif b.kind == "table":
                number += 1
                add_table_to_document(doc, b.content, self.lang, self.decimals, style=self.style, number=number)
            elif b.kind == "figure":
                if b.content.suffix.lower() == ".png":
                    doc.add_picture(str(b.content), width=Inches(6))
                if b.caption:
                    r = doc.add_paragraph().add_run(strip_control(b.caption))
                    r.italic = True
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()
