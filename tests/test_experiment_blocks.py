"""Blocked designs: the `blocks:` key of the experiment block, checked by `instruments check`,
used by the assignment file, the versions and the simulator."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.analysis.stats.experiment.fielding import assignments
from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
from avoid_survey.instruments import load_instrument
from avoid_survey.instruments.loader import check_instrument_file
from avoid_survey.instruments.versions import design_frame, versions

ROOT = Path(__file__).resolve().parents[1]
VIG = ROOT / "sample_data" / "experiment" / "ft-vignette.yaml"


def _inst(tmp_path, blocks: str, per: int = 4) -> Path:
    text = VIG.read_text(encoding="utf-8").replace("  per_respondent: 4\n", f"  blocks: {blocks}\n  per_respondent: {per}\n")
    p = tmp_path / "blocked.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_two_blocks_confound_the_three_way_interaction(tmp_path):
    exp = load_instrument(_inst(tmp_path, "2")).experiment
    cells = exp.cells()
    assert [len(b) for b in exp.blocks] == [4, 4]
    sign = {"none": 0, "published": 1, "mild": 0, "severe": 1, "routine": 0, "innovative": 1}
    for b in exp.blocks:  # within a block, the parity of the level sum (the abc interaction) is constant
        assert len({sum(sign[v] for v in cells[k].values()) % 2 for k in b}) == 1
    assert exp.to_dict()["n_blocks"] == 2 and exp.to_dict()["blocks"] == [[1, 4, 6, 7], [2, 3, 5, 8]]


@pytest.mark.parametrize("blocks, per, message", [
    ("[[1, 2, 3, 4], [5, 6, 7, 9]]", 4, "block 2 names run 9, but the design has runs 1..8"),
    ("[[1, 2, 3, 4], [4, 5, 6, 7, 8]]", 4, "run 4 is in block 1 and block 2"),
    ("[[1, 2, 3, 4], [5, 6, 7]]", 3, "run(s) 8 belong to no block"),
    ("[[1, 2, 3], [4, 5, 6, 7, 8]]", 4, "fewer runs than per_respondent (4)"),
    ("9", 1, "blocks: 9 must be between 1 and the number of runs (8)"),
])
def test_bad_blocks_are_found_on_their_line(tmp_path, blocks, per, message):
    p = _inst(tmp_path, blocks, per)
    found = check_instrument_file(p)
    errors = [f for f in found if f.severity == "error"]
    assert len(errors) == 1 and message in errors[0].message
    line = next(i for i, t in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("  blocks:"))
    assert errors[0].row == line


def test_unequal_blocks_warn(tmp_path):
    found = check_instrument_file(_inst(tmp_path, "[[1, 2, 3], [4, 5, 6, 7, 8]]", 3))
    assert [f.code for f in found] == ["experiment-unequal-blocks"] and found[0].severity == "warning"


def test_assignment_versions_and_simulation_respect_blocks(tmp_path):
    exp = load_instrument(_inst(tmp_path, "2")).experiment
    blocks = [set(k + 1 for k in b) for b in exp.blocks]
    a = assignments(exp, 40, seed=2)
    for r, g in a.groupby("respondent"):
        assert set(g["cell"]) == blocks[(r - 1) % 2] and set(g["block"]) == {(r - 1) % 2 + 1}
    vs = versions(exp)
    assert len(vs) == 8
    d = design_frame(exp, vs)
    for v, g in d.groupby("version"):
        assert set(g["cell"]) == blocks[g["block"].iloc[0] - 1]
    # within a block, the versions rotate the cells through the positions (a Latin square)
    for b in (1, 2):
        sub = d[d["block"] == b]
        for pos in range(1, 5):
            assert sorted(sub.loc[sub["vignette"] == pos, "cell"]) == sorted(blocks[b - 1])
    sim = simulate_experiment(exp, 300, effects={"ft_list": {"published": 0.5}}, respondent_sd=0.5, seed=5)
    cells = exp.cells()
    for r, g in sim.groupby("respondent"):
        seen = {next(k + 1 for k, c in enumerate(cells) if all(c[f] == row[f] for f in exp.factor_ids))
                for _, row in g.iterrows()}
        assert seen == blocks[(r - 1) % 2]
        if r > 10:
            break
    r = analyze(sim, exp_path := tmp_path / "blocked.yaml")
    main = {e["factor"]: e for e in r.to_dict()["effects"] if e["model"] == "main"}
    assert abs(main["ft_list"]["estimate"] - 0.5) < 4 * main["ft_list"]["se"]
    assert r.design["n_blocks"] == 2 and exp_path.exists()
