"""The fast paths behind the speed goals give the numbers of the plain paths.

* careless indices: row blocks, int8 codes of complete data, float32-exact cross-products
  and Mahalanobis D² over two threads against the plain float computation, and against
  the values R printed (tests/reference/careless.R, psych::bfi);
* validate: the int8 path against the float path, and the background prescan of a large
  CSV against the inline scan (same report, same errors);
* cfa: a plain numeric CSV read without pandas (io.read_plain_numeric) against read_data;
* the JSON writer against json.loads.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avoid_survey.analysis.validate import careless as cl
from avoid_survey.analysis import io as aio
from avoid_survey.analysis.io import scan as ascan


def _codes(rng, n, k, lo=1, hi=5, dtype=np.int8):
    base = rng.integers(lo, hi + 1, size=(n, 1))
    noise = rng.integers(-1, 2, size=(n, k))
    x = np.clip(base + noise, lo, hi)
    x[: n // 20] = lo + (hi - lo) // 2          # a few straight-liners
    return [np.ascontiguousarray(x[:, j]).astype(dtype) for j in range(k)]


# ---------------------------------------------------------------- careless indices
def test_row_blocks_change_no_number(monkeypatch):
    rng = np.random.default_rng(5)
    cols = [c.astype(float) for c in _codes(rng, 5000, 12)]
    for c in cols:                                   # missing answers, some rows empty
        c[rng.random(c.size) < 0.1] = np.nan
    for c in cols:
        c[:7] = np.nan
    blocks = [cols[0:4], cols[4:8], cols[8:12]]
    monkeypatch.setattr(cl, "BLOCK", 10**9)
    ref = (cl.longstring(cols), cl._moments(cols), cl.even_odd(blocks, 2), cl.longstring_and_moments(cols))
    monkeypatch.setattr(cl, "BLOCK", 333)            # many blocks, a ragged last one
    got = (cl.longstring(cols), cl._moments(cols), cl.even_odd(blocks, 2), cl.longstring_and_moments(cols))
    np.testing.assert_array_equal(got[0], ref[0])
    for a, b in zip(got[1], ref[1]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got[2][0], ref[2][0])
    np.testing.assert_array_equal(got[2][1], ref[2][1])
    np.testing.assert_array_equal(got[3][0], ref[0])
    assert np.isnan(got[0][:7]).all() and not np.isnan(got[0][7:]).any()


@pytest.mark.parametrize("lo,hi,dtype", [(1, 5, np.int8), (0, 127, np.int8), (-3, 3, np.int8),
                                         (0, 1000, np.int16)])
def test_integer_codes_give_the_float_results(lo, hi, dtype, monkeypatch):
    monkeypatch.setattr(cl, "BLOCK", 700)
    rng = np.random.default_rng(hi)
    ints = _codes(rng, 6000, 10, lo, hi, dtype)
    flts = [c.astype(float) for c in ints]
    np.testing.assert_array_equal(cl.longstring(ints), cl.longstring(flts))
    for a, b in zip(cl._moments(ints), cl._moments(flts)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(cl.irv(ints), cl.irv(flts))
    a = lo + hi                                      # a reverse-keyed half of each scale
    from avoid_survey.analysis.validate.indices import Recoded as _Recoded

    rec_i = [[c if j % 2 else _Recoded(a, c) for j, c in enumerate(ints[s:s + 5])] for s in (0, 5)]
    rec_f = [[c if j % 2 else a - c for j, c in enumerate(flts[s:s + 5])] for s in (0, 5)]
    for x, y in zip(cl.even_odd(rec_i, 2), cl.even_odd(rec_f, 2)):
        np.testing.assert_array_equal(x, y)
    cov_i, cov_f = {}, {}
    d2_i, nc_i, ok_i = cl.mahalanobis(ints, chunk=512, cov_out=cov_i)
    d2_f, nc_f, ok_f = cl.mahalanobis(flts, chunk=512, cov_out=cov_f)
    assert ok_i and ok_f and nc_i == nc_f == 6000
    # integer cross-products are exact on both paths (float32 where it is exact)
    np.testing.assert_array_equal(cov_i["S"], cov_f["S"])
    np.testing.assert_array_equal(d2_i, d2_f)
    # two threads: the same sums for integer codes, float sums to rounding
    cov2 = {}
    d2_2, _, _ = cl.mahalanobis(ints, chunk=512, cov_out=cov2, workers=2)
    np.testing.assert_array_equal(cov2["S"], cov_i["S"])
    np.testing.assert_array_equal(d2_2, d2_i)
    d2_f2, _, _ = cl.mahalanobis(flts, chunk=512, workers=2)
    np.testing.assert_allclose(d2_f2, d2_f, rtol=1e-12)


def test_fast_paths_give_the_values_r_printed(monkeypatch):
    """tests/reference/careless.R on psych::bfi, through the fast paths: many row blocks,
    two threads for D², and the int8 codes of the complete rows. Longstring, IRV and
    even-odd are per row, and R's D² uses the complete cases only, so on the complete rows
    the int8 path must print R's values too."""
    ref = json.loads((Path(__file__).parent / "reference" / "careless.json").read_text())
    x = pd.read_csv(Path(__file__).parent / "reference" / "data" / "bfi.csv")
    cols = [x[c].to_numpy(float) for c in x.columns]

    def arr(key):
        return np.array([np.nan if v is None else v for v in ref[key]], dtype=float)

    monkeypatch.setattr(cl, "BLOCK", 300)
    np.testing.assert_array_equal(cl.longstring(cols), arr("longstring"))
    np.testing.assert_allclose(cl.irv(cols), arr("irv"), rtol=1e-12, atol=1e-12, equal_nan=True)
    d2, nc, ok = cl.mahalanobis(cols, chunk=256, workers=2)
    assert ok and nc == ref["n_complete"][0]
    np.testing.assert_allclose(d2, arr("mahad"), rtol=1e-10, equal_nan=True)
    rev = set(ref["reverse"])
    blocks = [[7 - c if name in rev else c for name, c in zip(x.columns, cols)][5 * f: 5 * f + 5] for f in range(5)]
    np.testing.assert_allclose(cl.even_odd(blocks, 3)[0], arr("evenodd"), rtol=1e-10, atol=1e-12, equal_nan=True)

    keep = ~np.isnan(np.column_stack(cols)).any(axis=1)
    ints = [c[keep].astype(np.int8) for c in cols]
    np.testing.assert_array_equal(cl.longstring(ints), arr("longstring")[keep])
    np.testing.assert_allclose(cl.irv(ints), arr("irv")[keep], rtol=1e-12, atol=1e-12)
    d2i, nci, oki = cl.mahalanobis(ints, chunk=256, workers=2)
    assert oki and nci == ref["n_complete"][0]
    np.testing.assert_allclose(d2i, arr("mahad")[keep], rtol=1e-10)
    from avoid_survey.analysis.validate.indices import Recoded as _Recoded

    iblocks = [[_Recoded(7, c) if name in rev else c for name, c in zip(x.columns, ints)][5 * f: 5 * f + 5]
               for f in range(5)]
    np.testing.assert_allclose(cl.even_odd(iblocks, 3)[0], arr("evenodd")[keep], rtol=1e-10, atol=1e-12,
                               equal_nan=True)


