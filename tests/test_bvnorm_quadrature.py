"""The Gauss-Legendre rule of the bivariate normal (analysis/numerics/bvnorm.py) against
numpy's ``leggauss``, which it replaces to keep ``numpy.polynomial`` out of start-up."""
import numpy as np
import pytest

from avoid_survey.analysis.numerics import bvnorm


@pytest.mark.parametrize("n", [2, 6, 12, 20, 40])
def test_nodes_and_weights_equal_leggauss(n):
    bvnorm._GL.pop(n, None)
    x, w = bvnorm._gauss_legendre(n)
    xr, wr = np.polynomial.legendre.leggauss(n)
    assert np.max(np.abs(x - xr)) < 1e-14
    assert np.max(np.abs(w - wr)) < 1e-14
    # the rule integrates polynomials of degree 2n - 1 exactly
    assert np.dot(w, x ** (2 * n - 2)) == pytest.approx(2.0 / (2 * n - 1), rel=1e-13)


def test_polychoric_start_up_needs_no_numpy_polynomial():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from avoid_survey.analysis.numerics.bvnorm import bvn_cdf; "
            "bvn_cdf(np.array([0.1, -0.5]), np.array([0.2, 1.0]), np.array([0.5, -0.95])); "
            "print('numpy.polynomial' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
