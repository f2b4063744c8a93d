"""`avoid-survey cmv` pinned to R (tests/reference/sem_cmv.R): Harman's shares (closed form),
the single-factor and measurement fits (lavaan), the marker-variable correction."""
import json

import pandas as pd

from conftest import REF

HS = REF / "data" / "hs_holzinger1939.csv"
INST = REF / "cfa_hs_instrument.yaml"
R = json.loads((REF / "sem_cmv.json").read_text())


def _run():
    from avoid_survey.analysis.stats.sem.cmv import cmv
    from avoid_survey.instruments import load_instrument

    return cmv(pd.read_csv(HS), load_instrument(str(INST)), marker="ageyr")


def test_cmv_equals_r():
    res = _run()
    h = res.harman
    assert abs(h["first_component_share"] - R["first_component_share"]) < 1e-10
    assert h["n_eigen_gt1"] == R["n_eigen_gt1"]
    assert abs(h["first_factor_share"] - R["first_factor_share"]) < 1e-5
    for ours, ref in ((res.measurement, R["measurement"]), (res.single_factor, R["single"])):
        for k, v in ref.items():
            assert abs(ours[k] - v) <= 1e-6 * max(1, abs(v)), k
    s = res.single_factor
    assert abs(s["delta_chisq"] - (R["single"]["chisq"] - R["measurement"]["chisq"])) < 1e-5
    assert s["delta_df"] == R["single"]["df"] - R["measurement"]["df"]
    assert abs(s["delta_cfi"] - (R["single"]["cfi"] - R["measurement"]["cfi"])) < 1e-8
    mk = res.marker
    assert abs(mk["r_m"] - R["r_m"]) < 1e-12
    for ours, ref in zip(mk["pairs"], R["pairs"]):
        assert (ours["a"], ours["b"]) == (ref["a"], ref["b"])
        assert abs(ours["r_corrected"] - ref["r_corrected"]) < 1e-12 and abs(ours["p_corrected"] - ref["p"]) < 1e-10


def test_cmv_cli_keys_and_tables(cli):
    code, out, err = cli("cmv", HS, "--instrument", INST, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert {"first_component_share", "first_factor_share", "n_eigen_gt1"} <= set(d["harman"])
    assert {"chisq", "df", "cfi", "tli", "rmsea", "srmr", "delta_chisq", "delta_df", "p_delta",
            "delta_cfi"} <= set(d["single_factor"])
    assert {"delta_cfi", "method_variance_share"} <= set(d["ulmc"]) and d["marker"] is None
    assert 0 < d["harman"]["first_component_share"] < 1
    # the HS method factor is poorly identified (lavaan too lands on a negative variance): a warning
    assert any("Heywood" in w or "converge" in w for w in d["warnings"])
    code, out, _ = cli("cmv", HS, "--instrument", INST, "--format", "md", "--lang", "zh")
    assert code == 0 and "Harman 单因子检验" in out and "方法因子模型比较" in out
    code, out, err = cli("cmv", HS, "--instrument", INST, "--marker", "nope")
    assert code == 2 and "nope" in err
