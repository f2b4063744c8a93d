"""The simulator's known effects are recovered: the bundled example's CIs cover its true
effects, and over repeated simulated studies the 95% CIs cover the truth about 95% of the
time (vignette ATEs with respondent-clustered CR1 SEs, conjoint AMCEs)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.analysis.stats.experiment import conjoint as C
from avoid_survey.analysis.stats.experiment import effects as E
from avoid_survey.analysis.stats.experiment.data import prepare
from avoid_survey.analysis.stats.experiment.power import parse_effects
from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
from avoid_survey.instruments import load_instrument

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "sample_data" / "experiment"
VIG, CJ = EX / "ft-vignette.yaml", EX / "reform-conjoint.yaml"


def _rows(result, model):
    return {(e["factor"], e["level"]): e for e in result.to_dict()["effects"] if e["model"] == model}


def _covers(e, truth):
    return e["ci_lower"] <= truth <= e["ci_upper"]


def test_bundled_vignette_covers_its_true_effects():
    """make_data.py: innovate = ... + 0.5 published - 0.4 severe - 0.2 innovative
    + 0.3 published x severe + 0.3 published x female; avoid = -0.4, +0.6, +0.3."""
    inter = _rows(analyze(EX / "vignette.csv", VIG, outcome="innovate"), "interactions")
    assert _covers(inter[("ft_list:severity", "published:severe")], 0.3)
    assert _covers(inter[("ft_list:task", "published:innovative")], 0.0)
    mod = _rows(analyze(EX / "vignette.csv", VIG, outcome="innovate", moderator="female"), "moderator")
    assert _covers(mod[("ft_list:female", "published")], 0.3)
    assert _covers(mod[("severity:female", "severe")], 0.0)
    main = _rows(analyze(EX / "vignette.csv", VIG, outcome="avoid"), "main")
    for key, truth in {("ft_list", "published"): -0.4, ("severity", "severe"): 0.6,
                       ("task", "innovative"): 0.3}.items():
        assert _covers(main[key], truth), (key, main[key])


def test_bundled_conjoint_covers_its_true_amces():
    """The conjoint's choices come from a conditional logit, so the true AMCEs (differences in
    the probability of being chosen) are found by simulating a very large sample."""
    exp = load_instrument(CJ).experiment
    utilities = {"scope": {"broad": 0.6}, "review": {"panel": 0.5, "committee": -0.3}, "resources": {"budget": 0.4}}
    big = simulate_experiment(exp, 15000, effects=utilities, seed=99)
    truth = {(e["factor"], e["level"]): e["estimate"] for e in C.amce(prepare(big, exp))[0]}
    sample = _rows(analyze(EX / "conjoint.csv", CJ), "main")
    assert set(sample) == set(truth)
    for key, t in truth.items():
        assert _covers(sample[key], t), (key, t, sample[key])
    assert truth[("scope", "broad")] > 0.1 and abs(truth[("inspection", "yearly")]) < 0.01


@pytest.mark.parametrize("kind", ["vignette", "conjoint"])
def test_ci_coverage_over_repeated_studies(kind):
    inst = VIG if kind == "vignette" else CJ
    exp = load_instrument(inst).experiment
    effects = ({"ft_list": {"published": 0.4}, "severity": {"severe": -0.3}} if kind == "vignette"
               else {"scope": {"broad": 0.3}, "review": {"panel": 0.2}})
    reps, hits, total = 80, 0, 0
    for r in range(reps):
        frame = simulate_experiment(exp, 150, effects=effects, respondent_sd=0.8, seed=1000 + r, choice=False,
                                    outcome="y", decimals=None)
        d = prepare(frame, exp, outcome="y")
        rows = C.amce(d)[0] if kind == "conjoint" else E.main_effects(d)[1]
        for e in rows:
            total += 1
            hits += _covers(e, (effects.get(e["factor"]) or {}).get(e["level"], 0.0))
    rate = hits / total
    assert 0.90 <= rate <= 0.99, rate


def test_effect_syntax_interactions_and_heterogeneity():
    exp = load_instrument(VIG).experiment
    eff = parse_effects(["ft_list.published=0.5", "ft_list.published:severity.severe=0.4",
                         "task.innovative*female=-0.6"], exp)
    assert eff["ft_list"] == {"published": 0.5}
    assert eff[":interactions"] == [{"levels": {"ft_list": "published", "severity": "severe"}, "effect": 0.4}]
    assert eff[":heterogeneity"] == [{"moderator": "female", "factor": "task", "level": "innovative",
                                      "effect": -0.6}]
    frame = simulate_experiment(exp, 3000, effects=eff, seed=8, decimals=None)
    inter = _rows(analyze(frame, VIG, outcome="innovate"), "interactions")
    assert _covers(inter[("ft_list:severity", "published:severe")], 0.4)
    mod = _rows(analyze(frame, VIG, outcome="innovate", moderator="female"), "moderator")
    assert _covers(mod[("task:female", "innovative")], -0.6)
    for bad, msg in (("ft_list.published:ft_list.none=1", "different factors"),
                     ("ft_list.published*height=1", "with VARIABLE one of age"),
                     ("ft_list.nope=1", "no level 'nope'"), ("ft_list.published", "write FACTOR.LEVEL=NUMBER")):
        with pytest.raises(AvoidSurveyError, match=msg):
            parse_effects([bad], exp)


def test_simulate_out_with_interaction(tmp_path, cli):
    out = tmp_path / "sim.csv"
    code, _, err = cli("experiment", "-i", VIG, "--simulate-out", out, "--respondents", "1500", "--respondent-sd",
                       "0.5", "--effect", "ft_list.published=0.3", "--effect", "ft_list.published:task.innovative=-0.5",
                       "--seed", "4")
    assert code == 0, err
    inter = _rows(analyze(out, VIG), "interactions")
    assert _covers(inter[("ft_list:task", "published:innovative")], -0.5)
    assert np.isfinite(inter[("ft_list:severity", "published:severe")]["estimate"])
