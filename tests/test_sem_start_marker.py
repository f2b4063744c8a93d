"""Start values in SEM syntax and the marker method factor of the template cmv_marker_correction.

- ``start(0.2)*x`` sets the starting value of a free parameter; lavaan's repeated-term
  modifiers (``NA*x1 + start(0.2)*x1 + lm*x1``) make one parameter with all of them; conflicts
  and a start on a fixed parameter are errors naming the line; ``cfa`` refuses start values;
- the template's two models with the method factor equal lavaan on the bundled sample
  (tests/reference/template_cmv_marker.R -> .json; 1e-4).
"""
import json

import numpy as np
import pytest

from conftest import ROOT

from avoid_survey.analysis.core.errors import AvoidSurveyError

REF = json.loads((ROOT / "tests" / "reference" / "template_cmv_marker.json").read_text(encoding="utf-8"))


def test_repeated_terms_merge_their_modifiers():
    from avoid_survey.analysis.stats.sem.syntax import parse_sem

    syn = parse_sem("f =~ NA*x1 + start(0.2)*x1 + lm*x1 + lm*x2 + start(-0.5)*x3\ny ~ start(.3)*f")
    f = next(s for s in syn.statements if s.op == "=~")
    assert [t.name for t in f.terms] == ["x1", "x2", "x3"]
    x1, x2, x3 = f.terms
    assert (x1.free, x1.label, x1.start, x1.fixed) == (True, "lm", 0.2, None)
    assert (x2.label, x2.start) == ("lm", None)
    assert x3.start == -0.5
    y = next(s for s in syn.statements if s.op == "~")
    assert y.terms[0].start == 0.3


@pytest.mark.parametrize("text, words", [
    ("f =~ a*x1 + b*x1 + x2 + x3", "two label values"),
    ("f =~ 1*x1 + 2*x1 + x2 + x3", "two fixed values"),
    ("f =~ 1*x1 + NA*x1 + x2 + x3", "both fixed and free"),
    ("f =~ 1*x1 + start(0.2)*x1 + x2 + x3", "a start value is for a free parameter"),
    ("f =~ x1 + start(abc)*x2 + x3", "not a finite number"),
    ("f =~ x1 + start(0.2)*1*x2 + x3", "a start value is for a free parameter"),
])
def test_bad_modifiers_are_errors_with_the_line(text, words):
    from avoid_survey.analysis.stats.sem.syntax import parse_sem

    with pytest.raises(AvoidSurveyError) as exc:
        parse_sem("y ~ x\n" + text)
    assert words in exc.value.message and exc.value.line == 2


def test_start_sets_the_starting_value_and_not_the_estimate():
    import pandas as pd

    from avoid_survey.analysis.stats.sem import sem
    from avoid_survey.analysis.stats.sem.engine import sem_start
    from avoid_survey.analysis.stats.sem.partable import build_sem
    from avoid_survey.analysis.stats.sem.syntax import parse_sem
    from avoid_survey.analysis.stats.cfa.data import group_moments

    hs = pd.read_csv(ROOT / "tests" / "reference" / "data" / "hs_holzinger1939.csv")
    plain = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    started = "visual =~ x1 + start(0.7)*x2 + x3\ntextual =~ x4 + x5 + start(3)*x6"
    model = build_sem(parse_sem(started), hs.columns)
    x = hs[model.ov].to_numpy(float)
    gd, _ = group_moments(x, None, None, False, model.ov, what="SEM")
    theta = sem_start(model, [gd])
    by = {(r.lhs, r.rhs): theta[r.free] for r in model.rows if r.free >= 0 and r.op == "=~"}
    assert by[("visual", "x2")] == 0.7 and by[("textual", "x6")] == 3.0
    a, b = sem(hs, model=plain), sem(hs, model=started)
    assert a.fit["chisq"] == pytest.approx(b.fit["chisq"], abs=1e-8)
    ea = {(p["lhs"], p["op"], p["rhs"]): p["estimate"] for p in a.parameters}
    eb = {(p["lhs"], p["op"], p["rhs"]): p["estimate"] for p in b.parameters}
    assert max(abs(ea[k] - eb[k]) for k in ea) < 1e-6


