"""Options and output handling shared by every command.

Kept free of heavy imports: pandas, numpy and statsmodels load inside the commands.
"""
from __future__ import annotations

import json
import math
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Format(str, Enum):
    table = "table"
    json = "json"
    md = "md"
    csv = "csv"
    latex = "latex"
    html = "html"
    docx = "docx"
    xlsx = "xlsx"


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
DataArg = Annotated[Path, typer.Argument(help="Response file: csv, xlsx, sav, dta or parquet.", show_default=False)]


def clean_json(obj):
    """NaN/inf to null, numpy scalars to Python numbers, tuples to lists."""
    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    # numpy scalars and friends
    try:
        import numpy as np  # only reached when numpy is already loaded by an analysis
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            f = float(obj)
            return f if math.isfinite(f) else None
        if isinstance(obj, np.ndarray):
            return clean_json(obj.tolist())
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def dumps_json(obj) -> str:
    """Indented JSON: objects and lists open one level per line down to depth 2; deeper
    values, and each element of a long list (findings, parameters), are written on one line
    by the C encoder. ``json.dumps(indent=2)`` takes the pure-Python encoder, which needs
    about 0.1 s for a validation report of a few thousand findings."""
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
    out: list[str] = []

    def put(o, level: int) -> None:
        pad = "  " * level
        if isinstance(o, dict) and o and level < 2:
            out.append("{")
            last = len(o) - 1
            for i, (k, v) in enumerate(o.items()):
                out.append(f"\n{pad}  {enc(str(k))}: ")
                put(v, level + 1)
                if i < last:
                    out.append(",")
            out.append(f"\n{pad}}}")
        elif isinstance(o, list) and o and level < 2 and any(isinstance(v, (dict, list)) for v in o):
            out.append("[")
            last = len(o) - 1
            for i, v in enumerate(o):
                out.append(f"\n{pad}  {enc(v)}")
                if i < last:
                    out.append(",")
            out.append(f"\n{pad}]")
        else:
            out.append(enc(o))

    put(clean_json(obj), 0)
    return "".join(out)


def emit(result, fmt: Format, output: Optional[Path], lang: Lang, decimals: int = 3,
         force: bool = False, tables=None) -> None:
    """Render ``result`` (has to_dict() and to_tables(lang)) in the chosen format."""
    from avoid_survey.analysis.io.output import write_atomic

    fmt_s = fmt.value if isinstance(fmt, Format) else str(fmt)
    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    if fmt_s == "json":
        text = dumps_json(result.to_dict()) + "\n"
        if output:
            write_atomic(output, text, force)
        else:
            sys.stdout.write(text)
        return
    tabs = tables if tables is not None else result.to_tables(lang_s)
    if fmt_s in ("docx", "xlsx"):
        from avoid_survey.analysis.core.errors import AvoidSurveyError
        from avoid_survey.analysis.render import render_bytes
        if output is None:
            raise AvoidSurveyError(f"--format {fmt_s} needs --output FILE")
        write_atomic(output, render_bytes(tabs, fmt_s, lang_s, decimals), force)
        return
    if fmt_s == "table" and output is None:
        from avoid_survey.analysis.render import print_rich
        print_rich(tabs, lang_s, decimals)
        for w in getattr(result, "warnings", ()) or ():
            sys.stderr.write(f"warning: {w}\n")
        return
    from avoid_survey.analysis.render import render_text
    text = render_text(tabs, fmt_s, lang_s, decimals)
    if output:
        write_atomic(output, text, force, encoding="utf-8-sig" if fmt_s == "csv" else "utf-8")
    else:
        sys.stdout.write(text)
    for w in getattr(result, "warnings", ()) or ():
        sys.stderr.write(f"warning: {w}\n")


def note(msg: str) -> None:
    """Progress and notes go to stderr, so stdout stays one JSON document."""
    sys.stderr.write(msg.rstrip("\n") + "\n")


def draw_figure(kind: str, result, path, lang, force: bool = False) -> None:
    """The command's standard figure (``--figure``), from its result's to_dict()."""
    if path is None:
        return
    from avoid_survey.analysis.render.figures import figure_for

    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    fig_note = figure_for(kind, result.to_dict(), path, lang=lang_s, force=force)
    if fig_note:
        note(f"note: {fig_note}")
