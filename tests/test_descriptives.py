"""Descriptives and correlations equal R (cor.test on complete pairs); see
tests/reference/descriptives.R."""
import json

import pandas as pd
import pytest

from avoid_survey.analysis.stats.descriptives import describe_scores

from pathlib import Path

REF = Path(__file__).parent / "reference"


def test_equals_r():
    ref = json.loads((REF / "descriptives.json").read_text())
    d = pd.read_csv(REF / "data" / "desc_mtcars.csv")
    v = list(d.columns)
    res = describe_scores(d, v, alphas={"mpg": 0.8})
    for k, name in enumerate(v):
        assert res.mean[name] == pytest.approx(ref["mean"][k], abs=1e-10)
        assert res.sd[name] == pytest.approx(ref["sd"][k], abs=1e-10)
        assert res.n[name] == ref["n"][k]
    for key, r in ref["r"].items():
        a, b = key.split()
        assert res.corr[a][b] == pytest.approx(r, abs=1e-10)
        assert res.p[a][b] == pytest.approx(ref["p"][key], rel=1e-6, abs=1e-12)


def test_table_has_alpha_on_diagonal_and_lower_triangle():
    d = pd.read_csv(REF / "data" / "desc_mtcars.csv")
    t = describe_scores(d, ["mpg", "hp"], alphas={"mpg": 0.8}).to_tables("en")[0]
    assert t.cell(0, 4).value == 0.8 and t.cell(0, 5).value == ""
    assert t.cell(1, 4).value == pytest.approx(-0.775703342963651) and t.cell(1, 4).stars == "***"
    assert t.cell(1, 5).value == "—"
