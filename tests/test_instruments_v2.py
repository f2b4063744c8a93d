"""The 2.0 instruments: every bundled file checks clean, every mechanism has items, and the
fixes of the item review are in place (old 1.0 files stay loadable: tests/test_instruments.py)."""
import re

import pytest

from avoid_survey.instruments import bundled_ids, check_instrument_file, load_instrument
from avoid_survey.instruments.coverage import coverage

V2 = ["accountability-pressure-v2", "blame-avoidance-core-v2", "blame-avoidance-v2", "demographics-v2",
      "dispositions-v2", "fault-tolerance-trust-v2", "institutional-constraints-v2", "unit-questionnaire-v2"]
MODULES = ["accountability-pressure-v2", "fault-tolerance-trust-v2", "institutional-constraints-v2", "dispositions-v2",
           "method-controls", "blame-avoidance-v2", "demographics-v2"]


@pytest.mark.parametrize("iid", bundled_ids())
def test_every_bundled_file_checks_clean(iid):
    assert check_instrument_file(iid) == []


@pytest.mark.parametrize("iid", V2)
def test_v2_files_are_version_2_with_provenance(iid):
    inst = load_instrument(iid)
    assert inst.version == "2.0" and inst.licence == "CC BY 4.0"
    for lang in ("zh", "en"):
        assert "2.0" in inst.citation[lang] and inst.description[lang].strip() and inst.instructions[lang].strip()
    v1 = iid[:-3]
    assert load_instrument(v1).version == "1.0"  # the 1.0 file stays loadable beside it


def test_core_v2_order_mediators_before_outcomes_and_buffer():
    core = load_instrument("blame-avoidance-core-v2")
    assert core.modules == tuple(MODULES)
    order = [s.id for s in core.scales]
    assert order.index("risk_perception") < order.index("passive_avoidance")
    assert order.index("marker") < order.index("active_avoidance")  # method block between predictors and outcomes
    assert order.index("institutional_constraints") < order.index("active_avoidance")
    cols = core.columns()
    assert len(cols) == len(set(cols))
    assert {"att1", "att2", "wording", "age_band", "rank_group"} <= set(cols)


def test_every_item_of_the_v2_modules_measures_a_mechanism():
    core = load_instrument("blame-avoidance-core-v2")
    untagged = [it.id for it in core.items if not it.measures and it.scale not in ("impression_management", "marker")]
    assert untagged == []
    assert len(core.items) >= 130


def test_coverage_leaves_no_mechanism_without_items():
    cov = coverage(instruments=["blame-avoidance-core-v2", "unit-questionnaire-v2"])
    d = cov.to_dict()
    assert d["n_mechanisms"] == 77 and d["without_items"] == []
    # and the default (every bundled file) agrees
    assert coverage().to_dict()["without_items"] == []


def test_new_constructs_have_three_or_four_items_with_notes():
    core = load_instrument("blame-avoidance-core-v2")
    new = ["retroactive_accountability", "societal_pressure", "tournament_pressure", "overlapping_duties",
           "ft_overbroad", "approver_risk", "superior_support", "tolerance_climate", "risk_uncertainty",
           "avoidance_opportunity", "merit_appraisal", "avoidance_mindset", "incentive_deficit",
           "attention_depletion", "innovation_behaviour", "resource_shortage"]
    for sid in new:
        s = core.scale(sid)
        assert 3 <= len(s.items) <= 4, sid
        for it in s.items:
            assert it.text["zh"].strip() and it.text["en"].strip()
    noted = [it for sid in new for it in core.scale(sid).items if it.note]
    assert len(noted) >= 20 and all(n.note["zh"].startswith("回译核对") and n.note["en"].startswith("Back-translation")
                                    for n in noted)


def test_review_fixes():
    core = load_instrument("blame-avoidance-core-v2")
    ids = {it.id for it in core.items}
    # off-facet, duplicate and mirror items of 1.0 are gone from their old places
    for gone in ("aa_rep2", "pa_cmp3", "risk1", "innov2", "aa_idle3", "pa_agd3", "ft_cred2", "pm2", "tight1", "tight2",
                 "ap_veto1", "ft_pro1", "pa_sym2", "esc_av2", "coll3", "aa_rep1", "aa_blur3", "ap_gen1"):
        assert gone not in ids, gone
    # responsibility sharing now sits with joint avoidance, copying with agenda limiting
    assert core.item("col5").scale == "collusive_avoidance" and core.item("pag3").facet == "pa_agenda"
    # no reverse-keyed behaviour items (reversal is invalid under the referent wording)
    assert not any(it.reverse for s in ("active_avoidance", "passive_avoidance") for it in core.scale(s).items)
    # the translation problems
    assert "deal with" not in core.item("pas2").text["en"] and "assigning work" in core.item("pas2").text["en"]
    assert "room for inspections" not in core.item("esa2").text["en"]
    assert "work-arounds" in core.item("tig1").text["en"] and "flexible ways" not in core.item("tig1").text["en"]
    # the Chinese midpoint is a true neutral point, as in English
    for it in core.items:
        if it.response.labels.get(3, {}).get("en") == "Neither agree nor disagree":
            assert "说不清" not in it.response.labels[3]["zh"]


def test_one_referent_per_construct():
    core = load_instrument("blame-avoidance-core-v2")
    for sid in ("accountability_pressure", "institutional_constraints", "retroactive_accountability",
                "societal_pressure", "risk_uncertainty"):
        for it in core.scale(sid).items:
            zh = it.text["zh"]
            assert not re.search(r"^我|我们|在我们这里", zh), (sid, it.id, zh)
    for sid in ("responsibility", "risk_perception", "incentive_deficit"):
        for it in core.scale(sid).items:
            assert "本乡镇" not in it.text["zh"], it.id


