"""CSV: numbers rounded to ``--decimals`` (and left as plain numbers: no stars, no
parentheses, so a spreadsheet reads them as numbers; ``--format json`` keeps full
precision), a ``# title`` line between tables, formula-safe text cells."""
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


def _num(v, d: int) -> str:
    """``v`` with ``d`` decimals; never "-0.000"."""
    s = f"{float(v):.{d}f}"
    return s[1:] if s.startswith("-") and not s.strip("-0.") else s


def _p(v: float, d: int) -> str:
    """A p value with at least three decimals; one too small to show there in scientific
    notation (still a number to a spreadsheet, never a misleading 0.000)."""
    d = max(d, 3)
    return f"{v:.1e}" if 0 < v < 0.5 * 10 ** -d else _num(v, d)


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
                d = c.decimals if c.decimals is not None else decimals
                if c.kind == "ci" and v is not None:
                    ok = all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
                    row.append(f"[{_num(v[0], d)}, {_num(v[1], d)}]" if ok else "")
                elif isinstance(v, float) and c.kind == "p" and math.isfinite(v):
                    row.append(_p(v, d))
                elif isinstance(v, float):
                    row.append(_num(v, d) if math.isfinite(v) else "")
                elif isinstance(v, int) and not isinstance(v, bool):
                    row.append(str(v))
                else:
                    row.append(csv_safe(fmt_number(c, decimals, lang)))
            w.writerow(row)
    return buf.getvalue()
