"""Terms of the results-in-words paragraphs (``--explain``, the report's results section).
key: (en, zh). The sentences themselves live in analysis/core/explain_rules.yaml."""

TERMS = {
    "expl_title": ("Results in words", "结果解读"),
    "expl_sentence": ("Interpretation", "解读"),
    "expl_note": ("Rule-based text (analysis/core/explain_rules.yaml); cut-offs and references are named in each "
                  "sentence. Check it against your design before quoting it.",
                  "基于规则自动生成（analysis/core/explain_rules.yaml），每句注明所依据的临界值与文献；引用前请结合研究设计核对。"),
    "expl_level_configural": ("Configural", "形态"),
    "expl_level_metric": ("Metric", "度量（弱）"),
    "expl_level_scalar": ("Scalar", "标量（强）"),
    "expl_level_strict": ("Strict", "严格"),
    "expl_at_low": ("the mean − 1 SD", "均值减 1 个标准差"),
    "expl_at_mean": ("the mean", "均值"),
    "expl_at_high": ("the mean + 1 SD", "均值加 1 个标准差"),
    "expl_design_conjoint": ("conjoint (AMCE)", "联合分析（AMCE）"),
    "expl_design_vignette": ("vignette", "情境实验"),
}
