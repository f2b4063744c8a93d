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


class Wording(str, Enum):
    self = "self"
    referent = "referent"


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
    from avoid_survey.instruments.summary import catalog

    cat = catalog()
    if fmt == Format.table and output is None:
        cat.print_table(lang.value)
        return
    emit(cat, fmt, output, lang, 3, force)


@app.command()
def show(
    ref: RefArg,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="table: a tree; md: a nested list; json: everything.")] = ShowFormat.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    force: ForceOpt = False,
):
    """Show one instrument as a tree: scales -> facets -> items ((R) = reverse-keyed), variables, checks."""
    from avoid_survey.analysis.output import write_atomic
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
    force: ForceOpt = False,
):
    """Export a codebook, a blank data-entry template or a printable questionnaire."""
    from avoid_survey.instruments.export import export_instrument

    res = export_instrument(ref, to, kind=kind.value if kind else None, lang=lang.value, wording=wording.value,
                            force=force)
    note(res.summary())


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Instrument YAML file (or a bundled id).", show_default=False)],
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="text: one line per finding; json: a list.")] = CheckFormat.text,
):
    """Check an instrument file and list every problem (`file:line: code: message`).

    Exit 0 when it has no error, 2 when it has any.
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
            sys.stdout.write(f"{where}: {f.code}: {sev}{' '.join(f.message.split())}\n")
        if not findings:
            note(f"{path}: ok")
    n_err = sum(f.severity == "error" for f in findings)
    if n_err:
        # exit 2 through the one error path of cli.main.run (typer.Exit is swallowed there)
        from avoid_survey.analysis.errors import AvoidSurveyError
        sys.stdout.flush()
        raise AvoidSurveyError(f"{n_err} problem(s) found; the instrument cannot be used", file=path)
