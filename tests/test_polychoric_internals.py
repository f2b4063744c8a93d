"""The fast internals of the polychoric matrix against their plain definitions: the two-step
likelihood with fixed thresholds (analysis/numerics/twostep.py) against the rectangle
probabilities of bvnorm.py."""
from __future__ import annotations

import numpy as np
import pytest

from avoid_survey.analysis.numerics import polychoric as pc
from avoid_survey.analysis.numerics.twostep import PairLikelihood, fit_rho


def _tables(seed, P=12, A=4, B=5):
    rng = np.random.default_rng(seed)
    tx = np.sort(rng.normal(0, 1, (P, A)), axis=1)
    ty = np.sort(rng.normal(0, 1, (P, B)), axis=1)
    tx[::3, -1] = np.inf                    # padded categories (an item with fewer categories)
    ty[1::4, -2:] = np.inf
    freq = rng.integers(0, 40, (P, A + 1, B + 1)).astype(float)
    freq[:, :, 0] = 0                       # empty cells
    return freq, tx, ty


@pytest.mark.parametrize("rho", [0.0, 0.2, -0.5, 0.8, -0.93, 0.99, 0.9999])
def test_pair_likelihood_equals_rectangle_probabilities(rho):
    freq, tx, ty = _tables(3)
    P = freq.shape[0]
    r = np.full(P, rho) + np.linspace(-1e-3, 1e-3, P) * (abs(rho) < 0.99)
    ll, g, h = PairLikelihood(freq, tx, ty)(np.arange(P), r)
    d = pc.rectangle_probs(tx, ty, r, deriv=2)
    eps = np.sqrt(np.finfo(float).eps)
    ok = d["pi"] > eps
    safe = np.where(ok, d["pi"], 1.0)
    # (a cell of probability ~1e-8 has a relative error ~1e-8 from the 1e-16 ones of its corners)
    assert np.abs(ll - pc.pair_loglik(freq, tx, ty, r)).max() < 1e-12 * np.abs(ll).max()
    g_ref = np.where(ok, freq * d["dpi_drho"] / safe, 0).sum(axis=(1, 2))
    h_ref = np.where(ok, freq * d["d2pi_drho2"] / safe - freq * (d["dpi_drho"] / safe) ** 2, 0).sum(axis=(1, 2))
    assert np.abs(g - g_ref).max() < 1e-9 * np.abs(g_ref).max()
    assert np.abs(h - h_ref).max() < 1e-9 * np.abs(h_ref).max()


def test_pair_likelihood_of_a_subset_and_fit_at_the_maximum():
    freq, tx, ty = _tables(11)
    lik = PairLikelihood(freq, tx, ty)
    r = np.linspace(-0.9, 0.95, freq.shape[0])
    q = np.array([7, 2, 5])
    np.testing.assert_allclose(np.column_stack(lik(q, r[q])), np.column_stack(lik(np.arange(len(r)), r))[q], rtol=1e-12)
    rho, conv, _it = fit_rho(freq, tx, ty, start=np.zeros(len(r)), bounds=0.9999999)
    assert conv.all()
    _ll, g, _h = lik(np.arange(len(r)), rho)
    assert (np.abs(g) < 1e-10 * freq.sum(axis=(1, 2))).all()      # the score vanishes at the estimates
    for e in (1e-5, -1e-5):                     # and the likelihood is at its maximum
        assert (pc.pair_loglik(freq, tx, ty, rho + e) < pc.pair_loglik(freq, tx, ty, rho)).all()


# ----------------------------------------------------------------- categories and tables
def _brute_tables(X):
    """Each pair's table counted row by row over the pairwise-complete rows."""
    cats = [pc.categories(X[:, j]) for j in range(X.shape[1])]
    C = max(len(lv) for _i, lv in cats)
    a, b = np.triu_indices(X.shape[1], 1)
    out = np.zeros((len(a), C, C))
    for q, (i, j) in enumerate(zip(a, b)):
        for u, v in zip(cats[i][0], cats[j][0]):
            if u >= 0 and v >= 0:
                out[q, u, v] += 1
    return out, cats


@pytest.mark.parametrize("kind", ["codes", "gaps", "zero-based", "negative", "signed zero", "halves", "wide"])
def test_item_categories_and_pair_tables_equal_their_definitions(kind):
    rng = np.random.default_rng(len(kind))
    X = rng.integers(1, 6, (131, 5)).astype(float)        # 131 rows: not a whole number of 64-bit words
    X[rng.random(X.shape) < 0.1] = np.nan
    if kind == "gaps":
        X[X == 3] = 5
        X[:, 2][X[:, 2] == 1] = 12                        # codes 2, 4, 5, 12 in one item
    elif kind == "zero-based":
        X -= 1
    elif kind == "negative":
        X -= 3
    elif kind == "signed zero":
        X -= 3
        X[X == 0] = -0.0
    elif kind == "halves":
        X[:, 1] /= 2
    elif kind == "wide":
        X[:, 0][X[:, 0] == 5] = 40
    sets, levels, counts = pc._item_codes(X, [f"q{j}" for j in range(5)], 10)
    tables, cats = _brute_tables(X)
    for j, (idx, lv) in enumerate(cats):
        assert np.array_equal(levels[j], lv) and np.array_equal(np.signbit(levels[j]), np.signbit(lv))
        assert np.array_equal(counts[j, :len(lv)], np.bincount(idx[idx >= 0], minlength=len(lv)))
    assert np.array_equal(pc._pair_tables(sets), tables)


def test_item_categories_refuse_items_without_two_categories():
    X = np.array([[1, 2], [2, 2], [1, 2], [np.nan, np.nan]], float)
    with pytest.raises(pc.AvoidSurveyError, match="'b' has only one answer category"):
        pc._item_codes(X, ["a", "b"], 10)
    X[:, 1] = np.nan
    with pytest.raises(pc.AvoidSurveyError, match="'b' has no answers"):
        pc._item_codes(X, ["a", "b"], 10)


def test_set_bits_without_bitwise_count(monkeypatch):
    words = np.random.default_rng(1).integers(0, 2 ** 63, (3, 4, 7), dtype=np.uint64)
    want = np.array([[sum(bin(int(w)).count("1") for w in row) for row in m] for m in words])
    assert np.array_equal(pc._set_bits(words), want)
    monkeypatch.delattr(np, "bitwise_count", raising=False)       # numpy < 2
    assert np.array_equal(pc._set_bits(words), want)


def test_thresholds_of_all_items_at_once_equal_one_by_one():
    from avoid_survey.analysis.numerics.polyserial import _thresholds_from_counts

    counts = np.array([[5, 10, 3, 0, 0], [1, 1, 1, 1, 1], [7, 2, 0, 0, 0]], float)
    TH = _thresholds_from_counts(counts)
    for j, used in enumerate((3, 5, 2)):
        assert np.array_equal(TH[j, :used - 1], _thresholds_from_counts(counts[j, :used]))
        assert np.all(TH[j, used - 1:] == np.inf)           # padding: no threshold
    assert np.array_equal(TH[1], pc.norm_ppf([0.2, 0.4, 0.6, 0.8]))


def test_pair_likelihood_of_all_tables_in_another_order():
    freq, tx, ty = _tables(5)
    lik = PairLikelihood(freq, tx, ty)
    r = np.linspace(-0.6, 0.7, freq.shape[0])
    q = np.arange(len(r))[::-1]
    np.testing.assert_allclose(np.column_stack(lik(q, r[q])), np.column_stack(lik(np.arange(len(r)), r))[q], rtol=1e-12)
