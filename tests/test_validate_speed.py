"""The shortcuts ``validate`` takes on large files give exactly what the general code gives."""
from __future__ import annotations

import numpy as np
import pytest

from avoid_survey.analysis.validate import values as av


class _Fmt:
    type = "likert"

    def __init__(self, lo, hi):
        self.min, self.max = lo, hi


def _general(x, fmt, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(av, "_all_codes", lambda x, fmt: None)
        st = {}
        bad, allowed = av.out_of_range(x, fmt, st)
    return bad, allowed, st


@pytest.mark.parametrize("odd", [None, np.nan, 2.5, 9.0, 0.0, np.inf, -np.inf, 1e300, 200.0, -200.0, 127.0, 128.0])
@pytest.mark.parametrize("where", [0, 40_000, 69_999])
@pytest.mark.parametrize("lo, hi", [(1, 5), (1.5, 5), (0, 10), (-128, 127)])
def test_range_check_shortcut_equals_the_general_check(odd, where, lo, hi, monkeypatch):
    rng = np.random.default_rng(where)
    x = rng.integers(2, 5, 70_000).astype(float)
    if odd is not None:
        x[where] = odd
    fmt = _Fmt(lo, hi)
    st = {}
    bad, allowed = av.out_of_range(x, fmt, st)
    gbad, gallowed, gst = _general(x, fmt, monkeypatch)
    if bad is None:   # the shortcut: nothing out of range
        assert not gbad.any()
    else:
        np.testing.assert_array_equal(bad, gbad)
    assert allowed == gallowed and st["nan"] == gst["nan"]
    if gst["int8"] is None:
        assert st["int8"] is None
    else:
        assert st["int8"].dtype == np.int8
        np.testing.assert_array_equal(st["int8"], gst["int8"])


def test_range_check_shortcut_on_no_rows():
    st = {}
    bad, _ = av.out_of_range(np.zeros(0), _Fmt(1, 5), st)
    assert (bad is None or bad.size == 0) and st["nan"] == 0 and st["int8"].size == 0
