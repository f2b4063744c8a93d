"""From SEM syntax to a parameter table and all-y LISREL matrices, with lavaan::sem defaults.

Observed variables that take part in a regression (``~``, either side) are carried by a
phantom latent of the same name (loading fixed to 1, residual variance fixed to 0), so every
regression is an entry of ``B`` and the implied moments stay those of the CFA engine::

    Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta,   mu = nu + Lambda (I - B)^-1 alpha

Defaults as ``lavaan::sem`` (0.6): the first loading of each factor fixed to 1 (or, with
``std_lv``, the latent variances), residual variances of every observed and latent variable
free, covariances among exogenous latent variables free, covariances among the "pure"
dependent variables (on the left of ``~`` only, not indicators) free, and observed exogenous
covariates (``fixed.x``) with their variances, covariances and means fixed to the sample
values. Shared labels make parameters equal; ``a == b`` does too and ``a == 0.5`` fixes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError
from ..cfa.model import CFAModel, ParRow

__all__ = ["SemRow", "SEMModel", "build_sem", "GROUP_EQUAL"]

GROUP_EQUAL = ("loadings", "intercepts", "regressions", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "means")


@dataclass
class SemRow(ParRow):
    kind: str = ""    # "" a model parameter; "phantom" (not shown); "fixedx" (sample value, no SE)
    start: float | None = None   # the user's starting value (``start(0.2)*x``) of a free parameter


@dataclass
class SEMModel(CFAModel):
    ov_x: list = field(default_factory=list)
    phantom: list = field(default_factory=list)
    endogenous: list = field(default_factory=list)   # names with an R²
    definitions: tuple = ()
    labels: dict = field(default_factory=dict)       # label -> index of a row holding it (group 1)


@dataclass
class _Roles:
    lv: list
    ov: list
    indicators: dict
    ov_x: list
    ov_y: list
    lv_x: list
    lv_y: list
    phantom: list


def _roles(statements, columns, file) -> _Roles:
    lv = []
    for s in statements:
        if s.op == "=~" and s.lhs not in lv:
            lv.append(s.lhs)
    lvset, colset = set(lv), set(columns)
    ov, indicators = [], {f: [] for f in lv}
    eqs_y, eqs_x = [], []
    for s in statements:
        names = [t.name for t in s.terms if t.name != "1"] + ([] if s.op == "=~" else [s.lhs])
        for nm in names:
            if nm in lvset:
                continue
            if nm not in colset:
                raise AvoidSurveyError(f"unknown variable '{nm}': it is neither a column of the data nor a latent "
                                       f"variable defined with '=~'", file=file, line=s.line)
            if nm not in ov:
                ov.append(nm)
        if s.op == "=~":
            for t in s.terms:
                if t.name == s.lhs:
                    raise AvoidSurveyError(f"latent variable '{s.lhs}' cannot load on itself", file=file, line=s.line)
                if any(t.name == u.name for u, _ in indicators[s.lhs]):
                    raise AvoidSurveyError(f"'{t.name}' is listed twice as an indicator of '{s.lhs}'",
                                           file=file, line=s.line)
                indicators[s.lhs].append((t, s.line))
        elif s.op == "~":
            eqs_y.append(s.lhs)
            eqs_x.extend(t.name for t in s.terms)
            for t in s.terms:
                if t.name == s.lhs:
                    raise AvoidSurveyError(f"'{s.lhs}' cannot be regressed on itself", file=file, line=s.line)
    ind = {t.name for v in indicators.values() for t, _ in v}
    ys, xs = set(eqs_y), set(eqs_x)
    ov_x = [v for v in ov if v in xs and v not in ys and v not in ind]
    ov_y = [v for v in ov if v in ys and v not in xs and v not in ind]
    lv_x = [f for f in lv if f not in ind and f not in ys]
    lv_y = [f for f in lv if f in ys and f not in xs and f not in ind]
    phantom = [v for v in ov if v in ys or v in xs]
    return _Roles(lv, ov, indicators, ov_x, ov_y, lv_x, lv_y, phantom)


class _Table:
    """One group's rows; ``where`` maps (mat, i, j) to the row so defaults do not repeat users."""

    def __init__(self, roles: _Roles, std_lv: bool):
        self.r, self.std_lv = roles, std_lv
        self.eta = roles.lv + roles.phantom            # the latent space: latents, then phantoms
        self.eta_i = {v: k for k, v in enumerate(self.eta)}
        self.ov_i = {v: k for k, v in enumerate(roles.ov)}
        self.rows: list[SemRow] = []
        self.where: dict = {}

    def add(self, lhs, op, rhs, mat, i, j, free, value, label=None, user=False, kind="", start=None):
        key = (mat, max(i, j), min(i, j)) if mat in ("psi", "theta") else (mat, i, j)
        if key in self.where:
            return self.where[key]
        row = SemRow(lhs, op, rhs, -1, mat, i, j, -2 if free else -1, value, label, user, kind, start)
        self.rows.append(row)
        self.where[key] = row
        return row

    def in_eta(self, name):
        return name in self.eta_i

    def user_term(self, lhs, op, rhs, mat, i, j, t, default_free, default_value, line, file):
        key = (mat, max(i, j), min(i, j)) if mat in ("psi", "theta") else (mat, i, j)
        if key in self.where:
            raise AvoidSurveyError(f"'{lhs} {op} {rhs}' is given twice", file=file, line=line)
        if t.fixed is not None:
            return self.add(lhs, op, rhs, mat, i, j, False, t.fixed, t.label, True)
        free = True if t.free else default_free
        if t.start is not None and not free:
            raise AvoidSurveyError(f"'{lhs} {op} {rhs}' is fixed: give it NA* to free it, or drop start()", file=file,
                                   line=line)
        return self.add(lhs, op, rhs, mat, i, j, free, default_value, t.label, True, start=t.start)


