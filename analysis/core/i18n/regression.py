"""Terms of the regression table's β and VIF columns and of the hierarchical-regression
summary (SPSS's "Model Summary")."""

TERMS = {
    "reg_col_beta": ("β", "β"),
    "reg_col_vif": ("VIF", "VIF"),
    "reg_beta_note": ("β: standardized coefficient (all design columns and the outcome standardized; a factor's "
                      "dummies and a product term standardized as columns, as SPSS does).",
                      "β：标准化回归系数（设计矩阵各列与因变量均标准化；因子的虚拟变量与交互项按列标准化，同SPSS）。"),
    "reg_vif_note": ("VIF: 1/(1 − R²) of each column regressed on the other predictors (term-level GVIF of "
                     "factors, as car::vif, in JSON).",
                     "VIF：方差膨胀因子，各列对其余自变量回归的1/(1 − R²)（因子的整体GVIF同car::vif，见JSON）。"),
    "reg_step": ("Step", "层"),
    "reg_sigma": ("SE of estimate", "估计标准误"),
    "reg_change_stats": ("Change statistics", "更改统计量"),
    "reg_p_change": ("p (ΔF)", "ΔF的p值"),
    "reg_entered": ("Entered", "本层纳入"),
    "reg_steps_title": ("Hierarchical regression: {model}", "分层回归：{model}"),
    "reg_steps_note": ("Each step adds its block to the previous ones; ΔF tests ΔR² against the previous step "
                       "(step 1 against the intercept-only model).",
                       "每层在前一层基础上加入新变量；ΔF检验相对前一层的ΔR²（第1层相对仅含截距的模型）。"),
}
