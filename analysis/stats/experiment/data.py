"""Experiment data in long format, checked and coded.

One row per respondent x vignette (vignette designs) or respondent x task x profile
(conjoint). Columns: the respondent id (the experiment's ``respondent:``, default
``respondent``), one column per factor/attribute holding its level id (the level's zh or en
text is accepted too, as platforms export it), the outcome, and any covariates (numbers; the
same value on every row of a respondent). Optional ``task`` and ``profile`` columns (1, 2,
...) enable the carry-over and profile-order diagnostics of a conjoint.

A row whose outcome is empty is kept for the attrition table and left out of the estimates.
A factor cell that is empty or not a level, a missing column, and an arm without any
observed outcome stop the run with the file, row and column.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.frames import numeric_column

__all__ = ["ExperimentData", "prepare"]


@dataclass(frozen=True)
class ExperimentData:
    experiment: object
    outcome: str
    y: object                   # float array, NaN where the outcome is missing
    codes: dict                 # factor id -> int array of level positions (instrument order)
    respondent: object = None   # array of respondent labels, or None (one row per respondent)
    covariates: dict = field(default_factory=dict)   # name -> float array
    moderator: tuple | None = None                   # (name, values, numeric?)
    cluster: tuple | None = None                     # (name, labels)
    task: object = None
    profile: object = None
    file: str | None = None

    @property
    def n_rows(self) -> int:
        return int(len(self.y))


def _column(frame, name, what, file):
    if name not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:12]))
        raise AvoidSurveyError(f"{what} column '{name}' is not in the data (columns: {cols}"
                               f"{', ...' if frame.shape[1] > 12 else ''})", file=file, column=name)
    return frame[name]


def _as_text(s):
    """Cells as stripped text; whole-number floats as '1' not '1.0'; blanks as ''."""
    import pandas as pd

    if pd.api.types.is_float_dtype(s):
        out = s.map(lambda v: "" if v != v else (str(int(v)) if float(v).is_integer() else repr(float(v))))
        return out.astype(object)
    return s.astype("string").fillna("").str.strip().astype(object)


def _factor_codes(frame, factor, file):
    import numpy as np
    import pandas as pd

    s = _as_text(_column(frame, factor.id, f"factor '{factor.id}'", file))
    ids = factor.level_ids
    codes = pd.Categorical(s, categories=ids).codes.astype(np.int64)
    bad = np.flatnonzero(codes < 0)
    if bad.size:
        alias = {}
        for k, lv in enumerate(factor.levels):
            for t in (lv.text or {}).values():
                if t:
                    alias.setdefault(" ".join(str(t).split()), k)
        vals = s.to_numpy()
        for i in bad:
            k = alias.get(" ".join(str(vals[i]).split()))
            if k is None:
                v = vals[i]
                what = "is empty" if v == "" else f"holds '{v}', which is not a level of factor '{factor.id}'"
                raise AvoidSurveyError(f"the cell {what} (levels: {', '.join(ids)})", file=file, row=int(i) + 1,
                                       column=factor.id)
            codes[i] = k
    return codes


def _numeric(frame, name, what, file):
    s = _column(frame, name, what, file)
    msg = f"{what} column '{{column}}' holds {{value!r}}, which is not a number"
    return numeric_column(s, name, message=msg, file=file).to_numpy(dtype=float)


def _moderator(frame, name, file):
    import pandas as pd

    s = _column(frame, name, "moderator", file)
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return (name, s.to_numpy(dtype=float), True)
    num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
    if num.notna().sum() == s.notna().sum():
        return (name, num.to_numpy(dtype=float), True)
    return (name, _as_text(s).to_numpy(), False)


def _check_arms(exp, codes, y, file):
    import numpy as np

    observed = ~np.isnan(y)
    if not observed.any():
        raise AvoidSurveyError("the outcome is empty on every row", file=file)
    for f in exp.factors:
        counts = np.bincount(codes[f.id][observed], minlength=len(f.levels))
        for k, lv in enumerate(f.levels):
            if counts[k] == 0:
                raise AvoidSurveyError(f"level '{lv.id}' of factor '{f.id}' has no row with an observed outcome "
                                       f"(an empty arm cannot be estimated)", file=file, column=f.id)


def prepare(frame, experiment, *, outcome=None, covariates=(), moderator=None, cluster=None,
            file=None) -> ExperimentData:
    """Check and code a long-format data frame against the experiment's design."""
    exp = experiment
    file = None if file is None else str(file)
    if outcome is None:
        if not exp.outcomes:
            raise AvoidSurveyError("no outcome: give --outcome COLUMN (or list outcomes: in the experiment block)",
                                   file=file)
        outcome = exp.outcomes[0]
    y = _numeric(frame, outcome, "outcome", file)
    codes = {f.id: _factor_codes(frame, f, file) for f in exp.factors}
    covs = {c: _numeric(frame, c, "covariate", file) for c in covariates}
    resp = None
    if exp.respondent in frame.columns:
        resp = _as_text(frame[exp.respondent]).to_numpy()
    elif exp.type == "conjoint" or exp.per_respondent > 1:
        _column(frame, exp.respondent, "respondent id", file)
    mod = _moderator(frame, moderator, file) if moderator else None
    cl = (cluster, _as_text(_column(frame, cluster, "cluster", file)).to_numpy()) if cluster else None
    extra = {}
    for key in ("task", "profile"):
        if exp.type == "conjoint" and key in frame.columns:
            extra[key] = _as_text(frame[key]).to_numpy()
    _check_arms(exp, codes, y, file)
    return ExperimentData(exp, outcome, y, codes, resp, covs, mod, cl, extra.get("task"), extra.get("profile"), file)
