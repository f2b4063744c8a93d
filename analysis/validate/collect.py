"""Collecting findings: every check adds to one :class:`Collector`, which counts every
finding of a code and lists at most ``max_listed`` per (code, column) (the rest are
summed up in one ``more-findings``), so a million flagged rows cost a count, not a
million objects."""
from __future__ import annotations

from collections import Counter

from ..core.findings import Finding, finding

__all__ = ["Collector", "Ids", "short"]


class Collector:
    """The findings of one validation run and the count of every code."""

    def __init__(self, max_listed: int):
        self.findings: list[Finding] = []
        self.counts: Counter = Counter()
        self.max_listed = max_listed

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

    def cells(self, code, pos, column, raw, ids, **fields):
        """One finding per cell at row positions ``pos`` whose text is ``raw`` (shortened)."""
        import numpy as np

        if len(pos) == 0:
            return
        self.counts[code] += int(len(pos))
        for j, i in enumerate(np.asarray(pos)[: self.max_listed].tolist()):
            self.findings.append(finding(code, row=i + 1, column=column,
                                         respondent=None if ids is None else ids[i], value=_fmt_value(raw[j]),
                                         **fields))
        if len(pos) > self.max_listed:
            self.add("more-findings", column=column, n=int(len(pos) - self.max_listed), of=code)

    def listed(self, code, pos, make, column=None):
        """``make(i)`` -> the finding of row position i, for at most max_listed of ``pos``
        (findings whose fields differ row by row); the rest counted in ``more-findings``."""
        if pos.size == 0:
            return
        self.counts[code] += int(pos.size)
        for i in pos[: self.max_listed].tolist():
            self.findings.append(make(i))
        if pos.size > self.max_listed:
            self.add("more-findings", column=column, n=int(pos.size - self.max_listed), of=code)


class Ids:
    """Respondent ids looked up only for the rows that get a finding."""

    def __init__(self, series):
        self._s = series
        import numpy as np

        dt = getattr(series, "dtype", None)
        # plain numpy numbers: read from the array (the same values as .iat, 20x faster)
        self._a = series.to_numpy() if isinstance(dt, np.dtype) and dt.kind in "iuf" else None

    def __getitem__(self, i):
        v = self._s.iat[int(i)] if self._a is None else self._a[int(i)]
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
    return v.item() if isinstance(v, np.generic) else v


def _fmt_value(v) -> str:
    s = str(v)
    s = " ".join(s.split())
    return s[:40] + ("…" if len(s) > 40 else "")


def short(s: str, n: int) -> str:
    """``s`` on one line, cut to ``n`` characters with an ellipsis."""
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"
