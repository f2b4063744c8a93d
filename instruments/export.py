"""Codebook, blank data-entry template and printable questionnaire from one instrument file.

Everything a study needs besides the analysis comes from the same YAML file; one module
per output kind:

* :mod:`.codebook` (``.csv`` UTF-8 with BOM, ``.md``, ``.xlsx``): one row per variable,
  item and attention check;
* :mod:`.template` (``.xlsx``, ``.csv``): the expected data columns in order, with
  data-validation rules and the codebook in the xlsx;
* :mod:`.questionnaire` (``.md``, ``.html``, ``.docx``): the printable questionnaire.

:func:`export_instrument` picks the kind from the file extension (or ``kind``) and writes
through :func:`avoid_survey.analysis.io.output.write_atomic` (atomic, never over an
existing file without ``force``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError

from .codebook import codebook, codebook_csv, codebook_md, codebook_records, codebook_xlsx
from .questionnaire import questionnaire_docx, questionnaire_html, questionnaire_md, questionnaire_plan
from .template import template_columns, template_csv, template_xlsx

__all__ = ["KINDS", "ExportResult", "codebook_records", "codebook", "template_columns", "questionnaire_plan",
           "questionnaire_md", "questionnaire_html", "questionnaire_docx", "template_xlsx", "codebook_csv",
           "export_instrument", "infer_kind"]

KINDS = ("codebook", "template", "questionnaire")
_DEFAULT_KIND = {".csv": "codebook", ".md": "codebook", ".xlsx": "template", ".html": "questionnaire",
                 ".htm": "questionnaire", ".docx": "questionnaire"}
_ALLOWED = {"codebook": (".csv", ".md", ".xlsx"), "template": (".csv", ".xlsx"),
            "questionnaire": (".md", ".html", ".htm", ".docx")}


# ---------------------------------------------------------------- entry point
@dataclass(frozen=True)
class ExportResult:
    """What was written."""
    path: str
    kind: str
    format: str
    lang: str
    wording: str
    n_rows: int            # codebook rows, template columns, or questions
    instrument: str
    version: str

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "format": self.format, "lang": self.lang,
                "wording": self.wording, "n_rows": self.n_rows, "instrument": self.instrument,
                "version": self.version}

    def summary(self, lang: str = "en") -> str:
        from avoid_survey.analysis.core.i18n import tr

        return tr("cli_export_summary", lang).format(
            path=self.path, kind=tr(f"cli_kind_{self.kind}", lang), format=self.format, instrument=self.instrument,
            version=self.version, n=self.n_rows, what=tr(f"cli_what_{self.kind}", lang))


def infer_kind(path, kind: str | None = None) -> tuple[str, str]:
    """(kind, extension) for an output path; raise AvoidSurveyError for a combination that
    makes no sense (e.g. a questionnaire as .csv)."""
    ext = Path(str(path)).suffix.lower()
    if kind is not None and kind not in KINDS:
        raise AvoidSurveyError(f"unknown export kind '{kind}' (use {', '.join(KINDS)})")
    if kind is None:
        kind = _DEFAULT_KIND.get(ext)
        if kind is None:
            raise AvoidSurveyError(f"cannot tell what to export from the extension '{ext or '(none)'}'; use .csv or "
                                   ".md (codebook), .xlsx (template), .html or .docx (questionnaire), or --kind",
                                   file=path)
    if ext not in _ALLOWED[kind]:
        raise AvoidSurveyError(f"a {kind} can be written as {', '.join(_ALLOWED[kind])}, not '{ext or '(none)'}'",
                               file=path)
    return kind, ext


def export_instrument(inst, path, *, kind: str | None = None, lang: str = "zh", wording: str = "self",
                      force: bool = False, order: str = "file") -> ExportResult:
    """Write a codebook, template or questionnaire of ``inst`` (id, path or Instrument) to ``path``.

    ``kind`` is inferred from the extension when not given: .csv/.md codebook, .xlsx template,
    .html/.docx questionnaire; ``kind='template'`` allows .csv, ``kind='questionnaire'``
    allows .md, ``kind='codebook'`` allows .xlsx. Refuses to overwrite without ``force``.
    ``order`` (questionnaires): ``file`` or ``interleaved`` (each part's facets mixed).
    """
    from avoid_survey.analysis.io.output import write_atomic

    from .loader import load_instrument

    inst = load_instrument(inst)
    if lang not in ("zh", "en"):
        raise AvoidSurveyError(f"unknown language '{lang}' (use zh or en)")
    kind, ext = infer_kind(path, kind)
    fmt = "html" if ext == ".htm" else ext.lstrip(".")
    if kind == "codebook":
        n = len(codebook_records(inst))
    elif kind == "template":
        n = len(template_columns(inst))
    else:
        n = questionnaire_plan(inst, lang, wording, order=order).n_questions
    write, encoding = _WRITERS[(kind, fmt)]
    payload = write(inst, lang, wording, order) if kind == "questionnaire" else write(inst, lang, wording)
    write_atomic(path, payload, force, encoding=encoding)
    return ExportResult(str(path), kind, fmt, lang, wording, n, inst.id, inst.version)


# (kind, format) -> (payload of (instrument, lang, wording), encoding of a text payload)
_WRITERS = {
    ("codebook", "csv"): (lambda inst, lang, wording: codebook_csv(inst), "utf-8-sig"),
    ("codebook", "md"): (lambda inst, lang, wording: codebook_md(inst, lang), "utf-8"),
    ("codebook", "xlsx"): (lambda inst, lang, wording: codebook_xlsx(inst, lang), "utf-8"),
    ("template", "csv"): (lambda inst, lang, wording: template_csv(inst), "utf-8-sig"),
    ("template", "xlsx"): (lambda inst, lang, wording: template_xlsx(inst, lang), "utf-8"),
    ("questionnaire", "md"): (questionnaire_md, "utf-8"),
    ("questionnaire", "html"): (questionnaire_html, "utf-8"),
    ("questionnaire", "docx"): (questionnaire_docx, "utf-8"),
}