def _loadings(tb: _Table, s, file):
    for k, (t, line) in enumerate(tb.r.indicators[s.lhs]):
        if t not in s.terms:
            continue
        j = tb.eta_i[s.lhs]
        first = tb.r.indicators[s.lhs][0][0] is t and not tb.std_lv
        if tb.in_eta(t.name):
            tb.user_term(s.lhs, "=~", t.name, "beta", tb.eta_i[t.name], j, t, not first, 1.0, s.line, file)
        else:
            tb.user_term(s.lhs, "=~", t.name, "lambda", tb.ov_i[t.name], j, t, not first, 1.0, s.line, file)


def _user_rows(tb: _Table, statements, file):
    for s in statements:
        if s.op == "=~":
            _loadings(tb, s, file)
        elif s.op == "~":
            for t in s.terms:
                tb.user_term(s.lhs, "~", t.name, "beta", tb.eta_i[s.lhs], tb.eta_i[t.name], t, True, 0.0, s.line, file)
        elif s.op == "~~":
            for t in s.terms:
                a, b = s.lhs, t.name
                if tb.in_eta(a) and tb.in_eta(b):
                    mat, i, j = "psi", tb.eta_i[a], tb.eta_i[b]
                elif not tb.in_eta(a) and not tb.in_eta(b):
                    mat, i, j = "theta", tb.ov_i[a], tb.ov_i[b]
                else:
                    raise AvoidSurveyError(f"'{a} ~~ {b}' mixes a latent variable and an indicator; not supported",
                                           file=file, line=s.line)
                tb.user_term(a, "~~", b, mat, max(i, j), min(i, j), t, True, 0.0, s.line, file)
        elif s.op == "~1":
            t = s.terms[0]
            if s.lhs in tb.r.lv or s.lhs in tb.r.phantom:   # a phantom's intercept: its alpha (see below)
                tb.user_term(s.lhs, "~1", "", "alpha", tb.eta_i[s.lhs], 0, t, True, 0.0, s.line, file)
            else:
                tb.user_term(s.lhs, "~1", "", "nu", tb.ov_i[s.lhs], 0, t, True, 0.0, s.line, file)


