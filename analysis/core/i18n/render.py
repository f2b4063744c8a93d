"""Words of the renderers: number formats, page languages, figure labels. key: (en, zh)."""

TERMS = {
    # the script a language is written in: figures need a CJK font for "cjk"
    "rnd_script": ("latin", "cjk"),
    # p values: APA style drops the leading zero in English; Chinese journals keep it
    "rnd_p_below": ("< .001", "< 0.001"),
    "rnd_p_value": ("{bare}", "{full}"),
    "rnd_html_lang": ("en", "zh-CN"),
    "rnd_table_number": ("Table {n}", "表{n}"),
    "rnd_table_number_cn": ("Table {n}  {title}", "表{n}  {title}"),
    "rnd_note_apa": ("Note. ", "注. "),
    "rnd_note_cn": ("Note: ", "注："),
    "rnd_block": (" (columns, part {k} of {n})", "（分栏 {k}/{n}）"),
    # figure labels
    "rnd_fig_centred": (" (centred)", "（已中心化）"),
    "rnd_fig_eigenvalue": ("Eigenvalue", "特征值"),
    "rnd_fig_factor_n": ("Factor number", "因子序号"),
    "rnd_fig_observed": ("Observed", "实际数据"),
    "rnd_fig_parallel": ("Parallel analysis (95th pct.)", "平行分析（95%分位）"),
    "rnd_fig_scree": ("Scree plot", "碎石图"),
    "rnd_fig_loadings": ("Factor loadings", "因子载荷"),
    "rnd_fig_estimate": ("Estimate (95% CI)", "估计值（95%置信区间）"),
    "rnd_fig_coefplot": ("Coefficients", "回归系数"),
    "rnd_fig_slopes": ("Simple slopes", "简单斜率"),
    "rnd_fig_share": ("Share of answers", "作答比例"),
    "rnd_fig_distribution": ("Response distribution", "作答分布"),
    "rnd_fig_path": ("Standardized loadings", "标准化载荷"),
    "rnd_fig_low": ("Moderator −1 SD", "调节变量 −1 SD"),
    "rnd_fig_mid": ("Moderator mean", "调节变量均值"),
    "rnd_fig_high": ("Moderator +1 SD", "调节变量 +1 SD"),
    "rnd_fig_outcome": ("Predicted outcome", "预测值"),
}
