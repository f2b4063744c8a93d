"""The model spec: a YAML file (data, never code) validated with pydantic.

Read with :func:`avoid_survey.analysis.core.yamlsafe.load_yaml` so that every schema error names
the spec file, the line and the key. Formulas are parsed by our own grammar
(:mod:`.formula`) right after validation, before any data is read.

Minimal spec::

    data: responses.csv                    # relative to the spec file
    units: {file: units.csv, key: township_id}   # optional unit-level file, joined on key
    instrument: blame-avoidance-core       # bundled id or path
    missing: {min_items_fraction: 0.8}
    scoring: {method: mean}
    filters: {exclude_flags: [flag_longstring], where: {unit_type: 1}}
    screening: {duplicates: both, speeders: true, attention: true, careless: {k: 2}}
    nesting: [county_id, township_id]      # or units: [county_id, township_id]
    transforms:
      - {var: accountability_pressure, op: group_center, by: township_id, as: ap_within}
      - {var: rank, op: categorical, ref: 1}
    models:
      - name: passive
        family: ols
        formula: passive_avoidance ~ accountability_pressure * ft_trust + C(rank)
        se: {type: cluster, cluster: township_id}
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...core.errors import AvoidSurveyError
from ...core.yamlsafe import Located, data_path, load_yaml, load_yaml_text
from .ols import SE_TYPES

__all__ = ["Spec", "ModelSpec", "LoadedSpec", "load_spec", "FAMILIES", "SE_TYPES", "TRANSFORM_OPS", "SCORING_METHODS",
           "LINKS"]

# the choices of a spec, declared once (the schema's Literal types are built from them)
FAMILIES = ("ols", "logit", "probit", "ordinal", "mixed", "mediation", "process", "sem", "experiment")
PROCESS_MODELS = (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59)
MODERATOR_VALUES = ("percentiles", "mean_sd")
SEM_ESTIMATORS = ("ml", "mlr", "wlsmv")
SEM_MISSING = ("listwise", "ml", "pairwise")
INTERACTION_METHODS = ("product_indicators", "observed")
TRANSFORM_OPS = ("center", "group_center", "group_mean", "standardize", "log", "square", "categorical")
SCORING_METHODS = ("mean", "sum")
LINKS = ("logit", "probit")

Scalar = Union[bool, int, float, str]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class Units(_Base):
    """Unit-level file joined to the responses on ``key`` (many officials to one unit)."""
    file: str
    key: str


class Missing(_Base):
    min_items_fraction: float = Field(0.8, gt=0, le=1)


class Scoring(_Base):
    method: Literal[SCORING_METHODS] = "mean"


class Filters(_Base):
    exclude_flags: list[str] = Field(default_factory=list)
    where: dict[str, Union[Scalar, list[Scalar]]] = Field(default_factory=dict)


class Transform(_Base):
    """A transform declared as data. ``as`` names the new column (default: in place, except
    ``square`` -> ``<var>_sq`` and ``group_mean`` -> ``<var>_mean``)."""
    var: str
    op: Literal[TRANSFORM_OPS]
    by: Optional[str] = None
    as_: Optional[str] = Field(None, alias="as")
    ref: Optional[Scalar] = None
    label: Optional[dict[str, str]] = None   # {en, zh}: how tables name the new column

    @model_validator(mode="after")
    def _by(self):
        if self.op in ("group_center", "group_mean") and not self.by:
            raise ValueError(f"op '{self.op}' needs 'by: <cluster column>'")
        if self.op not in ("group_center", "group_mean") and self.by:
            raise ValueError(f"'by' is only used with group_center / group_mean, not '{self.op}'")
        if self.ref is not None and self.op != "categorical":
            raise ValueError("'ref' is only used with op 'categorical'")
        return self

    @property
    def target(self) -> str:
        if self.as_:
            return self.as_
        return {"square": f"{self.var}_sq", "group_mean": f"{self.var}_mean"}.get(self.op, self.var)


class SE(_Base):
    type: Literal[SE_TYPES] = "classical"
    cluster: Union[str, list[str], None] = None
    hc: Optional[Literal["HC0", "HC1"]] = None

    @model_validator(mode="after")
    def _cl(self):
        if self.type == "cluster":
            if not self.cluster:
                raise ValueError("se type 'cluster' needs 'cluster: <column>' (or a list of two)")
            cl = [self.cluster] if isinstance(self.cluster, str) else list(self.cluster)
            if not 1 <= len(cl) <= 2:
                raise ValueError("one or two clustering variables")
        elif self.cluster:
            raise ValueError("'cluster' is only used with se type 'cluster'")
        elif self.hc:
            raise ValueError("'hc' is only used with se type 'cluster'")
        return self

    @property
    def clusters(self) -> list[str]:
        if not self.cluster:
            return []
        return [self.cluster] if isinstance(self.cluster, str) else list(self.cluster)


class Moderation(_Base):
    focal: str
    moderator: str
    center: bool = True
    at: Optional[list[float]] = None  # moderator values (default: mean - SD, mean, mean + SD)


class Bootstrap(_Base):
    n: int = Field(2000, ge=0, le=100_000)  # 0: effects without bootstrap CIs
    seed: Optional[int] = None


class Interaction(_Base):
    """A latent interaction of a ``family: sem`` model: ``name`` = ``of[0]`` x ``of[1]``.

    product_indicators: a latent measured by products of double-mean-centred indicators
    (matched pairs, or all pairs with residual covariances between products sharing an
    indicator); observed: the product of the mean-centred scale scores (the fallback)."""
    name: str
    of: list[str] = Field(min_length=2, max_length=2)
    method: Literal[INTERACTION_METHODS] = "product_indicators"
    match: Literal["pairs", "all"] = "pairs"


class Panel(_Base):
    """Measurement over waves (family sem; the instrument declares ``waves:``): loadings equal
    across waves, and each indicator's residual covarying with itself at the other waves."""
    equal_loadings: bool = False
    item_residuals: bool = False


