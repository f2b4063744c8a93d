"""Running a model spec: data preparation, formula checks, fitting every declared model.

Order of work (so a bad spec fails before anything runs):

1. the spec is validated (pydantic; file, line, key in every error);
2. every formula, steps block and covariate list is parsed by our own grammar;
3. data are read, scored (scale ids of the instrument become variables), the unit file is
   joined, filters and transforms are applied;
4. every variable each model uses is checked against the prepared columns;
5. only then are the models fitted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import AvoidSurveyError
from .formula import Formula, parse_formula, parse_terms
from .spec import LoadedSpec, ModelSpec, load_spec

__all__ = ["ModelsResult", "run_spec"]

TRUTHY = {"1", "1.0", "true", "t", "yes", "y", "是"}


@dataclass
class ModelsResult:
    """Every fitted model of a spec, in spec order (steps and robustness runs expanded).

    to_dict() = {"spec": {...}, "models": [ModelFit.to_dict(), ...], "warnings": [...]}
    to_tables(lang) = [the comparison table (a column per model), simple slopes if any]
    """

    spec: dict
    models: list
    warnings: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)      # variable -> {"en", "zh"}
    value_labels: dict = field(default_factory=dict)  # variable -> {code: {"en", "zh"}}
    stars: tuple = (0.05, 0.01, 0.001)

    def to_dict(self) -> dict:
        return {"spec": dict(self.spec), "models": [m.to_dict() for m in self.models],
                "warnings": list(self.warnings)}

    show: str = "se"                                 # 'se' or 'ci' below each estimate

    def to_tables(self, lang: str = "en", stars=None, show=None):
        from ...tables.models import build_tables
        return build_tables(self, lang, tuple(stars) if stars else self.stars, show or self.show)

    def model(self, name: str):
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


# ------------------------------------------------------------------ data preparation
def _truthy(series):
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
            mask |= _truthy(series) == v
        elif isinstance(v, (int, float)) and pd.api.types.is_numeric_dtype(series):
            mask |= series == v
        else:
            mask |= _norm_key(series) == _norm_key(pd.Series([v])).iloc[0]
    return mask.fillna(False)


class _Prep:
    """Prepares (and caches) the analysis frame for a combination of data rules."""

    def __init__(self, loaded: LoadedSpec, frame=None):
        self.loaded = loaded
        self.frame = frame
        self.cache = {}
        self.raw_cache = {}
        self.inst_cache = {}
        self.warnings = []
        self.files = {}  # role -> path

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
        from ...io import read_data
        if data_ref is None:
            if self.frame is None:
                raise self.loaded.error("spec: no 'data' file given (set 'data:' or pass --data)", *path_key)
            return self.frame.copy()
        key = (str(data_ref), id(inst))
        if key not in self.raw_cache:
            p = self.loaded.resolve(data_ref)
            if not p.exists():
                raise AvoidSurveyError(f"data file not found: {p}", file=self.loaded.file,
                                       line=self.loaded.line(*path_key))
            self.raw_cache[key] = read_data(p, inst)
            self.files[str(p)] = str(p)
        return self.raw_cache[key].copy()

    def get(self, ms: ModelSpec | None, idx: int | None, variant=None):
        """Analysis frame for model ``ms`` (None: spec level) under a robustness ``variant``."""
        import pandas as pd
        from ..scoring import score_frame

        sp = self.loaded.spec
        if ms is not None and ms.data:
            data_ref = ms.data
        elif self.frame is not None:
            data_ref = None
        else:
            data_ref = sp.data
        inst_ref = (ms.instrument if ms and ms.instrument else sp.instrument)
        units = (ms.units if ms and ms.units else sp.units)
        min_items = sp.missing.min_items_fraction
        method = sp.scoring.method
        flags = list(sp.filters.exclude_flags)
        where = dict(sp.filters.where)
        if variant is not None:
            if variant.min_items_fraction is not None:
                min_items = variant.min_items_fraction
            if variant.scoring is not None:
                method = variant.scoring
            if variant.exclude_flags is not None:
                flags = flags + [f for f in variant.exclude_flags if f not in flags]
            if variant.where is not None:
                where.update(variant.where)
        key = (data_ref, inst_ref, units.file if units else None, units.key if units else None, min_items, method,
               tuple(flags), tuple(sorted((k, str(v)) for k, v in where.items())))
        if key in self.cache:
            return self.cache[key]
        mpath = ("models", idx) if idx is not None else ()
        inst = self.instrument(inst_ref, mpath + ("instrument",) if ms and ms.instrument else ("instrument",))
        df = self.read(data_ref, inst, mpath + ("data",) if ms and ms.data else ("data",))
        notes = []
        # scoring
        if inst is not None:
            sc = score_frame(df, inst, method=method, min_items=min_items)
            cols = list(sc.scores.columns)
            scores = sc.scores[[c for c in cols if not (c.endswith("_n") and c[:-2] in cols)]]
            df = df.drop(columns=[c for c in scores.columns if c in df.columns])
            df = pd.concat([df, scores], axis=1)
            for w in sc.warnings:
                if w not in self.warnings:
                    self.warnings.append(w)
        # unit-level file
        if units is not None:
            upath = ("models", idx, "units") if ms and ms.units else ("units",)
            df = self._join_units(df, units, inst, upath)
        # filters
        n0 = len(df)
        fpath = ("filters",)
        missing_flags = [f for f in flags if f not in df.columns]
        if missing_flags:
            df = self._computed_flags(df, missing_flags, data_ref, inst)
        for f in flags:
            if f not in df.columns:
                raise self.loaded.error(f"spec: exclude_flags names '{f}', which is not a column of the data "
                                        f"(run validate --clean to add flag columns)", *fpath, "exclude_flags",
                                        column=f)
            df = df.loc[~_truthy(df[f])]
        for col, val in where.items():
            if col not in df.columns:
                raise self.loaded.error(f"spec: filter 'where' names '{col}', which is not a column of the data",
                                        *fpath, "where", col, column=col)
            df = df.loc[_eq_mask(df[col], val)]
        if len(df) < n0:
            notes.append(f"{n0 - len(df)} of {n0} rows removed by filters")
        if len(df) == 0:
            raise self.loaded.error("spec: no rows left after the filters", *fpath)
        df = self._transforms(df)
        self.cache[key] = (df, inst, notes)
        return self.cache[key]

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
            rep = validate(p, inst)
            clean = clean_frame(rep, keep_pii=True, instrument=inst)
            if len(clean) != len(self.raw_cache.get((str(data_ref), id(inst)), clean)):
                raise AvoidSurveyError("cannot align the careless-response flags with the data rows; run "
                                       "validate --clean and use its output as data", file=p)
            self.raw_cache[key] = clean[[c for c in FLAG_COLUMNS if c in clean.columns]].reset_index(drop=True)
            self.warnings.append(f"careless-response flags ({', '.join(names)}) computed with validate's default "
                                 f"thresholds")
        flags = self.raw_cache[key]
        df = df.copy()
        for n in names:
            if n in flags.columns:
                df[n] = flags[n].to_numpy()
        return df

    def _join_units(self, df, units, inst, path):
        from ...io import read_data
        p = self.loaded.resolve(units.file)
        if not p.exists():
            raise self.loaded.error(f"spec: unit file not found: {p}", *path, "file")
        self.files[str(p)] = str(p)
        u = read_data(p, inst)
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
                self.warnings.append(f"unit file and responses disagree on {', '.join(clash[:5])}; "
                                     f"the responses' values are kept")
            u = u.drop(columns=both)
        u.index = ukey.to_numpy()
        dkey = _norm_key(df[k])
        joined = u.reindex(dkey.to_numpy())
        joined.index = df.index
        unmatched = int(joined.isna().all(axis=1).sum()) if u.shape[1] else 0
        if unmatched:
            self.warnings.append(f"{unmatched} response rows have no match in the unit file on '{k}'")
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


# ------------------------------------------------------------------ formulas
class _Parsed:
    def __init__(self, formula: Formula | None, steps: list, covariates: Formula | None):
        self.formula = formula
        self.steps = steps
        self.covariates = covariates


def _parse_all(loaded: LoadedSpec) -> list[_Parsed]:
    out = []
    for i, ms in enumerate(loaded.spec.models):
        f = None
        steps = []
        cov = None
        if ms.formula:
            f = parse_formula(ms.formula, file=loaded.file, line=loaded.model_line(i, "formula"))
            if ms.family == "ordinal" and not f.intercept:
                pass
        for j, st in enumerate(ms.steps or []):
            steps.append(parse_terms(st, file=loaded.file, line=loaded.line("models", i, "steps", j)))
        if ms.family == "mediation" and ms.covariates:
            cov = parse_terms(" + ".join(ms.covariates), file=loaded.file, line=loaded.model_line(i, "covariates"))
            if any(len(t) > 1 for t in cov.terms):
                raise loaded.error("spec: covariates are single variables (no interactions)", "models", i,
                                   "covariates")
        if ms.family == "mediation":
            for key in ("x", "y", "moderator", "cluster"):
                v = getattr(ms, key)
                if v is not None:
                    parse_terms(v, file=loaded.file, line=loaded.model_line(i, key))
            for j, v in enumerate(ms.mediators or []):
                parse_terms(v, file=loaded.file, line=loaded.line("models", i, "mediators", j))
        if ms.moderation and f is not None:
            names = f.term_names() + [n for st in steps for n in st.term_names()]
            mv = ms.moderation
            if not any(set(t.split(":")) == {mv.focal, mv.moderator} for t in names):
                raise loaded.error(f"spec: moderation needs the interaction {mv.focal}:{mv.moderator} "
                                   f"(write {mv.focal} * {mv.moderator}) in the formula", "models", i, "moderation")
        out.append(_Parsed(f, steps, cov))
    return out


def _model_vars(ms: ModelSpec, parsed: _Parsed) -> list[tuple[str, tuple]]:
    """(variable, spec key path) for every variable model ``ms`` uses."""
    out = []
    if parsed.formula is not None:
        out += [(v, ("formula",)) for v in parsed.formula.variables]
    for j, st in enumerate(parsed.steps):
        out += [(v, ("steps", j)) for v in st.variables]
    out += [(c, ("se", "cluster")) for c in ms.se_spec.clusters]
    out += [(g, ("groups",)) for g in ms.group_list]
    if ms.family == "mediation":
        for key in ("x", "y", "moderator", "cluster"):
            if getattr(ms, key):
                out.append((getattr(ms, key), (key,)))
        out += [(m, ("mediators", j)) for j, m in enumerate(ms.mediators)]
        if parsed.covariates is not None:
            out += [(v, ("covariates",)) for v in parsed.covariates.variables]
    return out


# ------------------------------------------------------------------ fitting
def _center_cols(frame, cols):
    import pandas as pd
    frame = frame.copy()
    means = {}
    for c in cols:
        x = pd.to_numeric(frame[c], errors="coerce").astype(float)
        means[c] = float(x.mean())
        frame[c] = x - means[c]
    return frame, means


def _fit_one(loaded, i, ms: ModelSpec, formula: Formula, frame, name, extra_vars=(), rows=None):
    """Fit ``formula`` with the family of ``ms`` on the complete cases of ``frame``."""
    import numpy as np
    from .design import build_design, complete_frame

    file = loaded.file
    line = loaded.model_line(i, "formula")
    se = ms.se_spec
    needed = formula.variables + se.clusters + ms.group_list + list(extra_vars)
    cf = complete_frame(frame, needed, file=file, line=line) if rows is None else frame.loc[rows]
    centred = {}
    if ms.moderation and ms.moderation.center:
        import pandas as pd
        to_centre = [v for v in (ms.moderation.focal, ms.moderation.moderator)
                     if pd.api.types.is_numeric_dtype(cf[v]) and not pd.api.types.is_bool_dtype(cf[v])
                     and not any(f.var == v and f.categorical for t in formula.terms for f in t)]
        cf, centred = _center_cols(cf, to_centre)
    fam = ms.family
    if fam == "ordinal":
        formula = Formula(formula.response, formula.terms, False, formula.text, formula.categorical)
    d = build_design(cf, formula, file=file, line=line)
    clusters = [cf[c].rename(c) for c in se.clusters]
    if fam == "ols":
        from .ols import fit_ols
        y = _numeric_response(d.y, formula.response, file, line)
        m = fit_ols(y, d.X, d.names, d.terms, se_type=se.type, clusters=clusters, hc=se.hc or "HC1", ci=ms.ci,
                    name=name, file=file, line=line)
    elif fam in ("logit", "probit"):
        from .glm import binary_response, fit_binary
        y, notes = binary_response(d.y, name=name, file=file, line=line)
        m = fit_binary(y, d.X, d.names, link=fam, se_type=se.type, clusters=clusters, hc=se.hc, ci=ms.ci,
                       odds_ratio=ms.odds_ratio, name=name, file=file, line=line)
        m.warnings.extend(notes)
    elif fam == "ordinal":
        from .ordinal import fit_ordinal
        m = fit_ordinal(d.y, d.X, d.names, link=ms.link or "logit", ci=ms.ci, name=name, file=file, line=line)
        if ms.odds_ratio:
            m.extra["odds_ratios"] = [{"term": c.term, "odds_ratio": math.exp(c.estimate),
                                       "ci_lower": math.exp(c.ci_lower), "ci_upper": math.exp(c.ci_upper)}
                                      for c in m.coefficients if "|" not in c.term]
    elif fam == "mixed":
        from .mixed import fit_mixed
        if not d.intercept:
            raise AvoidSurveyError("mixed models need an intercept (remove -1 / +0)", file=file, line=line)
        y = _numeric_response(d.y, formula.response, file, line)
        groups = [cf[g].astype(str).to_numpy() for g in reversed(ms.group_list)]  # innermost first
        slopes = ms.random_slopes or None
        for s_ in slopes or []:
            if s_ not in d.names:
                raise AvoidSurveyError(f"random slope '{s_}' is not a column of the design ({', '.join(d.names)})",
                                       file=file, line=loaded.model_line(i, "random_slopes"))
        m = fit_mixed(y, d.X, d.names, groups, reml=ms.reml, random_slopes=slopes,
                      group_names=list(reversed(ms.group_list)), name=name, ci=ms.ci)
    else:  # pragma: no cover - validated by the schema
        raise AvoidSurveyError(f"unknown family {fam}", file=file, line=line)
    m.extra.setdefault("formula", formula.text)
    if centred:
        m.extra["centered"] = centred
    internal = getattr(m, "_internal", None)
    m._formula_terms = formula.terms
    if ms.moderation and internal is not None and any(
            set(t.split(":")) == {ms.moderation.focal, ms.moderation.moderator} for t in d.terms):
        _moderation(m, ms, cf, internal, loaded, i)
    m._rows = cf.index
    m._design = d
    return m


def _numeric_response(y, name, file, line):
    import pandas as pd
    try:
        return pd.to_numeric(y, errors="raise").astype(float).to_numpy()
    except (ValueError, TypeError):
        raise AvoidSurveyError(f"the response '{name}' is not numeric", file=file, line=line, column=name) from None


def _moderation(m, ms, cf, internal, loaded, i):
    import numpy as np
    import pandas as pd
    from .moderation import johnson_neyman, simple_slopes

    mv = ms.moderation
    beta, V, df, names = internal["beta"], internal["vcov"], internal["df"], internal["names"]
    mod = cf[mv.moderator]
    numeric = (pd.api.types.is_numeric_dtype(mod) and not isinstance(mod.dtype, pd.CategoricalDtype)
               and mv.moderator in names)
    shift = m.extra.get("centered", {}).get(mv.moderator, 0.0)
    out = {"focal": mv.focal, "moderator": mv.moderator, "centered": bool(mv.center)}
    others = [n for n in names if ":" in n and mv.focal in n.split(":")
              and not set(p.split("[")[0] for p in n.split(":")) <= {mv.focal, mv.moderator}]
    if others:
        m.warnings.append(f"model '{m.name}': {mv.focal} also enters {', '.join(others[:3])}; simple slopes are "
                          f"conditional on the other interacting variables being 0")
    if numeric:
        x = mod.astype(float)
        mu, sd = float(x.mean()), float(x.std(ddof=1))
        if mv.at:
            vals = [a - shift for a in mv.at]
            labels = [f"{a:g}" for a in mv.at]
        else:
            vals = [mu - sd, mu, mu + sd]
            labels = ["mean - 1 SD", "mean", "mean + 1 SD"]
        rows = simple_slopes(beta, V, names, mv.focal, mv.moderator, vals, df=df, ci=ms.ci, labels=labels)
        for r in rows:
            r["moderator_value_raw"] = None if r["moderator_value"] is None else r["moderator_value"] + shift
        jn = johnson_neyman(beta, V, names, mv.focal, mv.moderator, df=df, ci=ms.ci,
                            observed=(float(x.min()), float(x.max())))
        if jn is not None:
            jn["bounds_raw"] = [b + shift for b in jn["bounds"]]
            jn["observed_significance"] = _jn_observed(jn, float(x.min()), float(x.max()))
            jn["observed_range_raw"] = [v + shift for v in jn["observed_range"]]
        out.update(simple_slopes=rows, johnson_neyman=jn)
    else:
        rows = simple_slopes(beta, V, names, mv.focal, mv.moderator, None, df=df, ci=ms.ci)
        if rows:
            from .design import categorical_levels, level_text
            _, ref = categorical_levels(mod, None if not isinstance(mod.dtype, pd.CategoricalDtype) else None,
                                        var=mv.moderator)
            for f_ in (f for t in m._formula_terms for f in t):
                if f_.var == mv.moderator and f_.categorical and f_.ref is not None:
                    ref = f_.ref
            rows[0]["at"] = level_text(ref)
            rows[0]["reference"] = True
        out.update(simple_slopes=rows, johnson_neyman=None)
    if not out["simple_slopes"]:
        raise loaded.error(f"spec: moderation: no column {mv.focal}:{mv.moderator} in the design (the focal "
                           f"variable must be numeric)", "models", i, "moderation")
    m.extra["moderation"] = out
    _ = np


def _jn_observed(jn, lo, hi):
    """Where, within the observed moderator range [lo, hi], the focal slope is significant:
    'all', 'none' or 'part'."""
    kind, b = jn.get("significant"), jn.get("bounds") or []
    if kind == "everywhere":
        return "all"
    if kind != "inside" and kind != "outside" or len(b) != 2:
        return "none"
    b0, b1 = b
    if kind == "inside":       # significant for b0 < m < b1
        if b0 <= lo and hi <= b1:
            return "all"
        return "part" if max(lo, b0) < min(hi, b1) else "none"
    # significant for m < b0 or m > b1
    if b0 <= lo and hi <= b1:
        return "none"
    if hi <= b0 or lo >= b1:
        return "all"
    return "part"


def _steps(loaded, i, ms, parsed: _Parsed, frame, name):
    """Hierarchical entry: the formula is block 1, each ``steps`` entry adds a block."""
    from .design import complete_frame
    from ...numerics.dist import f_sf
    f0 = parsed.formula
    blocks = [f0.terms] + [s.terms for s in parsed.steps]
    allvars = list(f0.variables)
    for s in parsed.steps:
        allvars += [v for v in s.variables if v not in allvars]
    line = loaded.model_line(i, "formula")
    cf = complete_frame(frame, allvars + ms.se_spec.clusters, file=loaded.file, line=line)
    fits = []
    terms = []
    prev = None
    for k, blk in enumerate(blocks):
        for t in blk:
            if frozenset(x.var for x in t) not in {frozenset(x.var for x in u) for u in terms}:
                terms.append(t)
        cats = dict(f0.categorical)
        for s in parsed.steps:
            cats.update(s.categorical)
        from .formula import Factor
        fixed = [tuple(Factor(x.var, True, cats[x.var]) if x.var in cats else x for x in t) for t in terms]
        rhs = " + ".join(":".join((f"C({x.var})" if x.categorical else x.var) for x in t) for t in fixed)
        fk = Formula(f0.response, fixed, f0.intercept, f"{f0.response} ~ {rhs}", cats)
        m = _fit_one(loaded, i, ms, fk, cf, f"{name} (step {k + 1})", rows=cf.index)
        r2 = m.fit["r2"]
        kk = len(m.coefficients)
        n = m.n
        if prev is None:
            df1 = m.fit["f_df1"]
            r2_prev = 0.0
        else:
            df1 = kk - len(prev.coefficients)
            r2_prev = prev.fit["r2"]
        df2 = n - kk
        dr2 = r2 - r2_prev
        fch = (dr2 / df1) / ((1 - r2) / df2) if df1 > 0 and r2 < 1 else float("nan")
        pch = f_sf(fch, df1, df2)
        m.fit.update({"r2_change": dr2, "f_change": fch, "f_change_df1": df1, "f_change_df2": df2,
                      "f_change_p": pch})
        m.extra["step"] = {"of": name, "step": k + 1}
        fits.append(m)
        prev = m
    return fits


def _mediation(loaded, i, ms, parsed, frame, name):
    import pandas as pd
    from .design import build_design, complete_frame
    from .formula import Formula as F
    try:
        from .mediation import fit_mediation
    except ModuleNotFoundError as exc:  # pragma: no cover - the mediation module ships with the package
        if exc.name != f"{__package__}.mediation":
            raise
        raise loaded.error("family mediation is not available in this installation", "models", i) from None

    line = loaded.model_line(i)
    need = [ms.x, *ms.mediators, ms.y] + ([ms.moderator] if ms.moderator else []) + \
        ([ms.cluster] if ms.cluster else [])
    cov_names = []
    covf = parsed.covariates
    if covf is not None:
        need += covf.variables
    cf = complete_frame(frame, need, file=loaded.file, line=line)
    cols = {}
    for v in [ms.x, *ms.mediators, ms.y] + ([ms.moderator] if ms.moderator else []):
        try:
            cols[v] = pd.to_numeric(cf[v], errors="raise").astype(float)
        except (ValueError, TypeError):
            raise loaded.error(f"spec: mediation variable '{v}' must be numeric", "models", i, column=v) from None
    if covf is not None:
        d = build_design(cf, F(None, covf.terms, False, "covariates", covf.categorical), file=loaded.file,
                         line=loaded.model_line(i, "covariates"), response=False)
        for j, nm in enumerate(d.names):
            cols[nm] = d.X[:, j]
            cov_names.append(nm)
    if ms.cluster:
        cols[ms.cluster] = cf[ms.cluster].astype(str)
    data = pd.DataFrame(cols, index=cf.index)
    bs = ms.bootstrap
    m = fit_mediation(data, x=ms.x, mediators=list(ms.mediators), y=ms.y, covariates=tuple(cov_names),
                      moderator=ms.moderator, moderated_path=ms.moderated_path or "a",
                      n_boot=bs.n if bs else 2000, seed=bs.seed if bs else None, cluster=ms.cluster, ci=ms.ci,
                      name=name)
    return m


def run_spec(spec_path_or_mapping, *, data=None, base_dir=None) -> ModelsResult:
    """Fit every model a spec declares.

    Parameters
    ----------
    spec_path_or_mapping : path to a YAML spec, YAML text, a mapping, or a LoadedSpec
    data : optional pandas DataFrame used instead of the spec's ``data:`` file (models
        with their own ``data:`` still read it). Used by ``simulate`` for power analysis.
    base_dir : folder that relative paths in the spec are resolved against (default: the
        spec file's folder, or the working directory for a mapping).

    Returns
    -------
    ModelsResult
    """
    loaded = load_spec(spec_path_or_mapping, base_dir=base_dir)
    _ = Path
    parsed = _parse_all(loaded)                      # grammar errors before any data is read
    prep = _Prep(loaded, frame=data)
    sp = loaded.spec
    frames = []
    for i, ms in enumerate(sp.models):               # prepare data and check every variable
        frame, inst, notes = prep.get(ms, i)
        for v, key in _model_vars(ms, parsed[i]):
            if v not in frame.columns:
                hint = ""
                if inst is not None:
                    hint = f"; scales of {inst.id}: " + ", ".join(s.id for s in inst.all_scales()[:8]) + ", ..."
                raise AvoidSurveyError(f"unknown variable '{v}' in model '{ms.name}': not a data column, scale "
                                       f"score or transform{hint}", file=loaded.file,
                                       line=loaded.line("models", i, *key), column=v)
        if ms.moderation:
            for v in (ms.moderation.focal, ms.moderation.moderator):
                if v not in frame.columns:
                    raise AvoidSurveyError(f"unknown variable '{v}' in moderation of '{ms.name}'", file=loaded.file,
                                           line=loaded.model_line(i, "moderation"), column=v)
        frames.append((frame, inst, notes))
    models = []
    import warnings as _pywarn

    from ...core.errors import AvoidSurveyWarning
    with _pywarn.catch_warnings():
        # package warnings are kept on each ModelFit and shown once by the CLI
        _pywarn.simplefilter("ignore", AvoidSurveyWarning)
        models = _fit_all(loaded, sp, parsed, prep, frames)
    warnings = list(prep.warnings)
    labels, value_labels = _labels(frames)
    for m in models:
        for w in m.warnings:
            if w not in warnings:
                warnings.append(w)
    spec_info = {"file": loaded.file, "title": sp.title, "data": sp.data if data is None else "<data frame>",
                 "instrument": sp.instrument, "n_models": len(sp.models),
                 "models": [m.name for m in sp.models]}
    return ModelsResult(spec_info, models, warnings, labels, value_labels)


def _fit_all(loaded, sp, parsed, prep, frames):
    models = []
    for i, ms in enumerate(sp.models):
        frame, inst, notes = frames[i]
        if ms.family == "mediation":
            fits = [_mediation(loaded, i, ms, parsed[i], frame, ms.name)]
        elif parsed[i].steps:
            fits = _steps(loaded, i, ms, parsed[i], frame, ms.name)
        else:
            fits = [_fit_one(loaded, i, ms, parsed[i].formula, frame, ms.name)]
        for m in fits:
            if ms.label and "step" not in m.extra:
                m.extra.setdefault("label", ms.label)
            if notes:
                m.extra.setdefault("data_notes", list(notes))
        models.extend(fits)
        last_formula = parsed[i].formula
        for r, var in enumerate(ms.robustness):
            vframe, _, vnotes = prep.get(ms, i, variant=var)
            nm = f"{ms.name} [{var.label}]"
            if ms.family == "mediation":
                m = _mediation(loaded, i, ms, parsed[i], vframe, nm)
            elif parsed[i].steps:
                m = _steps(loaded, i, ms, parsed[i], vframe, nm)[-1]
                m.name = nm
            else:
                m = _fit_one(loaded, i, ms, last_formula, vframe, nm)
            m.extra["robustness"] = {"of": ms.name, "label": var.label, "data_notes": list(vnotes),
                                     "n_base": fits[-1].n}
            models.append(m)
    return models


def _labels(frames):
    labels, values = {}, {}
    insts = [inst for _, inst, _ in frames if inst is not None]
    if insts:
        try:  # unit-level variables (joined from a unit file) take the unit questionnaire's labels
            from avoid_survey.instruments import load_instrument
            insts.append(load_instrument("unit-questionnaire"))
        except (AvoidSurveyError, ImportError):
            pass
    for inst in insts:
        for s in inst.all_scales():
            labels.setdefault(s.id, dict(s.label))
        for v in inst.variables:
            labels.setdefault(v.id, dict(v.label))
            if v.response.labels:
                values.setdefault(v.id, {str(k): dict(t) for k, t in v.response.labels.items()})
    return labels, values


_ = Path
