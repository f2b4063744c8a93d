"""What `instruments list` and `instruments show` print: result objects with ``to_dict()``
(the JSON) and ``to_tables(lang)`` (every other format), plus a tree view for the terminal
and Markdown."""
from __future__ import annotations

from dataclasses import dataclass, field

from avoid_survey.analysis.core.i18n import text_in, tr
from avoid_survey.analysis.core.table import Cell, Column, Table

from .model import Instrument, ResponseFormat

__all__ = ["InstrumentCatalog", "InstrumentSummary", "catalog", "summarize"]


def _fmt_dict(r: ResponseFormat) -> dict:
    d = {"type": r.type}
    if r.name:
        d["name"] = r.name
    if r.min is not None:
        d["min"] = r.min
    if r.max is not None:
        d["max"] = r.max
    if r.labels:
        d["labels"] = {str(k): dict(v) for k, v in r.labels.items()}
    if r.missing_codes:
        d["missing_codes"] = list(r.missing_codes)
    return d


def _fmt_text(r: ResponseFormat, lang: str) -> str:
    if r.type == "likert":
        lo, hi = r.label(r.min, lang), r.label(r.max, lang)
        span = f"{r.min}-{r.max}"
        return f"{span} ({lo} … {hi})" if lo and hi else span
    if r.labels:
        return "; ".join(f"{k}={text_in(v, lang)}" for k, v in r.labels.items())
    if r.type == "numeric" and (r.min is not None or r.max is not None):
        lo = "" if r.min is None else f"{r.min:g}"
        hi = "" if r.max is None else f"{r.max:g}"
        return f"{r.type} {lo}-{hi}"
    return r.type


def _scale_dict(s) -> dict:
    d = {"id": s.id, "label": dict(s.label), "n_items": len(s.items), "optional": s.optional,
         "module": s.module}
    if s.description:
        d["description"] = dict(s.description)
    if s.facets:
        d["facets"] = [_scale_dict(f) for f in s.facets]
    else:
        d["items"] = [_item_dict(i) for i in s.items]
    if s.items:
        d["response"] = _fmt_dict(s.items[0].response)
    return d


def _item_dict(i) -> dict:
    d = {"id": i.id, "text": dict(i.text), "reverse": i.reverse}
    if i.referent:
        d["referent"] = dict(i.referent)
    if i.aliases:
        d["aliases"] = list(i.aliases)
    if i.response.name:
        d["response"] = i.response.name
    if i.measures:  # mechanism ids (instruments coverage)
        d["measures"] = list(i.measures)
    return d


def _count(inst: Instrument) -> dict:
    return {"id": inst.id, "version": inst.version, "title": dict(inst.title), "n_scales": len(inst.scales),
            "n_facets": sum(len(s.facets) for s in inst.scales), "n_items": len(inst.items),
            "n_variables": len(inst.variables), "n_attention_checks": len(inst.attention_checks),
            "scales": [s.id for s in inst.scales], "languages": list(inst.languages),
            "wordings": list(inst.wordings), "includes": list(inst.modules), "licence": inst.licence,
            "source": inst.source}


@dataclass
class InstrumentCatalog:
    """The bundled instruments (``instruments list``)."""

    instruments: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def to_dict(self) -> list:
        return [_count(i) for i in self.instruments]

    def to_tables(self, lang: str = "en") -> list[Table]:
        t = Table("@inst_bundled",
                  [Column("id", "@inst_id", kind="text"),
                   Column("version", "@inst_version", kind="text"),
                   Column("title", "@inst_title", kind="text"),
                   Column("n_scales", "@inst_n_scales", kind="int"),
                   Column("n_items", "@inst_n_items", kind="int"),
                   Column("n_facets", "@inst_n_facets", kind="int"),
                   Column("n_variables", "@inst_n_variables", kind="int"),
                   Column("n_checks", "@inst_n_checks", kind="int")],
                  name="instruments")
        for i in self.instruments:
            t.add(i.id, i.version, i.name(lang), len(i.scales), len(i.items),
                  sum(len(s.facets) for s in i.scales), len(i.variables), len(i.attention_checks))
        t.notes.append("@inst_list_note")
        return [t]

    def print_table(self, lang: str = "en", file=None) -> None:
        """Terminal table that keeps ids whole (titles wrap instead)."""
        from avoid_survey.analysis.render.terminal import print_rich
        from avoid_survey.analysis.tables.catalog import catalog_for_terminal
        print_rich([catalog_for_terminal(self.to_tables(lang)[0])], lang, file=file)