class Robustness(_Base):
    """A re-run of the model with other data rules, shown beside it."""
    label: str
    exclude_flags: Optional[list[str]] = None
    where: Optional[dict[str, Union[Scalar, list[Scalar]]]] = None
    min_items_fraction: Optional[float] = Field(None, gt=0, le=1)
    scoring: Optional[Literal[SCORING_METHODS]] = None


class ModelSpec(_Base):
    name: str
    family: Literal[FAMILIES]
    label: Union[str, dict[str, str], None] = None
    formula: Optional[str] = None
    se: Union[SE, Literal[SE_TYPES[:-1]], None] = None
    ci: float = Field(0.95, gt=0, lt=1)
    odds_ratio: bool = False
    link: Optional[Literal[LINKS]] = None
    steps: Optional[list[Union[str, list[str]]]] = None  # blocks: "a + b" or [a, b]
    moderation: Optional[Moderation] = None
    robustness: list[Robustness] = Field(default_factory=list)
    # per-model data
    data: Optional[str] = None
    instrument: Optional[str] = None
    units: Optional[Units] = None
    # mixed
    groups: Union[str, list[str], None] = None
    random_slopes: Optional[list[str]] = None
    reml: bool = True
    # mediation
    x: Optional[str] = None
    mediators: Optional[list[str]] = None
    y: Optional[str] = None
    covariates: list[str] = Field(default_factory=list)
    moderator: Optional[str] = None
    moderated_path: Optional[Literal["a", "b"]] = None
    bootstrap: Optional[Bootstrap] = None
    cluster: Optional[str] = None
    # process (Hayes' PROCESS models; x, y and covariates as above)
    model: Optional[int] = None
    m: Union[str, list[str], None] = None
    w: Optional[str] = None
    z: Optional[str] = None
    moderator_values: Optional[Literal[MODERATOR_VALUES]] = None
    w_at: Optional[list[float]] = None   # explicit moderator values (PROCESS wmodval / zmodval)
    z_at: Optional[list[float]] = None
    # sem (lavaan syntax; see analysis/stats/models/sem_family.py)
    syntax: Optional[str] = None
    estimator: Optional[Literal[SEM_ESTIMATORS]] = None
    missing: Optional[Literal[SEM_MISSING]] = None
    group: Optional[str] = None
    group_equal: Union[str, list[str], None] = None
    group_partial: Optional[str] = None
    mi: Union[bool, float, None] = None
    standardized: Optional[bool] = None
    std_lv: Optional[bool] = None
    observed: Union[bool, list[str], None] = None
    interactions: list[Interaction] = Field(default_factory=list)
    panel: Optional[Panel] = None
    ordered: Union[str, list[str], None] = None          # wlsmv: "all" or the ordered items
    parameterization: Optional[Literal["delta", "theta"]] = None   # wlsmv
    # experiment (the options of `avoid-survey experiment`; covariates, moderator, cluster too)
    outcome: Optional[str] = None
    random_intercept: bool = False
    manipulation: Optional[str] = None
    mde: Optional[int] = Field(None, ge=2)

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        if not v or len(v) > 80:
            raise ValueError("a model name is 1 to 80 characters")
        return v

    @model_validator(mode="after")
    def _family(self):
        fam = self.family
        sem_keys = {k: getattr(self, k) for k in SEM_KEYS}
        if fam == "sem":
            return self._sem()
        bad = [k for k, v in sem_keys.items() if v not in (None, [])]
        if bad:
            raise ValueError(f"'{bad[0]}' is only used by family sem")
        exp_keys = {"outcome": self.outcome, "random_intercept": self.random_intercept,
                    "manipulation": self.manipulation, "mde": self.mde}
        if fam == "experiment":
            for k, v in {"formula": self.formula, "se": self.se, "steps": self.steps, "moderation": self.moderation,
                         "groups": self.groups, "x": self.x, "mediators": self.mediators, "y": self.y,
                         "bootstrap": self.bootstrap, "moderated_path": self.moderated_path,
                         "link": self.link, "odds_ratio": self.odds_ratio}.items():
                if v:
                    raise ValueError(f"'{k}' is not used by family experiment (the design comes from the "
                                     f"instrument's experiment block; use outcome, covariates, moderator, cluster, "
                                     f"random_intercept, manipulation, mde)")
            return self
        bad_exp = [k for k, v in exp_keys.items() if v]
        if bad_exp:
            raise ValueError(f"'{bad_exp[0]}' is only used by family experiment")
        med_keys = {"x": self.x, "mediators": self.mediators, "y": self.y, "moderator": self.moderator,
                    "moderated_path": self.moderated_path,
                    "bootstrap": self.bootstrap, "cluster": self.cluster}
        proc_keys = {"model": self.model, "m": self.m, "w": self.w, "z": self.z,
                      "moderator_values": self.moderator_values, "w_at": self.w_at, "z_at": self.z_at}
        if fam == "process":
            return self._process()
        bad = [k for k, v in proc_keys.items() if v is not None]
        if bad:
            raise ValueError(f"'{bad[0]}' is only used by family process")
        if fam == "mediation":
            for k in ("x", "mediators", "y"):
                if not med_keys[k]:
                    raise ValueError(f"family mediation needs '{k}'")
            for k, v in {"formula": self.formula, "se": self.se, "steps": self.steps,
                         "moderation": self.moderation, "groups": self.groups}.items():
                if v:
                    raise ValueError(f"'{k}' is not used by family mediation (use x, mediators, y, covariates)")
            if self.covariates is None:
                self.covariates = []
            return self
        if fam == "ols" and self.y and self.steps and not self.formula:
            med_keys.pop("y")    # hierarchical blocks only: y plus steps, no formula
        elif not self.formula:
            raise ValueError(f"family {fam} needs a 'formula'" + (" (or 'y' and 'steps')" if fam == "ols" else ""))
        bad = [k for k, v in med_keys.items() if v] + (["covariates"] if self.covariates else [])
        if bad:
            raise ValueError(f"'{bad[0]}' is only used by family mediation")
        if fam == "mixed":
            if not self.groups:
                raise ValueError("family mixed needs 'groups' (a cluster column, or [outer, inner] nesting)")
            if self.se is not None:
                raise ValueError("'se' is not used by family mixed (SEs come from the model)")
            if self.steps:
                raise ValueError("'steps' are available for ols models only")
        else:
            if self.groups or self.random_slopes:
                raise ValueError("'groups' / 'random_slopes' are only used by family mixed")
        if self.steps and fam != "ols":
            raise ValueError("'steps' are available for ols models only")
        if self.odds_ratio and fam not in ("logit", "ordinal"):
            raise ValueError("'odds_ratio' is only used by logit and ordinal models")
        if self.link and fam != "ordinal":
            raise ValueError("'link' is only used by family ordinal (use family logit/probit for binary)")
        if fam == "ordinal" and self.se not in (None, "classical") and not (
                isinstance(self.se, SE) and self.se.type == "classical"):
            raise ValueError("ordinal models report classical (information-matrix) SEs only")
        return self

    def _process(self):
        if self.model not in PROCESS_MODELS:
            raise ValueError("family process needs 'model:', one of " + ", ".join(map(str, PROCESS_MODELS)))
        for k in ("x", "y"):
            if not getattr(self, k):
                raise ValueError(f"family process needs '{k}'")
        for k, v in {"formula": self.formula, "steps": self.steps, "moderation": self.moderation,
                     "groups": self.groups, "mediators": self.mediators, "moderator": self.moderator,
                     "moderated_path": self.moderated_path, "cluster": self.cluster}.items():
            if v:
                hint = {"mediators": " (PROCESS calls the mediators 'm')", "moderator": " (use 'w')",
                        "cluster": " (use se: {type: cluster, cluster: <column>})"}.get(k, "")
                raise ValueError(f"'{k}' is not used by family process{hint}")
        se = self.se_spec
        if se.type == "cluster" and len(se.clusters) != 1:
            raise ValueError("family process clusters on one column")
        return self

    @property
    def m_list(self) -> list[str]:
        if not self.m:
            return []
        return [self.m] if isinstance(self.m, str) else list(self.m)

    @property
    def step_texts(self) -> list[str]:
        """Each ``steps`` block as formula text ("a + b"; a list [a, b] is joined with +)."""
        return [st if isinstance(st, str) else " + ".join(str(x) for x in st) for st in self.steps or []]
    def _sem(self):
        if not self.syntax:
            raise ValueError("family sem needs 'syntax' (lavaan model text, or a file relative to the spec)")
        other = {"formula": self.formula, "se": self.se, "steps": self.steps, "moderation": self.moderation,
                 "groups": self.groups, "random_slopes": self.random_slopes, "x": self.x,
                 "mediators": self.mediators, "y": self.y, "covariates": self.covariates,
                 "moderator": self.moderator, "moderated_path": self.moderated_path, "cluster": self.cluster,
                 "link": self.link, "robustness": self.robustness, "model": self.model, "m": self.m,
                 "w": self.w, "z": self.z}
        for k, v in other.items():
            if v:
                raise ValueError(f"'{k}' is not used by family sem (write the model in 'syntax')")
        if self.odds_ratio:
            raise ValueError("'odds_ratio' is not used by family sem")
        if (self.group_equal or self.group_partial) and not self.group:
            raise ValueError("'group_equal' / 'group_partial' need 'group: <column>'")
        if isinstance(self.mi, (int, float)) and not isinstance(self.mi, bool) and self.mi < 0:
            raise ValueError("'mi' is true, false or a threshold >= 0 (e.g. 3.84)")
        return self

    @property
    def group_equal_list(self) -> list[str]:
        g = self.group_equal
        if not g:
            return []
        return [x.strip() for x in (g.split(",") if isinstance(g, str) else g) if x.strip()]

    @property
    def se_spec(self) -> SE:
        if self.se is None:
            return SE()
        if isinstance(self.se, str):
            return SE(type=self.se)
        return self.se

    @property
    def group_list(self) -> list[str]:
        if not self.groups:
            return []
        return [self.groups] if isinstance(self.groups, str) else list(self.groups)


