"""Common-method variance: the four checks applied papers report, each with its usual cut-off
and its known limits (the tables say them in plain words).

- Harman's single-factor test: share of the variance of the items taken by the first
  unrotated principal component (eigenvalue / number of items, from the item correlation
  matrix) and by a single ML factor (mean squared standardized loading of the one-factor CFA),
  with the number of eigenvalues above 1. Usual reading: below 0.50 no single factor
  dominates (Podsakoff et al. 2003). Known limit: insensitive; passing it rules out little.
- Single-factor CFA against the measurement model: Δχ², Δdf, p and ΔCFI (single minus
  measurement). A much worse single-factor fit means one common factor does not explain the
  item covariances.
- Unmeasured latent method construct (ULMC): the measurement model plus a method factor on
  every item (variance 1, free loadings, uncorrelated with the traits). Reported: Δχ², ΔCFI
  (ULMC minus measurement) and the share of item variance due to the method factor (mean
  squared standardized method loading; Williams et al. 1989 found a median of 0.25). Usual
  reading: ΔCFI <= .01 and a small method share. Known limit: the method factor also absorbs
  any unmodelled shared trait variance and is often poorly identified.
- Marker variable (Lindell & Whitney 2001), when a marker column (or a marker scale of the
  instrument, by its score) is named: r_M, the smallest
  positive correlation of the marker with the scale scores, and each correlation between
  scale scores corrected as (r - r_M) / (1 - r_M) with its t test on n - 3 df. Known limit:
  the result rests on the choice of marker.

All models are fitted by the SEM engine (ML as lavaan) on the rows complete on every item.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError

__all__ = ["cmv", "CMVResult"]


@dataclass(frozen=True)
class CMVResult:
    n: int
    items: list
    factors: list
    harman: dict
    measurement: dict
    single_factor: dict
    ulmc: dict
    marker: dict | None = None
    warnings: tuple = ()

    def to_dict(self) -> dict:
        from ..cfa.result import to_json_value

        return {k: to_json_value(getattr(self, k)) for k in
                ("n", "items", "factors", "harman", "measurement", "single_factor", "ulmc", "marker", "warnings")}

    def to_tables(self, lang: str = "en"):
        from ...tables.cmv import build_tables

        return build_tables(self, lang)


_FIT = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")


def _fit_of(res) -> dict:
    return {k: res.fit[k] for k in _FIT}


def _delta(res, base) -> dict:
    from ...numerics.dist import chi2_sf

    dchi = res.fit["chisq"] - base.fit["chisq"]
    ddf = res.fit["df"] - base.fit["df"]
    p = chi2_sf(abs(dchi), abs(ddf)) if ddf != 0 else None
    return {"delta_chisq": dchi, "delta_df": ddf, "p_delta": p, "delta_cfi": res.fit["cfi"] - base.fit["cfi"]}


def _harman(x, single) -> dict:
    import numpy as np

    R = np.corrcoef(x.T)
    ev = np.sort(np.linalg.eigvalsh(R))[::-1]
    loads = [p["std_all"] for p in single.parameters if p["op"] == "=~"]
    return {"first_component_share": float(ev[0] / len(ev)),
            "first_factor_share": float(np.mean(np.square(loads))),
            "n_eigen_gt1": int(np.sum(ev > 1)), "eigenvalues": [float(v) for v in ev]}


def _ulmc_syntax(meas, items, factors):
    lines = [meas, "cmv_method =~ " + " + ".join(["NA*" + items[0]] + items[1:]), "cmv_method ~~ 1*cmv_method"]
    lines += [f"cmv_method ~~ 0*{f}" for f in factors]
    return "\n".join(lines)


def _no_ulmc(why):
    out = {k: None for k in _FIT + ("delta_chisq", "delta_df", "p_delta", "delta_cfi", "method_variance_share",
                                     "trait_variance_share")}
    return dict(out, converged=False, method_loadings={}), [
        f"{why}; the method factor is not identified in these data (often so with few items per "
        f"trait), so there is no ULMC result"]


def _ulmc(frame, meas_res, syntax, items, fit):
    try:
        res = fit(syntax)
    except AvoidSurveyError as exc:   # the method factor is often empirically not identified
        return _no_ulmc(f"the model could not be estimated ({exc.message})")
    if not res.converged:
        return _no_ulmc("the estimation did not converge")
    import numpy as np

    def share(rows):
        vals = np.array([np.nan if p["std_all"] is None else p["std_all"] for p in rows], dtype=float)
        return float(np.mean(np.square(vals))) if np.isfinite(vals).all() else None

    method = [p for p in res.parameters if p["op"] == "=~" and p["lhs"] == "cmv_method"]
    trait = [p for p in res.parameters if p["op"] == "=~" and p["lhs"] != "cmv_method"]

    out = {**_fit_of(res), **_delta(res, meas_res), "converged": bool(res.converged),
           "method_variance_share": share(method), "trait_variance_share": share(trait),
           "method_loadings": {p["rhs"]: p["std_all"] for p in res.parameters
                               if p["op"] == "=~" and p["lhs"] == "cmv_method"}}
    return out, res.warnings


def _marker_scale_items(instrument, data, marker, file):
    """The items of ``marker`` when it names a scale of the instrument rather than a column."""
    if marker is None or marker in data.columns:
        return None
    ids = {sc.id for sc in instrument.all_scales()}
    if marker not in ids:
        return None
    items = list(instrument.scale(marker).item_ids)
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise AvoidSurveyError(f"--marker {marker}: the data has no column for its item(s) {', '.join(absent)}",
                               file=file, column=absent[0])
    return items


def _marker(frame, instrument, factors, marker, n_rows, marker_items=None):
    import numpy as np

    from ...numerics.dist import t_sf2
    from ..scoring import reverse_coded

    if marker not in frame.columns:
        raise AvoidSurveyError(f"no column '{marker}' in the data for --marker", column=marker)
    scores = {}
    for f in factors:
        items = instrument.scale(f).item_ids
        scores[f] = reverse_coded(frame, instrument, items).mean(axis=1).to_numpy()
    m = frame[marker].astype(float).to_numpy()
    r_m_all = {f: float(np.corrcoef(m, s)[0, 1]) for f, s in scores.items()}
    positive = [v for v in r_m_all.values() if v > 0]
    r_m = min(positive) if positive else 0.0
    pairs = []
    names = list(scores)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            r = float(np.corrcoef(scores[a], scores[b])[0, 1])
            rc = (r - r_m) / (1 - r_m)
            df = n_rows - 3
            t = rc / math.sqrt(max(1 - rc * rc, 1e-300) / df)
            pairs.append({"a": a, "b": b, "r": r, "r_corrected": rc, "t": t, "p_corrected": t_sf2(t, df)})
    out = {"column": marker, "r_m": r_m, "marker_correlations": r_m_all, "pairs": pairs}
    if marker_items:
        out["items"] = list(marker_items)   # a marker scale: its score is the mean of these items
    return out


def cmv(data, instrument, *, scales=None, marker: str | None = None, file=None) -> CMVResult:
    """Harman's test, single-factor CFA, ULMC and (with ``marker``) the marker-variable correction.

    Parameters
    ----------
    data : pandas.DataFrame with the instrument's item columns (left unchanged)
    instrument : the Instrument; ``scales`` picks scales or facets (default every scale; a
        scale with facets gives one factor per facet)
    marker : a column theoretically unrelated to the scales (Lindell & Whitney 2001), or a scale
        id of the instrument (a marker scale): its score, the mean of its (reverse-coded) items;
        the marker scale is then not one of the scales checked
    """
    import numpy as np

    from ..cfa.api import fielded_scales, instrument_model
    from .api import sem

    marker_items = _marker_scale_items(instrument, data, marker, file)
    scales, _skipped = fielded_scales(instrument, data, scales)
    if marker_items:
        scales = [sc for sc in scales if sc != marker]
    meas = instrument_model(instrument, scales)
    factors = [ln.split("=~")[0].strip() for ln in meas.splitlines()]
    items = [it.strip() for ln in meas.splitlines() for it in ln.split("=~")[1].split("+")]
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise AvoidSurveyError(f"the data has no column for item(s) {', '.join(absent)}", file=file,
                               column=absent[0])
    if len(factors) < 2:
        raise AvoidSurveyError("cmv needs at least two scales or facets (the single-factor and ULMC tests compare "
                               "against a measurement model with several factors)", file=file)
    if marker is not None and marker not in data.columns and not marker_items:
        raise AvoidSurveyError(f"no column '{marker}' in the data for --marker (nor a scale of the instrument)",
                               file=file, column=marker)
    cols = items + (marker_items or ([marker] if marker else []))
    cols = list(dict.fromkeys(cols))
    from ...core.frames import numeric_column

    frame = data[cols].apply(lambda s: numeric_column(
        s, s.name, file=file, message="value '{value}' is not a number (" +
        ("the --marker column must be numeric" if s.name == marker else "cmv needs numeric item codes") + ")"))
    keep = frame.notna().all(axis=1).to_numpy()
    frame = frame[keep]
    if marker_items:   # the marker scale's score
        from ..scoring import reverse_coded

        frame = frame.assign(**{marker: reverse_coded(frame, instrument, marker_items).mean(axis=1)})
    warnings = []
    if (~keep).sum():
        warnings.append(f"{int((~keep).sum())} of {len(keep)} rows dropped (listwise: a missing item"
                        f"{' or marker' if marker else ''})")

    def fit(syntax):
        return sem(frame, model=syntax, file=file)

    meas_res = fit(meas)
    single = fit("cmv_single =~ " + " + ".join(items))
    ulmc, ulmc_warn = _ulmc(frame, meas_res, _ulmc_syntax(meas, items, factors), items, fit)
    for what, ws in (("measurement model", meas_res.warnings), ("single factor", single.warnings),
                     ("ULMC method factor", ulmc_warn)):
        warnings += [f"{what}: {w}" for w in ws]
    return CMVResult(n=int(keep.sum()), items=items, factors=factors,
                     harman=_harman(frame[items].to_numpy(float), single), measurement=_fit_of(meas_res),
                     single_factor={**_fit_of(single), **_delta(single, meas_res)}, ulmc=ulmc,
                     marker=_marker(frame, instrument, factors, marker, int(keep.sum()), marker_items) if marker
                     else None,
                     warnings=tuple(warnings))
