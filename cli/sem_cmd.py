"""`avoid-survey sem`: structural equation models with latent variables, as lavaan::sem."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DataArg, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang, LangOpt,
                                     OutputOpt, emit)


class SemEstimator(str, Enum):
    ml = "ml"
    mlr = "mlr"
    wlsmv = "wlsmv"


class SemMissing(str, Enum):
    listwise = "listwise"
    ml = "ml"
    pairwise = "pairwise"


class Parameterization(str, Enum):
    delta = "delta"
    theta = "theta"


def read_model(model: str):
    """(syntax, file): a file holding lavaan syntax, or the syntax itself."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    import os

    from avoid_survey.analysis.core.inputs import read_input_text

    path = Path(model)
    if "\n" not in model and len(model) < 4096 and os.path.lexists(path):
        return read_input_text(path, "model file"), str(path)
    if not any(op in model for op in ("=~", "~", ":=", "==")):
        raise AvoidSurveyError("model file not found (and the text is not lavaan syntax: no '=~' or '~')", file=model)
    return model, None


@reads_data
def sem(
    data: DataArg,
    model: Annotated[str, typer.Option("--model", "-m", help="lavaan model syntax or a file holding it (=~, ~, ~~, ~1, labels, :=, ==).")],
    instrument: Annotated[Optional[str], typer.Option("--instrument", "-i", help="Bundled instrument id or path: its scale ids may be used in the model as latent variables measured by their items.")] = None,
    group: Annotated[Optional[str], typer.Option("--group", "-g", help="Grouping column: a multi-group model (group names as in the data).")] = None,
    group_equal: Annotated[Optional[str], typer.Option("--group-equal", help="Comma list of parameter classes equal across groups: loadings, intercepts, regressions, residuals, residual.covariances, lv.variances, lv.covariances, means; with wlsmv also thresholds.")] = None,
    group_partial: Annotated[Optional[str], typer.Option("--group-partial", help="Rows exempt from --group-equal, e.g. \"x3 ~ 1, visual =~ x9\".")] = None,
    estimator: Annotated[SemEstimator, typer.Option("--estimator", help="ml (lavaan's default), mlr (robust SEs, Yuan-Bentler scaled test) or wlsmv (ordered items: DWLS on polychoric correlations, robust SEs, scaled-shifted test).")] = SemEstimator.ml,
    missing: Annotated[SemMissing, typer.Option("--missing", help="listwise (lavaan's default), ml (full-information ML) or pairwise (with wlsmv).")] = SemMissing.listwise,
    ordered: Annotated[Optional[str], typer.Option("--ordered", help="With --estimator wlsmv: 'all' (default) or a comma list of the ordered items.")] = None,
    parameterization: Annotated[Parameterization, typer.Option("--parameterization", help="With --estimator wlsmv: delta (lavaan's default) or theta.")] = Parameterization.delta,
    std_lv: Annotated[bool, typer.Option("--std-lv", help="Fix latent variances to 1 instead of the first loadings (lavaan std.lv).")] = False,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, max=100_000, help="Resample rows N times (at most 100,000): percentile and bias-corrected CIs of every parameter, defined and standardized.")] = 0,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the bootstrap draws (numpy PCG64).")] = None,
    mi: Annotated[bool, typer.Option("--mi", help="Modification indices (mi, epc, sepc.all) as lavaan::modindices, largest first.")] = False,
    mi_min: Annotated[float, typer.Option("--mi-min", min=0, help="Only modification indices at or above this value (e.g. 3.84).")] = 0.0,
    compare: Annotated[Optional[List[str]], typer.Option("--compare", help="Another model (syntax or file; repeatable) fitted on the same rows: comparison table with Δχ² (scaled under MLR), ΔCFI.")] = None,
    boot_indices: Annotated[Optional[Path], typer.Option("--boot-indices", help="Also write the bootstrap row indices (one resample per line, 1-based) to this CSV.", dir_okay=False)] = None,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw the AMOS-style path diagram (standardized estimates, stars, R²; the first group with --group) (.png, .svg or .pdf).", dir_okay=False)] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
):
    """Latent-variable SEM by ML (lavaan::sem defaults): parameters, std.all, R², defined effects, fit."""
    import sys

    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io import read
    from avoid_survey.analysis.io.output import check_output
    from avoid_survey.analysis.stats.sem import sem as run

    if output is not None:
        check_output(output, force)
    if boot_indices is not None:
        if not bootstrap:
            raise AvoidSurveyError("--boot-indices needs --bootstrap N")
        check_output(boot_indices, force)
    if figure is not None:
        from avoid_survey.analysis.render.sem_diagram import check_figure_path
        check_figure_path(figure, force)
    text, model_file = read_model(model)
    others = []
    for k, other in enumerate(compare or [], start=2):
        o_text, o_file = read_model(other)
        others.append((Path(o_file).stem if o_file else f"model {k}", o_text, o_file))
    inst = None
    if instrument is not None:
        from avoid_survey.instruments import load_instrument
        inst = load_instrument(instrument)
    frame = read(data, inst, numeric_ok=group is None)
    if inst is None:
        from avoid_survey.analysis.io.codes import codes_outside_scale
        from avoid_survey.analysis.stats.cfa.api import model_variables
        from avoid_survey.analysis.stats.cfa.syntax import parse_model
        try:
            names = model_variables(parse_model(text))
        except AvoidSurveyError:
            names = []   # the model's own error comes with its file and line below
        codes_outside_scale(frame, names, data)
    equal = [g.strip() for g in (group_equal or "").split(",") if g.strip()]
    result = run(frame, model=text, instrument=inst, group=group, group_equal=equal, group_partial=group_partial, estimator=estimator.value, missing=missing.value, std_lv=std_lv,
                 bootstrap=bootstrap, seed=seed, mi=mi, mi_min=mi_min, compare=others, model_file=model_file,
                 file=str(data), progress=sys.stderr.isatty(), ordered=ordered, parameterization=parameterization.value)
    if boot_indices is not None:
        from avoid_survey.analysis.stats.sem.bootstrap import write_indices

        write_indices(result, boot_indices)
    emit(result, fmt, output, lang, decimals, force, explain="sem" if explain else None)
    if figure is not None:
        from avoid_survey.analysis.render.sem_diagram import labels_from_instrument, sem_diagram
        from avoid_survey.cli.common import note

        fig_note = sem_diagram(result.to_dict(), figure, labels=labels_from_instrument(inst), lang=str(getattr(lang, "value", lang)),
                               force=force)
        if fig_note:
            note(f"note: {fig_note}")