SEM_KEYS = ("syntax", "estimator", "missing", "group", "group_equal", "group_partial", "mi", "standardized",
            "std_lv", "observed", "interactions", "panel", "ordered", "parameterization")


class Spec(_Base):
    title: Union[str, dict[str, str], None] = None
    description: Optional[str] = None
    data: Optional[str] = None
    units: Optional[Units] = None
    instrument: Optional[str] = None
    missing: Missing = Field(default_factory=Missing)
    scoring: Scoring = Field(default_factory=Scoring)
    filters: Filters = Field(default_factory=Filters)
    transforms: list[Transform] = Field(default_factory=list)
    models: list[ModelSpec] = Field(min_length=1)
    replication: Optional[dict[str, Any]] = None  # written by --out (file hashes); ignored when run
    # one screening for every analysis of the spec (analysis/validate/screening.py)
    screening: Union[bool, dict[str, Any], None] = None
    # nesting of cluster columns, outermost first (``units: [county, township]`` is read as this)
    nesting: list[str] = Field(default_factory=list)

    @field_validator("screening")
    @classmethod
    def _screening(cls, v):
        from ...validate.screening import Screening
        try:
            Screening.from_mapping(v)
        except AvoidSurveyError as exc:
            raise ValueError(str(exc.args[0]) if exc.args else "bad screening block") from None
        return v

    @property
    def screening_rules(self):
        """The :class:`~avoid_survey.analysis.validate.screening.Screening` of the spec."""
        from ...validate.screening import Screening
        return Screening.from_mapping(self.screening)

    @model_validator(mode="after")
    def _names(self):
        seen = set()
        for m in self.models:
            if m.name in seen:
                raise ValueError(f"two models are named '{m.name}'")
            seen.add(m.name)
        return self


