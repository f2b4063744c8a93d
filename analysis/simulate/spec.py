"""The study spec of ``avoid-survey simulate``: its YAML schema and :func:`load_study`.

:func:`load_study` reads the YAML (through :mod:`avoid_survey.analysis.core.yamlsafe`),
validates it against :class:`StudySpec`, checks it against its instrument and resolves it
into a :class:`Study`: the generation plan (latents in generation order, items with their
measurement parameters, the output column order) that :func:`.generation.simulate` runs.
Every problem is an :class:`AvoidSurveyError` naming the spec file and line.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..core.errors import AvoidSurveyError
from ..core.records import WarningRecord
from ..core.yamlsafe import Located, data_path, load_yaml

__all__ = ["StudySpec", "Study", "Term", "LatentPlan", "ItemPlan", "load_study", "MAX_RESPONDENTS", "ID"]

ID = r"^[A-Za-z][A-Za-z0-9_]*$"
_ID_RE = re.compile(ID)


# ================================================================ the YAML schema
class _Strict(BaseModel):
    # a study spec is typed by people: inf and nan are never meant (1e400 reads as inf)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


Size = Union[Annotated[int, Field(ge=1)], list[Annotated[int, Field(ge=1)]]]


class _Dist(_Strict):
    missing: float = Field(0.0, ge=0, lt=1, description="share of values left missing (individual variables)")


class NormalDist(_Dist):
    dist: Literal["normal"]
    mean: float = 0.0
    sd: float = Field(1.0, ge=0)
    min: Optional[float] = None
    max: Optional[float] = None
    decimals: Optional[int] = Field(None, ge=0, le=6)


class LognormalDist(_Dist):
    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sdlog: float = Field(0.5, ge=0)
    min: Optional[float] = None
    max: Optional[float] = None
    decimals: Optional[int] = Field(None, ge=0, le=6)


class UniformDist(_Dist):
    dist: Literal["uniform"]
    min: float = 0.0
    max: float = 1.0
    decimals: Optional[int] = Field(None, ge=0, le=6)


class IntegerDist(_Dist):
    dist: Literal["integer"]
    min: int
    max: int


class PoissonDist(_Dist):
    dist: Literal["poisson"]
    lam: float = Field(alias="lambda", ge=0, le=1e6)   # numpy draws Poisson counts up to about 1e18
    max: Optional[int] = None


class BernoulliDist(_Dist):
    dist: Literal["bernoulli"]
    p: float = Field(ge=0, le=1)


class CategoricalDist(_Dist):
    dist: Literal["categorical"]
    values: list[Union[int, str]] = Field(min_length=1)
    probs: Optional[list[Annotated[float, Field(ge=0)]]] = None


Dist = Annotated[Union[NormalDist, LognormalDist, UniformDist, IntegerDist, PoissonDist, BernoulliDist,
                       CategoricalDist], Field(discriminator="dist")]


MAX_RESPONDENTS = 2_000_000  # a bound on the design, so a typo cannot exhaust the memory


class DesignSpec(_Strict):
    counties: Annotated[int, Field(ge=1, le=10_000)]
    townships_per_county: Size
    units_per_township: Optional[Size] = None
    officials_per_township: Optional[Size] = None
    officials_per_unit: Optional[Size] = None


class IccSpec(_Strict):
    county: float = Field(0.0, ge=0, lt=1)
    township: float = Field(0.0, ge=0, lt=1)
    unit: float = Field(0.0, ge=0, lt=1)


class LatentSpec(_Strict):
    id: str
    intercept: float = 0.0
    effects: dict[str, float] = {}
    residual_sd: float = Field(1.0, ge=0)
    icc: IccSpec = IccSpec()


class ItemParams(_Strict):
    loading: Optional[float] = None
    error_sd: Optional[float] = Field(None, ge=0)
    location: Optional[float] = None
    thresholds: Optional[list[float]] = None


class MethodSpec(_Strict):
    """A respondent-level method factor (acquiescence): ``m ~ N(0, 1)`` per respondent, added
    with ``loading`` to y* of every item of ``scales`` in the answered direction."""
    loading: float = 0.25
    scales: Optional[list[str]] = None    # scale or facet ids; default: every Likert scale


class MeasurementSpec(_Strict):
    loading: float = 1.0
    error_sd: float = Field(0.7, ge=0)
    step: float = Field(1.0, gt=0)
    facet_sd: float = Field(0.4, ge=0)
    scales: dict[str, ItemParams] = {}
    items: dict[str, ItemParams] = {}
    include_optional: bool = False
    exclude: list[str] = []
    location_sd: float = Field(0.0, ge=0)
    method: Optional[MethodSpec] = None


class MissingSpec(_Strict):
    mcar: float = Field(0.0, ge=0, lt=1)
    skip_block_share: float = Field(0.0, ge=0, le=1)
    breakoff_share: float = Field(0.0, ge=0, le=1)


class CarelessSpec(_Strict):
    share: float = Field(0.0, ge=0, le=1)
    straight: float = Field(0.4, ge=0)
    random: float = Field(0.3, ge=0)
    speeder: float = Field(0.3, ge=0)
    speeder_answers: Literal["random", "straight", "normal"] = "random"


class DurationSpec(_Strict):
    seconds_per_item: float = Field(7.0, gt=0)
    sdlog: float = Field(0.35, ge=0)
    careless_factor: float = Field(0.7, gt=0)
    speeder_seconds_per_item: float = Field(1.0, gt=0)
    speeder_sdlog: float = Field(0.25, ge=0)


class RealismSpec(_Strict):
    missing: MissingSpec = MissingSpec()
    careless: CarelessSpec = CarelessSpec()
    attention_fail: float = Field(0.0, ge=0, le=1)
    duration: DurationSpec = DurationSpec()


class WavesSpec(_Strict):
    """Panel effects between consecutive waves of an instrument with ``waves:`` (see
    instruments/waves.py): ``autoregressive: {scale: b}`` makes ``scale_w(k+1)`` depend on
    ``scale_wk`` with coefficient b; ``cross_lagged: {"x -> y": b}`` makes ``y_w(k+1)``
    depend on ``x_wk``. Latents of later waves that the spec does not declare get these
    effects, an intercept of 0 and ``residual_sd``."""
    autoregressive: dict[str, float] = {}
    cross_lagged: dict[str, float] = {}
    residual_sd: float = Field(1.0, ge=0)


class StudySpec(_Strict):
    title: Optional[str] = None
    description: Optional[str] = None
    instrument: str
    seed: Optional[Annotated[int, Field(ge=0)]] = None
    design: DesignSpec
    county_variables: dict[str, Dist] = {}
    unit_variables: dict[str, Dist] = {}
    individual_variables: dict[str, Dist] = {}
    latents: list[LatentSpec] = []
    center_interactions: bool = True
    measurement: MeasurementSpec = MeasurementSpec()
    realism: RealismSpec = RealismSpec()
    waves: Optional[WavesSpec] = None


# ================================================================ the resolved study
@dataclass(frozen=True)
class Term:
    """One structural term: a product of factors; a factor is (name, value or None, power)."""

    key: str            # as written in the spec
    factors: tuple      # ((kind, name, value, power), ...), kind: unit | individual | latent
    coef: float


@dataclass(frozen=True)
class LatentPlan:
    id: str
    intercept: float
    terms: tuple
    residual_sd: float
    icc: dict
    declared: bool = True
    parent: str | None = None     # auto facet: parent latent id
    facet_sd: float = 0.0


@dataclass(frozen=True)
class ItemPlan:
    id: str
    latent: str
    loading: float
    error_sd: float
    location: float
    thresholds: tuple
    min: int
    max: int
    reverse: bool
    scale: str        # top-level scale id (block)
    method_loading: float = 0.0   # loading on the method factor (answered direction)


@dataclass(frozen=True)
class Study:
    """A checked study spec with its instrument and the derived generation plan."""

    spec: StudySpec
    file: str | None
    instrument: object
    latents: list           # LatentPlan in generation order
    items: list             # ItemPlan in questionnaire order
    checks: list            # AttentionCheck objects generated
    columns: dict           # role -> column name (id, county, township, unit, duration)
    ind_vars: dict          # name -> Dist (declared or default)
    unit_vars: dict         # name -> Dist
    order: list             # output column order of the responses frame
    warnings: list = field(default_factory=list)   # WarningRecord
    county_vars: dict = field(default_factory=dict)  # name -> Dist (one draw per county)

    @property
    def has_units(self) -> bool:
        d = self.spec.design
        return d.units_per_township is not None


# ================================================================ reading and checking
@dataclass
class _Ctx:
    """What the checking steps of :func:`load_study` share."""

    doc: Located
    spec: StudySpec
    inst: object
    scales: dict
    item_ids: set
    check_ids: set
    inst_vars: dict
    reserved: set
    warnings: list = field(default_factory=list)

    def warn(self, code: str, message: str, location: str | None = None) -> None:
        self.warnings.append(WarningRecord(code, message, location=location))


def load_study(spec, *, file=None) -> Study:
    """Read, validate and resolve a study spec.

    Parameters
    ----------
    spec : path to a YAML file, or a mapping (already loaded; ``file`` names it in errors).

    Raises
    ------
    AvoidSurveyError naming the spec file and line for anything that cannot be used.
    """
    from .plan import column_order, item_plans, latent_plans

    doc, base = _read_document(spec, file)
    sp = _validate_schema(doc)
    _check_design(doc, sp.design)
    inst = _study_instrument(doc, sp.instrument, base)
    if sp.waves is not None:
        sp = _wave_latents(doc, sp, inst)
    role_col = _role_columns(inst, sp.design)
    ctx = _Ctx(doc, sp, inst, {s.id: s for s in inst.all_scales()}, {i.id for i in inst.items},
               {a.id for a in inst.attention_checks}, {v.id: v for v in inst.variables},
               {c for c in role_col.values() if c})
    _check_variables(ctx)
    ind_vars, unit_vars = _variables_with_defaults(ctx)
    county_vars = dict(sp.county_variables)
    excluded = _excluded_items(ctx)
    _check_latent_ids(ctx, ind_vars, {**county_vars, **unit_vars})
    plans, available = latent_plans(ctx, ind_vars, {**county_vars, **unit_vars}, excluded)
    items = item_plans(ctx, available, excluded)
    checks = [a for a in inst.attention_checks if a.response.codes]
    _check_careless(doc, sp, items)
    order = column_order(inst, role_col, ind_vars, items, checks)
    return Study(sp, doc.file, inst, plans, items, checks, role_col, ind_vars, unit_vars, order, ctx.warnings,
                 county_vars)


def _wave_latents(doc: Located, sp: StudySpec, inst) -> StudySpec:
    """The spec with the autoregressive and cross-lagged effects of ``waves:`` added to the
    latents of each later wave (declared ones keep their own effects and get these too)."""
    path = ("waves",)
    ids = list(getattr(inst, "waves", ()) or ())
    if len(ids) < 2:
        raise doc.error("'waves' needs an instrument that declares waves (waves: {ids: [w1, w2]})", path)
    scales = {s.id for s in inst.all_scales()}
    effects: dict[str, dict] = {}
    for base, b in sp.waves.autoregressive.items():
        if f"{base}_{ids[0]}" not in scales:
            raise doc.error(f"waves.autoregressive: '{base}' is not a scale repeated at every wave "
                            f"(expected {base}_{ids[0]} in the instrument)", path + ("autoregressive", base))
        for w0, w1 in zip(ids, ids[1:]):
            effects.setdefault(f"{base}_{w1}", {})[f"{base}_{w0}"] = b
    for key, b in sp.waves.cross_lagged.items():
        parts = [x.strip() for x in key.split("->")]
        if len(parts) != 2 or not all(parts):
            raise doc.error(f"waves.cross_lagged: '{key}' must read 'x -> y' (x at one wave affects y at the next)",
                            path + ("cross_lagged", key))
        for nm in parts:
            if f"{nm}_{ids[0]}" not in scales:
                raise doc.error(f"waves.cross_lagged: '{nm}' is not a scale repeated at every wave",
                                path + ("cross_lagged", key))
        x, y = parts
        for w0, w1 in zip(ids, ids[1:]):
            effects.setdefault(f"{y}_{w1}", {})[f"{x}_{w0}"] = b
    latents = []
    for lt in sp.latents:
        extra = effects.pop(lt.id, None)
        latents.append(lt.model_copy(update={"effects": {**extra, **lt.effects}}) if extra else lt)
    order = {f"{s}_{w}": k for k, w in enumerate(ids) for s in [x.rsplit("_", 1)[0] for x in effects]}
    for lid in sorted(effects, key=lambda v: order.get(v, 0)):
        latents.append(LatentSpec(id=lid, effects=effects[lid], residual_sd=sp.waves.residual_sd))
    return sp.model_copy(update={"latents": latents})


def _read_document(spec, file) -> tuple[Located, Path]:
    """The YAML document and the folder relative paths in it start from."""
    from ..core.yamlsafe import load_yaml_text

    if isinstance(spec, (str, os.PathLike)):
        doc = load_yaml(spec)
        base = Path(spec).parent
    elif isinstance(spec, dict):
        import yaml
        doc = load_yaml_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), file=file)
        base = Path(file).parent if file else Path(".")
    else:
        raise AvoidSurveyError("a study spec must be a YAML file or a mapping")
    if not isinstance(doc.data, dict):
        raise AvoidSurveyError("a study spec must be a YAML mapping (instrument, design, latents...)",
                               file=doc.file, line=1)
    return doc, base


def _validate_schema(doc: Located) -> StudySpec:
    try:
        return StudySpec.model_validate(doc.data)
    except ValidationError as exc:
        raise _schema_error(doc, exc) from None


def _schema_error(doc: Located, exc: ValidationError) -> AvoidSurveyError:
    err = exc.errors()[0]
    loc = data_path(doc.data, err["loc"])
    key = ".".join(str(x) for x in loc) or "(top)"
    typ = err["type"]
    if typ == "extra_forbidden":
        msg = f"unknown key '{loc[-1] if loc else '?'}'"
    elif typ == "missing":
        miss = err["loc"][-1]
        parent = ".".join(str(x) for x in (loc[:-1] if loc and loc[-1] == miss else loc))
        msg = f"required key '{miss}' is missing" + (f" in '{parent}'" if parent else "")
    elif typ == "union_tag_invalid" or typ == "union_tag_not_found":
        msg = (f"'{key}': 'dist' must be one of normal, lognormal, uniform, integer, poisson, bernoulli, "
               f"categorical")
    else:
        m = err["msg"]
        if m.startswith("Value error, "):
            m = m[len("Value error, "):]
        msg = f"'{key}': {m[0].lower() + m[1:] if m else m}"
    more = len(exc.errors()) - 1
    if more:
        msg += f" ({more} more problem(s) in the spec)"
    return AvoidSurveyError(msg, file=doc.file, line=doc.line_of(loc))


def _size_ok(doc, value, path):
    if isinstance(value, list):
        if len(value) != 2 or value[0] > value[1]:
            raise doc.error(f"'{'.'.join(map(str, path))}' must be a whole number or [min, max] with min <= max", path)


def _check_design(doc: Located, d: DesignSpec) -> None:
    """Sizes as numbers or ranges, one way to give officials, and a design that fits in memory."""
    for key in ("townships_per_county", "units_per_township", "officials_per_township", "officials_per_unit"):
        v = getattr(d, key)
        if v is not None:
            _size_ok(doc, v, ("design", key))
    if d.units_per_township is None:
        if d.officials_per_township is None:
            raise doc.error("design needs 'officials_per_township' (or 'units_per_township' and "
                            "'officials_per_unit')", ("design",))
        if d.officials_per_unit is not None:
            raise doc.error("'officials_per_unit' needs 'units_per_township'", ("design", "officials_per_unit"))
    else:
        if d.officials_per_unit is None:
            raise doc.error("with 'units_per_township', give 'officials_per_unit'", ("design",))
        if d.officials_per_township is not None:
            raise doc.error("give either 'officials_per_township' or 'officials_per_unit', not both",
                            ("design", "officials_per_township"))

    def _hi(v):
        return v if isinstance(v, int) else max(v)

    per_t = _hi(d.officials_per_township) if d.units_per_township is None else \
        _hi(d.units_per_township) * _hi(d.officials_per_unit)
    if d.counties * _hi(d.townships_per_county) * per_t > MAX_RESPONDENTS:
        raise doc.error(f"the design can reach {d.counties * _hi(d.townships_per_county) * per_t:,} "
                        f"respondents; at most {MAX_RESPONDENTS:,} can be simulated", ("design",))


def _study_instrument(doc: Located, ref: str, base: Path):
    """The spec's instrument: a bundled id, or a file relative to the spec's folder."""
    from avoid_survey.instruments import load_instrument

    cand = base / ref
    try:
        return load_instrument(cand if (("/" in ref or ref.endswith((".yaml", ".yml"))) and cand.exists()) else ref)
    except AvoidSurveyError as exc:
        if exc.file and exc.line is not None:
            raise  # the instrument file itself is broken: its own location is the useful one
        raise AvoidSurveyError(f"instrument: {exc.one_line()}", file=doc.file,
                               line=doc.line_of(("instrument",))) from None


def _role_columns(inst, d: DesignSpec) -> dict:
    """Columns with a role in the design: id, county, township, unit, duration."""
    role_col = {"id": inst.id_column() or "respondent_id", "county": "county_id", "township": "township_id",
                "unit": None, "duration": "duration_sec"}
    for v in inst.variables:
        if v.role == "duration":
            role_col["duration"] = v.id
    if any(v.id == "unit_id" for v in inst.variables) or d.units_per_township is not None:
        role_col["unit"] = "unit_id"
    return role_col


# ---------------------------------------------------------------- variables
def _check_variables(ctx: _Ctx) -> None:
    sp, doc = ctx.spec, ctx.doc
    for name, dist in sp.county_variables.items():
        _check_var(ctx, name, dist, ("county_variables", name), "unit")
        if dist.missing:
            raise doc.error(f"county variable '{name}': 'missing' applies to individual variables only",
                            ("county_variables", name, "missing"))
        if name in sp.unit_variables:
            raise doc.error(f"'{name}' is declared both as a county and as a unit variable", ("unit_variables", name))
    for name, dist in sp.unit_variables.items():
        _check_var(ctx, name, dist, ("unit_variables", name), "unit")
        if dist.missing:
            raise doc.error(f"unit variable '{name}': 'missing' applies to individual variables only",
                            ("unit_variables", name, "missing"))
    for name, dist in sp.individual_variables.items():
        if name in sp.unit_variables or name in sp.county_variables:
            raise doc.error(f"'{name}' is declared both as a unit (or county) and as an individual variable",
                            ("individual_variables", name))
        _check_var(ctx, name, dist, ("individual_variables", name), "individual")


def _check_var(ctx: _Ctx, name: str, dist, path: tuple, level: str) -> None:
    doc = ctx.doc
    if not _ID_RE.match(name):
        raise doc.error(f"variable name '{name}' must start with a letter and hold only letters, digits "
                        f"or '_'", path)
    if name in ctx.reserved:
        raise doc.error(f"'{name}' is generated by the design (ids, clusters, duration); do not declare it", path)
    if name in ctx.item_ids or name in ctx.check_ids or name in ctx.scales:
        raise doc.error(f"'{name}' is an item, attention check or scale of the instrument, not a variable", path)
    if isinstance(dist, (UniformDist, IntegerDist, NormalDist, LognormalDist)):
        lo, hi = getattr(dist, "min", None), getattr(dist, "max", None)
        if lo is not None and hi is not None and lo > hi:
            raise doc.error(f"variable '{name}': min is greater than max", path)
    if isinstance(dist, CategoricalDist):
        _check_categorical(ctx, name, dist, path)
    _check_var_level(ctx, name, path, level)


def _check_categorical(ctx: _Ctx, name: str, dist: CategoricalDist, path: tuple) -> None:
    doc = ctx.doc
    if dist.probs is not None:
        if len(dist.probs) != len(dist.values):
            raise doc.error(f"variable '{name}': 'probs' needs one probability per value "
                            f"({len(dist.values)})", path + ("probs",))
        if abs(sum(dist.probs) - 1.0) > 1e-6:
            raise doc.error(f"variable '{name}': probabilities sum to {sum(dist.probs):g}, not 1",
                            path + ("probs",))
    if len(set(map(str, dist.values))) != len(dist.values):
        raise doc.error(f"variable '{name}': duplicate values", path + ("values",))
    v = ctx.inst_vars.get(name)
    if v is not None and v.response.type in ("categorical", "ordinal") and v.response.labels:
        known = {str(c) for c in v.response.labels}
        bad = [x for x in dist.values if str(x) not in known]
        if bad:
            raise doc.error(f"variable '{name}': value {bad[0]!r} is not a code of the instrument "
                            f"(codes: {', '.join(sorted(known))})", path + ("values",))


def _check_var_level(ctx: _Ctx, name: str, path: tuple, level: str) -> None:
    """A variable the instrument lacks is an extra column; one it has must keep its level."""
    v = ctx.inst_vars.get(name)
    inst_id = ctx.inst.id
    if v is None and level == "unit":
        if name not in _unit_questionnaire_ids(ctx.inst):
            ctx.warn("sim-extra-variable", f"unit variable '{name}' is neither in instrument '{inst_id}' nor in "
                     f"the unit questionnaire; it is written as an extra column", name)
    elif v is None:
        ctx.warn("sim-extra-variable", f"variable '{name}' is not in instrument '{inst_id}'; it is written as an "
                 f"extra column", name)
    elif v.level != level and level == "individual":
        raise ctx.doc.error(f"'{name}' is a unit-level variable of the instrument; declare it under unit_variables",
                            path)


def unit_questionnaire(inst):
    """The bundled unit questionnaire of ``inst``'s major version (``unit-questionnaire-v2``
    for a 2.x instrument, ``unit-questionnaire`` for 1.x), or None."""
    from avoid_survey.instruments import load_instrument

    major = str(getattr(inst, "version", "") or "1").split(".")[0]
    names = ["unit-questionnaire"] if major in ("", "0", "1") or not major.isdigit() else \
        [f"unit-questionnaire-v{major}", "unit-questionnaire"]
    for nm in names:
        try:
            return load_instrument(nm)
        except AvoidSurveyError:
            continue
    return None


def _unit_questionnaire_ids(inst=None) -> set:
    uq = unit_questionnaire(inst)
    return {v.id for v in uq.variables} if uq is not None else set()


def _variables_with_defaults(ctx: _Ctx) -> tuple[dict, dict]:
    """(individual, unit) variables: the declared ones, then the instrument's others with a
    distribution from their response format."""
    ind_vars = dict(ctx.spec.individual_variables)
    unit_vars = dict(ctx.spec.unit_variables)
    undeclared = []
    for v in ctx.inst.variables:
        if v.id in ctx.reserved or v.role in ("id", "cluster", "duration", "meta") or v.pii:
            continue
        if v.id in ind_vars or v.id in unit_vars or v.id in ctx.spec.county_variables:
            continue
        dd = _default_dist(v.response)
        if dd is None:
            continue
        (unit_vars if v.level == "unit" else ind_vars)[v.id] = dd
        undeclared.append(v.id)
    if undeclared:
        ctx.warn("sim-no-distribution", "no distribution declared for " + ", ".join(undeclared) +
                 "; drawn uniformly over their codes or range")
    return ind_vars, unit_vars


def _default_dist(fmt):
    """A distribution for a variable the spec does not declare, from its response format."""
    t = fmt.type
    if t in ("categorical", "ordinal") and fmt.labels:
        return CategoricalDist(dist="categorical", values=list(fmt.labels))
    if t == "boolean":
        return BernoulliDist(dist="bernoulli", p=0.5)
    if t == "likert" and fmt.min is not None:
        return IntegerDist(dist="integer", min=int(fmt.min), max=int(fmt.max))
    if t == "numeric" and fmt.min is not None and fmt.max is not None:
        whole = float(fmt.min).is_integer() and float(fmt.max).is_integer()
        return UniformDist(dist="uniform", min=fmt.min, max=fmt.max, decimals=0 if whole else 2)
    return None


# ---------------------------------------------------------------- measurement and latents
def _excluded_items(ctx: _Ctx) -> set[str]:
    """Items left out: ``measurement.exclude`` and, unless included, optional scales."""
    m = ctx.spec.measurement
    excluded: set[str] = set()
    for k, e in enumerate(m.exclude):
        if e in ctx.scales:
            excluded.update(ctx.scales[e].item_ids)
        elif e in ctx.item_ids:
            excluded.add(e)
        else:
            raise ctx.doc.error(f"measurement.exclude: '{e}' is no scale, facet or item of the instrument",
                                ("measurement", "exclude", k))
    if not m.include_optional:
        for s in ctx.inst.scales:
            if s.optional:
                excluded.update(s.item_ids)
    return excluded


def _check_latent_ids(ctx: _Ctx, ind_vars: dict, unit_vars: dict) -> None:
    doc, d = ctx.doc, ctx.spec.design
    seen: set[str] = set()
    for k, lt in enumerate(ctx.spec.latents):
        if not _ID_RE.match(lt.id):
            raise doc.error(f"latent id '{lt.id}' must start with a letter and hold only letters, digits or '_'",
                            ("latents", k, "id"))
        if lt.id in seen:
            raise doc.error(f"latent '{lt.id}' is declared twice", ("latents", k, "id"))
        if lt.id in ind_vars or lt.id in unit_vars or lt.id in ctx.reserved:
            raise doc.error(f"latent '{lt.id}' has the name of a variable", ("latents", k, "id"))
        seen.add(lt.id)
        if lt.id == "method" and ctx.spec.measurement.method is not None:
            raise doc.error("latent 'method': the name is taken by the method factor (measurement.method) in the "
                            "truth file", ("latents", k, "id"))
        if lt.id not in ctx.scales:
            ctx.warn("sim-latent-without-items", f"latent '{lt.id}' is no scale or facet of the instrument: it has "
                     f"no items (it is written to the latent file only)", lt.id)
        if lt.icc.county + lt.icc.township + lt.icc.unit >= 1:
            raise doc.error(f"latent '{lt.id}': the ICCs must add up to less than 1", ("latents", k, "icc"))
        if lt.icc.unit and d.units_per_township is None:
            raise doc.error(f"latent '{lt.id}': an ICC for 'unit' needs 'units_per_township' in the design",
                            ("latents", k, "icc", "unit"))


def _check_careless(doc: Located, sp: StudySpec, items: list) -> None:
    cs = sp.realism.careless
    if cs.share > 0 and not items:
        raise doc.error("careless respondents need Likert items to answer", ("realism", "careless", "share"))
    if cs.share > 0 and (cs.straight + cs.random + cs.speeder) <= 0:
        raise doc.error("careless: at least one of straight, random, speeder must be positive",
                        ("realism", "careless"))
