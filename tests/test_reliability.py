"""Reliability against R psych (tests/reference/reliability.R -> reliability.json)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.io import read_data
from avoid_survey.analysis.stats.reliability import bootstrap_alpha, pairwise_cov, reliability
from avoid_survey.instruments import load_instrument

REF = Path(__file__).parent / "reference"
FIX = json.loads((REF / "reliability.json").read_text(encoding="utf-8"))
SETS = {"bfi": ("reliability_bfi.yaml", "bfi.csv"),
        "ability": ("reliability_ability.yaml", "ability.csv"),
        "holzinger": ("reliability_holzinger.yaml", "hs_holzinger1939.csv"),
        "holzinger2": ("reliability_holzinger2.yaml", "hs_holzinger1939.csv"),
        # our sample data (snapshot of sample_data/responses.csv) with the bundled instrument
        "sample": ("blame-avoidance-core", "reliability_sample.csv")}
CLOSED = 1e-6   # closed-form statistics (alpha, std alpha, lambda6, r.drop, alpha if deleted, Feldt CI)
OMEGA = 1e-4    # iterative (minres + oblimin): R stops L-BFGS-B / GPFoblq at its own tolerances


def _load(name):
    yml, csv = SETS[name]
    inst = load_instrument(yml if not yml.endswith(".yaml") else REF / yml)
    return inst, read_data(REF / "data" / csv, inst)


@pytest.fixture(scope="module", params=[(s, m) for s in SETS for m in ("pairwise", "listwise")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def case(request):
    name, missing = request.param
    inst, df = _load(name)
    with pytest.warns() if name == "bfi" else _nullctx():
        res = reliability(df, inst, missing=missing)
    return res, FIX[name][missing]


class _nullctx:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def close(a, b, tol):
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return abs(a - b) <= tol


def test_scale_statistics_equal_psych(case):
    res, ref = case
    assert {s.scale for s in res.scales} == set(ref)
    for s in res.scales:
        r = ref[s.scale]
        assert (s.n, s.k) == (r["n"], r["k"]), s.scale
        for key in ("alpha", "alpha_std", "lambda6", "average_r", "alpha_se", "mean", "sd"):
            assert close(getattr(s, key), r[key], CLOSED), (s.scale, key, getattr(s, key), r[key])
        assert np.allclose(s.alpha_ci_feldt, r["feldt"], atol=CLOSED, rtol=0), s.scale
        assert tuple(s.alpha_ci) == tuple(s.alpha_ci_feldt)


def test_item_statistics_equal_psych(case):
    res, ref = case
    for s in res.scales:
        r = ref[s.scale]["items"]
        for it in s.items:
            ri = r[it.item]
            assert it.n == ri["n"]
            for key in ("mean", "sd", "r_drop", "raw_r", "alpha_if_deleted", "alpha_std_if_deleted",
                        "lambda6_if_deleted"):
                if s.k < 3 and key.endswith("_if_deleted"):
                    # psych fills "alpha if deleted" of a 2-item scale with cov/var ratios; we give NaN
                    assert math.isnan(getattr(it, key))
                    continue
                assert close(getattr(it, key), ri[key], CLOSED), (s.scale, it.item, key, getattr(it, key), ri[key])


def test_omega_equal_psych(case):
    res, ref = case
    for s in res.scales:
        r = ref[s.scale]
        assert close(s.omega_total, r["omega_total"], OMEGA), (s.scale, s.omega_total, r["omega_total"])
        if s.facets:
            assert close(s.omega_h, r["omega_h"], OMEGA), (s.scale, s.omega_h, r["omega_h"])
            assert close(s.omega_total_sl, r["omega_total_sl"], OMEGA), (s.scale, s.omega_total_sl)
        else:
            assert math.isnan(s.omega_h) and math.isnan(s.omega_total_sl)


# ----------------------------------------------------------------- bootstrap, warnings, CLI
import pandas as pd  # noqa: E402

from avoid_survey.cli.main import run  # noqa: E402


def test_pairwise_cov_equals_pandas():
    rng = np.random.default_rng(0)
    X = rng.integers(1, 6, size=(200, 5)).astype(float)
    X[rng.random(X.shape) < 0.15] = np.nan
    C, _n = pairwise_cov(X)
    assert np.allclose(C, pd.DataFrame(X).cov().to_numpy(), atol=1e-12)


def test_bootstrap_is_seeded_vectorised_and_sensible():
    inst, df = _load("bfi")
    X = df[["A2", "A3", "A4", "A5"]].to_numpy(float)
    lo, hi, vals = bootstrap_alpha(X, n_boot=500, seed=7)
    lo2, hi2, _ = bootstrap_alpha(X, n_boot=500, seed=7, chunk=37)  # chunking does not change draws' use
    assert vals.shape == (500,) and np.isfinite(vals).all()
    assert (lo, hi) == pytest.approx((np.quantile(vals, 0.025), np.quantile(vals, 0.975)))
    # same seed, same interval whatever the chunk size
    assert lo2 == pytest.approx(lo, abs=0.02) and hi2 == pytest.approx(hi, abs=0.02)
    # one resample by hand equals the vectorised value
    rng = np.random.default_rng(3)
    idx = rng.integers(0, X.shape[0], size=X.shape[0])
    C, _ = pairwise_cov(X[idx])
    k = 4
    by_hand = (1 - np.trace(C) / C.sum()) * k / (k - 1)
    _lo, _hi, one = bootstrap_alpha(X, n_boot=1, seed=3)
    assert one[0] == pytest.approx(by_hand, abs=1e-10)
    res = reliability(df, inst, scales=["agree"], ci="bootstrap", n_boot=400, seed=1)
    s = res.scale("agree")
    assert s.alpha_ci_method == "bootstrap" and s.alpha_ci == s.alpha_ci_bootstrap
    assert s.alpha_ci[0] < s.alpha < s.alpha_ci[1]
    assert abs(s.alpha_ci[0] - s.alpha_ci_feldt[0]) < 0.02
    again = reliability(df, inst, scales=["agree"], ci="bootstrap", n_boot=400, seed=1)
    assert again.scale("agree").alpha_ci == s.alpha_ci


def _small_instrument(tmp_path, body):
    y = tmp_path / "inst.yaml"
    y.write_text('id: small\nversion: "1.0"\ntitle: {en: "Small", zh: "小"}\n'
                 'response: {type: likert, min: 1, max: 5, labels: {1: {en: "No", zh: "否"}, 5: {en: "Yes", zh: "是"}}}\n'
                 "scales:\n" + body, encoding="utf-8")
    return load_instrument(y), y


def _items(prefix, n, rev=()):
    return "".join(f'      - {{id: {prefix}{i}, {"reverse: true, " if i in rev else ""}text: {{en: "{prefix}{i}", zh: "{prefix}{i}"}}}}\n'
                   for i in range(1, n + 1))


def test_warnings_negative_rdrop_few_items_single_item(tmp_path):
    inst, _ = _small_instrument(tmp_path,
                                '  - id: s4\n    label: {en: "Four", zh: "四"}\n    items:\n' + _items("a", 4) +
                                '  - id: s2\n    label: {en: "Two", zh: "二"}\n    items:\n' + _items("b", 2) +
                                '  - id: s1\n    label: {en: "One", zh: "一"}\n    items:\n' + _items("c", 1))
    rng = np.random.default_rng(5)
    f = rng.normal(size=300)
    df = pd.DataFrame({f"a{i}": np.clip(np.rint(3 + (f if i < 4 else -f) + rng.normal(scale=.7, size=300)), 1, 5)
                       for i in range(1, 5)})
    for i in (1, 2):
        df[f"b{i}"] = np.clip(np.rint(3 + f + rng.normal(scale=.7, size=300)), 1, 5)
    df["c1"] = np.clip(np.rint(3 + f), 1, 5)
    with pytest.warns(Warning):
        res = reliability(df, inst)
    text = " | ".join(res.warnings)
    assert "'a4' correlates negatively" in text and "reverse" in text
    assert "'s2' has only 2 items" in text
    assert "k < 2" in text
    s1 = res.scale("s1")
    assert s1.k == 1 and math.isnan(s1.alpha)
    s2 = res.scale("s2")
    assert np.isfinite(s2.alpha) and all(math.isnan(i.alpha_if_deleted) for i in s2.items)
    assert res.scale("s4").items[3].r_drop < 0


def test_reverse_key_fixes_the_warning(tmp_path):
    inst, _ = _small_instrument(tmp_path, '  - id: s4\n    label: {en: "Four", zh: "四"}\n    items:\n' + _items("a", 4, rev=(4,)))
    rng = np.random.default_rng(5)
    f = rng.normal(size=300)
    df = pd.DataFrame({f"a{i}": np.clip(np.rint(3 + (f if i < 4 else -f) + rng.normal(scale=.7, size=300)), 1, 5)
                       for i in range(1, 5)})
    res = reliability(df, inst)
    assert res.warnings == []
    it = res.scale("s4").items[3]
    assert it.reverse and it.r_drop > 0.3
    assert it.mean == pytest.approx((6 - df["a4"]).mean())


def test_listwise_uses_complete_rows_only():
    inst, df = _load("bfi")
    res = reliability(df, inst, scales=["agree"], missing="listwise")
    assert res.scale("agree").n == int(df[["A1", "A2", "A3", "A4", "A5"]].notna().all(axis=1).sum())
    assert all(it.n == res.scale("agree").n for it in res.scale("agree").items)


def test_library_errors_are_user_errors():
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    inst, df = _load("holzinger")
    with pytest.raises(AvoidSurveyError):
        reliability(df, inst, scales=["nope"])
    with pytest.raises(AvoidSurveyError):
        reliability(df, inst, missing="everything")
    with pytest.raises(AvoidSurveyError):
        reliability(df[["x1", "x2"]], inst)


def test_cli_json_has_contract_keys(capsys):
    yml, csv = SETS["holzinger"]
    assert run(["reliability", str(REF / "data" / csv), "--instrument", str(REF / yml), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"scales"}
    assert [s["scale"] for s in doc["scales"]] == ["mental", "visual", "textual", "speed"]
    for s in doc["scales"]:
        assert set(s) >= {"scale", "n", "k", "alpha", "alpha_std", "alpha_ci", "omega_total", "mean", "sd", "items",
                          "lambda6", "average_r", "omega_h", "omega_total_sl"}
        assert len(s["alpha_ci"]) == 2 and all(isinstance(v, float) for v in s["alpha_ci"])
        for it in s["items"]:
            assert set(it) >= {"item", "reverse", "n", "mean", "sd", "r_drop", "alpha_if_deleted", "frequencies"}
    mental = doc["scales"][0]
    ref = FIX["holzinger"]["pairwise"]["mental"]
    assert mental["alpha"] == pytest.approx(ref["alpha"], abs=CLOSED)
    assert mental["omega_h"] == pytest.approx(ref["omega_h"], abs=OMEGA)
    assert doc["scales"][1]["omega_h"] is None  # NaN -> null for a facet


def test_cli_bootstrap_scale_selection_and_outputs(tmp_path, capsys):
    yml, csv = SETS["bfi"]
    args = ["reliability", str(REF / "data" / csv), "--instrument", str(REF / yml), "--scale", "agree",
            "--ci", "bootstrap", "--n-boot", "200", "--seed", "3", "--format", "json"]
    assert run(args) == 0
    a = json.loads(capsys.readouterr().out)
    assert run(args) == 0
    b = json.loads(capsys.readouterr().out)
    assert a["scales"][0]["alpha_ci"] == b["scales"][0]["alpha_ci"]
    assert [s["scale"] for s in a["scales"]] == ["agree"] and a["n_boot"] == 200
    out = tmp_path / "rel.md"
    out.write_text("keep me", encoding="utf-8")
    base = ["reliability", str(REF / "data" / csv), "--instrument", str(REF / yml), "--scale", "agree"]
    assert run([*base, "--format", "md", "--output", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run([*base, "--format", "md", "--output", str(out), "--force", "--lang", "zh"]) == 0
    md = out.read_text(encoding="utf-8")
    assert "α系数" in md and "校正题总相关" in md
    csv_out = tmp_path / "rel.csv"
    assert run([*base, "--format", "csv", "--output", str(csv_out), "--lang", "en"]) == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    capsys.readouterr()
    assert run([*base[:-2], "--scale", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err


def test_cli_table_output_and_warnings_on_stderr(capsys):
    yml, csv = SETS["bfi"]
    assert run(["reliability", str(REF / "data" / csv), "--instrument", str(REF / yml), "--scale", "big_five",
                "--lang", "en"]) == 0
    cap = capsys.readouterr()
    assert "Reliability of scales and facets" in cap.out and "0.692" in cap.out  # alpha of the 25 items
    assert "warning: item 'N4' correlates negatively" in cap.err
    assert "AvoidSurveyWarning" not in cap.err  # one clean line, no Python warning dump
