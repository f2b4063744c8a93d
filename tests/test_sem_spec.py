"""`family: sem` in a model spec: the same numbers as `avoid-survey sem`, options, located errors."""
import json

import pytest

from conftest import REF, ROOT

SAMPLE = ROOT / "sample_data" / "responses.csv"
PD = REF / "data" / "poldem_bollen.csv"
LAV = json.loads((REF / "sem_lavaan.json").read_text())
MODEL = ("ft_trust ~ a*accountability_pressure\n"
         "passive_avoidance ~ c*accountability_pressure + b*ft_trust\nind := a*b")


def _spec(tmp_path, body, name="spec.yaml"):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def _indent(text, n=6):
    return "\n".join(" " * n + line for line in text.splitlines())


def _params(d):
    return {(p["lhs"], p["op"], p["rhs"], p["group"]): p for p in d["parameters"]}


def test_spec_sem_equals_the_sem_command(cli, tmp_path):
    """Scale ids expand to their items as `sem --instrument` does; a regression sits beside it."""
    spec = _spec(tmp_path, f"""data: {SAMPLE}
instrument: blame-avoidance-core-v2
models:
  - name: ols
    family: ols
    formula: passive_avoidance ~ accountability_pressure + ft_trust
  - name: latent
    family: sem
    syntax: |
{_indent(MODEL)}
""")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    ols, m = d["models"]
    assert ols["family"] == "ols" and m["family"] == "sem"
    code, out2, err = cli("sem", SAMPLE, "--instrument", "blame-avoidance-core-v2", "--model", MODEL, "--format", "json")
    assert code == 0, err
    ref = json.loads(out2)
    assert m["n"] == ref["n"] and m["syntax"] == ref["model"]
    assert m["fit"] == pytest.approx(ref["fit"], rel=1e-10)
    mine, theirs = _params(m), _params(ref)
    assert mine.keys() == theirs.keys()
    for k, p in theirs.items():
        for key in ("estimate", "se", "std_all"):
            if p[key] is None:
                assert mine[k][key] is None
            else:
                assert mine[k][key] == pytest.approx(p[key], rel=1e-10, abs=1e-12), (k, key)
    assert any(k[0] == "passive_avoidance" and k[1] == "=~" for k in mine)
    paths = {c["term"]: c for c in m["coefficients"]}
    b = theirs[("passive_avoidance", "~", "ft_trust", None)]
    assert paths["passive_avoidance ~ ft_trust"]["estimate"] == pytest.approx(b["estimate"])
    assert paths["passive_avoidance ~ ft_trust"]["std_estimate"] == pytest.approx(b["std_all"])
    ind = next(e for e in m["effects"] if e["via"] == "ind")
    assert ind["estimate"] == pytest.approx(theirs[("ind", ":=", "a*b", None)]["estimate"])
    assert set(m["endogenous"]) == {"ft_trust", "passive_avoidance"} and 0 < m["r2"]["passive_avoidance"] < 1


def test_syntax_file_options_and_tables(cli, tmp_path):
    """A syntax file relative to the spec; MLR, bootstrap and a group as the sem command's options."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "indirect.lav").write_text(LAV["indirect"]["model"], encoding="utf-8")
    spec = _spec(tmp_path, f"""data: {PD}
models:
  - name: bollen
    label: {{en: "Bollen", zh: "Bollen 模型"}}
    family: sem
    syntax: models/indirect.lav
    estimator: mlr
    bootstrap: {{n: 20, seed: 7}}
""")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    m = json.loads(out)["models"][0]
    code, out2, _ = cli("sem", PD, "--model", LAV["indirect"]["model"], "--estimator", "mlr", "--bootstrap", 20,
                        "--seed", 7, "--format", "json")
    ref = json.loads(out2)
    assert m["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq_scaled"])
    assert m["bootstrap"]["n"] == 20 and m["se_type"] == "robust (MLR)"
    ab = next(e for e in m["effects"] if e["via"] == "ab")
    rab = next(p for p in ref["parameters"] if p["lhs"] == "ab")
    assert (ab["ci_lower"], ab["ci_upper"]) == pytest.approx((rab["boot_ci_lower"], rab["boot_ci_upper"]))
    assert ab["ci_method"] == "bootstrap percentile"
    for lang, words in (("zh", ("标准化解", "Bollen 模型", "自定义效应: ab", "结构方程模型拟合指标")),
                        ("en", ("Standardized solution", "Bollen: SEM fit indices", "Defined effect: ab"))):
        code, md, err = cli("model", "--spec", spec, "--format", "md", "--lang", lang)
        assert code == 0, err
        assert all(w in md for w in words), (lang, [w for w in words if w not in md])


def test_group_option(cli, tmp_path):
    hs = REF / "data" / "hs_holzinger1939.csv"
    spec = _spec(tmp_path, f"""data: {hs}
