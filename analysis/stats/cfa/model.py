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


def _variables(statements, colset, file):
    """Latent names, observed names (in order of appearance) and each factor's indicators."""
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
    return lv, ov, indicators


def _check_cycles(lv, indicators, file):
    """Factors may not load on each other in a circle."""
    lvset = set(lv)
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


def _user_covariances(statements, lvset, file) -> dict:
    """The '~~' terms written by the user, keyed by the sorted pair of names."""
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
    return user_cov


class _Pattern:
    """The rows of one group's parameter table, with lavaan::cfa's defaults."""

    def __init__(self, lv, ov, indicators, user_cov, std_lv):
        self.lv, self.ov, self.indicators, self.user_cov, self.std_lv = lv, ov, indicators, user_cov, std_lv
        self.lvset = set(lv)
        self.ovi = {v: k for k, v in enumerate(ov)}
        self.lvi = {v: k for k, v in enumerate(lv)}
        self.rows: list[ParRow] = []

    def add(self, lhs, op, rhs, mat, i, j, free, value, label=None, user=False):
        self.rows.append(ParRow(lhs, op, rhs, -1, mat, i, j, -2 if free else -1, value, label, user))

    def loadings(self):
        for f in self.lv:
            for k, (t, line) in enumerate(self.indicators[f]):
                mat = "beta" if t.name in self.lvset else "lambda"
                i = self.lvi[t.name] if mat == "beta" else self.ovi[t.name]
                if t.fixed is not None:
                    free, val = False, t.fixed
                elif t.free:
                    free, val = True, 1.0
                elif k == 0 and not self.std_lv:
                    free, val = False, 1.0
                else:
                    free, val = True, 1.0
                self.add(f, "=~", t.name, mat, i, self.lvi[f], free, val, t.label, True)

    def cov(self, a, b, mat, i, j, default_free, default_val):
        key = tuple(sorted((a, b))) if a != b else (a, a)
        if key in self.user_cov:
            ua, ub, t, line = self.user_cov.pop(key)
            if t.fixed is not None:
                self.add(ua, "~~", ub, mat, i, j, False, t.fixed, t.label, True)
            else:
                self.add(ua, "~~", ub, mat, i, j, True, default_val if default_val != 0 else 0.0, t.label, True)
        elif default_free is not None:
            self.add(a, "~~", b, mat, i, j, default_free, default_val)

    def covariances(self):
        endo = {t.name for ind in self.indicators.values() for t, _ in ind if t.name in self.lvset}
        exo = [f for f in self.lv if f not in endo]
        ovi, lvi = self.ovi, self.lvi
        for v in self.ov:
            self.cov(v, v, "theta", ovi[v], ovi[v], True, 0.0)
        for f in self.lv:
            self.cov(f, f, "psi", lvi[f], lvi[f], not self.std_lv, 1.0 if self.std_lv else 0.05)
        for a_i, a in enumerate(exo):
            for b in exo[a_i + 1:]:
                self.cov(a, b, "psi", lvi[b], lvi[a], True, 0.0)
        for (a, b), (ua, ub, t, line) in list(self.user_cov.items()):
            if a in self.lvset:
                self.cov(ua, ub, "psi", max(lvi[ua], lvi[ub]), min(lvi[ua], lvi[ub]), None, 0.0)
            else:
                self.cov(ua, ub, "theta", max(ovi[ua], ovi[ub]), min(ovi[ua], ovi[ub]), None, 0.0)

    def means(self):
        for v in self.ov:
            self.add(v, "~1", "", "nu", self.ovi[v], 0, True, 0.0)
        for f in self.lv:
            self.add(f, "~1", "", "alpha", self.lvi[f], 0, False, 0.0)