def _default_rows(tb: _Table, meanstructure: bool):
    r, e, o = tb.r, tb.eta_i, tb.ov_i
    xset = set(r.ov_x)
    for v in r.ov:
        if v in r.phantom:
            tb.add(v, "phantom", v, "lambda", o[v], e[v], False, 1.0, kind="phantom")
            tb.add(v, "phantom", v, "theta", o[v], o[v], False, 0.0, kind="phantom")
            if v not in xset:
                tb.add(v, "~~", v, "psi", e[v], e[v], True, 0.0)
        else:
            tb.add(v, "~~", v, "theta", o[v], o[v], True, 0.0)
    for f in r.lv:
        tb.add(f, "~~", f, "psi", e[f], e[f], not tb.std_lv, 1.0 if tb.std_lv else 0.05)
    for k, a in enumerate(r.lv_x):
        for b in r.lv_x[k + 1:]:
            tb.add(a, "~~", b, "psi", e[b], e[a], True, 0.0)
    ys = r.lv_y + r.ov_y
    for k, a in enumerate(ys):
        for b in ys[k + 1:]:
            tb.add(a, "~~", b, "psi", max(e[a], e[b]), min(e[a], e[b]), True, 0.0)
    for k, a in enumerate(r.ov_x):
        for b in r.ov_x[k:]:
            tb.add(a, "~~", b, "psi", max(e[a], e[b]), min(e[a], e[b]), False, 0.0, kind="fixedx")
    if meanstructure:
        # a variable in a regression is carried by its phantom: its intercept (given its
        # regressors, as lavaan's 'y ~ 1') and a covariate's mean are the phantom's alpha, so
        # mu_y = alpha_y + B mu_x; an intercept in nu would be the marginal mean of y instead
        for v in r.ov:
            mat, k = ("alpha", e[v]) if v in r.phantom else ("nu", o[v])
            tb.add(v, "~1", "", mat, k, 0, v not in xset, 0.0, kind="fixedx" if v in xset else "")
        for f in r.lv:
            tb.add(f, "~1", "", "alpha", e[f], 0, False, 0.0)


def _check_scale(tb: _Table, file):
    rows = tb.rows
    for f in tb.r.lv:
        fixed_loading = any(x.lhs == f and x.op == "=~" and x.free == -1 and x.value != 0 for x in rows)
        var_fixed = any(x.lhs == f and x.rhs == f and x.op == "~~" and x.free == -1 for x in rows)
        if not fixed_loading and not var_fixed:
            raise AvoidSurveyError(f"latent variable '{f}' has no scale: fix one loading (1*item) or its variance "
                                   f"({f} ~~ 1*{f})", file=file)
        ind = tb.r.indicators[f]
        if len(ind) == 1:
            t = ind[0][0]
            resid_fixed = any(x.lhs == t.name and x.rhs == t.name and x.op == "~~" and x.free == -1 for x in rows)
            if not resid_fixed:
                raise AvoidSurveyError(f"latent variable '{f}' has only one indicator ('{t.name}'): the model is "
                                       f"not identified unless its residual variance is fixed "
                                       f"({t.name} ~~ 0*{t.name})", file=file, line=ind[0][1])


