"""`avoid-survey cmv`: common-method variance checks (Harman, single factor, ULMC, marker)."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang, LangOpt,
                                     OutputOpt, emit)


@reads_data
def cmv(
    data: DataArg,
    instrument: InstrumentOpt = None,
    scale: Annotated[Optional[List[str]], typer.Option("--scale", "-s", help="Scale or facet id (repeatable); default every scale of the instrument.")] = None,
    marker: Annotated[Optional[str], typer.Option("--marker", help="A column, or a marker scale of the instrument (its score), theoretically unrelated to the scales: Lindell-Whitney marker correction.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
):
    """Common-method bias: Harman's test, single-factor CFA, method factor (ULMC), marker variable."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.io.output import check_output
    from avoid_survey.analysis.stats.sem.cmv import cmv as run
    from avoid_survey.instruments import load_instrument

    if instrument is None:
        raise AvoidSurveyError("cmv needs --instrument (a bundled id or an instrument file)")
    if output is not None:
        check_output(output, force)
    inst = load_instrument(instrument)
    frame = read(data, inst)
    result = run(frame, inst, scales=scale or None, marker=marker, file=str(data))
    emit(result, fmt, output, lang, decimals, force, explain="cmv" if explain else None)
