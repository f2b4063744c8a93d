"""`family: experiment` in a model spec: the command's numbers, its options, clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.analysis.stats.models.run import run_spec

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "sample_data" / "experiment"


def _by_key(effects):
    return {(e["estimand"], e["model"], e["factor"], e["level"], e.get("group")): e for e in effects}


def test_spec_models_equal_the_command(cli):
    res = run_spec(EX / "models.yaml")
    assert [m.family for m in res.models] == ["experiment"] * 3
    code, out, err = cli("experiment", EX / "vignette.csv", "-i", EX / "ft-vignette.yaml", "-y", "innovate",
                         "-c", "age,female,tenure", "--moderator", "female", "--format", "json")
    assert code == 0, err
    cmd = json.loads(out)
    spec = res.models[0].to_dict()["experiment"]
    a, b = _by_key(cmd["effects"]), _by_key(spec["effects"])
    assert set(a) == set(b) and len(a) > 10
    for k in a:
        for f in ("estimate", "se", "p", "ci_lower", "ci_upper"):
            assert a[k][f] == pytest.approx(b[k][f], rel=1e-12, abs=1e-14) or (a[k][f] != a[k][f] and b[k][f] != b[k][f])
    assert [t["statistic"] for t in cmd["tests"]] == pytest.approx([t["statistic"] for t in spec["tests"]], rel=1e-12)
    # the main effects are the coefficients, named factor[level]
    m = res.models[0]
    main = {(e["factor"], e["level"]): e for e in cmd["effects"] if e["model"] == "main"}
    assert [c.term for c in m.coefficients] == [f"{f}[{lv}]" for f, lv in main]
    c = m.coef("ft_list[published]")
    assert c.estimate == pytest.approx(main[("ft_list", "published")]["estimate"], rel=1e-12)
    assert c.se == pytest.approx(main[("ft_list", "published")]["se"], rel=1e-12)
    assert m.n == 2400 and m.n_groups == {"respondent": 600} and m.se_type == "cluster (CR1)"


def test_conjoint_model_and_options(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"""
data: {EX / 'conjoint.csv'}
instrument: {EX / 'reform-conjoint.yaml'}
filters: {{where: {{leader: 1}}}}
models:
  - {{name: cj, family: experiment, mde: 500, ci: 0.9}}
""", encoding="utf-8")
    m = run_spec(spec).models[0]
    import pandas as pd

    frame = pd.read_csv(EX / "conjoint.csv")
    ref = analyze(frame[frame["leader"] == 1].reset_index(drop=True), EX / "reform-conjoint.yaml", ci=0.9,
                  power_n=500).to_dict()
    got = m.to_dict()["experiment"]
    assert got["design"]["n_rows"] == ref["design"]["n_rows"] < 5000
    assert [e["ci_lower"] for e in got["effects"]] == pytest.approx([e["ci_lower"] for e in ref["effects"]])
    assert got["power"] and got["power"] == ref["power"]


@pytest.mark.parametrize("model, message", [
    ("{name: x, family: experiment, formula: 'y ~ a'}", "'formula' is not used by family experiment"),
    ("{name: x, family: ols, formula: 'innovate ~ age', outcome: innovate}", "'outcome' is only used by family experiment"),
])
def test_spec_errors(tmp_path, model, message):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"data: {EX / 'vignette.csv'}\ninstrument: {EX / 'ft-vignette.yaml'}\nmodels:\n  - {model}\n",
                    encoding="utf-8")
    with pytest.raises(AvoidSurveyError) as e:
        run_spec(spec)
    assert message in str(e.value) and e.value.line == 4


def test_spec_without_experiment_block(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"data: {EX / 'vignette.csv'}\ninstrument: blame-avoidance-core\nmodels:\n"
                    f"  - {{name: x, family: experiment, outcome: innovate}}\n", encoding="utf-8")
    with pytest.raises(AvoidSurveyError) as e:
        run_spec(spec)
    assert "declares no experiment" in str(e.value) and e.value.line == 4


def test_unknown_outcome_names_the_line(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"data: {EX / 'vignette.csv'}\ninstrument: {EX / 'ft-vignette.yaml'}\nmodels:\n"
                    f"  - name: x\n    family: experiment\n    outcome: nothere\n", encoding="utf-8")
    with pytest.raises(AvoidSurveyError) as e:
        run_spec(spec)
    assert "nothere" in str(e.value) and e.value.line == 6