def _apply_constraints(rows, constraints, file):
    """``a == b``: b's parameters take a's number; ``a == 0.5``: a's parameters fixed."""
    labels = {r.label for r in rows if r.label}
    remap = {}
    for c in constraints:
        for lab in [c.lhs] + ([c.rhs] if isinstance(c.rhs, str) else []):
            if lab not in labels:
                raise AvoidSurveyError(f"'{lab}' in '{c.lhs} == {c.rhs}' is not a label of the model", file=file,
                                       line=c.line)
        a = next(r for r in rows if r.label == c.lhs)
        if isinstance(c.rhs, str):
            b = next(r for r in rows if r.label == c.rhs)
            if a.free < 0 or b.free < 0:
                raise AvoidSurveyError(f"'{c.lhs} == {c.rhs}' involves a fixed parameter", file=file, line=c.line)
            remap[b.free] = a.free
        else:
            for r in rows:
                if r.label == c.lhs:
                    r.free, r.value = -3, c.rhs
    for r in rows:
        while r.free in remap:
            r.free = remap[r.free]
    used = sorted({r.free for r in rows if r.free >= 0})
    new = {old: k for k, old in enumerate(used)}
    for r in rows:
        r.free = new[r.free] if r.free >= 0 else -1
    return len(used)


def _kind_of(r, phantom):
    """The group.equal class of a row, as lavaan names them."""
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "~1":
        return "means" if r.mat == "alpha" and r.lhs not in phantom else "intercepts"
    if r.op == "~~":
        latent = r.mat == "psi" and r.lhs not in phantom
        if r.lhs == r.rhs:
            return "lv.variances" if latent else "residuals"
        return "lv.covariances" if latent else "residual.covariances"
    return ""


def _replicate(template, n_groups, group_equal, partial, std_lv, phantom, file):
    """The pattern in every group, free parameters numbered: shared labels, and the classes of
    ``group_equal`` (except the rows in ``partial``) share a number across groups; with equal
    intercepts the latent means are free after the first group (lavaan's rule)."""
    rows, index, npar = [], {}, 0
    for g in range(n_groups):
        for r in template:
            nr = SemRow(r.lhs, r.op, r.rhs, g, r.mat, r.i, r.j, -1, r.value, r.label, r.user, r.kind, r.start)
            kind = _kind_of(r, phantom)
            free_mean = (r.mat == "alpha" and r.lhs not in phantom and g > 0 and r.free == -1 and not r.user
                         and "intercepts" in group_equal
                         and "means" not in group_equal)
            free_var = (std_lv and g > 0 and "loadings" in group_equal and r.mat == "psi" and r.i == r.j
                        and not r.user and r.lhs not in phantom)
            if r.free == -2 or free_mean or free_var:
                if r.label:
                    key = ("label", r.label)
                elif kind in group_equal and (r.lhs, r.op, r.rhs) not in partial and not free_mean and not free_var:
                    key = ("eq", r.mat, r.i, r.j)
                else:
                    key = ("own", g, r.mat, r.i, r.j)
                if key not in index:
                    index[key] = npar
                    npar += 1
                nr.free = index[key]
                if free_mean:
                    nr.value = 0.0
            rows.append(nr)
    labels_fixed = {r.label for r in rows if r.label and r.free == -1}
    both = labels_fixed & {r.label for r in rows if r.label and r.free >= 0}
    if both:
        raise AvoidSurveyError(f"label '{sorted(both)[0]}' is given to a fixed and a free parameter", file=file)
    return rows


def _check_partial(template, partial, file):
    """Every --group-partial term names a parameter of the model (a typo frees nothing silently)."""
    have = {(r.lhs, r.op, r.rhs) for r in template}
    for lhs, op, rhs in sorted(partial):
        if (lhs, op, rhs) not in have and (op != "~~" or (rhs, op, lhs) not in have):
            term = f"{lhs} ~ 1" if op == "~1" else f"{lhs} {op} {rhs}"
            raise AvoidSurveyError(f"--group-partial '{term}' matches no parameter of the model", file=file)


