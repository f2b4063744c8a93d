"""Terms of the PROCESS tables (family: process), in the field's Chinese vocabulary
(条件间接效应, 有调节的中介指数, 链式中介 ...)."""

TERMS = {
    "proc_paths_title": ("PROCESS model {model} ({name}): path coefficients",
                         "PROCESS模型{model}（{name}）：路径系数"),
    "proc_summary_title": ("PROCESS model {model} ({name}): model summary of each outcome",
                           "PROCESS模型{model}（{name}）：各结果变量的模型摘要"),
    "proc_effects_title": ("PROCESS model {model} ({name}): effects", "PROCESS模型{model}（{name}）：效应分析"),
    "proc_jn_title": ("PROCESS model {model} ({name}): Johnson-Neyman", "PROCESS模型{model}（{name}）：Johnson-Neyman法"),
    "proc_constant": ("constant", "常数项"),
    "proc_coeff": ("coeff", "系数"),
    "proc_effect": ("Estimate", "效应值"),
    "proc_effect_col": ("Effect", "效应"),
    "proc_llci": ("LLCI", "LLCI"),
    "proc_ulci": ("ULCI", "ULCI"),
    "proc_boot_se": ("SE / BootSE", "标准误/Boot标准误"),
    "proc_boot_llci": ("LLCI / BootLLCI", "LLCI/BootLLCI"),
    "proc_boot_ulci": ("ULCI / BootULCI", "ULCI/BootULCI"),
    "proc_outcome": ("Outcome: {y}", "结果变量：{y}"),
    "proc_outcome_col": ("Outcome", "结果变量"),
    "proc_total_model": (" (total effect model)", "（总效应模型）"),
    "proc_at": ("Moderator values", "调节变量取值"),
    "proc_at_value": ("{v} = {x:.3f} ({level})", "{v} = {x:.3f}（{level}）"),
    "proc_percentile": ("{p}th percentile", "第{p}百分位数"),
    "proc_mean_minus": ("mean − 1 SD", "均值−1个标准差"),
    "proc_mean": ("mean", "均值"),
    "proc_mean_plus": ("mean + 1 SD", "均值+1个标准差"),
    "proc_sec_conditional": ("Conditional effects of the focal predictor X on Y", "自变量X对Y的条件效应"),
    "proc_sec_cond_direct": ("Conditional direct effects of X on Y", "X对Y的条件直接效应"),
    "proc_sec_direct": ("Direct and total effects of X on Y", "X对Y的直接效应与总效应"),
    "proc_cond_effect": ("Conditional effect", "条件效应"),
    "proc_direct": ("Direct effect", "直接效应"),
    "proc_total": ("Total effect", "总效应"),
    "proc_sec_cond_interaction": ("Conditional X × W interaction at values of Z", "X×W交互项在Z不同取值下的条件效应"),
    "proc_interaction": ("Conditional interaction", "条件交互效应"),
    "proc_sec_indirect": ("Indirect effects of X on Y (bootstrap)", "X对Y的间接效应（Bootstrap）"),
    "proc_sec_serial": ("Indirect effects of X on Y via the chain (serial mediation, bootstrap)",
                        "X对Y的链式中介间接效应（Bootstrap）"),
    "proc_sec_cond_indirect": ("Conditional indirect effects of X on Y (bootstrap)", "X对Y的条件间接效应（Bootstrap）"),
    "proc_total_indirect": ("Total indirect effect", "总间接效应"),
    "proc_sec_index": ("Index of moderated mediation (moderator W)", "有调节的中介指数（调节变量W）"),
    "proc_sec_partial": ("Indices of partial moderated mediation (W moderates both stages)",
                         "部分有调节的中介指数（W同时调节前后两段路径）"),
    "proc_part_first_stage": ("first stage a₃·b", "第一阶段 a₃·b"),
    "proc_part_second_stage": ("second stage a·b₃", "第二阶段 a·b₃"),
    "proc_part_product": ("both stages a₃·b₃ (W²)", "两阶段乘积 a₃·b₃（W²项）"),
    "proc_sec_contrasts": ("Contrasts of conditional indirect effects", "条件间接效应的两两比较"),
    "proc_roles_note": ("Variables: {roles}.", "变量：{roles}。"),
    "proc_values_note_percentiles": ("Moderator values: the 16th, 50th and 84th percentiles (PROCESS default; the "
                                     "two values of a dichotomous moderator).",
                                     "调节变量取值：第16、50、84百分位数（PROCESS默认；二分调节变量取其两个值）。"),
    "proc_values_note_mean_sd": ("Moderator values: mean − 1 SD, mean, mean + 1 SD (the two values of a "
                                 "dichotomous moderator).",
                                 "调节变量取值：均值−1个标准差、均值、均值+1个标准差（二分调节变量取其两个值）。"),
    "proc_values_note_values": ("Moderator values as given in the spec (w_at / z_at).", "调节变量取值：按设定文件给定的值（w_at / z_at）。"),
    "proc_values_note_none": ("No moderator.", "无调节变量。"),
    "proc_boot_note": ("Indirect effects, indices and contrasts: percentile bootstrap ({n} resamples of {unit}); "
                       "SE is the bootstrap SD; starred when the CI excludes 0. Direct, total and conditional effects of X: "
                       "t-based SE and CI.",
                       "间接效应、指数与比较：百分位Bootstrap（{unit}重抽样{n}次），标准误为Bootstrap标准差；"
                       "置信区间不含0时标星号。X的直接效应、总效应与条件效应：基于t分布的标准误与置信区间。"),
    "proc_partial_note": ("W moderates both stages, so the indirect effect a·b + (a₃·b + a·b₃)W + a₃·b₃·W² is not "
                          "linear in W and has no single index of moderated mediation (Hayes 2015); the partial "
                          "indices are its coefficients (each conditional on W = 0) and the contrasts compare the "
                          "conditional indirect effects directly.",
                          "W同时调节前后两段路径，间接效应 a·b + (a₃·b + a·b₃)W + a₃·b₃·W² 不是W的线性函数，"
                          "没有单一的有调节的中介指数（Hayes 2015）；部分指数为该式的系数（均以W = 0为条件），"
                          "两两比较直接检验条件间接效应之差。"),
    "proc_rows": ("cases", "个案"),
    "proc_stars_note": ("Note: * p < .05, ** p < .01, *** p < .001 (two-sided); coefficients are unstandardized.",
                        "注：* p < .05，** p < .01，*** p < .001（双侧）；系数为非标准化系数。"),
    "proc_se_note": ("SE type of the path coefficients: {se}; F is the Wald F of each equation's slopes under "
                     "that covariance.", "路径系数标准误类型：{se}；F为该协方差矩阵下各方程斜率的Wald F检验。"),
    "proc_jn_effect": ("effect of {x} across {w}", "{x}的效应随{w}的变化"),
    "proc_jn_interaction": ("{x} × {w} interaction across {z}", "{x}×{w}交互效应随{z}的变化"),
    "proc_jn_bounds": ("Johnson-Neyman significance region bounds within the observed range: {points}.",
                       "观测范围内的Johnson-Neyman显著性区域临界值：{points}。"),
    "proc_jn_point": ("{v:.3f} ({below:.1f}% of cases below, {above:.1f}% above)",
                      "{v:.3f}（{below:.1f}%的样本低于该值，{above:.1f}%高于该值）"),
    "proc_jn_none": ("No Johnson-Neyman transition point within the observed range.",
                     "在观测范围内没有Johnson-Neyman显著性转折点。"),
}
