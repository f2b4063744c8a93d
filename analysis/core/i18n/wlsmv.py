"""Terms of the WLSMV (ordered items) tables. key: (en, zh)."""

TERMS = {
    "wlsmv_fit": ("Fit indices (WLSMV)", "拟合指标（WLSMV）"),
    "wlsmv_standard": ("Standard", "标准"),
    "wlsmv_scaled": ("Scaled", "校正"),
    "wlsmv_robust": ("Robust", "稳健"),
    "wlsmv_fit_note": ("DWLS estimates on polychoric correlations with robust (sandwich) SEs, as lavaan estimator = \"WLSMV\"; "
                       "scaled: mean-and-variance adjusted (scaled-shifted) chi-square, scaling factor {a}, shift {b}; "
                       "robust CFI/TLI/RMSEA as lavaan's cfi.robust (Savalei 2021); SRMR of the correlation residuals.",
                       "基于多分格相关的 DWLS 估计与稳健（三明治）标准误，与 lavaan estimator = \"WLSMV\" 一致；"
                       "校正：均值方差校正（scaled-shifted）卡方，尺度因子 {a}，平移量 {b}；"
                       "稳健 CFI/TLI/RMSEA 与 lavaan 的 cfi.robust 一致（Savalei 2021）；SRMR 基于相关残差。"),
    "wlsmv_thresholds": ("Thresholds", "阈值"),
    "wlsmv_threshold": ("Threshold", "阈值"),
    "wlsmv_thresholds_note": ("Thresholds of the latent responses (probit scale) with robust SEs; {param} parameterization.",
                              "潜在反应的阈值（probit 尺度）及稳健标准误；{param} 参数化。"),
    "wlsmv_delta": ("delta", "delta"),
    "wlsmv_theta": ("theta", "theta"),
    "wlsmv_invariance": ("Ordinal measurement invariance (WLSMV)", "有序类别测量不变性（WLSMV）"),
    "wlsmv_thresholds_level": ("Thresholds", "阈值等值"),
    "wlsmv_chisq_scaled": ("χ² (scaled)", "χ²（校正）"),
    "wlsmv_cfi_scaled": ("CFI (scaled)", "CFI（校正）"),
    "wlsmv_cfi_robust": ("CFI (robust)", "CFI（稳健）"),
    "wlsmv_rmsea_scaled": ("RMSEA (scaled)", "RMSEA（校正）"),
    "wlsmv_rmsea_robust": ("RMSEA (robust)", "RMSEA（稳健）"),
    "wlsmv_delta_cfi_scaled": ("ΔCFI (scaled)", "ΔCFI（校正）"),
    "wlsmv_delta_cfi_robust": ("ΔCFI (robust)", "ΔCFI（稳健）"),
    "wlsmv_invariance_note": ("Groups by {group}: {groups}. Identification of Wu & Estabrook (2016) as semTools measEq.syntax: "
                              "thresholds, then also loadings (metric), then also intercepts (scalar) equal. Δχ² is lavTestLRT's "
                              "scaled-shifted difference test (Satorra 2000); differences against the previous step. The robust "
                              "indices are empty where lavaan leaves them out (equal thresholds).",
                              "按 {group} 分组：{groups}。采用 Wu 与 Estabrook（2016）的识别方式（同 semTools measEq.syntax）："
                              "依次约束阈值、再加载荷（度量）、再加截距（标量）跨组相等。Δχ² 为 lavTestLRT 的均值方差校正差异检验"
                              "（Satorra 2000），相对于上一步模型。阈值相等时 lavaan 不报告稳健指标，此处留空。"),
}
