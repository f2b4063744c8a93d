"""Check a response file before analysis: every problem at once, nothing modified.

``validate(path, instrument)`` reads the file with :func:`avoid_survey.analysis.io.load`
and collects :class:`~avoid_survey.analysis.core.findings.Finding` objects in five classes:

structure
    ``no-instrument`` (info), ``header-only``, ``duplicate-column``, ``ragged-row``,
    ``missing-column`` (error for items of required scales; info for optional scales and
    attention checks), ``missing-variables`` (info), ``unknown-column`` (info),
    ``platform-column`` (info), ``column-renamed`` (info).
values
    ``value-not-numeric``, ``value-unknown-label``, ``value-wrong-type``,
    ``value-out-of-range`` (errors, one per cell).
respondents
    ``duplicate-respondent`` (error); warnings ``empty-row``, ``respondent-missing``,
    ``attention-failed``, ``speeder``, and the careless-response indices ``longstring``,
    ``low-irv``, ``mahalanobis-outlier``, ``even-odd-inconsistent`` (each with its value;
    see :mod:`avoid_survey.analysis.validate.careless`).
items
    ``item-missing``, ``zero-variance``, ``negative-item-rest`` (warnings).
privacy
    ``pii-column`` (warning): IP addresses, Chinese mobile numbers (1[3-9] + 9 digits),
    18-digit resident ID numbers with a valid check digit (GB 11643), e-mail addresses,
    name-like headers (姓名, name...), platform PII columns and variables marked ``pii``.

Every check works on whole columns or on the (n, k) item matrix (numpy/pandas), never
row by row. Findings per (code, column) are listed up to ``Thresholds.max_listed``; the
summary counts all of them. With ``clean=OUT`` the data are written through
:func:`avoid_survey.analysis.io.write.write_data` with codes normalised, reverse-keyed
items untouched, PII columns dropped (unless ``keep_pii``) and one 0/1 flag column per
index: ``flag_longstring``, ``flag_irv``, ``flag_mahalanobis``, ``flag_even_odd``,
``flag_speeder``, ``flag_attention``, ``flag_missing`` (respondent missing share above the
threshold), plus ``flag_count`` (how many flags are set).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields

from ..core.errors import AvoidSurveyError
from ..core.findings import CATALOG, SEVERITIES, Finding, finding
from ..core.table import Column, Table

__all__ = ["validate", "ValidationReport", "Thresholds", "FLAG_COLUMNS", "FINDING_CLASSES", "clean_frame"]

FINDING_CLASSES = {
    "structure": ("no-instrument", "header-only", "duplicate-column", "ragged-row", "missing-column",
                  "missing-optional-column", "missing-variables", "unknown-column", "platform-column", "column-renamed", "more-findings"),
    "values": ("value-not-numeric", "value-unknown-label", "value-wrong-type", "value-out-of-range"),
    "respondents": ("duplicate-respondent", "empty-row", "respondent-missing", "attention-failed", "speeder",
                    "longstring", "low-irv", "mahalanobis-outlier", "even-odd-inconsistent", "careless-skipped"),
    "items": ("item-missing", "zero-variance", "negative-item-rest"),
    "privacy": ("pii-column",),
}
CLASS_OF = {code: cls for cls, codes in FINDING_CLASSES.items() for code in codes}

FLAG_COLUMNS = {
    "flag_longstring": "longstring",
    "flag_irv": "low-irv",
    "flag_mahalanobis": "mahalanobis-outlier",
    "flag_even_odd": "even-odd-inconsistent",
    "flag_speeder": "speeder",
    "flag_attention": "attention-failed",
    "flag_missing": "respondent-missing",
}


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the respondent and item checks (all configurable).

    respondent_missing : flag a respondent with more than this share of items unanswered
    item_missing : flag an item unanswered by more than this share of respondents
    longstring : flag a run of at least this many identical answers; None = two thirds of
        the items, at least 8
    irv : flag an intra-individual response SD below this
    mahalanobis_alpha : flag D² above the chi-square (1 - alpha) quantile on k df
    even_odd : flag an even-odd consistency below this
    even_odd_min_scales : even-odd consistency needs at least this many scales/facets with
        2+ items (a correlation over fewer points is mostly noise)
    seconds_per_item : speeder when the duration is below this times the number of items
    min_duration : speeder threshold in seconds (overrides seconds_per_item)
    min_items : careless indices need at least this many answered items
    max_listed : findings listed per (code, column); the summary counts all
    """

    respondent_missing: float = 0.2
    item_missing: float = 0.1
    longstring: int | None = None
    irv: float = 0.3
    mahalanobis_alpha: float = 0.001
    even_odd: float = 0.0
    even_odd_min_scales: int = 6
    seconds_per_item: float = 2.0
    min_duration: float | None = None
    min_items: int = 6
    max_listed: int = 1000

    @classmethod
    def from_mapping(cls, d: dict | None) -> "Thresholds":
        """Thresholds from a mapping such as a YAML file's; unknown keys are errors."""
        if not d:
            return cls()
        names = {f.name for f in fields(cls)}
        bad = [k for k in d if k not in names]
        if bad:
            raise AvoidSurveyError(f"unknown threshold '{bad[0]}' (known: {', '.join(sorted(names))})")
        out = {}
        for k, v in d.items():
            if v is None:
                out[k] = None
                continue
            try:
                out[k] = int(v) if k in ("longstring", "min_items", "max_listed", "even_odd_min_scales") else float(v)
            except (TypeError, ValueError):
                raise AvoidSurveyError(f"threshold '{k}' must be a number, got {v!r}") from None
        return cls(**out)

    def merged(self, **over) -> "Thresholds":
        vals = asdict(self)
        vals.update({k: v for k, v in over.items() if v is not None})
        return Thresholds(**vals)


