"""Words of the simple statistics' tables and notes (reliability, efa, scoring,
aggregation, descriptives). key: (en, zh); placeholders in str.format style."""

TERMS = {
    "st_indent": ("  ", "　"),
    "st_list_sep": (", ", "、"),
    "st_value": ("Value", "数值"),
    # reliability
    "st_rel_ci": ("{pct} CI ({method})", "{pct}置信区间（{method}）"),
    # efa
    "st_efa_title": ("Exploratory factor analysis: {method}, {rotation} rotation, {k} factor(s)",
                     "探索性因子分析：{method} 提取，{rotation} 旋转，{k} 个因子"),
    "st_efa_adequacy": ("Sampling adequacy and number of factors", "抽样适合性检验与因子数"),
    "st_efa_kmo": ("KMO (overall MSA)", "KMO（总体MSA）"),
    "st_efa_bartlett_chi2": ("Bartlett's test χ²", "Bartlett球形检验 χ²"),
    "st_efa_bartlett_df": ("Bartlett's test df", "Bartlett球形检验 自由度"),
    "st_efa_bartlett_p": ("Bartlett's test p", "Bartlett球形检验 p"),
    "st_efa_parallel_k": ("Factors suggested by parallel analysis", "平行分析建议的因子数"),
    "st_efa_k": ("Factors extracted", "提取的因子数"),
    "st_efa_pairwise": ("pairwise-complete", "成对删除"),
    "st_efa_listwise": ("listwise-complete", "列表删除"),
    "st_efa_adequacy_note": (
        "Correlations: {corr} Pearson; Bartlett's n = {n}. Parallel analysis: {iterations} simulated "
        "data sets (seed {seed}), 95th percentile, as psych::fa.parallel(fa = \"fa\").",
        "相关系数：{corr}的Pearson相关；Bartlett检验 n = {n}。平行分析：{iterations} 个模拟数据集（种子 {seed}），"
        "第95百分位数，同 psych::fa.parallel(fa = \"fa\")。"),
    "st_efa_h2": ("h²", "共同度"),
    "st_efa_u2": ("u²", "独特性"),
    "st_efa_msa": ("MSA", "MSA"),
    "st_efa_loadings_note": (
        "Pattern loadings with |loading| < {cut} left blank (JSON keeps all); items sorted by "
        "the factor they load most on. h² communality, u² uniqueness, MSA per-item KMO.",
        "表中为模式载荷，|载荷| < {cut} 的单元格留空（JSON保留全部数值）；条目按主要负载的因子排序。"
        "h² 为共同度，u² 为独特性，MSA 为条目的KMO值。"),
    "st_efa_variance": ("Variance explained", "方差解释"),
    "st_efa_ss_loadings": ("SS loadings", "载荷平方和"),
    "st_efa_proportion": ("Proportion of variance", "方差解释率"),
    "st_efa_cumulative": ("Cumulative proportion", "累计方差解释率"),
    "st_efa_phi": ("Factor correlations", "因子相关矩阵"),
    "st_efa_scree": ("Scree and parallel analysis", "碎石图数据与平行分析"),
    "st_efa_eigenvalue": ("Eigenvalue of R", "相关矩阵特征值"),
    "st_efa_observed": ("Observed (FA)", "实际数据（因子）"),
    "st_efa_sim_mean": ("Simulated mean", "模拟均值"),
    "st_efa_sim_q95": ("Simulated 95th pct.", "模拟第95百分位"),
    "st_efa_parallel_note": (
        "Observed (FA): eigenvalues of R with one-factor minres communalities on the diagonal "
        "(psych fa.values). Suggested factors: {k}.",
        "实际数据（因子）：对角线为单因子minres共同度的相关矩阵特征值（psych 的 fa.values）。建议因子数：{k}。"),
    "st_efa_orthogonal": ("Orthogonal solution: factor correlations are the identity matrix.",
                          "正交解：因子相关矩阵为单位矩阵。"),
    "st_efa_absent": ("{n} item(s) of the instrument are not in the data and were left out.",
                      "工具中有 {n} 个条目不在数据中，未纳入分析。"),
    "st_efa_reverse": ("Reverse-keyed items are not recoded for EFA; their loadings show the sign: {items}.",
                       "探索性因子分析不对反向计分条目重新编码，其载荷符号反映方向：{items}。"),
    # scoring
    "st_score_mean": ("mean", "均值"),
    "st_score_sum": ("sum", "总分（按比例折算）"),
    "st_score_rule": (
        "{method} of items; a score needs at least {min_items} of a scale's items (ceil); "
        "reverse-keyed items recoded as min + max - x. Written to {out}.",
        "条目{method}；至少回答量表 {min_items} 的条目（向上取整）才计分；反向题按 最小值+最大值-x 重新计分。"
        "已写入 {out}。"),
    # aggregation
    "st_agg_note": (
        "Units: {unit}. ICC(1) = (MSB - MSW)/(MSB + (k - 1)MSW), ICC(2) = (MSB - MSW)/MSB from a one-way "
        "ANOVA (k = mean unit size), as multilevel::ICC1/ICC2. r_wg(j): James, Demaree & Wolf (1984), "
        "uniform null (A^2 - 1)/12, out-of-range values set to 0.",
        "单位：{unit}。ICC(1) = (MSB - MSW)/(MSB + (k - 1)MSW)，ICC(2) = (MSB - MSW)/MSB，来自单因素方差分析"
        "（k 为平均组规模），同 multilevel::ICC1/ICC2。r_wg(j)：James、Demaree 与 Wolf (1984)，均匀分布零假设方差 "
        "(A^2 - 1)/12，超出范围的值记为 0。"),
    # descriptives
    "st_desc_title": ("Descriptive statistics and correlations of scale scores", "量表得分的描述统计与相关系数"),
    "st_desc_note": ("Pearson correlations (pairwise complete); Cronbach's alpha on the diagonal. "
                     "* p < .05, ** p < .01, *** p < .001.",
                     "Pearson相关系数（成对删除）；对角线为Cronbach's α系数。* p < .05，** p < .01，*** p < .001。"),
}
