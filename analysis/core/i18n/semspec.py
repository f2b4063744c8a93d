"""Terms of SEMs in model specs, the path diagram and the report's SEM section. key: (en, zh)."""

TERMS = {
    "semspec_defined": ("Defined effect", "自定义效应"),
    "semspec_effects_section": ("Defined (indirect) effects", "自定义（间接）效应"),
    "semspec_chisq_df": ("χ² (df)", "χ²（自由度）"),
    "semspec_note": ("SEM columns (family: sem): unstandardized paths (x → y) with their SEs as lavaan::sem; "
                     "defined effects with delta-method CIs, or percentile bootstrap CIs when the model "
                     "declares bootstrap; each SEM's full tables follow.",
                     "结构方程模型列（family: sem）：非标准化路径系数（x → y）及标准误，与 lavaan::sem 一致；"
                     "自定义效应给出 delta 法置信区间，模型声明 bootstrap 时为百分位 Bootstrap 置信区间；"
                     "各模型的完整结果见其后各表。"),
    "semspec_std_title": ("Standardized solution", "标准化解"),
    "semspec_std_note": ("Completely standardized estimates (std.all) with delta-method SEs, z, p and 95% CIs as "
                         "lavaan::standardizedSolution.",
                         "完全标准化估计值（std.all），标准误、z、p 与 95% 置信区间按 delta 法计算，"
                         "与 lavaan::standardizedSolution 一致。"),
    "semspec_fig_title": ("Structural equation model (standardized estimates)", "结构方程模型（标准化估计值）"),
    "semspec_fig_note": ("* p < .05, ** p < .01, *** p < .001; dashed: fixed parameters; R² beside endogenous "
                         "variables.", "* p < .05，** p < .01，*** p < .001；虚线为固定参数；内生变量旁为 R²。"),
    "semspec_rep_section": ("Structural equation models", "结构方程模型"),
    "semspec_rep_paths": ("Standardized structural paths", "标准化结构路径"),
    "semspec_rep_path": ("Path", "路径"),
    "semspec_rep_effects": ("Indirect and defined effects", "间接效应与自定义效应"),
    "semspec_rep_definition": ("Definition", "定义"),
    "semspec_rep_fit": ("Fit of the structural equation models", "结构方程模型拟合指标"),
    "semspec_rep_fig": ("Path diagram of model {model} (standardized estimates)", "模型 {model} 的路径图（标准化估计值）"),
    "semspec_rep_std_ci": ("Std. 95% CI", "标准化 95% 置信区间"),
    "semspec_rep_note": ("Estimates as lavaan::sem; std.all = completely standardized; CIs of defined effects are "
                         "percentile bootstrap CIs when the model declares bootstrap, else delta-method CIs.",
                         "估计与 lavaan::sem 一致；std.all 为完全标准化解；模型声明 bootstrap 时自定义效应的置信区间"
                         "为百分位 Bootstrap 置信区间，否则为 delta 法置信区间。"),
    "semspec_model": ("Model", "模型"),
    "semspec_wave": (" (wave {k})", "（第{k}期）"),
}
