"""The functions of ``import avoid_survey as av``: one per command, same defaults.

Each takes the data as a file path or a pandas DataFrame and the instrument as a bundled
id, an instrument file path or an :class:`~avoid_survey.instruments.Instrument`, calls the
library function the command calls, and wraps its result (:mod:`avoid_survey.results`).
A path is read exactly as the command reads it, so ``to_dict()`` equals the command's
``--format json`` output. A DataFrame is taken as data already read: item columns hold
answer codes (or answer labels, coded through the instrument), and codes outside a Likert
item's range count as missing, as the readers do. Headers are not renamed: read platform
exports with :func:`read` (aliases, ``mapping``) first.
"""
from __future__ import annotations

import os

__all__ = ["read", "load_instrument", "validate", "score", "reliability", "efa", "cfa", "fit_models", "simulate",
           "process", "sem", "cmv", "polychoric", "experiment", "instrument_coverage", "describe", "compare"]

FRAME_NAME = "<data frame>"


# ---------------------------------------------------------------- inputs
def load_instrument(instrument):
    """An Instrument from a bundled id, a YAML path or an Instrument (returned as is)."""
    from avoid_survey.instruments import load_instrument as load

    return load(os.fspath(instrument) if isinstance(instrument, os.PathLike) else instrument)


def _instrument_or_none(instrument):
    return None if instrument is None else load_instrument(instrument)


def _is_frame(data) -> bool:
    return hasattr(data, "columns") and hasattr(data, "iloc")


def _path(data) -> str:
    if isinstance(data, (str, os.PathLike)):
        return os.fspath(data)
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    raise AvoidSurveyError(f"data must be a file path or a pandas DataFrame, not {type(data).__name__}")


def _numpy():
    """numpy loaded with idle OpenBLAS workers sleeping at once (see
    :mod:`avoid_survey.analysis.core.blas`); the environment is left as it was."""
    from avoid_survey.analysis.core.blas import import_numpy

    import_numpy()


