"""Numerical safety (issue 9): degenerate data gives a clear warning kept on the result (and
printed on stderr) or exit 2 with one line; never a traceback, never a silent NaN."""
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FUZZ_INSTR = Path(__file__).resolve().parent / "fixtures" / "fuzz" / "instrument.yaml"
ITEMS = ["a1", "a2", "a3", "b1", "b2", "b3"]


def make_data(n=80, seed=3):
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=n), rng.normal(size=n)
    d = pd.DataFrame({"respondent_id": range(1, n + 1)})
    for c, lat, sign in [("a1", f, 1), ("a2", f, 1), ("a3", f, -1), ("b1", g, 1), ("b2", g, 1), ("b3", g, 1)]:
        d[c] = np.clip(np.round(3 + sign * lat + rng.normal(size=n) * 0.7), 1, 5)
    return d


def write(tmp_path, frame, name="data.csv"):
    p = tmp_path / name
    frame.to_csv(p, index=False)
    return p


def one_error_line(code, out, err):
    assert code == 2, (code, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def no_silent_nan(payload, allowed_null_keys=()):
    """Every None/NaN number in a JSON payload sits under a key that is allowed to be empty."""
    bad = []

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, path + (k,))
        elif isinstance(o, list):
            for v in o:
                walk(v, path)
        elif o is None or (isinstance(o, float) and not math.isfinite(o)):
            if not any(k in path for k in allowed_null_keys):
                bad.append(".".join(map(str, path)))

    walk(payload, ())
    return bad


# structural nulls of reliability: not-applicable fields, not failed numbers
REL_NULLS = ("parent", "alpha_ci_bootstrap", "omega_h", "omega_total_sl", "n_boot", "seed")


# ----------------------------------------------------------------------- constant items

