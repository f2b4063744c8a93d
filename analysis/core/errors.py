"""The one exception and warning hierarchy of avoid-survey.

Exceptions are only for what stops a run (an unreadable file, a bad spec). Each carries
the file, line/row and column where known, so the command line can print exactly one
line and exit with code 2.
"""
from __future__ import annotations

import warnings

__all__ = ["AvoidSurveyError", "AvoidSurveyWarning", "ConvergenceWarning", "HeywoodWarning",
           "FewItemsWarning", "DataWarning", "DataNote", "warn"]


class AvoidSurveyError(Exception):
    """A user-facing problem: bad input file, instrument, spec or option.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence, without the location.
    file, line, row, column : optional
        Where. ``line`` is a line of a text file (YAML, CSV), ``row`` a 1-based data row.
    """

    def __init__(self, message: str, *, file=None, line: int | None = None,
                 row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.row = row
        self.column = column

    def located(self, *, file=None, line=None, row=None, column=None) -> "AvoidSurveyError":
        """Fill in location parts that are not known yet; returns self."""
        if self.file is None and file is not None:
            self.file = str(file)
        if self.line is None:
            self.line = line
        if self.row is None:
            self.row = row
        if self.column is None:
            self.column = column
        return self

    def one_line(self) -> str:
        def safe(v) -> str:  # a file or column name with a line break must not split the line
            return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(v))

        where = []
        if self.file:
            where.append(safe(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{safe(self.column)}'")
        text = " ".join(self.message.split())  # one line, whatever the message held
        return (", ".join(where) + ": " + text) if where else text

    def __str__(self) -> str:  # pragma: no cover - exercised through one_line
        return self.one_line()


class AvoidSurveyWarning(UserWarning):
    """Base of every warning the package emits (filter them with this class)."""


class ConvergenceWarning(AvoidSurveyWarning):
    """An iterative estimator did not converge."""


class HeywoodWarning(AvoidSurveyWarning):
    """A communality or standardized loading reached or passed 1."""


class FewItemsWarning(AvoidSurveyWarning):
    """A scale has too few items for the statistic asked for."""


class DataWarning(AvoidSurveyWarning):
    """Something in the user's data was set aside while reading it (e.g. codes outside the
    response scale treated as missing). The command line prints these once the command has
    succeeded."""


class DataNote(DataWarning):
    """Something reading did that the user should know but that needs no action (the sheet
    chosen, personal-data columns dropped, the exclusion flow). Printed as ``note:``."""


def warn(message: str, category=AvoidSurveyWarning, sink: list | None = None) -> None:
    """Emit a package warning and keep it on ``sink`` (a result's warning list)."""
    if sink is not None:
        sink.append(message)
    warnings.warn(message, category, stacklevel=2)


# (regular expression on the English message, catalogue key of its Chinese gist); first match wins
ERROR_GIST = (
    (r"cannot write the output", "err_write"),
    (r"not a regular file", "err_not_regular"),
    (r"input file of this run|name the same file", "err_output_input"),
    (r"nothing to analyse|no data rows|answers any", "err_no_data"),
    (r"not a finite number|must be a finite", "err_not_finite"),
    (r"AVOID_SURVEY_MAX_", "err_too_large"),
    (r"workbook|not an Excel", "err_workbook"),
    (r"fields but the header has", "err_ragged"),
    (r"file not found|no such file|does not exist", "err_file_not_found"),
    (r"needs --instrument|give a model \(--model\) or an instrument", "err_needs_instrument"),
    (r"has no scale or facet", "err_no_scale"),
    (r"YAML|mapping keys must be plain", "err_yaml"),
    (r"--force", "err_output_exists"),
    (r"unsupported (output|file|report|figure) type", "err_unsupported_type"),
    (r"not in the data|no column|not a column", "err_column_missing"),
    (r"unknown variable", "err_unknown_variable"),
    (r"not numeric|must be numeric", "err_not_numeric"),
    (r"not identified|singular|complete rows for|observations cannot estimate", "err_model"),
    (r"encoding|decode", "err_encoding"),
    (r"at least two groups|--by", "err_groups"),
    (r"spec|model file|formula", "err_spec"),
)


def error_gist(message: str, lang: str, key: str | None = None) -> str:
    """The Chinese gist of an error line (``""`` for English): what the catalogue says of the
    first pattern of :data:`ERROR_GIST` the message matches (or of ``key``), else a general
    sentence."""
    from .i18n import tr

    if tr("err_generic", lang) == tr("err_generic", "en"):
        return ""
    key = key or _first_gist(ERROR_GIST, message, "err_generic")
    return tr("err_prefix", lang) + tr(key, lang)


def _first_gist(table, message: str, default: str) -> str:
    """The catalogue key of the first pattern of ``table`` that ``message`` matches."""
    import re

    return next((k for pat, k in table if re.search(pat, message, re.IGNORECASE)), default)


# Warnings and notes (stderr ``warning:``/``note:`` lines) under --lang zh: the English line
# (with its numbers and names) goes on with the Chinese gist of the first pattern it matches.
WARNING_GIST = (
    (r"personal-data column", "wrn_pii"),
    (r"sheet|工作表", "wrn_sheet"),
    (r"composite ids", "wrn_composite_ids"),
    (r"--map|--write-map|mapping", "wrn_map"),
    (r"outside their response scale|treated as missing", "wrn_codes_missing"),
    (r"rows? (were |was )?(dropped|deleted)|row\(s\) with a missing|listwise", "wrn_rows_dropped"),
    (r"bootstrap", "wrn_bootstrap"),
    (r"polychoric", "wrn_polychoric"),
    (r"did not converge|not converged|optimiser", "wrn_not_converged"),
    (r"Heywood|negative \(residual\) variance|communality", "wrn_heywood"),
    (r"positive definite|singular|not identified", "wrn_not_pd"),
    (r"separation|numerically 0 or 1", "wrn_separation"),
    (r"perfect fit", "wrn_perfect_fit"),
    (r"cluster-robust variance is negative|clusters?", "wrn_clusters"),
    (r"indicator|HTMT", "wrn_few_indicators"),
    (r"KMO|parallel analysis|extracting", "wrn_efa"),
    (r"optional scale|--second-order|left out|no usable row", "wrn_left_out"),
    (r"careless-response flags", "wrn_flags"),
    (r"distribution declared|extra column|no latent declared|no items \(it is written|independent standard-normal",
     "wrn_simulate"),
    (r"replicate", "wrn_replicates"),
    (r"ICC|random slopes", "wrn_icc_slopes"),
    (r"respondents? (were |was )?(excluded|removed)|screening|exclusion", "wrn_screening"),
    (r"no variance|constant", "wrn_no_variance"),
    (r"coded|coding|reference", "wrn_coding"),
)


def warning_gist(message: str, lang: str, note: bool = False, key: str | None = None) -> str:
    """The Chinese gist of a ``warning:`` (or ``note:``) line (``""`` for English): what the
    catalogue says of the first pattern of :data:`WARNING_GIST` the message matches, else a
    general sentence."""
    from .i18n import tr

    if tr("wrn_generic", lang) == tr("wrn_generic", "en"):
        return ""
    if key is not None:   # a line of its own (e.g. the interruption): the gist without a prefix
        return " | " + tr(key, lang)
    key = _first_gist(WARNING_GIST, message, "wrn_generic")
    return tr("wrn_note_prefix" if note else "wrn_prefix", lang) + tr(key, lang)
