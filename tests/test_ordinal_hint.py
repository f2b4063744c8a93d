"""The one-line hint to treat Likert items as ordinal (cfa, reliability, efa) and the report's
statement of the correlation used."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.stats.describe import moments
from avoid_survey.analysis.stats.ordinal_hint import hint_line, ordinal_hint
from avoid_survey.cli.main import run

REF = Path(__file__).parent / "reference"
DATA = REF / "data" / "reliability_ordinal.csv"
INST = REF / "reliability_ordinal.yaml"
HS = REF / "data" / "holzinger_x1_x9.csv"


def test_hint_only_for_few_whole_number_categories():
    rng = np.random.default_rng(1)
    likert = rng.integers(1, 6, size=(50, 3)).astype(float)
    likert[3, 1] = np.nan
    h = ordinal_hint(likert, ["a", "b", "c"])
    assert h["max_categories"] == 5
    assert h["skewness"]["b"] == pytest.approx(moments(likert[:, 1])["skewness"], abs=1e-12)
    assert ordinal_hint(rng.integers(1, 9, size=(80, 2)).astype(float), ["a", "b"]) is None   # 8 categories
    assert ordinal_hint(likert + 0.5 * (np.arange(50) % 2)[:, None], ["a", "b", "c"]) is None  # not whole numbers
    line = hint_line(h, "reliability", "en")
    assert "\n" not in line and "--ordinal" in line and "b " in line
    assert "--cor polychoric" in hint_line(h, "efa", "zh")


def test_hint_caps_long_item_lists():
    skew = {f"q{j}": float(j) / 10 for j in range(30)}
    line = hint_line({"max_categories": 5, "skewness": skew}, "cfa", "en", show=5)
    assert "q29 2.90" in line and "q0 " not in line and "25 more" in line


def _stderr_lines(capsys):
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


@pytest.mark.parametrize("args,option", [
    (["reliability", str(DATA), "-i", str(INST)], "reliability --ordinal"),
    (["efa", str(DATA), "--items", "a1,a2,a4,a5,p1,p3,p4,p5", "-k", "2", "--parallel-iterations", "2"],
     "efa --cor polychoric"),
    (["cfa", str(DATA), "-m", "A =~ a1 + a2 + a4; P =~ p1 + p3 + p4"], "--estimator wlsmv"),
])
def test_commands_print_one_hint_line(capsys, args, option):
    code = run([*args, "--format", "json", "--lang", "en"])
    lines = [ln for ln in _stderr_lines(capsys) if "categories" in ln]
    assert code == 0 and len(lines) == 1 and option in lines[0] and "skewness" in lines[0]
    assert "a1 1.09" in lines[0]


def test_no_hint_with_the_ordinal_option_or_continuous_items(capsys):
    run(["reliability", str(DATA), "-i", str(INST), "--ordinal", "--format", "json"])
    assert not [ln for ln in _stderr_lines(capsys) if "选项" in ln]
    run(["efa", str(DATA), "--items", "a1,a2,a4,p1,p3,p4", "--cor", "polychoric", "-k", "2", "--format", "json",
         "--parallel-iterations", "2"])
    assert not [ln for ln in _stderr_lines(capsys) if "选项" in ln]
    run(["efa", str(HS), "--items", ",".join(f"x{i}" for i in range(1, 10)), "--format", "json",
         "--parallel-iterations", "2"])
    assert not [ln for ln in _stderr_lines(capsys) if "选项" in ln]


def test_report_states_the_correlation_used(tmp_path):
    root = Path(__file__).resolve().parent.parent
    data = root / "sample_data" / "responses.csv"
    texts = {}
    for name, extra in (("pearson.html", []), ("ordinal.html", ["--ordinal"])):
        code = run(["report", "--template", "h1_h2_pressure_trust", "--data", str(data), "--out", str(tmp_path / name),
                    "--lang", "en", *extra])
        assert code == 0
        texts[name] = (tmp_path / name).read_text(encoding="utf-8")
    assert "are Pearson correlations" in texts["pearson.html"] and "Ordinal α" not in texts["pearson.html"]
    assert "polychoric correlations" in texts["ordinal.html"] and "Ordinal α" in texts["ordinal.html"]
