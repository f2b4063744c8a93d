"""Survey-platform layouts read through the instrument's item texts (issue 17).

Fixtures: tests/fixtures/platforms/make_fixtures.py (one raw sample of 65 rows written as
问卷星 按序号 / 按选项文本 / 按分数, Qualtrics, 腾讯问卷-style, Credamo-style, SPSS and
Stata; GB18030 and UTF-8; csv and xlsx; a two-sheet xlsx 说明 + 答卷数据).
"""
from __future__ import annotations

import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError, DataNote
from avoid_survey.analysis.io import load, read
from avoid_survey.analysis.io.readopts import using
from avoid_survey.cli.main import run
from avoid_survey.instruments import load_instrument

from tests.conftest import ROOT

FX = ROOT / "tests" / "fixtures" / "platforms"
INSTR = FX / "instrument.yaml"
ITEMS = ["p1", "p2", "att1", "p3", "p4", "p5", "p6", "p7", "t1", "t2", "t3", "t4", "a1", "a2", "a3", "a4"]
CODED = ["wjx_seq_gbk.csv", "wjx_seq.xlsx", "wjx_score.csv", "qualtrics.csv", "tencent.csv", "credamo.csv",
         "spss.sav", "stata.dta"]
TEXT = ["wjx_text_utf8.csv", "wjx_text_two_sheets.xlsx"]


@pytest.fixture(scope="module")
def inst():
    return load_instrument(INSTR)


@pytest.fixture(scope="module")
def truth():
    t = pd.read_csv(FX / "truth.csv", dtype={"respondent_id": str})
    return t[~t["kind"].isin(["blank", "duplicate"])].reset_index(drop=True)


def cli(args, capsys):
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", CODED + TEXT)
def test_every_layout_reads_to_the_same_analysed_sample(name, inst, truth):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read(FX / name, inst)
    assert len(df) == 60                      # 65 received - 3 blank - 2 repeated submissions
    assert df["respondent_id"].astype(str).tolist() == truth["respondent_id"].tolist()
    for it in ITEMS:
        exp = truth[it].to_numpy(dtype=float)
        if name in TEXT:                      # a text export carries no out-of-range code
            exp = np.where(exp > 5, 3.0, np.where(exp < 1, 3.0, exp))
        else:
            exp = np.where((exp > 5) | (exp < 1), np.nan, exp)   # 6, 0, 7, 55 on 1-5 items: missing
        np.testing.assert_array_equal(df[it].to_numpy(dtype=float), exp, err_msg=f"{name}: {it}")
    assert df.attrs["screening"][0] == {"step": "received", "rule": "rows in the file", "n_removed": 0,
                                        "n_remaining": 65}


def test_wenjuanxing_matrix_rows_and_numbering(inst):
    ld = load(FX / "wjx_seq_gbk.csv", inst)
    assert ld.info["encoding"] == "gb18030" and ld.info["platform"] == "wenjuanxing"
    assert ld.match["p1"] == {"header": "8(我做的几乎每件事都被考核)", "how": "text"}
    assert ld.match["att1"]["header"] == "8(本题请选择“不同意”)"
    assert ld.match["respondent_id"]["header"] == "1、受访者编号"
    assert ld.match["duration_sec"] == {"header": "所用时间", "how": "platform"}
    assert load(FX / "wjx_score.csv", inst).match["age"]["header"] == "5.您的年龄"
    assert set(ld.unmatched) == {"6、您的姓名", "7、手机号码"}   # personal data, dropped by read()


def test_qualtrics_tencent_credamo(inst):
    q = load(FX / "qualtrics.csv", inst)
    assert (q.info["platform"], q.info["header_rows"]) == ("qualtrics", 3)
    assert q.match["p1"]["header"] == "Q8_1" and q.match["p1"]["how"] == "text"
    t = load(FX / "tencent.csv", inst)
    assert t.match["p1"]["header"].endswith("—我做的几乎每件事都被考核")
    assert t.match["duration_sec"]["how"] == "platform" and t.platform["IP"][0] == "pii"
    c = load(FX / "credamo.csv", inst)
    assert c.info["encoding"] == "gb18030" and c.match["p2"]["header"] == "Q8_2.小的失误也会被追责"
    assert c.match["duration_sec"]["header"] == "作答时长"


def test_spss_stata_value_labels(inst):
    for name in ("spss.sav", "stata.dta"):
        ld = load(FX / name, inst)
        assert ld.info["value_labels"]["p1"][1.0] == "非常不同意"
        assert ld.info["value_labels"]["gender"][2.0] == "女"


