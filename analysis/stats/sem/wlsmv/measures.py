"""Fit measures of a WLSMV fit, as lavaan 0.6-14 ``fitMeasures``.

* Standard: ``T = sum_g (N_g - 1) F_g``; the baseline model keeps the thresholds and sets
  every correlation to 0, so ``T_b = sum_g (N_g - 1) sum_c w_c r_c^2``.
* Scaled (scaled-shifted): ``T_ss = a T + b`` for the model and the baseline, CFI/TLI from
  them, RMSEA from ``T_ss`` and df; N in RMSEA is ``N - G`` (lavaan's rule for DWLS).
* Robust (Savalei 2021, lavaan's ``lav_fit_catml_dwls``): the DWLS estimates are read as an
  ML fit to the polychoric correlation matrices, ``T3 = sum_g N_g F_ML(R_g, Sigma_g)``, with
  ``c3 = tr(WiU' V WiU Gamma) / df3`` (V the normal-theory weight of the correlations at
  Sigma, ``WiU = I - D E^-1 D' W``, correlation rows only) and the baseline's
  ``c3_b = tr(Gamma_cc) / df_b``::

      CFI_robust   = 1 - max(T3 - c3 df, 0) / max(T3 - c3 df, T3_b - c3_b df_b, 0)
      RMSEA_robust = sqrt(max(T3 / (N df3) - c3 / N, 0)) sqrt(G)

* SRMR: root mean square of the correlation residuals (below the diagonal and the zero
  diagonal), weighted by N_g / N over groups (lavaan's ``srmr_bentler_nomean``).
"""
from __future__ import annotations

import math

import numpy as np

from ....numerics.dist import chi2_sf
from ...cfa.fit import rmsea_ci

__all__ = ["wlsmv_measures", "scaled_shifted"]


def scaled_shifted(T, df, tr1, tr2):
    """(T_ss, a^-1 (lavaan's scaling factor), b (shift))."""
    if df <= 0 or not tr2 > 0:
        return math.nan, math.nan, math.nan
    a = math.sqrt(df / tr2)
    b = df - a * tr1
    return a * T + b, 1.0 / a, b


def _cfi(X2, df, X2n, dfn, c=1.0, cn=1.0):
    if any(v is None or not math.isfinite(v) for v in (X2, df, X2n, dfn, c, cn)):
        return math.nan
    if df > 0 and c != 1 and cn != 1:
        t1 = max(X2 - c * df, 0.0)
        t2 = max(X2 - c * df, X2n - cn * dfn, 0.0)
    else:
        t1 = max(X2 - df, 0.0)
        t2 = max(X2 - df, X2n - dfn, 0.0)
    if math.isclose(t1, 0.0, abs_tol=1.5e-8) and math.isclose(t2, 0.0, abs_tol=1.5e-8):
        return 1.0
    return 1 - t1 / t2


def _tli(X2, df, X2n, dfn, c=1.0, cn=1.0):
    if any(v is None or not math.isfinite(v) for v in (X2, df, X2n, dfn, c, cn)):
        return math.nan
    if df > 0 and c != 1 and cn != 1:
        t1 = (X2 - c * df) * dfn
        t2 = (X2n - cn * dfn) * df
    else:
        t1 = (X2 - df) * dfn
        t2 = (X2n - dfn) * df
    if df > 0 and abs(t2) > 0:
        return 1 - t1 / t2
    return 1.0


def _rmsea(X2, df, N, G, c=1.0):
    if not (math.isfinite(X2) and math.isfinite(c)):
        return math.nan
    return math.sqrt(max(X2 / N / df - c / N, 0.0)) * math.sqrt(G) if df > 0 else 0.0


