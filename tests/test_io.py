"""Readers: every format and survey-platform export reads to the same frame."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avoid_survey.analysis import io as aio
from avoid_survey.analysis.io import scan as ascan
from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.io import load, norm_header, parse_duration, read_data, to_codes
from avoid_survey.instruments import load_instrument

FX = Path(__file__).parent / "fixtures" / "validate"
INSTR = FX / "instrument.yaml"


@pytest.fixture(scope="module")
def inst():
    return load_instrument(INSTR)


@pytest.fixture(scope="module")
def base(inst):
    return read_data(FX / "clean.csv", inst)


def _digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.mark.parametrize("name, kw", [
    ("clean_bom.csv", {}), ("clean_gbk.csv", {}), ("clean_semicolon.csv", {}), ("clean.tsv", {}),
    ("clean.xlsx", {}), ("clean_two_sheets.xlsx", {"sheet": "data"}), ("clean_two_sheets.xlsx", {"sheet": 1}),
    ("clean.sav", {}), ("clean.dta", {}), ("clean.parquet", {}), ("clean_flipped_labels.sav", {}),
    ("wjx.csv", {}), ("wjx.xlsx", {}), ("qualtrics.csv", {}),
    ("mapped.csv", {"mapping": {"pressure item 1": "p1", "编号": "respondent_id"}}),
])
def test_every_format_reads_to_the_clean_frame(inst, base, name, kw):
    before = _digest(FX / name)
    df = read_data(FX / name, inst, **kw)
    assert _digest(FX / name) == before
    assert list(base.columns) == ['respondent_id', 'township_id', 'gender', 'age', 'duration_sec', 'p1', 'p2', 'att1',
                                  'p3', 'p4', 'p5', 'p6', 'p7', 't1', 't2', 't3', 't4', 'a1', 'a2', 'a3', 'a4']
    got = df[list(base.columns)].reset_index(drop=True)
    for c in ("respondent_id", "township_id"):
        assert got[c].tolist() == base[c].tolist(), c
    pd.testing.assert_frame_equal(got.drop(columns=["respondent_id", "township_id"]),
                                  base.drop(columns=["respondent_id", "township_id"]), check_dtype=True)


def test_clean_frame_types(base):
    assert base["respondent_id"].tolist()[:3] == ["r01", "r02", "r03"]
    assert base["township_id"].iloc[0] == "镇01"
    assert all(base[c].dtype == np.float64 for c in base.columns if c not in ("respondent_id", "township_id"))
    assert base.shape == (24, 21)


def test_provenance(inst):
    gbk = load(FX / "clean_gbk.csv", inst)
    assert (gbk.info["encoding"], gbk.info["delimiter"], gbk.info["bom"]) == ("gb18030", ",", False)
    bom = load(FX / "clean_bom.csv", inst)
    assert (bom.info["encoding"], bom.info["bom"]) == ("utf-8", True)
    assert load(FX / "clean_semicolon.csv", inst).info["delimiter"] == ";"
    wjx = load(FX / "wjx.csv", inst)
    assert wjx.info["platform"] == "wenjuanxing"
    assert wjx.unmatched == []  # metadata columns are recognised, question headers matched
    assert {c: p[0] for c, p in wjx.platform.items()} == {
        "序号": "meta", "提交答卷时间": "meta", "所用时间": "duration", "duration_sec": "duration", "来源": "meta",
        "来源详情": "meta", "来自IP": "pii"}
    assert wjx.match["p1"] == {"header": "5.请根据您的实际感受评价以下说法—我做的几乎每件事都被考核", "how": "text"}
    assert wjx.match["duration_sec"]["how"] == "platform"
    assert sorted(wjx.raw_text_columns) == sorted(["gender", "p1", "p2", "att1", "p3", "p4", "p5", "p6", "p7", "t1", "t2",
                                                   "t3", "t4", "a1", "a2", "a3", "a4"])
    q = load(FX / "qualtrics.csv", inst)
    assert (q.info["platform"], q.info["header_rows"]) == ("qualtrics", 3)
    assert q.frame.shape[0] == 24
    assert q.match["gender"] == {"header": "Q1", "how": "text"}
    assert q.platform["IPAddress"][0] == "pii"


def test_unmatched_columns_are_kept_and_reported(inst):
    ld = load(FX / "privacy.csv", inst)
    assert ld.unmatched == ["姓名", "contact", "note", "doc", "serial", "src"]
    assert ld.frame["姓名"].tolist()[:2] == ["张三", "李四"]


def test_answer_labels_to_codes(inst):
    fmt = inst.responses()["p1"]
    s = pd.Series(["非常同意", "Strongly agree", "5 非常同意", "5=非常同意", " strongly  AGREE ", "５", "4. 同意",
                   "同意(4)", "（2）不同意", None, "", "maybe"], dtype=object)
    codes, bad = to_codes(s, fmt)
    assert codes.tolist()[:9] == [5, 5, 5, 5, 5, 5, 4, 4, 2]
    assert np.isnan(codes.iloc[9]) and np.isnan(codes.iloc[10]) and np.isnan(codes.iloc[11])
    assert bad.tolist() == [False] * 11 + [True]


def test_duration_and_header_normalisation():
    got = parse_duration(pd.Series(["125秒", "2分5秒", "1小时", "90", None, "很快"], dtype=object))
    assert got.tolist()[:4] == [125.0, 125.0, 3600.0, 90.0]
    assert np.isnan(got.iloc[4]) and np.isnan(got.iloc[5])
    assert norm_header("Q3. 您的年龄") == norm_header("3、您的年龄") == norm_header("您的年龄？") == "您的年龄"
    assert norm_header("Ｑ１２．Your  Age!") == "yourage"


def test_duration_parses_each_distinct_text_once_with_the_same_result():
    from avoid_survey.analysis.io import platforms

    rng = np.random.default_rng(7)
    kinds = ["125秒", "2分5秒", " 1小时2分 ", "90", "1.5", None, "很快", "(空)", "（跳过）", "3 min", "45 s", "",
             "2h", float("nan")]
    s = pd.Series([kinds[i] for i in rng.integers(0, len(kinds), 5000)], dtype=object, index=np.arange(5000) + 10,
                  name="所用时间")
    got = parse_duration(s)
    pd.testing.assert_series_equal(got, platforms._seconds(s).astype(float), check_names=False)
    assert got.name == "所用时间" and got.index.equals(s.index)
    calls = []
    real = platforms._seconds
    platforms._seconds = lambda x: calls.append(len(x)) or real(x)
    try:
        parse_duration(s)
    finally:
        platforms._seconds = real
    assert calls == [len(kinds) - 2]   # None and NaN are missing, not texts


def test_spss_value_labels_map_to_instrument_codes(inst):
    raw = load(FX / "clean_flipped_labels.sav")  # no instrument: codes as stored
    ld = load(FX / "clean_flipped_labels.sav", inst)
    base = read_data(FX / "clean.csv", inst)
    assert (raw.frame["p1"] == 6 - base["p1"]).all()
    assert (ld.frame["p1"] == base["p1"]).all()


def test_ragged_and_duplicates_raise_in_read_data(inst):
    with pytest.raises(AvoidSurveyError) as e:
        read_data(FX / "structure.csv", inst)
    assert "duplicate column 'a2'" in e.value.one_line()
    ld = load(FX / "structure.csv", inst)
    assert ld.ragged == [(2, 22), (4, 18)]
    assert ld.duplicates == [("a2", [19, 20])]


@pytest.mark.parametrize("name, needle", [
    ("empty.csv", "the file is empty"),
    ("nul.csv", "NUL byte at byte offset 21"),
    ("bigfield.csv", "longer than 1,000,000 bytes"),
    ("not_gbk.csv", "invalid byte 0xff at byte offset 25"),
])
def test_unusable_files(name, needle):
    with pytest.raises(AvoidSurveyError) as e:
        load(FX / name)
    line = e.value.one_line()
    assert needle in line and "\n" not in line and str(FX / name) in line


def test_random_bytes_unusable():
    with pytest.raises(AvoidSurveyError) as e:
        load(FX / "random.csv")
    assert "NUL byte" in e.value.message or "cannot decode" in e.value.message


def test_missing_file_and_bad_sheet(inst):
    with pytest.raises(AvoidSurveyError, match="file not found"):
        load(FX / "absent.csv")
    with pytest.raises(AvoidSurveyError, match="sheet"):
        load(FX / "clean_two_sheets.xlsx", sheet="nope")


def test_progress_reader_reads_the_same(inst, base, monkeypatch, capsys):
    monkeypatch.setattr(ascan, "PROGRESS_BYTES", 10)
    df = aio.load(FX / "clean.csv", inst, progress=True).frame
    pd.testing.assert_frame_equal(df, base)
    assert capsys.readouterr().out == ""


def test_multiline_quoted_fields_and_blank_lines(tmp_path, inst):
    p = tmp_path / "q.csv"
    p.write_text('respondent_id,note,p1\nr1,"a, b\nc",4\n\nr2,"x ""y""",5\nr3,z,1,extra\n', encoding="utf-8")
    ld = load(p, inst)
    assert ld.frame["respondent_id"].tolist() == ["r1", "r2", "r3"]
    assert ld.frame["note"].tolist() == ["a, b\nc", 'x "y"', "z"]
    assert ld.ragged == [(3, 4)]


