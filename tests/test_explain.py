"""--explain (issue 16): rule-based results in words, zh and en, from one rules file.

The texts for the sample study are pinned; the rules are tested at their boundaries, with
missing values, and for causal wording; the rules file itself is checked (each rule cites a
reference, both languages, only declarative conditions)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.explain import RULES_FILE, check_rules, explain, load_rules, sentences
from avoid_survey.cli.main import run

ROOT = Path(__file__).resolve().parent.parent
S = str(ROOT / "sample_data" / "responses.csv")
CORE = "blame-avoidance-core-v2"
REF = ROOT / "tests" / "reference"

# words that claim causation; the caution sentence may name "causal"/"因果" to deny it
CAUSAL = re.compile(r"\b(causes?|caused|causing|leads? to|led to|results? in|drives?|produces?)\b|导致|引起|造成|促使|决定了",
                    re.IGNORECASE)


def cli_explanation(tmp_path, *argv):
    out = tmp_path / "out.json"
    assert run([*map(str, argv), "--explain", "-f", "json", "-o", str(out), "--force"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))["explanation"]


# ------------------------------------------------------------------ the sample study, pinned
def test_reliability_text_is_pinned(tmp_path):
    got = cli_explanation(tmp_path, "reliability", S, "-i", CORE, "--scale", "passive_avoidance",
                          "--scale", "responsibility")
    assert got["en"] == (
        "Cronbach's α of the 2 scales and facets ranges from 0.738 (Sense of responsibility) to 0.942 (Passive blame "
        "avoidance); every value reaches the .70 commonly required for research use (Nunnally, 1978). McDonald's ω "
        "total ranges from 0.738 to 0.942 (.70 is the usual minimum here too) (McDonald, 1999).")
    assert got["zh"] == (
        "2 个量表与维度的 Cronbach's α 系数介于 0.738（担当意识）与 0.942（被动避责）之间，均达到研究用途通常要求的 0.70"
        "（Nunnally, 1978）。McDonald's ω 总系数介于 0.738 与 0.942 之间（同样以 0.70 为通常的最低要求）（McDonald, 1999）。")


def test_efa_text_is_pinned(tmp_path):
    got = cli_explanation(tmp_path, "efa", S, "-i", CORE, "--scale", "passive_avoidance")
    assert got["en"] == (
        "The items suit factor analysis: KMO = 0.955 (≥ .60 is adequate, ≥ .80 meritorious) and Bartlett's test of "
        "sphericity χ²(45) = 8483.85, p < .001 (Kaiser, 1974; Bartlett, 1950). Parallel analysis suggests 3 factor(s); "
        "3 were extracted (minres, oblimin rotation), explaining 68.3% of the item variance. The usual next step is to "
        "confirm this structure with a CFA, ideally on a new sample (Horn, 1965).")
    assert got["zh"].startswith("条目适合做因子分析：KMO = 0.955（≥ 0.60 为可以接受，≥ 0.80 为良好），Bartlett 球形检验 "
                                "χ²(45) = 8483.85，p < 0.001（Kaiser, 1974; Bartlett, 1950）。平行分析建议提取 3 个因子")


def test_cfa_invariance_text_is_pinned(tmp_path):
    got = cli_explanation(tmp_path, "cfa", S, "-i", CORE, "--scale", "passive_avoidance", "--group", "gender")
    en, zh = got["en"], got["zh"]
    assert en.startswith("The model fits well: χ²(32) = 40.36, p = .148; CFI = 0.999, TLI = 0.998, RMSEA = 0.016, "
                         "SRMR = 0.010, all within the cut-offs")
    assert ("Discriminant validity is borderline: the largest HTMT is 0.890 (Symbolic implementation–Seeking "
            "compromise), above the strict .85 but below the liberal .90 cut-off") in en
    assert ("Metric invariance holds across gender: ΔCFI = -0.000 (a drop smaller than .010) and ΔRMSEA = -0.001 "
            "(no rise of .015), against the previous level (Chen, 2007; Cheung & Rensvold, 2002).") in en
    assert "Scalar invariance holds across gender" in en
    assert "(Hu & Bentler, 1999)" in en and "(Fornell & Larcker, 1981)" in en and "(Henseler et al., 2015)" in en
    assert zh.startswith("模型拟合良好：χ²(32) = 40.36，p = 0.148；CFI = 0.999")
    assert "度量（弱）不变性在gender间成立：与上一层级相比，ΔCFI = -0.000（下降不足 0.010）" in zh
    assert "（Henseler 等, 2015）" in zh and "最大的 HTMT 为 0.890（象征性执行–寻求折中方案）" in zh


def test_api_explain_equals_the_command_line(tmp_path):
    import avoid_survey as av

    r = av.reliability(S, CORE, scales=["passive_avoidance", "responsibility"])
    got = cli_explanation(tmp_path, "reliability", S, "-i", CORE, "--scale", "passive_avoidance",
                          "--scale", "responsibility")
    assert r.explain() == got and r.explain("zh") == got["zh"]


def test_mediation_text_is_pinned(tmp_path):
    got = cli_explanation(tmp_path, "model", "--spec", ROOT / "sample_data" / "specs" / "mediation_parallel.yaml")
    assert got["en"].startswith(
        "In parallel, the indirect effect of Perceived accountability pressure on Passive blame avoidance via Risk "
        "perception (dare not act) is 0.065 (bootstrap 95% CI [0.038, 0.095]); the interval excludes zero, so the "
        "indirect path is supported statistically (Hayes, 2018).")
    assert "Summed over the mediators, the total indirect effect in parallel is 0.145" in got["en"]
    assert got["zh"].startswith("在 parallel 中，问责压力感知经由风险感知（不敢作为）对被动避责的间接效应为 0.065（bootstrap 95% "
                                "置信区间 [0.038, 0.095]），区间不包含 0")
    # mediation rows are labelled (no 'cov: gender[2] →' or raw ids)
    assert "risk_perception" not in got["zh"] and "risk_perception" not in got["en"]
    assert got["en"].endswith("remain open (Antonakis et al., 2010).")


def test_compare_text_is_pinned(tmp_path):
    got = cli_explanation(tmp_path, "compare", S, "-i", CORE, "--by", "gender", "--vars", "ft_trust,rank_group")
    assert got["zh"].startswith("容错机制信任在组间无显著差异：t(1185) = -1.89，p = 0.059，Cohen's d = -0.11（Cohen, 1988）。"
                                "职级分组与分组变量无显著关联：χ²(1) = 0.05，p = 0.819，Cramér's V = 0.007（Cohen, 1988）。")


@pytest.mark.parametrize("argv", [
    ["validate", S, "-i", CORE],
    ["describe", S, "-i", CORE],
    ["cmv", REF / "data" / "hs_holzinger1939.csv", "-i", REF / "cfa_hs_instrument.yaml"],
    ["sem", REF / "data" / "poldem_bollen.csv", "--model",
     "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ a*ind60\nind := a"],
    ["experiment", ROOT / "sample_data" / "experiment" / "vignette.csv", "-i",
     ROOT / "sample_data" / "experiment" / "ft-vignette.yaml"],
    ["model", "--template", "h1_h2_pressure_trust", "--data", S],
    ["model", "--template", "moderated_mediation", "--data", S],
])
def test_every_command_explains_in_both_languages_without_causal_claims(tmp_path, argv):
    got = cli_explanation(tmp_path, *argv)
    none = load_rules()["phrases"]["none"]
    for lang in ("zh", "en"):
        assert got[lang] and got[lang] != none[lang]
        assert not CAUSAL.search(got[lang]), got[lang]
        assert re.search(r"\d", got[lang])                           # states numbers
    assert re.search(r"\(\w[^()]*\d{4}\)", got["en"]) and re.search(r"（[^（）]*\d{4}）", got["zh"])   # cites


def test_without_explain_json_has_no_explanation(tmp_path):
    out = tmp_path / "r.json"
    assert run(["reliability", S, "-i", CORE, "--scale", "passive_avoidance", "-f", "json", "-o", str(out)]) == 0
    assert "explanation" not in json.loads(out.read_text())


def test_explanation_is_a_table_in_every_text_format(tmp_path, capsys):
    assert run(["reliability", S, "-i", CORE, "--scale", "passive_avoidance", "--explain", "-f", "md", "--lang", "zh"]) == 0
    md = capsys.readouterr().out
    assert "结果解读" in md and "Nunnally, 1978" in md
    assert run(["reliability", S, "-i", CORE, "--scale", "passive_avoidance", "--explain", "--lang", "en"]) == 0
    assert "Results in words" in capsys.readouterr().out
    assert run(["validate", S, "-i", CORE, "--explain"]) == 0
    assert "结果解读" in capsys.readouterr().out


# ------------------------------------------------------------------ boundaries and missing values
def fit(**kw):
    base = dict(chisq=50.0, df=24, pvalue=0.01, cfi=0.97, tli=0.96, rmsea=0.05, srmr=0.04)
    base.update(kw)
    return {"n": 500, "fit": base}


def ids(kind, data, lang="en"):
    return [rid for rid, _ in sentences(kind, data, lang)]


@pytest.mark.parametrize("kw, expected", [
    (dict(cfi=0.95, tli=0.95, rmsea=0.06, srmr=0.08), "fit_good"),          # the cut-offs themselves are good
    (dict(cfi=0.9499), "fit_acceptable"),
    (dict(rmsea=0.0601), "fit_acceptable"),
    (dict(srmr=0.0801), "fit_acceptable"),
    (dict(cfi=0.90, tli=0.88, rmsea=0.08, srmr=0.10), "fit_acceptable"),
    (dict(cfi=0.8999), "fit_poor"),
    (dict(rmsea=0.0801), "fit_poor"),
    (dict(srmr=0.1001), "fit_poor"),
])
def test_fit_boundaries(kw, expected):
    got = [r for r in ids("cfa", fit(**kw)) if r.startswith("fit_")]
    assert got == [expected]


def test_fit_with_missing_values_says_nothing_wrong():
    assert [r for r in ids("cfa", fit(srmr=None)) if r.startswith("fit_")] == []
    assert [r for r in ids("cfa", fit(srmr=None, cfi=0.80)) if r.startswith("fit_")] == ["fit_poor"]
    got = explain("cfa", {"fit": {}})
    assert got == load_rules()["phrases"]["none"]
    assert explain("cfa", {})["en"] and explain("model", {"models": []})["en"]


@pytest.mark.parametrize("alpha, rule", [(0.70, "rel_alpha_all_ok"), (0.6999, "rel_alpha_some_low")])
def test_alpha_boundary(alpha, rule):
    data = {"scales": [{"scale": "a", "label": {"en": "A", "zh": "甲"}, "alpha": alpha},
                       {"scale": "b", "label": {"en": "B", "zh": "乙"}, "alpha": 0.9}]}
    assert rule in ids("reliability", data)
    zh = explain("reliability", data)["zh"]
    assert ("甲（α = 0.700）" in zh) == (rule == "rel_alpha_some_low")


def test_alpha_missing_is_not_low():
    data = {"scales": [{"scale": "a", "label": "A", "alpha": None}, {"scale": "b", "label": "B", "alpha": 0.8}]}
    assert "rel_alpha_all_ok" in ids("reliability", data)
    assert "n/a" not in explain("reliability", data)["en"]


@pytest.mark.parametrize("value, rule", [(0.8499, "cfa_htmt_ok"), (0.85, "cfa_htmt_liberal"), (0.8999, "cfa_htmt_liberal"),
                                         (0.90, "cfa_htmt_high")])
def test_htmt_boundaries(value, rule):
    htmt = {"f1": {"f1": 1.0, "f2": value, "f3": 0.5}, "f2": {"f1": value, "f2": 1.0, "f3": 0.4},
            "f3": {"f1": 0.5, "f2": 0.4, "f3": 1.0}}
    assert [r for r in ids("cfa", {"htmt": htmt}) if r.startswith("cfa_htmt")] == [rule]


@pytest.mark.parametrize("dcfi, drmsea, rule", [(-0.0099, 0.0, "cfa_invariance_ok"), (-0.01, 0.0, "cfa_invariance_fails"),
                                                 (0.002, 0.015, "cfa_invariance_ok"), (0.002, 0.0151, "cfa_invariance_fails"),
                                                 (-0.002, None, "cfa_invariance_ok")])
def test_invariance_delta_cfi_boundary(dcfi, drmsea, rule):
    data = {"group": "gender", "invariance": [{"level": "configural", "delta_cfi": None},
                                              {"level": "metric", "delta_cfi": dcfi, "delta_rmsea": drmsea}]}
    assert [r for r in ids("cfa", data) if r.startswith("cfa_inv")] == [rule]


@pytest.mark.parametrize("ave, cr, rule", [(0.50, 0.70, "cfa_ave_cr_ok"), (0.4999, 0.80, "cfa_ave_cr_low"),
                                           (0.60, 0.6999, "cfa_ave_cr_low")])
def test_ave_cr_boundaries(ave, cr, rule):
    data = {"factor_reliability": {"f1": {"ave": ave, "cr": cr}, "f2": {"ave": 0.7, "cr": 0.9}}}
    assert [r for r in ids("cfa", data) if r.startswith("cfa_ave")] == [rule]


@pytest.mark.parametrize("share, rule", [(0.4999, "cmv_harman_ok"), (0.50, "cmv_harman_high")])
def test_harman_boundary(share, rule):
    assert [r for r in ids("cmv", {"harman": {"first_factor_share": share, "first_component_share": share,
                                              "n_eigen_gt1": 2}}) if r.startswith("cmv_harman")] == [rule]


@pytest.mark.parametrize("skew, kurt, bad", [(3.0, 10.0, False), (-3.01, 0.0, True), (0.0, -10.01, True)])
def test_skew_kurtosis_boundaries(skew, kurt, bad):
    data = {"n": 100, "descriptives": [{"variable": "x", "label": "X", "skewness": skew, "kurtosis": kurt},
                                       {"variable": "y", "label": "Y", "skewness": 0.1, "kurtosis": 0.2}]}
    got = ids("describe", data)
    assert ("desc_normal_bad" in got) == bad and ("desc_normal_ok" in got) == (not bad)


@pytest.mark.parametrize("lo, hi, sig", [(0.0, 0.2, False), (0.0001, 0.2, True), (-0.2, -0.0001, True), (-0.2, 0.0, False)])
def test_indirect_effect_ci_boundary(lo, hi, sig):
    data = {"models": [{"name": "m", "family": "mediation", "x": "X", "y": "Y", "coefficients": [],
                        "effects": [{"effect": "indirect", "via": "M", "estimate": 0.1, "ci_lower": lo, "ci_upper": hi}],
                        "index_of_moderated_mediation": [{"via": "M", "moderator": "W", "estimate": 0.1,
                                                          "ci_lower": lo, "ci_upper": hi}]}]}
    got = ids("model", data)
    assert ("process_indirect_sig" in got) == sig and ("process_indirect_ns" in got) == (not sig)
    assert ("process_index_sig" in got) == sig and ("process_index_ns" in got) == (not sig)


def test_p_formatting_and_no_negative_zero():
    data = {"tests": [{"label": "X", "test": "t", "df": 10.0, "statistic": -0.0001, "p": 0.0004, "effect_size": -0.00001}]}
    got = explain("compare", data)
    assert "p < .001" in got["en"] and "p < 0.001" in got["zh"]
    assert "t(10) = 0.00" in got["en"] and "-0.00" not in got["en"]


# ------------------------------------------------------------------ the rules file
def test_every_rule_cites_a_reference_and_has_no_causal_claim():
    rules = load_rules()
    every = [r for lst in [*rules["kinds"].values(), *rules["shared"].values()] for r in lst if "id" in r]
    assert len(every) > 40
    for r in every:
        assert r.get("cite"), f"rule {r['id']} cites nothing"
        for lang in ("zh", "en"):
            assert not CAUSAL.search(r["text"][lang]), (r["id"], lang)
    for kind in ("reliability", "efa", "cfa", "sem", "cmv", "model", "describe", "compare", "experiment", "validate"):
        assert rules["kinds"][kind], kind
    # the field's cut-offs the issue names are all in the file
    text = RULES_FILE.read_text(encoding="utf-8")
    for ref in ("hu_bentler_1999", "fornell_larcker_1981", "henseler_2015", "chen_2007", "cheung_rensvold_2002",
                "nunnally_1978", "kline_2016", "podsakoff_2003", "hayes_2018"):
        assert f"[{ref}" in text or f", {ref}" in text, ref


@pytest.mark.parametrize("bad, message", [
    ("kinds: {cfa: [{id: a, cite: [x], text: {en: 'A'}}]}", "both zh and en"),
    ("kinds: {cfa: [{id: a, text: {en: 'A', zh: '甲'}, when: [{value: fit.cfi, greater: 1}]}]}", "a condition is"),
    ("kinds: {cfa: [{id: a, text: {en: 'A', zh: '甲'}, cite: [nobody]}]}", "unknown reference"),
    ("kinds: {cfa: [{id: a, text: {en: '{x:exec}', zh: '甲'}}]}", "unknown format"),
    ("kinds: {cfa: [{id: a, text: {en: 'A', zh: '甲'}, run: 'import os'}]}", "unknown keys"),
    ("kinds: {cfa: [{include: nothing}]}", "unknown shared"),
])
def test_bad_rules_files_are_refused(tmp_path, bad, message):
    import yaml
    base = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    base["kinds"] = yaml.safe_load(bad)["kinds"]
    with pytest.raises(AvoidSurveyError, match=message):
        check_rules(base)


def test_rules_file_is_read_safely(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("kinds: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(AvoidSurveyError):
        load_rules(p)


def test_rules_spell_the_fields_terms_as_the_glossary_does():
    """Where an English sentence names a glossary term (composite reliability, average
    variance extracted ...), its Chinese sentence uses the glossary's one spelling."""
    from avoid_survey.analysis.core.i18n.glossary import TERMS as GLOSSARY

    rules = load_rules()
    every = [r for lst in [*rules["kinds"].values(), *rules["shared"].values()] for r in lst if "id" in r]
    checked = 0
    for r in every:
        for en, zh in GLOSSARY.values():
            if en.lower() in r["text"]["en"].lower():
                assert zh in r["text"]["zh"], (r["id"], en, zh)
                checked += 1
    assert checked >= 2
