"""The seeds' hypotheses as latent SEM templates; waves in instruments and in `simulate`.

- the cross-lagged panel template on two waves simulated with known effects: 95% CIs cover the
  true autoregressive and cross-lagged effects (the sample two-wave study, and a handful of
  replications for a plausible coverage);
- the latent-interaction template recovers a known latent interaction;
- an instrument's ``waves:`` and a study's ``waves:`` (errors with their lines).
"""
import json
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

TWO = ROOT / "sample_data" / "two_wave"
TEMPLATES = ROOT / "analysis" / "templates"
TRUTH = {"ft_trust_w2 ~ ft_trust_w1": 0.55, "ft_trust_w2 ~ passive_avoidance_w1": -0.20,
         "passive_avoidance_w2 ~ passive_avoidance_w1": 0.50, "passive_avoidance_w2 ~ ft_trust_w1": -0.25}


def _study():
    from avoid_survey.analysis.simulate import load_study

    spec = yaml.safe_load((TWO / "study.yaml").read_text(encoding="utf-8"))
    spec["instrument"] = str(TWO / "instrument.yaml")
    return load_study(spec, file=str(TWO / "study.yaml"))


def _clpm(data):
    from avoid_survey.analysis.stats.models import run_spec

    t = yaml.safe_load((TEMPLATES / "sem_clpm_avoidance_trust.yaml").read_text(encoding="utf-8"))
    t.pop("data")
    t["instrument"] = str(TWO / "instrument.yaml")
    t["models"][0]["missing"] = "listwise"   # complete simulated data: the same estimates, faster
    return run_spec(t, data=data).models[0]


def test_clpm_template_on_the_two_wave_sample_covers_the_truth(cli):
    code, out, err = cli("model", "--template", "sem_clpm_avoidance_trust", "--data", TWO / "responses.csv",
                         "--format", "json")
    assert code == 0, err
    m = json.loads(out)["models"][0]
    assert m["family"] == "sem" and m["n"] == 1200 and m["fit"]["cfi"] > 0.95
    got = {c["term"]: c for c in m["coefficients"]}
    assert set(got) == set(TRUTH)
    for term, true in TRUTH.items():
        assert got[term]["ci_lower"] <= true <= got[term]["ci_upper"], (term, got[term])
    # longitudinal invariance and the same item's residual over time are in the model
    assert "lam_ft_trust_2*ftp2_w1" in m["syntax"] and "lam_ft_trust_2*ftp2_w2" in m["syntax"]
    assert "ftc1_w1 ~~ ftc1_w2" in m["syntax"]
    loads = {(p["lhs"], p["rhs"]): p["estimate"] for p in m["parameters"] if p["op"] == "=~"}
    assert loads[("ft_trust_w1", "ftp2_w1")] == pytest.approx(loads[("ft_trust_w2", "ftp2_w2")])


def test_the_sample_two_wave_file_is_what_the_study_gives(tmp_path, cli):
    out = tmp_path / "r.csv"
    code, _, err = cli("simulate", "--spec", TWO / "study.yaml", "--out", out)
    assert code == 0, err
    assert out.read_bytes() == (TWO / "responses.csv").read_bytes()


def test_clpm_coverage_over_replications():
    """Ten data sets from the two-wave study (seeds 1000..1009): the 95% CIs of the four lagged
    effects cover the truth in a plausible share of the 40 intervals (binomial(40, .95): at
    least 34 with probability > .99)."""
    from avoid_survey.analysis.simulate import simulate

    study = _study()
    hits = 0
    for rep in range(10):
        m = _clpm(simulate(study, seed=1000 + rep).responses)
        hits += sum(c.ci_lower <= TRUTH[c.term] <= c.ci_upper for c in m.coefficients)
    assert 34 <= hits <= 40


def test_simulated_waves_carry_the_declared_effects():
    """The true latents of a large two-wave sample regress on wave 1 with the declared coefficients."""
    import numpy as np

    from avoid_survey.analysis.simulate import simulate

    study = _study()
    assert [lt.id for lt in study.latents][-2:] == ["ft_trust_w2", "passive_avoidance_w2"]
    lat = simulate(study, seed=7).latents
    x = np.column_stack([np.ones(len(lat)), lat["ft_trust_w1"], lat["passive_avoidance_w1"]])
    bt = np.linalg.lstsq(x, lat["ft_trust_w2"], rcond=None)[0]
    bp = np.linalg.lstsq(x, lat["passive_avoidance_w2"], rcond=None)[0]
    assert bt[1:] == pytest.approx([0.55, -0.20], abs=0.08)
    assert bp[1:] == pytest.approx([-0.25, 0.50], abs=0.08)


def _interaction_data():
    from avoid_survey.analysis.simulate import load_study, simulate

    from avoid_survey.instruments import load_instrument

    keep = {"accountability_pressure", "ft_trust", "passive_avoidance", "active_avoidance"}
    others = [s.id for s in load_instrument("blame-avoidance-core-v2").scales if s.id not in keep]
    study = {"instrument": "blame-avoidance-core-v2", "seed": 3,
             "design": {"counties": 10, "townships_per_county": 10, "officials_per_township": 20},
             "latents": [{"id": "accountability_pressure"},
                         {"id": "ft_trust", "effects": {"accountability_pressure": -0.2}},
                         {"id": "passive_avoidance", "residual_sd": 0.8,
                          "effects": {"accountability_pressure": 0.35, "ft_trust": -0.15,
                                      "accountability_pressure:ft_trust": -0.20}},
                         {"id": "active_avoidance", "residual_sd": 0.8,
                          "effects": {"accountability_pressure": 0.2, "ft_trust": -0.25}}],
             "measurement": {"exclude": others}}
    return simulate(load_study(study, file="interaction.yaml")).responses


