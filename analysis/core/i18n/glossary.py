"""The field's standard Chinese terms, one spelling each (key: (en, zh)).

Every area uses these keys instead of spelling the term again, so 列表删除 is never
written 列删除 in one table and 列表删除 in another.
"""

TERMS = {
    "listwise_deletion": ("listwise deletion", "列表删除"),
    "pairwise_deletion": ("pairwise deletion", "成对删除"),
    "standardized_coefficient": ("standardized coefficient", "标准化系数"),
    "composite_reliability": ("composite reliability", "组合信度"),
    "average_variance_extracted": ("average variance extracted", "平均方差抽取量"),
}
