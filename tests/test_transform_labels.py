"""Tables name computed columns by their transform's `label`, and unit variables of a 2.x
instrument by unit-questionnaire-v2's labels."""
from __future__ import annotations

from pathlib import Path

import pytest

from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.mark.parametrize("lang, within, unit", [
    ("zh", "主动避责（乡镇内）", "硬性指标占比（%）"),
    ("en", "Active avoidance (within township)", "Share of hard targets (%)"),
])
def test_transform_and_unit_labels(tmp_path, capsys, lang, within, unit):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"""data: {SAMPLE / 'responses.csv'}
units: {{file: {SAMPLE / 'units.csv'}, key: township_id}}
instrument: blame-avoidance-core-v2
transforms:
  - {{var: active_avoidance, op: group_center, by: township_id, as: active_within,
     label: {{en: "Active avoidance (within township)", zh: "主动避责（乡镇内）"}}}}
  - {{var: active_avoidance, op: group_mean, by: township_id, as: active_township}}
models:
  - name: m
    family: ols
    formula: collusive_avoidance ~ active_within + active_township + hard_target_pct
""", encoding="utf-8")
    code = run(["model", "--spec", str(spec), "-f", "md", "--lang", lang])
    out = capsys.readouterr().out
    assert code == 0
    assert within in out and unit in out
    assert "active_township" in out          # no label given: the column's name
    assert "active_within" not in out