def test_start_on_a_fixed_marker_loading_is_an_error_and_cfa_refuses_start(cli, tmp_path):
    data = ROOT / "tests" / "reference" / "data" / "hs_holzinger1939.csv"
    code, _out, err = cli("sem", data, "--model", "visual =~ start(0.5)*x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    assert code == 2 and "fixed" in err and "NA*" in err and "Traceback" not in err
    code, _out, err = cli("cfa", data, "--model", "visual =~ x1 + start(0.5)*x2 + x3\ntextual =~ x4 + x5 + x6")
    assert code == 2 and "start values" in err and "sem command" in err


@pytest.fixture(scope="module")
def template_fits():
    from avoid_survey.analysis.stats.models import run_spec
    from avoid_survey.analysis.stats.models.templates import template_path
    from avoid_survey.analysis.simulate.power import _fit_mapping
    import pandas as pd

    resp = pd.read_csv(ROOT / "sample_data" / "responses.csv", encoding="utf-8-sig")
    units = pd.read_csv(ROOT / "sample_data" / "units.csv", encoding="utf-8-sig")
    fm = _fit_mapping(template_path("cmv_marker_correction"))
    fm["models"] = [m for m in fm["models"] if m["name"] in REF]
    frame = resp.merge(units, on="township_id", how="left", suffixes=("", "_unit"))
    res = run_spec(fm, data=frame, base_dir=str(ROOT / "sample_data"))
    return {m.name: m for m in res.models}


@pytest.mark.parametrize("name", ["cascade_marker", "depletion_marker"])
def test_marker_method_factor_models_equal_lavaan(template_fits, name):
    ref = REF[name]
    mf = template_fits[name]
    res = mf.internal["sem"]
    assert res.n == ref["n"] and res.converged and ref["converged"]
    for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert res.fit[k] == pytest.approx(ref["fit"][k], abs=1e-4), k
    ours = {(p["lhs"], p["op"], p["rhs"]): p for p in res.parameters}
    for p in ref["parameters"]:
        o = ours[(p["lhs"], p["op"], p["rhs"])]
        assert o["estimate"] == pytest.approx(p["est"], abs=1e-4), p
        assert o["se"] == pytest.approx(p["se"], abs=1e-4), p
    # the equal method loading is one free parameter on every item
    lm = {p["rhs"]: p["estimate"] for p in res.parameters if p["lhs"] == "cmv" and p["op"] == "=~"}
    assert len(lm) >= 24 and np.ptp(list(lm.values())) < 1e-12 and 0.1 < lm["mk1"] < 0.4


def test_cmv_marker_may_be_a_marker_scale_and_equals_r():
    import pandas as pd

    from avoid_survey.analysis.stats.sem.cmv import cmv
    from avoid_survey.instruments import load_instrument

    ref = REF["lindell_whitney_scale"]
    data = pd.read_csv(ROOT / "sample_data" / "responses.csv", encoding="utf-8-sig")
    res = cmv(data, load_instrument("blame-avoidance-core-v2"),
              scales=["tournament_pressure", "ap_escalation", "escalation_avoidance", "marker"], marker="marker")
    assert res.factors == ["tournament_pressure", "ap_escalation", "escalation_avoidance"]   # not the marker
    mk = res.marker
    assert res.n == ref["n"] and mk["column"] == "marker" and mk["items"] == ["mk1", "mk2", "mk3"]
    assert mk["r_m"] == pytest.approx(ref["r_m"], abs=1e-10)
    for k, v in ref["marker_correlations"].items():
        assert mk["marker_correlations"][k] == pytest.approx(v, abs=1e-10)
    for ours, theirs in zip(mk["pairs"], ref["pairs"]):
        assert (ours["a"], ours["b"]) == (theirs["a"], theirs["b"])
        for k in ("r", "r_corrected"):
            assert ours[k] == pytest.approx(theirs[k], abs=1e-10)
        assert ours["p_corrected"] == pytest.approx(theirs["p"], abs=1e-8)


def test_cmv_unknown_marker_names_column_and_scale(cli):
    code, _out, err = cli("cmv", ROOT / "sample_data" / "responses.csv", "--instrument", "blame-avoidance-core-v2",
                          "-s", "tournament_pressure", "-s", "ap_escalation", "--marker", "nope")
    assert code == 2 and "'nope'" in err and "nor a scale" in err and "Traceback" not in err
