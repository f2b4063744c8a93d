"""Fuzzing the commands with generated input files (issue 9).

Generated CSV text/bytes and XLSX workbooks go through validate, reliability, efa, cfa and
score; generated model specs through `model --spec`; generated study specs through
`simulate --spec`. The only allowed outcomes are exit 0, exit 1 (validate only) or exit 2
with exactly one non-empty stderr line and no traceback. Exit 3 ("internal error") is a bug.

Examples per test: FUZZ_EXAMPLES (default 40); e.g. ``FUZZ_EXAMPLES=2000`` for a nightly run.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parent
INSTR = ROOT / "fixtures" / "fuzz" / "instrument.yaml"
MTCARS = ROOT / "reference" / "data" / "model_mtcars.csv"
MINI_INSTR = ROOT / "fixtures" / "simulate" / "mini-instrument.yaml"

N = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=N, deadline=None, derandomize="FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

ITEMS = ["a1", "a2", "a3", "b1", "b2", "b3"]


def invoke(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def check(result, allow_1=False):
    code, out, err = result
    assert "Traceback" not in err and "Traceback" not in out, err
    assert code != 3, f"internal error: {err}"
    allowed = {0, 1, 2} if allow_1 else {0, 2}
    assert code in allowed, (code, err)
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1, err
        assert lines[0].strip()


# ---------------------------------------------------------------- CSV / XLSX cells

EDGE_TEXT = ["", " ", "NA", "NaN", "nan", "inf", "-inf", "Infinity", "1e308", "1e309", "-1e309",
             "99999999999999999999999999", "0", "-0", "3.0", "3,5", "1/2", "TRUE", "null", "None",
             "非常同意", "Strongly agree", "同意", "\u200b", "\ufeff", "\u202e5", "５", "٣", "\x00",
             "a\nb", '"', "'", "=1+1", "\ud7ff", "𝟓", "\u0301", "🙂", "1" * 200]

cell = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.integers(min_value=-3, max_value=8).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)

header_name = st.one_of(st.sampled_from(ITEMS + ["respondent_id", "x", "", "a1", "Q1", "题目", "\x00"]),
                        st.text(max_size=8))


@st.composite
def table_cells(draw):
    cols = draw(st.lists(header_name, min_size=0, max_size=9))
    if draw(st.booleans()):  # most of the time keep the instrument's items, so analyses run
        cols = ["respondent_id"] + ITEMS + cols[:2]
    n = draw(st.integers(min_value=0, max_value=25))
    mostly_valid = draw(st.booleans())
    rows = []
    for i in range(n):
        width = len(cols) if not draw(st.booleans()) or not cols else draw(
            st.integers(min_value=0, max_value=len(cols) + 3))
        if mostly_valid:
            row = [str(i)] + [str(draw(st.integers(1, 5))) for _ in range(max(width - 1, 0))]
            if row and draw(st.booleans()):
                row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        else:
            row = [draw(cell) for _ in range(width)]
        rows.append(row)
    return cols, rows


def _quote(v: str, delim: str, mode: str) -> str:
    if mode == "all" or (mode == "needed" and any(c in v for c in (delim, '"', "\n", "\r"))):
        return '"' + v.replace('"', '""') + '"'
    return v


@st.composite
def csv_bytes(draw):
    cols, rows = draw(table_cells())
    delim = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    mode = draw(st.sampled_from(["needed", "all", "none"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = eol.join(delim.join(_quote(v, delim, mode) for v in r) for r in [cols] + rows)
    if draw(st.booleans()):
        text += eol
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(enc, errors="replace") if enc != "utf-8" else text.encode("utf-8", "surrogatepass")
    tweak = draw(st.sampled_from(["none", "nul", "junk", "truncate", "empty"]))
    if tweak == "nul" and data:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + b"\x00" + data[pos:]
    elif tweak == "junk":
        data += draw(st.binary(max_size=40))
    elif tweak == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif tweak == "empty":
        data = b""
    return data


def run_data_commands(path: Path, folder: Path):
    check(invoke("validate", path, "--instrument", INSTR, "--format", "json"), allow_1=True)
    check(invoke("reliability", path, "--instrument", INSTR, "--format", "json"))
    check(invoke("efa", path, "--items", ",".join(ITEMS), "--factors", "2",
                 "--parallel-iterations", "2", "--format", "json"))
    check(invoke("cfa", path, "--instrument", INSTR, "--format", "json"))
    out = folder / "scores.csv"
    check(invoke("score", path, "--instrument", INSTR, "--out", out, "--force"))


REGRESSIONS_CSV = [
    b"",
    b"\x00\x00\x00",
    b"respondent_id,a1,a2,a3,b1,b2,b3\n",
    b"respondent_id,a1,a2,a3,b1,b2,b3\n1,1,1,1,1,1,1\n2,1,1,1,1,1,1\n3,1,1,1,1,1,1\n",
    b"respondent_id,a1,a2,a3,b1,b2,b3\n1,1e309,nan,inf,-inf,5,5\n2,1,2,3,4,5,1\n",
    b"respondent_id,a1,a2,a3,b1,b2,b3\n1,,,,,,\n2,,,,,,\n",
    b"a1;a2;a3;b1;b2;b3\r\n1;2;3;4;5;1\r\n2;3\r\n",
    "respondent_id,a1,a2,a3,b1,b2,b3\n1,非常同意,同意,1,2,3,4\n".encode("gb18030"),
    b'"0\r0","0\r0"',  # a column name with a line break split the one-line error
    b"\xef\xbb\xbfa1,a1,a1,,\nN",  # duplicate item columns reached the out-of-range count of the screening
]


@FUZZ
@given(data=csv_bytes())
@example(data=REGRESSIONS_CSV[0])
@example(data=REGRESSIONS_CSV[1])
@example(data=REGRESSIONS_CSV[2])
@example(data=REGRESSIONS_CSV[3])
@example(data=REGRESSIONS_CSV[4])
@example(data=REGRESSIONS_CSV[5])
@example(data=REGRESSIONS_CSV[6])
@example(data=REGRESSIONS_CSV[7])
@example(data=REGRESSIONS_CSV[8])
@example(data=REGRESSIONS_CSV[9])
def test_fuzz_csv_through_every_data_command(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.csv"
        path.write_bytes(data)
        run_data_commands(path, folder)
        assert path.read_bytes() == data  # input left alone


xlsx_cell = st.one_of(
    st.none(),
    st.integers(min_value=-10, max_value=10),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from([t for t in EDGE_TEXT if "\x00" not in t and "\ud7ff" not in t]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
)


@st.composite
def xlsx_rows(draw):
    header = draw(st.one_of(st.just(["respondent_id"] + ITEMS),
                            st.lists(st.one_of(st.sampled_from(ITEMS), xlsx_cell), max_size=8)))
    n = draw(st.integers(0, 20))
    valid = draw(st.booleans())
    rows = []
    for i in range(n):
        if valid:
            r = [i] + [draw(st.integers(1, 5)) for _ in ITEMS]
            if draw(st.booleans()):
                r[draw(st.integers(0, len(r) - 1))] = draw(xlsx_cell)
        else:
            r = draw(st.lists(xlsx_cell, max_size=len(header) + 2))
        rows.append(r)
    return header, rows


@FUZZ
@given(table=xlsx_rows(), sheet_name=st.sampled_from(["Sheet1", "数据", "a b", "x" * 31]))
@example(table=(["respondent_id"] + ITEMS, []), sheet_name="Sheet1")
@example(table=([None, None], [[None, None]]), sheet_name="Sheet1")
@example(table=(["respondent_id"] + ITEMS,  # cfa: HTMT divided by a zero correlation (ZeroDivisionError)
                [[0, 5, 4, 4, 1, 4, 1], [1, 1, 2, 4, 2, 1, 1], [2, 3, 2, 2, 1, 1, 1], [None, 1, 2, 4, 1, 1, 3],
                 [4, 1, 3, 1, 1, 1, 1], [5, 1, 1, 5, 1, 1, 1], [6, 1, 1, 1, 1, 1, 1]]), sheet_name="Sheet1")
def test_fuzz_xlsx_through_every_data_command(table, sheet_name):
    from openpyxl import Workbook

    header, rows = table
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    for r in [header] + rows:
        ws.append(r)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.xlsx"
        wb.save(path)
        run_data_commands(path, folder)


# ---------------------------------------------------------------- model specs

scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 30), 10 ** 30),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10),
                   st.sampled_from(["ols", "logit", "probit", "ordinal", "mixed", "mediation",
                                    "mpg ~ wt", "am ~ wt + hp", "cyl", "mpg", "HC1", "cluster"]))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner,
                                                                       max_size=3)),
                     max_leaves=8)
MODEL_KEYS = ["name", "family", "formula", "se", "ci", "odds_ratio", "link", "groups", "x", "y",
              "mediators", "bootstrap", "cluster", "moderation", "covariates", "reml", "bogus"]


@st.composite
def model_spec(draw):
    models = []
    for _ in range(draw(st.integers(0, 3))):
        m = {"name": draw(st.text(min_size=1, max_size=6)),
             "family": draw(st.sampled_from(["ols", "logit", "probit", "ordinal", "mediation", "x"])),
             "formula": draw(st.sampled_from(["mpg ~ wt", "am ~ wt + hp", "mpg ~ wt*hp", "mpg ~",
                                              "cyl ~ wt", "vs ~ am", "mpg ~ wt + wt"]))}
        for k in draw(st.lists(st.sampled_from(MODEL_KEYS), max_size=3)):
            m[k] = draw(value)
        models.append(m)
    spec = {"data": str(MTCARS), "models": models}
    for k in draw(st.lists(st.sampled_from(["title", "units", "filters", "scoring", "nonsense", "data",
                                            "models"]), max_size=2)):
        spec[k] = draw(value)
    return spec


SPEC_TEXTS = [
    "",
    "---\n",
    "[]",
    "models: []\n",
    f"data: {MTCARS}\nmodels: []\n",
    f"data: {MTCARS}\nmodels: !!python/object/apply:os.system ['true']\n",
    f"data: {MTCARS}\nmodels: [!!python/name:os.system {{}}]\n",
    "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nmodels: *i\n",
    f"data: {MTCARS}\nmodels:\n  - name: a\n    family: ols\n    formula: mpg ~ wt\n    ci: 1e999\n",
    f"data: {MTCARS}\nmodels:\n  - name: a\n    family: ols\n    formula: mpg ~ wt\n"
    f"    bootstrap: {{n: 99999999999999999999999}}\n",
    f"data: {MTCARS}\nmodels:\n  - name: a\n    family: mediation\n    x: wt\n    y: mpg\n"
    f"    mediators: [hp]\n    bootstrap: {{n: 5, seed: 1e400}}\n",
    f"data: {MTCARS}\nmodels:\n  - {{name: a, family: ols, formula: mpg ~ wt + wt}}\n",
    f"data: {MTCARS}\nmodels:\n  - {{name: a, family: logit, formula: am ~ mpg + wt + hp + qsec + disp}}\n",
    f"data: {MTCARS}\nmodels:\n  - {{name: a, family: ordinal, formula: cyl ~ mpg}}\n",
    "\ufeffdata: x\n\tmodels: [\n",
    "data: " + "x" * 5000 + "\nmodels: []\n",
]


@FUZZ
@given(spec=model_spec(), as_text=st.sampled_from(SPEC_TEXTS + [None] * 6))
def test_fuzz_model_specs(spec, as_text):
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "spec.yaml"
        if as_text is None:
            try:
                text = yaml.safe_dump(spec, allow_unicode=True)
            except yaml.YAMLError:
                text = json.dumps(spec, default=str)
        else:
            text = as_text
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        check(invoke("model", "--spec", p, "--format", "json"))


@pytest.mark.parametrize("text", SPEC_TEXTS)
def test_model_spec_edge_texts(tmp_path, text):
    p = tmp_path / "spec.yaml"
    p.write_text(text, encoding="utf-8")
    check(invoke("model", "--spec", p, "--format", "json"))


# ---------------------------------------------------------------- study specs

STUDY_BASE = {
    "title": "fuzz", "instrument": str(MINI_INSTR), "seed": 1,
    "design": {"counties": 2, "townships_per_county": [2, 3], "officials_per_township": [3, 5]},
    "individual_variables": {"gender": {"dist": "categorical", "values": [1, 2], "probs": [0.5, 0.5]}},
    "latents": [{"id": "pressure"}, {"id": "trust"}, {"id": "avoid", "effects": {"pressure": 0.3}}],
}
STUDY_PATHS = [("design", "counties"), ("design", "townships_per_county"),
               ("design", "officials_per_township"), ("seed",), ("instrument",), ("latents",),
               ("individual_variables", "gender", "dist"), ("individual_variables", "gender", "probs"),
               ("measurement",), ("realism",), ("nonsense",), ("latents", 0, "icc"),
               ("latents", 2, "effects"), ("latents", 0, "residual_sd")]


@st.composite
def study_spec(draw):
    spec = json.loads(json.dumps(STUDY_BASE))
    for path in draw(st.lists(st.sampled_from(STUDY_PATHS), max_size=3)):
        node = spec
        for k in path[:-1]:
            node = node[k] if (isinstance(node, list) and isinstance(k, int) and k < len(node)) or (
                isinstance(node, dict) and k in node) else None
            if node is None:
                break
        if isinstance(node, dict):
            node[path[-1]] = draw(st.one_of(value, st.integers(-5, 5), st.sampled_from(
                [0, -1, 10 ** 9, 1e308, float("nan"), [], {}, [0, 0], [5, 2], "many"])))
    return spec


@FUZZ
@given(spec=study_spec())
@example(spec={**STUDY_BASE, "design": {"counties": 10 ** 9, "townships_per_county": [2, 3],
                                        "officials_per_township": [3, 5]}})
@example(spec={**STUDY_BASE, "latents": []})
@example(spec={**STUDY_BASE, "design": {"counties": 2, "townships_per_county": [2, 3],  # was out of memory
                                        "officials_per_township": 10 ** 9}})
def test_fuzz_study_specs(spec):
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "study.yaml"
        p.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        out = Path(tmp) / "sim.csv"
        check(invoke("simulate", "--spec", p, "--out", out, "--format", "json"))
