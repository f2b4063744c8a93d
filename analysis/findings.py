"""Findings: what validation of a response file or an instrument file yields.

Every finding has a kebab-case ``code`` from :data:`CATALOG` (one place, one meaning), a
severity, a location (1-based data row or file line, column) and a message built from the
code's template. Checks *yield* findings; nothing stops at the first problem.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

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
    "bad-id": ("error", "Bad id", "id '{id}' must start with a letter and hold only letters, digits, '_' or '-'"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    row: int | None
    column: str | None
    respondent: str | None
    message: str
    value: object = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["value"] is None:
            d.pop("value")
        return d


def finding(code: str, *, row=None, column=None, respondent=None, severity=None, value=None, **fields) -> Finding:
    """Build a finding from the catalog template (unknown template fields are left as is)."""
    sev, _title, template = CATALOG[code]
    try:
        message = template.format(**fields)
    except (KeyError, IndexError):
        message = template
    return Finding(code, severity or sev, row, column, respondent, message, value)
