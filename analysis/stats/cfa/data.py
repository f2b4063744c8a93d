"""From a data frame to the moments a CFA or SEM is fitted to: numeric columns, complete
rows (or missing-data patterns for full-information ML), one GroupData per group."""
from __future__ import annotations

from ...core.errors import AvoidSurveyError

__all__ = ["numeric_matrix", "group_moments", "check_pd"]


def numeric_matrix(data, cols, file, what="CFA"):
    """Float matrix (rows x cols) of the named columns of a pandas frame or a NumericFrame."""
    import numpy as np

    if hasattr(data, "matrix"):  # io.NumericFrame: already floats
        return np.array(data.matrix(cols), dtype=float)
    from ...core.frames import numeric_column

    out = [numeric_column(data[c], c, message="value '{value}' is not a number (" + what + " needs numeric item codes)",
                          file=file).to_numpy(dtype=float, na_value=np.nan) for c in cols]
    return np.column_stack(out) if out else np.empty((len(data), 0))


def group_moments(x, name, file, fiml=False, ov=(), what="CFA"):
    import numpy as np
    from .estimate import GroupData

    n, p = x.shape
    if n <= p:
        raise AvoidSurveyError(f"{'group ' + repr(name) + ': ' if name is not None else ''}only {n} "
                               f"{'usable' if fiml else 'complete'} rows for {p} observed variables; {what} needs more "
                               f"rows than variables", file=file)
    if fiml:
        from .fiml import em_saturated, pattern_f, pattern_logl, patterns

        seen = ~np.isnan(x)
        empty = [ov[j] for j in range(p) if seen[:, j].sum() < 2]
        if empty:
            raise AvoidSurveyError(f"item '{empty[0]}' has fewer than 2 observed values"
                                   f"{' in group ' + repr(str(name)) if name is not None else ''}", file=file,
                                   column=empty[0])
        pats = patterns(x)
        sigma, mu, _ = em_saturated(pats, p, n)
        gd = GroupData(str(name) if name is not None else "all", n, sigma, mu, patterns=pats,
                       f_h1=pattern_f(pats, n, sigma, mu), logl_h1=pattern_logl(pats, n, sigma, mu))
        return gd, np.sqrt(np.diag(sigma))
    S = np.cov(x.T, bias=True)
    sd = np.sqrt(np.diag(S))
    return GroupData(str(name) if name is not None else "all", n, S, x.mean(axis=0)), sd


def check_pd(gd, ov, file):
    import numpy as np

    sd = np.sqrt(np.diag(gd.S))
    where = f" in group '{gd.name}'" if gd.name != "all" else ""
    const = [ov[i] for i in range(len(ov)) if sd[i] <= 1e-12]
    if const:
        raise AvoidSurveyError(f"item '{const[0]}' has no variance{where}; drop it from the model", file=file,
                               column=const[0])
    R = gd.S / np.outer(sd, sd)
    ev = np.linalg.eigvalsh(R)
    if ev[0] <= 1e-10:
        raise AvoidSurveyError(f"the sample covariance matrix{where} is not positive definite (smallest eigenvalue "
                               f"{ev[0]:.2g}): some items are linear combinations of others", file=file)


