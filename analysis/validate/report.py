"""What :func:`~.run.validate` returns: the :class:`ValidationReport`, its JSON document
(``to_dict``) and its tables (``to_tables``): a summary, the findings by code, and every
finding."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..core.findings import CATALOG, SEVERITIES
from ..core.i18n import tr
from ..core.table import Column, Table
from .collect import short
from .thresholds import Thresholds

__all__ = ["ValidationReport", "FINDING_CLASSES", "CLASS_OF"]

# the five check families (one module each) and the codes they yield
FINDING_CLASSES = {
    "structure": ("no-instrument", "header-only", "no-answers", "duplicate-column", "ragged-row", "missing-column",
                  "missing-optional-column", "missing-variables", "unknown-column", "platform-column", "column-renamed", "more-findings",
                  "unmatched-closest", "map-hint"),
    "values": ("value-not-numeric", "value-unknown-label", "value-wrong-type", "value-out-of-range"),
    "respondents": ("duplicate-respondent", "empty-row", "respondent-missing", "attention-failed", "speeder",
                    "longstring", "low-irv", "mahalanobis-outlier", "even-odd-inconsistent", "careless-skipped"),
    "items": ("item-missing", "zero-variance", "negative-item-rest"),
    "privacy": ("pii-column",),
}
CLASS_OF = {code: cls for cls, codes in FINDING_CLASSES.items() for code in codes}


def _severity(code: str) -> str:
    return CATALOG[code][0]


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found. ``to_dict()`` is the ``--format json`` document."""

    file: str
    instrument: str | None
    n_rows: int
    n_respondents: int
    findings: list
    counts: dict                  # code -> number of findings (listed or not)
    read: dict                    # encoding, delimiter, format, platform, header_rows
    columns: dict                 # frame column -> {"header", "how"} for matched headers
    thresholds: Thresholds
    indices: object = None        # DataFrame of per-respondent index values (or None)
    flags: object = None          # DataFrame of 0/1 flags (or None)
    frame: object = None          # the read frame (codes normalised; a large CSV's complete Likert
                                  # answers as int8 codes, see io.load(compact=True))
    pii_columns: list = field(default_factory=list)
    clean_file: str | None = None
    warnings: list = field(default_factory=list)
    screening: list = field(default_factory=list)   # the exclusion flow (see .screening)
    screen_flags: dict = field(default_factory=dict)
    keep: object = None           # rows left by the screening (boolean array) or None
    loaded: object = None         # the Loaded read (bad cells, label columns) for --clean
    careless_k: int = 2           # the careless hurdle of the screening

    def _n(self, sev: str) -> int:
        return sum(n for code, n in self.counts.items() if _severity(code) == sev)

    @property
    def n_errors(self) -> int:
        return self._n("error")

    @property
    def n_warnings(self) -> int:
        return self._n("warning")

    @property
    def n_info(self) -> int:
        return self._n("info")

    def summary(self, lang: str | None = None) -> list[dict]:
        """One entry per code: severity, count, columns, first rows and an example message
        (in ``lang`` when given; JSON keeps the English message)."""
        out = []
        for code, n in sorted(self.counts.items(), key=lambda kv: (SEVERITIES.index(_severity(kv[0])), kv[0])):
            fs = [f for f in self.findings if f.code == code]
            rows = [f.row for f in fs if f.row is not None]
            cols = list(dict.fromkeys(f.column for f in fs if f.column is not None))
            out.append({"code": code, "class": CLASS_OF.get(code, "structure"),
                        "severity": _severity(code), "title": CATALOG[code][1],
                        "count": n, "columns": cols, "first_rows": rows[:10],
                        "example": (fs[0].message_in(lang) if lang else fs[0].message) if fs else ""})
        return out

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "instrument": self.instrument,
            "n_rows": self.n_rows,
            "n_respondents": self.n_respondents,
            "n_errors": self.n_errors,
            "n_warnings": self.n_warnings,
            "n_info": self.n_info,
            "read": {k: v for k, v in self.read.items() if k != "value_labels"},
            "columns": self.columns,
            "thresholds": asdict(self.thresholds),
            "summary": self.summary(),
            "pii_columns": self.pii_columns,
            "clean_file": self.clean_file,
            "findings": [f.to_dict() for f in self.findings],
            "screening": list(self.screening),
        }

    def to_tables(self, lang: str = "en") -> list[Table]:
        out = [self._summary_table(lang), self._by_code_table(lang), self._all_table(lang)]
        if any(s["n_removed"] for s in self.screening):
            from ..tables.screening import screening_table
            out.append(screening_table(self.screening, lang))
        return out

    def _summary_table(self, lang: str) -> Table:
        t = Table("@val_title_summary", [Column("what", "", "text"), Column("value", "", "text")], name="summary")
        rd = self.read
        fmt = rd.get("format", "")
        if rd.get("encoding"):
            fmt += f", {rd['encoding']}{' BOM' if rd.get('bom') else ''}, {_delim_name(rd.get('delimiter'))}"
        if rd.get("platform"):
            fmt += f", {rd['platform']}"
        rows = [("val_file", self.file), ("val_instrument", self.instrument or tr("val_no_instrument", lang)),
                ("val_format", fmt), ("val_rows", str(self.n_rows)), ("val_respondents", str(self.n_respondents)),
                ("val_errors", str(self.n_errors)), ("val_warnings", str(self.n_warnings)),
                ("val_info", str(self.n_info))]
        if self.clean_file:
            rows.append(("val_clean_data", self.clean_file))
        for key, value in rows:
            t.add(tr(key, lang), value)
        return t

    def _by_code_table(self, lang: str) -> Table:
        t = Table("@val_title_by_code",
                  [Column("code", "@val_code", "text"), Column("severity", "@val_severity", "text"),
                   Column("count", "@val_count", "int"), Column("columns", "@val_columns", "text"),
                   Column("rows", "@val_first_rows", "text"), Column("example", "@val_example", "text")],
                  name="findings")
        for s in self.summary(lang):
            cols = s["columns"]
            ctext = ", ".join(cols[:4]) + (f" (+{len(cols) - 4})" if len(cols) > 4 else "")
            rtext = ", ".join(map(str, s["first_rows"][:5])) + (" …" if s["count"] > 5 and s["first_rows"] else "")
            t.add(s["code"], tr(f"val_sev_{s['severity']}", lang), s["count"], ctext, rtext, short(s["example"], 90))
        if not self.counts:
            t.notes.append("@val_note_no_problems")
        t.notes.append("@val_note_rows")
        return t

    def _all_table(self, lang: str) -> Table:
        t = Table("@val_title_all",
                  [Column("code", "@val_code", "text"), Column("severity", "@val_severity", "text"),
                   Column("row", "@val_row", "int"), Column("column", "@val_column", "text"),
                   Column("respondent", "@val_respondent", "text"), Column("value", "@val_value", "text"),
                   Column("message", "@val_message", "text")], name="details")
        for f in self.findings:
            v = f.value
            vtext = "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
            t.add(f.code, tr(f"val_sev_{f.severity}", lang), f.row, f.column or "", f.respondent or "", vtext,
                  f.message_in(lang))
        return t


def _delim_name(d):
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(d, repr(d))
