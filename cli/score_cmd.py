"""`avoid-survey score`: scale and facet scores appended to the data (or unit means)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, emit)


class Method(str, Enum):
    mean = "mean"
    sum = "sum"


class SecondOrder(str, Enum):
    items = "items"
    facets = "facets"


@reads_data
def score(
    data: DataArg,
    instrument: InstrumentOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Output data file: .csv (UTF-8 with BOM), .xlsx, .sav, .dta, .parquet.", dir_okay=False)] = None,
    method: Annotated[Method, typer.Option("--method", help="mean of items, or sum (prorated to all items).")] = Method.mean,
    min_items: Annotated[float, typer.Option("--min-items", help="Fraction of a scale's items that must be answered (ceil).")] = 0.8,
    scale: Annotated[Optional[List[str]], typer.Option("--scale", "-s", help="Scale or facet id (repeatable); default all.")] = None,
    second_order: Annotated[SecondOrder, typer.Option("--second-order", help="Scale with facets: over all its items, or the mean of its facet scores.")] = SecondOrder.items,
    aggregate: Annotated[Optional[str], typer.Option("--aggregate", help="Unit column (e.g. township_id): write unit means and ICC(1)/ICC(2)/r_wg(j).")] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
):
    """Scale and facet scores (mean or sum, reverse items recoded, min-items rule) written to --out."""

    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.scoring import score_file

    if instrument is None:
        raise AvoidSurveyError("score needs --instrument (a bundled id or an instrument YAML file)")
    if out is None:
        raise AvoidSurveyError("score needs --out FILE (.csv, .xlsx, .sav, .dta or .parquet)")
    run = score_file(data, instrument, out, method=method.value, min_items=min_items, scales=scale or None,
                     second_order=second_order.value, aggregate=aggregate, force=force,
                     lang=lang.value)
    emit(run, fmt, None, lang, decimals, False)