models:
  - name: hs
    family: sem
    syntax: "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\ntextual ~ visual"
    group: school
    group_equal: loadings
""")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    m = json.loads(out)["models"][0]
    code, out2, _ = cli("sem", hs, "--model", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual",
                        "--group", "school", "--group-equal", "loadings", "--format", "json")
    ref = json.loads(out2)
    assert m["fit"]["chisq"] == pytest.approx(ref["fit"]["chisq"]) and m["n_groups"] == {"school": 2}
    assert {c["term"] for c in m["coefficients"]} == {"textual ~ visual [Pasteur]", "textual ~ visual [Grant-White]"}


@pytest.mark.parametrize("model, line, words", [
    ("    family: sem\n", 3, "needs 'syntax'"),
    ("    family: sem\n    syntax: |\n      f =~ x1 + x2 + x3\n      f ~ x4 +\n", 7, "trailing '+'"),
    ("    family: sem\n    syntax: missing.lav\n", 5, "syntax file not found"),
    ("    family: sem\n    syntax: \"f =~ x1 + x2 + x3\\nf ~ nothere\"\n", 5, "unknown variable 'nothere'"),
    ("    family: ols\n    formula: x1 ~ x2\n    estimator: mlr\n", 3, "only used by family sem"),
    ("    family: sem\n    syntax: \"f =~ x1 + x2\"\n    formula: x1 ~ x2\n", 3, "'formula' is not used by family sem"),
    ("    family: sem\n    syntax: \"f =~ x1 + x2 + x3\"\n    interactions: [{name: fx, of: [f, zz]}]\n", 6,
     "interaction 'fx' of 'zz'"),
])
def test_bad_sem_entries_exit_2_naming_the_spec_line(cli, tmp_path, model, line, words):
    hs = REF / "data" / "hs_holzinger1939.csv"
    spec = _spec(tmp_path, f"data: {hs}\nmodels:\n  - name: m\n{model}")
    code, out, err = cli("model", "--spec", spec)
    assert code == 2 and "Traceback" not in err
    msg = err.strip().splitlines()[-1]
    assert f"line {line}" in msg and words in msg and str(spec) in msg, msg


def test_replication_package_of_a_sem_spec_reruns(cli, tmp_path):
    (tmp_path / "m.lav").write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual",
                                    encoding="utf-8")
    hs = REF / "data" / "hs_holzinger1939.csv"
    spec = _spec(tmp_path, f"data: {hs}\nmodels:\n  - {{name: hs, family: sem, syntax: m.lav}}\n")
    out = tmp_path / "pkg"
    code, first, err = cli("model", "--spec", spec, "--out", out, "--format", "json")
    assert code == 0, err
    assert (out / "sem_paths.png").read_bytes().startswith(b"\x89PNG")
    resolved = (out / "spec.resolved.yaml").read_text(encoding="utf-8")
    assert str(tmp_path / "m.lav") in resolved and "syntax (hs)" in resolved
    code, again, err = cli("model", "--spec", out / "spec.resolved.yaml", "--format", "json")
    assert code == 0, err
    assert json.loads(again)["models"][0]["fit"] == json.loads(first)["models"][0]["fit"]


def test_all_pairs_interaction_with_own_indicators(cli, tmp_path):
    hs = REF / "data" / "hs_holzinger1939.csv"
    spec = _spec(tmp_path, f"""data: {hs}
models:
  - name: inter
    family: sem
    syntax: "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9\\nspeed ~ visual + textual + vxt"
    interactions: [{{name: vxt, of: [visual, textual], match: all}}]
""")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    syn = json.loads(out)["models"][0]["syntax"]
    prod = next(ln for ln in syn.splitlines() if ln.startswith("vxt =~"))
    assert prod.count("_x_") == 9
    # products sharing an indicator: 9 products, each shares with 4 others -> 18 covariances
    assert sum(1 for ln in syn.splitlines() if "_x_" in ln and "~~" in ln) == 18


def test_data_problems_name_the_data_file_and_identification_the_syntax_line(cli, tmp_path):
    hs = REF / "data" / "hs_holzinger1939.csv"
    spec = _spec(tmp_path, f"data: {hs}\nmodels:\n  - name: m\n    family: sem\n    syntax: \"f =~ x1 + x2 + x3\\nf ~ school\"\n")
    code, _, err = cli("model", "--spec", spec)
    assert code == 2 and str(hs) in err and "column 'school'" in err and "Traceback" not in err
    spec = _spec(tmp_path, f"data: {hs}\nmodels:\n  - name: m\n    family: sem\n    syntax: |\n"
                           f"      g =~ x4 + x5 + x6\n      f =~ x1\n      g ~ f\n", name="one.yaml")
    code, _, err = cli("model", "--spec", spec)
    assert code == 2 and f"{spec}, line 7" in err and "only one indicator" in err
