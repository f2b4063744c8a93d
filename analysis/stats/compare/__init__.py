"""Group comparisons (``avoid-survey compare``): t tests, ANOVA, chi-square and rank tests.

:func:`compare` is the entry point; the tests it can run are the entries of
:data:`TESTS` (one registry: the command line reads its choices from it). The numbers
come from :mod:`.means`, :mod:`.posthoc`, :mod:`.counts` and :mod:`.ranks`, each checked
against R 4.2 in tests/reference/compare.R.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError
from ...core.registry import Registry

__all__ = ["compare", "CompareResult", "TestResult", "TESTS"]

TESTS = Registry("test")
_R = "avoid_survey.analysis.stats.compare.run"
TESTS.register("auto", f"{_R}:run_auto", kind="auto")
TESTS.register("t", f"{_R}:run_t", kind="means", groups=2)
TESTS.register("welch", f"{_R}:run_welch", kind="means", groups=2)
TESTS.register("anova", f"{_R}:run_anova", kind="means")
TESTS.register("welch_anova", f"{_R}:run_welch_anova", kind="means")
TESTS.register("chisq", f"{_R}:run_chisq", kind="counts")
TESTS.register("mannwhitney", f"{_R}:run_mannwhitney", kind="ranks", groups=2)
TESTS.register("kruskal", f"{_R}:run_kruskal", kind="ranks")
TESTS.register("paired", f"{_R}:run_paired", kind="paired")


@dataclass(frozen=True)
class TestResult:
    """One test of one variable across the groups (or of one pair of variables).

    ``df2`` is the denominator df of an F test (null otherwise); ``groups`` holds per
    group {group, label, n, mean, sd} (rank tests add median and mean_rank; chi-square
    the counts); ``post_hoc`` the pairwise rows of :mod:`.posthoc`; ``details`` the other
    numbers of the test (Levene, the Student and Welch versions, Fisher's p ...).
    """

    __test__ = False  # not a pytest class

    variable: str
    label: str
    test: str
    statistic_name: str
    statistic: float
    df: float | None
    p: float
    effect_size: float
    effect_size_name: str
    groups: tuple
    df2: float | None = None
    effect_size_ci: tuple | None = None
    post_hoc: tuple = ()
    details: dict = field(default_factory=dict)
    warnings: tuple = ()

    def to_dict(self) -> dict:
        out = {"variable": self.variable, "label": self.label, "test": self.test,
               "statistic_name": self.statistic_name, "statistic": self.statistic, "df": self.df,
               "df2": self.df2, "p": self.p, "effect_size": self.effect_size,
               "effect_size_name": self.effect_size_name,
               "effect_size_ci": None if self.effect_size_ci is None else list(self.effect_size_ci),
               "groups": [dict(g) for g in self.groups], "post_hoc": [dict(r) for r in self.post_hoc]}
        out.update(self.details)
        out["warnings"] = [str(w) for w in self.warnings]
        return out


@dataclass(frozen=True)
class CompareResult:
    """What :func:`compare` returns; ``to_dict()`` is the ``--format json`` document."""

    by: str | None
    by_label: str
    test: str
    lang: str
    tests: tuple
    warnings: tuple = ()

    def to_dict(self) -> dict:
        return {"by": self.by, "by_label": self.by_label, "test": self.test,
                "tests": [t.to_dict() for t in self.tests],
                "warnings": [str(w) for w in self.warnings]}

    def to_tables(self, lang: str | None = None) -> list:
        from ...tables.compare import build_tables

        return build_tables(self, lang or self.lang)


def compare(data, *, by: str | None, variables, instrument=None, test: str = "auto", lang: str = "en",
            min_items: float = 0.8, level: float = 0.95) -> CompareResult:
    """Compare ``variables`` across the groups of ``by``.

    Parameters
    ----------
    data : pandas.DataFrame (``io.read_data``); not modified
    by : grouping column (value labels from the instrument); not used by ``paired``
    variables : columns, or scale and facet ids of ``instrument`` (scored as ``score``
        does); for ``paired``, pairs written ``a:b`` (columns or scales)
    test : {'auto', 't', 'welch', 'anova', 'welch_anova', 'chisq', 'mannwhitney',
        'kruskal', 'paired'}
        'auto': chi-square for a categorical variable (categorical, ordinal or boolean in
        the instrument, or text), else Student's t for two groups and one-way ANOVA for
        more. t and ANOVA rows always carry Levene's test (center = median) and the Welch
        version; ANOVA rows carry Tukey HSD and Games-Howell comparisons.
    lang : language of the group labels ('zh' or 'en')
    level : confidence level of the intervals

    Returns
    -------
    CompareResult; statistics at full precision, effect sizes: Cohen's d (pooled SD) or
    d_z (paired) with a noncentral-t CI, eta^2 (omega^2 in the details), Cramér's V,
    r = |z| / sqrt(N) (Mann-Whitney), eta^2_H (Kruskal-Wallis).
    """
    from .run import run_all

    if test not in TESTS:
        raise AvoidSurveyError(f"--test must be one of {', '.join(TESTS.names())}, not '{test}'")
    if not variables:
        raise AvoidSurveyError("--vars names no variable")
    if test != "paired" and not by:
        raise AvoidSurveyError("compare needs --by COL (the grouping column)")
    if not 0 < level < 1:
        raise AvoidSurveyError("the confidence level must be between 0 and 1")
    return run_all(data, by=by, variables=list(variables), instrument=instrument, test=test, lang=lang,
                   min_items=min_items, level=level)
