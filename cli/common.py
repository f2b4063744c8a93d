"""Options and output handling shared by every command.

Kept free of heavy imports: pandas, numpy and statsmodels load inside the commands.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.analysis.render.jsondoc import clean_json, dumps_json  # noqa: F401 (re-exported)
from avoid_survey.analysis.render.registry import RENDERERS

# --format choices: the registered renderers (analysis/render/registry.py)
Format = Enum("Format", {name: name for name in RENDERERS}, type=str)
Format.__doc__ = "Output formats, one per registered renderer."
Format.__module__ = __name__


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class Missing(str, Enum):
    pairwise = "pairwise"
    listwise = "listwise"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the output to this file instead of stdout.", dir_okay=False)]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of labels in rendered tables.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
DecimalsOpt = Annotated[int, typer.Option("--decimals", min=0, max=12, help="Decimals shown in rendered tables (JSON keeps full precision).")]
InstrumentOpt = Annotated[Optional[str], typer.Option("--instrument", "-i", help="Bundled instrument id or path to an instrument YAML file.")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Also state the results in words (zh and en; JSON gains \"explanation\"), judged against the cut-offs the field cites. 用中英文文字解读结果。")]
DataArg = Annotated[Path, typer.Argument(help="Response file: csv, xlsx, sav, dta or parquet.", show_default=False)]


def emit(result, fmt: Format, output: Optional[Path], lang: Lang, decimals: int = 3,
         force: bool = False, tables=None, explain: Optional[str] = None) -> None:
    """Render ``result`` (has to_dict() and to_tables(lang)) in the chosen format.

    The format's renderer comes from ``RENDERERS`` (see analysis/render/registry.py).
    ``explain`` names the explanation rules of the result (``--explain``): the JSON gains
    ``"explanation"`` and the tables end with the paragraph, a sentence a row.
    """
    fmt_s = fmt.value if isinstance(fmt, Enum) else str(fmt)
    lang_s = lang.value if isinstance(lang, Enum) else str(lang)
    if explain:
        from avoid_survey.analysis.tables.explain import Explained, explanation_table
        result = Explained(result, explain)
        if tables is not None:
            tables = [*tables, explanation_table(result.sentences[lang_s] or [result.explanation[lang_s]], lang_s)]
    entry = RENDERERS.entry(fmt_s)
    meta = entry.meta
    if meta.get("source") == "result":
        _write_text(entry.load()(result), output, force, meta)
        return
    tabs = tables if tables is not None else result.to_tables(lang_s)
    if meta.get("binary"):
        from avoid_survey.analysis.core.errors import AvoidSurveyError
        from avoid_survey.analysis.io.output import write_atomic
        if output is None:
            raise AvoidSurveyError(f"--format {fmt_s} needs --output FILE")
        write_atomic(output, entry.load()(tabs, lang_s, decimals), force)
        return
    if output is None and meta.get("printer"):
        from avoid_survey.analysis.core.registry import Entry
        Entry(fmt_s, meta["printer"]).load()(tabs, lang_s, decimals)
    else:
        _write_text(entry.load()(tabs, lang_s, decimals), output, force, meta)
    if meta.get("warnings"):
        for w in getattr(result, "warnings", ()) or ():
            sys.stderr.write(f"warning: {w}\n")


def _write_text(text: str, output: Optional[Path], force: bool, meta: dict) -> None:
    if output:
        from avoid_survey.analysis.io.output import write_atomic  # (not loaded for stdout)

        write_atomic(output, text, force, encoding=meta.get("encoding", "utf-8"))
    else:
        sys.stdout.write(text)


def note(msg: str) -> None:
    """Progress and notes go to stderr, so stdout stays one JSON document."""
    sys.stderr.write(msg.rstrip("\n") + "\n")


def ordinal_note(command: str, frame, items, lang) -> None:
    """One line on stderr suggesting the command's ordinal option when every item has at
    most 7 answer categories (:mod:`avoid_survey.analysis.stats.ordinal_hint`)."""
    from avoid_survey.analysis.stats.ordinal_hint import hint_line, item_matrix, ordinal_hint

    items = [c for c in dict.fromkeys(items) if c in set(frame.columns)]
    hint = ordinal_hint(item_matrix(frame, items), items) if items else None
    if hint is not None:
        note(hint_line(hint, command, lang.value if isinstance(lang, Lang) else str(lang)))
def figure_payload(kind: str, result) -> dict:
    """What a figure is drawn from: ``to_dict()``, with the terms' labels for model figures."""
    if kind in ("model", "slopes"):
        from avoid_survey.analysis.tables.explain import enriched
        return enriched("model", result)
    return result.to_dict()


def draw_figure(kind: str, result, path, lang, force: bool = False) -> None:
    """The command's standard figure (``--figure``), from its result's to_dict()."""
    if path is None:
        return
    from avoid_survey.analysis.render.figures import figure_for

    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    fig_note = figure_for(kind, figure_payload(kind, result), path, lang=lang_s, force=force)
    if fig_note:
        note(f"note: {fig_note}")
