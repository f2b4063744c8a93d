"""Data preparation of a model spec: read, score, join the unit file, filter, transform.

:class:`Prep` builds (and caches) the analysis frame for each combination of data rules a
spec uses (spec level, a model's own ``data:``/``instrument:``/``units:``, a robustness
variant). Every error names the spec file, line and key.
"""
from __future__ import annotations

from typing import NamedTuple

from ...core.errors import AvoidSurveyError
from .result import model_warning
from .spec import LoadedSpec, ModelSpec

__all__ = ["Prep", "truthy"]

TRUTHY = {"1", "1.0", "true", "t", "yes", "y", "是"}


def truthy(series):
    import pandas as pd
    if pd.api.types.is_bool_dtype(series):
        return series.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(series):
        return series.fillna(0).astype(float) != 0
    return series.astype("string").str.strip().str.casefold().isin(TRUTHY).fillna(False).astype(bool)


def _norm_key(series):
    """Join keys as text: '12', 12 and 12.0 all become '12'."""
    import pandas as pd
    s = series.astype("string").str.strip()
    return s.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True).astype(object).where(s.notna(), None) \
        if len(s) else pd.Series([], dtype=object)


def _eq_mask(series, value):
    import pandas as pd
    vals = value if isinstance(value, list) else [value]
    mask = pd.Series(False, index=series.index)
    for v in vals:
        if isinstance(v, bool):
            mask |= truthy(series) == v
        elif isinstance(v, (int, float)) and pd.api.types.is_numeric_dtype(series):
            mask |= series == v
        else:
            mask |= _norm_key(series) == _norm_key(pd.Series([v])).iloc[0]
    return mask.fillna(False)


class _Rules(NamedTuple):
    """The data rules that decide an analysis frame (and its cache key)."""

    data_ref: object
    inst_ref: object
    units: object
    min_items: float
    method: str
    flags: tuple
    where: dict

    def key(self) -> tuple:
        u = self.units
        return (self.data_ref, self.inst_ref, u.file if u else None, u.key if u else None, self.min_items,
                self.method, self.flags, tuple(sorted((k, str(v)) for k, v in self.where.items())))


