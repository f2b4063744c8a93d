"""Item checks: ``item-missing``, ``zero-variance``, ``negative-item-rest`` (warnings)."""
from __future__ import annotations

import math

from .collect import Collector

__all__ = ["check_items", "item_rest"]


def check_items(col: Collector, ans, items, instrument, th, rest, codes8=None) -> None:
    """Items unanswered by too many, answered alike by all, or against their scale.

    ``codes8``: per item its answers as int8 codes or None (see ``check_careless``)."""
    import numpy as np

    X, item_answered = ans.X, ans.item_answered
    n = X[0].size
    share = 1.0 - item_answered / n
    for j, c in enumerate(items):
        if share[j] > th.item_missing:
            col.add("item-missing", column=c, value=float(share[j]), threshold=th.item_missing)
    for j, c in enumerate(items):
        if item_answered[j] >= 2:
            x = codes8[j] if codes8 is not None and codes8[j] is not None else X[j]  # same codes, 1/8 the bytes
            lo, hi = np.fmin.reduce(x), np.fmax.reduce(x)  # NaN-ignoring, no copies
            if lo == hi:
                col.add("zero-variance", column=c, value=float(lo))
    for sid, iid, r in rest:
        if r < 0:
            it = instrument.item(iid)
            hint = (" — is it reverse-keyed? (not marked reverse)" if not it.reverse
                    else " — it is marked reverse: check the coding")
            col.add("negative-item-rest", column=iid, value=r, scale=sid, hint=hint)


def item_rest(R, items, instrument, S_all=None, complete=None):
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




