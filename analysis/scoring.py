"""Scale and facet scores from item responses.

Reverse-keyed items are recoded as (min + max - x) at scoring time; a score is the mean
(or sum) of the answered items, given only when at least ``min_items`` (a fraction) of the
scale's items are answered.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["reverse_coded", "item_matrix", "score_frame", "ScoreResult"]


def reverse_coded(data, instrument, items=None):
    """Frame of the instrument's item columns with reverse-keyed items recoded."""
    items = items if items is not None else [i.id for i in instrument.items if i.id in data.columns]
    out = data[items].astype(float).copy()
    for iid in items:
        it = instrument.item(iid)
        if it.reverse and it.response.is_likert:
            out[iid] = it.response.min + it.response.max - out[iid]
    return out


def item_matrix(data, instrument, scale_id, reverse: bool = True):
    """Items of one scale or facet as a float frame (reverse items recoded by default)."""
    from .errors import AvoidSurveyError

    try:
        s = instrument.scale(scale_id)
    except KeyError:
        raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{scale_id}'") from None
    missing = [i for i in s.item_ids if i not in data.columns]
    if missing:
        raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(missing)} of scale '{scale_id}'",
                               column=missing[0])
    if reverse:
        return reverse_coded(data, instrument, s.item_ids)
    return data[s.item_ids].astype(float).copy()


@dataclass
class ScoreResult:
    scores: object               # DataFrame: one column per scale/facet, plus <id>_n
    method: str = "mean"
    min_items: float = 0.8
    warnings: list = field(default_factory=list)


def score_frame(data, instrument, *, method: str = "mean", min_items: float = 0.8, scales=None) -> ScoreResult:
    """Score every scale and facet whose items are all present in ``data``.

    Returns a ScoreResult whose ``scores`` frame has, per scale/facet id, the score and
    ``<id>_n`` (number of items answered). Scales with missing columns are skipped with a
    warning.
    """
    import numpy as np
    import pandas as pd

    if method not in ("mean", "sum"):
        raise ValueError("method must be 'mean' or 'sum'")
    cols = {}
    warns = []
    for s in instrument.all_scales():
        if scales is not None and s.id not in scales:
            continue
        present = [i for i in s.item_ids if i in data.columns]
        if len(present) < len(s.item_ids):
            if present or scales is not None:
                warns.append(f"scale '{s.id}' not scored: missing item column(s) "
                             f"{', '.join(i for i in s.item_ids if i not in data.columns)}")
            continue
        x = reverse_coded(data, instrument, s.item_ids)
        n = x.notna().sum(axis=1)
        k = len(s.item_ids)
        enough = n >= np.ceil(min_items * k - 1e-9)
        val = x.mean(axis=1) if method == "mean" else x.mean(axis=1) * k
        cols[s.id] = val.where(enough & (n > 0))
        cols[f"{s.id}_n"] = n.astype(int)
    return ScoreResult(pd.DataFrame(cols, index=data.index), method, min_items, warns)
