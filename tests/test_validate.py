"""`validate`: every class of problem, exit codes, --clean, careless indices."""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.validate import careless as cl
from avoid_survey.analysis.core.findings import CATALOG
from avoid_survey.analysis.validate import CLASS_OF, FLAG_COLUMNS, FINDING_CLASSES, Thresholds, validate
from avoid_survey.instruments import load_instrument

FX = Path(__file__).parent / "fixtures" / "validate"
INSTR = str(FX / "instrument.yaml")


def _sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def cli(args, capsys, data=None):
    """Run the CLI in-process; returns (exit code, stdout, stderr); checks DATA is untouched."""
    from avoid_survey.cli.main import run

    data = data or args[1]
    before = _sha(data) if Path(data).exists() else None
    try:
        code = run(list(map(str, args)))
    except SystemExit as exc:  # in case a command exits the interpreter directly
        code = exc.code
    cap = capsys.readouterr()
    if before is not None:
        assert _sha(data) == before, "the input file was modified"
    return code, cap.out, cap.err


def triples(report, cls):
    return [(f.row, f.column, f.code) for f in report.findings if CLASS_OF.get(f.code) == cls]


@pytest.fixture(scope="module")
def inst():
    return load_instrument(INSTR)


# ---------------------------------------------------------------- one class each
def test_structure(inst):
    r = validate(FX / "structure.csv", inst)
    assert triples(r, "structure") == [
        (None, "a2", "duplicate-column"), (2, None, "ragged-row"), (4, None, "ragged-row"),
        (None, "remarks", "unknown-column"), (None, "(extra field 1)", "unknown-column"),
        (None, "a3", "missing-column"), (None, "a4", "missing-column"), (None, None, "map-hint")]
    assert r.n_errors == 5


def test_header_only_and_no_instrument():
    r = validate(FX / "header_only.csv", INSTR)
    assert [(f.row, f.column, f.code) for f in r.findings] == [(None, None, "header-only")]
    r2 = validate(FX / "structure.csv")
    assert [(f.row, f.column, f.code) for f in r2.findings] == [
        (None, None, "no-instrument"), (None, "a2", "duplicate-column"), (2, None, "ragged-row"), (4, None, "ragged-row")]


def test_values(inst):
    r = validate(FX / "values.csv", inst)
    assert triples(r, "values") == [
        (5, "gender", "value-out-of-range"), (6, "age", "value-wrong-type"), (7, "age", "value-out-of-range"),
        (1, "p1", "value-not-numeric"), (2, "p2", "value-unknown-label"), (3, "t1", "value-out-of-range"),
        (4, "t2", "value-out-of-range"), (8, "a1", "value-unknown-label")]
    assert triples(r, "items") == []  # an invalid answer is not an unanswered item
    msgs = {f.column: f.message for f in r.findings if f.code.startswith("value-")}
    assert msgs["p1"] == "'4?' is not a numeric code"
    assert msgs["t2"] == "code 2.5 is outside the allowed codes 1..5"
    assert msgs["a1"] == "'非常同意' is neither a code nor an answer label of this question"
    assert all(f.respondent == f"r{f.row:02d}" for f in r.findings if f.code.startswith("value-"))


def test_respondents(inst):
    r = validate(FX / "respondents.csv", inst)
    assert triples(r, "respondents") == [
        (3, "respondent_id", "duplicate-respondent"), (5, None, "empty-row"), (7, None, "respondent-missing"),
        (10, "att1", "attention-failed"), (13, "duration_sec", "speeder"),
        (16, None, "longstring"), (54, None, "longstring"), (16, None, "low-irv"),
        (19, None, "mahalanobis-outlier"), (22, None, "mahalanobis-outlier"),
        (None, None, "careless-skipped")]  # even-odd: 4 facets/scales < 6
    vals = {(f.row, f.code): f.value for f in r.findings if f.value is not None}
    assert vals[(7, "respondent-missing")] == pytest.approx(6 / 15)
    assert vals[(13, "speeder")] == 15
    assert vals[(16, "longstring")] == 15 and vals[(54, "longstring")] == 10
    assert vals[(16, "low-irv")] == 0
    assert vals[(10, "attention-failed")] == 5
    assert all(f.severity == "warning" for f in r.findings
               if f.code in ("longstring", "low-irv", "mahalanobis-outlier", "speeder", "attention-failed"))
    assert r.n_errors == 1  # the duplicate id; careless indices are warnings
    # even-odd with a lower minimum number of scales
    r2 = validate(FX / "respondents.csv", inst, thresholds={"even_odd_min_scales": 4, "even_odd": -1.5})
    assert [(f.row, f.code) for f in r2.findings if f.code == "even-odd-inconsistent"] == [
        (4, "even-odd-inconsistent"), (19, "even-odd-inconsistent"), (22, "even-odd-inconsistent")]


