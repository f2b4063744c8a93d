"""`avoid-survey describe`: sample profile, descriptives and the correlation table."""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, OutputOpt, emit)


class Diagonal(str, Enum):
    alpha = "alpha"
    sqrt_ave = "sqrt_ave"
    none = "none"


@reads_data
def describe(
    data: DataArg,
    instrument: InstrumentOpt = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Column whose groups get their own descriptives.")] = None,
    diagonal: Annotated[Diagonal, typer.Option("--diagonal", help="Diagonal of the correlation table: Cronbach's alpha, sqrt(AVE) of a CFA (with the Fornell-Larcker check) or none.")] = Diagonal.alpha,
    scales: Annotated[Optional[str], typer.Option("--scales", help="Scale or facet ids of the correlation table, comma-separated (default: the top-level scales).")] = None,
    min_items: Annotated[float, typer.Option("--min-items", help="Fraction of a scale's items a score needs (as `score`).")] = 0.8,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
):
    """Sample profile (n, %, valid %), descriptives with SPSS skewness and kurtosis, correlations with alpha or sqrt(AVE). 样本特征、描述统计与相关系数表。"""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.io.output import check_output
    from avoid_survey.analysis.stats.describe import describe as run
    from avoid_survey.instruments import load_instrument

    if instrument is None:
        raise AvoidSurveyError("describe needs --instrument (a bundled id or an instrument YAML file)")
    if output is not None:
        check_output(output, force)
    inst = load_instrument(instrument)
    chosen = [s.strip() for s in scales.split(",") if s.strip()] if scales else None
    result = run(read(data, inst), inst, by=by, diagonal=diagonal.value, scales=chosen, min_items=min_items,
                 lang=lang.value)
    emit(result, fmt, output, lang, decimals, force, explain="describe" if explain else None)
