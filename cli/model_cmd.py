"""`avoid-survey model`: the regressions a spec declares, one table with a column per model."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import reads_data
from avoid_survey.cli.common import ExplainOpt, DecimalsOpt, ForceOpt, Format, FormatOpt, Lang, LangOpt, OutputOpt


@reads_data
def model(
    spec: Annotated[Optional[Path], typer.Option("--spec", "-s", help="Model spec (YAML): data, instrument, transforms, models.", dir_okay=False)] = None,
    template: Annotated[Optional[str], typer.Option("--template", "-t", help="A bundled spec template instead of --spec (see --list-templates); needs --data.")] = None,
    data: Annotated[Optional[Path], typer.Option("--data", "-d", help="Response file replacing the spec's 'data:' (relative unit files are then looked up beside it).", dir_okay=False)] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Replication package folder: every table (md, csv, html), results.json and the resolved spec with SHA-256 hashes of the data files.", file_okay=False)] = None,
    list_templates: Annotated[bool, typer.Option("--list-templates", help="List the bundled templates and exit.")] = False,
    ci: Annotated[bool, typer.Option("--ci", help="Show confidence intervals instead of SEs below the estimates.")] = False,
    stars: Annotated[str, typer.Option("--stars", help="Significance levels of *, **, *** (comma-separated).")] = ".05,.01,.001",
    beta: Annotated[bool, typer.Option("--beta/--no-beta", help="Standardized β column beside each OLS model (on by default).")] = True,
    vif: Annotated[bool, typer.Option("--vif/--no-vif", help="VIF column beside each OLS model (on by default).")] = True,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw a coefficient plot with 95% CIs (.png, .svg or .pdf).", dir_okay=False)] = None,
    slopes_figure: Annotated[Optional[Path], typer.Option("--slopes-figure", help="Also draw the simple slopes of the first moderated model (or the Johnson-Neyman figure of a PROCESS model 1 or 3).", dir_okay=False)] = None,
    sem_figure: Annotated[Optional[Path], typer.Option("--sem-figure", help="Also draw the path diagram of each family: sem model (.png, .svg or .pdf; several models: FILE_<model>.png).", dir_okay=False)] = None,
):
    """Fit the models of a spec (OLS with classical/HC/cluster SEs, logit, probit, ordinal,
    mixed, mediation; hierarchical steps, moderation, robustness runs) and print one table
    with a column per model. A spec is data: formulas use a small grammar (variables, +, *,
    :, -1, C(x, ref=level)) and nothing in it is evaluated as code."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.models import resolve_spec_source, run_spec
    from avoid_survey.cli.common import draw_figure, dumps_json, emit

    if list_templates:
        from avoid_survey.analysis.stats.models.templates import template_titles
        typer.echo("\n".join(f"{n}\t{t}" for n, t in template_titles()))
        return
    levels = parse_stars(stars)
    if spec is not None and template is not None:
        raise AvoidSurveyError("give either --spec or --template, not both")
    if spec is None and template is None:
        raise AvoidSurveyError("give --spec FILE (or --template NAME --data FILE; see --list-templates)")
    if sem_figure is not None:
        from avoid_survey.analysis.render.sem_diagram import check_figure_path
        check_figure_path(sem_figure, force)
    source, base_dir, spec_file = resolve_spec_source(spec, template, data)
    result = run_spec(source, base_dir=base_dir).styled(stars=levels, show="ci" if ci else "se", beta=beta,
                                                                   vif=vif)
    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    if out is not None:
        from avoid_survey.analysis.report.replication import write_package
        write_package(out, result, source, spec_file, lang_s, decimals, force, dumps_json=dumps_json)
        if output is None and fmt == Format.table:
            typer.echo(f"wrote replication package to {out}", err=True)
    emit(result, fmt, output, lang, decimals, force, tables=None if fmt == Format.json else result.to_tables(lang_s),
         explain="model" if explain else None)
    draw_figure("model", result, figure, lang, force)
    draw_figure("slopes", result, slopes_figure, lang, force)
    if sem_figure is not None:
        from avoid_survey.analysis.render.sem_diagram import spec_figures
        from avoid_survey.cli.common import note
        for _, _, fig_note in spec_figures(result, sem_figure, lang=lang_s, force=force):
            if fig_note:
                note(f"note: {fig_note}")


def parse_stars(text: str) -> tuple:
    """'.05,.01,.001' -> (0.05, 0.01, 0.001); up to three decreasing levels in (0, 1)."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    try:
        vals = tuple(float(x) for x in str(text).split(",") if x.strip())
    except ValueError:
        raise AvoidSurveyError(f"--stars takes comma-separated numbers such as .05,.01,.001, not {text!r}") from None
    if not 1 <= len(vals) <= 3 or any(not 0 < v < 1 for v in vals) or list(vals) != sorted(vals, reverse=True):
        raise AvoidSurveyError("--stars takes one to three decreasing levels between 0 and 1, e.g. .05,.01,.001")
    return vals
