"""Codes outside a Likert item's scale (9 = "don't know", typos like 55) never enter an
analysis: read_data sets them to missing, and the command says so after it has worked."""
import json
import warnings

import numpy as np
import pytest

from avoid_survey.analysis.core.errors import DataWarning
from avoid_survey.analysis.io import read_data
from avoid_survey.instruments import load_instrument

ROWS = "id,resp1,resp2,resp3\nr1,1,2,9\nr2,3,55,2\nr3,2,2,2\nr4,4,4,5\nr5,5,4,3\nr6,2,3,2.5\n"


@pytest.fixture
def data(tmp_path):
    p = tmp_path / "oor.csv"
    p.write_text(ROWS)
    return p


def test_read_data_sets_out_of_range_to_missing(data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_data(data, load_instrument("dispositions"))
    assert np.isnan(df.loc[0, "resp3"]) and np.isnan(df.loc[1, "resp2"]) and np.isnan(df.loc[5, "resp3"])
    assert df["resp1"].tolist() == [1, 3, 2, 4, 5, 2]
    msgs = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
    assert len(msgs) == 1 and "3 answer(s) outside their response scale in 2 column(s)" in msgs[0]


def test_cli_warns_once_after_success(cli, data):
    code, out, err = cli("reliability", data, "--instrument", "dispositions", "--scale", "responsibility",
                         "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert [i["n"] for i in res["scales"][0]["items"]] == [6, 5, 4]
    lines = [l for l in err.splitlines() if "outside their response scale" in l]
    assert len(lines) == 1 and lines[0].startswith("warning: ")


def test_error_stays_one_line(cli, data):
    code, out, err = cli("reliability", data, "--instrument", "dispositions", "--scale", "nope")
    assert code == 2 and len(err.strip().splitlines()) == 1
