"""Design matrices of the experiment models, with R's column names.

A factor enters as treatment dummies against its baseline (R's ``contr.treatment`` with the
baseline as first level): column ``<factor><level>``, e.g. ``ft_listpublished``. Products
are named ``a:b`` as R names them. Which standard error a model gets is decided here too.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Columns", "intercept", "factor_dummies", "products", "centred", "moderator_columns", "se_plan",
           "intercept_and_dummies", "group_codes"]


@dataclass
class Columns:
    """Named columns of a design matrix and, per column, what it estimates."""

    names: list
    arrays: list
    meta: list   # (factor, level, baseline) per column

    def __add__(self, other: "Columns") -> "Columns":
        return Columns(self.names + other.names, self.arrays + other.arrays, self.meta + other.meta)

    def matrix(self, mask):
        """The N x K matrix (column-major: each column one contiguous write), or its rows in
        ``mask``. Built once per Columns object and kept: the conjoint checks fit the same
        design to several row subsets."""
        import numpy as np

        X = self.__dict__.get("_full")
        if X is None or X.shape[1] != len(self.arrays):
            X = np.empty((len(self.arrays[0]), len(self.arrays)), order="F")
            for j, a in enumerate(self.arrays):
                X[:, j] = a
            self.__dict__["_full"] = X
        return X if mask is None or mask.all() else X[mask]


def intercept(n: int) -> Columns:
    import numpy as np

    return Columns(["(Intercept)"], [np.ones(n)], [(None, None, None)])


def _non_baseline(exp, codes, factors=None):
    """(name, meta, codes, level index) of every non-baseline level, factors and levels in
    instrument order (``factors``: only these)."""
    for f in exp.factors:
        if factors is not None and f.id not in factors:
            continue
        c = codes[f.id]
        base = f.level_ids.index(f.baseline)
        for k, lv in enumerate(f.levels):
            if k != base:
                yield f"{f.id}{lv.id}", (f.id, lv.id, f.baseline), c, k


def factor_dummies(exp, codes, factors=None) -> Columns:
    """Dummies of every non-baseline level, factors (and levels) in instrument order."""
    out = Columns([], [], [])
    for name, meta, c, k in _non_baseline(exp, codes, factors):
        out.names.append(name)
        out.arrays.append((c == k).astype(float))
        out.meta.append(meta)
    return out


def intercept_and_dummies(exp, codes, n: int) -> Columns:
    """``intercept(n) + factor_dummies(exp, codes)`` with its matrix built in place: each
    dummy is written straight into its column of the N x K matrix, and the column arrays are
    views of it (the same numbers without a second copy of the design)."""
    import numpy as np

    out = Columns(["(Intercept)"], [], [(None, None, None)])
    which = []
    for name, meta, c, k in _non_baseline(exp, codes):
        out.names.append(name)
        out.meta.append(meta)
        which.append((c, k))
    X = np.empty((n, len(out.names)), order="F")
    X[:, 0] = 1.0
    for j, (c, k) in enumerate(which, 1):
        np.equal(c, k, out=X[:, j], casting="unsafe")   # 1.0 / 0.0, as (c == k).astype(float)
    out.arrays.extend(X[:, j] for j in range(X.shape[1]))
    out.__dict__["_full"] = X
    return out


def level_indicators(factor, code_array) -> Columns:
    """One indicator per level, baseline included (no intercept: the level means)."""
    out = Columns([], [], [])
    for k, lv in enumerate(factor.levels):
        out.names.append(f"{factor.id}{lv.id}")
        out.arrays.append((code_array == k).astype(float))
        out.meta.append((factor.id, lv.id, None))
    return out


def products(a: Columns, b: Columns) -> Columns:
    """Every column of ``a`` times every column of ``b``: R's ``a:b`` terms."""
    out = Columns([], [], [])
    for nb, xb, mb in zip(b.names, b.arrays, b.meta):
        for na, xa, ma in zip(a.names, a.arrays, a.meta):
            out.names.append(f"{na}:{nb}")
            out.arrays.append(xa * xb)
            if mb[1] in ("slope", None):  # a numeric variable: the level's effect per unit of it
                out.meta.append((f"{ma[0]}:{mb[0]}", ma[1], ma[2]))
            else:
                out.meta.append((f"{ma[0]}:{mb[0]}", f"{ma[1]}:{mb[1]}", f"{ma[2]}:{mb[2]}"))
    return out