def parse_partial(text, file=None) -> set:
    """``"x3 ~1, visual =~ x9"`` -> {("x3", "~1", ""), ("visual", "=~", "x9")}."""
    import re

    out = set()
    for part in [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]:
        m = re.match(r"^([^\s=~]+)\s*(=~|~~|~)\s*(\S*)$", part)
        if m is None:
            raise AvoidSurveyError(f"cannot read '{part}' in --group-partial (write e.g. 'x3 ~ 1, visual =~ x9')",
                                   file=file)
        lhs, op, rhs = m.groups()
        if op == "~" and rhs == "1":
            op, rhs = "~1", ""
        out.add((lhs, op, rhs))
        if op == "~~":
            out.add((rhs, op, lhs))
    return out


def build_sem(syntax, columns, *, n_groups: int = 1, std_lv: bool = False, meanstructure: bool = False,
              group_equal=(), group_partial=(), file=None) -> SEMModel:
    """The parameter table of ``syntax`` (from :func:`.syntax.parse_sem`) as lavaan::sem sets it up.

    With groups: the same pattern in every group, a mean structure, and the parameter classes
    of ``group_equal`` (lavaan's names, see GROUP_EQUAL) equal across groups except the rows
    of ``group_partial``. Values of fixed.x rows are left at 0 here: :func:`set_fixed_x` fills
    them from each group's sample moments.
    """
    bad = [g for g in group_equal if g not in GROUP_EQUAL]
    if bad:
        raise AvoidSurveyError(f"unknown --group-equal '{bad[0]}' (use {', '.join(GROUP_EQUAL)})")
    statements = syntax.statements
    meanstructure = meanstructure or n_groups > 1 or any(s.op == "~1" for s in statements)
    roles = _roles(statements, columns, file)
    tb = _Table(roles, std_lv)
    _user_rows(tb, statements, file)
    _default_rows(tb, meanstructure)
    _check_scale(tb, file)
    _check_partial(tb.rows, group_partial, file)
    rows = _replicate(tb.rows, n_groups, tuple(group_equal), set(group_partial), std_lv, set(roles.phantom), file)
    npar = _apply_constraints(rows, syntax.constraints, file)
    lvset = set(roles.lv)
    first = {f: [t.name for t, _ in roles.indicators[f] if t.name not in lvset] for f in roles.lv}
    high = {f: [t.name for t, _ in roles.indicators[f] if t.name in lvset] for f in roles.lv}
    ind = {t.name for v in roles.indicators.values() for t, _ in v}
    regressed = {s.lhs for s in statements if s.op == "~"}
    endo = [v for v in roles.ov if v in ind or v in regressed] + [f for f in roles.lv if f in regressed or f in ind]
    labels = {}
    for k, r in enumerate(rows):
        if r.label and r.label not in labels:
            labels[r.label] = k
    _check_definitions(syntax.definitions, labels, file)
    model = SEMModel(roles.ov, tb.eta, n_groups, rows, npar, meanstructure, std_lv, tuple(group_equal),
                     {f: v for f, v in first.items() if v}, {f: v for f, v in high.items() if v},
                     ov_x=roles.ov_x, phantom=roles.phantom, endogenous=endo, definitions=syntax.definitions,
                     labels=labels)
    return model


def _check_definitions(definitions, labels, file):
    known = set(labels)
    for d in definitions:
        unknown = sorted(d.expr.names() - known)
        if unknown:
            raise AvoidSurveyError(f"'{unknown[0]}' in '{d.name} := {d.text}' is neither a label of the model nor "
                                   f"an earlier defined parameter", file=file, line=d.line)
        if d.name in labels:
            raise AvoidSurveyError(f"defined parameter '{d.name}' has the name of a label", file=file, line=d.line)
        known.add(d.name)


def set_fixed_x(model: SEMModel, groups) -> None:
    """Fill the fixed.x rows with each group's sample (co)variances and means."""
    idx = {v: k for k, v in enumerate(model.ov)}
    for r in model.rows:
        if r.kind != "fixedx":
            continue
        gd = groups[r.group]
        if r.op == "~1":
            r.value = float(gd.mean[idx[r.lhs]])
        else:
            r.value = float(gd.S[idx[r.lhs], idx[r.rhs]])