def _reads(fn):
    """Run an API function with a fresh read log; its result carries the exclusion flow of
    the data it read (``to_dict()["screening"]``, as the command's JSON)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from dataclasses import replace

        from avoid_survey.analysis.core.gcpolicy import fewer_collections

        with fewer_collections():
            _numpy()
            from avoid_survey.analysis.io.readopts import ReadLog, current, using

            with using(replace(current(), log=ReadLog())) as opts:
                res = fn(*args, **kwargs)
        flow = opts.log.flow()
        if flow is not None and hasattr(res, "__dict__") and "raw" in res.__dict__:
            res.__dict__["screening"] = flow
        return res
    return wrapper


def _screened(frame, inst):
    """A user's DataFrame through the same screening as a file: blank rows, repeated ids
    and the rules in force removed, the exclusion flow recorded."""
    from avoid_survey.analysis.validate.screening import screen_frame

    return screen_frame(frame, inst, name=FRAME_NAME)


def _coded(frame, inst):
    """A copy of a user's DataFrame with the instrument's columns as float codes, screened
    as a file would be."""
    frame = frame.copy()
    if inst is None:
        return _screened(frame, inst)
    import numpy as np
    import pandas as pd

    from avoid_survey.analysis.io import to_codes

    numeric_types = ("likert", "numeric", "boolean", "ordinal", "categorical")
    given: dict = {}
    for col, fmt in inst.responses().items():
        if col in frame.columns and fmt.type in numeric_types:
            counts: dict = {}
            codes, _bad = to_codes(frame[col], fmt, counts if fmt.missing_codes else None)  # labels -> codes
            frame[col] = codes
            if counts:   # answers given as a missing code (8 = don't know): counted as a file read counts them
                given[col] = {f"{k:g}": n for k, n in counts.items()}
    frame.attrs["source"] = {**frame.attrs.get("source", {}), "missing_codes": given, "n_read": len(frame)}
    frame = _screened(frame, inst)
    _likert_range_to_missing(frame, inst, np, pd)
    return frame


def _likert_range_to_missing(frame, inst, np, pd):
    from avoid_survey.analysis.core.errors import DataWarning, warn

    bad_cols = []
    for it in [*inst.items, *inst.attention_checks]:
        fmt = it.response
        if not fmt.is_likert or it.id not in frame.columns or not pd.api.types.is_numeric_dtype(frame[it.id]):
            continue
        x = frame[it.id].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(x) & ((x < fmt.min) | (x > fmt.max) | (x != np.round(x)))
        if bad.any():
            x = x.copy()
            x[bad] = np.nan
            frame[it.id] = x
            bad_cols.append(it.id)
    if bad_cols:
        warn(f"answers outside their response scale in {', '.join(bad_cols[:5])}"
             f"{' ...' if len(bad_cols) > 5 else ''} treated as missing", DataWarning)


def _frame_for(data, inst, *, numeric: bool = False):
    """(data as the analysis takes it, file name for messages)."""
    if _is_frame(data):
        return _coded(data, inst), None
    from avoid_survey.analysis.io import read

    path = _path(data)
    return read(path, inst, numeric_ok=numeric), path


class _FrameFile:
    """A DataFrame written to a temporary file, for the steps that read only files
    (validation checks the file itself; EFA picks its items while reading)."""

    def __init__(self, frame, suffix: str):
        self.frame, self.suffix = frame, suffix

    def __enter__(self) -> str:
        import tempfile

        self.dir = tempfile.TemporaryDirectory(prefix="avoid-survey-")
        path = os.path.join(self.dir.name, f"data{self.suffix}")
        if self.suffix == ".parquet":
            frame = self.frame.copy()
            frame.columns = [str(c) for c in frame.columns]
            frame.to_parquet(path, index=False)
        else:
            self.frame.to_csv(path, index=False, encoding="utf-8")
        return path

    def __exit__(self, *exc):
        self.dir.cleanup()


# ---------------------------------------------------------------- the functions
def read(data, instrument=None, *, sheet=None, mapping=None, screening=None, keep_pii=None, units=None):
    """Read a response file (csv, xlsx, sav, dta, parquet) into a pandas DataFrame.

    ``screening``: a mapping like a spec's ``screening:`` block (or a Screening); blank
    rows and repeated ids are always removed, and ``frame.attrs["screening"]`` holds the
    exclusion flow. ``keep_pii``: keep personal-data columns (dropped by default).
    ``units``: nesting of cluster columns, outermost first.

    With an instrument, headers are matched to item ids (ids, aliases, question text) and
    answers become float codes; codes outside a Likert item's range become missing.
    A DataFrame is coded through the instrument instead (a copy; headers kept).
    As every command reads: ``avoid_survey.analysis.io.read``.
    """
    inst = _instrument_or_none(instrument)
    if _is_frame(data):
        return _coded(data, inst)
    _numpy()
    from avoid_survey.analysis.io import read

    if isinstance(screening, (dict, bool)):
        from avoid_survey.analysis.validate.screening import Screening
        screening = Screening.from_mapping(screening)
    return read(_path(data), inst, sheet=sheet, mapping=mapping, screening=screening, keep_pii=keep_pii,
                units=tuple(units) if units else None)


@_reads
def validate(data, instrument=None, *, id_column=None, thresholds=None, sheet=None, mapping=None,
             clean=None, keep_pii: bool = False, force: bool = False, screening=None, keep_flagged: bool = False):
    """Check responses against an instrument, as ``avoid-survey validate``.

    ``thresholds`` is a mapping of threshold names to values (see ``--thresholds``), ``clean``
    an output path for the analysed sample (with ``keep_flagged`` every row and its flags),
    ``screening`` a mapping like a spec's ``screening:`` block. Validation checks the file itself (encoding, header,
    field counts), so a DataFrame is first written to a temporary CSV file; its report then
    names the file ``<data frame>``. Returns a :class:`~avoid_survey.results.ValidationResult`
    (``.n_errors``, ``to_frame()`` = the findings, ``to_frame('flags')`` = 0/1 flags per row).
    """
    import dataclasses

    from avoid_survey.analysis.validate import Thresholds, validate as run

    inst = _instrument_or_none(instrument)
    th = thresholds if isinstance(thresholds, Thresholds) else Thresholds.from_mapping(thresholds or {})
    if isinstance(screening, (dict, bool)):
        from avoid_survey.analysis.validate.screening import Screening
        screening = Screening.from_mapping(screening)
    kw = dict(id_column=id_column, thresholds=th, sheet=sheet, mapping=mapping, clean=clean, keep_pii=keep_pii,
              force=force, screening=screening, keep_flagged=keep_flagged)
    from avoid_survey.results import ValidationResult

    if not _is_frame(data):
        return ValidationResult(run(_path(data), inst, **kw))
    with _FrameFile(data, ".csv") as path:
        report = run(path, inst, **kw)
    read_info = {k: (FRAME_NAME if k == "file" else v) for k, v in report.read.items()}
    return ValidationResult(dataclasses.replace(report, file=FRAME_NAME, read=read_info))


@_reads
def score(data, instrument, *, method: str = "mean", min_items: float = 0.8, scales=None,
          second_order: str = "items", aggregate: str | None = None, out=None, force: bool = False):
    """Scale and facet scores, as ``avoid-survey score``.

    ``to_frame()`` is the data with the score columns (and ``<scale>_n``, items answered)
    appended, or with ``aggregate=COL`` one row per unit with ICC(1)/ICC(2)/r_wg(j) in
    ``.aggregate``. With ``out`` (and a file path as data) the command's work is done
    exactly: the scored data is written to ``out``.
    """
    from avoid_survey.results import ScoreResult

    kw = dict(method=method, min_items=min_items, scales=scales, second_order=second_order)
    if out is not None and not _is_frame(data):
        from avoid_survey.analysis.stats.scoring import score_file
        return ScoreResult(score_file(_path(data), instrument, out, aggregate=aggregate, force=force, **kw))
    inst = load_instrument(instrument)
    frame, path = _frame_for(data, inst)
    run, scored = _score_in_memory(frame, inst, path, aggregate, kw)
    if out is not None:
        from avoid_survey.analysis.io.write import write_data
        write_data(scored, out, instrument=inst if aggregate is None else None, force=force)
    return ScoreResult(run, scored)


def _score_in_memory(frame, inst, path, aggregate, kw):
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.scoring import ScoreRun, score_frame

    res = score_frame(frame, inst, **kw)
    if not res.scales:
        raise AvoidSurveyError(f"none of the scales of instrument '{inst.id}' has all its items in the data",
                               file=path)
    warnings, agg = list(res.warnings), None
    if aggregate:
        from avoid_survey.analysis.stats.aggregate import aggregate_units
        agg = aggregate_units(frame, res, inst, aggregate)
        warnings.extend(agg.warnings)
        scored = agg.units
    else:
        scored = frame.drop(columns=[c for c in res.scores.columns if c in frame.columns]).join(res.scores)
    run = ScoreRun(file=path or FRAME_NAME, out=None, instrument=inst.id, method=res.method,
                   min_items=res.min_items, second_order=res.second_order, n_rows=int(len(frame)),
                   scales=res.summary(inst), aggregate=agg, agreement_file=None, warnings=warnings)
    return run, scored


@_reads
def reliability(data, instrument, *, scales=None, missing: str = "pairwise", ci: str = "feldt",
                n_boot: int = 1000, seed: int | None = None, level: float = 0.95, ordinal: bool = False):
    """Alpha (Feldt or bootstrap CI), lambda6, omega and item statistics per scale and
    facet, as R ``psych::alpha`` / ``psych::omega`` and ``avoid-survey reliability``.
    ``ordinal=True`` adds ordinal alpha and omega from polychoric correlations
    (``reliability --ordinal``). ``to_frame()``: one row per scale; ``to_frame('items')``:
    one row per item."""
    from avoid_survey.analysis.stats.reliability import reliability as run
    from avoid_survey.results import ReliabilityResult

    inst = load_instrument(instrument)
    frame, _path_ = _frame_for(data, inst, numeric=True)
    return ReliabilityResult(run(frame, inst, scales=scales, missing=missing, ci=ci, n_boot=n_boot, seed=seed,
                                 level=level, ordinal=ordinal))


@_reads
def efa(data, instrument=None, *, items=None, scales=None, n_factors="auto", method: str = "minres",
        rotation: str = "oblimin", missing: str = "pairwise", parallel_iterations: int = 20, seed: int = 1,
        cor: str = "pearson"):
    """Exploratory factor analysis, as R ``psych::fa`` and ``avoid-survey efa``.

    The items: ``items`` (column names), or an instrument's items (all present, or those of
    ``scales``). Reverse-keyed items are not recoded. ``to_frame()``: the rotated loadings
    (items x factors); ``to_frame('items')``: communality, uniqueness and KMO per item.
    ``cor='polychoric'`` factors the polychoric matrix (``psych::fa(x, cor = "poly")``).
    A DataFrame goes through a temporary Parquet file: the items are chosen as the file
    is read (``stats.efa.efa_file``).
    """
    from avoid_survey.analysis.stats.efa import efa_file
    from avoid_survey.results import EFAResult

    inst = _instrument_or_none(instrument)
    kw = dict(instrument=inst, scales=scales, items=None if items is None else list(items), n_factors=n_factors,
              method=method, rotation=rotation, missing=missing, parallel_iterations=parallel_iterations, seed=seed,
              cor=cor)
    if not _is_frame(data):
        return EFAResult(efa_file(_path(data), **kw))
    with _FrameFile(_coded(data, inst), ".parquet") as path:
        return EFAResult(efa_file(path, **kw))


@_reads
def cfa(data, instrument=None, *, model: str | None = None, scales=None, group: str | None = None,
        missing: str = "listwise", std_lv: bool = False, second_order: bool = False, estimator: str = "ML",
        ordered=None, parameterization: str = "delta"):
    """Confirmatory factor analysis by ML, as ``lavaan::cfa`` and ``avoid-survey cfa``.

    ``model``: lavaan syntax (``"F =~ a + b + c"``) or the path of a file holding it; or an
    instrument (each scale, or each facet, loads its items). With ``group``: configural,
    metric and scalar invariance. ``to_frame()``: the loadings; also 'parameters', 'fit',
    'reliability' (CR, AVE), 'invariance'.

    ``estimator="WLSMV"`` treats the ``ordered`` items ("all" by default, or a list of names)
    as ordinal, as ``lavaan::cfa(..., ordered = , estimator = "WLSMV")``: thresholds,
    polychoric correlations, DWLS, robust SEs, the scaled-shifted chi-square and scaled and
    robust CFI/TLI/RMSEA; ``parameterization`` "delta" (default) or "theta"; ``missing``
    "listwise" or "pairwise"; with ``group`` the ordinal invariance levels (configural,
    thresholds, metric, scalar) of Wu & Estabrook (2016).
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.cfa import cfa as run
    from avoid_survey.results import CFAResult

    if model is None and instrument is None:
        raise AvoidSurveyError("cfa needs a model (lavaan syntax or a file) or an instrument")
    inst = _instrument_or_none(instrument)
    model_text, model_file = _model_source(model)
    frame, path = _frame_for(data, inst, numeric=group is None)
    return CFAResult(run(frame, model=model_text, instrument=inst, scales=scales, group=group, missing=missing,
                         std_lv=std_lv, second_order=second_order, model_file=model_file, file=path,
                         estimator=estimator, ordered=ordered, parameterization=parameterization))


