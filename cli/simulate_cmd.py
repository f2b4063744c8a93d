"""`avoid-survey simulate`: synthetic responses from a declared model, and power analysis."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import DecimalsOpt, ForceOpt, Format, FormatOpt, Lang, LangOpt, OutputOpt, emit


def simulate(
    spec: Annotated[Path, typer.Option("--spec", help="Study spec (YAML): design, variables, latent model, "
                                                       "measurement, realism.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the simulated responses here (.csv, .xlsx, "
                                                               ".sav, .dta, .parquet).", dir_okay=False)] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, help="Random seed (default: the spec's seed, "
                                                                      "else 1).")] = None,
    units_out: Annotated[Optional[Path], typer.Option("--units-out", help="Write the township-level variables "
                                                                          "here (then --out holds individual "
                                                                          "columns only).", dir_okay=False)] = None,
    latent_out: Annotated[Optional[Path], typer.Option("--latent-out", help="Write the true latent scores and "
                                                                            "respondent types here.",
                                                       dir_okay=False)] = None,
    wjx_out: Annotated[Optional[Path], typer.Option("--wjx-out", help="Also write the responses as a "
                                                                      "Wenjuanxing-style .xlsx export.",
                                                    dir_okay=False)] = None,
    items_out: Annotated[Optional[Path], typer.Option("--items-out", help="Write the measurement parameters used "
                                                                          "(per item: loading, location, error SD, "
                                                                          "method loading, thresholds, reverse) "
                                                                          "here.", dir_okay=False)] = None,
    replicate: Annotated[Optional[int], typer.Option("--replicate", min=1, max=100_000, help="Power analysis: number of "
                                                                                "replicate data sets.")] = None,
    fit: Annotated[Optional[Path], typer.Option("--fit", help="Power analysis: model spec refitted on every "
                                                              "replicate.", dir_okay=False)] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallel workers for --replicate "
                                                                            "(default: available cores).")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    lang: LangOpt = Lang.zh,
    decimals: DecimalsOpt = 3,
    force: ForceOpt = False,
):
    """Simulate survey responses from a known model (sample data, tests, power analysis)."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    if replicate is not None or fit is not None:
        if replicate is None or fit is None:
            raise AvoidSurveyError("power analysis needs both --replicate N and --fit MODEL_SPEC")
        if out or units_out or latent_out or wjx_out or items_out:
            raise AvoidSurveyError("--replicate does not write data files; drop --out/--units-out/--latent-out/"
                                   "--wjx-out/--items-out (or run without --replicate)")
        from avoid_survey.analysis.simulate import power_analysis
        result = power_analysis(spec, fit, replicates=replicate, seed=seed, jobs=jobs)
    else:
        if out is None:
            raise AvoidSurveyError("simulate needs --out FILE (or --replicate N --fit MODEL_SPEC for a power "
                                   "analysis)")
        if jobs is not None:
            raise AvoidSurveyError("--jobs applies to --replicate only")
        if output is not None:
            import os
            files = [f for f in (out, units_out, latent_out, wjx_out, items_out) if f is not None]
            if any(os.path.realpath(output) == os.path.realpath(f) for f in files):
                raise AvoidSurveyError("--output (the summary) names the same file as a data output", file=output)
        from avoid_survey.analysis.simulate import run_simulate
        result = run_simulate(spec, out=out, seed=seed, units_out=units_out, latent_out=latent_out,
                              wjx_out=wjx_out, force=force, items_out=items_out)
    emit(result, fmt, output, lang, decimals, force)