@dataclass
class InstrumentSummary:
    """One instrument, resolved (``instruments show``)."""

    instrument: Instrument
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        inst = self.instrument
        d = _count(inst)
        d.update({
            "description": dict(inst.description) if inst.description else None,
            "citation": dict(inst.citation) if inst.citation else None,
            "instructions": dict(inst.instructions) if inst.instructions else None,
            "scales": [_scale_dict(s) for s in inst.scales],
            "variables": [{"id": v.id, "label": dict(v.label), "text": dict(v.text) if v.text else None,
                           "level": v.level, "role": v.role, "pii": v.pii, "required": v.required,
                           "aliases": list(v.aliases), "response": _fmt_dict(v.response), "module": v.module}
                          for v in inst.variables],
            "attention_checks": [{"id": a.id, "text": dict(a.text), "expected": list(a.expected), "after": a.after,
                                  "response": _fmt_dict(a.response)} for a in inst.attention_checks],
            "columns": inst.columns(),
        })
        return d

    def to_tables(self, lang: str = "en") -> list[Table]:
        inst = self.instrument
        tables = (self._items_table(lang) if inst.items else None,
                  self._variables_table(lang) if inst.variables else None,
                  self._checks_table(lang) if inst.attention_checks else None,
                  self._formats_table(lang) if self._formats() else None)
        return [t for t in tables if t is not None]

    def _items_table(self, lang: str) -> Table:
        inst = self.instrument
        t = Table(tr("inst_items_title", lang).format(name=inst.name(lang), version=inst.version),
                  [Column("item", "@item", kind="text"), Column("scale", "@scale", kind="text"),
                   Column("facet", "@facet", kind="text"), Column("reverse", "@reverse", kind="text"),
                   Column("text", "@inst_wording", kind="text")], name="items")
        for s in inst.scales:
            key = "inst_scale_section_optional" if s.optional else "inst_scale_section"
            t.section(tr(key, lang).format(name=s.name(lang), id=s.id))
            for it in s.items:
                t.add(it.id, s.id, it.facet or "", Cell("R" if it.reverse else "", "text"), it.wording(lang))
        return t

    def _variables_table(self, lang: str) -> Table:
        t = Table("@inst_variables",
                  [Column("id", "@inst_variable", kind="text"),
                   Column("label", "@inst_label", kind="text"),
                   Column("level", "@inst_level", kind="text"),
                   Column("role", "@inst_role", kind="text"),
                   Column("response", "@inst_response", kind="text")], name="variables")
        for v in self.instrument.variables:
            t.add(v.id, v.name(lang), v.level, v.role or "", _fmt_text(v.response, lang))
        return t

    def _checks_table(self, lang: str) -> Table:
        t = Table("@inst_attention_checks",
                  [Column("id", "@inst_check", kind="text"),
                   Column("after", "@inst_after", kind="text"),
                   Column("expected", "@inst_expected", kind="text"),
                   Column("text", "@inst_wording", kind="text")], name="checks")
        for a in self.instrument.attention_checks:
            t.add(a.id, a.after or "", ", ".join(str(e) for e in a.expected), text_in(a.text, lang))
        return t

    def _formats_table(self, lang: str) -> Table:
        t = Table("@inst_response_formats",
                  [Column("scale", "@scale", kind="text"),
                   Column("response", "@inst_response", kind="text")], name="responses")
        for sid, r in self._formats():
            t.add(sid, _fmt_text(r, lang) + (" — " + "; ".join(f"{c}={r.label(c, lang)}" for c in r.codes)
                                             if r.type == "likert" and r.labels else ""))
        return t

    def _formats(self):
        return [(s.id, s.items[0].response) for s in self.instrument.scales if s.items]

    # ---- tree views
    def to_markdown(self, lang: str = "en") -> str:
        inst = self.instrument
        lines = ["# " + tr("inst_heading", lang).format(name=inst.name(lang), id=inst.id, version=inst.version), ""]
        if inst.description:
            lines += [text_in(inst.description, lang), ""]
        if inst.citation:
            lines += [tr("inst_cite_as", lang).format(citation=text_in(inst.citation, lang)), ""]
        for s in inst.scales:
            opt = _optional(s, lang)
            lines.append(f"- **{s.name(lang)}** `{s.id}`{opt} — {_fmt_text(s.response, lang) if s.items else ''}")
            groups = [(f, f.items) for f in s.facets] if s.facets else [(None, s.items)]
            for f, items in groups:
                ind = "  "
                if f is not None:
                    lines.append(f"  - *{f.name(lang)}* `{f.id}`")
                    ind = "    "
                for it in items:
                    rev = " (R)" if it.reverse else ""
                    lines.append(f"{ind}- `{it.id}`{rev} {it.wording(lang)}")
        if inst.variables:
            lines += ["", "## " + tr("inst_variables", lang), ""]
            for v in inst.variables:
                lines.append(f"- `{v.id}` {v.name(lang)} ({v.level}{', ' + v.role if v.role else ''}): "
                             f"{_fmt_text(v.response, lang)}")
        if inst.attention_checks:
            lines += ["", "## " + tr("inst_attention_checks", lang), ""]
            for a in inst.attention_checks:
                where = tr("inst_check_where", lang).format(after=a.after, expected=", ".join(map(str, a.expected)))
                lines.append(f"- `{a.id}` ({where}): {text_in(a.text, lang)}")
        return "\n".join(lines) + "\n"

    def print_tree(self, lang: str = "en", file=None) -> None:
        from rich.console import Console
        from rich.markup import escape
        from rich.tree import Tree

        inst = self.instrument
        root = Tree(f"[bold]{escape(inst.name(lang))}[/bold] [dim]{escape(inst.id)} {escape(inst.version)}[/dim]")
        for s in inst.scales:
            opt = _optional(s, lang)
            resp = _fmt_text(s.response, lang) if s.items else ""
            node = root.add(f"[bold]{escape(s.name(lang))}[/bold] [cyan]{escape(s.id)}[/cyan]{opt} "
                            f"[dim]{tr('inst_tree_items', lang).format(n=len(s.items))} · {escape(resp)}[/dim]")
            groups = [(f, f.items) for f in s.facets] if s.facets else [(None, s.items)]
            for f, items in groups:
                sub = node if f is None else node.add(f"{escape(f.name(lang))} [cyan]{escape(f.id)}[/cyan]")
                for it in items:
                    rev = " [magenta](R)[/magenta]" if it.reverse else ""
                    sub.add(f"[green]{escape(it.id)}[/green]{rev} {escape(it.wording(lang))}")
        if inst.variables:
            vn = root.add("[bold]" + tr("inst_variables", lang) + "[/bold]")
            for v in inst.variables:
                vn.add(f"[green]{escape(v.id)}[/green] {escape(v.name(lang))} [dim]{escape(_word('lv', v.level, lang))}"
                       f"{', ' + escape(_word('role', v.role, lang)) if v.role else ''} · "
                       f"{escape(_fmt_text(v.response, lang))}[/dim]")
        if inst.attention_checks:
            an = root.add("[bold]" + tr("inst_attention_checks", lang) + "[/bold]")
            for a in inst.attention_checks:
                where = tr("inst_check_where", lang).format(after=a.after, expected=", ".join(map(str, a.expected)))
                an.add(f"[green]{escape(a.id)}[/green] [dim]{escape(where)}[/dim] {escape(text_in(a.text, lang))}")
        Console(file=file, soft_wrap=False).print(root)


def _word(kind: str, value, lang: str) -> str:
    """A variable's level or role ('individual', 'cluster') in ``lang`` when the catalogue has it."""
    from avoid_survey.analysis.core.i18n import TERMS

    key = f"inst_{kind}_{value}"
    return tr(key, lang) if key in TERMS else str(value)


def _optional(scale, lang: str) -> str:
    """' (optional)' after an optional scale's name in the tree and Markdown views."""
    return " " + tr("inst_optional", lang) if scale.optional else ""


def catalog() -> InstrumentCatalog:
    """Every bundled instrument, loaded."""
    from .loader import list_instruments
    return InstrumentCatalog(list_instruments())


def summarize(ref) -> InstrumentSummary:
    """One instrument (bundled id, path or Instrument), resolved."""
    from .loader import load_instrument
    return InstrumentSummary(load_instrument(ref))