def centred(covariates: dict, mask) -> Columns:
    """Covariates centred at their mean over the rows in ``mask`` (Lin 2013)."""
    out = Columns([], [], [])
    for name, x in covariates.items():
        out.names.append(f"{name}_c")
        out.arrays.append(x - x[mask].mean())
        out.meta.append((name, None, None))
    return out


def moderator_columns(mod) -> Columns:
    """A numeric moderator as one column; a categorical one as dummies against its first
    level in sorted order."""
    import numpy as np

    name, values, numeric = mod
    if numeric:
        return Columns([name], [values.astype(float)], [(name, "slope", None)])
    levels = sorted(set(v for v in values if v != ""))
    out = Columns([], [], [])
    for lv in levels[1:]:
        out.names.append(f"{name}{lv}")
        out.arrays.append((values == lv).astype(float))
        out.meta.append((name, lv, levels[0]))
    if not out.names:
        out = Columns([name], [np.zeros(len(values))], [(name, None, None)])
    return out


def se_plan(d, mask):
    """('hc2', None, None) or ('cl', (codes, G), cluster name) for the rows in ``mask``.

    Clustered (CR1) when --cluster is given, for every conjoint, and for a vignette design in
    which some respondent answered more than one vignette; else HC2.
    """
    if d.cluster is not None:
        name, labels = d.cluster
        return "cl", _codes_of(labels, mask), name
    if d.respondent is not None:
        codes, g = _codes_of(d.respondent, mask)
        resp = codes
        if d.experiment.type == "conjoint" or g < len(resp):
            return "cl", (codes, g), d.experiment.respondent
    return "hc2", None, None


def _short_label_keys(values):
    """One integer per label of a 1-d array of labels of at most two characters (task and
    profile numbers), first code point most significant: the order numpy sorts such strings
    in. None for other arrays."""
    import numpy as np

    w = values.dtype.itemsize // 4 if values.dtype.kind == "U" else 0
    if values.ndim != 1 or not 1 <= w <= 2 or not len(values):
        return None
    cp = np.ascontiguousarray(values).view(np.uint32).reshape(-1, w).astype(np.uint64)
    return cp[:, 0] << np.uint64(32) | cp[:, 1] if w == 2 else cp[:, 0]


def distinct(values):
    """``numpy.unique(values)`` (sorted distinct values) of a label array; short labels
    sorted through integer keys (:func:`_short_label_keys`), in numpy's order."""
    import numpy as np

    values = np.asarray(values)
    keys = _short_label_keys(values)
    if keys is None:
        return np.unique(values, return_inverse=True)[0]   # (return_inverse: no numpy.ma import)
    _, first = np.unique(keys, return_index=True)
    return values[first]


def group_codes(values):
    """Integer codes 0..G-1 of a label array, in the order of :func:`distinct`."""
    import numpy as np

    values = np.asarray(values)
    keys = _short_label_keys(values)
    return np.unique(values if keys is None else keys, return_inverse=True)[1].reshape(-1)


_CODES: dict = {}


def _codes_of(labels, mask):
    """Cluster codes of ``labels[mask]``, computed once per label array and row subset (every
    model of a run clusters by the same respondents)."""
    from .linalg import cluster_codes

    key = (id(labels), hash(mask.tobytes()) if mask is not None else None)
    hit = _CODES.get(key)
    if hit is not None and hit[0] is labels:
        return hit[1]
    out = cluster_codes(labels if mask is None or mask.all() else labels[mask])
    if len(_CODES) > 16:
        _CODES.clear()
    _CODES[key] = (labels, out)
    return out