def test_two_sheet_workbook_chooses_the_data_sheet(inst):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ld = load(FX / "wjx_text_two_sheets.xlsx", inst)
    assert ld.info["sheet"] == 1 and ld.info["sheets"] == ["说明", "答卷数据"]
    notes = [str(w.message) for w in caught if issubclass(w.category, DataNote)]
    assert len(notes) == 1 and "read sheet '答卷数据'" in notes[0] and "'说明'" in notes[0]
    with pytest.raises(AvoidSurveyError, match=r"no sheet 'nope' \(sheets: '说明', '答卷数据'\)"):
        load(FX / "wjx_text_two_sheets.xlsx", inst, sheet="nope")
    with pytest.raises(AvoidSurveyError, match=r"no sheet number 5 .*'说明', '答卷数据'"):
        load(FX / "wjx_text_two_sheets.xlsx", inst, sheet=5)
    assert load(FX / "wjx_text_two_sheets.xlsx", inst, sheet="答卷数据").frame.shape[0] == 65


def test_workbook_with_two_matching_sheets_lists_them(inst, tmp_path):
    text = pd.read_excel(FX / "wjx_text_two_sheets.xlsx", sheet_name="答卷数据")
    p = tmp_path / "two.xlsx"
    with pd.ExcelWriter(p) as xw:
        text.to_excel(xw, index=False, sheet_name="第一批")
        text.to_excel(xw, index=False, sheet_name="第二批")
        pd.DataFrame({"x": [1]}).to_excel(xw, index=False, sheet_name="说明")
    with pytest.raises(AvoidSurveyError, match=r"several sheets match the instrument \('第一批', '第二批'\)"):
        load(p, inst)
    with pytest.raises(AvoidSurveyError, match="no sheet of the workbook holds the instrument's columns"):
        load(p, load_instrument("dispositions"))


def test_unmatched_headers_closest_item_and_write_map(inst, tmp_path, capsys):
    raw = pd.read_csv(FX / "wjx_score.csv", encoding="utf-8", dtype=str)
    raw = raw.rename(columns={"8(我做的几乎每件事都被考核)": "8(我做的几乎每一件事情都被考核)",
                              "9(容错程序可操作)": "Q9 容错的程序可以操作"})
    data = tmp_path / "renamed.csv"
    raw.to_csv(data, index=False)
    code, out, err = cli(["reliability", data, "-i", INSTR, "-f", "json", "--write-map", tmp_path / "map.yaml"],
                         capsys)
    assert code == 0     # the scales are analysed with the items found; the note names the closest items
    before = {s["scale"]: s["k"] for s in json.loads(out)["scales"]}
    assert "'8(我做的几乎每一件事情都被考核)' ~ p1" in err and "'Q9 容错的程序可以操作' ~ t2" in err
    text = (tmp_path / "map.yaml").read_text(encoding="utf-8")
    assert '"8(我做的几乎每一件事情都被考核)": "p1"' in text and '"Q9 容错的程序可以操作": "t2"' in text
    code, out, err = cli(["reliability", data, "-i", INSTR, "-f", "json", "--map", tmp_path / "map.yaml"], capsys)
    after = {s["scale"]: s["k"] for s in json.loads(out)["scales"]}
    assert code == 0 and after["p_gen"] == 4 and after["trust"] == 4 and before.get("p_gen", 0) < 4
    code, out, err = cli(["validate", data, "-i", INSTR, "-f", "json"], capsys)
    doc = json.loads(out)
    closest = {(f["column"], f["code"]) for f in doc["findings"] if f["code"] in ("unmatched-closest", "map-hint")}
    assert ("8(我做的几乎每一件事情都被考核)", "unmatched-closest") in closest and (None, "map-hint") in closest


@pytest.mark.parametrize("command", ["reliability", "efa", "cfa", "describe", "cmv", "score"])
def test_every_command_takes_sheet_and_map(command, tmp_path, capsys):
    args = [command, FX / "wjx_text_two_sheets.xlsx", "-i", INSTR, "--sheet", "答卷数据", "--force"]
    if command == "score":
        args += ["--out", tmp_path / "s.csv"]
    else:
        args += ["-f", "json"]
    if command == "cfa":
        args += ["--scale", "pressure"]
    code, out, err = cli(args, capsys)
    assert code == 0, err
    code, out, err = cli([*args[:4], "--sheet", "Sheet9", *args[6:]], capsys)
    assert code == 2 and "no sheet 'Sheet9' (sheets: '说明', '答卷数据')" in err


def test_scale_whose_items_were_not_found(tmp_path, capsys):
    raw = pd.read_csv(FX / "wjx_score.csv", encoding="utf-8", dtype=str)
    raw = raw.drop(columns=[c for c in raw.columns if c.startswith("10(")])
    data = tmp_path / "no_avoid.csv"
    raw.to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {data}\ninstrument: {INSTR}\nmodels:\n  - name: m\n    family: ols\n"
                    f"    formula: avoid ~ pressure + trust\n", encoding="utf-8")
    code, out, err = cli(["model", "--spec", spec], capsys)
    assert code == 2 and "scale 'avoid'" in err and "none of its 4 items" in err and "unknown variable" not in err