@dataclass
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
    frame: object = None          # the read frame (codes normalised)
    pii_columns: list = field(default_factory=list)
    clean_file: str | None = None
    warnings: list = field(default_factory=list)

    def _n(self, sev: str) -> int:
        return sum(n for code, n in self.counts.items() if _severity(code, self.findings) == sev)

    @property
    def n_errors(self) -> int:
        return self._n("error")

    @property
    def n_warnings(self) -> int:
        return self._n("warning")

    @property
    def n_info(self) -> int:
        return self._n("info")

    def summary(self) -> list[dict]:
        out = []
        for code, n in sorted(self.counts.items(), key=lambda kv: (SEVERITIES.index(_severity(kv[0], self.findings)), kv[0])):
            fs = [f for f in self.findings if f.code == code]
            rows = [f.row for f in fs if f.row is not None]
            cols = list(dict.fromkeys(f.column for f in fs if f.column is not None))
            out.append({"code": code, "class": CLASS_OF.get(code, "structure"),
                        "severity": _severity(code, self.findings), "title": CATALOG[code][1],
                        "count": n, "columns": cols, "first_rows": rows[:10],
                        "example": fs[0].message if fs else ""})
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
        }

    def to_tables(self, lang: str = "en") -> list[Table]:
        zh = lang == "zh"
        t1 = Table({"en": "Validation summary", "zh": "数据检查摘要"},
                   [Column("what", {"en": "", "zh": ""}, "text"), Column("value", {"en": "", "zh": ""}, "text")],
                   name="summary")
        rd = self.read
        t1.add("文件" if zh else "File", self.file)
        t1.add("问卷" if zh else "Instrument", self.instrument or ("（未指定）" if zh else "(none)"))
        fmt = rd.get("format", "")
        if rd.get("encoding"):
            fmt += f", {rd['encoding']}{' BOM' if rd.get('bom') else ''}, {_delim_name(rd.get('delimiter'))}"
        if rd.get("platform"):
            fmt += f", {rd['platform']}"
        t1.add("格式" if zh else "Format", fmt)
        t1.add("数据行" if zh else "Rows", str(self.n_rows))
        t1.add("受访者" if zh else "Respondents", str(self.n_respondents))
        t1.add("错误" if zh else "Errors", str(self.n_errors))
        t1.add("警告" if zh else "Warnings", str(self.n_warnings))
        t1.add("提示" if zh else "Info", str(self.n_info))
        if self.clean_file:
            t1.add("清洗后数据" if zh else "Clean data", self.clean_file)
        t2 = Table({"en": "Findings by code", "zh": "按类别汇总的问题"},
                   [Column("code", {"en": "Code", "zh": "代码"}, "text"),
                    Column("severity", {"en": "Severity", "zh": "级别"}, "text"),
                    Column("count", {"en": "Count", "zh": "数量"}, "int"),
                    Column("columns", {"en": "Columns", "zh": "列"}, "text"),
                    Column("rows", {"en": "First rows", "zh": "前几行"}, "text"),
                    Column("example", {"en": "Example", "zh": "示例"}, "text")], name="findings")
        sev_zh = {"error": "错误", "warning": "警告", "info": "提示"}
        for s in self.summary():
            cols = s["columns"]
            ctext = ", ".join(cols[:4]) + (f" (+{len(cols) - 4})" if len(cols) > 4 else "")
            rtext = ", ".join(map(str, s["first_rows"][:5])) + (" …" if s["count"] > 5 and s["first_rows"] else "")
            t2.add(s["code"], sev_zh[s["severity"]] if zh else s["severity"], s["count"], ctext, rtext,
                   _short(s["example"], 90))
        if not self.counts:
            t2.notes.append({"en": "No problems found.", "zh": "未发现问题。"})
        t2.notes.append({"en": "Rows are 1-based data rows (the first row after the header is 1). "
                               "Careless-response indices are warnings; --format json lists every finding.",
                         "zh": "行号为数据行（表头之后第一行为 1）。粗心作答指标为警告；--format json 列出全部问题。"})
        t3 = Table({"en": "All findings", "zh": "全部问题"},
                   [Column("code", {"en": "Code", "zh": "代码"}, "text"),
                    Column("severity", {"en": "Severity", "zh": "级别"}, "text"),
                    Column("row", {"en": "Row", "zh": "行"}, "int"),
                    Column("column", {"en": "Column", "zh": "列"}, "text"),
                    Column("respondent", {"en": "Respondent", "zh": "受访者"}, "text"),
                    Column("value", {"en": "Value", "zh": "值"}, "text"),
                    Column("message", {"en": "Message", "zh": "说明"}, "text")], name="details")
        for f in self.findings:
            v = f.value
            vtext = "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
            t3.add(f.code, sev_zh[f.severity] if zh else f.severity, f.row, f.column or "", f.respondent or "",
                   vtext, f.message)
        return [t1, t2, t3]