def _baseline(fit):
    """T_b and its scaled-shifted version: correlations set to 0, thresholds saturated."""
    N = fit.ntotal
    Tb, tr1, tr2, dfb = 0.0, 0.0, 0.0, 0
    for s in fit.samples:
        T = s.cut
        r = s.obs[T:]
        w = s.wdiag[T:]
        Tb += (s.n - 1) * float(np.sum(w * r * r))
        Gcc = s.gamma[T:, T:]
        UG = w[:, None] * Gcc          # U = V on the correlation rows; the f_g cancel
        tr1 += float(np.trace(UG))
        tr2 += float(np.sum(UG * UG.T))
        dfb += len(r)
    del N
    return Tb, dfb, tr1, tr2


def _catml(fit, df3):
    """(T3, c3, T3_b, c3_b, df3_b) of lavaan's robust indices for categorical data."""

    N = fit.ntotal
    T3, T3b, ks, kbs, df3b = 0.0, 0.0, 0.0, 0.0, 0
    p = fit.model.p
    a, b = np.triu_indices(p, 1)
    blocks = []
    for g, (s, D, sig) in enumerate(zip(fit.samples, fit.jac, fit.implied)):
        T = s.cut
        S = np.eye(p)
        S[b, a] = S[a, b] = sig[T:]
        R = s.R
        _, ld = np.linalg.slogdet(S)
        _, ldr = np.linalg.slogdet(R)
        Si = np.linalg.inv(S)
        T3 += s.n * (ld + float(np.sum(R * Si)) - ldr - p)
        T3b += -s.n * ldr
        fg = s.n / N
        # normal-theory weight of the off-diagonal entries: 0.5 D'(S^-1 x S^-1)D, off-diagonal block
        V = Si[b][:, b] * Si[a][:, a] + Si[b][:, a] * Si[a][:, b]
        blocks.append((fg * V, fg * s.wdiag[T:], D[T:], s.gamma[T:, T:] / fg))
        kbs += float(np.trace(s.gamma[T:, T:])) / fg
        df3b += len(a)
    from .estimate import _bdiag

    Vall = _bdiag([x[0] for x in blocks])
    w = np.concatenate([x[1] for x in blocks])
    Dc = np.vstack([x[2] for x in blocks])
    Gall = _bdiag([x[3] for x in blocks])
    WiU = np.eye(len(w)) - (Dc @ fit.info_inv @ Dc.T) * w[None, :]
    ks = float(np.sum((WiU.T @ Vall @ WiU) * Gall.T))
    return T3, ks / df3, T3b, kbs / df3b, df3b


def implied_correlation(model, theta, g):
    """The model-implied correlation matrix of the (latent response) variables of group g."""
    mt = model.implied(theta[None], g)
    C = mt["sigma"][0] * np.outer(mt["scale"][0], mt["scale"][0])
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


def _srmr(fit):
    N = fit.ntotal
    out = 0.0
    p = fit.model.p
    a, b = np.triu_indices(p, 1)
    cond = fit.model.meta.get("cond") is not None
    for g, (s, sig) in enumerate(zip(fit.samples, fit.implied)):
        if cond:   # residual correlations given the covariates; lavaan also counts the covariates'
            # (zero) variance residuals in the denominator
            res, py = s.obs[s.cut:] - sig[s.cut:], len(s.items)
            q = len(fit.model.meta["cond"]["x_ov"])
            out += s.n / N * math.sqrt(float(np.sum(res * res)) / (py * (py + 1) / 2 + q))
            continue
        res = (s.R - implied_correlation(fit.model, fit.theta, g))[b, a]
        out += s.n / N * math.sqrt(float(np.sum(res * res)) / (p * (p + 1) / 2))
    return out


def _df3(fit):
    """df of the ML-on-correlations model: correlations minus the free parameters that are
    neither thresholds nor intercepts/means (lavaan's catML parameter table)."""
    G = fit.model.n_groups
    p = fit.model.p
    keep = {r.free for r in fit.model.rows if r.free >= 0 and r.op not in ("|", "~1")}
    drop = {r.free for r in fit.model.rows if r.free >= 0 and r.op in ("|", "~1")}
    return G * p * (p - 1) // 2 - len(keep - drop)


