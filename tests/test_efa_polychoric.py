"""`efa --cor polychoric` against psych::fa(x, cor = "poly") and fa.parallel(cor = "poly")
(tests/reference/efa_polychoric.R -> efa_polychoric.json)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.stats.efa import efa
from avoid_survey.cli.main import run

REF = Path(__file__).parent / "reference"
FIX = json.loads((REF / "efa_polychoric.json").read_text(encoding="utf-8"))
SIM = REF / "data" / "poly_sim.csv"
TOL = 1e-4    # psych's polychoric is exact to ~3e-5 (optimize tolerance); observed max |diff| 3e-5
DATA = {"sim": (SIM, "pairwise"), "sim_listwise": (SIM, "listwise"), "bfi": (REF / "data" / "bfi.csv", "pairwise")}


@pytest.fixture(scope="module", params=list(DATA))
def case(request):
    path, missing = DATA[request.param]
    ref = FIX[request.param]
    res = efa(pd.read_csv(path), ref["items"], n_factors=2, missing=missing, cor="polychoric",
              parallel_iterations=20, seed=1)
    return res, ref


def test_matrix_thresholds_and_adequacy(case):
    res, ref = case
    assert res.n == ref["n"]
    np.testing.assert_allclose(res.correlation, ref["rho"], atol=TOL, rtol=0)
    for j, it in enumerate(ref["items"]):
        np.testing.assert_allclose(res.polychoric.thresholds[j], ref["tau"][j], atol=1e-9)
    assert res.kmo_overall == pytest.approx(ref["kmo"], abs=TOL)
    np.testing.assert_allclose(res.kmo_items, ref["kmo_items"], atol=TOL, rtol=0)
    assert res.bartlett_df == ref["bartlett"]["df"]
    assert res.bartlett_chi2 == pytest.approx(ref["bartlett"]["chi2"], rel=TOL)


def test_loadings_equal_psych_fa_poly(case):
    res, ref = case
    assert res.factors == ref["factors"]
    np.testing.assert_allclose(res.loadings, ref["loadings"], atol=TOL, rtol=0)
    np.testing.assert_allclose(res.communalities, ref["communality"], atol=TOL, rtol=0)
    np.testing.assert_allclose(res.phi, ref["Phi"], atol=TOL, rtol=0)


def test_parallel_analysis_equal_fa_parallel_poly(case):
    res, ref = case
    # observed eigenvalues: exact (up to the polychoric tolerance); the suggestion as psych's
    np.testing.assert_allclose(res.parallel.observed, ref["fa_values"], atol=TOL, rtol=0)
    assert res.parallel.n_factors == ref["nfact"]
    # simulated eigenvalues (normal data, other RNG): within Monte Carlo error of psych's,
    # bar the first (inflated by rare Heywood cases in both)
    sd = res.parallel.simulated.std(0)[1:]
    diff = np.abs(res.parallel.mean[1:] - np.array(ref["sim_fa_mean"][1:]))
    assert (diff < 5 * sd * np.sqrt(2 / 20)).all()


def test_pearson_and_polychoric_differ_on_skewed_items():
    ref = FIX["sim"]
    df = pd.read_csv(SIM)
    a = efa(df, ref["items"], n_factors=2, parallel_iterations=2)
    b = efa(df, ref["items"], n_factors=2, parallel_iterations=2, cor="polychoric")
    assert (np.abs(b.loadings) >= np.abs(a.loadings) - 0.02).all() and np.abs(b.loadings).sum() > np.abs(a.loadings).sum()
    assert "correlation" not in a.to_dict()


def test_cli_json_keys(capsys):
    ref = FIX["sim"]
    code = run(["efa", str(SIM), "--items", ",".join(ref["items"]), "--cor", "polychoric", "-k", "2",
                "--format", "json", "--parallel-iterations", "5"])
    out, err = capsys.readouterr()
    assert code == 0
    d = json.loads(out)
    assert d["correlation"] == "polychoric"
    assert d["correlation_matrix"]["a1"]["p3"] == pytest.approx(ref["rho"][0][7], abs=TOL)
    assert d["thresholds"]["a1"] == pytest.approx(ref["tau"][0], abs=1e-9)
    for key in ("n", "kmo", "bartlett", "parallel", "method", "rotation", "factors", "loadings",
                "communalities", "factor_correlations"):
        assert key in d


def test_cli_table_names_the_correlation(capsys):
    ref = FIX["sim"]
    code = run(["efa", str(SIM), "--items", ",".join(ref["items"]), "--cor", "polychoric", "-k", "2",
                "--format", "md", "--lang", "zh", "--parallel-iterations", "2"])
    out = capsys.readouterr().out
    assert code == 0 and "多分格相关" in out and "阈值" in out


def test_cli_refuses_continuous_items(tmp_path, capsys):
    p = tmp_path / "d.csv"
    rng = np.random.default_rng(3)
    pd.DataFrame({"x": rng.normal(size=50).round(3), "y": rng.integers(1, 6, 50), "z": rng.integers(1, 6, 50)}).to_csv(p, index=False)
    code = run(["efa", str(p), "--items", "x,y,z", "--cor", "polychoric", "-k", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "'x'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_api_efa_polychoric():
    import avoid_survey as av

    ref = FIX["sim"]
    res = av.efa(SIM, items=ref["items"], n_factors=2, cor="polychoric", parallel_iterations=2)
    assert res.to_dict()["correlation"] == "polychoric"
    np.testing.assert_allclose(res.raw.loadings, ref["loadings"], atol=TOL, rtol=0)
