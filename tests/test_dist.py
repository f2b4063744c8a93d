"""analysis/dist.py stands in for scipy.stats / scipy.special (start-up time): same numbers."""
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

from avoid_survey.analysis.numerics import dist as D

XS = [1e-8, 1e-3, 0.05, 0.5, 1.0, 2.0, 3.84, 7.5, 15.0, 40.0, 120.0, 400.0, 2000.0]
DFS = [1, 2, 3, 4, 5, 7, 10, 24, 51, 100, 250, 1000]


def close(got, ref, rel):
    return abs(got - ref) <= rel * abs(ref) + 1e-300


def test_chi2_against_scipy():
    for df in DFS:
        for x in XS:
            assert close(D.chi2_sf(x, df), stats.chi2.sf(x, df), 1e-12), (x, df)
            assert close(D.chi2_cdf(x, df), stats.chi2.cdf(x, df), 1e-12), (x, df)
            assert close(D.gammainc_lower(df / 2, x / 2), special.gammainc(df / 2, x / 2), 1e-12)
            assert close(D.gammainc_upper(df / 2, x / 2), special.gammaincc(df / 2, x / 2), 1e-12)
        assert D.chi2_sf(2.5, df + 0.5) == pytest.approx(stats.chi2.sf(2.5, df + 0.5), rel=1e-12)
    assert D.chi2_sf(0.0, 3) == 1.0 and D.chi2_sf(-1.0, 3) == 1.0
    assert D.chi2_sf(math.inf, 3) == 0.0
    assert math.isnan(D.chi2_sf(float("nan"), 3))
    assert D.chi2_sf(2.0, 0) == 0.0 and D.chi2_sf(0.0, 0) == 1.0
    assert D.chi2_sf(np.float64(5.0), np.int64(2)) == pytest.approx(math.exp(-2.5), rel=1e-14)


def test_chibar_is_the_mixture():
    for x in [0.1, 1.0, 3.0, 9.0]:
        assert D.chibar_sf(x, 1) == pytest.approx(0.5 * stats.chi2.sf(x, 1), rel=1e-12)
        assert D.chibar_sf(x, 3) == pytest.approx(0.5 * stats.chi2.sf(x, 2) + 0.5 * stats.chi2.sf(x, 3), rel=1e-12)


def test_ncx2_against_scipy():
    for df in [1, 5, 24, 100]:
        for ncp in [0.0, 0.5, 5.0, 50.0, 400.0]:
            for x in [0.5, 5.0, 30.0, 150.0, 600.0]:
                ref = stats.ncx2.cdf(x, df, ncp) if ncp > 0 else stats.chi2.cdf(x, df)
                assert abs(D.ncx2_cdf(x, df, ncp) - ref) < 1e-10, (x, df, ncp)


def test_normal_against_scipy():
    for z in [-8.0, -3.0, -1.96, -0.5, 0.0, 0.3, 1.0, 2.5, 6.0, 30.0]:
        assert close(D.norm_sf(z), stats.norm.sf(z), 1e-12)  # both ~1e-13 off mpmath at z=30
        assert close(D.norm_cdf(z), special.ndtr(z), 1e-12)
        assert D.norm_pdf(z) == pytest.approx(stats.norm.pdf(z), rel=1e-13)
    arr = np.linspace(-6, 6, 25).reshape(5, 5)
    np.testing.assert_allclose(D.norm_cdf(arr), special.ndtr(arr), rtol=1e-13)
    np.testing.assert_allclose(D.norm_pdf(arr), stats.norm.pdf(arr), rtol=1e-13)
    for p in [1e-12, 1e-4, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999]:
        assert D.norm_ppf(p) == pytest.approx(special.ndtri(p), rel=1e-13)


def test_beta_f_t_against_scipy():
    for a, b in [(0.5, 0.5), (0.5, 12.0), (2.0, 3.0), (10.0, 0.5), (40.0, 60.0), (500.0, 3.0)]:
        for x in [1e-6, 0.01, 0.2, 0.5, 0.77, 0.99, 1 - 1e-7]:
            assert close(D.betainc(a, b, x), special.betainc(a, b, x), 1e-11), (a, b, x)
    for d1, d2 in [(1, 1), (1, 30), (2, 10), (3, 97), (5, 5000), (12, 400000)]:
        for f in [0.01, 0.5, 1.0, 2.5, 8.0, 60.0]:
            assert close(D.f_sf(f, d1, d2), stats.f.sf(f, d1, d2), 1e-11), (f, d1, d2)
        for p in [0.025, 0.5, 0.95, 0.975]:
            assert D.f_quantile(p, d1, d2) == pytest.approx(stats.f.ppf(p, d1, d2), rel=1e-11)
    assert math.isnan(D.f_sf(float("nan"), 2, 10))
    for df in [None, 1, 2, 3, 9, 30, 250, 10_000, 2_000_000]:
        for t in [0.0, 0.3, 1.0, 1.96, 4.0, 12.0, 40.0]:
            ref = 2 * (special.ndtr(-t) if df is None else special.stdtr(df, -t))
            # the continued fraction loses a few digits when a = df/2 is huge and x near the switch
            assert close(D.t_sf2(t, df), ref, 1e-11 if df is None or df < 100_000 else 1e-10), (t, df)
            assert D.t_sf2(-t, df) == D.t_sf2(t, df)
        for ci in [0.5, 0.9, 0.95, 0.99, 0.999]:
            q = 0.5 + ci / 2
            ref = special.ndtri(q) if df is None else special.stdtrit(df, q)
            assert D.t_crit(ci, df) == pytest.approx(ref, rel=1e-11), (ci, df)


def test_find_root():
    assert D.find_root(lambda x: x * x - 2, 0, 2) == pytest.approx(math.sqrt(2), abs=1e-9)
    with pytest.raises(ValueError):
        D.find_root(lambda x: x * x + 1, 0, 2)


def test_import_is_light():
    code = "import sys, avoid_survey.analysis.numerics.dist as d; d.t_crit(0.95, 10); d.chi2_sf(3, 2); d.f_sf(2, 3, 4); " \
           "print(sorted(m for m in ('numpy', 'scipy', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_pairwise_moments_equal_pandas_far_from_zero():
    """factor_utils.pairwise_cov/cor (used by reliability and efa) = R/pandas pairwise cov/cor."""
    import pandas as pd

    from avoid_survey.analysis.numerics import factor_utils as fu
    rng = np.random.default_rng(3)
    X = rng.normal(1000, 1, (400, 6))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 5] = np.round(X[:, 5])
    df = pd.DataFrame(X)
    np.testing.assert_allclose(fu.pairwise_cor(X), df.corr().to_numpy(), rtol=0, atol=1e-12)
    C, n = fu.pairwise_cov(X)
    np.testing.assert_allclose(C, df.cov().to_numpy(), rtol=1e-10, atol=0)
    assert n[0, 1] == int((~np.isnan(X[:, 0]) & ~np.isnan(X[:, 1])).sum())
    full = rng.normal(size=(50, 3))
    np.testing.assert_allclose(fu.pairwise_cor(full), np.corrcoef(full, rowvar=False), atol=1e-15)
