"""The steps of an exclusion flow (what the screening of a read file removed, step by step),
kept apart from :mod:`.screening` so that a plain numeric file read without pandas (where
no rule removes a row) states its flow without loading the screening rules."""
from __future__ import annotations

__all__ = ["add_out_of_range", "unscreened_flow"]


def _step(step, rule, removed, remaining, **extra):
    d = {"step": step, "rule": rule, "n_removed": int(removed), "n_remaining": int(remaining)}
    d.update(extra)
    return d


def unscreened_flow(n: int, columns, instrument, cfg=None, n_out_of_range: int = 0) -> list:
    """The flow :func:`screen` gives for ``n`` rows of which no rule removes any (a plain
    numeric file read without pandas: no empty cell, no repeated id): the same steps and
    rule texts, zero removed."""
    duplicates = "id" if cfg is None else cfg.duplicates     # Screening's default
    cols = set(columns)
    items = [] if instrument is None else [i.id for i in instrument.items if i.id in cols]
    flow = [_step("received", "rows in the file", 0, n),
            _step("blank", "no item answered" if items or (instrument is not None and any(
                a.id in cols for a in instrument.attention_checks)) else "every cell empty", 0, n)]
    if duplicates in ("id", "both"):
        flow.append(_step("duplicate_id", "respondent id seen before (first kept)", 0, n))
    if duplicates in ("answers", "both") and items:
        flow.append(_step("duplicate_answers", "same answers to every item as an earlier row", 0, n))
    flow.append(_step("analysed", "rows analysed", 0, n))
    return add_out_of_range(flow, n_out_of_range)


def add_out_of_range(flow, n_cells: int) -> list:
    """The flow with an ``out_of_range`` step (cells set to missing) before ``analysed``."""
    if not n_cells:
        return flow
    last = flow[-1]
    step = _step("out_of_range", "codes outside the response scale set to missing", 0, last["n_remaining"],
                 n_cells=int(n_cells))
    return [*flow[:-1], step, last]
