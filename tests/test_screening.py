"""One screening shared by every analysis, its exclusion flow, and validate --clean (issue 17).

The fixture sample (tests/fixtures/platforms/make_fixtures.py) holds 65 rows: 3 blank, 2
repeated submissions, 4 speeders, 2 failed attention checks, 3 straight-liners and 4
out-of-range codes, so every count below is known from how the file was made.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.io import load, read
from avoid_survey.analysis.validate import validate
from avoid_survey.analysis.validate.clean import changes_path
from avoid_survey.analysis.validate.screening import Screening, screen
from avoid_survey.cli.main import run
from avoid_survey.instruments import load_instrument

from tests.conftest import ROOT

FX = ROOT / "tests" / "fixtures" / "platforms"
INSTR = FX / "instrument.yaml"
DATA = FX / "wjx_seq_gbk.csv"
ALL = [("received", 0, 65), ("blank", 3, 62), ("duplicate_id", 2, 60), ("duplicate_answers", 0, 60),
       ("speeder", 4, 56), ("attention", 2, 54), ("careless", 3, 51), ("out_of_range", 0, 51), ("analysed", 0, 51)]


@pytest.fixture(scope="module")
def inst():
    return load_instrument(INSTR)


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(FX / "truth.csv", dtype={"respondent_id": str})


def cli(args, capsys):
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def steps(flow):
    return [(s["step"], s["n_removed"], s["n_remaining"]) for s in flow]


def test_each_rule_removes_the_rows_made_for_it(inst, truth):
    ld = load(DATA, inst)
    sc = screen(ld, inst, Screening.from_rules(["all"]))
    assert steps(sc.flow) == [s for s in ALL if s[0] != "out_of_range"]
    removed_by = {}
    for name, flag in sc.flags.items():
        for i in np.flatnonzero(flag):
            removed_by.setdefault(int(i), name)
    kinds = {name: sorted(truth.loc[[i for i, n in removed_by.items() if n == name], "kind"].unique())
             for name in set(removed_by.values())}
    assert kinds == {"flag_blank": ["blank"], "flag_duplicate_id": ["duplicate"], "flag_speeder": ["speeder"],
                     "flag_attention": ["attention"], "flag_careless": ["straight"]}
    assert int(sc.keep.sum()) == 51 and set(truth.loc[sc.keep, "kind"]) == {"normal"}


def test_default_screening_blank_rows_and_repeated_ids():
    assert Screening() == Screening.from_rules([]) and Screening().duplicates == "id"
    assert Screening.from_rules(["none"]).duplicates == "none"
    sc = Screening.from_mapping({"duplicates": "answers", "speeders": {"seconds_per_item": 3},
                                 "careless": {"indices": ["longstring", "irv"], "k": 1}})
    assert (sc.duplicates, sc.seconds_per_item, sc.careless, sc.careless_k) == ("answers", 3.0,
                                                                                ("longstring", "irv"), 1)
    with pytest.raises(AvoidSurveyError, match="unknown key 'speed'"):
        Screening.from_mapping({"speed": True})
    with pytest.raises(AvoidSurveyError, match="careless.k: a whole number from 1 to 2"):
        Screening.from_mapping({"careless": {"indices": ["irv", "longstring"], "k": 3}})
    with pytest.raises(AvoidSurveyError, match="unknown rule 'fast'"):
        Screening.from_rules(["speeders,fast"])


def test_duplicate_answer_vectors(inst, tmp_path):
    raw = pd.read_csv(FX / "wjx_score.csv", encoding="utf-8", dtype=str)
    resub = raw.iloc[[4]].copy()
    resub["1.受访者编号"] = "r999"          # the same answers under a new id: a resubmission
    p = tmp_path / "resub.csv"
    pd.concat([raw, resub]).to_csv(p, index=False)
    df = read(p, inst, screening=Screening(duplicates="both"))
    assert "r999" not in set(df["respondent_id"]) and len(df) == 60
    assert steps(df.attrs["screening"])[3] == ("duplicate_answers", 1, 60)
    assert "r999" in set(read(p, inst)["respondent_id"])   # not a default rule


@pytest.mark.parametrize("command", ["reliability", "efa", "cfa", "describe", "cmv", "validate"])
def test_every_command_prints_the_same_flow(command, capsys):
    args = [command, DATA, "-i", INSTR, "-f", "json", "--screen", "all"]
    if command == "cfa":
        args += ["--scale", "pressure"]
    code, out, err = cli(args, capsys)
    assert code in (0, 1), err
    doc = json.loads(out)
    assert steps(doc["screening"]) == ALL
    assert set(doc["screening"][0]) >= {"step", "rule", "n_removed", "n_remaining"}
    if command in ("efa", "describe"):
        assert doc["n"] == 51
    assert "收到 65" in err and "分析样本 51" in err    # the one-line flow, in the --lang of the command


def test_blank_rows_never_count(capsys):
    ns = {}
    for command in ("efa", "describe", "reliability"):
        code, out, err = cli([command, DATA, "-i", INSTR, "-f", "json"], capsys)
        doc = json.loads(out)
        ns[command] = doc["screening"][-1]["n_remaining"]
        if "n" in doc:
            assert doc["n"] == 60
        else:
            assert max(s["n"] for s in doc["scales"]) == 60
    assert set(ns.values()) == {60}


def test_spec_screening_block_applies_to_models(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {DATA}\ninstrument: {INSTR}\nscreening:\n  speeders: true\n  attention: true\n"
                    f"  careless: {{k: 2}}\nmodels:\n  - name: m\n    family: ols\n"
                    f"    formula: avoid ~ pressure + trust\n    se: {{type: cluster, cluster: township_id}}\n",
                    encoding="utf-8")
    code, out, err = cli(["model", "--spec", spec, "-f", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["screening"][-1]["n_remaining"] == 51
    assert doc["models"][0]["n"] == 49      # 2 of the 51 lack a scale score (out-of-range codes set missing)
    assert doc["models"][0]["n_groups"] == {"township_id": 6}       # two 城关镇 under two counties kept apart
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec.read_text(encoding="utf-8").replace("speeders: true", "speedy: true"), encoding="utf-8")
    code, out, err = cli(["model", "--spec", bad], capsys)
    assert code == 2 and "unknown key 'speedy'" in err and "line" in err


def test_report_applies_one_screening_to_every_section(tmp_path):
    from avoid_survey.analysis.report import build_report

    spec = {"data": str(DATA), "instrument": str(INSTR),
            "screening": {"speeders": True, "attention": True, "careless": {"k": 2}},
            "models": [{"name": "m", "family": "ols", "formula": "avoid ~ pressure + trust"}]}
    res = build_report(spec, lang="en", figure_dir=tmp_path, cfa_scales=["pressure"], sensitivity=True)
    html = res.document.to_html()
    assert res.sections["sensitivity"] == "ok" and res.sections["models"] == "ok"
    assert "of 65 rows received" in html and "51 respondents were analysed" in html
    assert "3 removed as careless responding" in html
    # descriptives, reliability, CFA and models all on the 51 screened rows
    models = res.document
    assert "Sensitivity: the models without exclusions" in html
    sens = [b for b in models.blocks if getattr(b, "name", "") == "sensitivity"] if hasattr(models, "blocks") else []
    del sens
    zh = build_report(spec, lang="zh", figure_dir=tmp_path).document.to_html()
    assert "收到 65 行" in zh and "分析样本 51 人" in zh


def test_report_sections_share_the_analysed_rows(tmp_path):
    from avoid_survey.analysis.report import _Builder
    from avoid_survey.analysis.io.readopts import current, using

    spec = {"data": str(DATA), "instrument": str(INSTR), "screening": {"speeders": True},
            "models": [{"name": "m", "family": "ols", "formula": "avoid ~ pressure"}]}
    b = _Builder(spec, "en", tmp_path, ["pressure"])
    with using(current(), screening=b.screening):
        b.models()
        frame = b.read()
    assert len(frame) == 56 and b.state["models"].models[0].n == 55   # one row lacks a score
    assert b.state["models"].models[0].n < run_all_rows(spec)


def run_all_rows(spec):
    from avoid_survey.analysis.stats.models import run_spec
    return run_spec({k: v for k, v in spec.items() if k != "screening"}).models[0].n


def test_clean_writes_the_analysed_sample_and_a_change_log(tmp_path, capsys, truth):
    out = tmp_path / "clean.csv"
    code, o, e = cli(["validate", DATA, "-i", INSTR, "--clean", out, "--screen", "all", "-f", "json"], capsys)
    assert code == 1 and out.exists()       # duplicate ids are error-level findings
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"respondent_id": str})
    assert len(df) == 51 and set(truth.set_index("seq").loc[df["序号"], "kind"]) == {"normal"}
    for c in ("来自IP", "6、您的姓名", "7、手机号码"):
        assert c not in df.columns
    assert df[["p1", "t2", "a3", "p6"]].max().max() <= 5 and df[["p1", "t2", "a3", "p6"]].min().min() >= 1
    log = pd.read_csv(changes_path(out), encoding="utf-8-sig", dtype=str)
    assert list(log.columns) == ["row", "column", "old", "new", "rule"]
    oor = log[log["rule"] == "out_of_range"]
    assert sorted(zip(oor["column"], oor["old"])) == [("a3", "7"), ("p1", "6"), ("p6", "55"), ("t2", "0")]
    removed = log[log["new"] == "row removed"]
    assert removed["rule"].value_counts().to_dict() == {"speeder": 4, "blank": 3, "careless": 3, "duplicate_id": 2,
                                                        "attention": 2}
    assert set(log.loc[log["rule"] == "personal_data", "column"]) == {"来自IP", "6、您的姓名", "7、手机号码"}
    # --keep-flagged keeps every row with its flags; --keep-pii keeps personal data
    out2 = tmp_path / "flagged.xlsx"
    code, o, e = cli(["validate", DATA, "-i", INSTR, "--clean", out2, "--screen", "all", "--keep-flagged",
                      "--keep-pii"], capsys)
    fl = pd.read_excel(out2)
    assert len(fl) == 65 and "来自IP" in fl.columns
    assert fl["flag_blank"].sum() == 3 and fl["flag_duplicate"].sum() == 2
    assert fl["screened_out"].fillna("").tolist().count("speeder") == 4
    assert fl.loc[fl["screened_out"].isna(), "flag_careless"].sum() == 0


def test_report_filters_reach_every_section(tmp_path):
    from avoid_survey.analysis.report import _Builder, build_report

    spec = {"data": str(DATA), "instrument": str(INSTR), "filters": {"exclude_flags": ["flag_speeder"]},
            "models": [{"name": "m", "family": "ols", "formula": "avoid ~ pressure"}]}
    b = _Builder(spec, "en", tmp_path, ["pressure"])
    frame = b.read()
    assert len(frame) == 56 and b.state["filtered"] == (4, 56)     # 60 after blank/ids, 4 speeders
    b.rel()
    assert max(s.n for s in b.state["reliability"].scales) == 56
    html = build_report(spec, lang="en", figure_dir=tmp_path, cfa_scales=["pressure"]).document.to_html()
    assert "filters removed 4 further rows" in html and "used the remaining 56" in html


def test_python_api_takes_the_same_screening(tmp_path):
    import avoid_survey as av

    df = av.read(DATA, INSTR, screening={"speeders": True, "attention": True, "careless": {"k": 2}})
    assert len(df) == 51 and steps(df.attrs["screening"])[-1] == ("analysed", 0, 51)
    res = av.validate(DATA, INSTR, screening=True)
    assert steps(res.to_dict()["screening"]) == ALL
    rel = av.reliability(DATA, INSTR)
    assert rel.to_dict()["screening"][-1]["n_remaining"] == 60
    raw = pd.read_csv(FX / "wjx_score.csv", encoding="utf-8", dtype=str)
    assert "7.手机号码" not in av.read(FX / "wjx_score.csv", INSTR).columns
    assert "7.手机号码" in av.read(FX / "wjx_score.csv", INSTR, keep_pii=True).columns
    del raw


def test_unscreened_flow_takes_the_screening_defaults():
    """The plain-file flow (analysis/validate/flow.py, kept free of the screening rules for
    start-up) states the same steps with no rules given as with the default rules."""
    from avoid_survey.analysis.validate.flow import unscreened_flow
    from avoid_survey.analysis.validate.screening import Screening

    cols = ["a", "b"]
    assert unscreened_flow(7, cols, None) == unscreened_flow(7, cols, None, Screening())
    assert [s["step"] for s in unscreened_flow(7, cols, None, n_out_of_range=3)] == \
        ["received", "blank", "duplicate_id", "out_of_range", "analysed"]
    assert [s["step"] for s in unscreened_flow(7, cols, None, Screening(duplicates="none"))] == \
        ["received", "blank", "analysed"]