def _check_scale(lv, indicators, rows, file):
    """Every factor has a scale; a one-indicator factor needs its residual variance fixed."""
    lvset = set(lv)
    for f in lv:
        has_fixed_loading = any(r.lhs == f and r.op == "=~" and r.free == -1 and r.value != 0 for r in rows)
        var_fixed = any(r.lhs == f and r.rhs == f and r.op == "~~" and r.free == -1 for r in rows)
        if not has_fixed_loading and not var_fixed:
            raise AvoidSurveyError(f"factor '{f}' has no scale: fix one loading (1*item) or its variance "
                                   f"({f} ~~ 1*{f})", file=file)
        if len(indicators[f]) == 1:
            t = indicators[f][0][0]
            resid_fixed = t.name in lvset or any(r.lhs == t.name and r.rhs == t.name and r.free == -1 for r in rows)
            if not resid_fixed:
                raise AvoidSurveyError(f"factor '{f}' has only one indicator ('{t.name}'): the model is not identified "
                                       f"unless its residual variance is fixed ({t.name} ~~ 0*{t.name})",
                                       file=file, line=indicators[f][0][1])


def _equality_key(r, g, group_equal):
    if r.label:
        return ("label", r.label)
    if r.op == "=~" and "loadings" in group_equal:
        return ("eq", r.mat, r.i, r.j)
    if r.mat == "nu" and "intercepts" in group_equal:
        return ("eq", r.mat, r.i, r.j)
    return ("own", g, r.mat, r.i, r.j)


def replicate_groups(template, n_groups, group_equal, std_lv, file=None):
    """The pattern in every group, free parameters numbered (shared labels and group
    equalities share a number); returns (rows, npar)."""
    rows = []
    index: dict = {}
    npar = 0
    for g in range(n_groups):
        for r in template:
            nr = ParRow(r.lhs, r.op, r.rhs, g, r.mat, r.i, r.j, -1, r.value, r.label, r.user)
            if r.free == -2 or (r.mat == "alpha" and g > 0 and "intercepts" in group_equal):
                if r.mat == "alpha":
                    nr.value = 0.0
                key = _equality_key(r, g, group_equal)
                if key not in index:
                    index[key] = npar
                    npar += 1
                nr.free = index[key]
            elif (std_lv and g > 0 and "loadings" in group_equal and r.mat == "psi" and r.i == r.j
                  and not r.user):
                # lavaan frees factor variances in later groups when std.lv meets equal loadings
                index[("own", g, r.mat, r.i, r.j)] = npar
                nr.free = npar
                npar += 1
            rows.append(nr)
    labels_fixed = {r.label for r in rows if r.label and r.free == -1}
    labels_free = {r.label for r in rows if r.label and r.free >= 0}
    both = labels_fixed & labels_free
    if both:
        raise AvoidSurveyError(f"label '{sorted(both)[0]}' is given to a fixed and a free parameter", file=file)
    return rows, npar


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
    group_equal = tuple(group_equal)
    bad = [g for g in group_equal if g not in ("loadings", "intercepts")]
    if bad:
        raise AvoidSurveyError(f"unsupported group_equal '{bad[0]}' (use loadings, intercepts)")
    if meanstructure is None:
        meanstructure = n_groups > 1
    lv, ov, indicators = _variables(statements, set(columns), file)
    _check_cycles(lv, indicators, file)
    pat = _Pattern(lv, ov, indicators, _user_covariances(statements, set(lv), file), std_lv)
    pat.loadings()
    pat.covariances()
    if meanstructure:
        pat.means()
    _check_scale(lv, indicators, pat.rows, file)
    rows, npar = replicate_groups(pat.rows, n_groups, group_equal, std_lv, file)
    lvset = set(lv)
    first = {f: [t.name for t, _ in indicators[f] if t.name not in lvset] for f in lv}
    first = {f: v for f, v in first.items() if v}
    high = {f: [t.name for t, _ in indicators[f] if t.name in lvset] for f in lv}
    high = {f: v for f, v in high.items() if v}
    return CFAModel(ov, lv, n_groups, rows, npar, meanstructure, std_lv, group_equal, first, high)