def test_mahalanobis_two_threads_with_missing_rows():
    rng = np.random.default_rng(11)
    cols = [c.astype(float) for c in _codes(rng, 4000, 8)]
    cols[3][rng.random(4000) < 0.05] = np.nan
    one = cl.mahalanobis(cols, chunk=256)
    two = cl.mahalanobis(cols, chunk=256, workers=2)
    assert one[1] == two[1] and one[2] and two[2]
    np.testing.assert_allclose(two[0], one[0], rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(np.isnan(two[0]), np.isnan(cols[3]))


# ---------------------------------------------------------------- validate
def _complete_file(tmp_path, n=3000):
    """A complete response file for the bundled fault-tolerance-trust instrument."""
    from avoid_survey.instruments import load_instrument

    inst = load_instrument("fault-tolerance-trust")
    rng = np.random.default_rng(3)
    cols = _codes(rng, n, len(inst.items))
    df = pd.DataFrame({it.id: c.astype(int) for it, c in zip(inst.items, cols)})
    path = tmp_path / "complete.csv"
    df.to_csv(path, index=False)
    return path, inst


def _report(path, inst):
    from avoid_survey.analysis.validate import validate

    r = validate(path, inst, thresholds={"even_odd_min_scales": 3})
    return r, json.loads(json.dumps(r.to_dict(), default=str))


def test_validate_int8_path_equals_the_float_path(tmp_path, monkeypatch):
    from avoid_survey.analysis.validate import indices as av

    path, inst = _complete_file(tmp_path)
    seen = []
    real = cl.longstring_and_moments
    monkeypatch.setattr(cl, "longstring_and_moments", lambda x: seen.append(x[0].dtype) or real(x))
    fast, fast_d = _report(path, inst)
    monkeypatch.setattr(av, "_INT8_CODES", False)
    slow, slow_d = _report(path, inst)
    assert seen == [np.dtype(np.int8), np.dtype(np.float64)]
    assert fast_d["summary"] == slow_d["summary"] and fast.n_warnings > 0
    for col in ("longstring", "irv", "even_odd"):
        np.testing.assert_array_equal(fast.indices[col].to_numpy(), slow.indices[col].to_numpy())
    np.testing.assert_allclose(fast.indices["mahalanobis_d2"], slow.indices["mahalanobis_d2"], rtol=1e-12)
    strip = lambda fs: [{k: v for k, v in f.items() if k not in ("value", "message")} for f in fs]  # noqa: E731
    assert strip(fast_d["findings"]) == strip(slow_d["findings"])


def test_prescan_gives_the_inline_scan_result(tmp_path, monkeypatch):
    path, inst = _complete_file(tmp_path, n=800)
    monkeypatch.setattr(ascan, "SCAN_BYTES", 10**12)   # small file: no scan at all
    _, plain = _report(path, inst)
    monkeypatch.setattr(ascan, "SCAN_BYTES", 1000)     # "large": scanned in the background
    calls = []
    real = ascan._scan_file
    monkeypatch.setattr(ascan, "_scan_file", lambda *a: calls.append(a[0]) or real(*a))
    _, pre = _report(path, inst)
    assert calls == [path] and not ascan._PRESCANS      # scanned once, result taken
    assert pre == plain


def test_prescan_errors_reach_the_caller(tmp_path, monkeypatch):
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    monkeypatch.setattr(ascan, "SCAN_BYTES", 100)
    p = tmp_path / "nul.csv"
    p.write_bytes(b"a,b\n" + b"1,2\n" * 100 + b"3,\x00\n")
    aio.prescan(p)
    with pytest.raises(AvoidSurveyError, match="NUL byte at byte offset 406"):
        aio.load(p)
    assert not ascan._PRESCANS


def test_a_prescan_the_run_did_not_take_is_dropped(tmp_path, monkeypatch):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.validate import validate

    monkeypatch.setattr(ascan, "SCAN_BYTES", 100)
    p = tmp_path / "d.csv"
    p.write_text("a,b\n" + "1,2\n" * 100)
    with pytest.raises(AvoidSurveyError):
        validate(p, tmp_path / "no-such-instrument.yaml")   # stops before reading the data
    assert not ascan._PRESCANS


def test_prescan_of_a_file_that_changed_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(ascan, "SCAN_BYTES", 100)
    p = tmp_path / "d.csv"
    p.write_text("a,b\n" + "1,2\n" * 100)
    aio.prescan(p)
    p.write_text("a,b,c\n" + "1,2,3\n" * 120)       # rewritten before it is read
    df = aio.load(p).frame
    assert list(df.columns) == ["a", "b", "c"] and len(df) == 120
    ascan._PRESCANS.clear()


# ---------------------------------------------------------------- plain numeric CSV
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), k=st.integers(2, 6), seed=st.integers(0, 10**6), bom=st.booleans(),
       crlf=st.booleans(), last_nl=st.booleans())
