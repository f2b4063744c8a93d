"""Terms of `avoid-survey instruments`: the list and show views, the codebook and the
printed questionnaire. key: (en, zh).

The texts of the instruments themselves (titles, item wordings, answer labels) are data in
the instrument YAML files, not terms of this catalogue.
"""

TERMS = {
    # `instruments list`
    "inst_bundled": ("Bundled instruments", "内置量表"),
    "inst_id": ("ID", "编号"),
    "inst_version": ("Version", "版本"),
    "inst_title": ("Title", "名称"),
    "inst_n_scales": ("Scales", "量表数"),
    "inst_n_items": ("Items", "条目数"),
    "inst_n_facets": ("Facets", "维度数"),
    "inst_n_variables": ("Variables", "变量数"),
    "inst_n_checks": ("Checks", "检测题"),
    "inst_list_note": ("Show one with `avoid-survey instruments show ID`; export a codebook, template or "
                       "questionnaire with `instruments export ID --to FILE`.",
                       "用 `avoid-survey instruments show 编号` 查看详情；用 `instruments export 编号 --to 文件` "
                       "导出编码手册、数据模板或问卷。"),
    # `instruments show`
    "inst_items_title": ("{name} (version {version})", "{name}（{version} 版）"),
    "inst_heading": ("{name} (`{id}`, version {version})", "{name} (`{id}`, 版本 {version})"),
    "inst_scale_section": ("{name} [{id}]", "{name} [{id}]"),
    "inst_scale_section_optional": ("{name} [{id}] (optional)", "{name} [{id}]（可选）"),
    "inst_optional": ("(optional)", "（可选）"),
    "inst_cite_as": ("Cite as: {citation}", "引用：{citation}"),
    "inst_wording": ("Wording", "表述"),
    "inst_variables": ("Variables", "变量"),
    "inst_variable": ("Variable", "变量名"),
    "inst_label": ("Label", "标签"),
    "inst_level": ("Level", "层次"),
    "inst_role": ("Role", "角色"),
    "inst_response": ("Response", "取值"),
    "inst_attention_checks": ("Attention checks", "注意力检测题"),
    "inst_check": ("Check", "题目编号"),
    "inst_after": ("After", "位于其后"),
    "inst_expected": ("Expected", "正确答案"),
    "inst_check_where": ("after `{after}`, expected {expected}", "位于 `{after}`, 正确答案 {expected}"),
    "inst_response_formats": ("Response formats", "作答格式"),
    # codebook (`instruments export --kind codebook`)
    "inst_codebook_title": ("Codebook: {name} (version {version})", "编码手册：{name}（{version} 版）"),
    "inst_cb_variable": ("Variable", "变量名"),
    "inst_cb_kind": ("Kind", "类别"),
    "inst_cb_module": ("Module", "模块"),
    "inst_cb_level": ("Level", "层次"),
    "inst_cb_role": ("Role", "角色"),
    "inst_cb_text_zh": ("Wording (zh)", "中文表述"),
    "inst_cb_text_en": ("Wording (en)", "英文表述"),
    "inst_cb_referent_zh": ("Referent wording (zh)", "单位版中文表述"),
    "inst_cb_referent_en": ("Referent wording (en)", "单位版英文表述"),
    "inst_cb_type": ("Type", "类型"),
    "inst_cb_codes": ("Codes", "编码"),
    "inst_cb_labels_zh": ("Labels (zh)", "中文选项"),
    "inst_cb_labels_en": ("Labels (en)", "英文选项"),
    "inst_cb_expected": ("Expected answer", "正确答案"),
    "inst_cb_after": ("Placed after", "位置（在其后）"),
    "inst_cb_missing_codes": ("Missing codes", "缺失值编码"),
    "inst_cb_aliases": ("Aliases", "别名"),
    "inst_cb_labels": ("Codes and labels", "编码与选项"),
    "inst_no": ("no", "否"),
    # printed questionnaire
    "inst_q_part": ("Part {n}", "第{cn}部分"),
    "inst_q_no": ("No.", "题号"),
    "inst_q_statement": ("Statement", "题目"),
    "inst_q_background": ("Background information", "基本情况"),
    "inst_q_source": ("Source: {citation}", "问卷来源：{citation}"),
    "inst_q_range": (" (from {lo} to {hi})", "（范围 {lo}–{hi}）"),
    "inst_q_thanks": ("Thank you for taking part!", "问卷到此结束，衷心感谢您的支持！"),
    "inst_q_yes": ("Yes", "是"),
    "inst_q_no_answer": ("No", "否"),
    "inst_q_html_lang": ("en", "zh-CN"),
}
