"""`avoid-survey reliability`: alpha, omega and item statistics per scale and facet."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, Missing, OutputOpt, emit)


class CiMethod(str, Enum):
    feldt = "feldt"
    bootstrap = "bootstrap"


@reads_data
def reliability(
    data: DataArg,
    instrument: InstrumentOpt = None,
    scale: Annotated[Optional[List[str]], typer.Option("--scale", "-s", help="Scale or facet id (repeatable); default all.")] = None,
    missing: Annotated[Missing, typer.Option("--missing", help="pairwise (psych::alpha default) or listwise.")] = Missing.pairwise,
    ci: Annotated[CiMethod, typer.Option("--ci", help="Confidence interval of alpha: feldt or bootstrap.")] = CiMethod.feldt,
    n_boot: Annotated[int, typer.Option("--n-boot", min=2, max=1_000_000, help="Bootstrap resamples (with --ci bootstrap; at most 1,000,000).")] = 1000,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the bootstrap.")] = None,
    ordinal: Annotated[bool, typer.Option("--ordinal", help="Also ordinal alpha and omega from polychoric correlations (psych::alpha(polychoric(x)$rho), psych::omega(poly = TRUE)).")] = False,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw the response distribution of every item (.png, .svg or .pdf).", dir_okay=False)] = None,
):
    """Alpha (raw, standardized, Feldt or bootstrap CI), lambda6, omega and item statistics, as R psych."""

    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.io.output import check_output
    from avoid_survey.analysis.stats.reliability import reliability as run
    from avoid_survey.instruments import load_instrument

    if instrument is None:
        raise AvoidSurveyError("reliability needs --instrument (a bundled id or an instrument YAML file)")
    if output is not None:
        check_output(output, force)  # fail before the work, not after
    inst = load_instrument(instrument)
    frame = read(data, inst, numeric_ok=True)
    result = run(frame, inst, scales=scale or None, missing=missing.value, ci=ci.value,
                 n_boot=n_boot, seed=seed, ordinal=ordinal)
    from avoid_survey.cli.common import draw_figure, ordinal_note

    emit(result, fmt, output, lang, decimals, force, explain="reliability" if explain else None)
    if not ordinal:
        ordinal_note("reliability", frame, [it.item for s in result.scales for it in s.items], lang)
    draw_figure("reliability", result, figure, lang, force)