class LoadedSpec:
    """A validated spec plus where it came from (for line numbers and relative paths)."""

    def __init__(self, spec: Spec, doc: Located | None, file: str | None, base_dir: Path, raw: dict):
        self.spec = spec
        self.doc = doc
        self.file = file
        self.base_dir = base_dir
        self.raw = raw

    def line(self, *path) -> int | None:
        return self.doc.line_of(path) if self.doc is not None else None

    def model_line(self, i: int, key: str | None = None) -> int | None:
        return self.line("models", i, key) if key else self.line("models", i)

    def error(self, message, *path, column=None) -> AvoidSurveyError:
        return AvoidSurveyError(message, file=self.file, line=self.line(*path), column=column)

    def resolve(self, rel) -> Path:
        p = Path(str(rel)).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def _loc_text(loc) -> str:
    parts = []
    for x in loc:
        if isinstance(x, int):
            parts.append(f"[{x}]")
        else:
            parts.append(("." if parts else "") + str(x))
    return "".join(parts)


def _validation_error(exc: ValidationError, doc: Located | None, file, raw) -> AvoidSurveyError:
    errs = exc.errors()
    # prefer the most specific error (longest location); unknown keys first
    errs.sort(key=lambda e: (e["type"] != "extra_forbidden", -len(e["loc"])))
    e = errs[0]
    loc = data_path(raw, e["loc"], {"as_": "as"})
    if e["type"] not in ("missing", "extra_forbidden") and len(loc) > 1 and \
            _get(raw, loc[:-1]) is not None and not isinstance(_get(raw, loc[:-1]), (dict, list)):
        loc = loc[:-1]   # a validator's name below a scalar value (pydantic union branches)
    line = doc.line_of(loc) if doc is not None else None
    key = _loc_text(loc) or "(top level)"
    if e["type"] == "extra_forbidden":
        parent = loc[:-1]
        model = _model_for(parent, raw)
        allowed = ", ".join(sorted(f.alias or k for k, f in model.model_fields.items())) if model else ""
        msg = f"unknown key '{loc[-1]}'" + (f" under '{_loc_text(parent)}'" if parent else "") + \
              (f" (allowed: {allowed})" if allowed else "")
    elif e["type"] == "missing":
        msg = f"missing required key '{key}'"
    elif loc and loc[-1] == "se" and not isinstance(_get(raw, loc), dict):
        msg = (f"key '{key}': '{_get(raw, loc)}' is not an SE type; use classical, HC0, HC1, HC2, HC3 or "
               f"{{type: cluster, cluster: <column>}}")
    else:
        text = e["msg"].replace("Value error, ", "")
        msg = f"key '{key}': {text}"
    return AvoidSurveyError(f"spec: {msg}", file=file, line=line)


