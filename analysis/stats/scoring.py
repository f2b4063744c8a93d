"""Scale and facet scores from item responses.

Reverse-keyed items are recoded as (min + max - x) at scoring time; a score is the mean
(or the prorated sum) of the answered items, given only when at least ``min_items`` (a
fraction) of the scale's items are answered. A scale with facets is scored over all its
items (default) or, with ``second_order="facets"``, as the mean of its facet scores.

:func:`score_frame` is the library function other analyses call; :func:`score_file` is
what ``avoid-survey score`` runs (read, score, optionally aggregate to units, write).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .results import fields_dict
from ..core.errors import AvoidSurveyError, AvoidSurveyWarning, warn

__all__ = ["reverse_coded", "item_matrix", "score_frame", "ScoreResult", "score_file", "ScoreRun",
           "needed_items"]


def reverse_coded(data, instrument, items=None):
    """Frame of the instrument's item columns with reverse-keyed items recoded (min + max - x)."""
    items = items if items is not None else [i.id for i in instrument.items if i.id in data.columns]
    out = data[items].astype(float).copy()
    for iid in items:
        it = instrument.item(iid)
        if it.reverse and it.response.is_likert:
            out[iid] = it.response.min + it.response.max - out[iid]
    return out


def _scale_in(data, instrument, scale_id):
    """The scale or facet ``scale_id``, once every one of its items is a column of ``data``."""
    try:
        s = instrument.scale(scale_id)
    except KeyError:
        raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{scale_id}'") from None
    missing = [i for i in s.item_ids if i not in data.columns]
    if missing:
        raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(missing)} of scale '{scale_id}'",
                               column=missing[0])
    return s


def item_matrix(data, instrument, scale_id, reverse: bool = True):
    """Items of one scale or facet as a float frame (reverse items recoded by default)."""
    s = _scale_in(data, instrument, scale_id)
    try:
        if reverse:
            return reverse_coded(data, instrument, s.item_ids)
        return data[s.item_ids].astype(float).copy()
    except (TypeError, ValueError) as exc:
        raise AvoidSurveyError(f"items of scale '{scale_id}' are not numeric codes ({' '.join(str(exc).split())[:120]})") from None


def item_array(data, instrument, scale_id):
    """:func:`item_matrix` (reverse items recoded) as a float array, for a pandas frame or
    an :class:`~avoid_survey.analysis.io.NumericFrame` (a plain numeric CSV read without
    pandas): the same numbers either way."""
    import numpy as np

    if not hasattr(data, "matrix"):
        return item_matrix(data, instrument, scale_id).to_numpy(dtype=float, na_value=np.nan)
    s = _scale_in(data, instrument, scale_id)
    X = np.array(data.matrix(s.item_ids), dtype=float)
    for j, iid in enumerate(s.item_ids):
        it = instrument.item(iid)
        if it.reverse and it.response.is_likert:
            X[:, j] = it.response.min + it.response.max - X[:, j]
    return X


def needed_items(k: int, min_items: float) -> int:
    """Items a respondent must answer for a score: ceil(min_items * k), at least 1.

    E.g. 0.8 of 3 items -> 3, of 4 -> 4, of 5 -> 4, of 10 -> 8.
    """
    return max(1, int(math.ceil(min_items * k - 1e-9)))


@dataclass(frozen=True)
class ScoreResult:
    """Scores (a frame: per scale/facet id the score and ``<id>_n``, items answered)."""

    scores: object               # DataFrame: one column per scale/facet, plus <id>_n
    method: str = "mean"
    min_items: float = 0.8
    warnings: list = field(default_factory=list)
    second_order: str = "items"
    scales: list = field(default_factory=list)   # ids scored, parents first

    def summary(self, instrument=None) -> list[dict]:
        """Per scale: k, respondents scored, mean, sd, min, max of the score."""
        out = []
        for sid in self.scales:
            col = self.scores[sid]
            k = None
            label = None
            if instrument is not None:
                s = instrument.scale(sid)
                k, label = len(s.item_ids), dict(s.label or {})
            out.append({"scale": sid, "label": label, "k": k, "n_scored": int(col.notna().sum()),
                        "n_missing": int(col.isna().sum()),
                        "mean": float(col.mean()), "sd": float(col.std(ddof=1)),
                        "min": float(col.min()), "max": float(col.max())})
        return out


