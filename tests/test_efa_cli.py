"""`avoid-survey efa` command line: JSON keys, exit codes, one-line errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from avoid_survey.cli.main import run

DATA = Path(__file__).parent / "reference" / "data"
HS = str(DATA / "holzinger_x1_x9.csv")
ITEMS = ",".join(f"x{i}" for i in range(1, 10))


def test_json_output_keys(capsys):
    code = run(["efa", HS, "--items", ITEMS, "--factors", "auto", "--format", "json",
                "--parallel-iterations", "10", "--seed", "2"])
    out, err = capsys.readouterr()
    assert code == 0
    d = json.loads(out)
    for key in ("n", "kmo", "bartlett", "parallel", "method", "rotation", "factors", "loadings",
                "communalities", "factor_correlations"):
        assert key in d
    assert d["n"] == 301 and d["method"] == "minres" and d["rotation"] == "oblimin"
    assert d["parallel"]["n_factors"] == 3 and d["factors"] == ["MR1", "MR3", "MR2"]
    assert d["kmo"]["overall"] == pytest.approx(0.752244592603047, abs=1e-6)
    assert d["bartlett"]["df"] == 36


def test_method_rotation_and_listwise(capsys):
    code = run(["efa", HS, "--items", ITEMS, "-k", "3", "-m", "ml", "-r", "varimax", "--missing", "listwise",
                "-f", "json", "--parallel-iterations", "2"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["method"] == "ml" and d["rotation"] == "varimax" and d["missing"] == "listwise"
    assert d["factors"] == ["ML1", "ML3", "ML2"]


def test_table_output_and_file(tmp_path, capsys):
    out = tmp_path / "efa.md"
    assert run(["efa", HS, "--items", ITEMS, "-k", "3", "-f", "md", "-o", str(out), "--lang", "en",
                "--parallel-iterations", "2"]) == 0
    text = out.read_text()
    assert "KMO" in text and "| x5 |" in text
    # existing output is not overwritten without --force
    assert run(["efa", HS, "--items", ITEMS, "-k", "3", "-f", "md", "-o", str(out), "--parallel-iterations", "2"]) == 2
    assert run(["efa", HS, "--items", ITEMS, "-k", "3", "-f", "md", "-o", str(out), "--force",
                "--parallel-iterations", "2"]) == 0


@pytest.mark.parametrize("args,msg", [
    (["--items", "x1,x2,nope"], "unknown item(s): nope"),
    (["--items", "x1,x2"], "at least 3 items"),
    (["--items", ITEMS, "--factors", "7"], "too many factors"),
    (["--items", ITEMS, "--factors", "two"], "--factors must be a whole number"),
    ([], "give --instrument"),
    (["--scale", "agree"], "--scale needs --instrument"),
    (["--items", ITEMS, "--scale", "agree", "--instrument", "blame-avoidance"], "not both"),
    (["--items", ITEMS, "--rotation", "spin"], "spin"),
])
def test_bad_input_exit_2_one_line(args, msg, capsys):
    code = run(["efa", HS, *args, "--parallel-iterations", "2"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and msg in lines[0]
    assert "Traceback" not in err


def test_missing_file_exit_2(capsys, tmp_path):
    code = run(["efa", str(tmp_path / "none.csv"), "--items", ITEMS])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_heywood_warning_printed_once(capsys):
    items = ",".join([f"A{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 6)])
    code = run(["efa", str(DATA / "bfi.csv"), "--items", items, "-k", "4", "--parallel-iterations", "2",
                "-f", "md"])
    out, err = capsys.readouterr()
    assert code == 0
    assert sum("Heywood" in ln for ln in err.splitlines()) == 1 and err.startswith("warning:")
