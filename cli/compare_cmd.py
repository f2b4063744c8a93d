"""`avoid-survey compare`: t tests, ANOVA, chi-square and rank tests across groups."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.analysis.stats.compare import TESTS
from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, OutputOpt, emit)

Test = Enum("Test", {name: name for name in TESTS.names()}, type=str)


@reads_data
def compare(
    data: DataArg,
    by: Annotated[Optional[str], typer.Option("--by", help="Grouping column (not needed with --test paired).")] = None,
    variables: Annotated[str, typer.Option("--vars", help="Columns or scale ids, comma-separated; with --test paired, pairs a:b.")] = "",
    instrument: InstrumentOpt = None,
    test: Annotated[Test, typer.Option("--test", help="auto: chi-square for categorical variables, else t (2 groups) or ANOVA.")] = Test.auto,
    min_items: Annotated[float, typer.Option("--min-items", help="Fraction of a scale's items a score needs (as `score`).")] = 0.8,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
):
    """t tests (Student, Welch, paired), ANOVA (Welch, Tukey, Games-Howell), chi-square, Mann-Whitney, Kruskal-Wallis. 差异检验。"""
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.io.output import check_output
    from avoid_survey.analysis.stats.compare import compare as run

    if output is not None:
        check_output(output, force)
    inst = None
    if instrument is not None:
        from avoid_survey.instruments import load_instrument
        inst = load_instrument(instrument)
    names = [v.strip() for v in variables.split(",") if v.strip()]
    result = run(read(data, inst), by=by, variables=names, instrument=inst, test=test.value,
                 lang=lang.value, min_items=min_items)
    emit(result, fmt, output, lang, decimals, force, explain="compare" if explain else None)
