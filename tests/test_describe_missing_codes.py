"""The sample profile counts the missing codes (8 = prefer not to say, don't know) on their own
rows, outside the valid percent, and says when it cannot (the frame is not the rows read)."""
from __future__ import annotations

import pandas as pd

from avoid_survey.analysis.io import read_data
from avoid_survey.analysis.stats.describe import describe
from avoid_survey.instruments import load_instrument


def _data(tmp_path):
    inst = load_instrument("demographics-v2")
    codes = [1] * 5 + [2] * 7 + [3] * 10 + [8] * 4 + [None] * 3
    frame = pd.DataFrame({"respondent_id": range(1, len(codes) + 1), "sanction_exposure": codes,
                          "weekly_hours": [50 + (i % 7) for i in range(len(codes))]})
    p = tmp_path / "d.csv"
    frame.to_csv(p, index=False)
    return read_data(p, inst), inst


def _rows(res):
    return [(r.label, r.n, r.valid_percent) for r in res.profile if r.variable == "sanction_exposure"]


def test_missing_code_rows_have_their_own_counts(tmp_path):
    data, inst = _data(tmp_path)
    rows = _rows(describe(data, inst, lang="en"))
    assert [(lab, n) for lab, n, _ in rows] == [("I have", 5), ("Not I, but colleagues around me have", 7),
                                                ("Neither", 10), ("Prefer not to say", 4), ("Missing", 3)]
    valid = {lab: vp for lab, _, vp in rows}
    assert abs(valid["Neither"] - 100 * 10 / 22) < 1e-9      # the valid percent leaves the code out
    assert valid["Prefer not to say"] is None and valid["Missing"] is None


def test_a_subset_says_the_missing_row_includes_the_codes(tmp_path):
    data, inst = _data(tmp_path)
    rows = _rows(describe(data.iloc[:-1], inst, lang="zh"))
    assert rows[-1][:2] == ("缺失（含不愿回答）", 6)
    assert all(lab != "不愿回答" for lab, _, _ in rows)
