"""Structure checks: is the file the table the instrument describes?

``no-instrument``, ``duplicate-column``, ``ragged-row``, ``header-only``,
``unknown-column``, ``platform-column``, ``column-renamed``, ``missing-column``,
``missing-optional-column``, ``missing-variables``.
"""
from __future__ import annotations

from ..core.findings import finding
from .collect import Collector, short

__all__ = ["check_structure", "check_columns"]

_PLATFORM_NAMES = {"wenjuanxing": "Wenjuanxing (问卷星)"}


def check_structure(col: Collector, ld, instrument, n: int) -> None:
    """What the reader recorded about the file's shape and its headers."""
    df = ld.frame
    if instrument is None:
        col.add("no-instrument")
    for nm, pos in ld.duplicates:
        col.add("duplicate-column", column=nm, n=len(pos), positions=", ".join(map(str, pos)))
    if ld.ragged:
        col.counts["ragged-row"] += len(ld.ragged)   # the message carries each row's field count
        for r, f in ld.ragged[: col.max_listed]:
            col.findings.append(finding("ragged-row", row=r, value=f, n=f, k=ld.n_fields))
        if len(ld.ragged) > col.max_listed:
            col.add("more-findings", n=len(ld.ragged) - col.max_listed, of="ragged-row")
    if n == 0:
        col.add("header-only")
    for c in ld.unmatched:
        if c not in ld.platform:
            col.add("unknown-column", column=c)
    for c, (kind, what, plat) in ld.platform.items():
        if kind == "pii" or (c not in df.columns):
            continue
        extra = "; used as the duration" if kind == "duration" else ""
        col.add("platform-column", column=c, platform=_PLATFORM_NAMES.get(plat, plat.title()), what=what,
                extra=extra)
    for c, m in ld.match.items():
        if m["how"] in ("text", "alias", "mapping", "platform") and m["header"] != c:
            col.add("column-renamed", column=c, header=short(m["header"], 60), how=m["how"])


def check_columns(col: Collector, df, instrument, dup_names) -> list[str]:
    """Instrument columns missing from the data; returns the items present, in
    questionnaire order."""
    items_present: list[str] = []
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
    return items_present
