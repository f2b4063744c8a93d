"""The `experiment:` block of an instrument: loading, the design's cells, and the checks."""
from __future__ import annotations

from pathlib import Path

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.instruments import load_instrument
from avoid_survey.instruments.loader import check_instrument_file

ROOT = Path(__file__).resolve().parents[1]
VIGNETTE = ROOT / "sample_data" / "experiment" / "ft-vignette.yaml"
CONJOINT = ROOT / "sample_data" / "experiment" / "reform-conjoint.yaml"
BROKEN = Path(__file__).parent / "instruments_experiment"


def test_vignette_design_loads():
    exp = load_instrument(VIGNETTE).experiment
    assert exp.type == "vignette" and exp.factor_ids == ["ft_list", "severity", "task"]
    assert exp.n_full == 8 and len(exp.cells()) == 8 and exp.per_respondent == 4
    combo = {"ft_list": "published", "severity": "severe", "task": "innovative"}
    assert "已公布容错免责清单" in exp.vignette(combo, "zh")
    assert exp.vignette(combo, "en").startswith("Suppose your county has published")


def test_conjoint_design_loads():
    exp = load_instrument(CONJOINT).experiment
    assert exp.type == "conjoint" and exp.per_respondent == 5 and exp.profiles == 2
    assert exp.factor("review").baseline == "leader" and exp.n_full == 54


def test_broken_vignette_every_problem_with_its_line():
    found = [(f.row, f.code, f.message) for f in check_instrument_file(BROKEN / "broken_vignette.yaml")]
    assert found == [
        (39, "bad-experiment", "level id 'mild' of factor 'severity' is used more than once (first at line 38)"),
        (46, "bad-experiment", "template (zh) has the placeholder '{taks}' but no factor of that id "
                               "(factors: ft_list, severity, task)"),
        (49, "bad-experiment", "restriction names level 'severe' of factor 'severity', which has no such level "
                               "(levels: mild)"),
        (49, "bad-experiment", "restriction names level 'creative' of factor 'task', which has no such level "
                               "(levels: routine, innovative)"),
        (50, "bad-experiment", "restriction names factor 'sevrity', which is not declared "
                               "(factors: ft_list, severity, task)"),
    ]
    with pytest.raises(AvoidSurveyError) as exc:
        load_instrument(BROKEN / "broken_vignette.yaml")
    assert exc.value.line == 39


def _variant(tmp_path, old, new):
    text = VIGNETTE.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "v.yaml"
    p.write_text(text.replace(old, new), encoding="utf-8")
    return [(f.code, f.message) for f in check_instrument_file(p)]


def test_restrictions_fraction_and_keys(tmp_path):
    found = _variant(tmp_path, "  per_respondent: 4\n",
                     "  restrictions:\n    - {when: {severity: severe}, exclude: {task: innovative}}\n"
                     "  per_respondent: 4\n")
    assert found == []
    p = tmp_path / "v.yaml"
    exp = load_instrument(p).experiment
    assert len(exp.cells()) == 6
    assert not exp.allowed({"ft_list": "none", "severity": "severe", "task": "innovative"})
    found = _variant(tmp_path, "  per_respondent: 4\n",
                     "  fraction:\n    - {ft_list: none, severity: mild, task: routine}\n"
                     "    - {ft_list: none, severity: mild, task: routine}\n    - {ft_list: none, severity: mild}\n"
                     "  per_respondent: 4\n")
    assert [m for _, m in found] == ["fraction run 2 repeats run 1", "fraction run 3 sets no level for task"]
    found = _variant(tmp_path, "  per_respondent: 4\n", "  per_respondnt: 4\n")
    assert found[0][0] == "schema-unknown-key" and "per_respondent" in found[0][1]
    found = _variant(tmp_path, " Your superiors now give you {task}.", " Your superiors.")
    assert found == [("bad-experiment", "template (en) never shows factor 'task' (add {task})")]