def print_terminal(report: ValidationReport, lang: str = "zh", file=None) -> None:
    """Terminal rendering: a summary panel, then the findings grouped by code (rich)."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table as RTable

    console = Console(file=file, soft_wrap=False)
    t1, t2 = report.to_tables(lang)[:2]
    grid = RTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for a, b in t1.rows:
        grid.add_row(escape(str(a)), escape(str(b)))
    colour = "red" if report.n_errors else ("yellow" if report.n_warnings else "green")
    console.print(Panel(grid, title=t1.title_text(lang), title_align="left", border_style=colour, expand=False))
    if not report.counts:
        return
    rt = RTable(title=t2.title_text(lang), box=box.SIMPLE_HEAD, title_justify="left",
                caption="\n".join(t2.notes_text(lang)), caption_justify="left")
    styles = {"error": "red", "warning": "yellow", "info": "dim", "错误": "red", "警告": "yellow", "提示": "dim"}
    keep = [0, 2, 3, 4, 5]  # severity shown by colour
    for j in keep:
        c = t2.columns[j]
        rt.add_column(c.text(lang), justify="right" if c.kind == "int" else "left", no_wrap=j in (0, 2),
                      overflow="fold")
    for row in t2.rows:
        sev = styles.get(row[1], "")
        cells = [escape(str(row[j])) for j in keep]
        cells[0] = f"[{sev}]{cells[0]}[/{sev}]" if sev else cells[0]
        rt.add_row(*cells)
    console.print(rt)


def _delim_name(d):
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(d, repr(d))


def _short(s: str, n: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _severity(code, findings):
    return CATALOG[code][0]


# ---------------------------------------------------------------- collecting findings
class _Collector:
    def __init__(self, max_listed: int):
        self.findings: list[Finding] = []
        self.counts: Counter = Counter()
        self.max_listed = max_listed
        self._more: dict = {}

    def add(self, code, *, row=None, column=None, respondent=None, value=None, **fields):
        self.counts[code] += 1
        self.findings.append(finding(code, row=row, column=column, respondent=respondent, value=value, **fields))

    def rows(self, code, pos, column=None, values=None, ids=None, **fields):
        """One finding per row position (0-based) in ``pos``, listing at most max_listed."""
        import numpy as np

        pos = np.asarray(pos)
        if pos.size == 0:
            return
        self.counts[code] += int(pos.size)
        shown = pos[: self.max_listed]
        vals = None if values is None else np.asarray(values)[: self.max_listed]
        for j, i in enumerate(shown.tolist()):
            v = None if vals is None else _py(vals[j])
            rid = None if ids is None else ids[i]
            self.findings.append(finding(code, row=i + 1, column=column, respondent=rid, value=v, **fields))
        if pos.size > self.max_listed:
            self.findings.append(finding("more-findings", column=column, n=int(pos.size - self.max_listed),
                                         of=code))
            self.counts["more-findings"] += 1


class _Ids:
    """Respondent ids looked up only for the rows that get a finding."""

    def __init__(self, series):
        self._s = series

    def __getitem__(self, i):
        v = self._s.iat[int(i)]
        if v is None or v is _pd_na() or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)


def _pd_na():
    import pandas as pd
    return pd.NA


def _py(v):
    import numpy as np
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return v
    return v


def _fmt_value(v) -> str:
    s = str(v)
    s = " ".join(s.split())
    return s[:40] + ("…" if len(s) > 40 else "")


# ---------------------------------------------------------------- privacy
_PII_HEADERS = {
    "name": ["姓名", "名字", "真实姓名", "name", "fullname", "firstname", "lastname", "surname", "联系人",
             "respondentname", "受访者姓名"],
    "phone": ["手机", "手机号", "手机号码", "电话", "电话号码", "联系电话", "联系方式", "phone", "mobile", "telephone",
              "phonenumber", "tel", "cellphone"],
    "e-mail": ["email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"],
    "ID-card number": ["身份证", "身份证号", "身份证号码", "idcard", "idnumber", "identitycard"],
    "IP address": ["ip", "ip地址", "ipaddress", "来自ip"],
    "address": ["住址", "家庭住址", "地址", "address", "homeaddress"],
}
_PII_HEADER_MAP = {}
for _kind, _names in _PII_HEADERS.items():
    for _n in _names:
        _PII_HEADER_MAP[re.sub(r"[\W_]+", "", _n).casefold()] = _kind

_RE_IP = r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.])"
_RE_PHONE = r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)"
_RE_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
_RE_IDCARD = r"(?<!\d)(\d{17}[\dXx])(?![\dXx])"
_ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def valid_id_numbers(s):
    """Boolean Series: 18-character strings with a valid GB 11643 check digit (vectorised)."""
    import numpy as np
    import pandas as pd

    s = s.astype("string").str.upper()
    ok = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(bool)
    out = np.zeros(len(s), bool)
    if ok.any():
        sub = s[ok].to_numpy(dtype=object).astype("U18")
        b = np.frombuffer(np.ascontiguousarray(sub).tobytes(), dtype=np.uint32).reshape(-1, 18)
        digits = b[:, :17].astype(np.int64) - 48
        tot = (digits * np.array(_ID_W)).sum(axis=1) % 11
        expect = np.array([ord(c) for c in _ID_CHECK])[tot]
        out[np.flatnonzero(ok)] = b[:, 17] == expect
    return pd.Series(out, index=s.index)


def _pii_kind_of_values(sample):
    """Kind of personal data in a sample of cell texts, or None."""
    s = sample.astype("string")
    if s.str.contains(_RE_EMAIL, regex=True).fillna(False).any():
        return "e-mail"
    ids = s.str.extract(_RE_IDCARD, expand=False).dropna()
    if len(ids) and valid_id_numbers(ids).any():
        return "ID-card number"
    if s.str.contains(_RE_PHONE, regex=True).fillna(False).any():
        return "phone number"
    if s.str.contains(_RE_IP, regex=True).fillna(False).any():
        return "IP address"
    return None


# ---------------------------------------------------------------- the checks
def validate(path, instrument=None, *, id_column=None, thresholds=None, sheet=None, mapping=None,
             clean=None, keep_pii: bool = False, force: bool = False, progress: bool = False,
             lang: str = "zh") -> ValidationReport:
    """Validate a response file against an instrument; never modifies the file.

    Parameters
    ----------
    path : response file (csv, xlsx, sav, dta, parquet)
    instrument : Instrument, bundled id, path, or None (structural checks only)
    id_column : respondent id column (default: the instrument variable with role ``id``)
    thresholds : :class:`Thresholds` or a mapping of its fields
    sheet, mapping : passed to the reader (xlsx sheet; {header: column id})
    clean : optional output path: write the cleaned data there (see module docstring)
    keep_pii, force : keep PII columns in ``clean``; overwrite an existing ``clean`` file

    Returns
    -------
    ValidationReport. Raises AvoidSurveyError only when the file cannot be used at all.

    Notes
    -----
    Careless-response indices follow R ``careless`` (longstring, irv, mahad, evenodd);
    the Mahalanobis cut-off is ``qchisq(1 - alpha, df = k)`` on the complete cases.
    """
    from ..io import drop_prescan, prescan

    scan = prescan(path)  # a large CSV's bytes are checked while pandas and the instrument load
    import numpy  # noqa: F401  (loads BLAS, so that the limit below applies to it)

    try:  # BLAS threads only contend on these small products; one is faster and deterministic
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except Exception:  # pragma: no cover - threadpoolctl comes with scikit-learn
        limits = None
    try:
        return _validate(path, instrument, id_column=id_column, thresholds=thresholds, sheet=sheet,
                         mapping=mapping, clean=clean, keep_pii=keep_pii, force=force, progress=progress, lang=lang)
    finally:
        drop_prescan(scan)
        if limits is not None:
            limits.restore_original_limits()


def _validate(path, instrument, *, id_column, thresholds, sheet, mapping, clean, keep_pii, force, progress, lang):
    import numpy as np
    import pandas as pd

    from ..io import load

    if instrument is not None and not hasattr(instrument, "items"):
        from avoid_survey.instruments import load_instrument
        instrument = load_instrument(instrument)
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_mapping(thresholds)
    ld = load(path, instrument, sheet=sheet, mapping=mapping, progress=progress)
    df = ld.frame
    n = int(df.shape[0])
    col = _Collector(th.max_listed)
    dup_names = {nm for nm, _ in ld.duplicates}

    # ---------------- structure
    if instrument is None:
        col.add("no-instrument")
    for nm, pos in ld.duplicates:
        col.add("duplicate-column", column=nm, n=len(pos), positions=", ".join(map(str, pos)))
    if ld.ragged:
        rr = np.array([r for r, _ in ld.ragged]) - 1
        nf = np.array([f for _, f in ld.ragged])
        # message carries the field count of each row
        col.counts["ragged-row"] += len(rr)
        for i, f in list(zip(rr.tolist(), nf.tolist()))[: th.max_listed]:
            col.findings.append(finding("ragged-row", row=i + 1, value=f, n=f, k=ld.n_fields))
        if len(rr) > th.max_listed:
            col.add("more-findings", n=len(rr) - th.max_listed, of="ragged-row")
    if n == 0:
        col.add("header-only")
    for c in ld.unmatched:
        if c not in ld.platform:
            col.add("unknown-column", column=c)
    for c, (kind, what, plat) in ld.platform.items():
        if kind == "pii" or (c not in df.columns):
            continue
        extra = "; used as the duration" if kind == "duration" else ""
        col.add("platform-column", column=c, platform={"wenjuanxing": "Wenjuanxing (问卷星)"}.get(plat, plat.title()),
                what=what, extra=extra)
    for c, m in ld.match.items():
        if m["how"] in ("text", "alias", "mapping", "platform") and m["header"] != c:
            col.add("column-renamed", column=c, header=_short(m["header"], 60), how=m["how"])

    items_present: list[str] = []
    resp = {}
    if instrument is not None:
        resp = instrument.responses()
        for s in instrument.scales:
            for it in s.items:
                if it.id in df.columns and it.id not in dup_names:
                    items_present.append(it.id)
                elif it.id not in dup_names:
                    col.add("missing-optional-column" if s.optional else "missing-column", column=it.id,
                            what="item", where=f" ({'optional ' if s.optional else ''}scale '{s.id}')")
        for a in instrument.attention_checks:
            if a.id not in df.columns:
                col.add("missing-optional-column", column=a.id, what="attention check", where="")
        missing_vars = [v for v in instrument.variables if v.id not in df.columns]
        for v in missing_vars:
            if v.required:
                col.add("missing-column", column=v.id, what="required variable", where="")
        opt = [v.id for v in missing_vars if not v.required]
        if opt:
            col.add("missing-variables", names=", ".join(opt))

    # ---------------- respondent ids
    ids = None
    idc = id_column
    if idc is not None and idc not in df.columns:
        raise AvoidSurveyError(f"no column '{idc}' in the data (columns: {', '.join(map(str, df.columns[:12]))}"
                               f"{'...' if df.shape[1] > 12 else ''})", file=path, column=idc)
    if idc is None and instrument is not None:
        cand = instrument.id_column()
        if cand in df.columns and cand not in dup_names:
            idc = cand
    if idc is not None and n:
        sid = df[idc]   # integer or text ids, compared as they are
        ids = _Ids(sid)
        present = sid.notna().to_numpy()
        dup = sid.duplicated(keep="first").to_numpy() & present   # every occurrence after the first
        if dup.any():
            key = sid.to_numpy(dtype=object, na_value=None)
            first = pd.Series(np.arange(n)).groupby(key, dropna=True).transform("min").to_numpy()
            pos = np.flatnonzero(dup)
            col.counts["duplicate-respondent"] += int(pos.size)
            for i in pos[: th.max_listed].tolist():
                col.findings.append(finding("duplicate-respondent", row=i + 1, column=idc, respondent=ids[i],
                                            id=ids[i], first=int(first[i]) + 1))
            if pos.size > th.max_listed:
                col.add("more-findings", column=idc, n=int(pos.size - th.max_listed), of="duplicate-respondent")
        n_resp = int(present.sum() - dup.sum())
    else:
        n_resp = n

    # ---------------- values
    oor = {}  # column -> out-of-range mask (those answers do not enter the statistics)
    col_stats = {}  # column -> {nan: missing answers, int8: codes} (Likert columns)
    if instrument is not None and n:
        for c in df.columns:
            fmt = resp.get(c)
            if fmt is None or c in dup_names:
                continue
            if c in ld.bad_cells:
                pos, raw = ld.bad_cells[c]
                is_answer = c in items_present or any(a.id == c for a in instrument.attention_checks)
                if not is_answer and fmt.type not in ("likert", "categorical", "ordinal", "boolean"):
                    _rows_fixed(col, "value-wrong-type", pos, c, raw, ids, th, type=fmt.type)
                else:
                    # text with a digit ("4?", "3.5.1") is a broken number; other text an unknown label
                    has_digit = np.array([any(ch.isdigit() for ch in str(v)) for v in raw], dtype=bool)
                    labelled = bool(fmt.labels)
                    nn = has_digit | (not labelled)
                    _rows_fixed(col, "value-not-numeric", pos[nn], c, raw[nn], ids, th)
                    _rows_fixed(col, "value-unknown-label", pos[~nn], c, raw[~nn], ids, th)
            if fmt.type not in ("likert", "numeric", "categorical", "ordinal", "boolean"):
                continue
            x = df[c].to_numpy(dtype=float, na_value=np.nan)
            st = col_stats[c] = {}
            bad, allowed = _out_of_range(x, fmt, st)
            if bad is not None and bad.any():
                oor[c] = bad
                pos = np.flatnonzero(bad)
                col.rows("value-out-of-range", pos, column=c, values=x[pos], ids=ids, allowed=allowed)

    # ---------------- respondents and items
    indices = {}
    flags = {}
    if instrument is not None and n and items_present:
        # one contiguous float array per item, questionnaire order (the frame is not modified)
        X = [df[c].to_numpy(dtype=float, na_value=np.nan) for c in items_present]
        k = len(X)
        answered = np.zeros(n, np.int32)
        item_answered = np.zeros(k, np.int64)
        complete = set()  # items with an answer code from every respondent (no NaN)
        n_complete = 0
        for j, c in enumerate(items_present):
            if col_stats.get(c, {}).get("nan") == 0 and c not in oor and c not in ld.bad_cells:
                complete.add(c)        # known from the range check: no per-row work
                n_complete += 1
                item_answered[j] = n
                continue
            ok = ~np.isnan(X[j])
            if c not in oor and c not in ld.bad_cells and ok.all():
                complete.add(c)
            if c in ld.bad_cells:  # answered, but not with a code: not "unanswered"
                ok = ok.copy()
                ok[ld.bad_cells[c][0]] = True
            answered += ok
            item_answered[j] = int(ok.sum())
            if c in oor:  # answers outside the range do not enter the statistics
                X[j] = np.where(oor[c], np.nan, X[j])
        answered += n_complete
        empty = answered == 0
        col.rows("empty-row", np.flatnonzero(empty), ids=ids, what="item")
        share = 1.0 - answered / k
        miss = (share > th.respondent_missing) & ~empty
        col.rows("respondent-missing", np.flatnonzero(miss), values=share[miss], ids=ids,
                 threshold=th.respondent_missing)
        flags["flag_missing"] = miss
        # attention checks
        att_fail = np.zeros(n, bool)
        for a in instrument.attention_checks:
            if a.id not in df.columns or a.id in dup_names:
                continue
            v = df[a.id].to_numpy(dtype=float, na_value=np.nan)
            failed = ~np.isnan(v) & ~np.isin(v, np.array(a.expected, dtype=float))
            att_fail |= failed
            pos = np.flatnonzero(failed)
            col.rows("attention-failed", pos, column=a.id, values=v[pos], ids=ids,
                     expected=" or ".join(str(e) for e in a.expected))
        flags["flag_attention"] = att_fail
        # speeders
        dur_col = next((v.id for v in instrument.variables if v.role == "duration" and v.id in df.columns), None)
        if dur_col is None:
            dur_col = next((c for c, p in ld.platform.items() if p[0] == "duration" and c in df.columns), None)
        if dur_col is not None and dur_col not in dup_names:
            d = pd.to_numeric(df[dur_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            n_q = k + sum(1 for a in instrument.attention_checks if a.id in df.columns)
            if th.min_duration is not None:
                thr, basis = th.min_duration, "minimum duration"
            else:
                thr, basis = th.seconds_per_item * n_q, f"{th.seconds_per_item:g} s x {n_q} items"
            sp = ~np.isnan(d) & (d < thr)
            pos = np.flatnonzero(sp)
            col.rows("speeder", pos, column=dur_col, values=d[pos], ids=ids, threshold=thr, basis=basis)
            flags["flag_speeder"] = sp
            indices["duration"] = d
        else:
            col.add("careless-skipped", index="speeder check", reason="no duration column (a variable with "
                    "role 'duration', or the platform's 所用时间 / Duration)")
        codes8 = [col_stats.get(c, {}).get("int8") for c in items_present]
        _careless(col, X, items_present, instrument, resp, ids, th, indices, flags, answered, item_answered,
                  complete, codes8)

    # ---------------- privacy
    pii = _privacy(col, df, ld, instrument, set(items_present), th)

    report = ValidationReport(
        file=str(path), instrument=instrument.id if instrument is not None else None, n_rows=n,
        n_respondents=n_resp, findings=col.findings, counts=dict(col.counts), read=ld.info,
        columns={c: m for c, m in ld.match.items()}, thresholds=th,
        # copy=False: the columns stay the arrays computed above (no consolidating copy)
        indices=pd.DataFrame(indices, index=df.index, copy=False) if indices else None,
        flags=pd.DataFrame({k: v.astype(np.int8) for k, v in flags.items()}, index=df.index,
                           copy=False) if flags else None,
        frame=df, pii_columns=pii)
    if clean is not None:
        from ..io.write import write_data
        out = clean_frame(report, keep_pii=keep_pii, instrument=instrument)
        write_data(out, clean, instrument=instrument, force=force, lang=lang)
        report.clean_file = str(clean)
    return report


def _rows_fixed(col, code, pos, column, raw, ids, th, **fields):
    import numpy as np
    if len(pos) == 0:
        return
    col.counts[code] += int(len(pos))
    for j, i in enumerate(np.asarray(pos)[: th.max_listed].tolist()):
        v = _fmt_value(raw[j])
        col.findings.append(finding(code, row=i + 1, column=column, respondent=None if ids is None else ids[i],
                                    value=v, **fields))
    if len(pos) > th.max_listed:
        col.add("more-findings", column=column, n=int(len(pos) - th.max_listed), of=code)


def _out_of_range(x, fmt, stats=None):
    """(mask of answers outside the format, description of what is allowed).

    For a Likert item, ``stats`` (a dict) also receives ``nan``, the number of missing
    answers, and ``int8``, the answers as int8 codes when every respondent gave a code
    in range and the scale fits (else None): what the careless indices read."""
    import numpy as np

    if fmt.type == "likert":
        # in row blocks that stay in the CPU cache (1,000,000 x 60 answers: 4x faster)
        bad = np.empty(x.size, bool)
        n_nan, any_bad = 0, False
        codes = np.empty(x.size, np.int8) if stats is not None and -128 <= fmt.min and fmt.max <= 127 else None
        for lo in range(0, x.size, 32_768):
            xb = x[lo:lo + 32_768]
            nn = np.isnan(xb)
            with np.errstate(invalid="ignore"):
                bb = ~nn & ((xb < fmt.min) | (xb > fmt.max) | (xb != np.rint(xb)))
            bad[lo:lo + 32_768] = bb
            if stats is not None:
                n_nan += int(np.count_nonzero(nn))
                if codes is not None:
                    if n_nan or bb.any():
                        any_bad, codes = True, None
                    else:
                        codes[lo:lo + 32_768] = xb
        if stats is not None:
            stats.update(nan=n_nan, int8=None if any_bad else codes)
        return bad, f"codes {int(fmt.min)}..{int(fmt.max)}"
    ok = ~np.isnan(x)
    if fmt.type in ("categorical", "ordinal") and fmt.labels:
        codes = []
        for c in fmt.labels:
            try:
                codes.append(float(c))
            except (TypeError, ValueError):
                pass
        if not codes:
            return None, ""
        return ok & ~np.isin(x, np.array(codes)), "codes " + ", ".join(f"{c:g}" for c in sorted(codes))
    if fmt.type == "boolean":
        return ok & ~np.isin(x, np.array([0.0, 1.0])), "0 (no) or 1 (yes)"
    if fmt.type == "numeric":
        lo = -np.inf if fmt.min is None else fmt.min
        hi = np.inf if fmt.max is None else fmt.max
        if fmt.min is None and fmt.max is None:
            return None, ""
        rng = f"{'' if fmt.min is None else f'{fmt.min:g}'}..{'' if fmt.max is None else f'{fmt.max:g}'}"
        return ok & ((x < lo) | (x > hi)), f"range {rng}"
    return None, ""


def _leaves(instrument, present):
    """Unidimensional blocks (facets, or scales without facets) with their present items."""
    out = []
    for s in instrument.scales:
        parts = s.facets if s.facets else (s,)
        for f in parts:
            ids = [i for i in f.item_ids if i in present]
            if ids:
                out.append((f.id, ids))
    return out


class _Recoded:
    """``a - x`` in float64, computed slice by slice: a reverse-keyed column for functions
    that only take row slices of their columns (``careless.even_odd``)."""

    __slots__ = ("a", "x", "size")

    def __init__(self, a, x):
        self.a, self.x, self.size = a, x, x.size

    def __getitem__(self, rows):
        import numpy as np

        return np.subtract(self.a, self.x[rows], dtype=np.float64)


def _reversed(X, items, resp, instrument, lazy=False):
    """Columns with reverse-keyed Likert items recoded (min + max - x); others shared.
    ``lazy``: recoded columns are :class:`_Recoded` views, for row-sliced use only."""
    out = []
    for j, c in enumerate(items):
        it = instrument.item(c)
        if it.reverse and it.response.is_likert:
            rec = _Recoded(it.response.min + it.response.max, X[j])
            out.append(rec if lazy else rec[:])
        else:
            out.append(X[j])
    return out


_INT8_CODES = True  # the int8 path for complete whole-number codes (tests compare it with the float path)


def _careless(col, X, items, instrument, resp, ids, th, indices, flags, answered, item_answered, complete=frozenset(),
              codes8=None):
    """Careless-response indices and item checks.

    The heavy, independent computations run in two threads at a time — numpy and BLAS
    release the GIL: even-odd consistency (and, with missing answers, the item-rest
    correlations) in a pool while longstring and the row moments run here; then
    Mahalanobis D², the longest, over two threads of its own. Findings are emitted
    afterwards, in a fixed order.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from . import careless as cl

    n, k = X[0].size, len(X)
    pos_of = {c: j for j, c in enumerate(items)}
    leaves = _leaves(instrument, set(items))
    careless = k >= th.min_items
    # complete data of whole-number Likert codes: the range check made int8 copies (see
    # _out_of_range); the indices read those, an eighth of the memory traffic, with the
    # same results (their sums are exact)
    if _INT8_CODES and codes8 and all(c8 is not None for c8 in codes8):
        X = codes8
    # no missing answer at all: the item-rest correlations follow from the covariance matrix
    # Mahalanobis D² needs anyway. D² is the same on reverse-recoded items (an affine map),
    # so it runs on the answers as given; recoding x -> a - x only flips the signs of the
    # covariances of the reverse-keyed items: S_R = D S D with D = diag(+-1).
    share_cov = careless and n > k + 1 and all(c in complete for c in items)
    sign = np.array([-1.0 if (instrument.item(c).reverse and instrument.item(c).response.is_likert) else 1.0
                     for c in items])
    cov = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        # reverse-keyed items recoded block by block inside even_odd (no full-length copies)
        R = _reversed(X, items, resp, instrument, lazy=True)
        blocks = [[R[pos_of[c]] for c in ids_] for _, ids_ in leaves if len(ids_) >= 2]
        if not share_cov:
            R = _reversed(X, items, resp, instrument)
        fut_rest = None if share_cov else pool.submit(_item_rest, R, items, instrument, complete=complete)
        do_eo = careless and len(blocks) >= max(2, th.even_odd_min_scales)
        fut_eo = pool.submit(cl.even_odd, blocks, max(2, th.even_odd_min_scales)) if do_eo else None
        if careless:
            enough = answered >= th.min_items
            ls, moments = cl.longstring_and_moments(X)
            ls[~enough] = np.nan
            v = cl.irv(X, th.min_items, moments=moments)
            if fut_eo is not None:
                fut_eo.result()
        # then the longest task alone, over two threads of its own (beside the others it
        # gains nothing on two cores)
        mah = cl.mahalanobis(X, cov_out=cov, workers=2) if careless else None
        if fut_rest is not None:
            rest = fut_rest.result()
        else:
            S_R = cov["S"] * np.outer(sign, sign) if cov.get("n") == n else None
            rest = _item_rest(R, items, instrument, S_all=S_R, complete=complete)
        eo = fut_eo.result() if fut_eo is not None else None
    if not careless:
        col.add("careless-skipped", index="careless-response indices",
                reason=f"only {k} item(s) in the data (need {th.min_items})")
    else:
        # longstring
        thr = th.longstring if th.longstring is not None else max(8, math.ceil(2 * k / 3))
        f = ~np.isnan(ls) & (ls >= thr)
        pos = np.flatnonzero(f)
        col.rows("longstring", pos, values=ls[pos], ids=ids, threshold=thr)
        indices["longstring"], flags["flag_longstring"] = ls, f
        # IRV
        f = ~np.isnan(v) & (v < th.irv)
        pos = np.flatnonzero(f)
        col.rows("low-irv", pos, values=v[pos], ids=ids, threshold=th.irv)
        indices["irv"], flags["flag_irv"] = v, f
        # Mahalanobis
        d2, nc, ok = mah
        if ok:
            cutoff = cl.chi2_ppf(1 - th.mahalanobis_alpha, k)  # qchisq(1 - alpha, k)
            f = ~np.isnan(d2) & (d2 > cutoff)
            pos = np.flatnonzero(f)
            if pos.size:
                p = [cl.chi2_sf(float(v), k) for v in d2[pos[: th.max_listed]]]  # pchisq(d2, k, lower = FALSE)
                col.counts["mahalanobis-outlier"] += int(pos.size)
                for j, i in enumerate(pos[: th.max_listed].tolist()):
                    col.findings.append(finding("mahalanobis-outlier", row=i + 1,
                                                respondent=None if ids is None else ids[i],
                                                value=float(d2[i]), cutoff=cutoff, df=k, p=float(p[j])))
                if pos.size > th.max_listed:
                    col.add("more-findings", n=int(pos.size - th.max_listed), of="mahalanobis-outlier")
            indices["mahalanobis_d2"], flags["flag_mahalanobis"] = d2, f
        else:
            col.add("careless-skipped", index="Mahalanobis D²",
                    reason=f"{nc} complete row(s) for {k} items, or a singular covariance matrix")
        # even-odd
        if eo is not None:
            r, m = eo
            f = ~np.isnan(r) & (r < th.even_odd)
            pos = np.flatnonzero(f)
            if pos.size:
                col.counts["even-odd-inconsistent"] += int(pos.size)
                for i in pos[: th.max_listed].tolist():
                    col.findings.append(finding("even-odd-inconsistent", row=i + 1,
                                                respondent=None if ids is None else ids[i], value=float(r[i]),
                                                threshold=th.even_odd, pairs=int(m[i])))
                if pos.size > th.max_listed:
                    col.add("more-findings", n=int(pos.size - th.max_listed), of="even-odd-inconsistent")
            indices["even_odd"], flags["flag_even_odd"] = r, f
        else:
            col.add("careless-skipped", index="even-odd consistency",
                    reason=f"needs at least {th.even_odd_min_scales} scales/facets with 2+ items in the data "
                    f"(found {len(blocks)})")
    _item_checks(col, X, items, instrument, resp, th, item_answered, rest)