def test_plain_numeric_equals_read_data(tmp_path_factory, n, k, seed, bom, crlf, last_nl):
    rng = np.random.default_rng(seed)
    x = rng.integers(-1000, 1000, size=(n, k))
    names = [f"v{j}" if j % 2 else f"item_{j}.x" for j in range(k)]
    nl = "\r\n" if crlf else "\n"
    text = ",".join(names) + nl + nl.join(",".join(str(v) for v in row) for row in x) + (nl if last_nl else "")
    p = tmp_path_factory.mktemp("plain") / "d.csv"
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    fast = aio.read_plain_numeric(p)
    slow = aio.read_data(p)
    assert fast is not None and fast.columns == list(slow.columns)
    np.testing.assert_array_equal(fast.values, slow.to_numpy(float))
    np.testing.assert_array_equal(fast.matrix(names[::-1]), slow[names[::-1]].to_numpy(float))


@pytest.mark.parametrize("name,content", [
    ("decimals.csv", "a,b\n1.5,2\n"),
    ("empty_cell.csv", "a,b\n1,\n2,3\n"),
    ("text.csv", "a,b\n1,x\n"),
    ("quoted_header.csv", '"a","b"\n1,2\n'),
    ("spaces.csv", "a, b\n1,2\n"),
    ("dup.csv", "a,a\n1,2\n"),
    ("one_col.csv", "a\n1\n"),
    ("ragged.csv", "a,b\n1,2,3\n4\n"),
    ("blank_line.csv", "a,b\n1,2\n\n3,4\n"),
    ("semicolon.csv", "a;b\n1;2\n"),
    ("header_only.csv", "a,b\n"),
    ("chinese.csv", "题1,题2\n1,2\n"),
    ("lone_minus.csv", "a,b\n-,2\n"),
    ("cr_only.csv", "a,b\r1,2\r3,4\r"),
    ("plain.txt", "a,b\n1,2\n"),
])
def test_anything_else_takes_the_full_reader(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert aio.read_plain_numeric(p) is None


def test_missing_file_is_left_to_the_full_reader(tmp_path):
    assert aio.read_plain_numeric(tmp_path / "nope.csv") is None


def _cfa_data(path, n=600):
    rng = np.random.default_rng(21)
    eta = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    cols = {f"y{j + 1}": np.clip(np.round(3 + 1.1 * (0.7 * eta[:, j // 4] + 0.7 * rng.standard_normal(n))), 1, 5)
            .astype(int) for j in range(8)}
    pd.DataFrame(cols).to_csv(path, index=False)


MODEL = "F1 =~ y1 + y2 + y3 + y4\nF2 =~ y5 + y6 + y7 + y8"


def test_cfa_on_a_plain_csv_equals_the_pandas_path(tmp_path):
    from avoid_survey.analysis.stats.cfa import cfa

    p = tmp_path / "plain.csv"
    _cfa_data(p)
    fast = aio.read_plain_numeric(p)
    assert fast is not None
    a = cfa(fast, model=MODEL, file=str(p)).to_dict()
    b = cfa(aio.read_data(p), model=MODEL, file=str(p)).to_dict()
    assert json.dumps(a, default=str) == json.dumps(b, default=str)


def test_cfa_command_on_a_plain_csv_imports_no_pandas(tmp_path):
    p = tmp_path / "plain.csv"
    _cfa_data(p)
    txt = tmp_path / "same.txt"
    txt.write_bytes(p.read_bytes())                  # .txt: the full reader, with pandas
    fast = _run_cli(["cfa", p, "--model", MODEL, "--format", "json"])
    slow = _run_cli(["cfa", txt, "--model", MODEL, "--format", "json"])
    assert fast[1] is False and slow[1] is True
    assert fast[0] == slow[0]


def test_cfa_output_onto_a_plain_input_is_refused(tmp_path, cli):
    p = tmp_path / "plain.csv"
    _cfa_data(p)
    before = p.read_bytes()
    code, out, err = cli("cfa", p, "--model", MODEL, "--format", "json", "--output", p, "--force")
    assert code == 2 and "input" in err and p.read_bytes() == before


# ---------------------------------------------------------------- JSON writer
_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                          st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
_json = st.recursive(_json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                     max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_json_writer_round_trips(obj):
    from avoid_survey.cli.common import dumps_json

    assert json.loads(dumps_json(obj)) == obj


def test_json_writer_layout_and_nan():
    from avoid_survey.cli.common import dumps_json

    text = dumps_json({"n": 1, "findings": [{"row": 1, "value": math.nan}, {"row": 2, "value": 1.5}],
                       "fit": {"chisq": 3.0, "groups": [{"g": "a"}]}})
    assert text.splitlines() == [
        "{",
        '  "n": 1,',
        '  "findings": [',
        '    {"row": 1, "value": null},',
        '    {"row": 2, "value": 1.5}',
        "  ],",
        '  "fit": {',
        '    "chisq": 3.0,',
        '    "groups": [{"g": "a"}]',
        "  }",
        "}"]


# ---------------------------------------------------------------- plain CSV with an instrument
VAL_INST = Path(__file__).parent / "fixtures" / "validate" / "instrument.yaml"


def _inst_csv(path, rng, n=400, alias=True, bad=True):
    from avoid_survey.instruments import load_instrument

    inst = load_instrument(VAL_INST)
    ids = [it.id for it in inst.items]
    x = np.column_stack(_codes(rng, n, len(ids))).astype(int)
    if bad:
        x[3, 0], x[5, 2], x[7, 2] = 9, 0, 55            # codes outside 1..5
    heads = ["Q7_monitor" if (alias and i == "p7") else i for i in ids]
    df = pd.DataFrame(x, columns=heads)
    df.insert(0, "respondent_id", np.arange(1, n + 1))
    df["extra_col"] = rng.integers(0, 3, n)
    df.to_csv(path, index=False)
    return inst


def test_plain_numeric_with_an_instrument_equals_read_data(tmp_path):
    import warnings as w

    from avoid_survey.analysis.core.errors import DataWarning

    p = tmp_path / "d.csv"
    inst = _inst_csv(p, np.random.default_rng(8))
    with w.catch_warnings(record=True) as got_fast:
        w.simplefilter("always")
        fast = aio.read_plain_numeric(p, inst)
    with w.catch_warnings(record=True) as got_slow:
        w.simplefilter("always")
        slow = aio.read_data(p, inst)
    assert fast is not None and fast.columns == list(slow.columns) and "p7" in fast.columns
    items = [it.id for it in inst.items]
    np.testing.assert_array_equal(fast.matrix(items), slow[items].to_numpy(float))
    assert np.isnan(fast.matrix(["p1"])[3, 0]) and np.isnan(fast.matrix(["p3"])[[5, 7], 0]).all()
    msgs = lambda ws: [str(x.message) for x in ws if issubclass(x.category, DataWarning)]  # noqa: E731
    assert msgs(got_fast) == msgs(got_slow) and "3 answer(s) outside their response scale" in msgs(got_fast)[0]


def test_plain_numeric_with_two_headers_for_one_column_is_left_to_the_full_reader(tmp_path):
    p = tmp_path / "d.csv"
    inst = _inst_csv(p, np.random.default_rng(9), bad=False)
    df = pd.read_csv(p)
    df["p7"] = df["Q7_monitor"]                         # the id and its alias both present
    df.to_csv(p, index=False)
    assert aio.read_plain_numeric(p, inst) is None


def _run_cli(args):
    code = ("import json, sys\nfrom avoid_survey.cli.main import run\n"
            "try:\n    run(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps({'pandas': 'pandas' in sys.modules}), file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    return json.loads(r.stdout), json.loads(lines[-1])["pandas"], lines[:-1]


@pytest.mark.parametrize("command", [
    ["reliability", "--ci", "bootstrap", "--n-boot", "200", "--seed", "3"],
    ["cfa", "--scale", "pressure", "--scale", "trust"],
])
def test_commands_with_an_instrument_on_a_plain_csv(tmp_path, command):
    p = tmp_path / "d.csv"
    _inst_csv(p, np.random.default_rng(10))
    txt = tmp_path / "d.txt"
    txt.write_bytes(p.read_bytes())
    fast = _run_cli([command[0], p, "--instrument", VAL_INST, *command[1:], "--format", "json"])
    slow = _run_cli([command[0], txt, "--instrument", VAL_INST, *command[1:], "--format", "json"])
    assert fast[1] is False and slow[1] is True
    assert fast[0] == slow[0]
    # the out-of-range warning reaches the user on both paths, naming the file
    assert any("3 answer(s) outside their response scale" in x and "d.csv" in x for x in fast[2])
    assert any("3 answer(s) outside their response scale" in x and "d.txt" in x for x in slow[2])


def test_every_check_runs_with_one_blas_thread_and_restores_the_callers(monkeypatch):
    """validate_loaded limits BLAS to one thread for whoever calls it (validate, or the
    careless screening rules of other commands), so D²'s two threads do not oversubscribe the
    cores; the caller's limit is back afterwards."""
    from threadpoolctl import threadpool_info

    from avoid_survey.analysis.io import load
    from avoid_survey.analysis.validate import run
    from avoid_survey.analysis.validate.thresholds import Thresholds
    from avoid_survey.instruments import load_instrument

    def blas():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    seen = []
    real = cl.mahalanobis

    def spy(*a, **k):
        seen.append(blas())
        return real(*a, **k)

    monkeypatch.setattr(cl, "mahalanobis", spy)
    inst = load_instrument("blame-avoidance-core-v2")
    path = Path(__file__).resolve().parent.parent / "sample_data" / "responses.csv"
    before = blas()
    run.validate_loaded(path, inst, load(path, inst), Thresholds())
    assert seen and all(s == [1] * len(s) for s in seen)
    assert blas() == before
