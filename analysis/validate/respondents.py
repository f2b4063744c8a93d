"""Respondent checks: ``duplicate-respondent`` (error); ``empty-row``,
``respondent-missing``, ``attention-failed``, ``speeder`` (warnings). The careless-response
indices are in :mod:`.indices`."""
from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import AvoidSurveyError
from ..core.findings import finding
from .collect import Collector, Ids

__all__ = ["respondent_ids", "Answers", "answer_matrix", "check_answered", "check_attention", "check_speeders"]


def respondent_ids(col: Collector, df, instrument, id_column, dup_names, path):
    """(ids looked up per finding or None, number of distinct respondents); duplicate ids
    are findings. ``id_column`` default: the instrument's id variable."""
    import numpy as np
    import pandas as pd

    n = int(df.shape[0])
    idc = id_column
    if idc is not None and idc not in df.columns:
        raise AvoidSurveyError(f"no column '{idc}' in the data (columns: {', '.join(map(str, df.columns[:12]))}"
                               f"{'...' if df.shape[1] > 12 else ''})", file=path, column=idc)
    if idc is None and instrument is not None:
        cand = instrument.id_column()
        if cand in df.columns and cand not in dup_names:
            idc = cand
    if idc is None or not n:
        return None, n
    sid = df[idc]   # integer or text ids, compared as they are
    ids = Ids(sid)
    present = sid.notna().to_numpy()
    dup = sid.duplicated(keep="first").to_numpy() & present   # every occurrence after the first
    if dup.any():
        key = sid.to_numpy(dtype=object, na_value=None)
        first = pd.Series(np.arange(n)).groupby(key, dropna=True).transform("min").to_numpy()
        col.listed("duplicate-respondent", np.flatnonzero(dup), column=idc,
                   make=lambda i: finding("duplicate-respondent", row=i + 1, column=idc, respondent=ids[i],
                                          id=ids[i], first=int(first[i]) + 1))
    return ids, int(present.sum() - dup.sum())


@dataclass(frozen=True)
class Answers:
    """The item answers the respondent, index and item checks read.

    X : one float column per item present (questionnaire order), out-of-range codes as NaN;
        the frame's int8 codes instead when every item was read so and is complete and in range
    answered : items answered per respondent; item_answered : respondents per item
    complete : items with a code from every respondent
    """

    X: list
    answered: object
    item_answered: object
    complete: frozenset


def answer_matrix(df, items, oor, bad_cells, col_stats) -> Answers:
    """The answers of ``items``; a cell holding text that is not a code counts as
    answered, an out-of-range code enters no statistic."""
    import numpy as np

    n = int(df.shape[0])
    if all(col_stats.get(c, {}).get("int8") is not None and c not in oor and c not in bad_cells for c in items):
        # every answer a code in range, read as int8 codes (a large CSV): those are the answers
        return Answers([col_stats[c]["int8"] for c in items], np.full(n, len(items), np.int32),
                       np.full(len(items), n, np.int64), frozenset(items))
    X = [df[c].to_numpy(dtype=float, na_value=np.nan) for c in items]   # the frame is not modified
    answered = np.zeros(n, np.int32)
    item_answered = np.zeros(len(X), np.int64)
    complete = set()
    n_complete = 0
    for j, c in enumerate(items):
        if col_stats.get(c, {}).get("nan") == 0 and c not in oor and c not in bad_cells:
            complete.add(c)        # known from the range check: no per-row work
            n_complete += 1
            item_answered[j] = n
            continue
        ok = ~np.isnan(X[j])
        if c not in oor and c not in bad_cells and ok.all():
            complete.add(c)
        if c in bad_cells:  # answered, but not with a code: not "unanswered"
            ok = ok.copy()
            ok[bad_cells[c][0]] = True
        answered += ok
        item_answered[j] = int(ok.sum())
        if c in oor:
            X[j] = np.where(oor[c], np.nan, X[j])
    answered += n_complete
    return Answers(X, answered, item_answered, frozenset(complete))


def check_answered(col: Collector, ans: Answers, ids, th, flags) -> None:
    """Rows with no item answered, and respondents leaving more than the threshold share."""
    import numpy as np

    k = len(ans.X)
    empty = ans.answered == 0
    col.rows("empty-row", np.flatnonzero(empty), ids=ids, what="item")
    share = 1.0 - ans.answered / k
    miss = (share > th.respondent_missing) & ~empty
    col.rows("respondent-missing", np.flatnonzero(miss), values=share[miss], ids=ids,
             threshold=th.respondent_missing)
    flags["flag_missing"] = miss


def check_attention(col: Collector, df, instrument, ids, dup_names, flags) -> None:
    """Attention checks answered with anything but the expected code."""
    import numpy as np

    att_fail = np.zeros(int(df.shape[0]), bool)
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


def check_speeders(col: Collector, ld, instrument, k: int, ids, th, dup_names, flags, indices) -> None:
    """Respondents faster than ``seconds_per_item`` x questions (or ``min_duration``)."""
    import numpy as np
    import pandas as pd

    df = ld.frame
    dur_col = next((v.id for v in instrument.variables if v.role == "duration" and v.id in df.columns), None)
    if dur_col is None:
        dur_col = next((c for c, p in ld.platform.items() if p[0] == "duration" and c in df.columns), None)
    if dur_col is None or dur_col in dup_names:
        col.add("careless-skipped", index="speeder check", reason="no duration column (a variable with "
                "role 'duration', or the platform's 所用时间 / Duration)")
        return
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
