"""Power, simulation, fractions and other experiment paths not pinned to R."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.analysis.stats.experiment.power import mde, simulated_power
from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
from avoid_survey.instruments import load_instrument

ROOT = Path(__file__).resolve().parents[1]
VIG = ROOT / "sample_data" / "experiment" / "ft-vignette.yaml"
CJ = ROOT / "sample_data" / "experiment" / "reform-conjoint.yaml"


def test_mde_two_arm_formula():
    exp = dataclasses.replace(load_instrument(VIG).experiment, per_respondent=1)
    rows = mde(exp, 400)
    # 400 rows split evenly: (z_.975 + z_.80) * sqrt(1/200 + 1/200)
    assert rows[0]["n_level"] == 200 and rows[0]["mde"] == pytest.approx(2.8015852 * math.sqrt(0.01), abs=1e-6)
    rows = mde(exp, 400, icc=0.2, sd=2.0)
    assert rows[0]["mde"] == pytest.approx(2 * 2.8015852 * math.sqrt(0.01), abs=1e-6)  # m = 1: no design effect
    cj = load_instrument(CJ).experiment
    rows = {(r["factor"], r["level"]): r for r in mde(cj, 500)}
    assert rows[("review", "panel")]["n_level"] == pytest.approx(500 * 10 / 3)


def test_simulated_power_sees_large_effects_only():
    exp = load_instrument(VIG).experiment
    rows = {(r["factor"], r["level"]): r for r in simulated_power(
        exp, 200, {"ft_list": {"published": 0.4}}, respondent_sd=0.5, reps=20, seed=5)}
    assert rows[("ft_list", "published")]["power"] >= 0.9
    assert rows[("severity", "severe")]["power"] <= 0.3


def test_simulated_effects_recovered():
    exp = load_instrument(CJ).experiment
    frame = simulate_experiment(exp, 400, effects={"scope": {"broad": 0.8}}, choice=False, seed=3)
    r = analyze(frame, CJ, outcome="chosen")
    amce = {(e["factor"], e["level"]): e for e in r.to_dict()["effects"] if e["estimand"] == "amce"}
    assert abs(amce[("scope", "broad")]["estimate"] - 0.8) < 3 * amce[("scope", "broad")]["se"]
    assert abs(amce[("review", "panel")]["estimate"]) < 4 * amce[("review", "panel")]["se"]


def test_fraction_aliases_interactions_like_lm(tmp_path):
    """A 2^(3-1) fraction (c = a x b) leaves the a:b interaction inestimable: R reports NA."""
    text = VIG.read_text(encoding="utf-8").replace(
        "  per_respondent: 4\n",
        "  fraction:\n"
        "    - {ft_list: none, severity: mild, task: routine}\n"
        "    - {ft_list: published, severity: mild, task: innovative}\n"
        "    - {ft_list: none, severity: severe, task: innovative}\n"
        "    - {ft_list: published, severity: severe, task: routine}\n"
        "  per_respondent: 1\n")
    inst = tmp_path / "fraction.yaml"
    inst.write_text(text, encoding="utf-8")
    exp = load_instrument(inst).experiment
    assert len(exp.cells()) == 4 and exp.to_dict()["n_cells"] == 4
    frame = simulate_experiment(exp, 300, effects={"ft_list": {"published": 1.0}}, seed=4)
    r = analyze(frame, inst, outcome="innovate")
    inter = [e for e in r.to_dict()["effects"] if e["model"] == "interactions"]
    # 4 cells = intercept + 3 main effects: every interaction is aliased (lm reports NA)
    assert len(inter) == 3 and all(math.isnan(e["estimate"]) for e in inter)
    main = {e["factor"]: e for e in r.to_dict()["effects"] if e["model"] == "main"}
    assert abs(main["ft_list"]["estimate"] - 1.0) < 0.4


def test_chained_restrictions_warn_for_conjoint(tmp_path):
    text = CJ.read_text(encoding="utf-8").replace(
        "  restrictions: []\n", "  restrictions:\n    - {when: {scope: narrow}, exclude: {review: panel}}\n"
                                 "    - {when: {review: leader}, exclude: {resources: budget}}\n")
    inst = tmp_path / "cj.yaml"
    inst.write_text(text, encoding="utf-8")
    exp = load_instrument(inst).experiment
    frame = simulate_experiment(exp, 100, seed=1)
    assert not ((frame["scope"] == "narrow") & (frame["review"] == "panel")).any()
    r = analyze(frame, inst)
    assert r.warnings and "more than one other" in r.warnings[0]


def test_excel_input_and_tables(tmp_path):
    exp = load_instrument(VIG).experiment
    frame = simulate_experiment(exp, 50, seed=9)
    path = tmp_path / "v.xlsx"
    frame.to_excel(path, index=False)
    r = analyze(path, VIG, outcome="innovate", covariates=["age"])
    assert r.design["n_rows"] == 200 and r.design["se_type"] == "CR1"
    names = [t.name for t in r.to_tables("zh")]
    assert names[:3] == ["effects", "tests", "balance"]
    assert "<table" in r._repr_html_()
    assert np.isfinite([e["estimate"] for e in r.to_dict()["effects"] if e["model"] == "lin"]).all()
