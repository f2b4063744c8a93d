"""The one-line hint that ordinal items might be analysed as ordinal.

When every analysed item holds whole-number answers with at most 7 distinct categories
(Likert items), ``cfa``, ``reliability`` and ``efa`` print one line on stderr suggesting
their ordinal option, with each item's skewness (SPSS / ``psych::describe(type = 2)`` G1,
as :func:`~.describe.moments`). The line goes to stderr so ``--format json`` stays one
document and the JSON is unchanged.
"""
from __future__ import annotations

import math

__all__ = ["ordinal_hint", "hint_line", "item_matrix", "MAX_CATEGORIES", "OPTIONS"]

MAX_CATEGORIES = 7

# the option each command suggests
OPTIONS = {
    "reliability": "avoid-survey reliability --ordinal",
    "efa": "avoid-survey efa --cor polychoric",
    "cfa": "avoid-survey cfa --estimator wlsmv --ordered all",
}


def item_matrix(frame, items):
    """(n, k) float matrix of the named columns of a pandas frame or a NumericFrame."""
    import numpy as np

    if hasattr(frame, "matrix") and not hasattr(frame, "iloc"):
        return np.asarray(frame.matrix(list(items)), dtype=float)
    cols = []
    for c in items:
        try:
            cols.append(np.asarray(frame[c], dtype=float))
        except (TypeError, ValueError):
            return None
    return np.column_stack(cols) if cols else None


def ordinal_hint(X, items, max_categories: int = MAX_CATEGORIES) -> dict | None:
    """``{"max_categories": k, "skewness": {item: G1}}`` when every column of ``X`` holds
    whole numbers with 2..``max_categories`` distinct values; else None."""
    import numpy as np

    if X is None or X.ndim != 2 or X.shape[1] == 0:
        return None
    from .describe import moments

    kmax = 0
    skew = {}
    for j, it in enumerate(items):
        v = X[:, j]
        v = v[~np.isnan(v)]
        if v.size < 3 or not np.all(v == np.round(v)):
            return None
        k = len(np.unique(v))
        if not 2 <= k <= max_categories:
            return None
        kmax = max(kmax, k)
        skew[str(it)] = moments(v)["skewness"]
    return {"max_categories": kmax, "skewness": skew}


def hint_line(hint: dict, command: str, lang: str = "en", show: int = 12) -> str:
    """The hint as one line in ``lang``: each item's skewness, or with more than ``show``
    items the ``show`` most skewed (by |skewness|) and how many more there are."""
    from ..core.i18n import tr

    sep = tr("st_list_sep", lang)
    items = list(hint["skewness"].items())
    if len(items) > show:
        items = sorted(items, key=lambda kv: -abs(kv[1]) if math.isfinite(kv[1]) else 0.0)[:show]
    skew = sep.join(f"{it} {v:.2f}" if math.isfinite(v) else f"{it} -" for it, v in items)
    if len(hint["skewness"]) > show:
        skew += sep + tr("ord_hint_more", lang).format(n=len(hint["skewness"]) - show)
    return tr("ord_hint", lang).format(k=hint["max_categories"], skew=skew, options=OPTIONS[command])
