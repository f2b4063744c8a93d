"""`avoid-survey report`: one HTML or Word document for a study."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from avoid_survey.cli.common import ForceOpt, Lang, LangOpt, note


def report(
    spec: Annotated[Path, typer.Option("--spec", help="Model spec YAML (data, instrument, models).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Report file: .html or .docx.", dir_okay=False, show_default=False)],
    lang: LangOpt = Lang.en,
    seed: Annotated[int, typer.Option("--seed", help="Seed for resampling steps.")] = 1,
    force: ForceOpt = False,
):
    """Build a study report: validation, descriptives, reliability, CFA, models, figures, methods."""
    from avoid_survey.analysis.report import write_report

    res = write_report(spec, out, lang=lang.value, seed=seed, force=force)
    for sec, status in res.sections.items():
        if status != "ok":
            note(f"note: section '{sec}' skipped: {status}")
    note(f"wrote {out}")