def _get(raw, loc):
    cur = raw
    for x in loc:
        try:
            cur = cur[x]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


def _model_for(parent, raw):
    """The pydantic class that owns keys at ``parent`` (for the 'allowed keys' hint)."""
    if not parent:
        return Spec
    head = parent[0]
    table = {"units": Units, "missing": Missing, "scoring": Scoring, "filters": Filters}
    if head in table and len(parent) == 1:
        return table[head]
    if head == "transforms" and len(parent) == 2:
        return Transform
    if head == "models":
        if len(parent) == 2:
            return ModelSpec
        if len(parent) == 3:
            return {"se": SE, "moderation": Moderation, "bootstrap": Bootstrap, "units": Units,
                    "panel": Panel}.get(parent[2])
        if len(parent) == 4 and parent[2] == "interactions":
            return Interaction
        if len(parent) == 4 and parent[2] == "robustness":
            return Robustness
    return None


def load_spec(spec, *, base_dir=None, data_override=None) -> LoadedSpec:
    """Read and validate a spec from a path, YAML text or a mapping.

    ``data_override`` replaces the spec's ``data:`` (as ``--data`` does). Raises
    AvoidSurveyError naming the spec file, line and key for any problem.
    """
    doc = None
    file = None
    if isinstance(spec, LoadedSpec):
        return spec
    if isinstance(spec, (str, Path)) and not (isinstance(spec, str) and "\n" in spec):
        p = Path(spec)
        doc = load_yaml(p)
        file = str(p)
        raw = doc.data
        bdir = Path(base_dir) if base_dir is not None else p.resolve().parent
    elif isinstance(spec, str):
        doc = load_yaml_text(spec, file="<spec>")
        file = "<spec>"
        raw = doc.data
        bdir = Path(base_dir) if base_dir is not None else Path.cwd()
    elif isinstance(spec, dict):
        raw = spec
        bdir = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        raise AvoidSurveyError("a spec is a YAML file path, YAML text or a mapping")
    if not isinstance(raw, dict):
        raise AvoidSurveyError("spec: the top level must be a mapping (data:, instrument:, models: ...)",
                               file=file, line=1)
    if data_override is not None:
        raw = dict(raw)
        raw["data"] = str(data_override)
    if isinstance(raw.get("units"), list):   # units: [county, township] declares the nesting
        raw = dict(raw)
        raw["nesting"] = raw.pop("units")
    try:
        parsed = Spec.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc, doc, file, raw) from None
    return LoadedSpec(parsed, doc, file, bdir, raw)

