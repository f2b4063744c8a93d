"""CSV: full-precision numbers, a ``# title`` line between tables, formula-safe text cells."""
from __future__ import annotations

import csv
import io
import math

from ..core.table import Table, fmt_number
from ..core.textsafe import formula_safe
from .common import label as _label

__all__ = ["render_csv", "csv_safe"]


def csv_safe(s: str) -> str:
    """Cells that a spreadsheet would run as a formula get a leading apostrophe.
    Plain negative numbers are left alone."""
    return formula_safe(s)


def render_csv(tables: list[Table], lang: str = "en", decimals: int = 3) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for k, t in enumerate(tables):
        if len(tables) > 1:
            if k:
                w.writerow([])
            w.writerow([csv_safe("# " + t.title_text(lang))])
        w.writerow([csv_safe(c.text(lang)) for c in t.columns])
        for i in range(len(t.rows)):
            if i in t.row_sections:
                w.writerow([csv_safe(_label(t.row_sections[i], lang))] + [""] * (len(t.columns) - 1))
            row = []
            for j in range(len(t.columns)):
                c = t.cell(i, j)
                v = c.value
                if c.kind == "ci" and v is not None:
                    ok = all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
                    row.append(f"[{float(v[0])!r}, {float(v[1])!r}]" if ok else "")
                elif isinstance(v, float):
                    row.append(repr(v) if math.isfinite(v) else "")
                elif isinstance(v, int) and not isinstance(v, bool):
                    row.append(str(v))
                else:
                    row.append(csv_safe(fmt_number(c, decimals, lang)))
            w.writerow(row)
    return buf.getvalue()
