"""What a new user meets first on their own data (issue 17): templates without a unit
file, spec errors naming every unknown variable, optional scales not fielded, heavy
listwise deletion, and codes outside the scale when no instrument declares it."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from avoid_survey.cli.main import run

from tests.conftest import ROOT

SAMPLE = ROOT / "sample_data" / "responses.csv"
FX = ROOT / "tests" / "fixtures" / "platforms"
INSTR = FX / "instrument.yaml"


def cli(args, capsys):
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_template_runs_without_the_unit_file_it_does_not_need(tmp_path, capsys):
    mine = tmp_path / "mine.csv"
    shutil.copy(SAMPLE, mine)              # no units.csv beside it
    code, out, err = cli(["model", "--template", "h1_h2_pressure_trust", "--data", mine, "-f", "json"], capsys)
    assert code == 0, err
    assert "units.csv not found; the models use no unit-level variable" in err
    assert json.loads(out)["models"][0]["n"] > 1000
    code, out, err = cli(["model", "--template", "multilevel", "--data", mine], capsys)
    assert code == 2 and "unit file not found" in err and "veto_indicators_n" in err


def test_spec_error_lists_every_unknown_variable(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {SAMPLE}\ninstrument: blame-avoidance-core-v2\nmodels:\n"
                    f"  - name: a\n    family: ols\n    formula: passive_avoidnce ~ accountability_presure + age_band\n"
                    f"  - name: b\n    family: ols\n    formula: active_avoidance ~ ft_trust + tenure\n", encoding="utf-8")
    code, out, err = cli(["model", "--spec", spec], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "3 unknown variables" in err
    assert "'passive_avoidnce' (did you mean 'passive_avoidance'?)" in err
    assert "'accountability_presure' (did you mean 'accountability_pressure'?)" in err
    assert "'tenure' (did you mean 'tenure_band'?) in model 'b'" in err
    assert "line 6" in err and "line 9" in err


def test_cfa_whole_instrument_skips_optional_scales_not_fielded(capsys):
    code, out, err = cli(["cfa", FX / "wjx_score.csv", "-i", INSTR, "-f", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert {ld["factor"] for ld in doc["loadings"]} == {"p_gen", "p_insp", "trust", "avoid"}
    assert any("optional scale(s) not fielded" in w and "escal" in w for w in doc["warnings"])


def test_heavy_listwise_deletion_suggests_ml(tmp_path, capsys):
    df = pd.read_csv(SAMPLE, encoding="utf-8-sig")
    rng = np.random.default_rng(3)
    for c in ("pa_agd1", "pa_agd2", "pa_sym1", "pa_sym2"):
        df.loc[rng.random(len(df)) < 0.1, c] = np.nan
    p = tmp_path / "holes.csv"
    df.to_csv(p, index=False)
    code, out, err = cli(["cfa", p, "-i", "blame-avoidance-core-v2", "--scale", "passive_avoidance", "-f", "json"],
                         capsys)
    doc = json.loads(out)
    msg = next(w for w in doc["warnings"] if "rows dropped" in w)
    assert "--missing ml" in msg and "listwise deletion lost" in msg
    code, out, err = cli(["cfa", SAMPLE, "-i", "blame-avoidance-core-v2", "--scale", "passive_avoidance", "-f", "json"],
                         capsys)
    assert not any("--missing ml" in w for w in json.loads(out)["warnings"])


@pytest.mark.parametrize("name", ["spss.sav", "stata.dta"])
def test_codes_outside_the_value_labels_without_instrument(name, capsys):
    code, out, err = cli(["cfa", FX / name, "--model", "pg =~ p1 + p2 + p3 + p6; tr =~ t1 + t2 + t4", "-f", "json"],
                         capsys)
    assert code == 0, err
    assert "column 'p6' has 1 code(s) outside its value labels (1-5): 55" in err
    assert "column 'p1' has 1 code(s) outside its value labels (1-5): 6" in err
    assert "'p2'" not in err


def test_codes_far_outside_the_observed_scale(tmp_path, capsys):
    mp = tmp_path / "map.yaml"
    mp.write_text('"8(同一项工作被反复检查)": p6\n"8(小的失误也会被追责)": p2\n"8(问责覆盖所有人)": p3\n'
                  '"8(督查检查很频繁)": p5\n', encoding="utf-8")
    code, out, err = cli(["sem", FX / "wjx_score.csv", "--map", mp, "--model", "f =~ p2 + p3 + p5 + p6", "-f", "json"],
                         capsys)
    assert code == 0, err
    assert "column 'p6' has 1 code(s) far outside its observed scale (1-5): 55" in err and "'p2'" not in err
    code, out, err = cli(["sem", FX / "wjx_score.csv", "-i", INSTR, "--model", "f =~ p2 + p3 + p5 + p6", "-f", "json"],
                         capsys)
    assert "far outside" not in err and "outside their response scale" in err   # declared: set missing
