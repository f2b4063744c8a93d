"""Polychoric / polyserial numerics against lavaan and psych
(tests/reference/polychoric.R -> polychoric.json)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.numerics import polychoric as pc

REF = Path(__file__).parent / "reference"
FIX = json.loads((REF / "polychoric.json").read_text(encoding="utf-8"))
ITEMS = FIX["items"]
LAVAAN = 1e-6     # lavaan's nlminb stops at rel.tol 1e-10: our Newton agrees to ~3e-8
PSYCH = 1e-4      # psych's optimize() stops at tol ~1.2e-4 over sadmvn (abseps 1e-6): agrees to ~3e-5
CLOSED = 1e-10


@pytest.fixture(scope="module")
def sim():
    return pd.read_csv(REF / "data" / "poly_sim.csv")


def _maxdiff(a, b):
    return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))


# ----------------------------------------------------------------- bivariate normal
def test_bvn_cdf_matches_integral_identity():
    from scipy.integrate import quad
    from scipy.special import ndtr

    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(400):
        h, k = rng.normal(0, 1.5, 2)
        r = rng.uniform(-1, 1) if rng.random() < 0.6 else math.copysign(rng.uniform(0.92, 0.9999), rng.normal())

        def f(s):
            return math.exp(-(h * h - 2 * s * h * k + k * k) / (2 * (1 - s * s))) / (2 * math.pi * math.sqrt(1 - s * s))

        ref = ndtr(h) * ndtr(k) + quad(f, 0, r, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
        worst = max(worst, abs(float(pc.bvn_cdf(h, k, r)) - ref))
    assert worst < 1e-13


def test_bvn_cdf_limits_and_symmetry():
    assert pc.bvn_cdf(np.inf, np.inf, 0.3) == 1.0
    assert pc.bvn_cdf(-np.inf, 0.2, 0.3) == 0.0
    assert pc.bvn_cdf(np.inf, 0.4, 0.9) == pytest.approx(float(pc.norm_cdf(0.4)), abs=1e-15)
    assert pc.bvn_cdf(0.0, 0.0, 0.5) == pytest.approx(0.25 + math.asin(0.5) / (2 * math.pi), abs=1e-15)
    assert pc.bvn_cdf(0.3, -1.1, 0.97) == pytest.approx(float(pc.bvn_cdf(-1.1, 0.3, 0.97)), abs=1e-15)


def test_rectangle_probs_sum_to_one_and_derivatives():
    tx = np.array([[-0.5, 0.3, 1.2, np.inf]])
    ty = np.array([[-1.0, 0.1, 0.9, 1.7]])
    d = pc.rectangle_probs(tx, ty, [0.4], deriv=2)
    assert d["pi"].sum() == pytest.approx(1.0, abs=1e-14)
    assert np.all(d["pi"][0, 4] == 0)          # padded category
    e = 1e-6
    num = (pc.rectangle_probs(tx, ty, [0.4 + e])["pi"] - pc.rectangle_probs(tx, ty, [0.4 - e])["pi"]) / (2 * e)
    assert _maxdiff(num, d["dpi_drho"]) < 1e-8
    num2 = (pc.rectangle_probs(tx, ty, [0.4 + e], deriv=1)["dpi_drho"]
            - pc.rectangle_probs(tx, ty, [0.4 - e], deriv=1)["dpi_drho"]) / (2 * e)
    assert _maxdiff(num2, d["d2pi_drho2"]) < 1e-7
    for j in range(3):
        up, dn = tx.copy(), tx.copy()
        up[0, j] += e
        dn[0, j] -= e
        num = (pc.rectangle_probs(up, ty, [0.4])["pi"] - pc.rectangle_probs(dn, ty, [0.4])["pi"]) / (2 * e)
        assert _maxdiff(num, d["dpi_dtx"][..., j]) < 1e-8
    for j in range(4):
        up, dn = ty.copy(), ty.copy()
        up[0, j] += e
        dn[0, j] -= e
        num = (pc.rectangle_probs(tx, up, [0.4])["pi"] - pc.rectangle_probs(tx, dn, [0.4])["pi"]) / (2 * e)
        assert _maxdiff(num, d["dpi_dty"][..., j]) < 1e-8


# ----------------------------------------------------------------- thresholds and pairs
def test_thresholds_closed_form():
    x = np.array([1, 1, 2, 3, 3, 3, np.nan, 5, 5, 2])      # 4 is never chosen: 4 categories
    t = pc.thresholds(x)
    assert len(t) == 3
    props = np.cumsum([2, 2, 3, 2])[:-1] / 9
    assert _maxdiff(t, pc.norm_ppf(props)) == 0


def test_thresholds_equal_lavaan(sim):
    X = sim[ITEMS].dropna()
    for it in ITEMS:
        assert _maxdiff(pc.thresholds(X[it]), FIX["lavaan_listwise"]["th"][it]) < 1e-9


def test_pair_equals_lavaan_and_scores_vanish_at_the_estimate(sim):
    X = sim[ITEMS].dropna()
    R = np.array(FIX["lavaan_listwise"]["rho"])
    rho, info = pc.polychoric_pair(X["a1"], X["p3"])
    assert rho == pytest.approx(R[0, 7], abs=LAVAAN)
    assert info["n"] == len(X) and info["converged"] and info["empty_cells"]
    tx, ty = pc.thresholds(X["a1"]), pc.thresholds(X["p3"])
    S = pc.pair_case_scores(X["a1"], X["p3"], tx, ty, rho)
    assert abs(S[:, 0].sum()) < 1e-6 * len(X)
    # threshold scores: the derivative of the bivariate log-likelihood, checked numerically
    freq = info["freq"][None]
    e = 1e-6
    for j in range(len(tx)):
        up, dn = tx.copy(), tx.copy()
        up[j] += e
        dn[j] -= e
        num = (pc.pair_loglik(freq, up[None], ty[None], [rho]) - pc.pair_loglik(freq, dn[None], ty[None], [rho])) / (2 * e)
        assert S[:, 1 + j].sum() == pytest.approx(float(num[0]), abs=1e-4)
    # univariate threshold scores sum to zero at the ML thresholds
    U = pc.threshold_case_scores(X["a1"], tx)
    assert np.abs(U.sum(axis=0)).max() < 1e-8


# ----------------------------------------------------------------- matrices
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_matrix_equals_lavcor(sim, missing):
    ref = FIX[f"lavaan_{missing}"]
    res = pc.polychoric_matrix(sim[ITEMS], missing=missing)
    assert res.method == "lavaan" and res.missing == missing and res.converged
    assert _maxdiff(res.rho, ref["rho"]) < LAVAAN
    for j, it in enumerate(ITEMS):
        assert _maxdiff(res.thresholds[j], ref["th"][it]) < 1e-9
    if missing == "listwise":
        assert res.n_obs == ref["n"]
    assert res.empty_cell_pairs      # skewed items: some pairs have empty cells
    d = res.to_dict()
    assert d["correlation_matrix"]["a1"]["p3"] == pytest.approx(ref["rho"][0][7], abs=LAVAAN)
    assert len(d["thresholds"]["a1"]) == 4


def test_matrix_equals_psych_global(sim):
    res = pc.polychoric_matrix(sim[ITEMS], method="psych")
    assert not res.local and res.missing == "pairwise"
    assert _maxdiff(res.rho, FIX["psych_global"]["rho"]) < PSYCH
    for j in range(len(ITEMS)):
        assert _maxdiff(res.thresholds[j], FIX["psych_global"]["tau"][j]) < 1e-9


@pytest.mark.parametrize("correct,key", [(0.5, "psych_local"), (0.0, "psych_local_nocorrect")])
def test_matrix_equals_psych_local(sim, correct, key):
    X = sim[ITEMS].copy()
    X.loc[X["p5"] == 5, "p5"] = 4              # p5's highest code differs: psych goes local
    res = pc.polychoric_matrix(X, method="psych", correct=correct)
    assert res.local
    assert _maxdiff(res.rho, FIX[key]["rho"]) < PSYCH


def test_local_correction_changes_the_estimate(sim):
    X = sim[ITEMS].copy()
    X.loc[X["p5"] == 5, "p5"] = 4
    a = pc.polychoric_matrix(X, method="psych", correct=0.5).rho
    b = pc.polychoric_matrix(X, method="psych", correct=0.0).rho
    assert _maxdiff(a, b) > 1e-3


def test_binary_items_equal_lavaan():
    ab = pd.read_csv(REF / "data" / "ability.csv")[FIX["binary"]["items"]]
    assert _maxdiff(pc.polychoric_matrix(ab).rho, FIX["binary"]["rho"]) < LAVAAN
    assert _maxdiff(pc.polychoric_matrix(ab, missing="pairwise").rho, FIX["binary"]["rho_pairwise"]) < LAVAAN


def test_bfi_six_point_with_missing():
    b = pd.read_csv(REF / "data" / "bfi.csv")[FIX["bfi"]["items"]]
    assert _maxdiff(pc.polychoric_matrix(b).rho, FIX["bfi"]["lavaan"]) < LAVAAN
    assert _maxdiff(pc.polychoric_matrix(b, method="psych").rho, FIX["bfi"]["psych"]) < PSYCH


def test_polyserial_equals_lavaan(sim):
    Y = sim[["a1", "a2", "p1", "x_cont"]].dropna()
    R = np.array(FIX["polyserial"]["rho"])
    for j, c in enumerate(["a1", "a2", "p1"]):
        assert pc.polyserial(Y["x_cont"], Y[c]) == pytest.approx(R[3, j], abs=1e-6)


def test_two_by_two_rules():
    # two empty cells: perfect association, as lavaan
    x = np.array([0, 0, 1, 1, 0, 1])
    assert pc.polychoric_pair(x, x)[0] == 1.0
    assert pc.polychoric_pair(x, 1 - x)[0] == -1.0
    # independence table: 0
    x = np.array([0, 0, 1, 1])
    y = np.array([0, 1, 0, 1])
    assert pc.polychoric_pair(x, y)[0] == 0.0


def test_refuses_items_that_are_not_ordinal():
    X = pd.DataFrame({"q1": [1, 2, 3, 1, 2], "q2": [3, 3, 3, 3, np.nan]})
    with pytest.raises(AvoidSurveyError, match="item 'q2'.*only one answer category"):
        pc.polychoric_matrix(X)
    Y = pd.DataFrame({"q1": [1, 2, 3, 1, 2] * 3, "age": np.arange(15) * 1.5})
    with pytest.raises(AvoidSurveyError, match="item 'age' has 15 distinct values"):
        pc.polychoric_matrix(Y)


def test_array_input_and_psych_listwise_refused():
    X = np.array([[1, 2], [2, 2], [3, 1], [1, 1], [2, 3], [3, 3]], float)
    res = pc.polychoric_matrix(X)
    assert res.items == ("V1", "V2") and res.rho.shape == (2, 2)
    with pytest.raises(AvoidSurveyError, match="pairwise"):
        pc.polychoric_matrix(X, method="psych", missing="listwise")


def test_cor_smooth_makes_positive_definite():
    R = np.array([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    S, done = pc.cor_smooth(R)
    assert done and np.linalg.eigvalsh(S).min() > 0 and np.allclose(np.diag(S), 1)


# ----------------------------------------------------------------- reading and the Python API
@pytest.mark.parametrize("content", ["a,b,c\n1,,3\n,2,\n4,5,6\n", "a,b\r\n1,\r\n,2\r\n", "a,b\n,\n1,2\n",
                                     "a,b\n1,2\n3,"])
def test_plain_reader_takes_empty_cells_as_missing_when_asked(tmp_path, content):
    from avoid_survey.analysis.io import read_data, read_plain_numeric

    p = tmp_path / "d.csv"
    p.write_bytes(content.encode())
    from avoid_survey.analysis.io import read

    assert read_plain_numeric(p) is None                   # the default is unchanged
    fast = read_plain_numeric(p, empty_ok=True)
    assert fast is not None
    slow = read_data(p)
    # through the one reading entry the fast path gives the full reader's frame (a blank row,
    # which every command drops, sends the file to the full reader)
    entry = read(p, numeric_ok=True, empty_ok=True)
    values = entry.values if hasattr(entry, "matrix") else entry.to_numpy(float)
    assert list(entry.columns) == list(slow.columns)
    np.testing.assert_array_equal(values, slow.to_numpy(float))
    blank = np.isnan(fast.values).all(axis=1)
    np.testing.assert_array_equal(fast.values[~blank], slow.to_numpy(float))


def test_api_polychoric_path_and_frame(sim, tmp_path):
    import avoid_survey as av

    p = tmp_path / "sim.csv"
    sim[ITEMS].to_csv(p, index=False)           # empty cells: the plain reader with empty_ok
    res = av.polychoric(p)
    assert _maxdiff(res.raw.rho, FIX["lavaan_listwise"]["rho"]) < LAVAAN
    res2 = av.polychoric(sim, items=ITEMS, method="psych")
    assert _maxdiff(res2.raw.rho, FIX["psych_global"]["rho"]) < PSYCH
    d = res.to_dict()
    assert set(d) >= {"correlation_matrix", "thresholds"}
    assert d["thresholds"]["p5"] == pytest.approx(FIX["lavaan_listwise"]["th"]["p5"], abs=1e-9)
    frame = res.to_frame()
    assert frame.loc["a1", "p3"] == pytest.approx(FIX["lavaan_listwise"]["rho"][0][7], abs=LAVAAN)
    assert list(res.to_frame("thresholds").columns) == ["t1", "t2", "t3", "t4"]
    assert "a1" in res.to_table(lang="en").render("md")


def test_norm_ppf_and_cdf_full_precision():
    from statistics import NormalDist

    ps = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 2001), [1e-12, 1e-300, 0.5, 0.02, 0.98, 1 - 1e-12]])
    ref = np.array([NormalDist().inv_cdf(v) for v in ps])
    assert np.max(np.abs(pc.norm_ppf(ps) - ref) / np.maximum(1, np.abs(ref))) < 1e-14
    assert list(pc.norm_ppf([0.0, 1.0])) == [-np.inf, np.inf] and np.isnan(pc.norm_ppf([np.nan])[0])
    x = np.linspace(-8, 8, 1001)
    assert np.max(np.abs(pc.norm_cdf(x) - np.array([NormalDist().cdf(v) for v in x]))) < 1e-15


def test_case_scores_equal_lavaan(sim):
    """Per-case scores of the pair (rho, thresholds) and of one item's thresholds, as
    lavaan's lav_bvord_cor_scores / lav_uvord_scores (the pieces of the WLSMV weight matrix)."""
    s = FIX["scores"]
    X = sim[ITEMS].dropna()
    tx, ty = pc.thresholds(X["a1"]), pc.thresholds(X["p3"])
    S = pc.pair_case_scores(X["a1"], X["p3"], tx, ty, s["rho"])
    assert _maxdiff(S[:, 0], s["dx_rho"]) < 1e-10
    assert _maxdiff(S[:, 1:5], s["dx_th_y1"]) < 1e-10
    assert _maxdiff(S[:, 5:], s["dx_th_y2"]) < 1e-10
    assert _maxdiff(pc.threshold_case_scores(X["a1"], tx), s["uni_a1"]) < 1e-10


