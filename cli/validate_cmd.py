"""`avoid-survey validate`: check a response file before analysis (never modifies it)."""
from __future__ import annotations

import sys

from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, OutputOpt)


@reads_data
def validate(
    data: DataArg,
    instrument: InstrumentOpt = None,
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Respondent id column (default: the instrument's id variable).")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Worksheet of an xlsx file (name or 0-based number).")] = None,
    map_file: Annotated[Optional[Path], typer.Option("--map", help="YAML mapping {file header: column id} for platform exports.", dir_okay=False)] = None,
    clean: Annotated[Optional[Path], typer.Option("--clean", help="Write the analysed sample here: screened rows removed, codes normalised, out-of-range codes missing, flag_* columns, personal data dropped; a CHANGES log beside it (OUT-stem.changes.csv). Format from the extension.", dir_okay=False)] = None,
    keep_pii: Annotated[bool, typer.Option("--keep-pii", help="Keep columns that look like personal data in --clean output.")] = False,
    keep_flagged: Annotated[bool, typer.Option("--keep-flagged", help="--clean keeps the screened rows, with flag_* columns and screened_out naming the rule.")] = False,
    thresholds_file: Annotated[Optional[Path], typer.Option("--thresholds", help="YAML mapping of threshold names to values.", dir_okay=False)] = None,
    max_missing: Annotated[Optional[float], typer.Option("--max-missing", min=0, max=1, help="Flag respondents with more than this share of items unanswered [0.2].")] = None,
    item_max_missing: Annotated[Optional[float], typer.Option("--item-max-missing", min=0, max=1, help="Flag items unanswered by more than this share [0.1].")] = None,
    longstring: Annotated[Optional[int], typer.Option("--longstring", min=2, help="Flag runs of at least this many identical answers [2/3 of the items, >= 8].")] = None,
    irv: Annotated[Optional[float], typer.Option("--irv", min=0, help="Flag intra-individual response SD below this [0.3].")] = None,
    mahalanobis_alpha: Annotated[Optional[float], typer.Option("--mahalanobis-alpha", min=0, max=1, help="Chi-square alpha of the Mahalanobis D² cut-off [0.001].")] = None,
    even_odd: Annotated[Optional[float], typer.Option("--even-odd", min=-1, max=1, help="Flag even-odd consistency below this [0].")] = None,
    seconds_per_item: Annotated[Optional[float], typer.Option("--seconds-per-item", min=0, help="Speeder: faster than this many seconds per item [2].")] = None,
    min_duration: Annotated[Optional[float], typer.Option("--min-duration", min=0, help="Speeder: total duration below this many seconds (overrides --seconds-per-item).")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
):
    """Check a response file against an instrument: structure, values, respondents
    (careless responding), items and personal data. Exit 0: no error-level finding;
    1: errors found; 2: the file cannot be used."""
    _reuse_freed_memory()
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.validate import Thresholds, validate as run_validate
    from avoid_survey.cli.common import emit

    mapping = None
    if map_file is not None:
        from avoid_survey.analysis.core.yamlsafe import load_yaml
        doc = load_yaml(map_file)
        if not isinstance(doc.data, dict) or not all(isinstance(v, str) for v in doc.data.values()):
            raise AvoidSurveyError("a mapping file holds 'file header: column id' pairs", file=map_file, line=1)
        mapping = {str(k).strip(): v.strip() for k, v in doc.data.items()}
    th = Thresholds()
    if thresholds_file is not None:
        from avoid_survey.analysis.core.yamlsafe import load_yaml
        doc = load_yaml(thresholds_file)
        if not isinstance(doc.data, dict):
            raise AvoidSurveyError("a thresholds file is a mapping of threshold names to numbers", file=thresholds_file, line=1)
        try:
            th = Thresholds.from_mapping(doc.data)
        except AvoidSurveyError as exc:
            line = doc.line_of((exc.column,)) if exc.column is not None else None
            raise exc.located(file=thresholds_file, line=line)
    th = th.merged(respondent_missing=max_missing, item_missing=item_max_missing, longstring=longstring, irv=irv,
                   mahalanobis_alpha=mahalanobis_alpha, even_odd=even_odd, seconds_per_item=seconds_per_item,
                   min_duration=min_duration)
    sheet_v = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    report = run_validate(data, instrument, id_column=id_column, thresholds=th, sheet=sheet_v, mapping=mapping,
                          clean=clean, keep_pii=keep_pii, force=force, progress=sys.stderr.isatty(),
                          keep_flagged=keep_flagged,
                          lang=lang.value if hasattr(lang, "value") else str(lang))
    if fmt == Format.table and output is None:
        from avoid_survey.analysis.validate import print_terminal
        print_terminal(report, lang.value if hasattr(lang, "value") else str(lang))
        if explain:
            from avoid_survey.analysis.render.terminal import print_rich
            from avoid_survey.analysis.tables.explain import Explained
            lang_s = lang.value if hasattr(lang, "value") else str(lang)
            print_rich(Explained(report, "validate").to_tables(lang_s)[-1:], lang_s)
    else:
        emit(report, fmt, output, lang, decimals, force, explain="validate" if explain else None)
    if report.n_errors:
        raise typer.Exit(1)  # exit 1 = error-level findings (CONTRACT.md)


def _reuse_freed_memory() -> None:
    """glibc: serve large arrays from the heap and keep freed memory for reuse.

    By default every array over 32 MB is a fresh mmap whose pages fault in one by one;
    on a 1,000,000 x 60 file that page-faulting costs as much as the checks themselves.
    This only changes this command's process; elsewhere (macOS, Windows, musl) it is a no-op.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)   # M_MMAP_THRESHOLD: 1 GB
        libc.mallopt(-1, 1 << 31)   # M_TRIM_THRESHOLD: 2 GB
    except (OSError, AttributeError):
        pass
