"""Bundled instruments, the loader's findings on broken files, and `instruments list/show/check`."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from avoid_survey.instruments import bundled_ids, check_instrument_file, list_instruments, load_instrument
from avoid_survey.instruments.summary import summarize

BROKEN = Path(__file__).parent / "instruments_broken"

# file -> every (line, code) check_instrument_file reports, and a fragment of the one-line error
BROKEN_CASES = {
    "unknown_key.yaml": ([(12, "schema-unknown-key")], "unknown key 'revers' (did you mean 'reverse'?)"),
    "duplicate_item_id.yaml": ([(16, "duplicate-id")], "id 'a1' is used more than once (first at line 9)"),
    "missing_zh_text.yaml": ([(13, "missing-language")], "item 'a2' has no 'zh' text"),
    "reverse_non_likert.yaml": ([(13, "reverse-non-likert")], "item 'hours' is marked reverse but its response type is numeric"),
    "facet_without_items.yaml": ([(14, "facet-without-items")], "facet 'f2' has no items"),
    "scale_items_and_facets.yaml": ([(6, "scale-items-and-facets")], "scale 's1' has both items and facets"),
    "bad_likert_min_max.yaml": ([(7, "bad-response-format")], "likert min/max must be whole numbers with min < max (got 5..1)"),
    "label_outside_range.yaml": ([(8, "bad-response-format")], "label codes [6] lie outside 1..5"),
    "unknown_response_format.yaml": ([(9, "unknown-response-format")], "response format 'agree_5' is not defined (did you mean 'agree5'?)"),
    "attention_expected_out_of_range.yaml": ([(15, "bad-attention-check")], "expected answer [7] is not a code"),
    "attention_after_unknown.yaml": ([(13, "bad-attention-check")], "'after: a9' names no item"),
    "bad_yaml_syntax.yaml": ([(7, "yaml-invalid")], "not valid YAML"),
    "python_tag.yaml": ([(4, "yaml-invalid")], "python/object/apply:os.system is not allowed"),
    "version_number.yaml": ([(2, "schema-wrong-type")], "'version': must be text, not the number 1.0; put it in quotes"),
    "alias_bomb.yaml": ([(4, "yaml-invalid")], "too many YAML aliases"),
    "include_missing.yaml": ([(6, "bad-include")], "cannot include 'no_such_module.yaml': no such file"),
    "missing_title.yaml": ([(1, "schema-missing-key")], "required key 'title' is missing"),
    "bad_item_id.yaml": ([(9, "bad-id")], "id '1a' must start with a letter"),
    "unquoted_no_label.yaml": ([(9, "schema-wrong-type")], "text for 'en' is read as false: YAML takes unquoted Yes, No"),
    "unknown_mechanism.yaml": ([(13, "unknown-mechanism")], "measures: 'M708' is not a mechanism of the catalogue (did you mean"),
}

# INSTRUMENT_IDS.md: other code depends on exactly these ids
EXPECTED_IDS = {
    "accountability-pressure": {
        "accountability_pressure": {"ap_generalised": ["ap_gen1", "ap_gen2", "ap_gen3", "ap_gen4"],
                                    "ap_veto": ["ap_veto1", "ap_veto2", "ap_veto3"],
                                    "ap_inspection": ["ap_insp1", "ap_insp2", "ap_insp3", "ap_insp4"],
                                    "ap_escalation": ["ap_esc1", "ap_esc2", "ap_esc3"],
                                    "ap_traces": ["ap_trace1", "ap_trace2", "ap_trace3"]}},
    "fault-tolerance-trust": {
        "ft_trust": {"ft_clarity": ["ft_cla1", "ft_cla2", "ft_cla3", "ft_cla4"],
                     "ft_procedure": ["ft_pro1", "ft_pro2", "ft_pro3"],
                     "ft_coordination": ["ft_coo1", "ft_coo2", "ft_coo3"],
                     "ft_protection": ["ft_prot1", "ft_prot2", "ft_prot3"],
                     "ft_credibility": ["ft_cred1", "ft_cred2", "ft_cred3"]}},
    "blame-avoidance": {
        "active_avoidance": {"aa_replace": ["aa_rep1", "aa_rep2", "aa_rep3"],
                             "aa_blur": ["aa_blur1", "aa_blur2", "aa_blur3"],
                             "aa_idle": ["aa_idle1", "aa_idle2", "aa_idle3"]},
        "passive_avoidance": {"pa_agenda": ["pa_agd1", "pa_agd2", "pa_agd3"],
                              "pa_symbolic": ["pa_sym1", "pa_sym2", "pa_sym3"],
                              "pa_compromise": ["pa_cmp1", "pa_cmp2", "pa_cmp3"]},
        "escalation_avoidance": ["esc_av1", "esc_av2", "esc_av3"],
        "evidence_seeking": ["evid1", "evid2", "evid3"],
        "collusive_avoidance": ["coll1", "coll2", "coll3"]},
    "institutional-constraints": {
        "institutional_constraints": {"power_mismatch": ["pm1", "pm2", "pm3"],
                                      "inst_tightening": ["tight1", "tight2", "tight3"],
                                      "indicator_rigidity": ["rigid1", "rigid2", "rigid3"]}},
    "dispositions": {"responsibility": ["resp1", "resp2", "resp3"],
                     "innovation_willingness": ["innov1", "innov2", "innov3"],
                     "risk_perception": ["risk1", "risk2", "risk3"]},
}
UNIT_VARS = ["township_id", "county_id", "unit_type", "veto_indicators_n", "inspections_12m", "forms_per_month",
             "ft_rules_exist", "ft_list_published", "ft_cases_3y", "accountability_cases_3y", "staff_n",
             "hard_target_share"]
DEMO_VARS = ["respondent_id", "county_id", "township_id", "unit_id", "gender", "age", "education", "party_member",
             "rank", "leader_post", "employment_type", "tenure_years", "prior_sanction", "weekly_hours",
             "primary_task", "innovative_task_share", "duration_sec"]
# the version 1.0 files (earlier data still score with them); the 2.0 files are tested in test_instruments_v2.py
V1_IDS = ["accountability-pressure", "blame-avoidance", "blame-avoidance-core", "demographics", "dispositions",
           "fault-tolerance-trust", "institutional-constraints", "unit-questionnaire"]
V2_IDS = ["accountability-pressure-v2", "blame-avoidance-core-v2", "blame-avoidance-v2", "demographics-v2",
          "dispositions-v2", "fault-tolerance-trust-v2", "institutional-constraints-v2", "method-controls",
          "unit-questionnaire-v2"]
ALL_IDS = sorted(V1_IDS + V2_IDS)


# ---------------------------------------------------------------- broken files
def test_at_least_twelve_broken_fixtures_all_covered():
    files = sorted(p.name for p in BROKEN.glob("*.yaml"))
    assert len(files) >= 12
    assert files == sorted(BROKEN_CASES)


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_instrument_findings(name):
    expected, _ = BROKEN_CASES[name]
    assert [(f.row, f.code) for f in check_instrument_file(BROKEN / name)] == expected


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_instrument_rejected_with_one_line(cli, name):
    expected, fragment = BROKEN_CASES[name]
    path = BROKEN / name
    code, out, err = cli("instruments", "show", path, "--format", "json")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {path}, line {expected[0][0]}: ")
    assert fragment in lines[0]


@pytest.mark.parametrize("name", ["duplicate_item_id.yaml", "bad_likert_min_max.yaml"])
def test_check_command_lists_findings_and_exits_2(cli, name):
    path = BROKEN / name
    code, out, err = cli("instruments", "check", path)
    assert code == 2
    line, fcode = BROKEN_CASES[name][0][0]
    assert out.splitlines()[0].startswith(f"{path}:{line}: {fcode}: ")
    assert len(out.splitlines()) == 1
    assert err.count("\n") == 1 and "1 problem(s) found" in err


def test_check_command_json_and_clean_file(cli):
    code, out, err = cli("instruments", "check", BROKEN / "unknown_key.yaml", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["n_errors"] == 1
    assert [(f["row"], f["code"], f["severity"]) for f in doc["findings"]] == [(12, "schema-unknown-key", "error")]
    code, out, err = cli("instruments", "check", "blame-avoidance-core")
    assert code == 0 and out == "" and "检查通过" in err
    code, out, err = cli("instruments", "check", "blame-avoidance-core", "--lang", "en")
    assert code == 0 and out == "" and err.rstrip().endswith(": ok")


def test_many_findings_all_reported(tmp_path):
    p = tmp_path / "many.yaml"
    p.write_text(
        'id: many\nversion: "1.0"\ntitle: {zh: 测试, en: Test}\nresponse: {type: likert, min: 1, max: 5}\n'
        "scales:\n"
        "  - id: s1\n    label: {zh: 量表, en: Scale}\n    items:\n"
        "      - id: a1\n        text: {zh: 一, en: One}\n"
        "      - id: a1\n        text: {en: Two}\n"
        "  - id: s2\n    label: {en: Two}\n    facets:\n      - id: f1\n        label: {zh: 维, en: F}\n",
        encoding="utf-8")
    got = [(f.row, f.code) for f in check_instrument_file(p)]
    assert got == [(11, "duplicate-id"), (12, "missing-language"), (14, "missing-language"),
                   (16, "facet-without-items")]


def test_include_cycle_is_reported(tmp_path):
    (tmp_path / "a.yaml").write_text('id: a\nversion: "1.0"\ntitle: {zh: 甲, en: A}\ninclude: [b.yaml]\n', encoding="utf-8")
    (tmp_path / "b.yaml").write_text('id: b\nversion: "1.0"\ntitle: {zh: 乙, en: B}\ninclude: [a.yaml]\n', encoding="utf-8")
    findings = check_instrument_file(tmp_path / "a.yaml")
    assert [(f.row, f.code) for f in findings] == [(4, "bad-include")]
    assert "include cycle" in findings[0].message


def test_unknown_bundled_id_lists_valid_ones(cli):
    code, out, err = cli("instruments", "show", "blame-avoidance-cor")
    assert code == 2
    assert "did you mean 'blame-avoidance-core'" in err and "unit-questionnaire" in err
    assert err.count("\n") == 1


# ---------------------------------------------------------------- bundled
def test_bundled_ids():
    assert bundled_ids() == ALL_IDS
    assert [i.id for i in list_instruments()] == ALL_IDS


@pytest.mark.parametrize("iid", V1_IDS)
def test_bundled_files_have_no_findings(iid):
    assert check_instrument_file(iid) == []
    inst = load_instrument(iid)
    assert inst.version == "1.0" and inst.licence == "CC BY 4.0"
    for lang in ("zh", "en"):
        assert inst.title[lang].strip() and inst.instructions[lang].strip() and inst.description[lang].strip()
        assert "2026" in inst.citation[lang] and "avoid-survey" in inst.citation[lang] and "1.0" in inst.citation[lang]


def test_bundled_ids_match_the_contract():
    for iid, scales in EXPECTED_IDS.items():
        inst = load_instrument(iid)
        got = {}
        for s in inst.scales:
            got[s.id] = {f.id: f.item_ids for f in s.facets} if s.facets else s.item_ids
        assert got == scales, iid
    blame = load_instrument("blame-avoidance")
    assert [s.id for s in blame.scales if s.optional] == ["escalation_avoidance", "evidence_seeking",
                                                           "collusive_avoidance"]
    assert [v.id for v in load_instrument("unit-questionnaire").variables] == UNIT_VARS
    assert all(v.level == "unit" for v in load_instrument("unit-questionnaire").variables)
    assert [v.id for v in load_instrument("demographics").variables] == DEMO_VARS


def test_every_bundled_item_is_bilingual():
    n = 0
    for inst in list_instruments():
        for it in inst.items:
            if inst.version != "1.0" or inst.id == "method-controls":
                continue
            assert it.text.get("zh", "").strip() and it.text.get("en", "").strip(), it.id
            assert it.response.labels and all(lab.get("zh") and lab.get("en") for lab in it.response.labels.values())
            n += 1
        for v in inst.variables:
            assert v.label.get("zh") and v.label.get("en") and v.pii is False
            for lab in v.response.labels.values():
                assert lab.get("zh") and lab.get("en")
    assert n == 78 * 2  # every module once, and again inside blame-avoidance-core


def test_response_formats_and_reverse_items():
    agree = ["非常不同意", "不同意", "一般/说不清", "同意", "非常同意"]
    freq = ["从不", "很少", "有时", "经常", "总是"]
    core = load_instrument("blame-avoidance-core")
    for it in core.items:
        labels = [it.response.label(c, "zh") for c in it.response.codes]
        assert (it.response.min, it.response.max) == (1, 5)
        assert labels == (freq if it.scale in EXPECTED_IDS["blame-avoidance"] else agree), it.id
    rev = {s.id: [i.id for i in s.items if i.reverse] for s in core.all_scales()}
    # about one reverse-keyed item per facet, not everywhere
    assert rev["ap_generalised"] == ["ap_gen4"] and rev["ap_traces"] == []
    assert sum(1 for i in core.items if i.reverse) == 16


def test_referent_wording():
    inst = load_instrument("blame-avoidance")
    assert inst.wordings == ("self", "referent")
    for it in inst.items:
        assert it.referent["zh"].startswith("在我所在单位，有些干部"), it.id
        assert it.referent["en"].startswith("In my unit, some officials"), it.id
        assert it.wording("zh", referent=True) == it.referent["zh"]
    assert inst.instructions_for("referent", "zh") != inst.instructions_for("self", "zh")


def test_core_includes_modules_and_attention_checks():
    core = load_instrument("blame-avoidance-core")
    assert core.modules == ("accountability-pressure", "fault-tolerance-trust", "blame-avoidance",
                            "institutional-constraints", "dispositions", "demographics")
    checks = {a.id: (a.after, a.expected, a.response.label(a.expected[0], "zh")) for a in core.attention_checks}
    assert checks == {"att1": ("ap_insp2", (2,), "不同意"), "att2": ("pa_sym2", (1,), "从不")}
    cols = core.columns()
    assert cols[:len(DEMO_VARS)] == DEMO_VARS and cols[-2:] == ["att1", "att2"]
    assert len(cols) == len(DEMO_VARS) + 78 + 2
    assert load_instrument("unit-questionnaire").columns() == UNIT_VARS


# ---------------------------------------------------------------- list / show
def test_list_json_lists_every_bundled(cli):
    code, out, err = cli("instruments", "list", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [d["id"] for d in doc] == ALL_IDS
    by = {d["id"]: d for d in doc}
    assert by["accountability-pressure"]["n_items"] == 17 and by["accountability-pressure"]["n_scales"] == 1
    assert by["blame-avoidance-core"]["n_items"] == 78 and by["blame-avoidance-core"]["title"]["zh"]
    assert set(by["dispositions"]) >= {"id", "version", "title", "n_scales", "n_items", "scales"}
    assert by["dispositions"]["scales"] == ["responsibility", "innovation_willingness", "risk_perception"]


@pytest.mark.parametrize("fmt", ["table", "md", "csv"])
def test_list_other_formats(cli, fmt):
    code, out, err = cli("instruments", "list", "--format", fmt, "--lang", "en")
    assert code == 0
    for iid in ALL_IDS:
        assert iid in out


def test_show_tree_md_and_json(cli):
    code, out, _ = cli("instruments", "show", "fault-tolerance-trust", "--lang", "zh")
    assert code == 0 and "容错清单清晰度" in out and "ft_cla4" in out and "(R)" in out
    code, out, _ = cli("instruments", "show", "fault-tolerance-trust", "--format", "md", "--lang", "en")
    assert code == 0 and "- `ft_cla4` (R) The fault-tolerance rules" in out and "*Clarity of the tolerance list*" in out
    code, out, _ = cli("instruments", "show", "blame-avoidance-core", "--format", "json")
    doc = json.loads(out)
    assert doc["id"] == "blame-avoidance-core" and len(doc["columns"]) == 97
    ap = doc["scales"][0]
    assert ap["id"] == "accountability_pressure" and ap["facets"][0]["items"][3] == {
        "id": "ap_gen4", "text": load_instrument("accountability-pressure").item("ap_gen4").text, "reverse": True,
        "response": "agree5"}
    assert [a["id"] for a in doc["attention_checks"]] == ["att1", "att2"]


def _strip_source(d):
    d = dict(d)
    d.pop("source")
    return d


def test_user_instrument_loads_like_bundled(tmp_path, cli):
    # a copy at a path of the user's choosing, and a user's own file assembling bundled modules
    for iid in ("accountability-pressure", "blame-avoidance"):
        p = tmp_path / f"my-{iid}.yaml"
        shutil.copy(Path(load_instrument(iid).source), p)
        assert _strip_source(summarize(p).to_dict()) == _strip_source(summarize(iid).to_dict())
        code, out, err = cli("instruments", "show", p, "--format", "json")
        code2, out2, _ = cli("instruments", "show", iid, "--format", "json")
        assert code == code2 == 0
        assert _strip_source(json.loads(out)) == _strip_source(json.loads(out2))
    core_src = Path(load_instrument("blame-avoidance-core").source).read_text(encoding="utf-8")
    p = tmp_path / "sub" / "study.yaml"
    p.parent.mkdir()
    p.write_text(core_src, encoding="utf-8")
    mine, bundled = load_instrument(p), load_instrument("blame-avoidance-core")
    assert mine.columns() == bundled.columns()
    assert mine.all_scales() == bundled.all_scales()
    assert mine.attention_checks == bundled.attention_checks


def test_user_instrument_through_instrument_option(tmp_path):
    """A user's file given to an analysis command's --instrument resolves like a bundled id."""
    from avoid_survey.cli.common import InstrumentOpt  # the shared option every analysis command uses
    assert InstrumentOpt is not None
    p = tmp_path / "visual.yaml"
    p.write_text(
        'id: visual-trust\nversion: "0.1"\ntitle: {en: Visual trust, zh: 视觉信任}\n'
        "response: {type: likert, min: 1, max: 6, labels: {1: {en: Never, zh: 从不}, 6: {en: Always, zh: 总是}}}\n"
        "scales:\n  - id: visual_trust\n    label: {en: Visual trust, zh: 视觉信任}\n    items:\n"
        "      - {id: v1, text: {en: One, zh: 一}}\n      - {id: v2, reverse: true, text: {en: Two, zh: 二}}\n",
        encoding="utf-8")
    inst = load_instrument(str(p))
    assert inst.scale("visual_trust").item_ids == ["v1", "v2"]
    assert inst.item("v2").reverse and inst.item("v2").response.max == 6
    assert inst.columns() == ["v1", "v2"]


# ---------------------------------------------------------------- start-up
def test_help_does_not_import_pandas():
    code = ("import sys\nfrom avoid_survey.cli.main import run\n"
            "try:\n    run(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'statsmodels', 'openpyxl', 'docx', 'pydantic') "
            "if m in sys.modules]\nprint('HEAVY=' + ','.join(heavy))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "instruments" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "HEAVY="


def test_instruments_help_does_not_import_pandas():
    code = ("import sys\nfrom avoid_survey.cli.main import run\n"
            "run(['instruments', '--help'])\nprint('PANDAS=' + str('pandas' in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "export" in r.stdout and r.stdout.strip().endswith("PANDAS=False")
