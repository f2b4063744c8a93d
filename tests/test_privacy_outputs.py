"""No command writes a personal-data column of its input into any output (issue 17).

The input is a raw 问卷星 export (tests/fixtures/platforms/wjx_text_utf8.csv) carrying
来自IP, a name, a mobile number, an e-mail address and an 18-digit ID number for every
respondent. Every command that writes files or tables runs on it; every output (stdout,
each file written, the text inside .docx/.xlsx) is searched for those values and for the
personal-data headers as data columns. ``--keep-pii`` is the control: with it the
values do reach the scores file, so the search can fail.
"""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from avoid_survey.cli.main import run

from tests.conftest import ROOT

FX = ROOT / "tests" / "fixtures" / "platforms"
INSTR = FX / "instrument.yaml"
DATA = FX / "wjx_text_utf8.csv"
PII_HEADERS = ["来自IP", "6、您的姓名", "7、手机号码", "11、电子邮箱", "12、身份证号"]


@pytest.fixture(scope="module")
def pii_values():
    raw = pd.read_csv(DATA, encoding="utf-8-sig", dtype=str)
    vals = set()
    for c in PII_HEADERS:
        for v in raw[c].dropna():
            vals.add(v.split("(")[0])        # "1.2.3.4(浙江-杭州)" -> the address
    coded = pd.read_csv(FX / "wjx_seq_gbk.csv", encoding="gb18030", dtype=str)
    for c in ("来自IP", "6、您的姓名", "7、手机号码"):
        vals |= {v.split("(")[0] for v in coded[c].dropna()}
    assert len(vals) > 250
    return vals


def _text_of(path) -> str:
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix in (".sav", ".dta"):
        import pyreadstat
        fn = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        df, _ = fn(str(path))
        return df.to_csv()
    return path.read_bytes().decode("utf-8", "replace")


def _leaks(text, values):
    return sorted(v for v in values if v and v in text)[:5]


def _spec(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"data: {DATA}\ninstrument: {INSTR}\nmodels:\n  - name: m\n    family: ols\n"
                    f"    formula: avoid ~ pressure + trust\n    se: {{type: cluster, cluster: township_id}}\n",
                    encoding="utf-8")
    return spec


def _commands(tmp_path):
    d, i = str(DATA), str(INSTR)
    spec = str(_spec(tmp_path))
    model = "pg =~ p1 + p2 + p3; tr =~ t1 + t2 + t4"
    # a coded export (same people) for the commands without an instrument, headers mapped to ids
    texts = {"p1": "我做的几乎每件事都被考核", "p2": "小的失误也会被追责", "p3": "问责覆盖所有人", "t1": "容错清单很清楚",
             "t2": "容错程序可操作", "t4": "我见过真实的容错案例"}
    mp = tmp_path / "map.yaml"
    mp.write_text("".join(f'"{n}({t})": {k}\n' for k, t in texts.items() for n in (8 if k[0] == "p" else 9,)),
                  encoding="utf-8")
    coded = str(FX / "wjx_seq_gbk.csv")
    return [
        ["validate", d, "-i", i, "-f", "json"],
        ["validate", d, "-i", i, "--clean", str(tmp_path / "clean.csv")],
        ["validate", d, "-i", i, "--clean", str(tmp_path / "flagged.sav"), "--keep-flagged"],
        ["score", d, "-i", i, "--out", str(tmp_path / "scores.csv")],
        ["score", d, "-i", i, "--out", str(tmp_path / "scores.xlsx")],
        ["score", d, "-i", i, "--out", str(tmp_path / "units.csv"), "--aggregate", "township_id"],
        ["reliability", d, "-i", i, "-f", "md", "-o", str(tmp_path / "rel.md")],
        ["efa", d, "-i", i, "-f", "json"],
        ["cfa", d, "-i", i, "--scale", "pressure", "-f", "docx", "-o", str(tmp_path / "cfa.docx")],
        ["cfa", coded, "--model", model, "--map", str(mp), "-f", "json"],
        ["sem", coded, "--model", model, "--map", str(mp), "-f", "json"],
        ["cmv", d, "-i", i, "-f", "json"],
        ["describe", d, "-i", i, "-f", "html", "-o", str(tmp_path / "desc.html")],
        ["compare", d, "-i", i, "--by", "gender", "--vars", "pressure,trust", "-f", "xlsx",
         "-o", str(tmp_path / "cmp.xlsx")],
        ["model", "--spec", spec, "-f", "csv", "-o", str(tmp_path / "model.csv")],
        ["report", "--spec", spec, "--out", str(tmp_path / "report.html")],
    ]


def test_no_output_contains_personal_data(tmp_path, capsys, pii_values):
    for args in _commands(tmp_path):
        before = set(tmp_path.iterdir())
        code = run(args)
        out, err = capsys.readouterr()
        assert code in (0, 1), f"{args[0]}: {err}"
        assert not _leaks(out, pii_values), f"{' '.join(args[:2])}: stdout leaks {_leaks(out, pii_values)}"
        assert not _leaks(err, pii_values), f"{' '.join(args[:2])}: stderr leaks"
        for f in set(tmp_path.iterdir()) - before:
            if f.suffix == ".yaml":
                continue
            text = _text_of(f)
            assert not _leaks(text, pii_values), f"{args[0]} -> {f.name} leaks {_leaks(text, pii_values)}"
            if f.suffix in (".csv", ".xlsx", ".sav") and args[0] in ("score", "validate"):
                head = text.splitlines()[0] if f.suffix == ".csv" else text
                assert not [h for h in PII_HEADERS if h in head], f"{f.name} has a personal-data column"
        if args[0] != "validate":   # validate names the columns it found in its findings
            assert "personal-data column(s) dropped" in err, args[0]


def test_keep_pii_keeps_them(tmp_path, capsys, pii_values):
    out = tmp_path / "scores.csv"
    assert run(["score", str(DATA), "-i", str(INSTR), "--out", str(out), "--keep-pii"]) == 0
    capsys.readouterr()
    text = out.read_text(encoding="utf-8-sig")
    assert len(_leaks(text, pii_values)) == 5 and "7、手机号码" in text.splitlines()[0]


def test_detection_by_values(tmp_path):
    from avoid_survey.analysis.io.pii import pii_columns

    df = pd.DataFrame({"备注": ["张伟", "李娜", "王芳", "刘洋", "陈静"], "x1": ["13812345678"] * 5,
                       "where": ["城关镇", "河西乡", "城关镇", "石桥镇", "城关镇"],
                       "c": ["a@b.cn", "", None, "x", "y"], "n": [1, 2, 3, 4, 5],
                       "id_no": ["110101199003071234", "", "", "", ""], "addr": ["10.1.2.3"] * 5})
    found = pii_columns(df)
    assert found == {"备注": "personal name", "x1": "phone number", "c": "e-mail", "addr": "IP address"}
    df.loc[0, "id_no"] = "11010119900307123X"   # a valid GB 11643 check digit
    from avoid_survey.analysis.io.pii import valid_id_numbers
    assert valid_id_numbers(pd.Series(["11010519491231002X", "110105194912310021"])).tolist() == [True, False]