def test_items(inst):
    r = validate(FX / "items.csv", inst)
    assert triples(r, "items") == [(None, "a2", "item-missing"), (None, "p6", "zero-variance"),
                                   (None, "t3", "negative-item-rest")]
    neg = next(f for f in r.findings if f.code == "negative-item-rest")
    assert neg.value < -0.5 and "marked reverse" in neg.message


def test_privacy(inst):
    r = validate(FX / "privacy.csv", inst)
    assert triples(r, "privacy") == [(None, "姓名", "pii-column"), (None, "contact", "pii-column"),
                                     (None, "note", "pii-column"), (None, "doc", "pii-column"),
                                     (None, "src", "pii-column")]
    kinds = {f.column: f.message for f in r.findings if f.code == "pii-column"}
    assert "(name)" in kinds["姓名"] and "(phone number)" in kinds["contact"] and "(e-mail)" in kinds["note"]
    assert "(ID-card number)" in kinds["doc"] and "(IP address)" in kinds["src"]
    w = validate(FX / "wjx.csv", inst)
    assert triples(w, "privacy") == [(None, "来自IP", "pii-column")]
    assert w.n_errors == 0


def test_platform_exports_are_clean(inst):
    for name in ("clean.csv", "wjx.csv", "wjx.xlsx", "qualtrics.csv", "clean.sav", "clean_gbk.csv"):
        r = validate(FX / name, inst)
        assert r.n_errors == 0 and r.n_rows == 24, name
        assert triples(r, "values") == [] and triples(r, "respondents") == [(None, None, "careless-skipped")], name


def test_qualtrics_rows_count_from_first_respondent(tmp_path, inst):
    lines = (FX / "qualtrics.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[-1] = "9"  # a4 of the first respondent
    lines[3] = ",".join(cells)
    p = tmp_path / "q.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = validate(p, inst)
    assert triples(r, "values") == [(1, "a4", "value-out-of-range")]


def test_every_code_is_in_the_catalog_and_a_class():
    for codes in FINDING_CLASSES.values():
        for c in codes:
            assert c in CATALOG
    assert set(FLAG_COLUMNS.values()) <= set(CATALOG)


def test_listing_is_capped_but_counted(tmp_path, inst):
    df = pd.read_csv(FX / "clean.csv", dtype=str)
    df["p1"] = "9"
    p = tmp_path / "many.csv"
    df.to_csv(p, index=False)
    r = validate(p, inst, thresholds={"max_listed": 5})
    assert r.counts["value-out-of-range"] == 24
    assert len([f for f in r.findings if f.code == "value-out-of-range"]) == 5
    more = [f for f in r.findings if f.code == "more-findings"]
    assert len(more) == 1 and more[0].message.startswith("19 more 'value-out-of-range' findings in column 'p1'")
    assert r.n_errors == 24


# ---------------------------------------------------------------- careless indices
def test_longstring_irv_by_hand():
    x = np.array([[1, 1, 1, 2, 2, np.nan, 3, 3, 3, 3],
                  [np.nan] * 10,
                  [5, 4, 5, 4, 5, 4, 5, 4, 5, 4],
                  [2, 2, np.nan, 2, 2, 2, 1, 1, 1, 1]], dtype=float)
    assert cl.longstring(x)[[0, 2, 3]].tolist() == [4, 1, 4] and math.isnan(cl.longstring(x)[1])
    v = cl.irv(x)
    for i in (0, 2, 3):
        row = x[i][~np.isnan(x[i])]
        assert v[i] == pytest.approx(np.std(row, ddof=1), abs=1e-12)
    assert math.isnan(v[1])


def test_mahalanobis_matches_the_textbook_formula():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 6, (500, 7)).astype(float)
    x[10, 3] = np.nan
    d2, nc, ok = cl.mahalanobis(x, chunk=64)
    cc = x[~np.isnan(x).any(axis=1)]
    z = x - cc.mean(axis=0)
    ref = np.einsum("ij,jk,ik->i", z, np.linalg.inv(np.cov(cc.T)), z)
    m = ~np.isnan(d2)
    assert ok and nc == 499 and not m[10]
    np.testing.assert_allclose(d2[m], ref[m], rtol=1e-10)
    # R: qchisq(0.999, 15) = 37.69729821835383; pchisq(98.9373792, 15, lower = FALSE) ~ 2.1e-14
    assert cl.chi2_ppf(0.999, 15) == pytest.approx(37.69729821835383, abs=1e-9)
    from scipy import special
    for df in (1, 2, 15, 78, 200):
        for x in (0.3, 5.0, 37.7, 98.9, 150.0, 400.0):
            assert cl.chi2_sf(x, df) == pytest.approx(special.chdtrc(df, x), rel=1e-12, abs=1e-300)
        assert cl.chi2_ppf(0.95, df) == pytest.approx(special.chdtri(df, 0.05), rel=1e-11)


