"""`avoid-survey instruments`: list, show, export and check instrument files."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import (Format, FormatOpt, ForceOpt, Lang, LangOpt, OutputOpt, dumps_json, emit,
                                     note)

app = typer.Typer(
    help="Bundled and user instruments: list them, show scales -> facets -> items, export a codebook, "
         "a blank data template or a printable questionnaire, check an instrument file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

RefArg = Annotated[str, typer.Argument(metavar="ID_OR_PATH", help="Bundled instrument id or path to an instrument YAML file.",
                                       show_default=False)]


class ShowFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"


class Kind(str, Enum):
    codebook = "codebook"
    template = "template"
    questionnaire = "questionnaire"
    versions = "versions"


class Wording(str, Enum):
    self = "self"
    referent = "referent"


class Order(str, Enum):
    file = "file"
    interleaved = "interleaved"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("list")
def list_(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    force: ForceOpt = False,
):
    """List the bundled instruments (id, version, title, scales, items)."""
    if output is None and fmt in (Format.table, Format.json):
        cached = _fresh_catalog()
        if cached is not None:  # no pydantic, no YAML: start-up stays fast
            if fmt == Format.json:
                sys.stdout.write(dumps_json(cached["list"]) + "\n")
            else:
                _print_catalog(cached["tables"][lang.value])
            return
    from avoid_survey.instruments.summary import catalog

    cat = catalog()
    if fmt == Format.table and output is None:
        cat.print_table(lang.value)
        return
    emit(cat, fmt, output, lang, 3, force)


def _fresh_catalog(data_dir: Optional[Path] = None) -> Optional[dict]:
    """instruments/data/catalog.json when it matches the bundled YAML files (sha256), else None.

    Found without importing avoid_survey.instruments (whose loader needs pydantic)."""
    import hashlib
    import json
    from importlib.util import find_spec

    try:
        if data_dir is None:
            spec = find_spec("avoid_survey.instruments")
            data_dir = Path(list(spec.submodule_search_locations)[0]) / "data"
        cat = json.loads((data_dir / "catalog.json").read_text(encoding="utf-8"))
        files = {p.stem: p for p in data_dir.glob("*.yaml")}
        if set(files) != set(cat["sources"]):
            return None
        for iid, digest in cat["sources"].items():
            if hashlib.sha256(files[iid].read_bytes()).hexdigest() != digest:
                return None
        for entry in cat["list"] if isinstance(cat["list"], list) else []:
            if isinstance(entry, dict) and entry.get("source"):
                entry["source"] = str(data_dir / entry["source"])
        return cat
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _print_catalog(t: dict, file=None) -> None:
    """The same terminal table as InstrumentCatalog.print_table, from the precomputed catalog."""
    from avoid_survey.analysis.core.table import Column, Table
    from avoid_survey.analysis.render.terminal import print_rich
    from avoid_survey.analysis.tables.catalog import catalog_for_terminal

    table = Table(t["title"], [Column(c["key"], c["text"], "text" if c["kind"] == "text" else c["kind"])
                               for c in t["columns"]], [list(r) for r in t["rows"]], list(t["notes"]))
    print_rich([catalog_for_terminal(table)], "en", file=file)


@app.command()
def show(
    ref: RefArg,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="table: a tree; md: a nested list; json: everything.")] = ShowFormat.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    force: ForceOpt = False,
):
    """Show one instrument as a tree: scales -> facets -> items ((R) = reverse-keyed), variables, checks."""
    from avoid_survey.analysis.io.output import write_atomic
    from avoid_survey.instruments.summary import summarize

    s = summarize(ref)
    if fmt == ShowFormat.table and output is None:
        s.print_tree(lang.value)
        return
    if fmt == ShowFormat.json:
        text = dumps_json(s.to_dict()) + "\n"
    elif fmt == ShowFormat.md:
        text = s.to_markdown(lang.value)
    else:
        from avoid_survey.analysis.render import render_text
        text = render_text(s.to_tables(lang.value), "table", lang.value)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text, force)


@app.command()
def export(
    ref: RefArg,
    to: Annotated[Path, typer.Option("--to", help="Output file: .csv/.md codebook, .xlsx template, .html/.docx questionnaire "
                                                  "(or choose with --kind).", dir_okay=False, show_default=False)],
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="What to export; default from the extension "
                                                                "(md with --kind questionnaire, csv with --kind template).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the questionnaire and of codebook labels.")] = Lang.zh,
    wording: Annotated[Wording, typer.Option("--wording", help="Questionnaire wording: self-report or referent-shift "
                                                               "('in my unit, some officials ...').")] = Wording.self,
    order: Annotated[Order, typer.Option("--order", help="Questionnaire item order: as in the file, or interleaved "
                                                         "(each part's facets mixed within a response format).")] = Order.file,
    force: ForceOpt = False,
    n_versions: Annotated[Optional[int], typer.Option("--versions", min=1, help="With --kind versions: how many "
                                                      "versions (default: one per cell of a vignette design, 10 for a conjoint).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="With --kind versions: seed of the random parts of the versions.")] = 1,
):
    """Export a codebook, a blank data-entry template or a printable questionnaire; with
    --kind versions (an instrument with an experiment), one questionnaire per version of the
    experiment (--to out/name.html or .docx gives out/name-v01.html, ...) and the design
    file out/name-design.csv (version x vignette/task -> levels) for platforms without
    randomisation."""
    if kind is not None and kind.value == "versions":
        from avoid_survey.instruments.versions import write_versions

        res = write_versions(ref, to, n=n_versions, seed=seed, lang=lang.value, force=force)
        from avoid_survey.analysis.core.i18n import tr
        note(tr("cli_wrote_versions_design", lang.value).format(n=len(res["versions"]), first=res["versions"][0],
                                                                design=res["design"], rows=res["n_rows"]))
        return
    from avoid_survey.instruments.export import export_instrument

    res = export_instrument(ref, to, kind=kind.value if kind else None, lang=lang.value, wording=wording.value,
                            force=force, order=order.value)
    note(res.summary(lang.value))


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Instrument YAML file (or a bundled id).", show_default=False)],
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="text: one line per finding; json: a list.")] = CheckFormat.text,
    lang: LangOpt = Lang.zh,
):
    """Check an instrument file and list every problem (`file:line: code: message`).

    Exit 0 when it has no error, 2 when it has any. The text lines follow --lang; the JSON
    keeps each finding's English message, as `validate --format json` does.
    """
    from avoid_survey.instruments.loader import check_instrument_file, resolve_ref

    path = str(resolve_ref(file))
    findings = check_instrument_file(file)
    if fmt == CheckFormat.json:
        sys.stdout.write(dumps_json({"file": path, "n_errors": sum(f.severity == "error" for f in findings),
                                     "findings": [f.to_dict() for f in findings]}) + "\n")
    else:
        for f in findings:
            where = f"{path}:{f.row}" if f.row is not None else path
            sev = "" if f.severity == "error" else f"{f.severity}: "
            sys.stdout.write(f"{where}: {f.code}: {sev}{' '.join(f.message_in(lang.value).split())}\n")
        if not findings:
            from avoid_survey.analysis.core.i18n import tr
            note(tr("cli_check_ok", lang.value).format(path=path))
    n_err = sum(f.severity == "error" for f in findings)
    if n_err:
        # exit 2 through the one error path of cli.main.run (typer.Exit is swallowed there)
        from avoid_survey.analysis.core.errors import AvoidSurveyError
        sys.stdout.flush()
        raise AvoidSurveyError(f"{n_err} problem(s) found; the instrument cannot be used", file=path)


@app.command()
def coverage(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="[ID...]", help="Mechanism ids (M01..M77); default: all.",
                                                       show_default=False)] = None,
    instrument: Annotated[Optional[list[str]], typer.Option("--instrument", "-i", help="Instrument id or path (repeatable); "
                                                            "default: every bundled instrument.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    force: ForceOpt = False,
):
    """Mechanism -> items -> templates: which items measure each mechanism of the domain (their
    `measures:` tags) and which bundled templates and sample specs test them."""
    from avoid_survey.instruments.coverage import coverage as build

    emit(build(ids, instrument), fmt, output, lang, force=force)
