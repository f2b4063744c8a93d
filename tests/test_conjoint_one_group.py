"""Conjoint diagnostics (carry-over by task, profile order by profile) on rows where only
one task has an observed outcome: the carry-over test is left out, not an error."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from avoid_survey.analysis.stats.experiment import analyze

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "reference" / "data" / "experiment_conjoint.csv"
CONJOINT = ROOT / "sample_data" / "experiment" / "reform-conjoint.yaml"


def _tests(df):
    return {t["test"]: t for t in analyze(df, CONJOINT).to_dict()["tests"]}


def test_carryover_left_out_when_one_task_has_outcomes():
    df = pd.read_csv(DATA)
    full = _tests(df)
    assert "carryover" in full and "profile_order" in full
    df.loc[df["task"] != 1, "chosen"] = np.nan
    one = _tests(df)
    assert "carryover" not in one
    assert one["profile_order"]["df1"] > 0
