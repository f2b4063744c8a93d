"""Names of statistics and table labels in English and Chinese."""
from __future__ import annotations

__all__ = ["tr", "text_in", "TERMS", "LANGS"]

LANGS = ("zh", "en")

# key: (en, zh)
TERMS: dict[str, tuple[str, str]] = {
    "scale": ("Scale", "量表"),
    "facet": ("Facet", "维度"),
    "item": ("Item", "条目"),
    "items": ("Items", "条目"),
    "n": ("N", "样本量"),
    "k": ("k", "条目数"),
    "mean": ("Mean", "均值"),
    "sd": ("SD", "标准差"),
    "alpha": ("Alpha", "α系数"),
    "alpha_std": ("Std. alpha", "标准化α"),
    "alpha_ci": ("95% CI of alpha", "α的95%置信区间"),
    "lambda6": ("Guttman λ6", "Guttman λ6"),
    "average_r": ("Mean inter-item r", "平均题间相关"),
    "omega_total": ("Omega total", "ω总系数"),
    "omega_h": ("Omega hierarchical", "ω层级系数"),
    "r_drop": ("Corrected item-total r", "校正题总相关"),
    "alpha_if_deleted": ("Alpha if deleted", "删除后α"),
    "reverse": ("Reversed", "反向计分"),
    "estimate": ("Estimate", "估计值"),
    "coef": ("Coefficient", "系数"),
    "se": ("SE", "标准误"),
    "z": ("z", "z"),
    "t": ("t", "t"),
    "stat": ("Statistic", "统计量"),
    "p": ("p", "p"),
    "ci": ("95% CI", "95%置信区间"),
    "ci_lower": ("CI lower", "置信区间下限"),
    "ci_upper": ("CI upper", "置信区间上限"),
    "std": ("Std.", "标准化"),
    "std_estimate": ("Std. estimate", "标准化系数"),
    "loading": ("Loading", "载荷"),
    "communality": ("Communality", "共同度"),
    "uniqueness": ("Uniqueness", "独特性"),
    "factor": ("Factor", "因子"),
    "cr": ("CR", "组合信度"),
    "ave": ("AVE", "平均方差抽取量"),
    "chisq": ("χ²", "χ²"),
    "df": ("df", "自由度"),
    "pvalue": ("p", "p"),
    "cfi": ("CFI", "CFI"),
    "tli": ("TLI", "TLI"),
    "rmsea": ("RMSEA", "RMSEA"),
    "srmr": ("SRMR", "SRMR"),
    "aic": ("AIC", "AIC"),
    "bic": ("BIC", "BIC"),
    "r2": ("R²", "R²"),
    "adj_r2": ("Adj. R²", "调整R²"),
    "groups": ("Groups", "组数"),
    "model": ("Model", "模型"),
    "term": ("Term", "变量"),
    "intercept": ("Intercept", "截距"),
    "code": ("Code", "代码"),
    "severity": ("Severity", "严重程度"),
    "row": ("Row", "行"),
    "column": ("Column", "列"),
    "respondent": ("Respondent", "受访者"),
    "message": ("Message", "说明"),
    "count": ("Count", "数量"),
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "info": ("info", "提示"),
    "notes": ("Note", "注"),
    "id": ("ID", "编号"),
    "title": ("Title", "名称"),
    "version": ("Version", "版本"),
    "scales": ("Scales", "量表"),
    "wording_zh": ("Wording (zh)", "题目（中文）"),
    "wording_en": ("Wording (en)", "题目（英文）"),
    "response": ("Response", "作答"),
    "variable": ("Variable", "变量"),
    "level": ("Level", "层级"),
    "delta_cfi": ("ΔCFI", "ΔCFI"),
    # reliability / scoring (added by the reliability helper)
    "reliability_title": ("Reliability of scales and facets", "量表与维度的信度"),
    "reliability_note": ("Alpha as psych::alpha (reverse-keyed items recoded, pairwise covariances); omega total from a one-factor minres model; omega_h and omega total (SL) from a Schmid-Leiman solution with one group factor per facet, as psych::omega.",
                         "α系数同 psych::alpha（反向题已重新计分，成对删除协方差）；ω总系数来自单因子 minres 模型；ω层级系数与 ω总系数（SL）来自 Schmid-Leiman 解（每个维度一个组因子），同 psych::omega。"),
    "listwise_note": ("Listwise deletion: only respondents who answered every item of the scale.", "列删除：仅使用回答了该量表全部条目的受访者。"),
    "item_stats_title": ("Item statistics", "条目统计"),
    "freq_title": ("Response frequencies (share of answers)", "作答频率（占有效作答比例）"),
    "missing_share": ("Missing", "缺失"),
    "omega_total_sl": ("Omega total (SL)", "ω总系数（SL）"),
    "yes": ("yes", "是"),
    "score_title": ("Scale scores", "量表得分"),
    "n_valid": ("N scored", "有效得分数"),
    "min": ("Min", "最小值"),
    "max": ("Max", "最大值"),
    "aggregate_title": ("Aggregation to units: ICC(1), ICC(2), r_wg(j)", "向单位聚合：ICC(1)、ICC(2)、r_wg(j)"),
    "n_units": ("Units", "单位数"),
    "mean_group_size": ("Mean group size", "平均组规模"),
    "icc1": ("ICC(1)", "ICC(1)"),
    "icc2": ("ICC(2)", "ICC(2)"),
    "rwg_mean": ("Mean r_wg(j)", "r_wg(j)均值"),
    "rwg_median": ("Median r_wg(j)", "r_wg(j)中位数"),
    "rwg_share70": ("Share r_wg(j) ≥ .70", "r_wg(j) ≥ 0.70 的比例"),
    "f_stat": ("F", "F"),
    "cfa_index": ("Index", "指标"),
    "cfa_value": ("Value", "数值"),
    "cfa_fit": ("CFA fit indices", "验证性因子分析拟合指标"),
    "cfa_loadings": ("CFA loadings", "验证性因子分析载荷"),
    "cfa_std_loading": ("Std. loading", "标准化载荷"),
    "cfa_rmsea_ci": ("RMSEA 90% CI", "RMSEA 90%置信区间"),
    "cfa_reliability": ("Composite reliability and AVE", "组合信度与平均方差抽取量"),
    "cfa_sqrt_ave": ("√AVE", "√AVE"),
    "cfa_max_r": ("Max |r|", "最大|r|"),
    "cfa_factor_corr": ("Factor correlations", "因子相关"),
    "cfa_htmt": ("HTMT ratios", "HTMT 比值"),
    "cfa_invariance": ("Measurement invariance", "测量不变性"),
    "cfa_chisq_diff": ("Δχ²", "Δχ²"),
    "cfa_df_diff": ("Δdf", "Δdf"),
    "cfa_configural": ("Configural", "形态等值"),
    "cfa_metric": ("Metric", "度量等值"),
    "cfa_scalar": ("Scalar", "标量等值"),
    "stars_note": ("* p < {a}, ** p < {b}, *** p < {c}", "* p < {a}, ** p < {b}, *** p < {c}"),
    "se_note": ("Standard errors in parentheses.", "括号内为标准误。"),
}


def tr(key: str, lang: str = "en") -> str:
    """Translate a term key; unknown keys come back unchanged."""
    pair = TERMS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def text_in(value, lang: str = "en") -> str:
    """Pick ``lang`` from a {en, zh} mapping, falling back to the other language."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        other = "en" if lang == "zh" else "zh"
        return value.get(lang) or value.get(other) or ""
    return str(value)
