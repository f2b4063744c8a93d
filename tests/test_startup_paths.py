"""Start-up paths: idle OpenBLAS workers, the byte parser of plain numeric CSV files, lazy
package imports. Each gives the numbers of the path it shortcuts."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avoid_survey.analysis.io import plain


def _py(code: str, **env) -> str:
    e = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT")}
    e.update(env)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


# ---------------------------------------------------------------- idle BLAS threads
def test_api_imports_numpy_with_idle_workers_and_restores_the_environment():
    out = _py("import os, sys\n"
              "from avoid_survey.analysis.core import blas\n"
              "blas.import_numpy()\n"
              "print('numpy' in sys.modules, os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "True None"


def test_the_variable_is_set_while_numpy_loads():
    # a stand-in numpy module records the environment it was imported under
    out = _py("import os, sys, types\n"
              "class Finder:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name != 'numpy':\n"
              "            return None\n"
              "        import importlib.machinery as m\n"
              "        return m.ModuleSpec(name, self)\n"
              "    def create_module(self, spec):\n"
              "        mod = types.ModuleType('numpy'); mod.seen = os.environ.get('OPENBLAS_THREAD_TIMEOUT'); return mod\n"
              "    def exec_module(self, mod):\n"
              "        pass\n"
              "sys.meta_path.insert(0, Finder())\n"
              "from avoid_survey.analysis.core.blas import import_numpy\n"
              "print(import_numpy().seen, os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "4 None"


@pytest.mark.parametrize("var", ["OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"])
def test_a_user_setting_is_kept(var):
    out = _py("import os\n"
              "from avoid_survey.analysis.core.blas import idle_blas_threads\n"
              f"print(idle_blas_threads(), os.environ.get('OPENBLAS_THREAD_TIMEOUT'), os.environ.get({var!r}))",
              **{var: "9"})
    assert out == ("False 9 9" if var == "OPENBLAS_THREAD_TIMEOUT" else "False None 9")


def test_the_command_sets_it_for_its_process_and_loads_no_numpy_for_version():
    out = _py("import os, sys\n"
              "from avoid_survey.cli.main import run\n"
              "code = run(['--version'])\n"
              "print(code, os.environ.get('OPENBLAS_THREAD_TIMEOUT'), 'numpy' in sys.modules)")
    assert out.splitlines()[-1] == "0 4 False"


def test_no_setting_once_numpy_is_loaded():
    out = _py("import numpy, os\n"
              "from avoid_survey.analysis.core.blas import idle_blas_threads\n"
              "print(idle_blas_threads(), os.environ.get('OPENBLAS_THREAD_TIMEOUT'))")
    assert out == "False None"


# ---------------------------------------------------------------- plain numeric CSV bytes
_CELL = st.one_of(st.just(""), st.integers(-10**18 + 1, 10**18 - 1).map(str),
                  st.integers(0, 999).map(lambda v: "-" + str(v)),            # -0 included
                  st.integers(0, 99).map(lambda v: "00" + str(v)),            # leading zeros
                  st.sampled_from(["-", "1-2", "--3", "4-", "1234567890123456789"]))


@settings(max_examples=300, deadline=None)
@given(rows=st.integers(1, 6).flatmap(lambda k: st.lists(st.lists(_CELL, min_size=k, max_size=k), min_size=1,
                                                         max_size=6)),
       crlf=st.booleans(), last_nl=st.booleans(), empty_ok=st.booleans())
def test_byte_parser_equals_loadtxt(rows, crlf, last_nl, empty_ok):
    k = len(rows[0])
    if k < 2:
        return
    nl = "\r\n" if crlf else "\n"
    body = (nl.join(",".join(r) for r in rows) + (nl if last_nl else "")).encode()
    n_rec = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    fast = plain._whole_numbers(body, n_rec, k, empty_ok)
    slow = plain._loadtxt(body, empty_ok)
    if fast is None:   # left to loadtxt: only what the byte parser does not take
        cells = [c for r in rows for c in r]
        assert any(c.count("-") > (1 if c.startswith("-") else 0) or c == "-" or len(c.lstrip("-")) > 18
                   or (c == "" and not empty_ok) for c in cells)
        return
    assert slow is not None and fast.shape == slow.shape == (len(rows), k)
    np.testing.assert_array_equal(fast, slow)
    assert np.array_equal(np.signbit(fast), np.signbit(slow))   # -0 read as -0.0, as loadtxt


def test_byte_parser_reads_the_polychoric_bench_file_as_loadtxt(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(500, 24)).astype(float)
    x[rng.random(x.shape) < 0.05] = np.nan
    lines = [",".join(f"q{j}" for j in range(24))]
    lines += [",".join("" if v != v else str(int(v)) for v in row) for row in x]
    p = tmp_path / "d.csv"
    p.write_text("\n".join(lines) + "\n")
    fr = plain.read_plain_numeric(p, empty_ok=True)
    assert fr is not None
    np.testing.assert_array_equal(fr.values, x)


# ---------------------------------------------------------------- lazy packages
def test_reading_packages_load_their_modules_on_first_use():
    out = _py("import sys\n"
              "import avoid_survey.analysis.io.readopts, avoid_survey.analysis.validate.screening\n"
              "print(sorted(m for m in ('avoid_survey.analysis.io.load', 'avoid_survey.analysis.io.scan',\n"
              "                        'avoid_survey.analysis.validate.run', 'avoid_survey.analysis.validate.report')\n"
              "             if m in sys.modules))")
    assert out == "[]"


def test_lazy_names_are_the_modules_objects():
    import avoid_survey.analysis.io as aio
    import avoid_survey.analysis.io.load as load_mod   # binds the package's 'load' to the submodule...
    import avoid_survey.analysis.validate as aval
    from avoid_survey.analysis.io import load, plain as plain_mod, read
    from avoid_survey.analysis.io.registry import supported
    from avoid_survey.analysis.validate.run import validate

    assert load is aio.load and callable(load) and load.__module__ == "avoid_survey.analysis.io.load"  # ...not kept
    assert read is aio.read and plain_mod.NumericFrame is aio.NumericFrame
    assert aio.SUPPORTED == supported() and aval.validate is validate
    assert set(aio.__all__) <= set(dir(aio)) and set(aval.__all__) <= set(dir(aval))
    with pytest.raises(AttributeError):
        aio.no_such_name
    del load_mod


def test_polychoric_of_a_plain_csv_needs_no_pandas_nor_the_full_reader(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,c\n1,2,3\n2,,1\n3,3,2\n1,1,1\n2,2,3\n3,1,2\n")
    out = _py("import sys, avoid_survey as av\n"
              f"av.polychoric({str(p)!r}, method='psych')\n"
              "print([m for m in ('pandas', 'scipy', 'avoid_survey.analysis.io.load', 'avoid_survey.analysis.validate.run')\n"
              "       if m in sys.modules])")
    assert out.splitlines()[-1] == "[]"          # the entry (io.entry) reads it; io.load is not loaded


# ---------------------------------------------------------------- experiment reading and labels
_LABEL = st.text(alphabet="01ab\u00e9\u4e2d", min_size=0, max_size=3)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_LABEL, min_size=1, max_size=12), ids=st.lists(_LABEL.filter(bool), min_size=1, max_size=5,
                                                                       unique=True))
def test_byte_level_codes_and_texts_equal_the_bytes_comparisons(cells, ids):
    from avoid_survey.analysis.stats.experiment import data as D

    arr = np.array([c.encode() for c in cells])
    ref = np.full(len(arr), -1, dtype=np.int64)
    for k, lid in enumerate(ids):
        ref[arr == lid.encode()] = k
    got = D._level_positions(arr, ids)
    assert got.dtype == ref.dtype and np.array_equal(got, ref)
    try:
        texts = arr.astype(str)
    except UnicodeDecodeError:
        texts = np.asarray([c.decode() for c in arr.tolist()], dtype=str)
    fast = D._texts(arr)
    assert fast.dtype == texts.dtype and np.array_equal(fast, texts)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.text(alphabet="0123456789-. a", min_size=0, max_size=16), min_size=1, max_size=8))
def test_whole_number_bytes_equal_astype_float(cells):
    from avoid_survey.analysis.stats.experiment import data as D

    arr = np.array([c.encode() for c in cells])
    fast = D._whole_numbers(arr)
    if fast is None:
        return
    np.testing.assert_array_equal(fast, arr.astype(float))


@settings(max_examples=300, deadline=None)
@given(pool=st.lists(_LABEL, min_size=1, max_size=4), picks=st.lists(st.integers(0, 3), min_size=1, max_size=14),
       grouped=st.booleans())
def test_distinct_and_cluster_codes_equal_numpy_unique(pool, picks, grouped):
    from avoid_survey.analysis.stats.experiment.design import distinct
    from avoid_survey.analysis.stats.experiment.linalg import cluster_codes

    vals = [pool[i % len(pool)] for i in picks]
    if grouped:
        first_at = {v: i for i, v in reversed(list(enumerate(vals)))}
        vals.sort(key=first_at.__getitem__)
    arr = np.array(vals)
    assert np.array_equal(distinct(arr), np.unique(arr)) and distinct(arr).dtype == np.unique(arr).dtype
    _, first, inv = np.unique(arr, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    codes, g = cluster_codes(arr)
    assert g == len(first) and np.array_equal(codes, rank[inv.ravel()])


def test_ascii_fast_reader_equals_the_text_path(tmp_path):
    from avoid_survey.analysis.stats.experiment import data as D

    rng = np.random.default_rng(4)
    lines = ["respondent,task,a1,chosen"]
    lines += [f"{r},{t},l{rng.integers(1, 4)},{rng.integers(0, 2)}" for r in range(1, 60) for t in range(1, 12)]
    p = tmp_path / "c.csv"
    p.write_text("\n".join(lines) + "\n")
    fast = D._ascii_columns(p.read_bytes(), p)
    assert fast is not None
    text = p.read_text()
    p2 = tmp_path / "c2.csv"
    p2.write_bytes(b"\xef\xbb\xbf" + text.encode())     # a BOM: the general path
    slow = D._csv_columns(p2)
    assert D._ascii_columns(p2.read_bytes(), p2) is None
    assert fast.keys() == slow.keys()
    for h in fast:
        assert fast[h].dtype == slow[h].dtype and fast[h].tobytes() == slow[h].tobytes()
    # padded cells: not plain, left to the general path
    p3 = tmp_path / "c3.csv"
    p3.write_text("a,b\n1, 2\n")
    assert D._ascii_columns(p3.read_bytes(), p3) is None


def test_a_json_experiment_run_loads_no_catalogue_statistics_nor_numpy_ma(tmp_path):
    import shutil

    src = os.path.join(os.path.dirname(__file__), "..", "sample_data", "experiment")
    for f in ("conjoint.csv", "reform-conjoint.yaml"):
        shutil.copy(os.path.join(src, f), tmp_path / f)
    out = _py("import io, sys, contextlib\n"
              "from avoid_survey.cli.main import run\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              f"    code = run(['experiment', {str(tmp_path / 'conjoint.csv')!r}, '--instrument',\n"
              f"                {str(tmp_path / 'reform-conjoint.yaml')!r}, '--format', 'json'])\n"
              "print(code, [m for m in ('avoid_survey.analysis.core.i18n.common', 'statistics', 'numpy.ma', 'pandas')\n"
              "             if m in sys.modules])", AVOID_SURVEY_CACHE_DIR=str(tmp_path / "cache"))
    assert out.splitlines()[-1] == "0 []"


def test_norm_ppf_equals_normaldist():
    from statistics import NormalDist

    from avoid_survey.analysis.numerics.dist import norm_ppf

    rng = np.random.default_rng(2)
    for p in [*rng.random(2000), 1e-300, 1e-12, 0.5, 0.975, 1 - 1e-12]:
        assert norm_ppf(float(p)) == NormalDist().inv_cdf(float(p))


@settings(max_examples=300, deadline=None)
@given(vals=st.lists(st.one_of(st.integers(-5, 2000).map(float), st.sampled_from([0.0, -0.0, 2.5, float("nan"),
                                                                                    float("inf"), 1e300])),
                     min_size=0, max_size=25))
def test_whole_categories_equal_numpy_unique(vals):
    from avoid_survey.analysis.numerics.polyserial import categories

    x = np.array(vals, dtype=float)
    ok = ~np.isnan(x)
    levels, inv = np.unique(x[ok], return_inverse=True)
    idx, lv = categories(x)
    assert lv.dtype == levels.dtype and np.array_equal(lv, levels) and np.array_equal(np.signbit(lv), np.signbit(levels))
    ref = np.full(x.shape, -1, dtype=np.int64)
    ref[ok] = inv
    assert idx.dtype == ref.dtype and np.array_equal(idx, ref)


@settings(max_examples=300, deadline=None)
@given(rows=st.integers(2, 6).flatmap(lambda k: st.lists(st.lists(st.sampled_from(["", "0", "1", "5", "9"]),
                                                                   min_size=k, max_size=k), min_size=1, max_size=8)),
       crlf=st.booleans(), last_nl=st.booleans(), empty_ok=st.booleans())
def test_one_digit_cells_equal_loadtxt(rows, crlf, last_nl, empty_ok):
    """The one-digit path (answer codes 0-9 and empty cells, the usual Likert file)."""
    k = len(rows[0])
    nl = "\r\n" if crlf else "\n"
    body = (nl.join(",".join(r) for r in rows) + (nl if last_nl else "")).encode()
    n_rec = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    fast = plain._whole_numbers(body, n_rec, k, empty_ok)
    if any(c == "" for r in rows for c in r) and not empty_ok:
        assert fast is None
        return
    slow = plain._loadtxt(body, empty_ok)
    np.testing.assert_array_equal(fast, slow)


def test_plain_reader_names_its_file_as_pathlib_does():
    """``_path_text`` (pathlib kept off the API's start-up) equals ``str(Path(x))`` on odd
    paths: repeated and trailing separators, ``.`` and ``..`` parts, leading ``//``."""
    import itertools
    from pathlib import Path

    parts = ["a", ".", "..", "", "/", "//", " b", "c.csv"]
    for n in range(1, 4):
        for combo in itertools.product(parts, repeat=n):
            text = "/".join(combo) if combo[0] not in ("/", "//") else combo[0] + "/".join(combo[1:])
            if not text:
                continue
            assert plain._path_text(text) == str(Path(text)), text