def _model_source(model):
    """(syntax, file) of a ``model`` given as lavaan text or a file path."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    if model is None:
        return None, None
    text = os.fspath(model) if isinstance(model, os.PathLike) else str(model)
    if "=~" in text or "~~" in text:
        return text, None
    from pathlib import Path

    from avoid_survey.analysis.core.inputs import read_input_text

    path = Path(text)
    if not os.path.lexists(path):
        raise AvoidSurveyError("model file not found (and the text is not lavaan syntax: no '=~')", file=text)
    return read_input_text(path, "model file"), str(path)


@_reads
def fit_models(spec=None, data=None, *, template: str | None = None, base_dir=None, stars=(0.05, 0.01, 0.001),
               ci: bool = False, beta: bool = True, vif: bool = True):
    """Fit the models a spec declares, as ``avoid-survey model``.

    ``spec``: a YAML spec path, YAML text or a mapping; or ``template`` (a bundled template
    name, see ``avoid-survey model --list-templates``) with ``data``. ``data`` (a path or a
    DataFrame) replaces the spec's ``data:``; with a DataFrame, relative files a spec names
    (``units:``) are looked up in ``base_dir`` (default: the spec's folder, for a template
    the working directory). ``to_frame()``: every coefficient of every
    model; ``to_frame('fit')``: one row per model. ``stars``, ``ci``, ``beta`` and ``vif`` (the β
    and VIF columns of OLS models) set the table.
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.models import run_spec
    from avoid_survey.results import ModelsResult

    if (spec is None) == (template is None):
        raise AvoidSurveyError("give either a spec or a template (with data)")
    if _is_frame(data):
        source, base = _spec_for_frame(spec, template, base_dir)
        result = run_spec(source, data=data.copy(), base_dir=base)
    elif isinstance(spec, (str, os.PathLike)) and _is_file(spec) or template is not None:
        from avoid_survey.analysis.stats.models.templates import resolve_spec_source
        source, base, _file = resolve_spec_source(spec, template, None if data is None else _path(data))
        result = run_spec(source, base_dir=base)
    else:                                   # YAML text or a mapping
        if data is not None:
            raise AvoidSurveyError("with a spec given as text or a mapping, put the data file in its 'data:'")
        result = run_spec(spec)
    result = result.styled(stars=tuple(stars), show="ci" if ci else "se", beta=beta, vif=vif)
    return ModelsResult(result)


