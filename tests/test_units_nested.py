"""Nested units: the same township name under two counties is two clusters (issue 17).

The fixture sample has a 城关镇 in 县A and in 县B (10 officials each). With ``units:
[county_id, township_id]`` declared (instrument, spec or --units), cluster SEs,
aggregation and mixed models see 6 townships; without, 5 (the two merged).
"""
from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import DataNote
from avoid_survey.analysis.io import read
from avoid_survey.analysis.io.units import composite_units
from avoid_survey.cli.main import run

from tests.conftest import ROOT

FX = ROOT / "tests" / "fixtures" / "platforms"
INSTR = FX / "instrument.yaml"
DATA = FX / "wjx_seq_gbk.csv"


@pytest.fixture(scope="module")
def flat_instrument(tmp_path_factory):
    """The fixture instrument without its ``units:`` declaration."""
    p = tmp_path_factory.mktemp("inst") / "flat.yaml"
    p.write_text("".join(ln for ln in INSTR.read_text(encoding="utf-8").splitlines(True)
                         if not ln.startswith("units:")), encoding="utf-8")
    return p


def cli(args, capsys):
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_composite_key_only_where_names_repeat():
    df = pd.DataFrame({"county": ["A", "A", "B", "B", None], "town": ["城关镇", "河西", "城关镇", "新丰", "城关镇"],
                       "x": range(5)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = composite_units(df, ("county", "town"), "f.csv")
    assert out["town"].tolist() == ["A/城关镇", "A/河西", "B/城关镇", "B/新丰", "城关镇"]   # no county: kept
    notes = [str(w.message) for w in caught if issubclass(w.category, DataNote)]
    assert len(notes) == 1 and "城关镇" in notes[0] and "county/town" in notes[0]
    assert df["town"].tolist()[0] == "城关镇"          # the input frame is left alone
    same = pd.DataFrame({"county": ["A", "B"], "town": ["T1", "T2"]})
    assert composite_units(same, ("county", "town")) is same   # unique names: nothing to do


def test_read_keeps_the_two_chengguan_apart(flat_instrument):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nested = read(DATA, INSTR)
        flat = read(DATA, flat_instrument)
        by_option = read(DATA, flat_instrument, units=("county_id", "township_id"))
    assert nested["township_id"].nunique() == 6 and flat["township_id"].nunique() == 5
    assert by_option["township_id"].nunique() == 6
    assert {"县A/城关镇", "县B/城关镇"} <= set(nested["township_id"])


def test_aggregation_cluster_se_and_mixed_model(flat_instrument, tmp_path, capsys):
    out = tmp_path / "units.csv"
    code, o, err = cli(["score", DATA, "-i", INSTR, "--out", out, "--aggregate", "township_id"], capsys)
    assert code == 0 and len(pd.read_csv(out, encoding="utf-8-sig")) == 6
    assert err.count("kept apart as composite ids") == 1
    code, o, err = cli(["score", DATA, "-i", flat_instrument, "--out", tmp_path / "u2.csv",
                        "--aggregate", "township_id"], capsys)
    assert len(pd.read_csv(tmp_path / "u2.csv", encoding="utf-8-sig")) == 5
    code, o, err = cli(["score", DATA, "-i", flat_instrument, "--out", tmp_path / "u3.csv",
                        "--aggregate", "township_id", "--units", "county_id,township_id"], capsys)
    assert len(pd.read_csv(tmp_path / "u3.csv", encoding="utf-8-sig")) == 6
    for units_line, expect in (("", 5), ("units: [county_id, township_id]\n", 6)):
        spec = tmp_path / f"spec{expect}.yaml"
        spec.write_text(f"data: {DATA}\ninstrument: {flat_instrument}\n{units_line}models:\n"
                        f"  - name: ols\n    family: ols\n    formula: avoid ~ pressure\n"
                        f"    se: {{type: cluster, cluster: township_id}}\n"
                        f"  - name: mixed\n    family: mixed\n    formula: avoid ~ pressure\n    groups: township_id\n",
                        encoding="utf-8")
        code, o, err = cli(["model", "--spec", spec, "-f", "json"], capsys)
        assert code == 0, err
        doc = json.loads(o)
        assert [m["n_groups"] for m in doc["models"]] == [{"township_id": expect}] * 2


def test_units_must_name_variables(tmp_path):
    from avoid_survey.instruments import check_instrument_file

    p = tmp_path / "bad.yaml"
    p.write_text(INSTR.read_text(encoding="utf-8").replace("units: [county_id, township_id]",
                                                            "units: [county_id, town]"), encoding="utf-8")
    found = [(f.code, f.row, f.column) for f in check_instrument_file(p)]
    assert found == [("bad-units", 4, "town")]
