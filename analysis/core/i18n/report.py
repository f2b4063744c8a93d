"""Terms of `avoid-survey report`: section headings, figure captions and the methods
paragraph. key: (en, zh)."""

TERMS = {
    "rep_title": ("Study report", "研究报告"),
    "rep_data": ("1. Data and validation", "1. 数据与数据质量检查"),
    "rep_desc": ("2. Descriptive statistics and correlations", "2. 描述统计与相关分析"),
    "rep_rel": ("3. Reliability", "3. 信度"),
    "rep_cfa": ("4. Confirmatory factor analysis", "4. 验证性因子分析"),
    "rep_models": ("5. Regression models", "5. 回归模型"),
    "rep_results": ("6. Results in words", "6. 结果解读"),
    "rep_sem": ("5.1 Structural equation models", "5.1 结构方程模型"),
    "rep_figs": ("7. Figures", "7. 图"),
    "rep_methods": ("8. Methods", "8. 方法说明"),
    "rep_res_desc": ("Sample and descriptive statistics", "样本与描述统计"),
    "rep_res_rel": ("Reliability", "信度"),
    "rep_res_cfa": ("Measurement model", "测量模型"),
    "rep_res_models": ("Regression models", "回归模型"),
    "rep_m_filters": (" The spec's filters removed {n} further rows; every section (descriptives, reliability, CFA "
                      "and models) used the remaining {k}.",
                      "模型说明文件中的筛选条件又剔除 {n} 行；描述统计、信度、CFA 和模型各节均使用其余 {k} 行。"),
    "rep_sensitivity": ("Sensitivity: the models without exclusions", "敏感性分析：不剔除答卷时的模型"),
    "rep_skipped": ("This section could not be built: {reason}", "本节未能生成：{reason}"),
    "rep_fig_coef": ("Figure 1. Coefficients with 95% confidence intervals", "图1 回归系数及95%置信区间"),
    "rep_fig_path": ("Figure 3. CFA standardized loadings", "图3 验证性因子分析标准化载荷"),
    "rep_fig_dist": ("Figure 4. Response distributions", "图4 条目作答分布"),
    "rep_fig_slopes": ("Figure 2. Simple slopes", "图2 简单斜率"),
    # the methods paragraph
    "rep_m_software": ("Analyses used avoid-survey {version} (Python {python}{libs}).",
                       "分析使用 avoid-survey {version}（Python {python}{libs}）。"),
    "rep_m_libs": ("; {libs}", "；{libs}"),
    "rep_m_lib_sep": (", ", "，"),
    "rep_m_scores": (" The response file has {n_rows} rows. Scale scores are item means after reverse-keyed items "
                     "were recoded as (min + max - x); a score requires at least {min_items:.0%} of its items "
                     "answered and is missing otherwise.",
                     "样本文件共 {n_rows} 行。量表得分为条目均值，反向题按（最小值+最大值−原值）重新编码；"
                     "至少作答 {min_items:.0%} 的条目才计算得分，否则记为缺失。"),
    "rep_m_alpha": (" Cronbach's alpha follows psych::alpha (pairwise-complete covariances); omega comes from a "
                    "one-factor model (Schmid-Leiman for multi-facet scales).",
                    "Cronbach's α 按 psych::alpha 的做法基于成对删除的协方差计算，ω 由单因子模型（多维量表为 "
                    "Schmid-Leiman 变换）求得。"),
    "rep_m_cfa": (" Confirmatory factor analysis used maximum likelihood as lavaan::cfa does by default (first "
                  "loading fixed to 1, listwise deletion, N-based chi-square) with expected-information standard "
                  "errors.",
                  "验证性因子分析采用最大似然估计（与 lavaan::cfa 默认一致：首个载荷固定为1，列表删除，基于N的卡方），"
                  "标准误来自期望信息矩阵。"),
    "rep_m_models": (" Model families: {families}; standard errors: {se_types}.",
                     "回归模型族：{families}；标准误类型：{se_types}。"),
    "rep_m_classical": ("classical", "常规"),
}