@_reads
def process(data, model: int, *, x: str, y: str, m=None, w: str | None = None, z: str | None = None,
            covariates=(), instrument=None, se="classical", cluster: str | None = None, n_boot: int = 5000,
            seed: int | None = None, moderator_values: str = "percentiles", w_at=None, z_at=None,
            ci: float = 0.95, name: str = "process"):
    """Hayes' PROCESS model ``model`` (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58 or 59), as a spec's
    ``family: process`` entry. ``data`` is a path or a DataFrame; with ``instrument`` its scale ids
    are variables. ``se``: 'classical', 'HC0'..'HC3', or 'cluster' with ``cluster`` (the bootstrap
    then resamples clusters). Returns the same result as :func:`fit_models`; its tables are the
    PROCESS tables. See docs/model-spec.md.
    """
    entry = {"name": name, "family": "process", "model": model, "x": x, "y": y,
             "covariates": [covariates] if isinstance(covariates, str) else list(covariates or ()),
             "bootstrap": {"n": n_boot, "seed": seed}, "ci": ci, "moderator_values": moderator_values}
    entry.update({k: v for k, v in {"m": m, "w": w, "z": z, "w_at": w_at, "z_at": z_at}.items() if v is not None})
    entry["se"] = {"type": "cluster", "cluster": cluster} if se == "cluster" else se
    spec = {"models": [entry]}
    if instrument is not None:
        spec["instrument"] = instrument if isinstance(instrument, str) else os.fspath(instrument)
    if _is_frame(data):
        return fit_models(spec, data)
    spec["data"] = _path(data)
    return fit_models(spec)


