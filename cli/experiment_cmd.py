"""`avoid-survey experiment`: effects of a vignette or conjoint survey experiment."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import (ExplainOpt, DecimalsOpt, ForceOpt, Format, FormatOpt, InstrumentOpt, Lang, LangOpt,
                                     OutputOpt, emit, note)


def _split(values) -> list[str]:
    out = []
    for v in values or ():
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return out


def _write_versions(instrument, path: Path, lang, force: bool) -> None:
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io.output import write_atomic
    from avoid_survey.analysis.render import render_bytes, render_text
    from avoid_survey.analysis.stats.experiment import experiment_of
    from avoid_survey.analysis.tables.experiment import version_tables

    fmt = {".md": "md", ".html": "html", ".docx": "docx", ".xlsx": "xlsx"}.get(path.suffix.lower())
    if fmt is None:
        raise AvoidSurveyError("--versions-out takes a .md, .html, .docx or .xlsx file", file=path)
    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    inst, _ = experiment_of(instrument)
    tables = version_tables(inst, lang_s)
    data = render_bytes(tables, fmt, lang_s) if fmt in ("docx", "xlsx") else render_text(tables, fmt, lang_s)
    write_atomic(path, data, force)
    from avoid_survey.analysis.core.i18n import tr
    note(tr("cli_wrote_versions", lang_s).format(n=len(tables), path=path))


def _split_effects(values) -> list[str]:
    return [x for v in values or () for x in str(v).split(",") if x.strip()]


@reads_data
def experiment(
    data: Annotated[Optional[Path], typer.Argument(
        help="Long-format data: one row per respondent x vignette (or x task x profile); factor columns hold "
             "level ids. Not needed with --design-out, --versions-out or --mde (power before data).", show_default=False)] = None,
    instrument: InstrumentOpt = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", "-y", help="Outcome column (default: the experiment's first outcome).")] = None,
    covariates: Annotated[Optional[List[str]], typer.Option("--covariates", "-c", help="Numeric covariates for balance and Lin's estimator (comma-separated or repeated).")] = None,
    moderator: Annotated[Optional[str], typer.Option("--moderator", "-m", help="Column whose interaction with every factor is estimated (heterogeneity; conjoint: nested F as cregg::cj_anova).")] = None,
    cluster: Annotated[Optional[str], typer.Option("--cluster", help="Cluster SEs by this column (default: respondent when respondents have several rows).")] = None,
    random_intercept: Annotated[bool, typer.Option("--random-intercept", help="Also fit the main effects with a random intercept per respondent (lme4::lmer).")] = False,
    manipulation: Annotated[Optional[str], typer.Option("--manipulation", help="Manipulation-check column: the main effects of the factors on it.")] = None,
    power_n: Annotated[Optional[int], typer.Option("--mde", min=2, help="Also report minimum detectable effects for this many respondents.")] = None,
    effect: Annotated[Optional[List[str]], typer.Option("--effect", help="Declared effect for simulated power or --simulate-out (repeatable): FACTOR.LEVEL=VALUE (main effect), A.X:B.Y=VALUE (interaction), FACTOR.LEVEL*female=VALUE (heterogeneity by age, female or tenure).")] = None,
    reps: Annotated[int, typer.Option("--reps", min=0, max=100_000, help="Simulated studies for the power under --effect (0: MDE only; at most 100,000).")] = 200,
    sd: Annotated[float, typer.Option("--sd", min=0.0, help="Outcome SD for the MDE and the simulation (1: standardized).")] = 1.0,
    respondent_sd: Annotated[float, typer.Option("--respondent-sd", min=0.0, help="SD of the respondent intercepts in the simulation.")] = 0.0,
    icc: Annotated[float, typer.Option("--icc", min=0.0, max=1.0, help="ICC of a respondent's rows for the MDE design effect.")] = 0.0,
    design_out: Annotated[Optional[Path], typer.Option("--design-out", help="Write a randomised assignment file (respondent x vignette/task/profile -> levels and texts) instead of analysing data.", dir_okay=False)] = None,
    simulate_out: Annotated[Optional[Path], typer.Option("--simulate-out", help="Write simulated long-format data with the --effect values (--respondents, --sd, --respondent-sd, --seed) instead of analysing data.", dir_okay=False)] = None,
    versions_out: Annotated[Optional[Path], typer.Option("--versions-out", help="Write every version of the questionnaire (vignette: one per run of the design; conjoint: the profile card) as .md, .html, .docx or .xlsx.", dir_okay=False)] = None,
    design: Annotated[Optional[Path], typer.Option("--design", help="Design file of `instruments export --kind versions`: each row's levels are looked up by its version column and position (vignette, or task and profile).", dir_okay=False)] = None,
    respondents: Annotated[int, typer.Option("--respondents", min=1, help="Respondents in the --design-out or --simulate-out file.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --design-out randomisation and of the simulations.")] = 1,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
    explain: ExplainOpt = False,
    figure: Annotated[Optional[Path], typer.Option("--figure", help="Also draw the effects (AMCE / marginal means / ATE dot-and-whisker by factor; .png, .svg or .pdf).", dir_okay=False)] = None,
    balance_figure: Annotated[Optional[Path], typer.Option("--balance-figure", help="Also draw the standardized differences of the covariates by arm (needs --covariates).", dir_okay=False)] = None,
):
    """Balance, attrition and effects of a survey experiment declared in the instrument's
    `experiment:` block: vignette ATEs (HC2, or respondent-clustered CR1), Lin's adjusted
    estimator, interactions and heterogeneity; conjoint AMCEs and marginal means with
    respondent-clustered CR1 SEs and cregg-style nested F tests. Equal to R (lm + sandwich)."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    _single_blas_thread()
    if instrument is None:
        raise AvoidSurveyError("experiment needs --instrument (a bundled id or an instrument YAML file with an "
                               "'experiment:' block)")
    if simulate_out is not None:
        return _simulate(instrument, simulate_out, respondents, effect, sd, respondent_sd, seed, force, lang)
    if versions_out is not None:
        _write_versions(instrument, versions_out, lang, force)
    if design_out is not None:
        from avoid_survey.analysis.stats.experiment.fielding import write_design

        n = write_design(instrument, design_out, respondents=respondents, seed=seed, force=force)
        from avoid_survey.analysis.core.i18n import tr
        note(tr("cli_wrote_rows", lang.value if isinstance(lang, Lang) else str(lang)).format(n=n, path=design_out))
    if versions_out is not None or design_out is not None:
        return None
    if data is None and power_n:
        from avoid_survey.analysis.stats.experiment import power_only

        if output is not None:
            from avoid_survey.analysis.io.output import check_output

            check_output(output, force)
        result = power_only(instrument, power_n, effects=_split_effects(effect), reps=reps if effect else 0, sd=sd,
                            respondent_sd=respondent_sd, icc=icc, seed=seed)
        return emit(result, fmt, output, lang, decimals, force, explain="experiment" if explain else None)
    if data is None:
        raise AvoidSurveyError("give the DATA file (or --mde N for a power analysis, or --design-out FILE to write "
                               "an assignment file)")
    if balance_figure is not None and not covariates:
        raise AvoidSurveyError("--balance-figure needs --covariates")
    if not data.exists():
        raise AvoidSurveyError("data file not found", file=data)
    for path in (output, figure, balance_figure):
        if path is not None:  # (the reading package is loaded only when a file is written)
            from avoid_survey.analysis.io.output import check_output

            check_output(path, force)
    from avoid_survey.analysis.stats.experiment import analyze

    if design is not None and not design.exists():
        raise AvoidSurveyError("design file not found", file=design)
    result = analyze(data, instrument, outcome=outcome, covariates=_split(covariates), moderator=moderator,
                     cluster=cluster, power_n=power_n, random_intercept=random_intercept, manipulation=manipulation,
                     design=design)
    emit(result, fmt, output, lang, decimals, force, explain="experiment" if explain else None)
    _figures(result, figure, balance_figure, lang, force)
    return None


