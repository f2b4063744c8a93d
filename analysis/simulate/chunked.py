"""Large simulations generated and written block by block (bounded memory).

A design expected to give more than :data:`CHUNK_ABOVE` respondents, written to CSV files
only, is simulated in blocks of whole counties (about :data:`BLOCK_ROWS` respondents each):
the design (cluster sizes and ids) is drawn once, as for any study; then each block draws
its variables, latents, answers, careless respondents, checks, durations and missing
answers and is appended to the output files before the next block is drawn. The memory
peak then follows the block, not the study (2,000,000 respondents: about 7.5 GB at once,
well under 2 GB in blocks).

The data follow the same model, but not the same random numbers as a run in one piece:
every stream but the design's is split into one child stream per block (so a study
crossing the threshold gives other draws than it would below it), careless respondents and
missing answers are picked within each block (their shares are kept per block), and
mean-centred interaction terms are centred on the block's mean. Smaller studies (the
bundled sample among them) and other output formats are generated in one piece, exactly as
before.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["CHUNK_ABOVE", "BLOCK_ROWS", "wants_blocks", "run_blocks"]

CHUNK_ABOVE = 200_000   # expected respondents above which CSV output is generated in blocks
BLOCK_ROWS = 100_000    # respondents per block (whole counties: a block may hold more)


def wants_blocks(expected_n: float, targets: dict) -> bool:
    """Large enough, and every requested output a .csv file (no Wenjuanxing .xlsx)."""
    if expected_n <= CHUNK_ABOVE or targets.get("wjx_out") is not None:
        return False
    return all(p is None or Path(p).suffix.lower() == ".csv" for p in targets.values())


def _blocks(resp_county, n_counties: int):
    """[(first county, end county)] of consecutive counties, about BLOCK_ROWS respondents each."""
    import numpy as np

    per = np.bincount(resp_county, minlength=n_counties)
    out, c0, rows = [], 0, 0
    for c in range(n_counties):
        rows += int(per[c])
        if rows >= BLOCK_ROWS:
            out.append((c0, c + 1))
            c0, rows = c + 1, 0
    if c0 < n_counties:
        out.append((c0, n_counties))
    return out


def _sub_design(d, c0: int, c1: int):
    """The part of design ``d`` in counties [c0, c1), indices made local."""
    import numpy as np

    from .generation import _Design

    t0, t1 = (int(x) for x in np.searchsorted(d.town_county, [c0, c1]))
    r0, r1 = (int(x) for x in np.searchsorted(d.resp_county, [c0, c1]))
    if r1 > r0:
        u0, u1 = int(d.resp_unit[r0]), int(d.resp_unit[r1 - 1]) + 1
    else:
        u0 = u1 = 0
    return _Design(r1 - r0, c1 - c0, t1 - t0, u1 - u0, d.town_county[t0:t1] - c0, d.resp_county[r0:r1] - c0,
                   d.resp_town[r0:r1] - t0, d.resp_unit[r0:r1] - u0, d.county_ids[c0:c1], d.town_ids[t0:t1],
                   d.unit_ids[u0:u1], d.resp_ids[r0:r1])


def _block_frames(study, d, rng):
    from .generation import draw_frames

    return draw_frames(study, d, rng)


class _CsvOut:
    """One CSV output written in blocks into a temporary file (UTF-8 with BOM, as
    :func:`~avoid_survey.analysis.io.write.write_data` writes a whole frame), moved into
    place by :meth:`finish`."""

    def __init__(self, path):
        from ..io.output import _special

        self.path = Path(path)
        where = None if _special(self.path) is not None else str(self.path.parent or ".")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".blocks.csv", dir=where)
        os.close(fd)
        self.first = True

    def append(self, df) -> None:
        from ..io.write import _spreadsheet_safe

        with open(self.tmp, "w" if self.first else "a", encoding="utf-8-sig" if self.first else "utf-8",
                  newline="") as fh:
            _spreadsheet_safe(df).to_csv(fh, index=False, header=self.first)
        self.first = False

    def finish(self, force: bool) -> Path:
        from ..io.output import write_atomic_with

        return write_atomic_with(self.path, lambda tmp: shutil.move(self.tmp, tmp), force)

    def drop(self) -> None:
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def run_blocks(study, seed, targets: dict, force: bool, prog):
    """Simulate ``study`` in blocks and write ``targets`` (all CSV); returns (files, the
    summary's counts) for :func:`.export.run_simulate`."""
    import numpy as np
    import pandas as pd

    from ..core.errors import AvoidSurveyError
    from ..io.output import write_error
    from .generation import _STREAMS, _design, _seedseq

    kids = _seedseq(seed).spawn(len(_STREAMS))
    design = _design(study, np.random.default_rng(kids[0]))
    blocks = _blocks(design.resp_county, design.n_counties)
    per_stream = {s: k.spawn(len(blocks)) for s, k in zip(_STREAMS, kids) if s != "design"}
    cols = study.columns
    item_cols = [ip.id for ip in study.items]
    outs = {k: _CsvOut(p) for k, p in targets.items() if p is not None and k != "units_out"}
    units_all = []
    n = n_missing = 0
    rtypes = dict.fromkeys(("normal", "straight", "random", "speeder"), 0)
    att = {a.id: 0 for a in study.checks}
    unit_ids = 0
    try:
        for b, (c0, c1) in enumerate(blocks):
            d = _sub_design(design, c0, c1)
            rng = {s: np.random.default_rng(per_stream[s][b]) for s in per_stream}
            responses, units, latents = _block_frames(study, d, rng)
            if targets.get("units_out") is not None:
                df = responses
            else:
                u = units.drop(columns=[cols["county"]])
                df = responses.merge(u, on=cols["township"], how="left", validate="many_to_one")
            del responses
            outs["out"].append(df)
            if "latent_out" in outs:
                outs["latent_out"].append(latents)
            units_all.append(units)
            n += len(df)
            if item_cols:
                n_missing += int(df[item_cols].isna().to_numpy().sum())
            types = latents["respondent_type"].value_counts()
            for k in rtypes:
                rtypes[k] += int(types.get(k, 0))
            for a in study.checks:
                v = df[a.id].astype("Float64")
                att[a.id] += int((v.notna() & ~v.isin([float(e) for e in a.expected])).sum())
            if study.has_units:
                unit_ids += int(df[cols["unit"]].nunique())  # units do not cross counties
            del df, latents
            prog("blocks", b + 1, len(blocks))
        units = pd.concat(units_all, ignore_index=True)
        files = {"out": str(outs["out"].finish(force))}
        if targets.get("units_out") is not None:
            from .export import _unit_instrument, write_frame
            files["units_out"] = str(write_frame(units, targets["units_out"],
                                                 instrument=_unit_instrument(study.instrument), force=force))
        if "latent_out" in outs:
            files["latent_out"] = str(outs["latent_out"].finish(force))
    except OSError as exc:
        raise write_error(exc, targets["out"]) from None
    except AvoidSurveyError:
        raise
    finally:
        for o in outs.values():
            o.drop()
    miss = n_missing / (n * len(item_cols)) if n and item_cols else 0.0
    return files, {"n": n, "n_townships": len(units), "n_counties": int(units[cols["county"]].nunique()),
                   "n_units": unit_ids if study.has_units else None, "n_items": len(item_cols),
                   "rtypes": rtypes, "att": att, "miss": miss, "n_blocks": len(blocks)}