def _is_file(ref) -> bool:
    text = os.fspath(ref)
    # as pathlib sees it: a trailing separator does not make a file name a folder name
    return "\n" not in text and os.path.isfile(text.rstrip(os.sep + (os.altsep or "")) or text)


def _spec_for_frame(spec, template, base_dir):
    """(LoadedSpec or mapping, base folder) when a DataFrame replaces the spec's data."""
    from pathlib import Path

    from avoid_survey.analysis.stats.models import load_spec, template_path

    base = None if base_dir is None else Path(base_dir)
    if template is not None:
        base = base or Path.cwd()
        return load_spec(template_path(template), base_dir=base), base
    if isinstance(spec, (str, os.PathLike)) and _is_file(spec):
        loaded = load_spec(Path(os.fspath(spec)), base_dir=base)
        return loaded, loaded.base_dir
    return spec, base


def simulate(spec, *, seed: int | None = None, out=None, units_out=None, latent_out=None, wjx_out=None,
             force: bool = False, replicate: int | None = None, fit=None, jobs: int | None = None):
    """Synthetic responses from a study spec (YAML), as ``avoid-survey simulate``.

    Without ``out``: the data set in memory (``to_frame()`` = responses with the unit-level
    variables joined; 'units', 'latents'). With ``out``: the files are written and
    ``to_dict()`` is the command's JSON summary. With ``replicate`` and ``fit`` (a model
    spec): a power analysis (``to_frame('power')``).
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.results import SimulationResult

    _numpy()

    if replicate is not None or fit is not None:
        if replicate is None or fit is None:
            raise AvoidSurveyError("a power analysis needs both replicate=N and fit=MODEL_SPEC")
        from avoid_survey.analysis.simulate import power_analysis
        return SimulationResult(power_analysis(spec, fit, replicates=replicate, seed=seed, jobs=jobs,
                                               show_progress=False))
    if out is not None:
        from avoid_survey.analysis.simulate import run_simulate
        return SimulationResult(run_simulate(spec, out=out, seed=seed, units_out=units_out, latent_out=latent_out,
                                             wjx_out=wjx_out, force=force, show_progress=False))
    if units_out or latent_out or wjx_out:
        raise AvoidSurveyError("units_out, latent_out and wjx_out need out as well")
    from avoid_survey.analysis.simulate import load_study, simulate as run

    study = load_study(spec)
    if seed is None:
        seed = study.spec.seed if study.spec.seed is not None else 1
    sim = run(study, seed)
    return SimulationResult(_InMemory(str(spec), sim), sim)


class _InMemory:
    """The summary of a simulation kept in memory (no files written)."""

    def __init__(self, spec: str, sim):
        self.spec, self.sim = spec, sim

    def to_dict(self) -> dict:
        cols = self.sim.study.columns
        return {"spec": self.spec, "instrument": self.sim.study.instrument.id, "seed": self.sim.seed,
                "n_respondents": int(len(self.sim.responses)), "n_townships": int(len(self.sim.units)),
                "n_counties": int(self.sim.units[cols["county"]].nunique()),
                "latents": [p.id for p in self.sim.study.latents], "warnings": list(self.sim.warnings)}

    def to_tables(self, lang: str = "en") -> list:
        return []

    def __getattr__(self, name):
        return getattr(self.__dict__["sim"], name)


def _sem_model_source(model):
    """(syntax, file) of a SEM ``model``: a file holding lavaan syntax, or the syntax itself."""
    from pathlib import Path

    from avoid_survey.analysis.core.errors import AvoidSurveyError

    text = os.fspath(model) if isinstance(model, os.PathLike) else str(model)
    path = Path(text)
    if "\n" not in text and len(text) < 4096 and path.is_file():
        try:
            return path.read_text(encoding="utf-8-sig"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise AvoidSurveyError(f"cannot read the model file: {exc}", file=text) from None
    if not any(op in text for op in ("=~", "~", ":=", "==")):
        raise AvoidSurveyError("model file not found (and the text is not lavaan syntax: no '=~' or '~')", file=text)
    return text, None


@_reads
def sem(data, model, instrument=None, *, group: str | None = None, group_equal=(), group_partial: str | None = None,
        estimator: str = "ml", missing: str = "listwise", std_lv: bool = False, bootstrap: int = 0,
        seed: int | None = None, mi: bool = False, mi_min: float = 0.0, compare=(), progress: bool = False):
    """Structural equation model by ML, as ``lavaan::sem`` and ``avoid-survey sem``.

    ``model``: lavaan syntax or the path of a file holding it; with ``instrument``, scale ids
    used in the syntax are latent variables measured by their items. ``estimator`` ml or mlr,
    ``missing`` listwise or ml (FIML); ``group_equal`` a list (or comma text) of lavaan's
    group.equal classes; ``compare``: other models (syntax or files) fitted on the same rows.
    ``to_frame()``: the parameters; also 'fit', 'r2', 'modification_indices', 'comparison'.
    """
    from avoid_survey.analysis.stats.sem import sem as run
    from avoid_survey.results import SEMResult

    inst = _instrument_or_none(instrument)
    text, model_file = _sem_model_source(model)
    others = []
    for k, other in enumerate([compare] if isinstance(compare, (str, os.PathLike)) else list(compare or ()), start=2):
        o_text, o_file = _sem_model_source(other)
        if o_file:
            from pathlib import Path   # the command's name for the file: pathlib's stem ("alt." stays "alt.")
        others.append((Path(o_file).stem if o_file else f"model {k}", o_text, o_file))
    if isinstance(group_equal, str):
        group_equal = [g.strip() for g in group_equal.split(",") if g.strip()]
    frame, path = _frame_for(data, inst, numeric=group is None)
    return SEMResult(run(frame, model=text, instrument=inst, group=group, group_equal=list(group_equal),
                         group_partial=group_partial, estimator=estimator, missing=missing, std_lv=std_lv,
                         bootstrap=bootstrap, seed=seed, mi=mi, mi_min=mi_min, compare=others,
                         model_file=model_file, file=path, progress=progress))


@_reads
def cmv(data, instrument, *, scales=None, marker: str | None = None):
    """Common-method variance checks, as ``avoid-survey cmv``: Harman's single-factor test,
    the single-factor CFA against the measurement model, the unmeasured latent method factor
    (ULMC) and, with ``marker`` (a column), the Lindell-Whitney marker correction.
    ``to_frame()``: the checks in one table; also 'fit' (the models), 'marker' (corrected
    correlations)."""
    from avoid_survey.analysis.stats.sem.cmv import cmv as run
    from avoid_survey.results import CMVResult

    inst = load_instrument(instrument)
    frame, path = _frame_for(data, inst)
    return CMVResult(run(frame, inst, scales=scales, marker=marker, file=path))
def _ordinal_items(frame, inst, items, scales):
    """The item columns of :func:`polychoric`: ``items``, else the items of ``scales``,
    else every item of the instrument present in the data."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    if items is not None:
        return list(items)
    if inst is None:
        if scales:
            raise AvoidSurveyError("scales= needs an instrument")
        return [str(c) for c in frame.columns]
    if scales:
        chosen = []
        for sid in scales:
            try:
                sc = inst.scale(sid)
            except KeyError:
                raise AvoidSurveyError(f"instrument '{inst.id}' has no scale or facet '{sid}' "
                                       f"(valid: {', '.join(s.id for s in inst.all_scales())})") from None
            chosen.extend(i for i in sc.item_ids if i not in chosen)
        return chosen
    chosen = [i.id for i in inst.items if i.id in frame.columns]
    if not chosen:
        raise AvoidSurveyError(f"the data has none of the items of instrument '{inst.id}'")
    return chosen


