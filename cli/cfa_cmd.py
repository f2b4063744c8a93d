"""`avoid-survey cfa`: confirmatory factor analysis and measurement invariance, as lavaan::cfa."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang,
                                     LangOpt, OutputOpt, emit)


class CfaMissing(str, Enum):
    listwise = "listwise"
    ml = "ml"


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
    missing: Annotated[CfaMissing, typer.Option("--missing", help="listwise (lavaan's default) or ml (full-information ML, lavaan missing='ml').")] = CfaMissing.listwise,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
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
            path = Path(model)
            if not path.is_file():
                raise AvoidSurveyError("model file not found (and the text is not lavaan syntax: no '=~')",
                                       file=model)
            try:
                model_text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise AvoidSurveyError(f"cannot read the model file: {exc}", file=model) from None
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
                 second_order=second_order, model_file=model_file, file=str(data), partial_search=partial_search)
    from avoid_survey.cli.common import draw_figure

    emit(result, fmt, output, lang, decimals, force)
    draw_figure("cfa", result, figure, lang, force)
