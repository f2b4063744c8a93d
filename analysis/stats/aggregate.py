"""Aggregating individual scale scores to units (township, county, department).

:func:`aggregate_units` gives unit means of every score and, per scale, the statistics a
reader asks for before accepting an aggregate: ICC(1), ICC(2) from a one-way ANOVA of
the score on the unit, and within-unit agreement r_wg(j).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.errors import AvoidSurveyError, AvoidSurveyWarning, warn

__all__ = ["aggregate_units", "AggregateResult", "icc_oneway", "rwg_j"]


def icc_oneway(y, groups):
    """ICC(1) and ICC(2) from a one-way ANOVA, as ``multilevel::ICC1 / ICC2`` on
    ``aov(y ~ factor(groups))``.

    MSB, MSW: between- and within-unit mean squares; k = N / J, the mean unit size.
    ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW), ICC(2) = (MSB - MSW) / MSB.
    Missing y are dropped. Returns a dict with n, n_units, k, msb, msw, f, df1, df2, p,
    icc1, icc2.
    """
    from ..numerics.dist import f_sf

    y = np.asarray(y, float)
    g = np.asarray(groups)
    ok = ~np.isnan(y)
    y, g = y[ok], g[ok]
    N = y.size
    codes, inv = np.unique(g, return_inverse=True)
    J = codes.size
    nan = float("nan")
    if J < 2 or N - J < 1:
        return dict(n=N, n_units=J, k=nan, msb=nan, msw=nan, f=nan, df1=J - 1, df2=N - J, p=nan,
                    icc1=nan, icc2=nan)
    nj = np.bincount(inv).astype(float)
    mj = np.bincount(inv, weights=y) / nj
    grand = y.mean()
    ssb = float(np.sum(nj * (mj - grand) ** 2))
    ssw = float(np.sum((y - mj[inv]) ** 2))
    df1, df2 = J - 1, N - J
    msb, msw = ssb / df1, ssw / df2
    k = N / J
    f = msb / msw if msw > 0 else nan
    return dict(n=int(N), n_units=int(J), k=k, msb=msb, msw=msw, f=f, df1=int(df1), df2=int(df2),
                p=f_sf(f, df1, df2) if np.isfinite(f) else nan,
                icc1=(msb - msw) / (msb + (k - 1) * msw), icc2=(msb - msw) / msb if msb > 0 else nan)


def rwg_j(X, groups, n_options):
    """r_wg(j) of James, Demaree & Wolf (1984) for every unit, uniform null distribution.

    For a unit with J items, s2 = mean of the item variances within the unit (n - 1
    denominator; respondents answering every item), sigma2_EU = (A^2 - 1) / 12 with A
    response options:
        r_wg(j) = J (1 - s2/sigma2_EU) / (J (1 - s2/sigma2_EU) + s2/sigma2_EU).
    Units with s2 > sigma2_EU (more disagreement than random responding) are set to 0, as
    James et al. and LeBreton & Senter (2008) advise; units with fewer than 2 complete
    respondents give NaN. Returns (unit codes, r_wg(j) per unit, respondents per unit).
    """
    X = np.asarray(X, float)
    g = np.asarray(groups)
    ok = ~np.isnan(X).any(axis=1)
    X, g = X[ok], g[ok]
    codes, inv = np.unique(g, return_inverse=True)
    J = X.shape[1]
    s_eu = (n_options ** 2 - 1) / 12.0
    out = np.full(codes.size, np.nan)
    nj = np.bincount(inv, minlength=codes.size)
    for u in range(codes.size):
        if nj[u] < 2:
            continue
        s2 = float(np.mean(X[inv == u].var(axis=0, ddof=1)))
        if s2 > s_eu:
            out[u] = 0.0
            continue
        r = s2 / s_eu
        out[u] = J * (1 - r) / (J * (1 - r) + r)
    return codes, out, nj


@dataclass(frozen=True)
class AggregateResult:
    unit: str                       # the unit column
    units: object                   # DataFrame: one row per unit, n and mean of every score
    stats: list                     # per scale dict
    warnings: list = field(default_factory=list)

    def stats_frame(self):
        import pandas as pd
        return pd.DataFrame(self.stats)

    def to_dict(self) -> dict:
        return {"unit": self.unit, "n_units": int(len(self.units)), "scales": self.stats}

    def to_tables(self, lang: str = "en") -> list:
        """ICC and r_wg(j) table (:mod:`avoid_survey.analysis.tables.scoring`)."""
        from ..tables.scoring import aggregate_tables

        return aggregate_tables(self, lang)


def aggregate_units(data, scores, instrument, unit: str) -> AggregateResult:
    """Unit means of every score and ICC(1), ICC(2), r_wg(j) per scale.

    Parameters
    ----------
    data : the response frame (items as codes, the unit column).
    scores : ScoreResult from :func:`avoid_survey.analysis.stats.scoring.score_frame`.
    instrument : Instrument.
    unit : name of the unit column; ``township`` also finds ``township_id``.

    Returns
    -------
    AggregateResult with ``units`` (unit, n_respondents, per scale mean and ``<id>_n``) and
    ``stats`` (per scale: n, n_units, mean_group_size, msb, msw, f, p, icc1, icc2,
    rwg_j_mean, rwg_j_median, rwg_j_n_units, rwg_j_share_70, n_options).
    """
    import pandas as pd

    from .scoring import item_matrix

    col = unit if unit in data.columns else (f"{unit}_id" if f"{unit}_id" in data.columns else None)
    if col is None:
        raise AvoidSurveyError(f"the data have no unit column '{unit}' for --aggregate", column=unit)
    g = data[col]
    warns: list = []
    if g.isna().any():
        warn(f"{int(g.isna().sum())} respondent(s) without a '{col}' were left out of the aggregation",
             AvoidSurveyWarning, sink=warns)
    keep = g.notna()
    gk = g[keep].astype(str) if g.dtype == object or str(g.dtype).startswith(("str", "string")) else g[keep]
    sc = scores.scores.loc[keep]
    grouped = sc[scores.scales].groupby(gk.values, sort=True)
    means = grouped.mean()
    counts = grouped.count()
    units = pd.DataFrame({col: means.index, "n_respondents": gk.value_counts().reindex(means.index).to_numpy()})
    for sid in scores.scales:
        units[sid] = means[sid].to_numpy()
        units[f"{sid}_n"] = counts[sid].to_numpy().astype(int)
    stats = []
    for sid in scores.scales:
        s = instrument.scale(sid)
        y = sc[sid].to_numpy(float)
        ic = icc_oneway(y, gk.to_numpy())
        resp = s.response
        if resp.is_likert:
            A = int(resp.max - resp.min + 1)
            X = item_matrix(data.loc[keep], instrument, sid).to_numpy(float)
            _codes, r, _n = rwg_j(X, gk.to_numpy(), A)
            fin = r[np.isfinite(r)]
        else:
            A, fin = None, np.array([])
        nan = float("nan")
        stats.append({"scale": sid, "label": dict(s.label or {}), "n": ic["n"], "n_units": ic["n_units"],
                      "mean_group_size": ic["k"], "msb": ic["msb"], "msw": ic["msw"], "f": ic["f"], "df1": ic["df1"],
                      "df2": ic["df2"], "p": ic["p"], "icc1": ic["icc1"], "icc2": ic["icc2"],
                      "rwg_j_mean": float(fin.mean()) if fin.size else nan,
                      "rwg_j_median": float(np.median(fin)) if fin.size else nan,
                      "rwg_j_n_units": int(fin.size),
                      "rwg_j_share_70": float(np.mean(fin >= 0.70)) if fin.size else nan,
                      "n_options": A})
        if ic["n_units"] < 2:
            warn(f"scale '{sid}': fewer than 2 units with scores; ICC not defined", AvoidSurveyWarning, sink=warns)
        else:
            sizes = pd.Series(gk.to_numpy()[np.isfinite(y)]).value_counts()
            ones = int((sizes == 1).sum())
            if ones == len(sizes):
                warn(f"scale '{sid}': every unit has a single respondent; ICC(1), ICC(2) and r_wg(j) need "
                     f"several respondents per unit and are not defined", AvoidSurveyWarning, sink=warns)
            elif ones:
                warn(f"scale '{sid}': {ones} of {len(sizes)} units have a single respondent; they carry no "
                     f"within-unit information (r_wg(j) is not defined for them) and lower the mean unit size "
                     f"behind ICC(2)", AvoidSurveyWarning, sink=warns)
    for st in stats:
        st_label = st.pop("label")
        st["label_en"] = (st_label or {}).get("en")
        st["label_zh"] = (st_label or {}).get("zh")
    return AggregateResult(unit=col, units=units, stats=stats, warnings=warns)