def _item_checks(col, X, items, instrument, resp, th, item_answered, rest):
    import numpy as np

    n, k = X[0].size, len(X)
    share = 1.0 - item_answered / n
    for j, c in enumerate(items):
        if share[j] > th.item_missing:
            col.add("item-missing", column=c, value=float(share[j]), threshold=th.item_missing)
    for j, c in enumerate(items):
        if item_answered[j] >= 2:
            lo, hi = np.fmin.reduce(X[j]), np.fmax.reduce(X[j])  # NaN-ignoring, no copies
            if lo == hi:
                col.add("zero-variance", column=c, value=float(lo))
    for sid, iid, r in rest:
        if r < 0:
            it = instrument.item(iid)
            hint = (" — is it reverse-keyed? (not marked reverse)" if not it.reverse
                    else " — it is marked reverse: check the coding")
            col.add("negative-item-rest", column=iid, value=r, scale=sid, hint=hint)


def _item_rest(R, items, instrument, S_all=None, complete=None):
    """[(group id, item, r)]: correlation of each item with the mean of the other items of
    its facet (or of its scale when the facet has fewer than 3 items), reverse items
    recoded, over respondents who answered the item and at least one other."""
    import numpy as np

    n = R[0].size
    out = []
    # negative item-rest correlation within the item's facet (or its scale when the facet
    # has fewer than 3 items in the data), reverse-keyed items recoded
    pos_of = {c: j for j, c in enumerate(items)}
    groups = []
    for s in instrument.scales:
        small = []
        for f in (s.facets or (s,)):
            ids_ = [i for i in f.item_ids if i in pos_of]
            if len(ids_) >= 3:
                groups.append((f.id, ids_, ids_))
            else:
                small.extend(ids_)
        all_ids = [i for i in s.item_ids if i in pos_of]
        if small and len(all_ids) >= 3:
            groups.append((s.id, all_ids, small))
    for sid, ids_, report_ids in groups:
        cols = [R[pos_of[i]] for i in ids_]
        if all(i in complete for i in ids_) if complete is not None else all(not np.isnan(c.sum()) for c in cols):
            # no missing answer: every correlation follows from the group's covariance
            # matrix S: r_j = (sum_i S_ij - S_jj) / sqrt(S_jj * (1'S1 - 2 sum_i S_ij + S_jj))
            if S_all is not None:   # covariance of all (complete) rows, computed once
                ix = [pos_of[i] for i in ids_]
                S = S_all[np.ix_(ix, ix)]
            else:
                S = np.cov(np.stack(cols))
            g = len(ids_)
            row = S.sum(axis=1)
            tot_var = S.sum()
            for jj, iid in enumerate(ids_):
                if iid not in report_ids or n < 3:
                    continue
                cov_jr = row[jj] - S[jj, jj]
                var_r = tot_var - 2 * row[jj] + S[jj, jj]
                if S[jj, jj] <= 1e-12 or var_r <= 1e-12 * max(1.0, tot_var) or g < 2:
                    continue
                out.append((sid, iid, float(cov_jr / math.sqrt(S[jj, jj] * var_r))))
            continue
        tot = np.zeros(n)
        m = np.zeros(n, np.int32)
        for i in ids_:
            x = R[pos_of[i]]
            ok = ~np.isnan(x)
            m += ok
            tot += np.where(ok, x, 0.0)
        for iid in report_ids:
            x = R[pos_of[iid]]
            okx = ~np.isnan(x)
            mr = m - okx
            use = okx & (mr > 0)
            nu = int(use.sum())
            if nu < 3:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                a = np.where(use, x, 0.0)
                b = np.where(use, (tot - a) / mr, 0.0)
            sa, sb = a.sum(), b.sum()
            saa, sbb, sab = float(a @ a), float(b @ b), float(a @ b)
            va, vb = nu * saa - sa * sa, nu * sbb - sb * sb
            if va <= 1e-9 * max(1.0, nu * saa) or vb <= 1e-9 * max(1.0, nu * sbb):
                continue
            r = (nu * sab - sa * sb) / math.sqrt(va * vb)
            out.append((sid, iid, r))
    return out