def score_frame(data, instrument, *, method: str = "mean", min_items: float = 0.8, scales=None,
                second_order: str = "items") -> ScoreResult:
    """Score every scale and facet whose items are all present in ``data``.

    Parameters
    ----------
    data : DataFrame with item columns as numeric codes (``io.read_data``). Not modified.
    instrument : Instrument
    method : {'mean', 'sum'}
        'mean' of the answered items (default), or 'sum' prorated to all k items
        (mean of answered x k), so respondents with an allowed missing item stay comparable.
    min_items : float in (0, 1]
        Fraction of a scale's items that must be answered: ceil(min_items * k) items.
    scales : ids to score (their facets are not added); default all scales and facets.
    second_order : {'items', 'facets'}
        How a scale with facets is scored: over all its items (default; the same as a
        scale without facets), or as the mean (sum) of its facet scores, given when at
        least ceil(min_items * #facets) facet scores exist. ``<id>_n`` is always the
        number of items answered.

    Returns
    -------
    ScoreResult whose ``scores`` frame has, per scale/facet id, the score and ``<id>_n``.
    Scales with missing columns are skipped with a warning (an error when asked for by id).

    Notes
    -----
    With reverse items recoded as min + max - x, score = mean of answered items when
    answered >= ceil(min_items * k), else missing. ``psych::scoreItems(keys, x,
    impute = "none", min = , max = )`` gives the same means when min_items is small enough
    that any answered item suffices.
    """
    import pandas as pd

    if method not in ("mean", "sum"):
        raise AvoidSurveyError(f"--method must be 'mean' or 'sum', not '{method}'")
    if second_order not in ("items", "facets"):
        raise AvoidSurveyError(f"second-order scoring must be 'items' or 'facets', not '{second_order}'")
    try:
        min_items = float(min_items)
    except (TypeError, ValueError):
        raise AvoidSurveyError(f"--min-items must be a fraction between 0 and 1, not '{min_items}'") from None
    if not (0 < min_items <= 1):
        raise AvoidSurveyError(f"--min-items must be a fraction in (0, 1], not {min_items:g}")
    known = [s.id for s in instrument.all_scales()]
    if scales is not None:
        bad = [s for s in scales if s not in known]
        if bad:
            raise AvoidSurveyError(f"instrument '{instrument.id}' has no scale or facet '{bad[0]}' "
                                   f"(it has: {', '.join(known)})")
    cols: dict = {}
    warns: list = []
    done: list = []
    todo = [s for s in instrument.all_scales() if scales is None or s.id in scales]
    # facets before parents, so second-order 'facets' can use them; output keeps parents first
    order = sorted(todo, key=lambda s: 0 if s.parent else 1)
    for s in order:
        present = [i for i in s.item_ids if i in data.columns]
        if len(present) < len(s.item_ids):
            if scales is not None:
                miss = [i for i in s.item_ids if i not in data.columns]
                raise AvoidSurveyError(f"cannot score '{s.id}': the data lack item column(s) {', '.join(miss)}",
                                       column=miss[0])
            if present and not s.optional:
                warn(f"scale '{s.id}' not scored: missing item column(s) "
                     f"{', '.join(i for i in s.item_ids if i not in data.columns)}", AvoidSurveyWarning, sink=warns)
            continue
        x = item_matrix(data, instrument, s.id)
        n = x.notna().sum(axis=1)
        k = len(s.item_ids)
        enough = n >= needed_items(k, min_items)
        if s.facets and second_order == "facets":
            fids = [f.id for f in s.facets]
            if all(f in cols for f in fids):
                fs = pd.DataFrame({f: cols[f] for f in fids})
                nf = fs.notna().sum(axis=1)
                val = fs.mean(axis=1) if method == "mean" else fs.mean(axis=1) * len(fids)
                cols[s.id] = val.where(nf >= needed_items(len(fids), min_items))
            else:
                facet_x = [item_matrix(data, instrument, f) for f in fids]
                fm = pd.DataFrame({f: fx.mean(axis=1).where(fx.notna().sum(axis=1) >= needed_items(fx.shape[1], min_items))
                                   * (1 if method == "mean" else fx.shape[1]) for f, fx in zip(fids, facet_x)})
                nf = fm.notna().sum(axis=1)
                val = fm.mean(axis=1) if method == "mean" else fm.mean(axis=1) * len(fids)
                cols[s.id] = val.where(nf >= needed_items(len(fids), min_items))
        else:
            val = x.mean(axis=1) if method == "mean" else x.mean(axis=1) * k
            cols[s.id] = val.where(enough & (n > 0)).astype(float)
        cols[f"{s.id}_n"] = n.astype(int)
        done.append(s.id)
    ordered = [s.id for s in todo if s.id in done]
    frame = pd.DataFrame({c: cols[c] for sid in ordered for c in (sid, f"{sid}_n")}, index=data.index)
    if not ordered and scales is None:
        warn(f"no scale of instrument '{instrument.id}' has all its items in the data", AvoidSurveyWarning, sink=warns)
    return ScoreResult(frame, method, min_items, warns, second_order, ordered)


