"""`avoid-survey model`: JSON keys (CONTRACT.md), tables, --out replication package, templates
and example specs on the bundled sample data."""
import json
from pathlib import Path

import pytest

from conftest import REF, ROOT

DATA = REF / "data" / "model_mtcars.csv"
SAMPLE = ROOT / "sample_data" / "responses.csv"
TEMPLATES = ["h1_h2_pressure_trust", "h3_vague_rules", "h4_constraints", "multilevel", "moderated_mediation"]


@pytest.fixture
def spec(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text(f"""data: {DATA}
models:
  - name: m1
    family: ols
    formula: mpg ~ wt * hp + C(cyl)
    se: {{type: cluster, cluster: gear}}
    moderation: {{focal: wt, moderator: hp}}
  - name: m2
    family: logit
    formula: am ~ wt
""", encoding="utf-8")
    return p


def test_json_has_contract_keys(cli, spec):
    code, out, err = cli("model", "--spec", spec, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert {"spec", "models"} <= set(d)
    for m in d["models"]:
        assert {"name", "family", "n", "n_groups", "coefficients", "fit", "random_effects"} <= set(m)
        for c in m["coefficients"]:
            assert {"term", "estimate", "se", "stat", "p", "ci_lower", "ci_upper", "std_estimate"} <= set(c)
    m1 = d["models"][0]
    assert m1["n_groups"] == {"gear": 3} and m1["fit"]["r2"] > 0.8
    assert [s["at"] for s in m1["moderation"]["simple_slopes"]] == ["mean - 1 SD", "mean", "mean + 1 SD"]
    assert "bounds" in m1["moderation"]["johnson_neyman"]
    assert [c["term"] for c in m1["coefficients"]][:4] == ["Intercept", "wt", "hp", "cyl[6]"]


def test_table_formats_and_stars(cli, spec):
    code, out, err = cli("model", "--spec", spec, "--format", "md", "--lang", "en", "--stars", ".1,.05,.01",
                         "--decimals", "2")
    assert code == 0, err
    assert "| Variable | m1 | β | VIF | m2 |" in out
    assert "* p < .1, ** p < .05, *** p < .01" in out
    assert "clustered by gear" in out and "Simple slopes" in out
    code, out, err = cli("model", "--spec", spec, "--format", "csv", "--lang", "zh")
    assert code == 0 and "常数项" in out
    code, out, err = cli("model", "--spec", spec, "--format", "md", "--lang", "en", "--ci")
    assert code == 0 and "confidence intervals in brackets" in out and "| (" not in out
    code, out, err = cli("model", "--spec", spec, "--stars", "0.01,0.05")
    assert code == 2 and "--stars" in err


def test_out_writes_replication_package_and_refuses_nonempty(cli, spec, tmp_path):
    out_dir = tmp_path / "pkg"
    code, out, err = cli("model", "--spec", spec, "--out", out_dir, "--format", "json")
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["models.csv", "models.html", "models.md", "results.json", "spec.resolved.yaml"]
    import hashlib
    import yaml
    res = yaml.safe_load((out_dir / "spec.resolved.yaml").read_text(encoding="utf-8"))
    f = res["replication"]["files"][0]
    assert f["role"] == "data" and f["sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest()
    # the resolved spec runs again and gives the same numbers
    code2, out2, _ = cli("model", "--spec", out_dir / "spec.resolved.yaml", "--format", "json")
    assert code2 == 0
    assert json.loads(out2)["models"][0]["coefficients"] == json.loads(out)["models"][0]["coefficients"]
    code, out, err = cli("model", "--spec", spec, "--out", out_dir)
    assert code == 2 and "not empty" in err
    code, out, err = cli("model", "--spec", spec, "--out", out_dir, "--force", "--format", "json")
    assert code == 0


def test_spec_or_template_required(cli, spec):
    code, out, err = cli("model")
    assert code == 2 and "--spec" in err
    code, out, err = cli("model", "--template", "nope", "--data", DATA)
    assert code == 2 and "h1_h2_pressure_trust" in err
    code, out, err = cli("model", "--template", "h3_vague_rules")
    assert code == 2 and "--data" in err
    code, out, err = cli("model", "--list-templates")
    assert code == 0 and all(t in out for t in TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_runs_on_the_sample_data(cli, name):
    code, out, err = cli("model", "--template", name, "--data", SAMPLE, "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["models"] and all(m["n"] > 500 for m in d["models"])
    fams = {m["family"] for m in d["models"]}
    if name == "multilevel":
        assert fams == {"mixed"} and d["models"][0]["n_groups"] == {"township_id": 60, "county_id": 12}
    if name == "moderated_mediation":
        assert d["models"][0]["index_of_moderated_mediation"]
    if name == "h1_h2_pressure_trust":
        # H1: pressure raises passive avoidance; the sample data's true interaction is negative (H2)
        step3 = d["models"][2]
        coef = {c["term"]: c for c in step3["coefficients"]}
        assert coef["accountability_pressure"]["estimate"] > 0
        assert coef["accountability_pressure:ft_trust"]["estimate"] < 0
        assert step3["fit"]["f_change"] > 0 and step3["n_groups"] == {"township_id": 60}


@pytest.mark.parametrize("path", sorted((ROOT / "sample_data" / "specs").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_specs_run(cli, path):
    code, out, err = cli("model", "--spec", path, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["models"]


def test_help_does_not_import_pandas():
    import subprocess
    import sys
    code = ("import sys; from avoid_survey.cli import model_cmd; "
            "sys.exit(1 if 'pandas' in sys.modules or 'statsmodels' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_models_catalogue_area_has_both_languages():
    from avoid_survey.analysis.core.i18n import AREAS, load_areas

    assert "models" in AREAS
    terms = load_areas()["models"]
    assert all(k.startswith("mod_") for k in terms)
    assert all(len(v) == 2 and v[0] and v[1] for v in terms.values())


def test_results_are_frozen_and_json_keeps_warning_text():
    import dataclasses

    from avoid_survey.analysis.core.records import WarningRecord
    from avoid_survey.analysis.stats.models import Coef, ModelFit

    m = ModelFit(name="m", family="ols", n=3, coefficients=[Coef("x", 1.0, 0.5, 2.0, 0.1, 0.0, 2.0)],
                 warnings=[WarningRecord("model-note", "a note")], extra={"formula": "y ~ x"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.name = "other"
    d = m.to_dict()
    assert list(d) == ["name", "family", "n", "n_groups", "coefficients", "fit", "random_effects", "se_type",
                       "warnings", "formula"]
    assert d["warnings"] == ["a note"] and m.with_extra(label="L").to_dict()["label"] == "L"
