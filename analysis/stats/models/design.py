"""Design matrices built with pandas/numpy from a parsed :class:`~.formula.Formula`.

Coding follows R's ``model.matrix`` with treatment contrasts: a categorical variable
``C(x, ref=r)`` becomes one 0/1 column per non-reference level, named ``x[level]``; an
interaction is the product of its factors' columns, named ``a:b`` (``a:x[level]``).
Rows with a missing value in any variable the model uses are dropped (listwise, as
``na.omit`` in R).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError
from .formula import Factor, Formula, term_name

__all__ = ["Design", "complete_frame", "build_design", "level_text", "categorical_levels"]


@dataclass(frozen=True)
class Design:
    y: object                 # 1-d float array (or None)
    X: object                 # 2-d float array
    names: list[str]          # column names ("Intercept" first when present)
    terms: list[str]          # term name of each column ("Intercept", "a", "a:b", "rank")
    index: object             # row index of the frame the design came from
    levels: dict = field(default_factory=dict)   # categorical var -> (levels, ref)
    intercept: bool = True


def level_text(v) -> str:
    """How a level is written in a column name: 1.0 -> '1', True -> 'True'."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _is_categorical_series(s) -> bool:
    import pandas as pd
    if isinstance(s.dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(s):
        return False
    return not pd.api.types.is_numeric_dtype(s)


def categorical_levels(s, ref=None, *, var: str, file=None, line=None):
    """Sorted levels of a series and the reference level (first one unless ``ref``)."""
    import pandas as pd
    vals = s.dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = [c for c in s.cat.categories if (vals == c).any()]
    else:
        uniq = pd.unique(vals)
        try:
            levels = sorted(uniq)
        except TypeError:
            levels = sorted(uniq, key=str)
    if not levels:
        raise AvoidSurveyError(f"categorical variable '{var}' has no non-missing values", file=file, line=line)
    if ref is None:
        return levels, levels[0]
    for lv in levels:
        if lv == ref or level_text(lv) == level_text(ref) or str(lv) == str(ref):
            return levels, lv
    shown = ", ".join(level_text(v) for v in levels[:12])
    raise AvoidSurveyError(f"reference level {ref!r} of '{var}' does not occur in the data (levels: {shown})",
                           file=file, line=line)


def complete_frame(data, variables, *, file=None, line=None, what="model"):
    """Rows of ``data`` with no missing value in ``variables`` (a new frame)."""
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise AvoidSurveyError(f"unknown variable '{missing[0]}' in {what}: not a data column, scale id or "
                               f"transform", file=file, line=line, column=missing[0])
    sub = data[list(dict.fromkeys(variables))]
    keep = sub.notna().all(axis=1)
    return data.loc[keep]


def _numeric(s, var, file, line):
    import pandas as pd
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy()
    try:
        return pd.to_numeric(s, errors="raise").astype(float).to_numpy()
    except (ValueError, TypeError):
        raise AvoidSurveyError(f"variable '{var}' is not numeric; write C({var}) to use it as categorical",
                               file=file, line=line, column=var) from None


def build_design(frame, formula: Formula, *, file=None, line=None, response=True) -> Design:
    """Design matrix of ``formula`` over ``frame`` (already complete cases).

    Returns a :class:`Design` with float arrays; raises AvoidSurveyError when a variable is
    unknown, not numeric where it must be, or when the columns are linearly dependent.
    """
    import numpy as np

    n = len(frame)
    for v in formula.variables:
        if v not in frame.columns:
            raise AvoidSurveyError(f"unknown variable '{v}' in formula {formula.text!r}: not a data column, "
                                   f"scale id or transform", file=file, line=line, column=v)
    # per-variable column blocks
    blocks: dict[tuple, tuple[list[str], list]] = {}
    levels = {}

    def factor_block(f: Factor):
        key = (f.var, f.categorical)
        if key in blocks:
            return blocks[key]
        s = frame[f.var]
        if f.categorical or _is_categorical_series(s):
            lv, ref = categorical_levels(s, f.ref, var=f.var, file=file, line=line)
            levels[f.var] = (lv, ref)
            names, cols = [], []
            vals = s.to_numpy()
            for level in lv:
                if level is ref or level == ref:
                    continue
                names.append(f"{f.var}[{level_text(level)}]")
                cols.append((vals == level).astype(float))
            if not cols:
                raise AvoidSurveyError(f"categorical variable '{f.var}' has only one level in the model's rows",
                                       file=file, line=line, column=f.var)
            blocks[key] = (names, cols)
        else:
            blocks[key] = ([f.var], [_numeric(s, f.var, file, line)])
        return blocks[key]

    names: list[str] = []
    cols: list = []
    terms: list[str] = []
    if formula.intercept:
        names.append("Intercept")
        cols.append(np.ones(n))
        terms.append("Intercept")
    for t in formula.terms:
        parts = [factor_block(f) for f in t]
        combos = [([], None)]
        for pnames, pcols in parts:
            new = []
            for cn, cv in combos:
                for nm, col in zip(pnames, pcols):
                    new.append((cn + [nm], col if cv is None else cv * col))
            combos = new
        for cn, cv in combos:
            names.append(":".join(cn))
            cols.append(cv)
            terms.append(term_name(t))
    X = np.column_stack(cols) if cols else np.empty((n, 0))
    y = None
    if response and formula.response:
        y = frame[formula.response]
    if n == 0:
        raise AvoidSurveyError("no complete rows left for the model (check missing values and filters)",
                               file=file, line=line)
    if X.shape[1]:
        _check_rank(X, names, file, line)
    return Design(y, X, names, terms, frame.index, levels, formula.intercept)


def _check_rank(X, names, file, line):
    import numpy as np
    if X.shape[0] < X.shape[1]:
        raise AvoidSurveyError(f"more coefficients ({X.shape[1]}) than complete rows ({X.shape[0]})",
                               file=file, line=line)
    scale = np.sqrt((X ** 2).sum(axis=0))
    scale[scale == 0] = 1.0
    Xs = X / scale
    # greedy column-by-column rank detection (like R's pivoting QR, in formula order)
    kept = []
    basis = None
    for j in range(Xs.shape[1]):
        col = Xs[:, j]
        if basis is not None:
            resid = col - basis @ (basis.T @ col)
            resid = resid - basis @ (basis.T @ resid)
        else:
            resid = col
        nr = np.linalg.norm(resid)
        if nr < 1e-7:
            others = ", ".join(names[k] for k in kept[-3:])
            raise AvoidSurveyError(f"column '{names[j]}' is a linear combination of earlier columns "
                                   f"({others}{', ...' if len(kept) > 3 else ''}) or constant; remove a term",
                                   file=file, line=line)
        q = (resid / nr)[:, None]
        basis = q if basis is None else np.hstack([basis, q])
        kept.append(j)
