"""Terms of the ordinal (polychoric) analyses: correlations, thresholds, ordinal alpha/omega
and the hint to use them. key: (en, zh)."""

TERMS = {
    "ord_poly_title": ("Polychoric correlations", "多分格相关（polychoric）"),
    "ord_thresholds_title": ("Thresholds (probit)", "阈值（probit）"),
    "ord_threshold": ("Threshold", "阈值"),
    "ord_poly_note_lavaan": ("Two-step ML as lavaan::lavCor(ordered = ...) ({missing}); n = {n}.",
                             "两步极大似然，与 lavaan::lavCor(ordered = ...) 一致（{missing}）；n = {n}。"),
    "ord_poly_note_psych": ("Two-step ML as psych::polychoric ({local}); pairwise-complete answers.",
                            "两步极大似然，与 psych::polychoric 一致（{local}）；成对删除。"),
    "ord_global": ("global thresholds", "全局阈值"),
    "ord_local": ("local thresholds, zero cells corrected by {correct}", "局部阈值，零格以 {correct} 校正"),
    "ord_smoothed": ("The matrix was not positive definite and was smoothed (psych::cor.smooth).",
                     "矩阵非正定，已平滑（psych::cor.smooth）。"),
    "ord_empty_cells": ("{n} item pair(s) have empty cells (categories nobody chose together); they add nothing to the likelihood, as in lavaan.",
                        "{n} 对题目的列联表含空格（无人同时选择的类别组合）；与 lavaan 一致，空格不进入似然。"),
    "ord_alpha": ("Ordinal α", "序数 α"),
    "ord_omega_total": ("Ordinal ω total", "序数 ω 总"),
    "ord_omega_h": ("Ordinal ωh", "序数 ωh"),
    "ord_reliability_title": ("Ordinal reliability (polychoric correlations)", "序数信度（基于多分格相关）"),
    "ord_reliability_pearson": ("Pearson α", "Pearson α"),
    "ord_reliability_pearson_omega": ("Pearson ω total", "Pearson ω 总"),
    "ord_reliability_note": ("Ordinal α = psych::alpha(polychoric(x)$rho); ω total from one minres factor and ωh from a Schmid-Leiman solution with one group factor per facet, as psych::omega(x, nfactors, poly = TRUE). Polychoric correlations as psych::polychoric (pairwise, correct = 0.5).",
                             "序数 α = psych::alpha(polychoric(x)$rho)；ω 总取单因子 minres 解，ωh 取每个分维度一个组因子的 Schmid-Leiman 解，与 psych::omega(x, nfactors, poly = TRUE) 一致。多分格相关同 psych::polychoric（成对删除，correct = 0.5）。"),
    "ord_hint": ("note: the items have at most {k} answer categories (skewness {skew}); consider treating them as ordinal: {options}.",
                 "提示：题目最多 {k} 个选项（偏度 {skew}），可考虑按有序类别处理：{options}。"),
    "ord_hint_more": ("… {n} more", "……另 {n} 题"),
    "ord_rep_pearson": (" Alpha, omega and the correlations of this report are Pearson correlations (the answer codes taken as interval data).",
                        "本报告的 α、ω 与相关系数均基于 Pearson 积差相关（把选项编码视为等距数据）。"),
    "ord_rep_polychoric": (" Ordinal alpha and omega come from polychoric correlations (psych::polychoric; the answers taken as ordered categories of normal latent responses), beside the Pearson values; the other correlations are Pearson correlations.",
                           "序数 α 与 ω 基于多分格相关（psych::polychoric，把选项视为正态潜在反应的有序类别），与 Pearson 结果并列报告；其余相关系数为 Pearson 积差相关。"),
    "ord_efa_adequacy_note": (
        "Correlations: {corr} polychoric (psych::polychoric, as psych::fa(cor = \"poly\")); Bartlett's n = {n}. "
        "Parallel analysis: observed eigenvalues of the polychoric matrix against {iterations} simulated normal "
        "data sets (seed {seed}), 95th percentile, as psych::fa.parallel(cor = \"poly\", fa = \"fa\").",
        "相关系数：{corr}的多分格相关（psych::polychoric，同 psych::fa(cor = \"poly\")）；Bartlett检验 n = {n}。"
        "平行分析：多分格相关矩阵的观测特征值对比 {iterations} 个模拟正态数据集（种子 {seed}）的第95百分位数，"
        "同 psych::fa.parallel(cor = \"poly\", fa = \"fa\")。"),
}
