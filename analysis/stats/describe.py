"""The sample profile, descriptives and correlation table of a study (``avoid-survey describe``).

:func:`describe` is the entry point. It reads nothing and leaves its input alone: give it
the frame :func:`avoid_survey.analysis.io.read` returns and the instrument.

* profile: every categorical variable of the instrument (categorical, ordinal or boolean
  variables with value labels): n, percent of all rows and valid percent of the answered
  rows, as SPSS FREQUENCIES prints them (0-100, not fractions), one row per code in the
  order of the instrument's labels, then codes met in the data without a label, then the
  missing answers (level null, valid percent null).
* descriptives: every scale and facet score (scored as ``score`` does, see
  :mod:`.scoring`) and every numeric variable that is not an id, cluster, duration or
  weight: n, mean, SD (n - 1), min, max, skewness and kurtosis as SPSS computes them
  (psych::describe(type = 2), e1071 type 2) with their standard errors.
* correlations: Pearson r of each pair of variables on its complete cases, p from
  cor.test (t with n - 2 df), Cronbach's alpha (as ``reliability``), the square root of
  the AVE of a CFA (as ``cfa``) or nothing on the diagonal; with sqrt(AVE) each factor is
  checked against its correlations in the table (Fornell and Larcker 1981).

Checked against R (tests/reference/describe.R): psych::describe, cor.test, table.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..core.errors import AvoidSurveyError, AvoidSurveyWarning, warn
from ..core.i18n import text_in, tr
from .compare.groups import check_columns, code_of, group_label, group_levels

__all__ = ["describe", "DescribeResult", "Descriptive", "ProfileRow", "GroupDescriptives", "moments",
           "correlate", "DIAGONALS"]

DIAGONALS = ("alpha", "sqrt_ave", "none")
PROFILE_TYPES = ("categorical", "ordinal", "boolean")
SKIP_ROLES = ("id", "cluster", "duration", "weight", "meta")
NAN = float("nan")


# ----------------------------------------------------------------- result
@dataclass(frozen=True)
class ProfileRow:
    """One line of a frequency table; ``level`` None is the missing-answers line."""

    variable: str
    variable_label: str
    level: object
    label: str
    n: int
    percent: float            # of all rows, 0-100
    valid_percent: float      # of the answered rows, 0-100 (None for the missing line)

    def to_dict(self) -> dict:
        return {"variable": self.variable, "variable_label": self.variable_label, "level": self.level,
                "label": self.label, "n": self.n, "percent": self.percent, "valid_percent": self.valid_percent}


@dataclass(frozen=True)
class Descriptive:
    """Descriptive statistics of one variable (a score or a numeric column)."""

    variable: str
    label: str
    kind: str                 # scale | facet | variable
    n: int
    mean: float
    sd: float
    min: float
    max: float
    skewness: float
    kurtosis: float
    se_skewness: float
    se_kurtosis: float

    def to_dict(self) -> dict:
        return {"variable": self.variable, "label": self.label, "kind": self.kind, "n": self.n,
                "mean": self.mean, "sd": self.sd, "min": self.min, "max": self.max, "skewness": self.skewness,
                "kurtosis": self.kurtosis, "se_skewness": self.se_skewness, "se_kurtosis": self.se_kurtosis}


@dataclass(frozen=True)
class GroupDescriptives:
    """The descriptives of the respondents in one group of ``--by``."""

    group: object
    label: str
    n: int
    descriptives: tuple

    def to_dict(self) -> dict:
        return {"group": self.group, "label": self.label, "n": self.n,
                "descriptives": [d.to_dict() for d in self.descriptives]}


@dataclass(frozen=True)
class DescribeResult:
    """What :func:`describe` returns; ``to_dict()`` is the ``--format json`` document."""

    instrument: str
    lang: str
    n: int
    profile: tuple
    descriptives: tuple
    correlated: tuple          # variables of the correlation table, in order
    correlations: dict         # {a: {b: r}}
    p_values: dict             # {a: {b: p}}
    diagonal: str              # alpha | sqrt_ave | none
    diagonal_values: dict      # {variable: value} (only variables that have one)
    fornell_larcker: tuple = ()  # ({"variable", "sqrt_ave", "max_r", "with", "passed"}, ...)
    by: str | None = None
    by_label: str = ""
    groups: tuple = ()
    warnings: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"instrument": self.instrument, "n": self.n,
                "profile": [p.to_dict() for p in self.profile],
                "descriptives": [d.to_dict() for d in self.descriptives],
                "correlations": self.correlations, "p_values": self.p_values,
                "diagonal": {"kind": self.diagonal, "values": dict(self.diagonal_values)},
                "fornell_larcker": [dict(f) for f in self.fornell_larcker] if self.diagonal == "sqrt_ave" else None,
                "by": None if self.by is None else {"column": self.by, "label": self.by_label,
                                                     "groups": [g.to_dict() for g in self.groups]},
                "warnings": [str(w) for w in self.warnings]}

    def to_tables(self, lang: str | None = None) -> list:
        from ..tables.describe import build_tables

        return build_tables(self, lang or self.lang)


# ----------------------------------------------------------------- statistics
def moments(x) -> dict:
    """n, mean, SD, min, max, skewness and kurtosis of the non-missing values of ``x``.

    With m_r = sum (x - mean)^r / n, g1 = m3 / m2^1.5 and g2 = m4 / m2^2 - 3, SPSS (and
    psych::describe(type = 2), e1071::skewness(type = 2)) print

        G1 = g1 sqrt(n (n - 1)) / (n - 2)                               (n > 2)
        G2 = ((n + 1) g2 + 6) (n - 1) / ((n - 2) (n - 3))               (n > 3)
        SE(G1) = sqrt(6 n (n - 1) / ((n - 2) (n + 1) (n + 3)))
        SE(G2) = 2 SE(G1) sqrt((n^2 - 1) / ((n - 3) (n + 5)))
    """
    import numpy as np

    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = int(v.size)
    out = dict(n=n, mean=NAN, sd=NAN, min=NAN, max=NAN, skewness=NAN, kurtosis=NAN, se_skewness=NAN,
               se_kurtosis=NAN)
    if n == 0:
        return out
    mean = float(v.mean())
    d = v - mean
    m2 = float(np.mean(d * d))
    out.update(mean=mean, min=float(v.min()), max=float(v.max()))
    if n > 1:
        out["sd"] = math.sqrt(m2 * n / (n - 1))
    if n > 2 and m2 > 0:
        g1 = float(np.mean(d ** 3)) / m2 ** 1.5
        out["skewness"] = g1 * math.sqrt(n * (n - 1)) / (n - 2)
        out["se_skewness"] = math.sqrt(6.0 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
    if n > 3 and m2 > 0:
        g2 = float(np.mean(d ** 4)) / (m2 * m2) - 3.0
        out["kurtosis"] = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
        out["se_kurtosis"] = 2 * out["se_skewness"] * math.sqrt((n * n - 1.0) / ((n - 3) * (n + 5)))
    return out


def correlate(frame, variables) -> tuple[dict, dict]:
    """Pearson r of every pair on its complete cases, and cor.test's two-sided p
    (t = r sqrt((m - 2) / (1 - r^2)) with m - 2 df). r = 1 and p = 0 on the diagonal;
    NaN where a pair has fewer than 3 complete cases or no variance."""
    import numpy as np

    from ..numerics.dist import t_sf2

    cols = {v: frame[v].to_numpy(dtype=float, na_value=np.nan) for v in variables}
    r = {a: {} for a in variables}
    p = {a: {} for a in variables}
    for i, a in enumerate(variables):
        r[a][a], p[a][a] = 1.0, 0.0
        for b in variables[i + 1:]:
            ok = ~np.isnan(cols[a]) & ~np.isnan(cols[b])
            m = int(ok.sum())
            rv, pv = NAN, NAN
            if m >= 3:
                xa, xb = cols[a][ok] - cols[a][ok].mean(), cols[b][ok] - cols[b][ok].mean()
                den = math.sqrt(float(xa @ xa) * float(xb @ xb))
                if den > 0:
                    rv = max(-1.0, min(1.0, float(xa @ xb) / den))
                    t = rv * math.sqrt((m - 2) / max(1e-300, 1 - rv * rv))
                    pv = t_sf2(t, m - 2)
            r[a][b] = r[b][a] = rv
            p[a][b] = p[b][a] = pv
    return r, p


# ----------------------------------------------------------------- steps
def _profile_variable(col, var, lang: str, given: dict | None = None) -> list[ProfileRow]:
    """Rows of one background variable. ``given``: how often each declared missing code
    (8 = don't know, 9 = not applicable) was answered, as the reader counted it (the codes
    themselves are read as missing); None when those counts do not describe these rows."""
    fmt = var.response
    total = int(len(col))
    valid = col.dropna()
    n_valid = int(len(valid))
    counts = valid.map(code_of).value_counts(sort=False)
    mcodes = {code_of(c) for c in fmt.missing_codes if not isinstance(c, str)}
    known = [code_of(c) for c in fmt.labels if code_of(c) not in mcodes] if fmt.labels else []
    if fmt.type == "boolean" and not known:
        known = [0, 1]
    extra = sorted((c for c in counts.index if c not in known), key=lambda c: (isinstance(c, str), c))
    name = var.name(lang)
    rows = []
    for c in [*known, *extra]:
        k = int(counts.get(c, 0))
        rows.append(ProfileRow(var.id, name, c, group_label(fmt, c, lang), k,
                               100.0 * k / total if total else NAN, 100.0 * k / n_valid if n_valid else NAN))
    n_codes = 0
    if mcodes and given is not None:   # each missing code with its own count, outside the valid percent
        for c in sorted(mcodes, key=lambda c: (isinstance(c, str), c)):
            k = int(given.get(f"{float(c):g}", 0))
            n_codes += k
            rows.append(ProfileRow(var.id, name, c, group_label(fmt, c, lang), k,
                                   100.0 * k / total if total else NAN, None))
    if n_valid + n_codes < total:
        k = total - n_valid - n_codes
        label = tr("desc_missing", lang)
        if mcodes and given is None:   # the codes' own counts are not known for these rows
            label = tr("desc_missing_incl", lang).format(
                codes=tr("desc_list_sep", lang).join(group_label(fmt, c, lang) for c in sorted(mcodes)))
        rows.append(ProfileRow(var.id, name, None, label, k, 100.0 * k / total, None))
    return rows


def _missing_code_counts(data) -> dict | None:
    """{column: {code: n}} of the answers given as missing codes, when the frame holds exactly
    the rows the reader counted them on (screening or a subset makes them unknown: None)."""
    info = getattr(data, "attrs", {}).get("source") or {}
    if info.get("n_read") != len(data):
        return None
    return info.get("missing_codes") or {}


def _profile(data, instrument, lang: str) -> list[ProfileRow]:
    rows = []
    given = _missing_code_counts(data)
    for v in instrument.variables:
        if v.id in data.columns and v.response.type in PROFILE_TYPES and v.role not in SKIP_ROLES:
            rows.extend(_profile_variable(data[v.id], v, lang, None if given is None else given.get(v.id, {})))
    return rows


def _numeric_variables(data, instrument) -> list:
    return [v for v in instrument.variables
            if v.id in data.columns and v.response.type == "numeric" and v.role not in SKIP_ROLES]


def _scores(data, instrument, min_items: float):
    """(frame of scale and facet scores, [(id, label, kind)])."""
    from .scoring import score_frame

    res = score_frame(data, instrument, min_items=min_items)
    meta = []
    for sid in res.scales:
        s = instrument.scale(sid)
        meta.append((sid, s.label, "facet" if s.parent else "scale"))
    return res.scores, meta, list(res.warnings)


def _describe_frame(frame, meta, lang: str) -> tuple:
    return tuple(Descriptive(vid, text_in(label, lang) or vid, kind, **moments(frame[vid])) for vid, label, kind in meta)


def _alphas(data, instrument, ids) -> dict:
    from .reliability import reliability

    scales = [i for i in ids if _is_scale(instrument, i)]
    if not scales:
        return {}
    res = reliability(data, instrument, scales=scales)
    return {s.scale: s.alpha for s in res.scales if s.alpha is not None and not math.isnan(s.alpha)}


def _is_scale(instrument, sid) -> bool:
    try:
        instrument.scale(sid)
    except KeyError:
        return False
    return True


def _sqrt_aves(data, instrument, ids, sink) -> dict:
    from .cfa import cfa

    factors = [i for i in ids if _is_scale(instrument, i) and not instrument.scale(i).facets]
    if not factors:
        return {}
    res = cfa(data, instrument=instrument, scales=factors)
    for w in res.warnings:
        sink.append(str(w))
    return {f: v["sqrt_ave"] for f, v in res.factor_reliability.items() if f in ids}


def fornell_larcker(sqrt_ave: dict, corr: dict) -> tuple:
    """Per factor: sqrt(AVE), the largest |r| with another variable of the table, which
    one, and whether sqrt(AVE) exceeds it (Fornell and Larcker 1981)."""
    out = []
    for f, root in sqrt_ave.items():
        others = [(abs(r), b) for b, r in corr[f].items() if b != f and r is not None and not math.isnan(r)]
        best, with_ = max(others) if others else (NAN, None)
        out.append({"variable": f, "sqrt_ave": root, "max_r": best, "with": with_,
                    "passed": None if with_ is None or math.isnan(root) else bool(root > best)})
    return tuple(out)


def _correlated(meta, numeric_ids, instrument, scales, diagonal) -> list:
    """Variables of the correlation table: the asked scales, else top-level scales (with
    sqrt_ave: the CFA's first-order factors, facets in place of scales that have them),
    then the numeric variables."""
    scored = [m[0] for m in meta if m[2] != "variable"]
    if scales:
        return [s for s in scales if s in scored] + numeric_ids
    if diagonal == "sqrt_ave":
        chosen = [sid for sid in scored if not instrument.scale(sid).facets]
    else:
        chosen = [sid for sid in scored if not instrument.scale(sid).parent]
    return chosen + numeric_ids


def _by_groups(frame, data, by, meta, instrument, lang: str) -> tuple:
    levels, fmt = group_levels(data, by, instrument)
    key = data[by].map(code_of)
    out = []
    for g in levels:
        rows = frame.loc[(key == g).to_numpy()]
        out.append(GroupDescriptives(g, group_label(fmt, g, lang), int(len(rows)), _describe_frame(rows, meta, lang)))
    return tuple(out)


# ----------------------------------------------------------------- entry point
def describe(data, instrument, *, by: str | None = None, diagonal: str = "alpha", scales=None,
             min_items: float = 0.8, lang: str = "en") -> DescribeResult:
    """Sample profile, descriptives and correlation table of a study.

    Parameters
    ----------
    data : pandas.DataFrame of responses (``io.read`` with the instrument). Not modified.
    instrument : Instrument (or a bundled id or path)
    by : column whose groups get their own descriptives (value labels from the instrument)
    diagonal : {'alpha', 'sqrt_ave', 'none'}
        What the correlation table holds on its diagonal: Cronbach's alpha of each scale
        (as ``reliability``), the square root of the AVE of a CFA with one factor per
        scale or facet (as ``cfa``; then the Fornell-Larcker check), or nothing.
    scales : scale or facet ids of the correlation table; default the top-level scales
        (with 'sqrt_ave': the facets of scales that have them), then numeric variables
    min_items : fraction of a scale's items a score needs (as ``score --min-items``)
    lang : language of the labels in the result ('zh' or 'en')

    Returns
    -------
    DescribeResult. Percentages are 0-100, as SPSS prints them; ``n`` is the number of rows.
    """
    from avoid_survey.instruments import load_instrument

    if diagonal not in DIAGONALS:
        raise AvoidSurveyError(f"--diagonal must be one of {', '.join(DIAGONALS)}, not '{diagonal}'")
    instrument = load_instrument(instrument)
    if by is not None:
        check_columns(data, [by], "--by")
    scores, meta, sink = _scores(data, instrument, min_items)
    known = [m[0] for m in meta]
    bad = [s for s in scales or () if s not in known]
    if bad:
        raise AvoidSurveyError(f"'{bad[0]}' is not a scale or facet scored from the data "
                               f"(scored: {', '.join(known) or 'none'})")
    numeric = _numeric_variables(data, instrument)
    frame = scores[known].copy()
    for v in numeric:
        frame[v.id] = data[v.id].astype(float)
    meta = meta + [(v.id, v.label, "variable") for v in numeric]
    if not meta:
        raise AvoidSurveyError(f"no scale of instrument '{instrument.id}' and no numeric variable is in the data")
    numeric_ids = [v.id for v in numeric]
    chosen = _correlated(meta, numeric_ids, instrument, list(scales or ()), diagonal)
    corr, pv = correlate(frame, chosen)
    diag, fl = {}, ()
    if diagonal == "alpha":
        diag = _alphas(data, instrument, chosen)
    elif diagonal == "sqrt_ave":
        diag = _sqrt_aves(data, instrument, chosen, sink)
        fl = fornell_larcker(diag, corr)
        if any(f["passed"] is False for f in fl):
            warn(tr("desc_fl_failed", lang).format(x=", ".join(f["variable"] for f in fl if f["passed"] is False)),
                 AvoidSurveyWarning, sink=sink)
    groups, by_label = (), ""
    if by is not None:
        groups = _by_groups(frame, data, by, meta, instrument, lang)
        by_var = next((v for v in instrument.variables if v.id == by), None)
        by_label = by_var.name(lang) if by_var is not None else by
    return DescribeResult(instrument=instrument.id, lang=lang, n=int(len(data)),
                          profile=tuple(_profile(data, instrument, lang)),
                          descriptives=_describe_frame(frame, meta, lang), correlated=tuple(chosen),
                          correlations=corr, p_values=pv, diagonal=diagonal, diagonal_values=diag,
                          fornell_larcker=fl, by=by, by_label=by_label, groups=groups, warnings=tuple(sink))