def test_even_odd_by_hand():
    # two respondents, three scales of four items: odd items 1,3; even items 2,4
    a = [np.array([1.0, 5.0]), np.array([1.0, 1.0]), np.array([1.0, 5.0]), np.array([1.0, 1.0])]
    b = [np.array([3.0, 1.0]), np.array([3.0, 5.0]), np.array([3.0, 1.0]), np.array([3.0, 5.0])]
    c = [np.array([5.0, 3.0]), np.array([5.0, 3.0]), np.array([5.0, 3.0]), np.array([5.0, 3.0])]
    r, m = cl.even_odd([a, b, c], min_pairs=3)
    assert r[0] == pytest.approx(1.0)  # odd means 1,3,5 = even means: r = 1, r_sb = 1
    odd, even = np.array([5.0, 1.0, 3.0]), np.array([1.0, 5.0, 3.0])
    rr = np.corrcoef(odd, even)[0, 1]
    assert rr == pytest.approx(-1.0)
    assert math.isinf(r[1]) and r[1] < 0 and m.tolist() == [3, 3]


# ---------------------------------------------------------------- command line
def test_cli_exit_codes_and_json(capsys):
    code, out, err = cli(["validate", FX / "clean.csv", "--instrument", INSTR, "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    for k in ("file", "instrument", "n_rows", "n_errors", "n_warnings", "findings", "summary", "read"):
        assert k in doc
    assert (doc["instrument"], doc["n_rows"], doc["n_errors"]) == ("validate-test", 24, 0)
    code, out, err = cli(["validate", FX / "values.csv", "-i", INSTR, "-f", "json"], capsys)
    assert code == 1
    doc = json.loads(out)
    f = next(x for x in doc["findings"] if x["column"] == "t1")
    assert f == {"code": "value-out-of-range", "severity": "error", "row": 3, "column": "t1", "respondent": "r03",
                 "message": "code 7 is outside the allowed codes 1..5", "value": 7.0}
    assert doc["n_errors"] == 8


@pytest.mark.parametrize("name", ["random.csv", "empty.csv", "nul.csv", "bigfield.csv", "not_gbk.csv", "absent.csv"])
def test_cli_unusable_files_one_line(capsys, name):
    code, out, err = cli(["validate", FX / name, "--instrument", INSTR], capsys)
    assert code == 2
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: ") and str(FX / name) in err


def test_cli_subprocess_no_traceback():
    exe = shutil.which("avoid-survey")
    assert exe
    for name in ("random.csv", "bigfield.csv"):
        before = _sha(FX / name)
        p = subprocess.run([exe, "validate", str(FX / name)], capture_output=True, text=True, timeout=120)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
        assert _sha(FX / name) == before
    p = subprocess.run([exe, "validate", str(FX / "values.csv"), "-i", INSTR, "-f", "json"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 1 and json.loads(p.stdout)["n_errors"] == 8


def test_cli_tables_both_languages(capsys):
    code, out, err = cli(["validate", FX / "respondents.csv", "-i", INSTR, "--lang", "en", "--format", "md"], capsys)
    assert code == 1
    assert "**Validation summary**" in out and "**Findings by code**" in out
    assert "| longstring | warning | 2 |  | 16, 54 |" in out
    code, out, err = cli(["validate", FX / "respondents.csv", "-i", INSTR, "--lang", "zh", "--format", "md"], capsys)
    assert "**数据检查摘要**" in out and "| 受访者 | 149 |" in out and "| 数据行 | 150 |" in out
    code, out, err = cli(["validate", FX / "respondents.csv", "-i", INSTR], capsys)
    assert "duplicate-respondent" in out and code == 1


def test_cli_thresholds(tmp_path, capsys):
    args = ["validate", FX / "respondents.csv", "-i", INSTR, "-f", "json"]
    doc = json.loads(cli(args + ["--longstring", "12", "--irv", "0", "--min-duration", "10"], capsys)[1])
    codes = [(f["row"], f["code"]) for f in doc["findings"]]
    assert (54, "longstring") not in codes and (16, "longstring") in codes
    assert not any(c == "low-irv" for _, c in codes) and not any(c == "speeder" for _, c in codes)
    th = tmp_path / "th.yaml"
    th.write_text("respondent_missing: 0.5\nmahalanobis_alpha: 1.0e-30\n", encoding="utf-8")
    doc = json.loads(cli(args + ["--thresholds", th], capsys)[1])
    codes = [c for _, c in [(f["row"], f["code"]) for f in doc["findings"]]]
    assert "respondent-missing" not in codes and "mahalanobis-outlier" not in codes
    assert doc["thresholds"]["respondent_missing"] == 0.5
    th.write_text("longstrng: 5\n", encoding="utf-8")
    code, out, err = cli(args + ["--thresholds", th], capsys)
    assert code == 2 and "unknown threshold 'longstrng'" in err and str(th) in err
    code, out, err = cli(args + ["--id-column", "nope"], capsys)
    assert code == 2 and "column 'nope'" in err


def test_cli_mapping_file(capsys):
    code, out, err = cli(["validate", FX / "mapped.csv", "-i", INSTR, "--map", FX / "mapping.yaml", "-f", "json"],
                         capsys)
    doc = json.loads(out)
    assert code == 0 and doc["columns"]["p1"] == {"header": "pressure item 1", "how": "mapping"}
    code, out, err = cli(["validate", FX / "mapped.csv", "-i", INSTR, "-f", "json"], capsys)
    doc = json.loads(out)
    assert code == 1 and {(f["column"], f["code"]) for f in doc["findings"]} >= {
        ("p1", "missing-column"), ("pressure item 1", "unknown-column"), ("编号", "unknown-column")}


def test_clean_output(tmp_path, capsys):
    out = tmp_path / "clean.csv"
    code, o, e = cli(["validate", FX / "wjx.csv", "-i", INSTR, "--clean", out, "-f", "json"], capsys)
    assert code == 0 and out.exists()
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"respondent_id": str, "township_id": str})
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "来自IP" not in df.columns  # PII dropped
    assert list(df.columns[-8:]) == [*FLAG_COLUMNS, "flag_count"]
    base = pd.read_csv(FX / "clean.csv", dtype={"respondent_id": str, "township_id": str})
    for c in ["p1", "p4", "t3", "a1", "gender", "att1", "duration_sec"]:  # labels -> codes, reverse untouched
        assert df[c].tolist() == base[c].tolist(), c
    assert df["p4"].dtype.kind == "i"
    # no overwrite without --force; --keep-pii keeps the column
    code, o, e = cli(["validate", FX / "wjx.csv", "-i", INSTR, "--clean", out, "--keep-pii"], capsys)
    assert code == 2 and "exists" in e
    code, o, e = cli(["validate", FX / "wjx.csv", "-i", INSTR, "--clean", out, "--keep-pii", "--force"], capsys)
    assert code == 0 and "来自IP" in pd.read_csv(out, encoding="utf-8-sig").columns


def test_clean_flags(tmp_path, capsys):
    out = tmp_path / "r.parquet"
    code, o, e = cli(["validate", FX / "respondents.csv", "-i", INSTR, "--clean", out, "-f", "json",
                      "--keep-flagged"], capsys)
    assert code == 1
    df = pd.read_parquet(out)
    assert len(df) == 150 and df["screened_out"].tolist().count("blank") == 1
    assert df["flag_duplicate"].sum() == 1 and df["screened_out"].tolist().count("duplicate_id") == 1
    flagged = {c: sorted((np.flatnonzero(df[c].to_numpy()) + 1).tolist()) for c in FLAG_COLUMNS}
    assert flagged == {"flag_longstring": [16, 54], "flag_irv": [16], "flag_mahalanobis": [19, 22],
                       "flag_even_odd": [], "flag_speeder": [13], "flag_attention": [10], "flag_missing": [7]}
    assert df["flag_count"].max() == 2 and df.loc[15, "flag_count"] == 2
    code, o, e = cli(["validate", FX / "respondents.csv", "-i", INSTR, "--clean", FX / "respondents.csv", "--force"],
                     capsys)
    assert code == 2 and "input" in e


def test_report_tables_and_dict(inst):
    r = validate(FX / "items.csv", inst)
    d = r.to_dict()
    assert [s["code"] for s in d["summary"]] == ["item-missing", "negative-item-rest", "zero-variance",
                                                  "careless-skipped"]
    assert d["summary"][0]["class"] == "items" and d["summary"][0]["count"] == 1
    t = r.to_tables("en")
    assert [x.name for x in t] == ["summary", "findings", "details"]
    assert ["item-missing", "warning", None, "a2"] in [row[:4] for row in t[2].rows]
    assert len(t[2].rows) == len(r.findings)
    assert t[1].rows[0][:3] == ["item-missing", "warning", 1]
    assert r.to_tables("zh")[1].rows[0][1] == "警告"
    assert isinstance(Thresholds.from_mapping({"longstring": "9"}).longstring, int)


def test_even_odd_matches_a_row_by_row_reference():
    rng = np.random.default_rng(2)
    blocks = [[rng.integers(1, 6, 300).astype(float) for _ in range(4)] for _ in range(7)]
    blocks[0][1][5] = np.nan
    blocks[2][0][7] = np.nan
    blocks[2][2][7] = np.nan  # row 7: no odd half in scale 3
    r, m = cl.even_odd(blocks, min_pairs=3)
    ref = []
    for i in range(300):  # the definition, one respondent at a time (test only)
        odd, even = [], []
        for b in blocks:
            o = [c[i] for c in b[0::2] if not np.isnan(c[i])]
            e = [c[i] for c in b[1::2] if not np.isnan(c[i])]
            if o and e:
                odd.append(np.mean(o))
                even.append(np.mean(e))
        with np.errstate(invalid="ignore", divide="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                rr = np.corrcoef(odd, even)[0, 1]
        ref.append(2 * rr / (1 + rr))
    ref = np.array(ref)
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(r[ok], ref[ok], rtol=1e-12, atol=1e-12)
    assert (m[7], m[5]) == (6, 7)


def test_item_rest_with_and_without_missing_answers(inst):
    from avoid_survey.analysis.validate.indices import reversed_columns as _reversed
    from avoid_survey.analysis.validate.items import item_rest as _item_rest

    df = pd.read_csv(FX / "items.csv")
    items = [i.id for i in inst.items]
    X = [df[c].to_numpy(float) for c in items]
    R = _reversed(X, items, inst)
    got = {(sid, iid): r for sid, iid, r in _item_rest(R, items, inst)}
    groups = {"p_gen": ["p1", "p2", "p3", "p4"], "p_insp": ["p5", "p6", "p7"], "trust": ["t1", "t2", "t3", "t4"],
              "avoid": ["a1", "a2", "a3", "a4"]}
    for sid, ids_ in groups.items():
        M = np.column_stack([R[items.index(i)] for i in ids_])
        for j, iid in enumerate(ids_):
            if (sid, iid) not in got:
                assert np.nanstd(M[:, j]) == 0  # p6 has no variance
                continue
            ok = ~np.isnan(M[:, j])
            others = np.delete(M, j, axis=1)
            with np.errstate(invalid="ignore"):
                rest = np.nansum(others, axis=1) / (~np.isnan(others)).sum(axis=1)
            use = ok & ~np.isnan(rest)
            ref = np.corrcoef(M[use, j], rest[use])[0, 1]
            assert got[(sid, iid)] == pytest.approx(ref, abs=1e-12), (sid, iid)
    assert ("avoid", "a2") in got  # a2 has missing answers: the masked path


def test_careless_indices_match_r_on_psych_bfi():
    """tests/reference/careless.R: base-R versions of careless::longstring, irv, mahad and
    evenodd on psych::bfi (2800 x 25, with missing answers)."""
    ref = json.loads((Path(__file__).parent / "reference" / "careless.json").read_text())
    x = pd.read_csv(Path(__file__).parent / "reference" / "data" / "bfi.csv")
    cols = [x[c].to_numpy(float) for c in x.columns]

    def arr(key):
        return np.array([np.nan if v is None else v for v in ref[key]], dtype=float)

    np.testing.assert_array_equal(cl.longstring(cols), arr("longstring"))
    np.testing.assert_allclose(cl.irv(cols), arr("irv"), rtol=1e-12, atol=1e-12, equal_nan=True)
    d2, nc, ok = cl.mahalanobis(cols, chunk=700)
    assert ok and nc == ref["n_complete"][0]
    np.testing.assert_allclose(d2, arr("mahad"), rtol=1e-10, equal_nan=True)
    assert cl.chi2_ppf(0.999, 25) == pytest.approx(ref["qchisq_999_25"][0], rel=1e-12)
    rev = set(ref["reverse"])
    colr = [7 - c if name in rev else c for name, c in zip(x.columns, cols)]
    blocks = [colr[5 * f: 5 * f + 5] for f in range(5)]
    r, m = cl.even_odd(blocks, min_pairs=3)
    np.testing.assert_allclose(r, arr("evenodd"), rtol=1e-10, atol=1e-12, equal_nan=True)


def test_item_rest_from_the_shared_covariance_matches(inst):
    """Complete data: the item-rest correlations taken from the covariance matrix computed
    for Mahalanobis D² (on reverse-recoded items) equal the per-group computation, and D²
    is the same on raw and reverse-recoded items."""
    from avoid_survey.analysis.validate import careless as cl
    from avoid_survey.analysis.validate.indices import reversed_columns as _reversed
    from avoid_survey.analysis.validate.items import item_rest as _item_rest

    df = pd.read_csv(FX / "items.csv")
    items = [i.id for i in inst.items]
    X = [df[c].to_numpy(float) for c in items]
    keep = np.ones(X[0].size, bool)
    for c in X:
        keep &= ~np.isnan(c)
    X = [c[keep] for c in X]
    R = _reversed(X, items, inst)
    cov = {}
    d2_r, nc, ok = cl.mahalanobis(R, cov_out=cov)
    assert cov["n"] == X[0].size == nc
    plain = _item_rest(R, items, inst)
    shared = _item_rest(R, items, inst, S_all=cov["S"])
    assert [(s, i) for s, i, _ in plain] == [(s, i) for s, i, _ in shared] and plain
    np.testing.assert_allclose([r for *_, r in shared], [r for *_, r in plain], rtol=1e-9, atol=1e-12)
    d2_x, _, ok_x = cl.mahalanobis(X)
    if ok:
        np.testing.assert_allclose(d2_r, d2_x, rtol=1e-9)


def test_validate_terms_have_both_languages_and_own_keys():
    from avoid_survey.analysis.core.i18n import load_areas

    areas = load_areas()
    own = areas["validate"]
    assert own and all(k.startswith("val_") for k in own)
    assert all(isinstance(en, str) and en and isinstance(zh, str) and zh for en, zh in own.values())
    others = {k for a, terms in areas.items() if a != "validate" for k in terms}
    assert not set(own) & others
