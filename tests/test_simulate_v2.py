"""`simulate`, the 2.0 study features: county variables, the method (acquiescence) factor,
drawn item difficulties with the item-parameter file, and the v2 unit questionnaire."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.simulate import load_study, simulate
from avoid_survey.analysis.simulate.generation import item_frame

from tests.test_simulate import MINI, ROOT, _spec   # the mini study of the 1.0 tests


def _with(d, path, value):
    d = copy.deepcopy(d)
    cur = d
    for k in path[:-1]:
        cur = cur.setdefault(k, {})
    cur[path[-1]] = value
    return d


def _quiet(d):
    """No careless respondents or missing answers: every answer comes from the model."""
    return {**d, "realism": {}}


# ----------------------------------------------------------------- county variables
def test_county_variable_is_one_draw_per_county_and_enters_effects():
    d = _spec(county_variables={"ft_rules_county": {"dist": "normal", "mean": 0, "sd": 1, "decimals": 4}},
              design={"counties": 60, "townships_per_county": 3, "officials_per_township": 12})
    d["latents"][1] = {"id": "trust", "effects": {"ft_rules_county": 0.8}, "residual_sd": 0.5}
    sim = simulate(load_study(_quiet(d), file=str(MINI)), 3)
    u = sim.units
    per_county = u.groupby("county_id")["ft_rules_county"].nunique()
    assert (per_county == 1).all()                       # copied to every township of the county
    assert u.groupby("county_id")["ft_rules_county"].first().nunique() == 60   # drawn per county
    assert list(u.columns[:3]) == ["county_id", "township_id", "ft_rules_county"]
    j = sim.joined()
    assert "ft_rules_county" in j.columns and j["ft_rules_county"].notna().all()
    lat = sim.latents.merge(u[["township_id", "ft_rules_county"]], on="township_id")
    b = np.polyfit(lat["ft_rules_county"], lat["trust"], 1)[0]
    assert abs(b - 0.8) < 0.1


def test_county_variables_leave_the_other_draws_alone():
    base = simulate(load_study(_spec(), file=str(MINI)), 5)
    more = simulate(load_study(_spec(county_variables={"cv": {"dist": "bernoulli", "p": 0.5}}), file=str(MINI)), 5)
    pd.testing.assert_frame_equal(base.responses, more.responses)
    pd.testing.assert_frame_equal(base.units, more.units.drop(columns=["cv"]))


@pytest.mark.parametrize("change, msg", [
    ({"county_variables": {"veto_indicators_n": {"dist": "poisson", "lambda": 2}}}, "both as a county and as a unit"),
    ({"county_variables": {"cv": {"dist": "bernoulli", "p": 0.5, "missing": 0.1}}}, "'missing' applies"),
    ({"county_variables": {"gender": {"dist": "bernoulli", "p": 0.5}}}, "both as a unit (or county) and as an"),
])
def test_county_variable_errors_name_the_line(change, msg):
    with pytest.raises(AvoidSurveyError) as ei:
        load_study(_spec(**change), file=str(MINI))
    assert msg in str(ei.value) and ei.value.line is not None


# ----------------------------------------------------------------- the method factor
def _big(d, counties=40):
    return {**d, "design": {"counties": counties, "townships_per_county": 5, "officials_per_township": 12}}


def test_method_factor_leaves_latents_alone_and_is_written_to_the_truth():
    d = _quiet(_big(_spec()))
    a = simulate(load_study(d, file=str(MINI)), 9)
    b = simulate(load_study(_with(d, ("measurement", "method"), {"loading": 0.4}), file=str(MINI)), 9)
    assert "method" not in a.latents.columns and "method" in b.latents.columns
    pd.testing.assert_frame_equal(a.latents, b.latents.drop(columns=["method"]))
    m = b.latents["method"].to_numpy()
    assert abs(m.mean()) < 0.06 and abs(m.std() - 1) < 0.05
    # the answers move: every Likert item now shares the method factor
    assert not a.responses["pa1"].equals(b.responses["pa1"])


def test_method_factor_raises_the_written_code_of_reverse_keyed_items_too():
    d = _quiet(_big(_spec(), 60))
    d = _with(d, ("measurement", "method"), {"loading": 0.8})
    sim = simulate(load_study(d, file=str(MINI)), 11)
    m = sim.latents["method"].to_numpy()
    for item in ("pa1", "pa3", "tr4", "av6"):       # pa3, tr4, av6 are reverse-keyed
        r = np.corrcoef(sim.responses[item].astype(float), m)[0, 1]
        assert r > 0.2, (item, r)
    # reversed items: the construct pulls the written code down, the method factor up
    r_construct = np.corrcoef(sim.responses["pa3"].astype(float), sim.latents["pr_a"])[0, 1]
    assert r_construct < -0.3


def test_method_factor_only_on_the_listed_scales():
    d = _quiet(_spec())
    a = simulate(load_study(d, file=str(MINI)), 4)
    b = simulate(load_study(_with(d, ("measurement", "method"), {"loading": 0.5, "scales": ["trust"]}),
                            file=str(MINI)), 4)
    study = load_study(_with(d, ("measurement", "method"), {"loading": 0.5, "scales": ["trust"]}), file=str(MINI))
    ml = {ip.id: ip.method_loading for ip in study.items}
    assert ml["tr1"] == 0.5 and ml["pa1"] == 0.0 and ml["av1"] == 0.0
    for col in ("pa1", "pa3", "av1", "av6"):
        assert a.responses[col].equals(b.responses[col])
    assert not a.responses["tr1"].equals(b.responses["tr1"])


def test_a_marker_shares_only_method_variance():
    """A latent unrelated to everything: its items correlate with the others' items only
    through the method factor (what the CMV marker technique assumes)."""
    d = _quiet(_big(_spec(), 60))
    d["latents"] = [lt for lt in d["latents"] if lt["id"] != "trust"] + [{"id": "trust", "residual_sd": 1.0}]
    d["latents"] = [lt if lt["id"] != "avoid" else {**lt, "effects": {"pressure": 0.4}} for lt in d["latents"]]
    # trust is now a marker: no cause, no effect; it comes after avoid
    order = {"pressure": 0, "avoid": 1, "trust": 2}
    d["latents"].sort(key=lambda lt: order[lt["id"]])

    def r_marker(dd, seed):
        sim = simulate(load_study(dd, file=str(MINI)), seed)
        r = sim.responses
        tr = r[["tr1", "tr2", "tr3"]].astype(float).mean(axis=1)
        pr = r[["pa1", "pa2"]].astype(float).mean(axis=1)
        return np.corrcoef(tr, pr)[0, 1]

    without = r_marker(d, 21)
    with_m = r_marker(_with(d, ("measurement", "method"), {"loading": 0.5}), 21)
    assert abs(without) < 0.07
    assert with_m > 0.08


def test_method_errors():
    d = _with(_spec(), ("measurement", "method"), {"scales": ["nope"]})
    with pytest.raises(AvoidSurveyError, match="measurement.method.scales: 'nope'"):
        load_study(d, file=str(MINI))
    d = _with(_spec(), ("measurement", "method"), {"loading": 0.2})
    d["latents"].append({"id": "method"})
    with pytest.raises(AvoidSurveyError, match="taken by the method factor"):
        load_study(d, file=str(MINI))


# ----------------------------------------------------------------- item difficulties
def test_location_sd_draws_fixed_difficulties_and_items_override_them():
    d = _with(_spec(), ("measurement", "location_sd"), 0.5)
    d = _with(d, ("measurement", "items"), {"pa1": {"location": 1.25}})
    study = load_study(d, file=str(MINI))
    loc = {ip.id: ip.location for ip in study.items}
    assert loc["pa1"] == 1.25
    others = np.asarray([v for k, v in loc.items() if k != "pa1"])
    assert len(set(others.round(6))) == len(others) and 0.2 < others.std() < 0.9
    # drawn from the spec's seed: the same questionnaire whatever seed the run takes
    again = {ip.id: ip.location for ip in load_study(d, file=str(MINI)).items}
    assert again == loc
    other_seed = {ip.id: ip.location for ip in load_study({**d, "seed": 43}, file=str(MINI)).items}
    assert other_seed["pa1"] == 1.25 and other_seed["pa2"] != loc["pa2"]
    # excluding an item leaves the other items' draws as they were
    ex = {ip.id: ip.location for ip in load_study(_with(d, ("measurement", "exclude"), ["pa2"]),
                                                   file=str(MINI)).items}
    assert "pa2" not in ex and all(ex[k] == loc[k] for k in ex)
    # a scale's location adds to the drawn one
    sc = load_study(_with(d, ("measurement", "scales"), {"trust": {"location": 1.0}}), file=str(MINI))
    assert all(abs(ip.location - (loc[ip.id] + 1.0)) < 1e-12 for ip in sc.items if ip.scale == "trust")


def test_difficulties_shift_the_answers():
    d = _quiet(_big(_spec()))
    d = _with(d, ("measurement", "items"), {"pa1": {"location": 1.0}, "pa2": {"location": -1.0}})
    sim = simulate(load_study(d, file=str(MINI)), 2)
    base = simulate(load_study(_quiet(_big(_spec())), file=str(MINI)), 2)
    assert sim.responses["pa1"].mean() > base.responses["pa1"].mean() + 0.5
    assert sim.responses["pa2"].mean() < base.responses["pa2"].mean() - 0.5


def test_items_out_writes_the_parameters_used(tmp_path, cli):
    d = _with(_spec(), ("measurement", "location_sd"), 0.3)
    d = _with(d, ("measurement", "method"), {"loading": 0.25})
    d = _with(d, ("measurement", "items"), {"av1": {"location": -0.7, "loading": 1.3}})
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    outs = []
    for run in ("a", "b"):
        code, out, err = cli("simulate", "--spec", spec, "--out", tmp_path / f"{run}.csv", "--items-out",
                             tmp_path / f"{run}-items.csv", "--latent-out", tmp_path / f"{run}-lat.csv",
                             "--format", "json")
        assert code == 0, err
        outs.append([(tmp_path / f"{run}{x}").read_bytes() for x in (".csv", "-items.csv", "-lat.csv")])
    assert outs[0] == outs[1]
    # an existing parameter file is an output (--force replaces it), never an input of the run
    code, _, err = cli("simulate", "--spec", spec, "--out", tmp_path / "a.csv", "--items-out",
                       tmp_path / "a-items.csv", "--force")
    assert code == 0, err
    assert (tmp_path / "a-items.csv").read_bytes() == outs[0][1]
    it = pd.read_csv(tmp_path / "a-items.csv")
    study = load_study(d, file=str(spec))
    assert list(it["item"]) == [ip.id for ip in study.items]
    assert list(it.columns[:10]) == ["item", "scale", "latent", "loading", "location", "error_sd",
                                     "method_loading", "reverse", "min", "max"]
    row = it.set_index("item").loc["av1"]
    assert row["location"] == -0.7 and row["loading"] == 1.3 and row["method_loading"] == 0.25
    assert it.set_index("item").loc["pa3", "reverse"] == 1
    assert list(it.loc[0, ["threshold_1", "threshold_2", "threshold_3", "threshold_4"]]) == [-1.5, -0.5, 0.5, 1.5]
    assert "method" in pd.read_csv(tmp_path / "a-lat.csv").columns
    code, _, err = cli("simulate", "--spec", spec, "--replicate", "2", "--fit", spec, "--items-out",
                       tmp_path / "x.csv")
    assert code == 2 and "--items-out" in err


def test_an_old_spec_gives_the_bytes_it_gave(tmp_path):
    """No county variables, method factor or location_sd: the generator draws as before
    (the streams added for them come after the old ones)."""
    sim = simulate(load_study(_spec(), file=str(MINI)), 42)
    assert "method" not in sim.latents.columns
    assert all(ip.location == 0.0 and ip.method_loading == 0.0 for ip in sim.study.items)
    # a fingerprint of the answers, fixed before the 2.0 features existed
    r = sim.responses
    assert len(r) == 279
    assert int(r["pa1"].sum()) == 991 and int(r["av6"].sum()) == 871
    assert round(float(sim.latents["avoid"].sum()), 4) == -72.2338


# ----------------------------------------------------------------- the v2 unit questionnaire
def test_v2_unit_variables_are_known_for_a_v2_instrument():
    d = {"instrument": "blame-avoidance-core-v2", "seed": 1,
         "design": {"counties": 2, "townships_per_county": 2, "officials_per_township": 5},
         "county_variables": {"ft_rules_county": {"dist": "bernoulli", "p": 0.7}},
         "unit_variables": {"hard_target_pct": {"dist": "uniform", "min": 10, "max": 60, "decimals": 0},
                            "ft_rules_township": {"dist": "bernoulli", "p": 0.5}}}
    study = load_study(d, file="v2.yaml")
    assert not [w for w in study.warnings if w.code == "sim-extra-variable"]
    from avoid_survey.analysis.simulate.export import _unit_instrument
    assert _unit_instrument(study.instrument).id == "unit-questionnaire-v2"
    d1 = {**d, "instrument": "blame-avoidance-core"}
    s1 = load_study(d1, file="v1.yaml")
    extra = {w.location for w in s1.warnings if w.code == "sim-extra-variable"}
    assert {"hard_target_pct", "ft_rules_county", "ft_rules_township"} <= extra
    assert _unit_instrument(s1.instrument).id == "unit-questionnaire"


def test_item_frame_of_the_sample_study_matches_its_file():
    study = load_study(ROOT / "sample_data" / "study.yaml")
    f = item_frame(study)
    disk = pd.read_csv(ROOT / "sample_data" / "items.csv")
    pd.testing.assert_frame_equal(f.reset_index(drop=True), disk, check_dtype=False)
    loc = f.set_index("item")["location"]
    assert loc["evs1"] == 0.6 and loc["col1"] == -0.6
    assert 0.2 < loc.drop(["evs1", "evs2", "evid2", "evid3", "col1", "col2", "col3", "col4", "col5", "apt1",
                           "apt2", "pa_sym1", "aai2", "aai3", "aar4"]).std() < 0.4
    assert (f["method_loading"] == 0.25).all()      # every Likert scale, marker and IM included
    assert {"marker", "impression_management"} <= set(f["scale"])
