"""Options and output handling shared by every command.

Kept free of heavy imports: pandas, numpy and statsmodels load inside the commands.
"""
from __future__ import annotations

import functools
import inspect
import sys
import typing
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

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


# ---------------------------------------------------------------- reading options
# (parameter name, type, typer option): added by @reads_data to every command reading data
_READ_PARAMS = (
    ("sheet", Optional[str], typer.Option("--sheet", help="Worksheet of an xlsx file (name or 0-based number); default: the sheet whose headers match the instrument.")),
    ("map_file", Optional[Path], typer.Option("--map", help="YAML mapping {file header: column id} for platform exports.", dir_okay=False)),
    ("write_map", Optional[Path], typer.Option("--write-map", help="Write a ready --map file (matched headers, and the closest item for each unmatched one) here.", dir_okay=False)),
    ("keep_pii", bool, typer.Option("--keep-pii", help="Keep columns that look like personal data (IP, phone, ID card, e-mail, names); dropped by default.")),
    ("screen", Optional[List[str]], typer.Option("--screen", help="Screening rules (repeatable or comma-separated): duplicates, speeders, attention, careless, all, none. Blank rows and repeated ids are always removed ('none' keeps repeated ids).")),
    ("careless_k", Optional[int], typer.Option("--careless-k", min=1, max=5, help="Careless responding: flag respondents failing at least K of the indices (longstring, irv, mahalanobis, even_odd) [2].")),
    ("screening_file", Optional[Path], typer.Option("--screening", help="YAML file with a screening block (duplicates, speeders, attention, careless), as in a spec.", dir_okay=False)),
    ("units", Optional[str], typer.Option("--units", help="Nesting of cluster columns, outermost first (county_id,township_id): names repeated under two parents are kept apart.")),
)
_READ_DEFAULTS = {"keep_pii": False}


def read_options(*, sheet=None, map_file=None, write_map=None, keep_pii=False, screen=None, careless_k=None,
                 screening_file=None, units=None, lang=None, force=False):
    """The :class:`~avoid_survey.analysis.io.readopts.ReadOptions` of a command's options."""
    from avoid_survey.analysis.io.readopts import ReadOptions

    mapping = load_mapping(map_file) if map_file is not None else None
    screening = None
    if screening_file is not None:
        from avoid_survey.analysis.core.errors import AvoidSurveyError
        from avoid_survey.analysis.core.yamlsafe import load_yaml
        from avoid_survey.analysis.validate.screening import Screening
        doc = load_yaml(screening_file)
        block = doc.data.get("screening", doc.data) if isinstance(doc.data, dict) else doc.data
        try:
            screening = Screening.from_mapping(block)
        except AvoidSurveyError as exc:
            raise exc.located(file=screening_file, line=1)
    if screen or careless_k is not None:
        from avoid_survey.analysis.validate.screening import parse_screen_option
        s2 = parse_screen_option(screen, careless_k)
        screening = s2 if screening is None else _merge_screening(screening, s2)
    sheet_v = int(sheet) if isinstance(sheet, str) and sheet.isdigit() else sheet
    unit_list = tuple(u.strip() for u in units.split(",") if u.strip()) if units else ()
    lang_s = lang.value if isinstance(lang, Enum) else (lang or "zh")
    return ReadOptions(sheet=sheet_v, mapping=mapping, write_map=write_map, keep_pii=bool(keep_pii),
                       screening=screening, units=unit_list, force=bool(force), lang=lang_s, reads=True)


def _merge_screening(a, b):
    from dataclasses import replace
    return replace(a, duplicates=b.duplicates if b.duplicates != "id" else a.duplicates,
                   speeders=a.speeders or b.speeders, attention=a.attention or b.attention,
                   careless=b.careless or a.careless,
                   careless_k=b.careless_k if b.careless else a.careless_k)


def load_mapping(map_file) -> dict:
    """A ``--map`` file: YAML ``file header: column id`` pairs (commented lines ignored)."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.core.yamlsafe import load_yaml

    doc = load_yaml(map_file)
    if not isinstance(doc.data, dict) or not all(isinstance(v, str) for v in doc.data.values()):
        raise AvoidSurveyError("a mapping file holds 'file header: column id' pairs", file=map_file, line=1)
    return {str(k).strip(): v.strip() for k, v in doc.data.items()}


def reads_data(fn):
    """Give a command the shared reading options (--sheet, --map, --write-map, --keep-pii,
    --screen, --careless-k, --screening, --units) and run it with them in force, so every
    read inside it (one shared reading entry, ``analysis.io.read``) applies them.

    Options the command declares itself are passed through to it as well.
    """
    sig = inspect.signature(fn)
    hints = typing.get_type_hints(fn, include_extras=True)
    own = set(sig.parameters)
    names = [p[0] for p in _READ_PARAMS]

    @functools.wraps(fn)
    def wrapper(**kw):
        from avoid_survey.analysis.io.readopts import using

        vals = {n: (kw.get(n) if n in own else kw.pop(n, None)) for n in names}
        opts = read_options(**{k: v for k, v in vals.items() if v is not None}, lang=kw.get("lang"),
                            force=kw.get("force", False))
        with using(opts):
            return fn(**kw)

    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()]
    for name, typ, opt in _READ_PARAMS:
        if name not in own:
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                            annotation=Annotated[typ, opt], default=_READ_DEFAULTS.get(name)))
    wrapper.__signature__ = sig.replace(parameters=params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__wrapped_reads_data__ = True
    del wrapper.__wrapped__
    return wrapper


def emit(result, fmt: Format, output: Optional[Path], lang: Lang, decimals: int = 3,
         force: bool = False, tables=None, explain: Optional[str] = None) -> None:
    """Render ``result`` (has to_dict() and to_tables(lang)) in the chosen format.

    The format's renderer comes from ``RENDERERS`` (see analysis/render/registry.py).
    ``explain`` names the explanation rules of the result (``--explain``): the JSON gains
    ``"explanation"`` and the tables end with the paragraph, a sentence a row.
    The exclusion flow of the command's data (the screening) is added: as
    ``"screening"`` in JSON, as a last table elsewhere when a row was removed.
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
    flow = _flow()
    if meta.get("source") == "result":
        _write_text(entry.load()(_WithScreening(result, flow) if flow else result), output, force, meta)
        return
    tabs = tables if tables is not None else result.to_tables(lang_s)
    if flow and any(s["n_removed"] for s in flow) and not any(getattr(t, "name", "") == "screening" for t in tabs):
        from avoid_survey.analysis.tables.screening import screening_table
        tabs = [*tabs, screening_table(flow, lang_s)]
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
        from avoid_survey.analysis.core.errors import warning_gist
        for w in getattr(result, "warnings", ()) or ():
            sys.stderr.write(f"warning: {w}{warning_gist(str(w), lang_s)}\n")


def _flow():
    from avoid_survey.analysis.io.readopts import current
    opts = current()
    return opts.log.flow() if opts.reads else None


class _WithScreening:
    """A result whose ``to_dict()`` carries the exclusion flow as ``"screening"``."""

    def __init__(self, result, flow):
        self._result, self._flow = result, flow

    def __getattr__(self, name):
        return getattr(self._result, name)

    def to_dict(self, *a, **kw):
        d = self._result.to_dict(*a, **kw)
        if isinstance(d, dict) and "screening" not in d:
            d = {**d, "screening": self._flow}
        return d


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
