"""Scoring and aggregation: the min-items rule, mean vs sum, second order, unit statistics
against R (tests/reference/aggregate.R -> aggregate.json), and the `score` command."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.stats.aggregate import aggregate_units, icc_oneway, rwg_j
from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.io import read_data
from avoid_survey.analysis.stats.scoring import needed_items, score_frame
from avoid_survey.cli.main import run
from avoid_survey.instruments import load_instrument

REF = Path(__file__).parent / "reference"
AGG = json.loads((REF / "aggregate.json").read_text(encoding="utf-8"))
BFI_YAML = REF / "reliability_bfi.yaml"
BFI_AGG = REF / "data" / "aggregate_bfi.csv"

TINY_YAML = """id: tiny
version: "1.0"
title: {en: "Tiny", zh: "小量表"}
response: {type: likert, min: 1, max: 5, labels: {1: {en: "Strongly disagree", zh: "非常不同意"}, 5: {en: "Strongly agree", zh: "非常同意"}}}
scales:
  - id: top
    label: {en: "Top", zh: "总量表"}
    facets:
      - id: fa
        label: {en: "Facet A", zh: "维度A"}
        items:
          - {id: a1, text: {en: "a1", zh: "a1"}}
          - {id: a2, text: {en: "a2", zh: "a2"}}
          - {id: a3, reverse: true, text: {en: "a3", zh: "a3"}}
      - id: fb
        label: {en: "Facet B", zh: "维度B"}
        items:
          - {id: b1, text: {en: "b1", zh: "b1"}}
          - {id: b2, text: {en: "b2", zh: "b2"}}
          - {id: b3, text: {en: "b3", zh: "b3"}}
          - {id: b4, text: {en: "b4", zh: "b4"}}
          - {id: b5, text: {en: "b5", zh: "b5"}}
