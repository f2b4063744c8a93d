"""Every command's terminal table at 80 and 100 columns (issue 16): no number is split
across lines, no column vanishes (every header word is printed), no line is wider than the
console; the same when stdout is not a terminal (the output here is captured, not a tty)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from avoid_survey.analysis.render import terminal
from avoid_survey.analysis.render.common import cells
from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "tests" / "reference"
S = str(ROOT / "sample_data" / "responses.csv")
CORE = "blame-avoidance-core-v2"
HS = str(REF / "data" / "hs_holzinger1939.csv")
HS_INST = str(REF / "cfa_hs_instrument.yaml")
EX = ROOT / "sample_data" / "experiment"
FIX = ROOT / "tests" / "fixtures" / "validate"

COMMANDS = {
    "validate": ["validate", S, "-i", CORE],
    "validate-fixture": ["validate", str(FIX / "clean.csv"), "-i", str(FIX / "instrument.yaml")],
    "reliability": ["reliability", S, "-i", CORE],
    "efa": ["efa", S, "-i", CORE, "--scale", "passive_avoidance"],
    "cfa": ["cfa", S, "-i", "fault-tolerance-trust-v2", "--second-order"],
    "cfa-group": ["cfa", S, "-i", CORE, "--scale", "passive_avoidance", "--group", "gender"],
    "sem": ["sem", str(REF / "data" / "poldem_bollen.csv"), "--model",
            "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ a*ind60"],
    "cmv": ["cmv", HS, "-i", HS_INST],
    "model": ["model", "--template", "h1_h2_pressure_trust", "--data", S],
    "model-mediation": ["model", "--spec", str(ROOT / "sample_data" / "specs" / "mediation_parallel.yaml")],
    "describe": ["describe", S, "-i", CORE],
    "describe-by": ["describe", S, "-i", CORE, "--by", "gender"],
    "compare": ["compare", S, "-i", CORE, "--by", "age_band", "--vars", "weekly_hours,gender,ft_trust"],
    "compare-en": ["compare", S, "-i", CORE, "--by", "gender", "--vars", "ft_trust", "--lang", "en"],
    "reliability-explain": ["reliability", S, "-i", CORE, "--scale", "passive_avoidance", "--explain"],
    "experiment": ["experiment", str(EX / "conjoint.csv"), "-i", str(EX / "reform-conjoint.yaml")],
    "instruments-list": ["instruments", "list"],
    "score": ["score", S, "-i", CORE, "--scale", "passive_avoidance", "--aggregate", "township_id"],
}

_NUMBER = re.compile(r"^[-+\[(<]?[\d.,\s\[\]()%*<>∞-]+$")


@pytest.fixture
def recorded(monkeypatch):
    """The tables each run hands to the terminal renderer."""
    seen = []
    real = terminal.rich_tables

    def spy(tables, lang="en", decimals=3, width=None):
        seen.append((tables, lang, decimals))
        return real(tables, lang, decimals, width=width)

    monkeypatch.setattr(terminal, "rich_tables", spy)
    return seen


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_fits_the_terminal(name, width, recorded, monkeypatch, capsys, tmp_path):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("NO_COLOR", "1")
    argv = list(COMMANDS[name])
    if name == "score":
        argv += ["--out", str(tmp_path / "s.csv")]
    code = run(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert recorded, "the command printed no table"
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    flat = "\n".join(lines)
    for tables, lang, decimals in recorded:
        for t in tables:
            if t.terminal.get("panel"):
                continue
            shown = [j for j, c in enumerate(t.columns) if c.terminal.get("show", True)]
            for j in shown:
                for word in t.columns[j].text(lang).split():
                    assert word in flat, f"{name}: header word {word!r} of {t.columns[j].key} missing"
            for group, _span in t.column_groups(lang):      # column-group labels (Levene / Welch) too
                for word in group.split():
                    assert word in flat, f"{name}: column group {group!r} missing"
            for row in cells(t, lang, decimals):
                for j in shown:
                    text = row[j]
                    if t.columns[j].kind != "text" and text and _NUMBER.match(text):
                        assert any(text in line for line in lines), f"{name}: {text!r} split or missing"


def test_a_wide_table_folds_into_blocks_repeating_the_label_column():
    from avoid_survey.analysis.core.table import Column, Table
    from avoid_survey.analysis.render.terminal import column_blocks, render_table_text

    t = Table("wide", [Column("v", "Variable", kind="text")] + [Column(f"c{k}", f"Column {k}") for k in range(12)])
    t.add("a fairly long row label that must wrap", *[1234.56789 + k for k in range(12)])
    blocks = column_blocks(t, "en", 3, 80)
    assert len(blocks) > 1 and all(b[0] == 0 for b in blocks)
    assert sorted(j for b in blocks for j in b[1:]) == list(range(1, 13))
    text = render_table_text([t], "en", 3, width=80)
    for k in range(12):
        assert f"{1234.56789 + k:.3f}" in text and f"Column {k}" in text.replace("\n", " ") or f"{k}" in text
    assert "part 1 of" in text
    assert render_table_text([t], "en", 3, width=400).count("wide") == 1
