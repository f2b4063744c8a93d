"""A spec is data, never code: the formula grammar and the spec schema reject bad input
with exit 2 and one line naming the spec file and line, before anything runs."""
import json
import textwrap
from pathlib import Path

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.models import parse_formula, run_spec

from conftest import REF

DATA = REF / "data" / "model_mtcars.csv"


def write_spec(tmp_path, formula, extra=""):
    text = textwrap.dedent(f"""\
        data: {DATA}
        models:
          - name: ok
            family: ols
            formula: mpg ~ wt
          - name: bad
            family: ols
            formula: {json.dumps(formula)}
        """) + extra
    p = tmp_path / "spec.yaml"
    p.write_text(text, encoding="utf-8")
    return p


PAYLOADS = [
    "mpg ~ I(__import__('os').system('touch {marker}'))",
    "mpg ~ __import__('os').system('touch {marker}')",
    "mpg ~ np.log(wt)",
    "mpg ~ wt.__class__",
    "mpg ~ exec('open(\"{marker}\", \"w\")')",
    "mpg ~ wt + [x for x in ()]",
    "mpg ~ wt ** 2",
    "mpg ~ wt +",
    "mpg ~ (wt + hp) * qsec",
    "mpg ~ wt - hp",
    "mpg ~ wt; import os",
    "mpg ~ C(cyl, Treatment(4))",
    "mpg ~ 'wt'",
    "mpg wt",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rejected_formulas_exit_2_naming_the_line(cli, tmp_path, payload):
    marker = tmp_path / "MARKER"
    spec = write_spec(tmp_path, payload.format(marker=marker))
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"{spec}, line 8" in lines[0]          # the 'formula:' line of model 'bad'
    assert "bad formula" in lines[0]
    assert out == ""
    assert not marker.exists()


# Python words and backtick-quoted text are column names in our grammar (nothing is
# evaluated): such a formula fails as an unknown variable, and nothing runs
@pytest.mark.parametrize("payload", ["mpg ~ lambda: wt", "mpg ~ `touch {marker}`", "mpg ~ `__import__('os')`"])
def test_words_and_quoted_text_are_only_column_names(cli, tmp_path, payload):
    marker = tmp_path / "MARKER"
    spec = write_spec(tmp_path, payload.format(marker=marker))
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"{spec}, line 8" in lines[0] and "Traceback" not in err
    assert "unknown variable" in lines[0] or "not a column" in lines[0], lines[0]
    assert out == "" and not marker.exists()


def test_unknown_variable_names_variable_and_line(cli, tmp_path):
    spec = write_spec(tmp_path, "mpg ~ wt + not_a_column")
    code, out, err = cli("model", "--spec", spec)
    assert code == 2
    assert f"{spec}, line 8" in err and "'not_a_column'" in err
    assert out == ""


def test_unknown_variable_checked_before_any_model_is_fitted(tmp_path, monkeypatch):
    import avoid_survey.analysis.stats.models.ols as ols
    called = []
    monkeypatch.setattr(ols, "fit_ols", lambda *a, **k: called.append(1))
    with pytest.raises(AvoidSurveyError, match="nope"):
        run_spec(write_spec(tmp_path, "mpg ~ nope"))
    assert called == []


def test_grammar_expands_products_and_drops_intercept():
    f = parse_formula("y ~ a*b*c + C(rank, ref=2) - 1")
    assert f.term_names() == ["a", "b", "c", "rank", "a:b", "a:c", "b:c", "a:b:c"]  # R order
    assert f.intercept is False and f.categorical == {"rank": 2}
    g = parse_formula("避责 ~ 问责压力 + 问责压力:容错信任 + 0")
    assert g.response == "避责" and g.term_names() == ["问责压力", "问责压力:容错信任"] and not g.intercept
    h = parse_formula('y ~ C(g, ref="a b") + x:z + z:x')
    assert h.term_names() == ["g", "x:z"] and h.categorical == {"g": "a b"}


@pytest.mark.parametrize("text,msg", [
    ("y ~ log(x)", "function calls are not allowed"),
    ("y ~ x:x", "uses a variable twice"),
    ("y ~ y + x", "also appears on the right-hand side"),
    ("y ~ C(x, levels=2)", "only 'ref='"),
    ("y ~ x ~ z", "expected '\\+' between terms"),
])
def test_grammar_messages(text, msg):
    with pytest.raises(AvoidSurveyError, match=msg) as ei:
        parse_formula(text, file="s.yaml", line=4)
    assert ei.value.one_line().startswith("s.yaml, line 4:")


@pytest.mark.parametrize("extra_model,needle,line", [
    ("    colour: red\n", "unknown key 'colour'", 9),
    ("    se: {type: cluster}\n", "needs 'cluster", 9),
    ("    se: {type: HC9}\n", "models[1].se", 9),
    ("    se: HC9\n", "key 'models[1].se': 'HC9' is not an SE type", 9),
    ("    family2: ols\n", "unknown key 'family2'", 9),
])
def test_schema_errors_name_file_line_and_key(tmp_path, extra_model, needle, line):
    spec = write_spec(tmp_path, "mpg ~ wt", extra=extra_model)
    with pytest.raises(AvoidSurveyError) as ei:
        run_spec(spec)
    assert needle in ei.value.message
    assert ei.value.line == line and ei.value.file == str(spec)


def test_bad_family_and_missing_formula(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(f"data: {DATA}\nmodels:\n  - name: a\n    family: lasso\n    formula: mpg ~ wt\n"
                 f"  - name: b\n    family: ols\n")
    with pytest.raises(AvoidSurveyError) as ei:
        run_spec(p)
    assert ei.value.line == 4 and "family" in ei.value.message
    p.write_text(f"data: {DATA}\nmodels:\n  - name: b\n    family: ols\n")
    with pytest.raises(AvoidSurveyError, match="needs a 'formula'") as ei:
        run_spec(p)
    assert ei.value.line == 3


def test_yaml_tags_and_duplicate_keys_rejected(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(f"data: {DATA}\nmodels: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(AvoidSurveyError, match="tag"):
        run_spec(p)
    p.write_text(f"data: {DATA}\ndata: x.csv\nmodels: []\n")
    with pytest.raises(AvoidSurveyError, match="duplicate key") as ei:
        run_spec(p)
    assert ei.value.line == 2


def test_filters_transforms_and_unit_join(tmp_path):
    import pandas as pd
    resp = pd.DataFrame({"id": range(12), "u": ["a", "b", "c"] * 4, "y": [1.0, 2, 3, 4, 5, 7, 6, 8, 9, 12, 10, 11],
                         "x": [1.0, 3, 2, 5, 4, 6, 8, 7, 9, 10, 12, 11], "flag_speeder": [0] * 10 + [1, 0],
                         "keep": ["y"] * 11 + ["n"]})
    units = pd.DataFrame({"u": ["a", "b", "c"], "z": [0.5, 1.5, 3.0]})
    resp.to_csv(tmp_path / "r.csv", index=False)
    units.to_csv(tmp_path / "units.csv", index=False)
    (tmp_path / "s.yaml").write_text(textwrap.dedent("""\
        data: r.csv
        units: {file: units.csv, key: u}
        filters: {exclude_flags: [flag_speeder], where: {keep: "y"}}
        models:
          - name: m
            family: ols
            formula: y ~ x + z
            robustness:
              - {label: all rows, where: {keep: ["y", "n"]}}
        """))
    res = run_spec(tmp_path / "s.yaml")
    m = res.model("m")
    assert m.n == 10
    assert res.model("m [all rows]").n == 11           # the flag filter still applies
    import numpy as np
    sub = resp.iloc[:10].merge(units, on="u")
    X = np.column_stack([np.ones(10), sub.x, sub.z])
    b = np.linalg.lstsq(X, sub.y.to_numpy(), rcond=None)[0]
    assert [c.estimate for c in m.coefficients] == pytest.approx(list(b))


def test_missing_flag_column_names_spec_line(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(f"data: {DATA}\nfilters:\n  exclude_flags: [flag_longstring]\n"
                 f"models:\n  - {{name: a, family: ols, formula: mpg ~ wt}}\n")
    with pytest.raises(AvoidSurveyError, match="flag_longstring") as ei:
        run_spec(p)
    assert ei.value.line == 3


def test_rank_deficient_design_is_a_user_error(tmp_path):
    import pandas as pd
    d = pd.read_csv(DATA)
    d["wt2"] = d["wt"] * 2
    with pytest.raises(AvoidSurveyError, match="linear combination"):
        run_spec({"models": [{"name": "a", "family": "ols", "formula": "mpg ~ wt + wt2"}]}, data=d)


def test_spec_mapping_and_text_accepted():
    res = run_spec(f"data: {DATA}\nmodels:\n  - {{name: a, family: ols, formula: mpg ~ wt}}\n")
    assert res.model("a").n == 32
    assert Path(res.spec["data"]).name == "model_mtcars.csv"


from hypothesis import given, settings, strategies as st  # noqa: E402

ALPHABET = "abxyz_问责 ~+-*:()'\",=01.`[]{}/\\;@!^|C"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_grammar_fuzz_never_raises_anything_but_user_errors(text):
    try:
        f = parse_formula(text, file="s.yaml", line=1)
    except AvoidSurveyError as exc:
        assert exc.line == 1 and "\n" not in exc.one_line()
        return
    # whatever parsed is plain data: names of variables, nothing callable
    assert all(isinstance(v, str) and v.isidentifier() for v in f.variables)
