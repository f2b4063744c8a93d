"""β and VIF of OLS coefficients (JSON and table columns) and hierarchical steps declared as
blocks, pinned to R (tests/reference/model_beta_steps.R): lm on the standardized design
columns, the auxiliary-regression VIF of each column, car::vif, summary(lm) and anova(m1, m2)."""
import json

import pytest

from avoid_survey.analysis.stats.models import run_spec

from conftest import REF

R = json.loads((REF / "model_beta_steps.json").read_text())
DATA = REF / "data" / "model_mtcars.csv"
TOL = 1e-6


def _term(r):
    return {"factor(cyl)6": "cyl[6]", "factor(cyl)8": "cyl[8]"}.get(r, r)


@pytest.fixture(scope="module")
def res():
    return run_spec({"data": str(DATA), "models": [
        {"name": "plain", "family": "ols", "formula": "mpg ~ wt * hp + C(cyl) + am"},
        {"name": "num", "family": "ols", "formula": "mpg ~ wt + hp + qsec", "se": "HC3"},
        {"name": "h", "family": "ols", "y": "mpg", "steps": [["am", "gear"], ["wt", "hp"], "wt:hp"]}]})


def test_beta_is_lm_on_standardized_columns_and_vif_the_auxiliary_regressions(res):
    m = res.model("plain")
    ref = R["beta_vif"]
    diffs = []
    for term, b, v in zip(ref["terms"], ref["beta"], ref["vif"]):
        d = m.coef(_term(term)).to_dict()
        assert d["beta"] == pytest.approx(b, abs=TOL), term
        assert d["vif"] == pytest.approx(v, rel=TOL), term
        assert d["beta"] == d["std_estimate"]
        diffs += [abs(d["beta"] - b), abs(d["vif"] - v)]
    assert max(diffs) < 1e-8
    icpt = m.coef("Intercept").to_dict()
    assert icpt["beta"] is None and icpt["vif"] is None


def test_vif_of_numeric_terms_equals_car_vif(res):
    m = res.model("num")
    for term, v in R["car_vif"].items():
        assert m.coef(term).to_dict()["vif"] == pytest.approx(v, rel=1e-8)
        assert m.extra["vif"][term]["gvif"] == pytest.approx(v, rel=1e-8)


def test_steps_as_blocks_match_summary_lm_and_anova(res):
    steps = [m for m in res.models if m.extra.get("step", {}).get("of") == "h"]
    r = R["steps"]
    assert [m.extra["step"]["added"] for m in steps] == [["am", "gear"], ["wt", "hp"], ["wt:hp"]]
    for k, m in enumerate(steps):
        f = m.fit
        assert f["r2"] == pytest.approx(r["r2"][k], abs=TOL)
        assert f["adj_r2"] == pytest.approx(r["adj_r2"][k], abs=TOL)
        assert f["sigma"] == pytest.approx(r["sigma"][k], rel=TOL)
        assert f["r2_change"] == pytest.approx(r["r2_change"][k], abs=TOL)
        assert f["f_change"] == pytest.approx(r["f_change"][k], rel=TOL)
        assert f["f_change_p"] == pytest.approx(r["p"][k], rel=TOL)
        assert (f["f_change_df1"], f["f_change_df2"]) == (r["df1"][k], r["df2"][k])


def test_tables_show_beta_vif_columns_and_the_steps_summary(res):
    t = res.to_tables("en")
    main = t[0]
    labels = [c.text("en") for c in main.columns]
    assert labels.count("β") == 5 and labels.count("VIF") == 5      # every OLS column (3 steps + 2 models)
    j = labels.index("plain")
    row = next(r for r in main.rows if r[0] == "wt")
    assert row[j + 1].value == pytest.approx(R["beta_vif"]["beta"][0], abs=TOL)
    assert row[j + 2].value == pytest.approx(R["beta_vif"]["vif"][0], rel=TOL)
    steps = next(x for x in t if x.name == "hierarchical")
    assert [r[0] for r in steps.rows] == ["1", "2", "3"]
    assert steps.rows[1][5].value == pytest.approx(R["steps"]["r2_change"][1], abs=TOL)
    assert steps.rows[2][1].value == pytest.approx(R["steps"]["r"][2], abs=TOL)
    off = res.styled(beta=False, vif=False).to_tables("zh")[0]
    assert all(c.text("zh") not in ("β", "VIF") for c in off.columns)
    only_vif = [c.text("en") for c in res.styled(beta=False).to_tables("en")[0].columns]
    assert "β" not in only_vif and only_vif.count("VIF") == 5


def test_cli_switches_and_json(cli, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"data: {DATA}\nmodels:\n  - name: m\n    family: ols\n    formula: mpg ~ wt + hp\n",
                    encoding="utf-8")
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    c = json.loads(out)["models"][0]["coefficients"]
    assert {"beta", "vif"} <= set(c[1]) and c[1]["vif"] == pytest.approx(c[2]["vif"])
    code, out, _ = cli("model", "--spec", spec, "--format", "md", "--lang", "en")
    assert code == 0 and "β" in out and "VIF" in out
    code, out, _ = cli("model", "--spec", spec, "--format", "md", "--lang", "en", "--no-beta", "--no-vif")
    assert code == 0 and "β" not in out and "VIF" not in out


def test_steps_need_a_formula_or_y(tmp_path):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    with pytest.raises(AvoidSurveyError, match="needs a 'formula'"):
        run_spec({"data": str(DATA), "models": [{"name": "h", "family": "ols", "steps": [["wt"]]}]})
