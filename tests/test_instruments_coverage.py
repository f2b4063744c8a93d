"""The mechanisms catalogue, `measures:` tags and `instruments coverage`."""
import json
from pathlib import Path

import pytest

from avoid_survey.instruments.coverage import coverage, template_sources
from avoid_survey.instruments.mechanisms import load_mechanisms, mechanism_groups, mechanism_ids

TAGGED = """\
id: tagged
version: "1.0"
title: {zh: 测试, en: Test}
response: {type: likert, min: 1, max: 5}
scales:
  - id: sc_alpha
    label: {zh: 量表, en: Scale}
    facets:
      - id: fa_one
        label: {zh: 维度, en: Facet}
        items:
          - {id: it_a, measures: [M03, M04], text: {zh: 一, en: One}}
          - {id: it_b, measures: [M04], text: {zh: 二, en: Two}}
          - {id: it_c, text: {zh: 三, en: Three}}
          - {id: it_e, text: {zh: 五, en: Five}}
          - {id: it_f, text: {zh: 六, en: Six}}
  - id: sc_beta
    label: {zh: 量表二, en: Scale two}
    items:
      - {id: it_d, measures: [M22], text: {zh: 四, en: Four}}
variables:
  - {id: var_x, label: {zh: 变量, en: Var}, measures: [M62], response: {type: numeric}}
"""


def test_catalogue_has_77_mechanisms_in_order_with_both_languages():
    mechs = load_mechanisms()
    assert [m.id for m in mechs] == [f"M{i:02d}" for i in range(1, 78)]
    assert len(mechanism_ids()) == 77
    groups = mechanism_groups()
    assert sorted(groups) == list("ABCDEFGH")
    for m in mechs:
        assert m.name["zh"].strip() and m.name["en"].strip(), m.id
        assert m.group in groups and m.kind in ("construct", "relation") and m.status_v1 in ("well", "weak", "missing")
    # the review's tally (MECHANISMS.md): 17 well, 40 weak, 20 missing
    tally = {s: sum(m.status_v1 == s for m in mechs) for s in ("well", "weak", "missing")}
    assert tally == {"well": 17, "weak": 40, "missing": 20}


def test_catalogue_is_not_taken_for_an_instrument():
    from avoid_survey.instruments import bundled_ids
    assert "mechanisms" not in bundled_ids()


@pytest.fixture
def tagged(tmp_path):
    p = tmp_path / "tagged.yaml"
    p.write_text(TAGGED, encoding="utf-8")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "uses_facet.yaml").write_text("models:\n  - formula: y ~ fa_one + z\n", encoding="utf-8")
    (tpl / "uses_item.yaml").write_text("transforms:\n  - {var: it_d, op: center}\n", encoding="utf-8")
    (tpl / "unrelated.yaml").write_text("models:\n  - formula: y ~ it_cc + sc_alphabet\n", encoding="utf-8")
    sources = [(q.stem, "template", q) for q in sorted(tpl.glob("*.yaml"))]
    return p, sources


def test_coverage_maps_mechanisms_to_items_and_templates(tagged):
    path, sources = tagged
    cov = coverage(["M03", "m4", "M22", "M62", "M77"], instruments=[path], sources=sources)
    rows = {r["id"]: r for r in cov.to_dict()["mechanisms"]}
    assert list(rows) == ["M03", "M04", "M22", "M62", "M77"]  # catalogue order, 'm4' read as M04
    assert [i["id"] for i in rows["M03"]["items"]] == ["it_a"]
    assert [i["id"] for i in rows["M04"]["items"]] == ["it_a", "it_b"]
    assert rows["M04"]["items"][0] == {"id": "it_a", "instrument": "tagged", "scale": "sc_alpha", "facet": "fa_one"}
    assert rows["M04"]["templates"] == ["uses_facet"]  # through the facet id (2 of its 5 items), whole words only
    assert rows["M03"]["templates"] == [] and rows["M03"]["status"] == "measured"  # 1 of 5: the facet is not M03
    assert rows["M22"]["templates"] == ["uses_item"] and rows["M22"]["status"] == "tested"
    assert rows["M62"]["variables"] == [{"id": "var_x", "instrument": "tagged"}] and rows["M62"]["status"] == "measured"
    assert rows["M77"]["status"] == "uncovered" and rows["M77"]["items"] == []
    d = cov.to_dict()
    assert d["n_mechanisms"] == 5 and d["n_with_items"] == 4 and d["n_with_templates"] == 2  # M04, M22
    assert d["without_items"] == ["M77"]


def test_coverage_unknown_mechanism_is_an_error(tagged):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    with pytest.raises(AvoidSurveyError, match="unknown mechanism 'M99'"):
        coverage(["M99"], instruments=[tagged[0]], sources=[])


def test_coverage_tables_follow_lang(tagged):
    path, sources = tagged
    cov = coverage(["M03", "M77"], instruments=[path], sources=sources)
    zh = cov.to_tables("zh")[0]
    en = cov.to_tables("en")[0]
    assert [c.text("zh") for c in zh.columns][:4] == ["类别", "机制", "名称", "条目与变量"]
    assert [c.text("en") for c in en.columns][-1] == "Now"
    assert any("M77" in n for n in en.notes if isinstance(n, str))


def test_bundled_templates_and_specs_are_scanned():
    names = {n for n, _, _ in template_sources()}
    assert {"h1_h2_pressure_trust", "multilevel"} <= names
    if (Path(__file__).resolve().parents[1] / "sample_data" / "specs").is_dir():
        assert "task_type_h5" in names


def test_coverage_cli_json_and_exit_codes(cli, tagged):
    path, _ = tagged
    code, out, err = cli("instruments", "coverage", "M22", "M03", "--instrument", path, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert [r["id"] for r in doc["mechanisms"]] == ["M03", "M22"]
    assert doc["instruments"] == ["tagged"]
    code, out, err = cli("instruments", "coverage", "M100")
    assert code == 2 and "unknown mechanism 'M100'" in err and out == ""
    code, out, err = cli("instruments", "coverage", "M03", "--instrument", path, "--lang", "en", "--format", "md")
    assert code == 0 and "Replacing the responsibility target" in out


def test_python_api(tagged):
    import avoid_survey as av
    res = av.instrument_coverage(["M22"], [tagged[0]])
    d = res.to_dict()
    assert d["mechanisms"][0]["label"]["en"] == "Retroactive accountability"
    assert [i["id"] for i in d["mechanisms"][0]["items"]] == ["it_d"]