def test_latent_interaction_template_recovers_a_known_interaction():
    from avoid_survey.analysis.stats.models import run_spec

    t = yaml.safe_load((TEMPLATES / "sem_pressure_trust_avoidance.yaml").read_text(encoding="utf-8"))
    t.pop("data")
    t.pop("units", None)
    t["models"] = [m for m in t["models"] if m["name"].startswith("moderation")]
    res = run_spec(t, data=_interaction_data())
    lat, obs = res.model("moderation_latent"), res.model("moderation_observed")
    inter = lat.coef("passive_avoidance ~ ap_x_trust")
    assert inter.ci_lower <= -0.20 <= inter.ci_upper and inter.ci_upper < 0
    none = lat.coef("active_avoidance ~ ap_x_trust")
    assert none.ci_lower <= 0 <= none.ci_upper
    assert lat.coef("passive_avoidance ~ accountability_pressure").ci_lower <= 0.35 <= \
        lat.coef("passive_avoidance ~ accountability_pressure").ci_upper
    # five matched pairs of facet parcels measure the product latent
    prod = next(ln for ln in lat.extra["syntax"].splitlines() if ln.startswith("ap_x_trust =~"))
    assert prod.count("+") == 4 and "ap_generalised_x_ft_clarity" in prod
    assert "accountability_pressure =~ ap_generalised" in lat.extra["syntax"]
    # the observed-score fallback finds it too, attenuated by measurement error
    o = obs.coef("passive_avoidance ~ ap_x_trust")
    assert o.ci_upper < 0 and abs(o.estimate) < abs(inter.estimate)


def test_mediation_template_defines_the_indirect_effects(cli):
    code, out, err = cli("model", "--template", "sem_pressure_trust_avoidance", "--data",
                         ROOT / "sample_data" / "responses.csv", "--format", "json")
    assert code == 0, err
    med = json.loads(out)["models"][0]
    assert med["name"] == "mediation" and med["missing"] == "ml"
    eff = {e["via"]: e for e in med["effects"]}
    assert set(eff) == {"ind_active", "ind_passive", "total_active", "total_passive"}
    paths = {c["term"]: c["estimate"] for c in med["coefficients"]}
    a, b2 = paths["ft_trust ~ accountability_pressure"], paths["passive_avoidance ~ ft_trust"]
    assert eff["ind_passive"]["estimate"] == pytest.approx(a * b2)


# ------------------------------------------------------------------ waves: instrument and study
def test_instrument_waves_copy_scales_and_items():
    from avoid_survey.instruments import load_instrument

    inst = load_instrument(TWO / "instrument.yaml")
    assert inst.waves == ("w1", "w2")
    assert [s.id for s in inst.scales] == ["ft_trust_w1", "ft_trust_w2", "passive_avoidance_w1",
                                           "passive_avoidance_w2"]
    s2 = inst.scale("ft_trust_w2")
    assert s2.item_ids == ["ftc1_w2", "ftp2_w2", "ft_coo1_w2", "ftd1_w2"]
    assert s2.label == {"zh": "容错机制信任（第2期）", "en": "Trust in the fault-tolerance mechanism (wave 2)"}
    assert inst.item("ftc1_w1").text == inst.item("ftc1_w2").text


def _instrument(tmp_path, waves):
    text = (TWO / "instrument.yaml").read_text(encoding="utf-8").replace("waves:\n  ids: [w1, w2]\n", waves)
    p = tmp_path / "inst.yaml"
    p.write_text(text, encoding="utf-8")
    return p, text.splitlines()


@pytest.mark.parametrize("waves, words", [
    ("waves:\n  ids: [w1]\n", "two or more different wave ids"),
    ("waves:\n  ids: [w1, w2]\n  scales: [nothere]\n", "'nothere' is not a scale"),
    ("waves:\n  idz: [w1, w2]\n", "'ids'"),
])
def test_bad_instrument_waves_exit_2_with_the_line(cli, tmp_path, waves, words):
    p, lines = _instrument(tmp_path, waves)
    code, _, err = cli("instruments", "show", p)
    assert code == 2 and words in err and "Traceback" not in err
    line = next(k for k, ln in enumerate(lines, start=1) if ln.startswith("waves:"))
    assert f"line {line}" in err or f"line {line + 1}" in err or f"line {line + 2}" in err


@pytest.mark.parametrize("edit, words", [
    (lambda s: s.replace("instrument: instrument.yaml", "instrument: blame-avoidance-core"),
     "needs an instrument that declares waves"),
    (lambda s: s.replace("autoregressive: {ft_trust: 0.55", "autoregressive: {trust: 0.55"),
     "'trust' is not a scale repeated"),
    (lambda s: s.replace('"passive_avoidance -> ft_trust"', '"passive_avoidance => ft_trust"'), "must read 'x -> y'"),
])
def test_bad_study_waves_exit_2_with_the_line(cli, tmp_path, edit, words):
    import shutil

    shutil.copy(TWO / "instrument.yaml", tmp_path / "instrument.yaml")
    text = edit((TWO / "study.yaml").read_text(encoding="utf-8"))
    (tmp_path / "study.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli("simulate", "--spec", tmp_path / "study.yaml", "--out", tmp_path / "r.csv")
    assert code == 2 and words in err and "line " in err and not (tmp_path / "r.csv").exists()
