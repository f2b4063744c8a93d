"""From parsed syntax to a parameter table and LISREL-style matrices, with lavaan::cfa defaults.

For each group g the model-implied moments are::

    A     = (I - B)^-1
    Sigma = Lambda A Psi A' Lambda' + Theta
    mu    = nu + Lambda A alpha                    (only with a mean structure)

``Lambda`` (p x m) holds loadings of items, ``B`` (m x m) loadings of first-order factors on
second-order factors, ``Psi`` (m x m) factor (residual) variances and covariances, ``Theta``
(p x p) residual variances and covariances, ``nu`` item intercepts, ``alpha`` factor means.

Defaults as ``lavaan::cfa``: the first loading of each factor fixed to 1 (unless ``std_lv``,
which fixes factor variances to 1 and frees every loading), residual variances free,
covariances among exogenous factors free, everything else as written. With several groups
the same pattern holds in every group; ``group_equal`` ``"loadings"`` / ``"intercepts"`` makes
those parameters equal across groups; with equal intercepts the factor means are free in
every group after the first (lavaan's ``group.equal`` rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError
from .syntax import Statement

__all__ = ["ParRow", "CFAModel", "build_model"]


@dataclass
class ParRow:
    """One row of the parameter table (one group)."""

    lhs: str
    op: str          # '=~', '~~', '~1'
    rhs: str
    group: int
    mat: str         # lambda, beta, psi, theta, nu, alpha
    i: int
    j: int
    free: int        # index into the free-parameter vector, -1 when fixed
    value: float     # fixed value (or start value when free)
    label: str | None = None
    user: bool = False


@dataclass
class CFAModel:
    ov: list
    lv: list
    n_groups: int
    rows: list
    npar: int
    meanstructure: bool
    std_lv: bool
    group_equal: tuple
    first_order: dict = field(default_factory=dict)   # factor -> its items
    higher_order: dict = field(default_factory=dict)  # factor -> its factors

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def m(self) -> int:
        return len(self.lv)

    def free_rows(self):
        """First row of each free parameter (labels/equalities share an index)."""
        seen = {}
        for r in self.rows:
            if r.free >= 0 and r.free not in seen:
                seen[r.free] = r
        return [seen[k] for k in range(self.npar)]


def build_model(statements: list[Statement], columns, *, n_groups: int = 1, std_lv: bool = False,
                group_equal=(), meanstructure: bool | None = None, file=None) -> CFAModel:
    """Parameter table of a CFA as lavaan::cfa would set it up.

    Parameters
    ----------
    statements : from :func:`avoid_survey.analysis.stats.cfa.syntax.parse_model`
    columns : names of the data columns (unknown observed variables are an error)
    n_groups : number of groups
    std_lv : fix factor variances to 1 instead of the first loadings
    group_equal : subset of {"loadings", "intercepts"}
    meanstructure : default: True when n_groups > 1
    """
    columns = list(columns)
    colset = set(columns)
    group_equal = tuple(group_equal)
    bad = [g for g in group_equal if g not in ("loadings", "intercepts")]
    if bad:
        raise AvoidSurveyError(f"unsupported group_equal '{bad[0]}' (use loadings, intercepts)")
    if meanstructure is None:
        meanstructure = n_groups > 1

    lv: list[str] = []
    for s in statements:
        if s.op == "=~" and s.lhs not in lv:
            lv.append(s.lhs)
    lvset = set(lv)
    ov: list[str] = []
    indicators: dict[str, list] = {f: [] for f in lv}
    for s in statements:
        names = [t.name for t in s.terms] + ([s.lhs] if s.op == "~~" else [])
        for nm in names:
            if nm in lvset:
                continue
            if nm not in colset:
                raise AvoidSurveyError(f"unknown variable '{nm}': it is neither a column of the data nor a factor "
                                       f"defined with '=~'", file=file, line=s.line)
            if nm not in ov:
                ov.append(nm)
        if s.op == "=~":
            for t in s.terms:
                if t.name == s.lhs:
                    raise AvoidSurveyError(f"factor '{s.lhs}' cannot load on itself", file=file, line=s.line)
                if any(t.name == u.name for u, _ in indicators[s.lhs]):
                    raise AvoidSurveyError(f"'{t.name}' is listed twice as an indicator of '{s.lhs}'",
                                           file=file, line=s.line)
                indicators[s.lhs].append((t, s.line))
    # order of the higher-order structure: no cycles
    higher = {f: [t.name for t, _ in ind if t.name in lvset] for f, ind in indicators.items()}
    state: dict[str, int] = {}

    def visit(f, path):
        if state.get(f) == 2:
            return
        if state.get(f) == 1:
            raise AvoidSurveyError(f"factors load on each other in a circle: {' -> '.join(path + [f])}", file=file)
        state[f] = 1
        for h in higher[f]:
            visit(h, path + [f])
        state[f] = 2

    for f in lv:
        visit(f, [])
    endo = {t.name for ind in indicators.values() for t, _ in ind if t.name in lvset}
    exo = [f for f in lv if f not in endo]
    ovi = {v: k for k, v in enumerate(ov)}
    lvi = {v: k for k, v in enumerate(lv)}

    rows: list[ParRow] = []
    # ---- one group's pattern, as (key, ParRow template, how fixed) with key for equality
    def add(lhs, op, rhs, mat, i, j, free, value, label=None, user=False):
        rows.append(ParRow(lhs, op, rhs, -1, mat, i, j, -2 if free else -1, value, label, user))

    user_cov: dict[tuple, tuple] = {}
    for s in statements:
        if s.op != "~~":
            continue
        for t in s.terms:
            a, b = s.lhs, t.name
            if (a in lvset) != (b in lvset):
                raise AvoidSurveyError(f"'{a} ~~ {b}' mixes a factor and an observed variable", file=file, line=s.line)
            key = tuple(sorted((a, b))) if a != b else (a, a)
            if key in user_cov:
                raise AvoidSurveyError(f"'{a} ~~ {b}' is given twice", file=file, line=s.line)
            user_cov[key] = (a, b, t, s.line)

    for f in lv:
        ind = indicators[f]
        for k, (t, line) in enumerate(ind):
            mat = "beta" if t.name in lvset else "lambda"
            i = lvi[t.name] if mat == "beta" else ovi[t.name]
            if t.fixed is not None:
                free, val = False, t.fixed
            elif t.free:
                free, val = True, 1.0
            elif k == 0 and not std_lv:
                free, val = False, 1.0
            else:
                free, val = True, 1.0
            add(f, "=~", t.name, mat, i, lvi[f], free, val, t.label, True)

    def cov_default(a, b, mat, i, j, default_free, default_val):
        key = tuple(sorted((a, b))) if a != b else (a, a)
        if key in user_cov:
            ua, ub, t, line = user_cov.pop(key)
            if t.fixed is not None:
                add(ua, "~~", ub, mat, i, j, False, t.fixed, t.label, True)
            else:
                add(ua, "~~", ub, mat, i, j, True, default_val if default_val != 0 else 0.0, t.label, True)
        elif default_free is not None:
            add(a, "~~", b, mat, i, j, default_free, default_val)

    for v in ov:
        cov_default(v, v, "theta", ovi[v], ovi[v], True, 0.0)
    for f in lv:
        cov_default(f, f, "psi", lvi[f], lvi[f], not std_lv, 1.0 if std_lv else 0.05)
    for a_i, a in enumerate(exo):
        for b in exo[a_i + 1:]:
            cov_default(a, b, "psi", lvi[b], lvi[a], True, 0.0)
    for (a, b), (ua, ub, t, line) in list(user_cov.items()):
        if a in lvset:
            cov_default(ua, ub, "psi", max(lvi[ua], lvi[ub]), min(lvi[ua], lvi[ub]), None, 0.0)
        else:
            cov_default(ua, ub, "theta", max(ovi[ua], ovi[ub]), min(ovi[ua], ovi[ub]), None, 0.0)
    if meanstructure:
        for v in ov:
            add(v, "~1", "", "nu", ovi[v], 0, True, 0.0)
        for f in lv:
            add(f, "~1", "", "alpha", lvi[f], 0, False, 0.0)

    # ---- identification of scale, before anything is estimated
    for f in lv:
        has_fixed_loading = any(r.lhs == f and r.op == "=~" and r.free == -1 and r.value != 0 for r in rows)
        var_fixed = any(r.lhs == f and r.rhs == f and r.op == "~~" and r.free == -1 for r in rows)
        if not has_fixed_loading and not var_fixed:
            raise AvoidSurveyError(f"factor '{f}' has no scale: fix one loading (1*item) or its variance "
                                   f"({f} ~~ 1*{f})", file=file)
        n_ind = len(indicators[f])
        if n_ind == 1:
            t = indicators[f][0][0]
            resid_fixed = t.name in lvset or any(r.lhs == t.name and r.rhs == t.name and r.free == -1 for r in rows)
            if not resid_fixed:
                raise AvoidSurveyError(f"factor '{f}' has only one indicator ('{t.name}'): the model is not identified "
                                       f"unless its residual variance is fixed ({t.name} ~~ 0*{t.name})",
                                       file=file, line=indicators[f][0][1])

    # ---- replicate per group and number the free parameters
    template = rows
    rows = []
    index: dict = {}
    npar = 0
    for g in range(n_groups):
        for r in template:
            nr = ParRow(r.lhs, r.op, r.rhs, g, r.mat, r.i, r.j, -1, r.value, r.label, r.user)
            if r.free == -2 or (r.mat == "alpha" and g > 0 and "intercepts" in group_equal):
                if r.mat == "alpha":
                    nr.value = 0.0
                if r.label:
                    key = ("label", r.label)
                elif r.op == "=~" and "loadings" in group_equal:
                    key = ("eq", r.mat, r.i, r.j)
                elif r.mat == "nu" and "intercepts" in group_equal:
                    key = ("eq", r.mat, r.i, r.j)
                else:
                    key = ("own", g, r.mat, r.i, r.j)
                if key not in index:
                    index[key] = npar
                    npar += 1
                nr.free = index[key]
            elif (std_lv and g > 0 and "loadings" in group_equal and r.mat == "psi" and r.i == r.j
                  and not r.user):
                # lavaan frees factor variances in later groups when std.lv meets equal loadings
                key = ("own", g, r.mat, r.i, r.j)
                index[key] = npar
                nr.free = npar
                npar += 1
            rows.append(nr)
    labels_fixed = {r.label for r in rows if r.label and r.free == -1}
    labels_free = {r.label for r in rows if r.label and r.free >= 0}
    both = labels_fixed & labels_free
    if both:
        raise AvoidSurveyError(f"label '{sorted(both)[0]}' is given to a fixed and a free parameter", file=file)

    first = {f: [t.name for t, _ in indicators[f] if t.name not in lvset] for f in lv}
    first = {f: v for f, v in first.items() if v}
    high = {f: [t.name for t, _ in indicators[f] if t.name in lvset] for f in lv}
    high = {f: v for f, v in high.items() if v}
    return CFAModel(ov, lv, n_groups, rows, npar, meanstructure, std_lv, group_equal, first, high)
