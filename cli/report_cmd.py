"""`avoid-survey report`: one HTML or Word document for a study."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from avoid_survey.cli.common import reads_data

from avoid_survey.cli.common import ForceOpt, Lang, LangOpt, note


class TableStyle(str, Enum):
    auto = "auto"
    apa = "apa"
    cn = "cn"


@reads_data
def report(
    out: Annotated[Path, typer.Option("--out", help="Report file: .html or .docx.", dir_okay=False, show_default=False)],
    spec: Annotated[Optional[Path], typer.Option("--spec", help="Model spec YAML (data, instrument, models).")] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="A bundled model template instead of --spec (see `model --list-templates`).")] = None,
    data: Annotated[Optional[Path], typer.Option("--data", help="Response file replacing the spec's data.")] = None,
    lang: LangOpt = Lang.zh,
    style: Annotated[TableStyle, typer.Option("--style", help="Word table style: apa (APA 7), cn (Chinese journals: 表1 centred, 宋体 五号, 注：) or auto (cn under --lang zh, apa under en). Word 表格样式。")] = TableStyle.auto,
    seed: Annotated[int, typer.Option("--seed", help="Seed for resampling steps.")] = 1,
    ordinal: Annotated[bool, typer.Option("--ordinal", help="Reliability also from polychoric correlations (ordinal alpha and omega, as reliability --ordinal).")] = False,
    sensitivity: Annotated[bool, typer.Option("--sensitivity", help="Also fit the models without exclusions (blank rows aside) and compare them in a table.")] = False,
    force: ForceOpt = False,
):
    """Build a study report: validation, sample profile, descriptives, reliability, CFA, models, results in words, figures, methods."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.models.templates import resolve_spec_source
    from avoid_survey.analysis.report import write_report

    if (spec is None) == (template is None):
        raise AvoidSurveyError("give --spec FILE or --template NAME --data FILE")
    source, _base, _file = resolve_spec_source(spec, template, data)
    res = write_report(source, out, lang=lang.value, seed=seed, force=force, ordinal=ordinal, sensitivity=sensitivity,
                       style=style.value)
    from avoid_survey.analysis.core.i18n import tr
    for sec, status in res.sections.items():
        if status != "ok":
            note(tr("cli_section_skipped", lang.value).format(sec=sec, status=status))
    note(tr("cli_wrote", lang.value).format(path=out))
