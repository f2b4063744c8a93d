"""One-line summaries of the commands for ``--help`` (shown in both languages). key: (en, zh)."""

TERMS = {
    "cli_help_instruments": ("Bundled and user instruments: list, show, export, coverage", "问卷：查看、导出编码手册与空白模板"),
    "cli_help_validate": ("Check a response file before analysis", "数据质量检查：结构、取值、缺失与不认真作答"),
    "cli_help_score": ("Scale and facet scores, township means", "计算量表与维度得分（可按单位汇总）"),
    "cli_help_reliability": ("Alpha, omega and item statistics", "信度分析：α、ω 系数与条目统计"),
    "cli_help_efa": ("Exploratory factor analysis with parallel analysis", "探索性因子分析：KMO、Bartlett、平行分析、旋转载荷"),
    "cli_help_cfa": ("Confirmatory factor analysis, CR/AVE, HTMT, invariance", "验证性因子分析：拟合指标、组合信度、AVE、HTMT、测量不变性"),
    "cli_help_sem": ("Structural equation models (lavaan syntax)", "结构方程模型（lavaan 语法）"),
    "cli_help_cmv": ("Common-method variance checks", "共同方法偏差检验：Harman、单因子模型、ULMC、标记变量"),
    "cli_help_model": ("The regressions, mediation and multilevel models of a spec", "回归、中介、调节与多层模型（按设定文件）"),
    "cli_help_simulate": ("Synthetic responses from a known model", "按已知模型模拟问卷数据（示例数据与功效分析）"),
    "cli_help_experiment": ("Survey experiments: vignettes and conjoint", "调查实验：情境实验与联合分析"),
    "cli_help_report": ("One Word or HTML report of a study", "生成研究报告（Word 或 HTML，三线表）"),
    "cli_help_describe": ("Sample profile, descriptives and correlations", "样本基本特征、描述统计与相关分析"),
    "cli_help_compare": ("t tests, ANOVA, chi-square and rank tests by group", "差异检验：t 检验、方差分析、卡方检验与秩和检验"),
}
