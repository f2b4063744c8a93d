"""`simulate` of a large design to CSV: generated and written in blocks of counties (bounded
memory, issue 20). The thresholds are lowered here so a small study takes the block path."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from avoid_survey.analysis.simulate import chunked
from avoid_survey.analysis.simulate.export import run_simulate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "study.yaml"


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(chunked, "CHUNK_ABOVE", 100)
    monkeypatch.setattr(chunked, "BLOCK_ROWS", 250)


def _study(tmp_path, **design):
    d = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    d["design"].update(design)
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_blocks_write_one_file_like_the_whole_path(tmp_path, small_blocks):
    spec = _study(tmp_path)
    s = run_simulate(spec, out=tmp_path / "b.csv", latent_out=tmp_path / "lat.csv", show_progress=False)
    raw = (tmp_path / "b.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    b = pd.read_csv(tmp_path / "b.csv", dtype={"respondent_id": str})
    lat = pd.read_csv(tmp_path / "lat.csv", dtype={"respondent_id": str})
    assert b.columns[0] == "respondent_id" and list(b.columns).count("respondent_id") == 1
    # several blocks were written, rows in design order, ids unique and matching the truth file
    assert chunked._blocks(np.repeat(np.arange(12), 100), 12) == [(0, 3), (3, 6), (6, 9), (9, 12)]
    assert len(b) == s.n_respondents and b["respondent_id"].is_unique
    assert (b["respondent_id"] == lat["respondent_id"]).all()
    assert b["respondent_id"].tolist() == sorted(b["respondent_id"])
    assert b["county_id"].nunique() == s.n_counties == 12 and b["township_id"].nunique() == s.n_townships == 60
    # the same columns and types as the one-piece path
    whole_cls = chunked.wants_blocks
    chunked.wants_blocks = lambda *a: False
    try:
        sw = run_simulate(spec, out=tmp_path / "w.csv", show_progress=False)
    finally:
        chunked.wants_blocks = whole_cls
    w = pd.read_csv(tmp_path / "w.csv", dtype={"respondent_id": str})
    assert list(b.columns) == list(w.columns) and (b.dtypes == w.dtypes).all()
    assert len(b) == len(w)  # the design is drawn from the same stream either way
    assert (b["township_id"] == w["township_id"]).all()
    # the summary counts what was written
    assert (s.n_items, s.n_counties, s.n_townships, s.latents) == (sw.n_items, sw.n_counties, sw.n_townships,
                                                                  sw.latents)
    assert 0 < s.missing_share < 0.1 and abs(s.missing_share - sw.missing_share) < 0.02
    types = lat["respondent_type"].value_counts()
    assert s.respondent_types == {k: int(types.get(k, 0)) for k in ("normal", "straight", "random", "speeder")}
    # careless share kept per block of counties (rounded per block)
    assert abs(sum(v for k, v in s.respondent_types.items() if k != "normal") - 0.05 * len(b)) <= 4


def test_blocks_are_deterministic_and_follow_the_seed(tmp_path, small_blocks):
    spec = _study(tmp_path)
    run_simulate(spec, out=tmp_path / "a.csv", show_progress=False)
    run_simulate(spec, out=tmp_path / "b.csv", show_progress=False)
    run_simulate(spec, out=tmp_path / "c.csv", seed=7, show_progress=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_units_out_and_no_temporary_files_left(tmp_path, small_blocks):
    spec = _study(tmp_path)
    s = run_simulate(spec, out=tmp_path / "r.csv", units_out=tmp_path / "u.csv", show_progress=False)
    r = pd.read_csv(tmp_path / "r.csv")
    u = pd.read_csv(tmp_path / "u.csv")
    assert len(u) == s.n_townships and u["township_id"].is_unique
    assert set(r["township_id"]) <= set(u["township_id"])
    assert "unit_type" in u.columns and "unit_type" not in r.columns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "study.yaml", "u.csv"]


def test_other_formats_and_small_studies_stay_in_one_piece(tmp_path):
    assert not chunked.wants_blocks(1_000_000, {"out": "x.parquet", "units_out": None})
    assert not chunked.wants_blocks(1_000_000, {"out": "x.csv", "wjx_out": "w.xlsx"})
    assert not chunked.wants_blocks(1_200, {"out": "x.csv"})
    assert chunked.wants_blocks(1_000_000, {"out": "x.csv", "latent_out": "t.csv", "units_out": None})


def test_units_level_design_in_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(chunked, "CHUNK_ABOVE", 10)
    monkeypatch.setattr(chunked, "BLOCK_ROWS", 30)
    fix = ROOT / "tests" / "fixtures" / "simulate"
    d = yaml.safe_load((fix / "mini-study.yaml").read_text(encoding="utf-8"))
    d["instrument"] = str(fix / "mini-instrument.yaml")
    d["design"] = {"counties": 6, "townships_per_county": 2, "units_per_township": [2, 3], "officials_per_unit": 4}
    spec = tmp_path / "study.yaml"
    spec.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    s = run_simulate(spec, out=tmp_path / "r.csv", show_progress=False)
    r = pd.read_csv(tmp_path / "r.csv")
    assert (r.groupby("unit_id").size() == 4).all()
    assert r.groupby("township_id")["unit_id"].nunique().between(2, 3).all()
    assert s.n_units == r["unit_id"].nunique() and s.n_counties == 6 and s.n_townships == 12
    assert all(u.startswith(t + "-U") for u, t in zip(r["unit_id"], r["township_id"]))
