"""Nested units: cluster ids that are only unique within their parent.

Two townships both called 城关镇 in two counties are two clusters. With ``units: [county,
township]`` declared (in the instrument, the spec or ``--units``), a lower-level column
whose names repeat under different parents becomes the composite key ``county/township``
(every level below the top, cumulatively), so cluster-robust SEs, unit aggregation and
mixed models keep them apart. One note says which names were split.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["composite_units", "SEP"]

SEP = "/"


def composite_units(frame, units, path=None):
    """``frame`` with each nested level of ``units`` made a composite key where its names
    repeat under different parents (levels absent from the frame are skipped)."""
    import pandas as pd

    from ..core.errors import DataNote, warn

    levels = [u for u in units if u in frame.columns]
    if len(levels) < 2:
        return frame
    out = frame
    parent = out[levels[0]].astype("string")
    for lvl in levels[1:]:
        child = out[lvl].astype("string")
        pairs = pd.DataFrame({"p": parent, "c": child}).dropna().drop_duplicates()
        shared = pairs.groupby("c")["p"].nunique()
        shared = shared[shared > 1]
        key = (parent + SEP + child).where(parent.notna() & child.notna(), child)
        if len(shared):
            if out is frame:
                out = frame.copy()
            out[lvl] = key.astype(object).where(key.notna(), None)
            names = ", ".join(str(x) for x in list(shared.index)[:5]) + (" ..." if len(shared) > 5 else "")
            where = f"{Path(str(path)).name}: " if path is not None else ""
            warn(f"{where}{lvl}: {len(shared)} name(s) occur under more than one {levels[levels.index(lvl) - 1]} "
                 f"({names}); kept apart as composite ids '{levels[levels.index(lvl) - 1]}{SEP}{lvl}'", DataNote)
        parent = key
    return out