class Prep:
    """Prepares (and caches) the analysis frame for a combination of data rules."""

    def __init__(self, loaded: LoadedSpec, frame=None):
        self.loaded = loaded
        self.frame = frame
        self.cache = {}
        self.raw_cache = {}
        self.inst_cache = {}
        self.warnings = []
        self.files = {}  # role -> path
        self.missing_units = {}  # unit files not found: path -> spec line

    def instrument(self, ref, path_key):
        from avoid_survey.instruments import load_instrument
        if ref is None:
            return None
        if ref not in self.inst_cache:
            target = ref
            cand = self.loaded.resolve(ref)
            if ("/" in str(ref) or str(ref).endswith((".yaml", ".yml"))) and cand.exists():
                target = str(cand)
            try:
                self.inst_cache[ref] = load_instrument(target)
            except AvoidSurveyError as exc:
                if exc.file is None:
                    exc.located(file=self.loaded.file, line=self.loaded.line(*path_key))
                raise
        return self.inst_cache[ref]

    def read(self, data_ref, inst, path_key):
        from ...io import read
        if data_ref is None:
            if self.frame is None:
                raise self.loaded.error("spec: no 'data' file given (set 'data:' or pass --data)", *path_key)
            key = ("<frame>", id(inst))
            if key not in self.raw_cache:
                from ...validate.screening import screen_frame
                self.raw_cache[key] = screen_frame(self.frame, inst, self.screening())
            return self.raw_cache[key].copy()
        key = (str(data_ref), id(inst))
        if key not in self.raw_cache:
            p = self.loaded.resolve(data_ref)
            if not p.exists():
                raise AvoidSurveyError(f"data file not found: {p}", file=self.loaded.file,
                                       line=self.loaded.line(*path_key))
            self.raw_cache[key] = read(p, inst, screening=self.screening(), units=self.nesting(inst))
            self.files[str(p)] = str(p)
        return self.raw_cache[key].copy()

    def screening(self):
        """The screening in force: the command's ``--screen`` options, else the spec's block."""
        from ...io.readopts import current
        opts = current()
        if opts.screening is not None:
            return opts.screening
        return self.loaded.spec.screening_rules

    def nesting(self, inst):
        from ...io.readopts import current
        return tuple(current().units or self.loaded.spec.nesting or getattr(inst, "units", ()) or ())

    def rules(self, ms: ModelSpec | None, variant=None) -> _Rules:
        """The data rules of model ``ms`` (None: spec level) under a robustness ``variant``."""
        sp = self.loaded.spec
        if ms is not None and ms.data:
            data_ref = ms.data
        elif self.frame is not None:
            data_ref = None
        else:
            data_ref = sp.data
        r = _Rules(data_ref, ms.instrument if ms and ms.instrument else sp.instrument,
                   ms.units if ms and ms.units else sp.units, sp.missing.min_items_fraction, sp.scoring.method,
                   tuple(sp.filters.exclude_flags), dict(sp.filters.where))
        if variant is None:
            return r
        flags = r.flags
        if variant.exclude_flags is not None:
            flags = flags + tuple(f for f in variant.exclude_flags if f not in flags)
        return r._replace(
            min_items=r.min_items if variant.min_items_fraction is None else variant.min_items_fraction,
            method=r.method if variant.scoring is None else variant.scoring, flags=flags,
            where={**r.where, **(variant.where or {})})

    def get(self, ms: ModelSpec | None, idx: int | None, variant=None):
        """(analysis frame, instrument, notes) for model ``ms`` (None: spec level) under a
        robustness ``variant``."""
        r = self.rules(ms, variant)
        key = r.key()
        if key in self.cache:
            return self.cache[key]
        mpath = ("models", idx) if idx is not None else ()
        inst = self.instrument(r.inst_ref, mpath + ("instrument",) if ms and ms.instrument else ("instrument",))
        df = self.read(r.data_ref, inst, mpath + ("data",) if ms and ms.data else ("data",))
        if inst is not None and inst.all_scales():  # (an experiment instrument may have no scales)
            df = self._score(df, inst, r.method, r.min_items)
        if r.units is not None:
            upath = ("models", idx, "units") if ms and ms.units else ("units",)
            df = self._join_units(df, r.units, inst, upath)
        df, notes = self._filter(df, r, inst)
        df = self._transforms(df)
        self.cache[key] = (df, inst, notes)
        return self.cache[key]

    def _score(self, df, inst, method, min_items):
        """Scale scores of the instrument added as columns (replacing columns of the same name)."""
        import pandas as pd
        from ..scoring import score_frame

        sc = score_frame(df, inst, method=method, min_items=min_items)
        cols = list(sc.scores.columns)
        scores = sc.scores[[c for c in cols if not (c.endswith("_n") and c[:-2] in cols)]]
        df = df.drop(columns=[c for c in scores.columns if c in df.columns])
        df = pd.concat([df, scores], axis=1)
        seen = {str(w) for w in self.warnings}
        for w in sc.warnings:
            if str(w) not in seen:
                seen.add(str(w))
                self.warnings.append(w)
        return df

    def _filter(self, df, r: _Rules, inst):
        """Rows left by ``exclude_flags`` and ``where``; notes say how many were removed."""
        n0 = len(df)
        fpath = ("filters",)
        missing_flags = [f for f in r.flags if f not in df.columns]
        if missing_flags:
            df = self._computed_flags(df, missing_flags, r.data_ref, inst)
        for f in r.flags:
            if f not in df.columns:
                raise self.loaded.error(f"spec: exclude_flags names '{f}', which is not a column of the data "
                                        f"(run validate --clean to add flag columns)", *fpath, "exclude_flags",
                                        column=f)
            df = df.loc[~truthy(df[f])]
        for col, val in r.where.items():
            if col not in df.columns:
                raise self.loaded.error(f"spec: filter 'where' names '{col}', which is not a column of the data",
                                        *fpath, "where", col, column=col)
            df = df.loc[_eq_mask(df[col], val)]
        notes = [f"{n0 - len(df)} of {n0} rows removed by filters"] if len(df) < n0 else []
        if len(df) == 0:
            raise self.loaded.error("spec: no rows left after the filters", *fpath)
        return df, notes

    def _computed_flags(self, df, names, data_ref, inst):
        """Careless-response flags computed by ``validate`` (default thresholds) when the data
        file lacks the flag columns of a ``validate --clean`` output."""
        try:
            from ...validate import FLAG_COLUMNS, clean_frame, validate
        except ImportError:  # pragma: no cover
            return df
        if data_ref is None or inst is None or not all(n in FLAG_COLUMNS for n in names):
            return df
        p = self.loaded.resolve(data_ref)
        key = ("flags", str(p), id(inst))
        if key not in self.raw_cache:
            rep = validate(p, inst, screening=self.screening())
            clean = clean_frame(rep, keep_pii=True, instrument=inst)
            if len(clean) != len(self.raw_cache.get((str(data_ref), id(inst)), clean)):
                raise AvoidSurveyError("cannot align the careless-response flags with the data rows; run "
                                       "validate --clean and use its output as data", file=p)
            self.raw_cache[key] = clean[[c for c in FLAG_COLUMNS if c in clean.columns]].reset_index(drop=True)
            self.warnings.append(model_warning(
                "model-computed-flags", f"careless-response flags ({', '.join(names)}) computed with validate's "
                f"default thresholds"))
        flags = self.raw_cache[key]
        df = df.copy()
        for n in names:
            if n in flags.columns:
                df[n] = flags[n].to_numpy()
        return df

    def _join_units(self, df, units, inst, path):
        from ...io import read
        p = self.loaded.resolve(units.file)
        if not p.exists():
            # not an error yet: the models may use no unit-level variable (a template run on a
            # user's responses); a variable they need and lack names this file (run.py)
            self.missing_units[str(p)] = self.loaded.line(*path, "file")
            return df
        self.files[str(p)] = str(p)
        u = read(p, inst, hints=False)
        k = units.key
        if k not in df.columns:
            raise self.loaded.error(f"spec: join key '{k}' is not a column of the responses", *path, "key", column=k)
        if k not in u.columns:
            raise AvoidSurveyError(f"join key '{k}' is not a column of the unit file", file=p, column=k)
        ukey = _norm_key(u[k])
        dup = ukey[ukey.duplicated() & ukey.notna()]
        if len(dup):
            row = int(dup.index[0]) + 1
            raise AvoidSurveyError(f"unit file has key '{dup.iloc[0]}' more than once", file=p, row=row, column=k)
        u = u.drop(columns=[k])
        both = [c for c in u.columns if c in df.columns]
        u.index = ukey.to_numpy()
        if both:
            other = u[both].reindex(_norm_key(df[k]).to_numpy())
            clash = [c for c in both if ((_norm_key(df[c]).to_numpy() != _norm_key(other[c]).to_numpy())
                                         & other[c].notna().to_numpy() & df[c].notna().to_numpy()).any()]
            if clash:
                self.warnings.append(model_warning(
                    "model-unit-clash", f"unit file and responses disagree on {', '.join(clash[:5])}; "
                    f"the responses' values are kept"))
            u = u.drop(columns=both)
        u.index = ukey.to_numpy()
        dkey = _norm_key(df[k])
        joined = u.reindex(dkey.to_numpy())
        joined.index = df.index
        unmatched = int(joined.isna().all(axis=1).sum()) if u.shape[1] else 0
        if unmatched:
            self.warnings.append(model_warning(
                "model-unit-unmatched", f"{unmatched} response rows have no match in the unit file on '{k}'"))
        for c in joined.columns:
            df[c] = joined[c]
        return df

    def _transforms(self, df):
        import numpy as np
        import pandas as pd
        df = df.copy()
        for i, t in enumerate(self.loaded.spec.transforms):
            path = ("transforms", i)
            if t.var not in df.columns:
                raise self.loaded.error(f"spec: transform of unknown variable '{t.var}'", *path, "var", column=t.var)
            s = df[t.var]
            if t.op == "categorical":
                vals = s.dropna()
                levels = sorted(pd.unique(vals), key=lambda v: (isinstance(v, str), v))
                if t.ref is not None:
                    from .design import level_text
                    match = [v for v in levels if v == t.ref or level_text(v) == level_text(t.ref)]
                    if not match:
                        raise self.loaded.error(f"spec: reference level {t.ref!r} of '{t.var}' does not occur "
                                                f"in the data", *path, "ref")
                    levels = match + [v for v in levels if v is not match[0] and v != match[0]]
                df[t.target] = pd.Categorical(s, categories=levels)
                continue
            if t.op in ("group_center", "group_mean") and t.by not in df.columns:
                raise self.loaded.error(f"spec: transform groups by unknown column '{t.by}'", *path, "by",
                                        column=t.by)
            try:
                x = pd.to_numeric(s, errors="raise").astype(float)
            except (ValueError, TypeError):
                raise self.loaded.error(f"spec: transform '{t.op}' needs a numeric variable; '{t.var}' is not",
                                        *path, "var", column=t.var) from None
            if t.op == "center":
                df[t.target] = x - x.mean()
            elif t.op == "standardize":
                sd = x.std(ddof=1)
                if not sd > 0:
                    raise self.loaded.error(f"spec: '{t.var}' has no variance; cannot standardize", *path)
                df[t.target] = (x - x.mean()) / sd
            elif t.op == "log":
                if (x.dropna() <= 0).any():
                    raise self.loaded.error(f"spec: log of '{t.var}' needs positive values (found values <= 0)",
                                            *path, "var", column=t.var)
                df[t.target] = np.log(x)
            elif t.op == "square":
                df[t.target] = x ** 2
            else:
                gm = x.groupby(df[t.by]).transform("mean")
                df[t.target] = x - gm if t.op == "group_center" else gm
        return df

