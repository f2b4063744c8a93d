"""Terms of `avoid-survey simulate`: the summary of a simulated data set and the power
analysis. key: (en, zh)."""

TERMS = {
    # summary of `simulate --out`
    "sim_title": ("Simulated data", "模拟数据"),
    "sim_value": ("Value", "值"),
    "sim_spec": ("Spec", "研究设定"),
    "sim_instrument": ("Instrument", "问卷"),
    "sim_seed": ("Seed", "随机种子"),
    "sim_respondents": ("Respondents", "受访者"),
    "sim_townships": ("Townships", "乡镇"),
    "sim_counties": ("Counties", "县"),
    "sim_units": ("Units", "单位"),
    "sim_likert_items": ("Likert items", "量表题"),
    "sim_type_normal": ("Careful respondents", "认真作答"),
    "sim_type_straight": ("Straight-liners", "直线作答"),
    "sim_type_random": ("Random responders", "随机作答"),
    "sim_type_speeder": ("Speeders", "作答过快"),
    "sim_failed_check": ("Failed {check}", "{check} 未通过"),
    "sim_missing_share": ("Missing answers (share of item cells)", "缺失作答（占题目格数）"),
    "sim_written": ("Written ({file})", "已写出（{file}）"),
    # power analysis (`simulate --replicate R --fit SPEC`)
    "sim_power_title": ("Power analysis: {model} ({ok} of {replicates} replicates, mean n = {n:.0f})",
                        "统计检验力分析：{model}（{ok}/{replicates} 次重复，平均样本量 {n:.0f}）"),
    "sim_true": ("True value", "真值"),
    "sim_mean_estimate": ("Mean estimate", "估计均值"),
    "sim_bias": ("Bias", "偏差"),
    "sim_empirical_se": ("Empirical SE", "经验标准误"),
    "sim_mean_se": ("Mean SE", "平均标准误"),
    "sim_power": ("Power (p < {alpha:g})", "检验力（p < {alpha:g}）"),
    "sim_coverage": ("95% CI coverage", "95%置信区间覆盖率"),
    "sim_power_note": ("True values are the declared structural coefficients (latent metric). The model is fitted "
                       "on observed scale scores, whose measurement error and Likert coarsening attenuate "
                       "estimates: bias and coverage show that gap.",
                       "真值为研究设定中声明的结构系数（潜变量尺度）。模型基于观测量表得分拟合，测量误差与"
                       "李克特分级会使估计值衰减，偏差与覆盖率反映这一差距。"),
}