def test_pair_without_common_answers_is_nan():
    X = pd.DataFrame({"q1": [1, 2, 3, 1, np.nan, np.nan, np.nan], "q2": [np.nan, np.nan, np.nan, np.nan, 1, 2, 2],
                      "q3": [1, 2, 2, 1, 1, 2, 3]})
    for method in ("lavaan", "psych"):
        res = pc.polychoric_matrix(X, method=method, missing="pairwise")
        assert np.isnan(res.rho[0, 1]) and np.isfinite(res.rho[0, 2]) and res.n[0, 1] == 0


def test_case_scores_of_the_whole_matrix(sim):
    res = pc.polychoric_matrix(sim[ITEMS])
    cs = pc.case_scores(sim[ITEMS], res)
    X = sim[ITEMS].dropna()
    assert cs["rows"].sum() == len(X) == cs["rho"].shape[0]
    assert cs["th"].shape == (len(X), sum(len(t) for t in res.thresholds))
    assert cs["rho"].shape[1] == len(ITEMS) * (len(ITEMS) - 1) // 2
    q = [tuple(p) for p in cs["pairs"]].index((0, 7))                 # a1 x p3
    one = pc.pair_case_scores(X["a1"], X["p3"], res.thresholds[0], res.thresholds[7], res.rho[0, 7])
    assert _maxdiff(cs["rho"][:, q], one[:, 0]) < 1e-12
    assert _maxdiff(cs["rho"][:, q], FIX["scores"]["dx_rho"]) < 1e-6      # lavaan's, at lavaan's rho
    assert np.abs(cs["rho"].sum(axis=0)).max() < 1e-5 * len(X)           # scores vanish at the estimates
    assert np.abs(cs["th"].sum(axis=0)).max() < 1e-8


@pytest.mark.parametrize("missing,key", [("listwise", "rho"), ("pairwise", "rho_pairwise")])
def test_mixed_ordinal_and_continuous_equal_lavcor(sim, missing, key):
    Y = sim[["a1", "a2", "p1", "x_cont"]]
    res = pc.polychoric_matrix(Y, ordered=["a1", "a2", "p1"], missing=missing)
    assert _maxdiff(res.rho, FIX["polyserial"][key]) < 1e-6
    assert res.continuous == ("x_cont",) and "x_cont" not in res.to_dict()["thresholds"]
    with pytest.raises(AvoidSurveyError, match="method='lavaan'"):
        pc.polychoric_matrix(Y, ordered=["a1"], method="psych")
