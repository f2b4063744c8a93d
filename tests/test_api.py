"""The Python API (``import avoid_survey as av``): each function equals its command.

For every function, ``to_dict()`` on the sample data, given as a path and as a pandas
DataFrame, is the document the command prints with ``--format json``. Only the keys that
name the input file differ for a DataFrame (``file`` / ``spec.data``).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import avoid_survey as av
from avoid_survey.cli.main import run as cli_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "responses.csv"
CORE = "blame-avoidance-core-v2"


@pytest.fixture(scope="module")
def raw():
    """The sample responses as a user reads them in a notebook."""
    return pd.read_csv(SAMPLE)


def cli_json(capsys, *argv) -> dict:
    capsys.readouterr()
    code = cli_run([str(a) for a in argv] + ["--format", "json"])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    return json.loads(out)


def displays(res) -> None:
    """The result shows as HTML tables in Jupyter, in both languages."""
    assert "<table" in res._repr_html_()
    assert res.to_table("en").render("md") and res.to_table("zh").render("md")


def without(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def test_import_loads_no_numpy_or_pandas():
    code = ("import sys, avoid_survey as av\n"
            "names = [av.read, av.validate, av.score, av.reliability, av.efa, av.cfa, av.fit_models, av.simulate]\n"
            "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'statsmodels', 'matplotlib') if m in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_public_names():
    assert set(av.__all__) >= {"read", "validate", "score", "reliability", "efa", "cfa", "fit_models", "simulate",
                               "sem", "cmv"}
    with pytest.raises(AttributeError):
        av.no_such_function  # noqa: B018


def test_read_path_and_frame(raw):
    inst = av.load_instrument(CORE)
    from_file = av.read(SAMPLE, CORE)
    from_frame = av.read(raw, inst)
    items = [i.id for i in inst.items if i.id in from_file.columns]
    assert items and from_frame[items].equals(from_file[items])
    assert raw.equals(pd.read_csv(SAMPLE))        # the user's frame is left alone


def test_validate(capsys, raw):
    expected = cli_json(capsys, "validate", SAMPLE, "--instrument", CORE)
    res = av.validate(SAMPLE, CORE)
    assert res.to_dict() == expected
    framed = av.validate(raw, CORE).to_dict()
    assert framed["file"] == "<data frame>"
    assert without(framed, "file", "read") == without(expected, "file", "read")
    assert list(res.to_frame().columns[:6]) == ["code", "severity", "row", "column", "respondent", "message"]
    assert len(res.to_frame()) == len(expected["findings"])
    displays(res)


def test_score(capsys, raw, tmp_path):
    out = tmp_path / "scores.csv"
    expected = cli_json(capsys, "score", SAMPLE, "--instrument", CORE, "--out", out)
    again = av.score(SAMPLE, CORE, out=tmp_path / "scores2.csv").to_dict()
    assert without(again, "out") == without(expected, "out")
    in_memory = av.score(SAMPLE, CORE)
    assert without(in_memory.to_dict(), "out") == without(expected, "out")
    framed = av.score(raw, CORE)
    assert without(framed.to_dict(), "out", "file") == without(expected, "out", "file")
    displays(framed)
    written = pd.read_csv(out, encoding="utf-8-sig")
    scored = framed.to_frame()
    for s in expected["scales"]:
        pd.testing.assert_series_equal(scored[s["scale"]], written[s["scale"]], check_dtype=False, rtol=1e-12)


def test_reliability(capsys, raw):
    expected = cli_json(capsys, "reliability", SAMPLE, "--instrument", CORE)
    res = av.reliability(SAMPLE, CORE)
    assert res.to_dict() == expected
    assert av.reliability(raw, av.load_instrument(CORE)).to_dict() == expected
    frame = res.to_frame()
    assert list(frame["scale"]) == [s["scale"] for s in expected["scales"]]
    assert frame["alpha"].tolist() == [s["alpha"] for s in expected["scales"]]
    assert set(res.to_frame("items")["scale"]) == set(frame["scale"])


def test_efa(capsys, raw):
    expected = cli_json(capsys, "efa", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance")
    res = av.efa(SAMPLE, CORE, scales=["passive_avoidance"])
    assert res.to_dict() == expected
    assert av.efa(raw, CORE, scales=["passive_avoidance"]).to_dict() == expected
    loadings = res.to_frame()
    assert list(loadings.columns) == expected["factors"]
    assert loadings.loc["pag1", expected["factors"][0]] == expected["loadings"]["pag1"][expected["factors"][0]]
    displays(res)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_efa_items(capsys, raw):
    items = ["pag1", "pa_agd2", "pa_sym1", "pas3", "pac1", "pac2"]
    expected = cli_json(capsys, "efa", SAMPLE, "--items", ",".join(items), "--factors", "2")
    assert av.efa(SAMPLE, items=items, n_factors=2).to_dict() == expected
    assert av.efa(raw, items=items, n_factors=2).to_dict() == expected


def test_cfa(capsys, raw):
    expected = cli_json(capsys, "cfa", SAMPLE, "--instrument", "fault-tolerance-trust-v2", "--second-order")
    res = av.cfa(SAMPLE, "fault-tolerance-trust-v2", second_order=True)
    assert res.to_dict() == expected
    assert av.cfa(raw, "fault-tolerance-trust-v2", second_order=True).to_dict() == expected
    assert len(res.to_frame()) == len(expected["loadings"])
    assert res.to_frame("fit").loc["cfi", "value"] == expected["fit"]["cfi"]
    displays(res)


def test_cfa_group_and_model_text(capsys, raw):
    expected = cli_json(capsys, "cfa", SAMPLE, "--instrument", CORE, "--scale", "passive_avoidance",
                        "--group", "gender")
    assert av.cfa(SAMPLE, CORE, scales=["passive_avoidance"], group="gender").to_dict() == expected
    res = av.cfa(raw, CORE, scales=["passive_avoidance"], group="gender")
    assert res.to_dict() == expected
    assert [r["level"] for r in res.to_dict()["invariance"]] == [r["level"] for r in res.to_frame("invariance")
                                                                 .to_dict("records")]
    model = "agenda =~ pag1 + pa_agd2 + pag3; symbolic =~ pa_sym1 + pas3 + pas4"
    expected = cli_json(capsys, "cfa", SAMPLE, "--model", model)
    assert av.cfa(SAMPLE, model=model).to_dict() == expected
    assert av.cfa(raw, model=model).to_dict() == expected


def test_fit_models(capsys, raw):
    spec = ROOT / "sample_data" / "specs" / "task_type_h5.yaml"
    expected = cli_json(capsys, "model", "--spec", spec)
    res = av.fit_models(spec)
    assert res.to_dict() == expected
    framed = av.fit_models(spec, data=raw).to_dict()
    assert framed["spec"]["data"] == "<data frame>"
    assert without(framed, "spec") == without(expected, "spec")
    coefs = res.to_frame()
    assert len(coefs) == sum(len(m["coefficients"]) for m in expected["models"])
    assert list(res.to_frame("fit")["model"]) == [m["name"] for m in expected["models"]]
    displays(res)


def test_fit_models_template(capsys):
    expected = cli_json(capsys, "model", "--template", "h1_h2_pressure_trust", "--data", SAMPLE)
    assert av.fit_models(template="h1_h2_pressure_trust", data=SAMPLE).to_dict() == expected


def test_simulate(capsys, tmp_path):
    spec = ROOT / "sample_data" / "study.yaml"
    expected = cli_json(capsys, "simulate", "--spec", spec, "--seed", "7", "--out", tmp_path / "a.csv")
    res = av.simulate(spec, seed=7, out=tmp_path / "b.csv")
    assert without(res.to_dict(), "files") == without(expected, "files")
    displays(res)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    in_memory = av.simulate(spec, seed=7)
    assert in_memory.to_frame().shape[0] == expected["n_respondents"]
    assert {k: in_memory.to_dict()[k] for k in ("n_respondents", "n_townships", "n_counties", "seed")} == \
        {k: expected[k] for k in ("n_respondents", "n_townships", "n_counties", "seed")}
    assert "<table" in in_memory._repr_html_()


def test_tables_render_and_display(tmp_path):
    res = av.reliability(SAMPLE, CORE, scales=["passive_avoidance"])
    zh, en = res.to_table("zh"), res.to_table(lang="en")
    assert isinstance(en, av.Tables) and len(en) == len(res.to_tables("en")) > 0
    assert en.render("md") != zh.render("md")
    assert "<table>" in res._repr_html_() and "<html" not in res._repr_html_()
    assert en.render("xlsx")[:2] == b"PK"
    path = en.save(tmp_path / "rel.md")
    assert path.read_text(encoding="utf-8") == en.render("md")
    assert "passive_avoidance" in repr(res) or "alpha" in repr(res)
    with pytest.raises(ValueError):
        res.to_frame("nothing")
    with pytest.raises(AttributeError):
        res.scales = ()


def test_errors_are_located_avoid_survey_errors(tmp_path):
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    with pytest.raises(AvoidSurveyError, match="file not found"):
        av.reliability(tmp_path / "none.csv", CORE)
    with pytest.raises(AvoidSurveyError):
        av.reliability(SAMPLE, "no-such-instrument")
    with pytest.raises(AvoidSurveyError, match="file path or a pandas DataFrame"):
        av.reliability(42, CORE)
    with pytest.raises(AvoidSurveyError):
        av.cfa(SAMPLE)


def test_simulate_power(capsys):
    fix = ROOT / "tests" / "fixtures" / "simulate"
    expected = cli_json(capsys, "simulate", "--spec", fix / "mini-study.yaml", "--replicate", "2",
                        "--fit", fix / "mini-model.yaml", "--seed", "5", "--jobs", "1")
    res = av.simulate(fix / "mini-study.yaml", replicate=2, fit=fix / "mini-model.yaml", seed=5, jobs=1)
    assert res.to_dict() == expected
    assert set(res.to_frame("power")["model"]) == {m["name"] for m in expected["models"]}


def test_sem(capsys, raw):
    model = ("ft_trust ~ a*accountability_pressure\n"
             "passive_avoidance ~ c*accountability_pressure + b*ft_trust\nind := a*b")
    expected = cli_json(capsys, "sem", SAMPLE, "--instrument", CORE, "--model", model)
    res = av.sem(SAMPLE, model, CORE)
    assert res.to_dict() == expected
    assert av.sem(raw, model, instrument=av.load_instrument(CORE)).to_dict() == expected
    pars = res.to_frame()
    assert len(pars) == len(expected["parameters"]) and "std_all" in pars.columns
    assert pars.loc[pars["op"] == ":=", "lhs"].tolist() == ["ind"]
    assert res.to_frame("fit").loc["cfi", "value"] == expected["fit"]["cfi"]
    assert set(res.to_frame("r2")["variable"]) == set(expected["r2"])
    displays(res)


def test_sem_options_and_compare(capsys, tmp_path):
    hs = ROOT / "tests" / "reference" / "data" / "hs_holzinger1939.csv"
    m1 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ textual"
    m2 = tmp_path / "m2.lav"
    m2.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ 0*textual\n", encoding="utf-8")
    expected = cli_json(capsys, "sem", hs, "--model", m1, "--group", "school", "--group-equal", "loadings",
                        "--estimator", "mlr", "--mi", "--mi-min", "3.84", "--compare", m2)
    res = av.sem(hs, m1, group="school", group_equal=["loadings"], estimator="mlr", mi=True, mi_min=3.84, compare=[m2])
    assert res.to_dict() == expected
    assert av.sem(hs, m1, group="school", group_equal="loadings", estimator="mlr", mi=True, mi_min=3.84,
                  compare=str(m2)).to_dict() == expected
    assert list(res.to_frame("comparison")["model"]) == [c["model"] for c in expected["comparison"]]
    assert (res.to_frame("modification_indices")["mi"] >= 3.84).all()
    assert set(res.to_frame("r2")["group"]) == {"Pasteur", "Grant-White"}


def test_cmv(capsys):
    ref = ROOT / "tests" / "reference"
    data, inst = ref / "data" / "cmv_sim.csv", ref / "cmv_sim_instrument.yaml"
    expected = cli_json(capsys, "cmv", data, "--instrument", inst, "--marker", "marker")
    res = av.cmv(data, inst, marker="marker")
    assert res.to_dict() == expected
    assert av.cmv(pd.read_csv(data), inst, marker="marker").to_dict() == expected
    checks = res.to_frame()
    assert list(checks["check"]) == ["harman", "single_factor", "ulmc"]
    assert checks.loc[2, "method_variance_share"] == expected["ulmc"]["method_variance_share"]
    assert len(res.to_frame("marker")) == 3 and len(res.to_frame("fit")) == 3
    displays(res)
EXP = ROOT / "sample_data" / "experiment"


def test_experiment(capsys):
    """av.experiment equals `avoid-survey experiment` for a file and for a DataFrame."""
    vig, inst = EXP / "vignette.csv", EXP / "ft-vignette.yaml"
    expected = cli_json(capsys, "experiment", vig, "--instrument", inst, "-y", "avoid", "-c", "age,female",
                        "--moderator", "female", "--mde", "600")
    res = av.experiment(vig, inst, outcome="avoid", covariates="age,female", moderator="female", mde=600)
    assert res.to_dict() == expected
    frame = pd.read_csv(vig)
    same = av.experiment(frame, av.load_instrument(inst), outcome="avoid", covariates=["age", "female"],
                         moderator="female", mde=600)
    assert same.to_dict() == expected
    assert list(frame.columns)[:3] == ["respondent", "vignette", "ft_list"]  # input untouched
    eff = res.to_frame()
    assert {"estimand", "factor", "level", "estimate", "se", "p"} <= set(eff.columns)
    assert len(eff) == len(expected["effects"])
    assert set(res.frames()) >= {"effects", "balance", "attrition", "tests", "power"}
    displays(res)


def test_experiment_conjoint_and_power(capsys):
    cj, inst = EXP / "conjoint.csv", EXP / "reform-conjoint.yaml"
    expected = cli_json(capsys, "experiment", cj, "--instrument", inst)
    assert av.experiment(cj, inst).to_dict() == expected
    power = cli_json(capsys, "experiment", "--instrument", inst, "--mde", "300", "--effect", "scope.broad=0.1",
                     "--reps", "20")
    got = av.experiment(instrument=inst, mde=300, effects=["scope.broad=0.1"], reps=20)
    assert got.to_dict() == power
    assert "power" in got.to_frame("power").columns
    with pytest.raises(av_errors().AvoidSurveyError):
        av.experiment(instrument=inst)


def av_errors():
    from avoid_survey.analysis.core import errors
    return errors


def test_describe_and_compare_equal_the_commands(capsys, raw):
    expected = cli_json(capsys, "describe", SAMPLE, "--instrument", CORE, "--lang", "en")
    res = av.describe(SAMPLE, CORE, lang="en")
    assert res.to_dict() == expected
    assert av.describe(raw, av.load_instrument(CORE), lang="en").to_dict() == expected
    assert len(res.to_frame()) == len(expected["descriptives"])
    assert set(res.frames()) == {"descriptives", "profile", "correlations"}
    displays(res)
    expected = cli_json(capsys, "compare", SAMPLE, "--instrument", CORE, "--by", "gender", "--vars",
                        "ft_trust,passive_avoidance", "--lang", "en")
    res = av.compare(SAMPLE, by="gender", variables="ft_trust,passive_avoidance", instrument=CORE, lang="en")
    assert res.to_dict() == expected
    assert list(res.to_frame()["variable"]) == [t["variable"] for t in expected["tests"]]
    assert len(res.to_frame("groups")) == sum(len(t["groups"]) for t in expected["tests"])
    displays(res)
