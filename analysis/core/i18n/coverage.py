"""Terms of `avoid-survey instruments coverage` (mechanism -> items -> templates). key: (en, zh).

The mechanism names themselves are data (instruments/data/domain/mechanisms.yaml).
"""

TERMS = {
    "cov_title": ("Mechanisms of the domain: items and templates", "领域机制覆盖：条目与分析模板"),
    "cov_group": ("Group", "类别"),
    "cov_mechanism": ("Mechanism", "机制"),
    "cov_name": ("Name", "名称"),
    "cov_items": ("Items and variables", "条目与变量"),
    "cov_templates": ("Templates", "分析模板"),
    "cov_status_v1": ("Review v1", "1.0 版评估"),
    "cov_status": ("Now", "当前"),
    "cov_well": ("well", "良好"),
    "cov_weak": ("weak", "薄弱"),
    "cov_missing": ("missing", "缺失"),
    "cov_tested": ("items and template", "有条目和模板"),
    "cov_measured": ("items, no template", "有条目、无模板"),
    "cov_uncovered": ("no items", "无条目"),
    "cov_note_counts": ("{items} of {n} mechanisms have items, {templates} a template; instruments: {instruments}.",
                        "{n} 个机制中 {items} 个有测量条目，{templates} 个有分析模板；问卷：{instruments}。"),
    "cov_note_missing": ("Without items: {ids}.", "没有条目的机制：{ids}。"),
    "cov_note_how": ("Items name their mechanisms with `measures:`; a template counts when it uses one of the items, "
                     "or a facet or scale of which at least a third of the items measure the mechanism "
                     "(analysis/templates, sample_data/specs).",
                     "条目以 `measures:` 标注所测机制；分析模板使用了这些条目之一，或使用了至少三分之一条目测量该机制的"
                     "维度或量表，即计入（analysis/templates、sample_data/specs）。"),
}