# ----------------------------------------------------------------- the score command
@dataclass(frozen=True)
class ScoreRun:
    """What ``avoid-survey score`` did: files written, per-scale summary, aggregation."""

    file: str
    out: str
    instrument: str
    method: str
    min_items: float
    second_order: str
    n_rows: int
    scales: list
    aggregate: object = None          # AggregateResult or None
    agreement_file: str | None = None
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return fields_dict(self)

    def to_tables(self, lang: str = "en") -> list:
        """Score summary (and aggregation) tables (:mod:`avoid_survey.analysis.tables.scoring`)."""
        from ..tables.scoring import score_tables

        return score_tables(self, lang)


def _agreement_path(out):
    from pathlib import Path
    p = Path(out)
    return p.with_name(f"{p.stem}_agreement{p.suffix}")


def score_file(data, instrument, out, *, method: str = "mean", min_items: float = 0.8, scales=None,
               second_order: str = "items", aggregate: str | None = None, force: bool = False,
               lang: str = "zh") -> ScoreRun:
    """Read ``data``, score it and write ``out`` (format by extension: csv with BOM, xlsx,
    sav, dta, parquet). Without ``aggregate`` the file is the data with the score columns
    appended (existing columns of the same name are replaced). With ``aggregate=COL``
    the file holds one row per unit of COL (unit means of every score) and a second file
    ``<out stem>_agreement<ext>`` holds ICC(1), ICC(2) and r_wg(j) per scale."""
    from avoid_survey.instruments import load_instrument
    from ..io.write import write_data
    from ..io import read
    from ..io.output import check_output

    inst = load_instrument(instrument)
    check_output(out, force)
    agree_path = None
    if aggregate:
        agree_path = _agreement_path(out)
        check_output(agree_path, force)
    df = read(data, inst)
    res = score_frame(df, inst, method=method, min_items=min_items, scales=scales, second_order=second_order)
    if not res.scales:
        raise AvoidSurveyError(f"none of the scales of instrument '{inst.id}' has all its items in the data",
                               file=data)
    warns = list(res.warnings)
    agg = None
    if aggregate:
        from .aggregate import aggregate_units
        agg = aggregate_units(df, res, inst, aggregate)
        warns.extend(agg.warnings)
        write_data(agg.units, out, instrument=inst, force=force, lang=lang)
        write_data(agg.stats_frame(), agree_path, instrument=None, force=force, lang=lang)
    else:
        clash = [c for c in res.scores.columns if c in df.columns]
        if clash:
            warn(f"the data already had column(s) {', '.join(clash[:5])}{'...' if len(clash) > 5 else ''}; "
                 f"replaced by the new scores", AvoidSurveyWarning, sink=warns)
        merged = df.drop(columns=clash).join(res.scores)
        write_data(merged, out, instrument=inst, force=force, lang=lang)
    return ScoreRun(file=str(data), out=str(out), instrument=inst.id, method=res.method, min_items=res.min_items,
                    second_order=res.second_order, n_rows=int(len(df)), scales=res.summary(inst), aggregate=agg,
                    agreement_file=None if agree_path is None else str(agree_path), warnings=warns)
