"""Findings: what validation of a response file or an instrument file yields.

Every finding has a kebab-case ``code`` from :data:`CATALOG` (one place, one meaning), a
severity, a location (1-based data row or file line, column) and a message built from the
code's template. Checks *yield* findings; nothing stops at the first problem.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding", "CATALOG", "finding", "SEVERITIES"]

SEVERITIES = ("error", "warning", "info")

# code: (severity, title, message template)
CATALOG: dict[str, tuple[str, str, str]] = {
    # ---- instrument / spec files (row = line of the YAML file)
    "yaml-invalid": ("error", "Not valid YAML", "{detail}"),
    "schema-unknown-key": ("error", "Unknown key", "unknown key '{key}'{hint}"),
    "schema-missing-key": ("error", "Missing key", "required key '{key}' is missing"),
    "schema-wrong-type": ("error", "Wrong type", "'{key}': {detail}"),
    "duplicate-id": ("error", "Duplicate id", "id '{id}' is used more than once (first at line {first})"),
    "missing-language": ("error", "Missing language", "{what} has no '{lang}' text"),
    "reverse-non-likert": ("error", "Reverse flag on a non-Likert item", "item '{id}' is marked reverse but its response type is {type}"),
    "facet-without-items": ("error", "Facet without items", "{what} '{id}' has no items"),
    "scale-items-and-facets": ("error", "Items and facets together", "scale '{id}' has both items and facets; put the items in a facet"),
    "bad-response-format": ("error", "Bad response format", "{detail}"),
    "unknown-response-format": ("error", "Unknown response format", "response format '{name}' is not defined{hint}"),
    "bad-attention-check": ("error", "Bad attention check", "{detail}"),
    "bad-include": ("error", "Bad include", "{detail}"),
    "bad-experiment": ("error", "Bad experiment design", "{detail}"),
    "bad-waves": ("error", "Bad waves", "{detail}"),
    "experiment-unequal-blocks": ("warning", "Unequal blocks", "{detail}: the runs of the smaller blocks are shown more often"),
    "bad-units": ("error", "Bad units", "{detail}"),
    "unknown-mechanism": ("error", "Unknown mechanism", "measures: '{id}' is not a mechanism of the catalogue{hint}"),
    "bad-id": ("error", "Bad id", "id '{id}' must start with a letter and hold only letters, digits, '_' or '-'"),
    # ---- response files (validate; row = 1-based data row)
    "no-instrument": ("info", "No instrument", "no instrument given: only structural checks were run (pass --instrument for value, respondent and item checks)"),
    "header-only": ("error", "No data rows", "the file has a header but no data rows"),
    "no-answers": ("error", "No answers", "none of the {n} row(s) answers any of the {k} item(s): every item cell is empty (wrong file, sheet or --map?)"),
    "duplicate-column": ("error", "Duplicate column", "column '{column}' appears {n} times (positions {positions})"),
    "ragged-row": ("error", "Ragged row", "the row has {n} fields, the header {k}"),
    "missing-column": ("error", "Missing column", "{what} '{column}'{where} of the instrument is not in the data"),
    "missing-optional-column": ("info", "Optional column missing", "{what} '{column}'{where} is not in the data"),
    "missing-variables": ("info", "Variables not in the data", "instrument variables not in the data: {names}"),
    "unmatched-closest": ("info", "Closest item", "header '{column}' matches nothing; closest: {item} '{text}' (similarity {similarity})"),
    "map-hint": ("warning", "Headers not matched", "{n} header(s) not matched, {k} item(s) of the instrument not found: `--write-map map.yaml` writes a mapping to check and pass back with `--map map.yaml`"),
    "unknown-column": ("info", "Unknown column", "column '{column}' matches nothing in the instrument; kept as is"),
    "platform-column": ("info", "Survey-platform column", "'{column}' is {platform} metadata ({what}){extra}"),
    "column-renamed": ("info", "Column matched", "header '{header}' read as '{column}' (matched by {how})"),
    "value-not-numeric": ("error", "Not a number", "'{value}' is not a numeric code"),
    "value-unknown-label": ("error", "Unknown answer label", "'{value}' is neither a code nor an answer label of this question"),
    "value-wrong-type": ("error", "Wrong type", "'{value}' is not a valid {type} value"),
    "value-out-of-range": ("error", "Out of range", "code {value:g} is outside the allowed {allowed}"),
    "duplicate-respondent": ("error", "Duplicate respondent id", "respondent id '{id}' already appears at row {first}"),
    "empty-row": ("warning", "Empty row", "no {what} answered"),
    "respondent-missing": ("warning", "Many unanswered items", "{value:.0%} of the items unanswered (threshold {threshold:.0%})"),
    "attention-failed": ("warning", "Failed attention check", "answered {value:g}, expected {expected}"),
    "speeder": ("warning", "Speeder", "took {value:g} s, below the {threshold:g} s threshold ({basis})"),
    "longstring": ("warning", "Straight-lining (longstring)", "{value:g} identical answers in a row (threshold {threshold:g})"),
    "low-irv": ("warning", "Low response variability (IRV)", "intra-individual response SD {value:.3f} below {threshold:g}"),
    "mahalanobis-outlier": ("warning", "Multivariate outlier", "Mahalanobis D² = {value:.2f} > {cutoff:.2f} (chi-square, df = {df}, p = {p:.2g})"),
    "even-odd-inconsistent": ("warning", "Even-odd inconsistency", "even-odd consistency {value:.3f} below {threshold:g} over {pairs} scales"),
    "item-missing": ("warning", "Item often unanswered", "{value:.1%} of respondents left it unanswered (threshold {threshold:.0%})"),
    "zero-variance": ("warning", "Zero variance", "every answer is {value:g}"),
    "negative-item-rest": ("warning", "Negative item-rest correlation", "correlates {value:.3f} with the rest of '{scale}'{hint}"),
    "pii-column": ("warning", "Personal data", "column looks like personal data ({kind}); --clean drops it unless --keep-pii"),
    "careless-skipped": ("info", "Careless index not computed", "{index} not computed: {reason}"),
    "missing-code-answers": ("info", "Answers coded missing", "{value} answer(s) given as a missing code, read as missing ({detail})"),
    "more-findings": ("info", "More findings", "{n} more '{of}' findings in column '{column}' not listed (see the summary counts)"),
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a file: code, severity, where (row, column) and what."""

    code: str
    severity: str
    row: int | None
    column: str | None
    respondent: str | None
    message: str
    value: object = None
    # the template fields, so the message can be shown in another language (message_in)
    fields: tuple = field(default=(), compare=False, repr=False)

    def message_in(self, lang: str) -> str:
        """The message in ``lang``: the catalogue's template of the code (``val_fnd_<code>`` in
        analysis/core/i18n/validate.py) filled with the same fields; the English message
        when there is no template or a field is missing."""
        from .i18n import TERMS, tr

        key = f"val_fnd_{self.code}"
        if key not in TERMS or not self.fields:
            return self.message
        try:
            return tr(key, lang).format(**dict(self.fields))
        except (KeyError, IndexError, ValueError, TypeError):
            return self.message

    def to_dict(self) -> dict:
        d = {"code": self.code, "severity": self.severity, "row": self.row, "column": self.column,
             "respondent": self.respondent, "message": self.message}
        if self.value is not None:
            d["value"] = self.value
        return d


def finding(code: str, *, row=None, column=None, respondent=None, severity=None, value=None, **fields) -> Finding:
    """Build a finding from the catalog template (unknown template fields are left as is)."""
    sev, _title, template = CATALOG[code]
    ctx = {"column": column, "row": row, "respondent": respondent, "value": value}
    ctx.update(fields)
    try:
        message = template.format(**ctx)
    except (KeyError, IndexError, ValueError, TypeError):
        message = template
    return Finding(code, severity or sev, row, column, respondent, message, value, tuple(ctx.items()))