def wlsmv_measures(fit) -> dict:
    from .estimate import ug_traces

    model = fit.model
    G = model.n_groups
    nstat = sum(len(s.obs) for s in fit.samples)
    df = nstat - model.npar
    T = fit.chisq
    if abs(T) < 1e-9:
        T = 0.0
    Nr = fit.ntotal - G
    out = {"npar": model.npar, "ntotal": fit.ntotal, "chisq": T, "df": df,
           "pvalue": chi2_sf(T, df) if df > 0 else (1.0 if df == 0 else math.nan)}
    if df > 0:
        tr1, tr2 = ug_traces(fit)
        Ts, sf, shift = scaled_shifted(T, df, tr1, tr2)
    else:
        Ts, sf, shift = T, math.nan, math.nan
    out.update(chisq_scaled=Ts, df_scaled=df, pvalue_scaled=chi2_sf(Ts, df) if df > 0 else math.nan,
               chisq_scaling_factor=sf, chisq_shift_parameter=shift)
    Tb, dfb, btr1, btr2 = _baseline(fit)
    Tbs, _, _ = scaled_shifted(Tb, dfb, btr1, btr2)
    out.update(baseline_chisq=Tb, baseline_df=dfb, baseline_pvalue=chi2_sf(Tb, dfb),
               baseline_chisq_scaled=Tbs, baseline_df_scaled=dfb)
    out["cfi"] = _cfi(T, df, Tb, dfb)
    out["tli"] = _tli(T, df, Tb, dfb)
    out["rmsea"] = _rmsea(T, df, Nr, G)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = rmsea_ci(T, df, Nr, G)
    out["cfi_scaled"] = _cfi(Ts, df, Tbs, dfb)
    out["tli_scaled"] = _tli(Ts, df, Tbs, dfb)
    out["rmsea_scaled"] = _rmsea(Ts, df, Nr, G)
    lo, hi = rmsea_ci(Ts, df, Nr, G) if df > 0 else (math.nan, math.nan)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, hi
    robust = dict.fromkeys(("cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                            "rmsea_ci_upper_robust"), math.nan)
    if (df > 0 and bool(np.all(model.ordered)) and model.meta.get("cond") is None and _pd_all(fit)
            and not _constrained_moments(model)):
        df3 = _df3(fit)
        T3, c3, T3b, c3b, df3b = _catml(fit, df3)
        robust["cfi_robust"] = _cfi(T3, df, T3b, dfb, c3, c3b)
        robust["tli_robust"] = _tli(T3, df, T3b, dfb, c3, c3b)
        robust["rmsea_robust"] = _rmsea(T3, df3, Nr, G, c3)
        lo, hi = rmsea_ci(T3 / c3, df3, Nr, G)
        robust["rmsea_ci_lower_robust"], robust["rmsea_ci_upper_robust"] = lo * math.sqrt(c3), hi * math.sqrt(c3)
    out.update(robust)
    out["srmr"] = _srmr(fit)
    for k in ("logl", "unrestricted_logl", "aic", "bic"):
        out[k] = None
    return {k: (None if v is None or (isinstance(v, float) and not math.isfinite(v)) else
                (int(v) if k in ("df", "npar", "ntotal", "baseline_df", "df_scaled", "baseline_df_scaled")
                 else float(v))) for k, v in out.items()}


def _constrained_moments(model):
    """lavaan computes the robust indices on the model without its threshold and intercept rows;
    an equality across groups that involves those rows makes that model fail (NA there)."""
    groups_of = {}
    for r in model.rows:
        if r.free >= 0:
            groups_of.setdefault(r.free, set()).add((r.group, r.op in ("|", "~1")))
    for k, gs in groups_of.items():
        if len({g for g, _ in gs}) > 1 and any(cut for _, cut in gs):
            return True
    return False


def _pd_all(fit):
    """lavaan leaves the robust indices out when a polychoric matrix is not positive definite."""
    return all(np.linalg.eigvalsh(s.R)[0] >= math.sqrt(np.finfo(float).eps) for s in fit.samples)
