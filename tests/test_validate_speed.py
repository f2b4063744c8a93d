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


def _file(tmp_path, n=2500, constant=None, blank_row=False):
    import pandas as pd

    from avoid_survey.instruments import load_instrument

    inst = load_instrument("fault-tolerance-trust")
    rng = np.random.default_rng(5)
    base = rng.integers(1, 6, size=(n, 1))
    x = np.clip(base + rng.integers(-1, 2, size=(n, len(inst.items))), 1, 5)
    df = pd.DataFrame({it.id: x[:, j] for j, it in enumerate(inst.items)})
    if constant is not None:
        df[inst.items[constant].id] = 4
    if blank_row:
        df = df.astype(float)
        df.iloc[7] = np.nan
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    return path, inst


def _json(path, inst):
    from avoid_survey.analysis.validate import validate

    r = validate(path, inst, thresholds={"even_odd_min_scales": 3})
    return r.to_dict()


@pytest.mark.parametrize("constant, blank_row", [(None, False), (0, False), (3, True)])
def test_validate_shortcuts_give_the_general_report(tmp_path, monkeypatch, constant, blank_row):
    """The range-check shortcut and the int8 item checks against the general code: the
    same findings and counts."""
    from avoid_survey.analysis.validate import indices

    path, inst = _file(tmp_path, constant=constant, blank_row=blank_row)
    fast = _json(path, inst)
    zero = [f for f in fast["findings"] if f["code"] == "zero-variance"]
    assert (zero[0]["value"] == 4.0 and zero[0]["column"] == inst.items[constant].id) if constant is not None \
        else not zero
    with monkeypatch.context() as m:
        m.setattr(av, "_all_codes", lambda x, fmt: None)
        m.setattr(indices, "_INT8_CODES", False)
        slow = _json(path, inst)
    strip = lambda fs: [{k: v for k, v in f.items() if k not in ("value", "message")} for f in fs]  # noqa: E731
    assert fast["summary"] == slow["summary"] and fast["screening"] == slow["screening"]
    assert strip(fast["findings"]) == strip(slow["findings"])
    assert [f for f in slow["findings"] if f["code"] == "zero-variance"] == zero


@pytest.mark.parametrize("holes", [[], [0], [0, 1], "all"])
def test_blank_rows_shortcut(holes):
    """A column answered on every row ends the blank-row search early: the same mask."""
    from types import SimpleNamespace

    import pandas as pd

    from avoid_survey.analysis.validate.screening import _blank

    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.integers(1, 6, size=(200, 3)).astype(float), columns=["a", "b", "c"])
    cols = list(df.columns) if holes == "all" else [df.columns[j] for j in holes]
    for c in cols:
        df.loc[rng.random(200) < 0.5, c] = np.nan
    if holes == "all":   # blank rows only when no column is complete (else the shortcut)
        df.loc[[3, 9], :] = np.nan
    bad = {"a": (np.array([9]), np.array(["x"]))}
    ld = SimpleNamespace(frame=df, bad_cells=bad, platform={})
    ref = ~df.notna().any(axis=1).to_numpy()
    ref[9] = False
    got = _blank(ld, ["a", "b", "c"])
    np.testing.assert_array_equal(got, ref)
    assert (got.sum() > 0) == (holes == "all")


def test_scan_gap_bound_never_hides_a_long_line():
    """The scan's cheap bound of the longest line: at most MAX_RECORD_BYTES, never below the
    longest gap between newlines, and None (measure exactly) whenever a line is longer."""
    from avoid_survey.analysis.io import scan

    rng = np.random.default_rng(0)
    cap = scan.MAX_RECORD_BYTES
    for n, k in [(3 * cap, 3), (3 * cap, 8), (2 * cap, 30), (cap + 7, 2), (cap // 3, 5), (5, 1)] * 20:
        pos = np.sort(rng.choice(n, size=k, replace=False))
        b = bytearray(b"x" * n)
        for p in pos.tolist():
            b[p] = 10
        b = bytes(b)
        exact = int(np.diff(pos).max()) if pos.size > 1 else 0
        g = scan._gap_bound(b, b.find(b"\n"), b.rfind(b"\n"))
        if exact > cap:
            assert g is None
        if g is not None:
            assert exact <= g <= cap
        if exact <= cap // 2:
            assert g is not None


def test_scan_finds_a_long_record_in_a_large_file(tmp_path, monkeypatch):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.io import load, scan

    monkeypatch.setattr(scan, "SCAN_BYTES", 1000)
    p = tmp_path / "long.csv"
    p.write_bytes(b"a,b\n" + b"1,2\n" * 5000 + b"3," + b"9" * (scan.MAX_RECORD_BYTES + 10) + b"\n" + b"1,2\n" * 10)
    with pytest.raises(AvoidSurveyError, match="longer than"):
        load(p)