_token = st.sampled_from(list('abc123,;\t"\n\r .-非常同意\x00\xff') + ["5 非常同意", "\r\n", "p1", "respondent_id,"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(_token, max_size=80).map("".join), enc=st.sampled_from(["utf-8", "gb18030", "latin-1"]))
def test_generated_csv_reads_or_fails_cleanly(tmp_path_factory, inst, text, enc):
    p = tmp_path_factory.mktemp("h") / "gen.csv"
    try:
        data = text.encode(enc)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    p.write_bytes(data)
    from avoid_survey.analysis.validate import validate
    for instrument in (None, inst):
        try:
            rep = validate(p, instrument)
        except AvoidSurveyError as exc:
            assert "\n" not in exc.one_line()
        else:
            assert rep.n_rows >= 0
            assert all(f.row is None or f.row >= 1 for f in rep.findings)
    assert p.read_bytes() == data


@pytest.mark.parametrize("name", ["clean.csv", "clean_bom.csv", "clean_gbk.csv", "clean_semicolon.csv", "clean.tsv",
                                  "wjx.csv", "qualtrics.csv", "structure.csv", "values.csv", "respondents.csv",
                                  "header_only.csv"])
def test_large_file_path_reads_the_same(inst, monkeypatch, name):
    """Files over SCAN_BYTES are checked in chunks instead of in memory: same result."""
    small = load(FX / name, inst)
    monkeypatch.setattr(ascan, "SCAN_BYTES", 0)
    big = load(FX / name, inst)
    pd.testing.assert_frame_equal(big.frame, small.frame)
    assert (big.ragged, big.duplicates, big.unmatched) == (small.ragged, small.duplicates, small.unmatched)
    assert {k: v for k, v in big.info.items()} == {k: v for k, v in small.info.items()}


@pytest.mark.parametrize("name, needle", [("empty.csv", "the file is empty"), ("nul.csv", "byte offset 21"),
                                          ("not_gbk.csv", "byte offset 25"), ("bigfield.csv", "longer than")])
def test_large_file_path_errors(monkeypatch, name, needle):
    monkeypatch.setattr(ascan, "SCAN_BYTES", 0)
    with pytest.raises(AvoidSurveyError) as e:
        load(FX / name)
    assert needle in e.value.one_line()


@pytest.mark.parametrize("body", [
    "respondent_id,p1,p2\nr1,4,5\n\nr2,5,4\n",              # blank line: pandas skips it
    "respondent_id,p1,p2\nr1,4,5\n\nr2,5,4,9\nr3,1,2\n",    # blank line hidden by an extra field
    "respondent_id,p1,p2\r\nr1,4,5\r\n\r\nr2,5,4,9\r\n",    # CRLF blank line and an extra field
    "respondent_id,p1,p2\nr1,4,5\n   \nr2,5,4\n",           # whitespace-only line
    "respondent_id,p1,p2\nr1,4,5\nr2,5,4\n\n\n",            # blank lines at the end
])
def test_large_file_path_blank_lines(tmp_path, inst, monkeypatch, body):
    """The chunked path finds blank lines from the parsed row count: same as in memory."""
    p = tmp_path / "b.csv"
    p.write_bytes(body.encode())
    small = load(p, inst)
    monkeypatch.setattr(ascan, "SCAN_BYTES", 0)
    big = load(p, inst)
    pd.testing.assert_frame_equal(big.frame, small.frame)
    assert (big.ragged, big.n_fields) == (small.ragged, small.n_fields)


def test_integer_answers_become_float_codes_in_place(tmp_path, inst):
    """Whole-number answers are parsed as integers, then rewritten as float codes in their
    own memory; a label column and a column with an empty cell still come back as codes."""
    p = tmp_path / "ints.csv"
    p.write_text("respondent_id,p1,p2,p3\nr1,4,5,非常同意\nr2,5,,2\nr3,1,2,3\n", encoding="utf-8")
    df = read_data(p, inst)
    for c in ("p1", "p2", "p3"):
        assert df[c].dtype == np.float64
    assert df["p1"].tolist() == [4.0, 5.0, 1.0]
    assert df["p2"].isna().tolist() == [False, True, False]
    assert df["p3"].tolist()[1:] == [2.0, 3.0]
    df.loc[0, "p1"] = 9.0   # the frame owns its arrays: writable, nothing else changes
    assert read_data(p, inst)["p1"].tolist() == [4.0, 5.0, 1.0]