def _privacy(col, df, ld, instrument, items, th):
    import pandas as pd

    found = []
    var_pii = {v.id for v in instrument.variables if v.pii} if instrument is not None else set()
    check_ids = {a.id for a in instrument.attention_checks} if instrument is not None else set()
    resp = instrument.responses() if instrument is not None else {}
    for c in df.columns:
        if c in items or c in check_ids:
            continue
        fmt = resp.get(c)
        if fmt is not None and fmt.type in ("likert", "categorical", "ordinal", "boolean") and c not in var_pii:
            continue
        kind = None
        if c in var_pii:
            kind = "marked pii in the instrument"
        plat = ld.platform.get(c)
        if kind is None and plat is not None and plat[0] == "pii":
            kind = plat[1]
        if kind is None:
            hn = re.sub(r"[\W_]+", "", str(c)).casefold()
            kind = _PII_HEADER_MAP.get(hn)
            if kind == "name" and fmt is not None and fmt.type in ("id",):
                kind = None
        if kind is None:
            s = df[c]
            if pd.api.types.is_float_dtype(s):
                nn = s.dropna()
                if len(nn) and (nn.abs() >= 1e10).any() and bool(((nn % 1) == 0).all()):
                    s = nn.astype("int64")
                else:
                    continue
            elif pd.api.types.is_integer_dtype(s):
                if not (s.abs() >= 10 ** 10).any():
                    continue
            elif pd.api.types.is_bool_dtype(s):
                continue
            sample = s.dropna()
            if len(sample) > 2000:
                sample = sample.iloc[:2000]
            if len(sample):
                kind = _pii_kind_of_values(sample.astype(str))
        if kind is not None:
            found.append(c)
            col.add("pii-column", column=c, kind=kind)
    return found


