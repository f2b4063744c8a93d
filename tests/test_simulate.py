"""`simulate`: the study spec, the generator, its realism, determinism, recovery of the truth
and power analysis."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.simulate import load_study, normalize_term, simulate, wjx_frame

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "simulate"
MINI = FIX / "mini-study.yaml"
INSTR = FIX / "mini-instrument.yaml"


def _spec(**changes):
    """The mini study as a mapping, with top-level keys replaced."""
    d = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    d["instrument"] = str(INSTR)
    d.update(changes)
    return d


def _write(tmp_path, data, name="study.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def icc1(y, g):
    """ICC(1) from a one-way ANOVA (as psych::ICC1 / multilevel::ICC1, unbalanced k0)."""
    d = pd.DataFrame({"y": np.asarray(y, float), "g": np.asarray(g)}).dropna()
    k = d.groupby("g").size()
    n, G = len(d), len(k)
    gm = d.groupby("g")["y"].transform("mean")
    msb = (((d.groupby("g")["y"].mean() - d["y"].mean()) ** 2) * k).sum() / (G - 1)
    msw = ((d["y"] - gm) ** 2).sum() / (n - G)
    k0 = (n - (k ** 2).sum() / n) / (G - 1)
    return (msb - msw) / (msb + (k0 - 1) * msw)


# ----------------------------------------------------------------- determinism and files
def test_same_seed_same_bytes_and_other_seed_differs(tmp_path, cli):
    import os
    import subprocess
    import sys

    outs = []
    for run, seed in (("a", 5), ("b", 5), ("c", 6)):
        d = tmp_path / run
        d.mkdir()
        args = ["simulate", "--spec", MINI, "--seed", seed, "--out", d / "r.csv", "--units-out", d / "u.csv",
                "--latent-out", d / "l.csv", "--wjx-out", d / "w.xlsx", "--format", "json"]
        if run == "b":  # another process with another hash seed: nothing may depend on it
            env = dict(os.environ, PYTHONHASHSEED="12345")
            p = subprocess.run([sys.executable, "-c", "from avoid_survey.cli.main import run; run()",
                                *map(str, args)], capture_output=True, text=True, env=env)
            code, out, err = p.returncode, p.stdout, p.stderr
        else:
            code, out, err = cli(*args)
        assert code == 0, err
        info = json.loads(out)
        assert info["seed"] == seed and info["n_respondents"] > 100
        code, _, err = cli("simulate", "--spec", MINI, "--seed", seed, "--out", d / "r.xlsx")
        assert code == 0, err
        code, _, err = cli("simulate", "--spec", MINI, "--seed", seed, "--out", d / "r.parquet")
        assert code == 0, err
        outs.append({f: (d / f).read_bytes() for f in ("r.csv", "u.csv", "l.csv", "w.xlsx", "r.xlsx", "r.parquet")})
    assert outs[0] == outs[1]
    for f in ("r.csv", "l.csv", "w.xlsx", "r.xlsx", "r.parquet"):
        assert outs[0][f] != outs[2][f], f
    # CSV: UTF-8 with BOM, integer codes, empty cells for missing answers
    text = outs[0]["r.csv"].decode("utf-8")
    assert text.startswith("\ufeffrespondent_id,county_id,township_id,")
    assert ".0," not in text


def test_spec_seed_is_the_default(tmp_path):
    st = load_study(MINI)
    a = simulate(st)            # spec says seed: 42
    b = simulate(st, 42)
    c = simulate(st, 43)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    assert not a.latents.equals(c.latents)


def test_components_have_their_own_streams():
    """More missing answers must not change who the officials are or their latent scores."""
    st1 = load_study(_spec(), file=str(FIX / "x.yaml"))
    more = _spec()
    more["realism"] = dict(more["realism"], missing={"mcar": 0.2})
    st2 = load_study(more, file=str(FIX / "x.yaml"))
    a, b = simulate(st1, 3), simulate(st2, 3)
    pd.testing.assert_frame_equal(a.latents, b.latents)
    assert b.responses["av1"].isna().mean() > a.responses["av1"].isna().mean() + 0.1


# ----------------------------------------------------------------- design and columns
def test_design_ids_and_columns():
    st = load_study(MINI)
    sim = simulate(st, 1)
    r, u = sim.responses, sim.units
    assert list(r.columns[:3]) == ["respondent_id", "county_id", "township_id"]
    assert r["respondent_id"].is_unique and r["respondent_id"].iloc[0] == "R00001"
    per_county = u.groupby("county_id").size()
    assert len(per_county) == 4 and per_county.between(3, 5).all()
    per_town = r.groupby("township_id").size()
    assert per_town.between(10, 20).all() and set(per_town.index) == set(u["township_id"])
    assert (r["township_id"].str.split("-").str[0] == r["county_id"]).all()
    # instrument ids as columns; attention checks right after the item they follow
    items = [i.id for i in st.instrument.items]
    assert set(items) <= set(r.columns)
    cols = list(r.columns)
    assert cols.index("att1") == cols.index("pb1") + 1 and cols.index("att2") == cols.index("av3") + 1
    assert cols[-1] == "duration_sec"
    # the clean file holds no unit-level variables and no platform metadata
    assert "veto_indicators_n" not in r.columns and not any(c in r.columns for c in ("来自IP", "ip", "提交答卷时间"))
    # codes in range, integer typed
    for c in items:
        v = r[c].dropna()
        assert str(r[c].dtype) == "Int64" and v.between(1, 5).all()
    # joined frame adds the unit variables by township
    j = sim.joined()
    assert len(j) == len(r) and j["veto_indicators_n"].notna().all()
    assert (j.groupby("township_id")["veto_indicators_n"].nunique() == 1).all()
    # declared distributions: categorical shares, missing share, clipped normal
    assert set(r["gender"].dropna().unique()) <= {1, 2}
    assert r["age"].dropna().between(21, 60).all()


def test_units_level_design():
    d = _spec(design={"counties": 2, "townships_per_county": 2, "units_per_township": [2, 3],
                      "officials_per_unit": 4})
    st = load_study(d, file=str(FIX / "x.yaml"))
    sim = simulate(st, 1)
    assert "unit_id" in sim.responses.columns
    assert (sim.responses.groupby("unit_id").size() == 4).all()
    assert sim.responses.groupby("township_id")["unit_id"].nunique().between(2, 3).all()


# ----------------------------------------------------------------- measurement and realism
def test_reverse_keyed_items_are_written_reversed():
    st = load_study(MINI)
    sim = simulate(st, 11)
    ok = (sim.latents["respondent_type"] == "normal").to_numpy()
    r = sim.responses.loc[ok].astype({c: float for c in ("pa1", "pa3", "tr1", "tr4")})
    lat = sim.latents.loc[ok]
    assert r["pa1"].corr(r["pa3"]) < -0.2
    assert r["pa3"].corr(lat["pr_a"]) < -0.3          # raw answer runs against the latent
    assert (6 - r["pa3"]).corr(lat["pr_a"]) > 0.3       # min + max - x runs with it
    assert r["tr4"].corr(lat["trust"]) < -0.3


def test_careless_respondents_missing_answers_and_checks():
    st = load_study(_spec(design={"counties": 10, "townships_per_county": 5, "officials_per_township": 40}),
                      file=str(FIX / "x.yaml"))
    sim = simulate(st, 8)
    r, lat = sim.responses, sim.latents
    n = len(r)
    types = lat["respondent_type"].value_counts()
    n_care = round(0.05 * n)
    assert types.drop("normal").sum() == n_care
    assert types["straight"] == round(0.4 * n_care)
    items = [i.id for i in st.items]
    x = r[items].astype(float).to_numpy()
    straight = (lat["respondent_type"] == "straight").to_numpy()
    speeder = (lat["respondent_type"] == "speeder").to_numpy()
    normal = (lat["respondent_type"] == "normal").to_numpy()
    assert (np.nanstd(x[straight], axis=1) == 0).all()
    answered = (~np.isnan(x[normal])).sum(axis=1) >= 2
    assert (np.nanstd(x[normal][answered], axis=1) > 0).mean() > 0.95
    # careless respondents answer everything; careful ones have the declared MCAR share and more
    assert not np.isnan(x[~normal]).any()
    miss = np.isnan(x[normal]).mean()
    assert 0.01 < miss < 0.06
    # speeders are much faster than anyone careful
    dur = r["duration_sec"].astype(float).to_numpy()
    assert dur[speeder].max() < np.median(dur[normal]) / 3
    # attention checks: careful respondents pass apart from the declared 2% (and missing)
    a1 = r["att1"].astype(float).to_numpy()
    fail_normal = np.nanmean(a1[normal] != 2)
    assert 0.005 < fail_normal < 0.04
    assert np.mean(a1[~normal] != 2) > 0.5


def test_icc_and_structure_small_sample_sane():
    st = load_study(MINI)
    sim = simulate(st, 2)
    # auto facets: pr_a = pressure + N(0, 0.4^2)
    d = sim.latents["pr_a"] - sim.latents["pressure"]
    assert abs(d.std() - 0.4) < 0.06


# ----------------------------------------------------------------- spec errors
@pytest.mark.parametrize("change, words", [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"design": {"counties": 2, "townships_per_county": 2}}, "officials_per_township"),
    ({"design": {"counties": 2, "townships_per_county": [5, 2], "officials_per_township": 3}}, "[min, max]"),
    ({"individual_variables": {"gender": {"dist": "gauss"}}}, "'dist' must be one of"),
    ({"individual_variables": {"gender": {"dist": "categorical", "values": [1, 7]}}}, "not a code of the instrument"),
    ({"individual_variables": {"gender": {"dist": "categorical", "values": [1, 2], "probs": [0.5, 0.4]}}},
     "sum to 0.9"),
    ({"latents": [{"id": "avoid", "effects": {"pressur": 0.2}}]}, "unknown variable 'pressur'"),
    ({"latents": [{"id": "avoid", "effects": {"pressure": 0.2}}, {"id": "pressure"}]}, "declared later"),
    ({"latents": [{"id": "pressure", "icc": {"township": 0.6, "county": 0.5}}]}, "add up to less than 1"),
    ({"latents": [{"id": "avoid", "effects": {"primary_task=9": 0.2}}]}, "not one of the values"),
    ({"measurement": {"items": {"av1": {"thresholds": [0, 1]}}}}, "4 increasing numbers"),
    ({"measurement": {"exclude": ["nope"]}}, "no scale, facet or item"),
    ({"instrument": "no-such-instrument"}, "unknown instrument"),
])
def test_spec_errors_name_file_and_line(tmp_path, change, words):
    p = _write(tmp_path, _spec(**change))
    with pytest.raises(AvoidSurveyError) as ei:
        load_study(p)
    line = ei.value.one_line()
    assert words in line, line
    assert line.startswith(str(p) + ", line "), line


def test_cli_errors_are_one_line_exit_2(tmp_path, cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("instrument: [unclosed\n", encoding="utf-8")
    out = tmp_path / "x.csv"
    out.write_text("keep", encoding="utf-8")
    cases = [
        ("simulate", "--spec", MINI),                                              # no --out
        ("simulate", "--spec", tmp_path / "none.yaml", "--out", tmp_path / "a.csv"),
        ("simulate", "--spec", bad, "--out", tmp_path / "a.csv"),
        ("simulate", "--spec", MINI, "--out", out),                                # exists, no --force
        ("simulate", "--spec", MINI, "--out", tmp_path / "a.txt"),
        ("simulate", "--spec", MINI, "--out", tmp_path / "a.csv", "--wjx-out", tmp_path / "w.csv"),
        ("simulate", "--spec", MINI, "--replicate", "3"),                          # no --fit
        ("simulate", "--spec", MINI, "--replicate", "3", "--fit", tmp_path / "nofit.yaml"),
        ("simulate", "--spec", MINI, "--out", tmp_path / "a.csv", "--replicate", "2", "--fit", MINI),
        ("simulate", "--spec", MINI, "--out", tmp_path / "a.csv", "--seed", "-1"),
        ("simulate", "--spec", MINI, "--out", tmp_path / "a.csv", "--output", tmp_path / "a.csv", "--force"),
    ]
    badfit = tmp_path / "badfit.yaml"
    badfit.write_text(f"instrument: {INSTR}\nmodels:\n  - name: m\n    family: ols\n"
                      f"    formula: avoid ~ no_such_var\n", encoding="utf-8")
    badkey = tmp_path / "badkey.yaml"
    badkey.write_text(f"instrument: {INSTR}\nmodels:\n  - name: m\n    family: olz\n"
                      f"    formula: avoid ~ pressure\n", encoding="utf-8")
    cases += [("simulate", "--spec", MINI, "--replicate", "2", "--fit", badfit),
              ("simulate", "--spec", MINI, "--replicate", "2", "--fit", badkey)]
    for args in cases:
        code, o, err = cli(*args)
        assert code == 2, (args, code, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)
    assert out.read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "a.csv").exists()


# ----------------------------------------------------------------- Wenjuanxing-style export
def test_wjx_export_matches_the_clean_file():
    st = load_study(MINI)
    sim = simulate(st, 4)
    w = wjx_frame(sim)
    assert list(w.columns[:6]) == ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
    assert w["所用时间"].str.fullmatch(r"\d+秒").all()
    ips = w["来自IP"].str.extract(r"^(\d+\.\d+\.\d+)\.(\d+)\(")
    assert ips[0].isin(["192.0.2", "198.51.100", "203.0.113"]).all()
    times = pd.to_datetime(w["提交答卷时间"], format="%Y/%m/%d %H:%M:%S")
    assert times.is_monotonic_increasing
    heads = [c for c in w.columns[6:]]
    assert all(re.match(r"^\d+\. ", h) for h in heads)
    assert heads[0] == "1. 县" and "8. 压力题二" in heads
    # answer texts decode back to the codes of the clean file
    inst = st.instrument
    qcols = [c for c in sim.responses.columns if c not in ("respondent_id", "duration_sec")]
    assert len(qcols) == len(heads)
    for col, head in zip(qcols, heads):
        fmt = inst.responses().get(col)
        if fmt is None or fmt.type not in ("likert", "categorical", "boolean"):
            continue
        lm = fmt.label_map()
        back = w[head].map(lambda s: np.nan if s == "(空)" else float(lm[s]))
        orig = sim.responses[col].astype(float)
        assert np.array_equal(back.to_numpy(), orig.to_numpy(), equal_nan=True), col
    assert (w["所用时间"].str[:-1].astype(int).to_numpy() == sim.responses["duration_sec"].astype(int).to_numpy()).all()


# ----------------------------------------------------------------- terms
def test_normalize_term():
    assert normalize_term("C(primary_task)[T.2]") == "primary_task=2"
    assert normalize_term("C(primary_task, Treatment(1))[T.2.0]") == "primary_task=2"
    assert normalize_term("primary_task[2]") == "primary_task=2"
    assert normalize_term("ft_trust:accountability_pressure") == "accountability_pressure:ft_trust"
    assert normalize_term("ap_c:ft_c", {"ap_c": "accountability_pressure", "ft_c": "ft_trust"}) == \
        "accountability_pressure:ft_trust"
    assert normalize_term("I(x ** 2)") == "x^2"
    assert normalize_term("np.log(x)") is None


# ----------------------------------------------------------------- recovery on 20,000 officials
@pytest.mark.slow
def test_recovery_of_structural_coefficients_and_iccs():
    import statsmodels.formula.api as smf

    from avoid_survey.analysis.stats.scoring import score_frame

    st = load_study(FIX / "recovery-study.yaml")
    sim = simulate(st)
    r, lat = sim.responses, sim.latents
    assert len(r) == 20_000
    true = {"pressure": 0.40, "trust": -0.25, "pc:tc": -0.15, "task2": 0.30}

    # 1. the latent truth: regression recovers every declared coefficient within 3 cluster-robust SEs
    d = lat.copy()
    d["task2"] = (r["primary_task"] == 2).astype(float).to_numpy()
    d["pc"], d["tc"] = d["pressure"] - d["pressure"].mean(), d["trust"] - d["trust"].mean()
    f = smf.ols("avoid ~ pressure + trust + pc:tc + task2", d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["township_id"])[0]})
    for term, b in true.items():
        assert abs(f.params[term] - b) < 3 * f.bse[term], (term, f.params[term], f.bse[term])
    assert abs(f.params["Intercept"] - (-0.3)) < 3 * f.bse["Intercept"]

    # 2. observed scale scores (all respondents, careless included): same direction, all p < .001,
    #    attenuated by measurement error and Likert coarsening but by less than 15%
    sc = score_frame(r[[i.id for i in st.items]].astype(float), st.instrument).scores
    o = sc[["pressure", "trust", "avoid"]].copy()
    o["township_id"] = r["township_id"].to_numpy()
    o["task2"] = (r["primary_task"] == 2).astype(float).to_numpy()
    o["pc"], o["tc"] = o["pressure"] - o["pressure"].mean(), o["trust"] - o["trust"].mean()
    o = o.dropna()
    g = smf.ols("avoid ~ pressure + trust + pc:tc + task2", o).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(o["township_id"])[0]})
    for term, b in true.items():
        assert np.sign(g.params[term]) == np.sign(b) and g.pvalues[term] < 0.001, term
        assert 0.85 < g.params[term] / b < 1.0 + 3 * g.bse[term] / abs(b), (term, g.params[term])

    # 3. ICCs of 'pressure' (no predictors; declared township 0.12, county 0.06 of its variance).
    #    Balanced nested ANOVA (100 counties x 4 townships x 50): variance components by moments.
    y = lat["pressure"].to_numpy().reshape(100, 4, 50)
    n_t, n_o = 4, 50
    m_t, m_c, m = y.mean(axis=2), y.mean(axis=(1, 2)), y.mean()
    ms_e = ((y - m_t[..., None]) ** 2).sum() / (100 * 4 * 49)
    ms_t = n_o * ((m_t - m_c[:, None]) ** 2).sum() / (100 * 3)
    ms_c = n_o * n_t * ((m_c - m) ** 2).sum() / 99
    s_t, s_c = (ms_t - ms_e) / n_o, (ms_c - ms_t) / (n_o * n_t)
    total = s_t + s_c + ms_e
    assert abs(s_t / total - 0.12) < 0.03 and abs(s_c / total - 0.06) < 0.03, (s_t / total, s_c / total)
    # ICC(1) by township = share of variance between townships = 0.12 + 0.06
    icc_lat = icc1(lat["pressure"], lat["township_id"])
    assert abs(icc_lat - 0.18) < 0.03
    # the observed score's ICC(1) is lowered by measurement error; divided by the score's
    # reliability (squared correlation with the latent truth, careful respondents) it is the declared one
    ok = (lat["respondent_type"] == "normal").to_numpy() & sc["pressure"].notna().to_numpy()
    icc_obs = icc1(sc["pressure"][ok], r["township_id"][ok])
    rel = np.corrcoef(sc["pressure"][ok], lat["pressure"][ok])[0, 1] ** 2
    assert icc_obs < icc_lat
    assert abs(icc_obs / rel - 0.18) < 0.03, (icc_obs, rel)


# ----------------------------------------------------------------- validate finds the careless respondents
@pytest.mark.slow
def test_validate_flags_the_simulated_careless_respondents(tmp_path):
    from avoid_survey.analysis.simulate import write_frame
    from avoid_survey.analysis.validate import validate

    st = load_study(FIX / "recovery-study.yaml")
    sim = simulate(st)
    p = write_frame(sim.responses, tmp_path / "r.csv")
    # max_listed only caps how many findings are listed one by one; the flags cover everyone
    rep = validate(p, st.instrument, thresholds={"max_listed": 10 ** 6})
    assert rep.n_errors == 0
    kind = sim.latents["respondent_type"].to_numpy()
    flags = rep.flags
    for who, flag in (("straight", "flag_longstring"), ("speeder", "flag_speeder"), ("random", "flag_mahalanobis")):
        recall = flags[flag].to_numpy()[kind == who].mean()
        assert recall >= 0.9, (who, flag, recall)
    # and careful respondents are rarely taken for careless ones
    careful = kind == "normal"
    assert flags["flag_longstring"].to_numpy()[careful].mean() < 0.01
    assert flags["flag_speeder"].to_numpy()[careful].mean() < 0.01


def test_validate_on_the_bundled_sample_exits_0(cli):
    code, out, err = cli("validate", ROOT / "sample_data" / "responses.csv", "--instrument", "blame-avoidance-core-v2",
                         "--format", "json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["n_errors"] == 0 and rep["n_rows"] > 1100
    codes = {f["code"] for f in rep["findings"] if f["severity"] == "warning"}
    assert {"longstring", "speeder", "attention-failed"} <= codes


def test_sample_files_agree_with_the_study_spec(tmp_path):
    sd = ROOT / "sample_data"
    r = pd.read_csv(sd / "responses.csv", dtype={"respondent_id": str})
    u = pd.read_csv(sd / "units.csv")
    truth = pd.read_csv(sd / "truth.csv")
    assert 1100 <= len(r) <= 1300 and r["township_id"].nunique() == 60 and r["county_id"].nunique() == 12
    assert set(r["township_id"]) == set(u["township_id"]) and u["township_id"].is_unique
    assert (truth["respondent_id"] == r["respondent_id"]).all()
    assert (truth["respondent_type"] != "normal").sum() == round(0.05 * len(r))
    # the clean CSV holds no personal data or platform metadata
    assert not [c for c in r.columns if c in ("来自IP", "提交答卷时间", "ip", "name", "姓名", "phone")]
    # regenerating from the spec gives the same bytes (the README's command)
    from avoid_survey.analysis.simulate import write_frame
    sim = simulate(load_study(sd / "study.yaml"))
    write_frame(sim.responses, tmp_path / "r.csv")
    write_frame(sim.units, tmp_path / "u.csv")
    assert (tmp_path / "r.csv").read_bytes() == (sd / "responses.csv").read_bytes()
    assert (tmp_path / "u.csv").read_bytes() == (sd / "units.csv").read_bytes()


# ----------------------------------------------------------------- power analysis
def test_power_analysis_is_deterministic_and_maps_true_values():
    from avoid_survey.analysis.simulate import power_analysis

    fit = FIX / "mini-model.yaml"
    a = power_analysis(MINI, fit, replicates=4, seed=9, jobs=1, show_progress=False).to_dict()
    b = power_analysis(MINI, fit, replicates=4, seed=9, jobs=2, show_progress=False).to_dict()
    assert a == b
    assert a["n_ok"] == 4 and a["replicates"] == 4
    coefs = {c["term"]: c for c in a["models"][0]["coefficients"]}
    assert coefs["pressure"]["true"] == 0.4 and coefs["trust"]["true"] == -0.3
    assert coefs["pressure_c:trust_c"]["true"] == -0.15          # centred by the model spec's transforms
    assert coefs["primary_task[2]"]["true"] == 0.3
    assert coefs["gender"]["true"] is None and coefs["Intercept"]["true"] is None
    p = coefs["pressure"]
    assert 0 <= p["power"] <= 1 and 0 <= p["coverage"] <= 1 and p["n"] == 4
    assert p["bias"] == pytest.approx(p["mean_estimate"] - 0.4)
    assert p["empirical_se"] > 0 and p["mean_se"] > 0
    # the robustness run drops the respondents validate flags (flags computed per replicate)
    rob = a["models"][1]
    assert rob["name"] == "avoid [careless removed]" and rob["outcome"] == "avoid"
    assert rob["n_mean"] < a["models"][0]["n_mean"] - 5
    assert {c["term"]: c["true"] for c in rob["coefficients"]}["pressure"] == 0.4


def test_power_cli_json(cli):
    code, out, err = cli("simulate", "--spec", MINI, "--replicate", "3", "--fit", FIX / "mini-model.yaml",
                         "--jobs", "1", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert {"spec", "fit", "replicates", "n_ok", "models", "seed"} <= set(d)
    assert d["models"][0]["name"] == "avoid" and d["models"][0]["coefficients"][0]["term"] == "Intercept"