def _single_blas_thread() -> None:
    """One OpenBLAS thread for this run, set before numpy loads (unless the user set it):
    the experiment models are tall and thin, and a second thread only waits."""
    import os
    import sys

    if "numpy" not in sys.modules and "OPENBLAS_NUM_THREADS" not in os.environ:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        os.environ["AVOID_SURVEY_BLAS_SET"] = "1"


def _simulate(instrument, path, respondents, effect, sd, respondent_sd, seed, force, lang=Lang.zh) -> None:
    from avoid_survey.analysis.core.i18n import tr
    from avoid_survey.analysis.io.write import write_data
    from avoid_survey.analysis.stats.experiment import experiment_of
    from avoid_survey.analysis.stats.experiment.power import parse_effects
    from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment

    _, exp = experiment_of(instrument)
    frame = simulate_experiment(exp, respondents, effects=parse_effects(_split_effects(effect), exp), sd=sd,
                                respondent_sd=respondent_sd, seed=seed)
    write_data(frame, path, force=force)
    note(tr("cli_wrote_rows", lang.value if isinstance(lang, Lang) else str(lang)).format(n=len(frame), path=path))


def _figures(result, figure, balance_figure, lang, force) -> None:
    lang_s = lang.value if isinstance(lang, Lang) else str(lang)
    for path, kind in ((figure, "effects_plot"), (balance_figure, "balance_plot")):
        if path is not None:
            from avoid_survey.analysis.render import experiment_figures

            fig_note = getattr(experiment_figures, kind)(result, path, lang=lang_s, force=force)
            if fig_note:
                note(f"note: {fig_note}")
