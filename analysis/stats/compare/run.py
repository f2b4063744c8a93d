"""The steps of :func:`avoid_survey.analysis.stats.compare.compare`: resolve the variables
(columns or scale scores), split them by group, run the registered test of each."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import AvoidSurveyError, AvoidSurveyWarning, warn
from ...core.i18n import tr
from . import TESTS, CompareResult, TestResult
from .groups import check_columns, code_of, group_label, group_levels, numeric_column

__all__ = ["run_all"]

CATEGORICAL = ("categorical", "ordinal", "boolean")
NAN = float("nan")


@dataclass
class Case:
    """One variable to test: its values, the grouping, labels and where warnings go."""

    variable: str
    label: str
    values: object            # pandas Series (numbers, or codes for chi-square)
    groups: object            # pandas Series of group codes (None for paired)
    levels: list
    level_labels: list
    categorical: bool
    fmt: object               # the variable's response format (value labels) or None
    lang: str
    level: float
    sink: list

    def arrays(self, test: str) -> list:
        """Per group with answers the non-missing values as float arrays (groups without
        any are left out, as R drops empty factor levels; fewer than two groups left stops
        the run); ``self.levels`` and ``self.level_labels`` keep the groups used."""
        x = numeric_column(self.values.to_frame(), self.values.name, test)
        ok = x.notna() & self.groups.notna()
        out = [x[ok & (self.groups == g)].to_numpy(dtype=float) for g in self.levels]
        keep = [i for i, a in enumerate(out) if len(a)]
        if len(keep) < 2:
            raise AvoidSurveyError(f"'{self.variable}' has values in fewer than two groups of the --by column",
                                   column=self.variable)
        self.levels = [self.levels[i] for i in keep]
        self.level_labels = [self.level_labels[i] for i in keep]
        out = [out[i] for i in keep]
        small = [lab for lab, a in zip(self.level_labels, out) if len(a) < 2]
        if small:
            warn(tr("cmp_small_group", self.lang).format(v=self.variable, g=", ".join(small)), AvoidSurveyWarning,
                 sink=self.sink)
        return out

    def group_rows(self, arrays, extra=None) -> tuple:
        from .means import summary

        rows = []
        for k, (g, lab, a) in enumerate(zip(self.levels, self.level_labels, arrays)):
            s = summary(a)
            row = {"group": g, "label": lab, "n": s["n"], "mean": s["mean"], "sd": s["sd"]}
            if extra:
                row.update(extra[k])
            rows.append(row)
        return tuple(rows)

    def result(self, test, **kw) -> TestResult:
        return TestResult(variable=self.variable, label=self.label, test=test, **kw)


# ----------------------------------------------------------------- the tests
def _need_groups(case: Case, test: str, k: int | None) -> None:
    if k is not None and len(case.levels) != k:
        raise AvoidSurveyError(f"--test {test} compares exactly {k} groups; '{case.variable}' has "
                               f"{len(case.levels)} groups of the --by column (use anova, welch_anova or kruskal)")


def _two_means(case: Case, test: str) -> TestResult:
    from .means import levene, student_t, welch_t

    _need_groups(case, test, 2)
    a = case.arrays(test)
    _need_groups(case, test, 2)
    st, we = student_t(*a, level=case.level), welch_t(*a, level=case.level)
    main = st if test == "t" else we
    keep = ("statistic", "df", "p", "mean_difference", "se", "ci_lower", "ci_upper")
    return case.result(test, statistic_name="t", statistic=main["statistic"], df=main["df"], p=main["p"],
                       effect_size=st["d"], effect_size_name="cohens_d", effect_size_ci=st["d_ci"],
                       groups=case.group_rows(a), warnings=tuple(case.sink),
                       details={"mean_difference": main["mean_difference"], "ci_lower": main["ci_lower"],
                                "ci_upper": main["ci_upper"], "levene": levene(a),
                                "student": {k: st[k] for k in keep}, "welch": {k: we[k] for k in keep}})


def run_t(case):
    return _two_means(case, "t")


def run_welch(case):
    return _two_means(case, "welch")


def _oneway(case: Case, test: str) -> TestResult:
    from .means import anova, levene, welch_anova
    from .posthoc import games_howell, tukey_hsd

    a = case.arrays(test)
    av, wa = anova(a), welch_anova(a)
    main = av if test == "anova" else wa
    post = ()
    if all(len(x) >= 2 for x in a):
        post = tuple(tukey_hsd(a, case.levels, av["ms_within"], av["df2"], case.level)
                     + games_howell(a, case.levels, case.level))
    return case.result(test, statistic_name="F", statistic=main["statistic"], df=main["df"], df2=main["df2"],
                       p=main["p"], effect_size=av["eta_squared"], effect_size_name="eta_squared",
                       groups=case.group_rows(a), post_hoc=post, warnings=tuple(case.sink),
                       details={"omega_squared": av["omega_squared"], "levene": levene(a),
                                "anova": {k: av[k] for k in ("statistic", "df", "df2", "p")}, "welch_anova": wa})


def run_anova(case):
    return _oneway(case, "anova")


def run_welch_anova(case):
    return _oneway(case, "welch_anova")


def run_chisq(case: Case) -> TestResult:
    from .counts import chisq, crosstab

    ok = case.values.notna() & case.groups.notna()
    vals = case.values[ok].map(code_of)
    grp = case.groups[ok]
    vlevels = sorted(vals.unique().tolist(), key=lambda c: (isinstance(c, str), c))
    levels = [g for g in case.levels if (grp == g).any()]
    if len(vlevels) < 2 or len(levels) < 2:
        raise AvoidSurveyError(f"chi-square needs at least two values of '{case.variable}' and two groups "
                               f"(found {len(vlevels)} and {len(levels)})", column=case.variable)
    table = crosstab(grp.tolist(), vals.tolist(), levels, vlevels)
    res = chisq(table)
    if res["expected_below_5"]:
        warn(tr("cmp_expected_below_5", case.lang).format(v=case.variable, k=res["expected_below_5"],
                                                           share=100 * res["expected_below_5_share"],
                                                           m=res["min_expected"]),
             AvoidSurveyWarning, sink=case.sink)
    labels = [case.level_labels[case.levels.index(g)] for g in levels]
    cross = [{"group": g, "value": v, "label": group_label(case.fmt, v, case.lang), "n": int(table[i, j]),
              "expected": float(res["expected"][i, j])}
             for i, g in enumerate(levels) for j, v in enumerate(vlevels)]
    groups = tuple({"group": g, "label": lab, "n": int(table[i].sum()), "mean": None, "sd": None}
                   for i, (g, lab) in enumerate(zip(levels, labels)))
    details = {k: res[k] for k in ("expected_below_5", "expected_below_5_share", "min_expected") if k in res}
    details.update({k: res[k] for k in ("yates", "fisher") if k in res})
    details["n"] = res["n"]
    details["crosstab"] = cross
    return case.result("chisq", statistic_name="chi2", statistic=res["statistic"], df=res["df"], p=res["p"],
                       effect_size=res["cramers_v"], effect_size_name="cramers_v", groups=groups,
                       warnings=tuple(case.sink), details=details)


def _rank_rows(a):
    import numpy as np

    from .ranks import mean_ranks

    mr = mean_ranks(a) if sum(len(x) for x in a) else [NAN] * len(a)
    return [{"median": float(np.median(x)) if len(x) else NAN, "mean_rank": r} for x, r in zip(a, mr)]


def run_mannwhitney(case: Case) -> TestResult:
    from .ranks import mann_whitney

    _need_groups(case, "mannwhitney", 2)
    a = case.arrays("mannwhitney")
    res = mann_whitney(*a)
    return case.result("mannwhitney", statistic_name="W", statistic=res["statistic"], df=None, p=res["p"],
                       effect_size=res["r"], effect_size_name="r", groups=case.group_rows(a, _rank_rows(a)),
                       warnings=tuple(case.sink), details={"z": res["z"]})


def run_kruskal(case: Case) -> TestResult:
    from .ranks import kruskal

    a = case.arrays("kruskal")
    res = kruskal(a)
    return case.result("kruskal", statistic_name="H", statistic=res["statistic"], df=res["df"], p=res["p"],
                       effect_size=res["eta_squared_h"], effect_size_name="eta_squared_h",
                       groups=case.group_rows(a, _rank_rows(a)), warnings=tuple(case.sink))


def run_paired(case: Case) -> TestResult:
    from .means import paired_t, summary

    x1, x2 = case.values
    ok = x1.notna() & x2.notna()
    a, b = x1[ok].to_numpy(dtype=float), x2[ok].to_numpy(dtype=float)
    if len(a) < 2:
        raise AvoidSurveyError(f"the paired test of '{case.variable}' needs at least two complete pairs")
    res = paired_t(a, b, level=case.level)
    groups = tuple({"group": name, "label": lab, **{k: summary(x)[k] for k in ("n", "mean", "sd")}}
                   for name, lab, x in zip(case.levels, case.level_labels, (a, b)))
    return case.result("paired", statistic_name="t", statistic=res["statistic"], df=res["df"], p=res["p"],
                       effect_size=res["d"], effect_size_name="cohens_dz", effect_size_ci=res["d_ci"],
                       groups=groups, warnings=tuple(case.sink),
                       details={k: res[k] for k in ("mean_difference", "se", "ci_lower", "ci_upper")})


def run_auto(case: Case) -> TestResult:
    if case.categorical:
        return run_chisq(case)
    return run_t(case) if len(case.levels) == 2 else run_anova(case)


# ----------------------------------------------------------------- variables
def _scores(data, instrument, names, min_items):
    """Scale and facet scores for the names that are scales of the instrument."""
    if instrument is None:
        return None
    ids = {s.id for s in instrument.all_scales()}
    wanted = [n for n in names if n in ids and n not in data.columns]
    if not wanted:
        return None
    from ..scoring import score_frame

    return score_frame(data, instrument, scales=wanted, min_items=min_items).scores


def _label_of(name, instrument, lang):
    if instrument is not None:
        for s in instrument.all_scales():
            if s.id == name:
                return s.name(lang)
        for v in instrument.variables:
            if v.id == name:
                return v.name(lang)
    return name


def _column(name, data, scores):
    if scores is not None and name in scores.columns and name not in data.columns:
        s = scores[name]
    else:
        s = data[name]
    return s.rename(name)


def _check_names(data, names, scores, what):
    have = set(data.columns) | (set(scores.columns) if scores is not None else set())
    missing = [n for n in names if n not in have]
    if missing:
        check_columns(data, missing, what)


def _is_categorical(series, fmt) -> bool:
    import pandas as pd

    if fmt is not None and fmt.type in CATEGORICAL:
        return True
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _paired_cases(data, variables, instrument, lang, min_items, level, sink):
    pairs = []
    for v in variables:
        parts = [p.strip() for p in v.split(":")]
        if len(parts) != 2 or not all(parts):
            raise AvoidSurveyError(f"--test paired takes pairs of variables written a:b, not '{v}'")
        pairs.append(parts)
    names = [n for p in pairs for n in p]
    scores = _scores(data, instrument, names, min_items)
    _check_names(data, names, scores, "--vars")
    cases = []
    for a, b in pairs:
        xa = numeric_column(_column(a, data, scores).to_frame(), a, "paired")
        xb = numeric_column(_column(b, data, scores).to_frame(), b, "paired")
        cases.append(Case(f"{a}:{b}", f"{_label_of(a, instrument, lang)} – {_label_of(b, instrument, lang)}",
                          (xa, xb), None, [a, b], [_label_of(a, instrument, lang), _label_of(b, instrument, lang)],
                          False, None, lang, level, list(sink)))
    return cases


def _group_cases(data, by, variables, instrument, lang, min_items, level, sink):
    levels, fmt = group_levels(data, by, instrument)
    labels = [group_label(fmt, g, lang) for g in levels]
    groups = data[by].map(lambda v: code_of(v) if v == v and v is not None else None)
    scores = _scores(data, instrument, variables, min_items)
    _check_names(data, variables, scores, "--vars")
    if by in variables:
        raise AvoidSurveyError(f"'{by}' is the --by column; it cannot also be compared", column=by)
    responses = instrument.responses() if instrument is not None else {}
    cases = []
    for v in variables:
        x = _column(v, data, scores)
        vfmt = responses.get(v)
        cases.append(Case(v, _label_of(v, instrument, lang), x, groups, levels, labels, _is_categorical(x, vfmt),
                          vfmt, lang, level, list(sink)))
    return cases


def run_all(data, *, by, variables, instrument, test, lang, min_items, level) -> CompareResult:
    from avoid_survey.instruments import load_instrument

    if instrument is not None:
        instrument = load_instrument(instrument)
    sink: list = []
    if test == "paired":
        cases = _paired_cases(data, variables, instrument, lang, min_items, level, sink)
    else:
        cases = _group_cases(data, by, variables, instrument, lang, min_items, level, sink)
    runner = TESTS.get(test)
    results = tuple(runner(c) for c in cases)
    by_label = _label_of(by, instrument, lang) if by else ""
    warnings = tuple(w for r in results for w in r.warnings)
    return CompareResult(by=by if test != "paired" else None, by_label=by_label if test != "paired" else "",
                         test=test, lang=lang, tests=results, warnings=warnings)