def test_constant_item_reliability_warns_and_has_no_nan(cli, tmp_path):
    d = make_data()
    d["a1"] = 3.0
    code, out, err = cli("reliability", write(tmp_path, d), "--instrument", FUZZ_INSTR, "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert any("'a1'" in w and "no variance" in w for w in res["warnings"])
    sa = next(s for s in res["scales"] if s["scale"] == "sa")
    assert math.isfinite(sa["alpha"])
    a1 = next(i for i in sa["items"] if i["item"] == "a1")
    # a constant item has no item-rest correlation: empty, but explained by the warning above
    assert a1["r_drop"] is None
    code, out, err = cli("reliability", write(tmp_path, d, "t.csv"), "--instrument", FUZZ_INSTR)
    assert code == 0 and "no variance" in err  # the warning reaches the terminal too
    assert "nan" not in out.lower()


@pytest.mark.parametrize("cmd", ["efa", "cfa"])
def test_constant_item_factor_analysis_exit_2(cli, tmp_path, cmd):
    d = make_data()
    d["a1"] = 3.0
    extra = ["--items", ",".join(ITEMS), "--factors", "2"] if cmd == "efa" else ["--instrument", FUZZ_INSTR]
    line = one_error_line(*cli(cmd, write(tmp_path, d), *extra))
    assert "'a1'" in line and "variance" in line


# ----------------------------------------------------------------------- one-item scale

@pytest.fixture
def one_item_instrument(tmp_path):
    text = FUZZ_INSTR.read_text(encoding="utf-8")
    for item in ("b2", "b3"):
        text = text.replace(f'      - {{id: {item}, text: {{en: "Item {item}", zh: "题目{item}"}}}}\n', "")
    p = tmp_path / "one.yaml"
    p.write_text(text, encoding="utf-8")
    assert "b2" not in text
    return p


def test_one_item_scale_reliability_warns(cli, tmp_path, one_item_instrument):
    code, out, err = cli("reliability", write(tmp_path, make_data()), "--instrument", one_item_instrument,
                         "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert any("'sb'" in w and "1 item" in w for w in res["warnings"])
    sb = next(s for s in res["scales"] if s["scale"] == "sb")
    assert sb["k"] == 1 and sb["alpha"] is None  # no alpha for one item, and the warning says why


def test_one_item_scale_cfa_names_the_scale(cli, tmp_path, one_item_instrument):
    data = write(tmp_path, make_data())
    line = one_error_line(*cli("cfa", data, "--instrument", one_item_instrument))
    assert "scale 'sb'" in line and "one item" in line and str(data) in line
    assert "line " not in line  # no line of a generated syntax the user never saw
    code, out, err = cli("cfa", data, "--instrument", one_item_instrument, "--scale", "sa", "--format", "json")
    assert code == 0


def test_one_item_scale_score_is_the_item(cli, tmp_path, one_item_instrument):
    d = make_data()
    out_file = tmp_path / "scores.csv"
    code, out, err = cli("score", write(tmp_path, d), "--instrument", one_item_instrument, "--out", out_file)
    assert code == 0
    scores = pd.read_csv(out_file, encoding="utf-8-sig")
    np.testing.assert_allclose(scores["sb"].to_numpy(), d["b1"].to_numpy())


# ----------------------------------------------------------------------- all-missing column

def test_all_missing_item_reliability_warns(cli, tmp_path):
    d = make_data()
    d["b2"] = np.nan
    code, out, err = cli("reliability", write(tmp_path, d), "--instrument", FUZZ_INSTR, "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert any("'b2'" in w for w in res["warnings"])
    sb = next(s for s in res["scales"] if s["scale"] == "sb")
    assert math.isfinite(sb["alpha"])
    assert next(i for i in sb["items"] if i["item"] == "b2")["n"] == 0


@pytest.mark.parametrize("cmd", ["efa", "cfa"])
def test_all_missing_item_factor_analysis_exit_2(cli, tmp_path, cmd):
    d = make_data()
    d["b2"] = np.nan
    extra = ["--items", ",".join(ITEMS), "--factors", "2"] if cmd == "efa" else ["--instrument", FUZZ_INSTR]
    one_error_line(*cli(cmd, write(tmp_path, d), *extra))


# ----------------------------------------------------------------------- n < k

@pytest.mark.parametrize("cmd", ["efa", "cfa"])
def test_fewer_rows_than_items_exit_2(cli, tmp_path, cmd):
    d = make_data().iloc[:5]
    extra = ["--items", ",".join(ITEMS), "--factors", "1"] if cmd == "efa" else ["--instrument", FUZZ_INSTR]
    line = one_error_line(*cli(cmd, write(tmp_path, d), *extra))
    assert "5" in line


def test_fewer_rows_than_items_reliability_no_crash(cli, tmp_path):
    d = make_data().iloc[:4]
    code, out, err = cli("reliability", write(tmp_path, d), "--instrument", FUZZ_INSTR, "--format", "json")
    assert code in (0, 2)
    if code == 2:
        one_error_line(code, out, err)


# ----------------------------------------------------------------------- EFA: too many factors

@pytest.mark.parametrize("k", [4, 6, 9])
def test_efa_too_many_factors_exit_2(cli, tmp_path, k):
    line = one_error_line(*cli("efa", write(tmp_path, make_data()), "--items", ",".join(ITEMS),
                               "--factors", k))
    assert "too many factors" in line


# ----------------------------------------------------------------------- CFA: non-PD covariance

def test_cfa_non_positive_definite_covariance_exit_2(cli, tmp_path):
    d = make_data()
    d["b3"] = d["b2"]  # an exact copy: the sample covariance matrix is singular
    line = one_error_line(*cli("cfa", write(tmp_path, d), "--instrument", FUZZ_INSTR))
    assert "positive definite" in line


# ----------------------------------------------------------------------- model

def _mdata(tmp_path):
    rng = np.random.default_rng(5)
    n = 60
    x = rng.normal(size=n)
    d = pd.DataFrame({"x": x, "x2": 2 * x, "z": rng.normal(size=n), "y": x + rng.normal(size=n),
                      "sep": (x > 0).astype(int), "ord": np.digitize(x, [-0.5, 0.5]) + 1})
    return write(tmp_path, d, "m.csv")


def _spec(tmp_path, family, formula):
    p = tmp_path / "spec.yaml"
    p.write_text(textwrap.dedent(f"""\
        data: {_mdata(tmp_path)}
        models:
          - name: m
            family: {family}
            formula: {formula}
        """), encoding="utf-8")
    return p


@pytest.mark.parametrize("family,formula", [("ols", "y ~ x + x2"), ("logit", "sep ~ z + x + x2"),
                                            ("ols", "y ~ x + z + x2")])
def test_model_singular_design_exit_2_naming_the_line(cli, tmp_path, family, formula):
    spec = _spec(tmp_path, family, formula)
    line = one_error_line(*cli("model", "--spec", spec))
    assert f"{spec}, line 5" in line and "'x2'" in line


@pytest.mark.parametrize("family", ["logit", "probit"])
def test_model_perfect_separation_warns_once(cli, tmp_path, family):
    spec = _spec(tmp_path, family, "sep ~ x")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    if code == 2:  # the information matrix is exactly singular: one line naming the model
        assert "separation" in one_error_line(code, out, err)
        return
    assert code == 0
    m = json.loads(out)["models"][0]
    sep = [w for w in m["warnings"] if "separation" in w]
    assert len(sep) == 1 and "not meaningful" in sep[0]   # once, not once per Newton step
    code, out, err = cli("model", "--spec", spec)
    assert sum("separation" in ln for ln in err.splitlines()) == 1


def test_model_ordinal_separation_warns(cli, tmp_path):
    spec = _spec(tmp_path, "ordinal", "ord ~ x")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0
    m = json.loads(out)["models"][0]
    assert any("separation" in w for w in m["warnings"]), m["warnings"]


def test_model_ordinal_without_separation_has_no_such_warning(cli, tmp_path):
    rng = np.random.default_rng(9)
    n = 200
    x = rng.normal(size=n)
    ordv = np.digitize(x + rng.logistic(size=n), [-1, 1]) + 1
    p = write(tmp_path, pd.DataFrame({"x": x, "ord": ordv}), "o.csv")
    spec = tmp_path / "o.yaml"
    spec.write_text(f"data: {p}\nmodels:\n  - {{name: m, family: ordinal, formula: ord ~ x}}\n", encoding="utf-8")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0
    m = json.loads(out)["models"][0]
    assert not any("separation" in w for w in m["warnings"])
    assert not no_silent_nan(m["coefficients"], ("std_estimate",))  # not defined for ordinal


# ----------------------------------------------------------------------- healthy data: no NaN at all

def test_healthy_data_has_no_nan_anywhere(cli, tmp_path):
    data = write(tmp_path, make_data(200))
    code, out, err = cli("reliability", data, "--instrument", FUZZ_INSTR, "--format", "json")
    assert code == 0 and not no_silent_nan(json.loads(out), REL_NULLS)
    code, out, err = cli("efa", data, "--items", ",".join(ITEMS), "--factors", "2", "--format", "json")
    assert code == 0 and not no_silent_nan(json.loads(out), ("parallel",))
    code, out, err = cli("cfa", data, "--instrument", FUZZ_INSTR, "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert not no_silent_nan(res["fit"]) and not no_silent_nan(res["factor_reliability"])