"""


@pytest.fixture(scope="module")
def bfi():
    inst = load_instrument(BFI_YAML)
    return inst, read_data(BFI_AGG, inst)


@pytest.fixture()
def tiny(tmp_path):
    y = tmp_path / "tiny.yaml"
    y.write_text(TINY_YAML, encoding="utf-8")
    df = pd.DataFrame({"id": ["r1", "r2", "r3"],
                       "a1": [1, 2, np.nan], "a2": [2, np.nan, np.nan], "a3": [5, 4, 1],
                       "b1": [1, 1, 5], "b2": [2, 2, 5], "b3": [3, 3, 5], "b4": [4, np.nan, 5], "b5": [5, 5, np.nan]})
    return load_instrument(y), df, y


def test_needed_items_is_ceil_of_fraction():
    assert [needed_items(k, 0.8) for k in (1, 2, 3, 4, 5, 10)] == [1, 2, 3, 4, 4, 8]
    assert [needed_items(k, 0.5) for k in (3, 4, 5)] == [2, 2, 3]
    assert needed_items(6, 0.01) == 1


def test_reverse_and_min_items_rule(tiny):
    inst, df, _ = tiny
    res = score_frame(df, inst, min_items=0.6)   # 3 items -> 2 needed; 5 items -> 3 needed
    s = res.scores
    # a3 reversed: 1 + 5 - x
    assert s["fa"].iloc[0] == pytest.approx((1 + 2 + 1) / 3)
    assert s["fa"].iloc[1] == pytest.approx((2 + 2) / 2)       # 2 of 3 answered: scored
    assert math.isnan(s["fa"].iloc[2])                          # 1 of 3: not scored
    assert list(s["fa_n"]) == [3, 2, 1]
    assert s["fb"].iloc[1] == pytest.approx((1 + 2 + 3 + 5) / 4)
    assert list(s["top_n"]) == [8, 6, 5]
    strict = score_frame(df, inst, min_items=1.0).scores
    assert strict["fa"].notna().tolist() == [True, False, False]
    assert df["a3"].tolist() == [5, 4, 1]  # input untouched
    assert res.scales == ["top", "fa", "fb"]


def test_sum_is_prorated_mean_times_k(tiny):
    inst, df, _ = tiny
    m = score_frame(df, inst, method="mean", min_items=0.6).scores
    s = score_frame(df, inst, method="sum", min_items=0.6).scores
    for sid, k in (("fa", 3), ("fb", 5), ("top", 8)):
        assert np.allclose(s[sid], m[sid] * k, equal_nan=True)
    assert s["fb"].iloc[0] == 15.0


def test_second_order_over_items_or_facets(tiny):
    inst, df, _ = tiny
    items = score_frame(df, inst, min_items=0.6).scores
    facets = score_frame(df, inst, min_items=0.6, second_order="facets").scores
    assert items["top"].iloc[0] == pytest.approx((1 + 2 + 1 + 1 + 2 + 3 + 4 + 5) / 8)
    assert facets["top"].iloc[0] == pytest.approx(((4 / 3) + 3) / 2)
    assert math.isnan(facets["top"].iloc[2])  # facet A not scored, 0.6 of 2 facets -> both needed
    assert np.allclose(facets["fa"], items["fa"], equal_nan=True)


def test_bad_options_are_user_errors(tiny):
    inst, df, _ = tiny
    with pytest.raises(AvoidSurveyError):
        score_frame(df, inst, min_items=0)
    with pytest.raises(AvoidSurveyError):
        score_frame(df, inst, min_items=1.5)
    with pytest.raises(AvoidSurveyError):
        score_frame(df, inst, method="median")
    with pytest.raises(AvoidSurveyError):
        score_frame(df, inst, scales=["nope"])
    with pytest.raises(AvoidSurveyError):
        score_frame(df.drop(columns=["b5"]), inst, scales=["fb"])
    with pytest.warns(Warning, match="b5"):
        res = score_frame(df.drop(columns=["b5"]), inst)
    assert res.scales == ["fa"] and any("b5" in w for w in res.warnings)


def test_scores_equal_r(bfi):
    inst, df = bfi
    res = score_frame(df, inst)
    for sid in ("agree", "conscientious", "extraversion", "neuroticism", "openness", "big_five"):
        r = AGG["unit_edu"][sid]
        assert res.scores[sid].mean() == pytest.approx(r["score_mean"], abs=1e-12)
        assert int(res.scores[sid].notna().sum()) == r["score_n"]
    half = score_frame(df, inst, min_items=0.5, scales=["agree"]).scores["agree"]
    assert half.mean() == pytest.approx(AGG["agree_min05"]["mean"], abs=1e-12)
    assert int(half.notna().sum()) == AGG["agree_min05"]["n"]
    assert np.allclose(half.iloc[:20], AGG["agree_min05"]["first"], atol=1e-12)


@pytest.mark.parametrize("unit", ["unit_edu", "unit_age"])
def test_icc_and_rwg_equal_r(bfi, unit):
    inst, df = bfi
    with pytest.warns(Warning) if unit == "unit_edu" else _none():
        agg = aggregate_units(df, score_frame(df, inst), inst, unit)
    for st in agg.stats:
        r = AGG[unit][st["scale"]]
        for key in ("n", "n_units", "mean_group_size", "msb", "msw", "f", "icc1", "icc2", "rwg_j_mean",
                    "rwg_j_median", "rwg_j_n_units", "rwg_j_share_70"):
            assert st[key] == pytest.approx(r[key], abs=1e-9), (st["scale"], key)
        assert st["p"] == pytest.approx(r["p"], rel=1e-6, abs=1e-300)
        means = agg.units.set_index(agg.unit)[st["scale"]]
        got = {_key(k): v for k, v in means.items()}
        assert len(got) == len(r["unit_means"])
        for k, v in r["unit_means"].items():
            assert got[_key(k)] == pytest.approx(v, abs=1e-12)


def test_sample_data_township_aggregation_equals_r():
    inst = load_instrument("blame-avoidance-core")
    df = read_data(REF / "data" / "reliability_sample.csv", inst)
    ref = AGG["sample_township"]
    agg = aggregate_units(df, score_frame(df, inst), inst, "township")   # finds township_id
    assert agg.unit == "township_id"
    assert {s["scale"] for s in agg.stats} == set(ref)
    for st in agg.stats:
        r = ref[st["scale"]]
        for key in ("n", "n_units", "msb", "msw", "icc1", "icc2", "rwg_j_mean", "rwg_j_median", "rwg_j_share_70"):
            assert st[key] == pytest.approx(r[key], abs=1e-9), (st["scale"], key)
        got = agg.units.set_index("township_id")[st["scale"]]
        assert np.allclose([got[k] for k in r["unit_means"]], list(r["unit_means"].values()), atol=1e-12)


def _key(k):
    return str(int(float(k)))


class _none:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_icc_and_rwg_small_cases():
    # two units, perfect separation -> ICC(1) = 1; identical answers within units -> r_wg(j) = 1
    ic = icc_oneway([1, 1, 5, 5], ["a", "a", "b", "b"])
    assert ic["icc1"] == pytest.approx(1.0) and ic["icc2"] == pytest.approx(1.0)
    codes, r, n = rwg_j(np.array([[1, 2], [1, 2], [3, 3], [5, 1]], float), np.array(["a", "a", "b", "b"]), 5)
    assert list(codes) == ["a", "b"] and r[0] == 1.0
    assert r[1] == 0.0  # mean item variance 4 > (25 - 1)/12 = 2: set to 0
    _c, r1, _n = rwg_j(np.array([[1.0, 2.0]]), np.array(["solo"]), 5)
    assert math.isnan(r1[0])


# ----------------------------------------------------------------- the command
def _tiny_csv(tmp_path, tiny):
    _inst, df, y = tiny
    p = tmp_path / "resp.csv"
    df.assign(unit=["u1", "u1", "u2"]).to_csv(p, index=False)
    return p, y


def test_score_cli_writes_csv_with_bom_and_never_overwrites(tmp_path, tiny, capsys):
    data, y = _tiny_csv(tmp_path, tiny)
    before = data.read_bytes()
    out = tmp_path / "scored.csv"
    assert run(["score", str(data), "--instrument", str(y), "--out", str(out), "--min-items", "0.6",
                "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"file", "out", "instrument", "method", "min_items", "scales"} <= set(doc)
    assert [s["scale"] for s in doc["scales"]] == ["top", "fa", "fb"]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back.columns)[-6:] == ["top", "top_n", "fa", "fa_n", "fb", "fb_n"]
    assert back["fa"].iloc[0] == pytest.approx(4 / 3)
    # exists -> exit 2, file untouched; --force overwrites
    out.write_text("keep me", encoding="utf-8")
    assert run(["score", str(data), "--instrument", str(y), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(["score", str(data), "--instrument", str(y), "--out", str(out), "--force", "--method", "sum",
                "--format", "json"]) == 0
    capsys.readouterr()
    assert pd.read_csv(out, encoding="utf-8-sig")["fb"].iloc[0] == 15.0
    assert data.read_bytes() == before
    # writing over the input is refused
    assert run(["score", str(data), "--instrument", str(y), "--out", str(data), "--force"]) == 2
    assert data.read_bytes() == before


@pytest.mark.parametrize("ext", [".xlsx", ".parquet", ".sav", ".dta"])
def test_score_cli_other_formats(tmp_path, tiny, capsys, ext):
    data, y = _tiny_csv(tmp_path, tiny)
    out = tmp_path / f"scored{ext}"
    assert run(["score", str(data), "--instrument", str(y), "--out", str(out), "--min-items", "0.6",
                "--format", "json"]) == 0
    capsys.readouterr()
    back = read_data(out)
    assert back["fa"].astype(float).iloc[0] == pytest.approx(4 / 3)
    assert int(float(back["top_n"].iloc[2])) == 5


def test_score_cli_aggregate(tmp_path, capsys):
    out = tmp_path / "units.csv"
    assert run(["score", str(BFI_AGG), "--instrument", str(BFI_YAML), "--out", str(out), "--aggregate", "unit_age",
                "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    agg = doc["aggregate"]
    assert agg["unit"] == "unit_age"
    r = AGG["unit_age"]["agree"]
    st = {s["scale"]: s for s in agg["scales"]}["agree"]
    assert st["icc1"] == pytest.approx(r["icc1"], abs=1e-9)
    assert st["rwg_j_mean"] == pytest.approx(r["rwg_j_mean"], abs=1e-9)
    units = pd.read_csv(out, encoding="utf-8-sig")
    assert len(units) == AGG["unit_age"]["agree"]["n_units"]
    assert {"unit_age", "n_respondents", "agree", "agree_n"} <= set(units.columns)
    stats = pd.read_csv(tmp_path / "units_agreement.csv", encoding="utf-8-sig")
    assert {"scale", "icc1", "icc2", "rwg_j_mean", "rwg_j_median"} <= set(stats.columns)
    # unknown unit column: one line, exit 2
    assert run(["score", str(BFI_AGG), "--instrument", str(BFI_YAML), "--out", str(tmp_path / "x.csv"),
                "--aggregate", "township"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "township" in err


def test_score_cli_user_errors(tmp_path, tiny, capsys):
    data, y = _tiny_csv(tmp_path, tiny)
    for args in (["--out", str(tmp_path / "o.txt")], ["--out", str(tmp_path / "o.csv"), "--min-items", "2"],
                 [], ["--out", str(tmp_path / "o.csv"), "--scale", "zz"]):
        assert run(["score", str(data), "--instrument", str(y), *args]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.strip()