def clean_frame(report: ValidationReport, *, keep_pii: bool = False, instrument=None):
    """The data to write with ``--clean``: codes normalised (whole-number codes as
    integers), reverse-keyed items untouched, PII columns dropped unless ``keep_pii``, and
    the 0/1 flag columns of :data:`FLAG_COLUMNS` plus ``flag_count``."""
    import numpy as np
    import pandas as pd

    df = report.frame
    out = df.drop(columns=[c for c in report.pii_columns if c in df.columns]) if not keep_pii else df.copy()
    if out is df:
        out = df.copy()
    resp = instrument.responses() if instrument is not None else {}
    for c in out.columns:
        fmt = resp.get(c)
        if fmt is not None and fmt.type in ("likert", "categorical", "ordinal", "boolean") and \
                pd.api.types.is_float_dtype(out[c]):
            s = out[c]
            if bool(((s.dropna() % 1) == 0).all()):
                out[c] = s.astype("Int64")
    n = len(out)
    total = np.zeros(n, np.int64)
    for name in FLAG_COLUMNS:
        if report.flags is not None and name in report.flags.columns:
            v = report.flags[name].to_numpy().astype(np.int8)
        else:
            v = np.zeros(n, np.int8)
        out[name] = v
        total += v
    out["flag_count"] = total
    return out
