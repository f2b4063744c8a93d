"""`avoid-survey cfa`: confirmatory factor analysis and measurement invariance, as lavaan::cfa."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, OutputOpt, emit)


class CfaMissing(str, Enum):
    listwise = "listwise"
    ml = "ml"
    pairwise = "pairwise"


class CfaEstimator(str, Enum):
    ml = "ml"
    wlsmv = "wlsmv"


class Parameterization(str, Enum):
    delta = "delta"
    theta = "theta"


@reads_data
def cfa(
    data: DataArg,
    instrument: InstrumentOpt = None,
    scale: Annotated[Optional[List[str]], typer.Option("--scale", "-s", help="Scale or facet id (repeatable); default every scale of the instrument.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="lavaan model syntax ('F =~ a + b + c; ...') or a file holding it.")] = None,
    group: Annotated[Optional[str], typer.Option("--group", "-g", help="Grouping column: configural, metric and scalar invariance.")] = None,
    second_order: Annotated[bool, typer.Option("--second-order", help="With --instrument: a scale with facets becomes a second-order factor over them.")] = False,
    std_lv: Annotated[bool, typer.Option("--std-lv", help="Fix factor variances to 1 instead of the first loadings (lavaan std.lv).")] = False,
    partial_search: Annotated[bool, typer.Option("--partial-search", help="With --group: free the loading or intercept with the largest score test step by step until ΔCFI >= -.01.")] = False,
    missing: Annotated[CfaMissing, typer.Option("--missing", help="listwise (lavaan's default), ml (full-information ML, lavaan missing='ml') or pairwise (with wlsmv).")] = CfaMissing.listwise,
    estimator: Annotated[CfaEstimator, typer.Option("--estimator", help="ml (lavaan's default) or wlsmv (ordered items: DWLS on polychoric correlations, robust SEs, scaled-shifted test; with --group, ordinal invariance by Wu & Estabrook 2016).")] = CfaEstimator.ml,
    ordered: Annotated[Optional[str], typer.Option("--ordered", help="With --estimator wlsmv: 'all' (default) or a comma list of the ordered items.")] = None,
    parameterization: Annotated[Parameterization, typer.Option("--parameterization", help="With --estimator wlsmv: delta (lavaan's default) or theta.")] = Parameterization.delta,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw a path diagram of standardized loadings (.png, .svg or .pdf).", dir_okay=False)] = None,
):
    """Fit indices, loadings, CR/AVE and HTMT of a CFA by ML; with --group, measurement invariance."""
    from pathlib import Path

    from avoid_survey.analysis.stats.cfa import cfa as run
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io.output import check_output

    if model is None and instrument is None:
        raise AvoidSurveyError("cfa needs --model (lavaan syntax or a file) or --instrument")
    if output is not None:
        check_output(output, force)
    inst = None
    if instrument is not None:
        from avoid_survey.instruments import load_instrument
        inst = load_instrument(instrument)
    model_text, model_file = None, None
    if model is not None:
        if "=~" in model or "~~" in model:
            model_text = model
        else:
            import os

            from avoid_survey.analysis.core.inputs import read_input_text

            path = Path(model)
            if not os.path.lexists(path):
                raise AvoidSurveyError("model file not found (and the text is not lavaan syntax: no '=~')",
                                       file=model)
            model_text = read_input_text(path, "model file")
            model_file = str(path)
    # without --group (text labels), a CSV of whole-number codes is read without pandas
    from avoid_survey.analysis.io import read
    frame = read(data, inst, numeric_ok=group is None)
    if inst is None:
        from avoid_survey.analysis.io.codes import codes_outside_scale
        from avoid_survey.analysis.stats.cfa.api import model_variables
        from avoid_survey.analysis.stats.cfa.syntax import parse_model
        try:
            names = model_variables(parse_model(model_text))
        except AvoidSurveyError:
            names = []   # the model's own error comes with its file and line below
        codes_outside_scale(frame, names, data)
    result = run(frame, model=model_text, instrument=inst,
                 scales=scale or None, group=group, missing=missing.value, std_lv=std_lv,
                 second_order=second_order, model_file=model_file, file=str(data), partial_search=partial_search,
                 estimator=estimator.value, ordered=ordered, parameterization=parameterization.value)
    from avoid_survey.cli.common import draw_figure, ordinal_note

    emit(result, fmt, output, lang, decimals, force, explain="cfa" if explain else None)
    if estimator is CfaEstimator.ml:
        ordinal_note("cfa", frame, [row.get("item") for row in result.to_dict().get("loadings", [])], lang)
    draw_figure("cfa", result, figure, lang, force)
