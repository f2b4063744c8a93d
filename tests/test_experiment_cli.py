"""`avoid-survey experiment`: JSON keys, formats, the figure, the design file, one-line errors."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "sample_data" / "experiment"
VIG, CJ = str(EX / "ft-vignette.yaml"), str(EX / "reform-conjoint.yaml")
REF = ROOT / "tests" / "reference" / "data"


def _json(capsys, *args):
    code = run(["experiment", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_vignette_json_contract(capsys):
    d = _json(capsys, str(EX / "vignette.csv"), "-i", VIG, "-c", "age,female", "--covariates", "tenure",
              "--moderator", "female", "--mde", "600")
    assert set(d) >= {"design", "balance", "effects", "tests", "attrition", "power"}
    assert d["design"]["n_rows"] == 2400 and d["design"]["n_respondents"] == 600
    assert d["design"]["se_type"] == "CR1" and d["design"]["outcome"] == "innovate"
    assert {b["variable"] for b in d["balance"]} == {"age", "female", "tenure"}
    for b in d["balance"]:
        assert set(b) >= {"variable", "arm", "mean", "std_diff"}
    for e in d["effects"]:
        assert set(e) >= {"estimand", "factor", "level", "baseline", "estimate", "se", "ci_lower", "ci_upper", "p"}
    assert {e["estimand"] for e in d["effects"]} == {"ate", "interaction"}
    assert len(d["power"]) == 3 and all(p["mde"] > 0 for p in d["power"])


def test_conjoint_json_and_reference_equality(capsys):
    d = _json(capsys, str(REF / "experiment_conjoint.csv"), "-i", CJ, "-m", "leader")
    ref = json.loads((ROOT / "tests" / "reference" / "experiment.json").read_text(encoding="utf-8"))
    amce = {e["term"]: e["estimate"] for e in d["effects"] if e["estimand"] == "amce" and e["model"] == "main"}
    assert [amce[t] for t in ref["amce"]["terms"]] == pytest.approx(ref["amce"]["estimate"], abs=1e-9)
    assert {e["estimand"] for e in d["effects"]} == {"amce", "mm", "interaction"}
    assert {t["test"] for t in d["tests"]} >= {"nested_f", "carryover", "profile_order", "wald_factor"}


@pytest.mark.parametrize("fmt", ["md", "csv", "latex", "html"])
def test_text_formats_both_languages(capsys, fmt):
    for lang, word in (("en", "Marginal mean"), ("zh", "边际均值")):
        code = run(["experiment", str(EX / "conjoint.csv"), "-i", CJ, "-f", fmt, "--lang", lang])
        out = capsys.readouterr().out
        assert code == 0 and word in out


def test_office_formats_and_figure(tmp_path, capsys):
    for ext in ("docx", "xlsx"):
        code = run(["experiment", str(EX / "vignette.csv"), "-i", VIG, "-f", ext, "-o", str(tmp_path / f"e.{ext}"),
                    "--figure", str(tmp_path / f"e_{ext}.svg")])
        assert code == 0 and (tmp_path / f"e.{ext}").stat().st_size > 0
        assert (tmp_path / f"e_{ext}.svg").read_text(encoding="utf-8").startswith("<?xml")
    code = run(["experiment", str(EX / "conjoint.csv"), "-i", CJ, "-f", "json", "--figure", str(tmp_path / "a.png")])
    assert code == 0 and (tmp_path / "a.png").stat().st_size > 1000
    code = run(["experiment", str(EX / "vignette.csv"), "-i", VIG, "-f", "json", "-c", "age,tenure",
                "--balance-figure", str(tmp_path / "b.pdf")])
    assert code == 0 and (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    code = run(["experiment", str(EX / "vignette.csv"), "-i", VIG, "--balance-figure", str(tmp_path / "c.png")])
    assert code == 2 and "--balance-figure needs --covariates" in capsys.readouterr().err


def test_design_file_round_trip(tmp_path, capsys):
    out = tmp_path / "design.csv"
    assert run(["experiment", "-i", VIG, "--design-out", str(out), "--respondents", "50", "--seed", "3"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 200 and rows[0]["text_zh"].startswith("假设您所在的县")
    # each respondent sees 4 different cells
    by = {}
    for r in rows:
        by.setdefault(r["respondent"], set()).add((r["ft_list"], r["severity"], r["task"]))
    assert all(len(v) == 4 for v in by.values())
    out2 = tmp_path / "cj.csv"
    assert run(["experiment", "-i", CJ, "--design-out", str(out2), "--respondents", "4"]) == 0
    rows = list(csv.DictReader(out2.open(encoding="utf-8-sig")))
    assert len(rows) == 40 and {r["profile"] for r in rows} == {"1", "2"} and "attribute_order" in rows[0]
    # a platform export with the level texts instead of ids, plus an outcome, reads back
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    texts = {"published": "已公布容错免责清单并有实际案例", "none": "尚未公布容错免责清单"}
    back = tmp_path / "back.csv"
    with back.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent", "ft_list", "severity", "task", "innovate"])
        for i, r in enumerate(rows):
            w.writerow([r["respondent"], texts[r["ft_list"]], r["severity"], r["task"], (i * 7) % 5 + 1])
    d = _json(capsys, str(back), "-i", VIG)
    assert d["design"]["n_rows"] == 200
    # ... and so does an export holding only the run number ("version k") of each vignette
    by_cell = tmp_path / "cells.csv"
    with by_cell.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["respondent", "cell", "innovate"])
        for i, r in enumerate(rows):
            w.writerow([r["respondent"], r["cell"], (i * 7) % 5 + 1])
    assert _json(capsys, str(by_cell), "-i", VIG)["effects"] == d["effects"]
    with by_cell.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(["51", "9", "3"])
    assert run(["experiment", str(by_cell), "-i", VIG]) == 2
    assert "row 201, column 'cell': cell '9' is not a run of the design (1..8)" in capsys.readouterr().err


def _broken(tmp_path, edit):
    rows = list(csv.reader((REF / "experiment_between.csv").open(encoding="utf-8")))
    rows = edit(rows)
    p = tmp_path / "bad.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return str(p)


def _set(row, col, value):
    def edit(rows):
        rows[row][rows[0].index(col)] = value
        return rows
    return edit


@pytest.mark.parametrize("edit,args,message", [
    (_set(5, "severity", "harsh"), [], "row 5, column 'severity': the cell holds 'harsh', which is not a level of "
                                       "factor 'severity' (levels: mild, severe)"),
    (_set(7, "task", ""), [], "row 7, column 'task': the cell is empty"),
    (_set(3, "innovate", "abc"), [], "row 3, column 'innovate': outcome column 'innovate' holds 'abc'"),
    (lambda rows: [r for i, r in enumerate(rows) if i == 0 or r[2] != "published"], [],
     "column 'ft_list': level 'published' of factor 'ft_list' has no row with an observed outcome"),
    (lambda rows: rows, ["-y", "nothere"], "column 'nothere': outcome column 'nothere' is not in the data"),
    (lambda rows: rows, ["-c", "age,weight"], "column 'weight': covariate column 'weight' is not in the data"),
])
def test_bad_input_exit_2_one_line(tmp_path, capsys, edit, args, message):
    path = _broken(tmp_path, edit)
    code = run(["experiment", path, "-i", VIG, "-y", "innovate", *args] if "-y" not in args
               else ["experiment", path, "-i", VIG, *args])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert "Traceback" not in err


def test_instrument_without_experiment(capsys):
    code = run(["experiment", str(EX / "vignette.csv"), "-i", "demographics"])
    err = capsys.readouterr().err
    assert code == 2 and "declares no experiment" in err


def test_power_only_without_data(capsys):
    d = _json(capsys, "-i", VIG, "--mde", "300", "--effect", "ft_list.published=0.5", "--reps", "10",
              "--respondent-sd", "0.5")
    rows = {r["factor"]: r for r in d["power"]}
    assert d["effects"] == [] and d["design"]["n_respondents"] == 300
    assert rows["ft_list"]["effect"] == 0.5 and rows["ft_list"]["power_sim"] >= 0.9 and rows["task"]["effect"] == 0
    assert rows["ft_list"]["mde"] == pytest.approx(2.8015852 * (2 / 600) ** 0.5, abs=1e-6)
    code = run(["experiment", "-i", VIG, "--mde", "300", "--effect", "ft_list=0.5"])
    assert code == 2 and "write FACTOR.LEVEL=NUMBER" in capsys.readouterr().err


def test_versions_out(tmp_path, capsys):
    out = tmp_path / "versions.md"
    assert run(["experiment", "-i", VIG, "--versions-out", str(out), "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("**Version ") == 8 and "Suppose your county has published" in text
    assert "how likely are you to look for new ways" in text and "您有多大可能" in text
    card = tmp_path / "card.docx"
    assert run(["experiment", "-i", CJ, "--versions-out", str(card)]) == 0 and card.stat().st_size > 0
    assert run(["experiment", "-i", CJ, "--versions-out", str(tmp_path / "x.pdf")]) == 2


def test_simulate_out_round_trip(tmp_path, capsys):
    out = tmp_path / "sim.csv"
    assert run(["experiment", "-i", VIG, "--simulate-out", str(out), "--respondents", "300", "--effect",
                "severity.severe=-0.8", "--respondent-sd", "0.5", "--seed", "4"]) == 0
    d = _json(capsys, str(out), "-i", VIG)
    ate = {e["factor"]: e for e in d["effects"] if e["model"] == "main"}
    assert abs(ate["severity"]["estimate"] + 0.8) < 3 * ate["severity"]["se"]
    assert abs(ate["task"]["estimate"]) < 4 * ate["task"]["se"]