def test_dont_know_and_not_applicable_are_missing_codes():
    import pandas as pd

    from avoid_survey.analysis.io.codes import to_codes
    core = load_instrument("blame-avoidance-core-v2")
    dk = core.item("ape4").response
    na = core.item("aar1").response
    assert dk.missing_codes == (8,) and dk.label(8, "zh") == "不了解" and dk.codes == [1, 2, 3, 4, 5]
    assert na.missing_codes == (9,) and na.label(9, "en").startswith("Not applicable")
    out, bad = to_codes(pd.Series(["1", "8", "不了解", "5"]), dk)
    assert out.isna().tolist() == [False, True, True, False] and not bad.any()
    out, bad = to_codes(pd.Series([9, 2]), na)
    assert out.isna().tolist() == [True, False]


def test_referent_form_uses_a_prevalence_scale():
    inst = load_instrument("blame-avoidance-v2")
    it = inst.item("aar1")
    assert it.response.label(1, "zh") == "从不"
    assert it.response_for(referent=True).label(1, "zh") == "几乎没有"
    assert it.response_for(referent=True).label(5, "en") == "Almost all"
    # a scale with its own response keeps it in both wordings
    col = inst.item("col1")
    assert col.response_for(referent=True) is col.response and col.response.label(8, "zh") == "不了解"


def test_background_questions_are_coarsened():
    demo = load_instrument("demographics-v2")
    vids = [v.id for v in demo.variables]
    for fine in ("age", "rank", "unit_id", "prior_sanction", "tenure_years"):
        assert fine not in vids
    assert {"age_band", "rank_group", "sanction_exposure", "promotion_prospect", "wording"} <= set(vids)
    assert all(len(demo.columns()) > 0 for _ in [0])
    age = next(v for v in demo.variables if v.id == "age_band")
    assert len(age.response.labels) == 4


# ---------------------------------------------------------------- export and validate with the 2.0 files
def _questions(plan):
    return [q for sec in plan.sections for b in sec.blocks for q in b.questions]


def test_interleaved_order_mixes_facets_and_keeps_every_question():
    from avoid_survey.instruments.questionnaire import questionnaire_plan
    core = load_instrument("blame-avoidance-core-v2")
    file_plan = questionnaire_plan(core, "zh", order="file")
    mixed = questionnaire_plan(core, "zh", order="interleaved")
    assert sorted(q.id for q in _questions(file_plan)) == sorted(q.id for q in _questions(mixed))
    first = [q.id for q in mixed.sections[0].blocks[0].questions[:4]]
    assert first == ["apg1", "apc1", "apv1", "api1"]  # round robin over the facets of part 1
    facets = [core.item(q.id).facet or core.item(q.id).scale for q in _questions(file_plan) if q.kind == "item"]
    runs_file = sum(1 for a, b in zip(facets, facets[1:]) if a == b)
    facets = [core.item(q.id).facet or core.item(q.id).scale for q in _questions(mixed) if q.kind == "item"]
    runs_mixed = sum(1 for a, b in zip(facets, facets[1:]) if a == b)
    assert runs_mixed < runs_file / 3
    # the parts keep the include order: mediators (part 4) before outcomes (part 6)
    part_of = {q.id: k for k, sec in enumerate(mixed.sections) for b in sec.blocks for q in b.questions}
    assert part_of["rsk1"] < part_of["pag1"] and part_of["mk1"] < part_of["aar1"]


def test_export_order_option_and_missing_code_options(cli, tmp_path):
    out = tmp_path / "q.md"
    code, _, err = cli("instruments", "export", "blame-avoidance-core-v2", "--to", out, "--kind", "questionnaire",
                       "--order", "interleaved", "--lang", "zh")
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "| 8 不了解 |" in text and "9 不适用" in text and "一般/说不清" not in text
    ref = tmp_path / "r.md"
    code, _, err = cli("instruments", "export", "blame-avoidance-v2", "--to", ref, "--kind", "questionnaire",
                       "--wording", "referent", "--lang", "en")
    assert code == 0, err
    text = ref.read_text(encoding="utf-8")
    assert "1 Almost none" in text and "5 Almost all" in text and "1 Never" not in text
    code, _, err = cli("instruments", "export", "blame-avoidance-v2", "--to", tmp_path / "x.md", "--kind",
                       "questionnaire", "--order", "random")
    assert code == 2


def test_validate_counts_missing_code_answers(cli, tmp_path):
    demo = load_instrument("blame-avoidance-v2")
    cols = [it.id for it in demo.items]
    rows = []
    for r in range(12):
        rows.append([str(1 + (r + j) % 5) for j in range(len(cols))])
    k = cols.index("aar1")
    rows[0][k] = "9"
    rows[1][k] = "不适用（没有这类职权或没遇到过这种情况）"
    rows[2][cols.index("col1")] = "8"
    p = tmp_path / "d.csv"
    p.write_text("\n".join([",".join(cols), *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    code, out, err = cli("validate", p, "--instrument", "blame-avoidance-v2", "--format", "json")
    import json
    doc = json.loads(out)
    assert doc["n_errors"] == 0
    found = {f["column"]: f for f in doc["findings"] if f["code"] == "missing-code-answers"}
    assert set(found) == {"aar1", "col1"}
    assert found["aar1"]["value"] == 2 and "9 (Not applicable" in found["aar1"]["message"]
    assert found["col1"]["value"] == 1 and "8 (Don't know): 1" in found["col1"]["message"]