@_reads
def polychoric(data, instrument=None, *, items=None, scales=None, method: str = "lavaan", missing: str | None = None,
               correct: float = 0.5, smooth: bool = True, ordered=None):
    """Polychoric correlations and thresholds of ordinal items by two-step ML.

    ``method='lavaan'`` (default) equals ``lavaan::lavCor(x, ordered = names(x))``
    (``missing`` 'listwise' by default, or 'pairwise'); ``method='psych'`` equals
    ``psych::polychoric(x)`` (pairwise; ``correct`` and ``smooth`` are psych's). The items:
    ``items`` (columns), the items of ``scales``, every instrument item present, or (no
    instrument) every column. Reverse-keyed items are not recoded. ``ordered`` (lavaan):
    only these items are ordinal, the others continuous (Pearson / polyserial, as
    ``lavCor(x, ordered = ...)``). ``to_frame()``: the correlation matrix;
    ``to_frame('thresholds')``: one row per item.
    See :mod:`avoid_survey.analysis.numerics.polychoric` for both conventions.
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.numerics.polychoric import polychoric_matrix
    from avoid_survey.results import PolychoricResult

    inst = _instrument_or_none(instrument)
    if _is_frame(data):
        frame, path = _coded(data, inst), None
    else:
        from avoid_survey.analysis.io import read as read_file

        path = _path(data)
        frame = read_file(path, inst, numeric_ok=True, empty_ok=True)
    chosen = _ordinal_items(frame, inst, items, scales)
    try:
        res = polychoric_matrix(frame, method=method, missing=missing, correct=correct, smooth=smooth, items=chosen,
                                ordered=None if ordered is None else list(ordered))
    except AvoidSurveyError as exc:
        raise exc.located(file=path)
    return PolychoricResult(res)
def experiment(data=None, instrument=None, *, outcome=None, covariates=(), moderator=None, cluster=None,
               random_intercept: bool = False, manipulation=None, mde: int | None = None, ci: float = 0.95,
               effects=None, reps: int = 200, sd: float = 1.0, respondent_sd: float = 0.0, icc: float = 0.0,
               seed: int = 1, design=None):
    """A survey experiment declared in the instrument's ``experiment:`` block, as
    ``avoid-survey experiment``: balance, attrition, vignette ATEs (HC2 / CR1), Lin's
    estimator, interactions, heterogeneity; conjoint AMCEs, marginal means and nested F
    tests (pinned to R ``lm`` + ``sandwich``).

    ``data``: long-format file or DataFrame (one row per respondent x vignette, or x task x
    profile). Without data and with ``mde=N``: the power of the design for N respondents
    (minimum detectable effects; with ``effects`` = ``{"factor": {"level": value}}`` or
    ``["factor.level=value", ...]`` and ``reps`` > 0, simulated power too).
    ``design``: the design file of ``instruments export --kind versions`` (levels looked up by
    version and position); wide and Qualtrics conjoint exports are reshaped first.
    ``to_frame()``: the effects; also 'balance', 'attrition', 'tests', 'power'.
    """
    from avoid_survey.analysis.core.errors import AvoidSurveyError
    from avoid_survey.analysis.stats.experiment import analyze, power_only
    from avoid_survey.results import ExperimentResult

    if instrument is None:
        raise AvoidSurveyError("experiment needs an instrument with an 'experiment:' block")
    _numpy()
    inst = load_instrument(instrument)
    if isinstance(covariates, str):
        covariates = [c.strip() for c in covariates.split(",") if c.strip()]
    if data is None:
        if not mde:
            raise AvoidSurveyError("give the data (or mde=N for a power analysis of the design)")
        return ExperimentResult(power_only(inst, mde, effects=effects, reps=reps if effects else 0, sd=sd,
                                           respondent_sd=respondent_sd, icc=icc, seed=seed))
    if not _is_frame(data):
        from pathlib import Path

        data = Path(data)
        if not data.exists():
            raise AvoidSurveyError("data file not found", file=data)
    return ExperimentResult(analyze(data, inst, outcome=outcome, covariates=tuple(covariates or ()),
                                    moderator=moderator, cluster=cluster, ci=ci, power_n=mde,
                                    random_intercept=random_intercept, manipulation=manipulation,
                                    design=design))
def instrument_coverage(ids=None, instruments=None):
    """Mechanism -> items -> templates, as ``avoid-survey instruments coverage``: which items
    measure each mechanism of the domain (``measures:`` tags) and which bundled templates and
    sample specs test them. ``ids``: mechanism ids (default all M01-M77); ``instruments``:
    ids or paths (default every bundled instrument)."""
    from avoid_survey.instruments.coverage import coverage
    from avoid_survey.results import Result

    return Result(coverage(ids, instruments))


@_reads
def describe(data, instrument, *, by: str | None = None, diagonal: str = "alpha", scales=None,
             min_items: float = 0.8, lang: str = "zh"):
    """Sample profile (n, %, valid %), descriptives with SPSS skewness and kurtosis, and the
    correlation table with alpha or sqrt(AVE) on the diagonal, as ``avoid-survey describe``.
    ``to_frame()``: the descriptives; also 'profile', 'correlations'."""
    from avoid_survey.analysis.stats.describe import describe as run
    from avoid_survey.results import DescribeResult

    inst = load_instrument(instrument)
    if isinstance(scales, str):
        scales = [s.strip() for s in scales.split(",") if s.strip()]
    frame, _path_ = _frame_for(data, inst)
    return DescribeResult(run(frame, inst, by=by, diagonal=diagonal, scales=scales or None, min_items=min_items,
                              lang=lang), lang=lang)


@_reads
def compare(data, *, by: str | None = None, variables=(), instrument=None, test: str = "auto",
            min_items: float = 0.8, lang: str = "zh"):
    """Group comparisons (t tests, ANOVA with post hoc tests, chi-square, rank tests), as
    ``avoid-survey compare``. ``variables``: columns or scale ids (with ``test="paired"``,
    pairs ``"a:b"``). ``to_frame()``: one row per test; also 'groups', 'post_hoc'."""
    from avoid_survey.analysis.stats.compare import compare as run
    from avoid_survey.results import CompareResult

    inst = _instrument_or_none(instrument)
    if isinstance(variables, str):
        variables = [v.strip() for v in variables.split(",") if v.strip()]
    frame, _path_ = _frame_for(data, inst)
    return CompareResult(run(frame, by=by, variables=list(variables), instrument=inst, test=test, lang=lang,
                             min_items=min_items), lang=lang)
