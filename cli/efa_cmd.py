"""`avoid-survey efa`: KMO, Bartlett, parallel analysis and rotated loadings (psych::fa)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, Missing, OutputOpt, emit)
from avoid_survey.analysis.numerics.rotation import ROTATIONS


class Method(str, Enum):
    minres = "minres"
    ml = "ml"
    pa = "pa"


class Cor(str, Enum):
    pearson = "pearson"
    polychoric = "polychoric"


# --rotation choices: the registered rotations (analysis/numerics/rotation.py)
Rotation = Enum("Rotation", {name: name for name in ROTATIONS}, type=str)
Rotation.__module__ = __name__


@reads_data
def efa(
    data: DataArg,
    instrument: InstrumentOpt = None,
    scale: Annotated[Optional[List[str]], typer.Option(
        "--scale", "-s", help="Only the items of this scale or facet (repeatable); needs --instrument.")] = None,
    items: Annotated[Optional[str], typer.Option(
        "--items", help="Comma-separated item columns, instead of --instrument.")] = None,
    factors: Annotated[str, typer.Option(
        "--factors", "-k", help="Number of factors, or 'auto' for the parallel-analysis suggestion.")] = "auto",
    method: Annotated[Method, typer.Option("--method", "-m", help="Extraction (psych fm).")] = Method.minres,
    rotation: Annotated[Rotation, typer.Option("--rotation", "-r", help="Rotation (psych rotate; geomin is geominQ).")] = Rotation["oblimin"],
    missing: Annotated[Missing, typer.Option("--missing", help="Pairwise (psych default) or listwise correlations.")] = Missing.pairwise,
    cor: Annotated[Cor, typer.Option("--cor", help="Correlations to factor: pearson, or polychoric for ordinal items (psych::fa(cor = \"poly\")).")] = Cor.pearson,
    parallel_iterations: Annotated[int, typer.Option(
        "--parallel-iterations", min=1, max=10_000, help="Simulated data sets in parallel analysis (psych n.iter; at most 10,000).")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the parallel-analysis simulation.")] = 1,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw a scree plot with the parallel-analysis line (.png, .svg or .pdf).", dir_okay=False)] = None,
):
    """Exploratory factor analysis equal to R psych::fa and psych::fa.parallel.

    Reverse-keyed items are not recoded: their loadings carry the sign.
    """
    from avoid_survey.analysis.stats.efa import efa_file
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    item_list = None
    if items is not None:
        item_list = [s.strip() for s in items.split(",") if s.strip()]
        if not item_list:
            raise AvoidSurveyError("--items is empty")
    k = factors.strip().lower()
    if k != "auto":
        try:
            k = int(k)
        except ValueError:
            raise AvoidSurveyError(f"--factors must be a whole number or 'auto', got '{factors}'") from None

    result = efa_file(data, instrument=instrument, scales=scale or None, items=item_list, n_factors=k,
                      method=method.value, rotation=rotation.value, missing=missing.value,
                      parallel_iterations=parallel_iterations, seed=seed, cor=cor.value)
    from avoid_survey.cli.common import draw_figure

    emit(result, fmt, output, lang, decimals, force, explain="efa" if explain else None)
    if result.ordinal_hint is not None:
        from avoid_survey.analysis.stats.ordinal_hint import hint_line
        from avoid_survey.cli.common import note

        note(hint_line(result.ordinal_hint, "efa", lang.value))
    draw_figure("efa", result, figure, lang, force)
