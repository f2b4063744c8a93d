"""Schema of instrument YAML files (pydantic), checked on load.

Structure errors (unknown keys, wrong types, missing keys) come from the schema; meaning
errors (duplicate ids, missing language, reverse flag on a non-Likert item, facet without
items...) from :func:`semantic_findings`. Both become findings with the YAML line.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

__all__ = ["InstrumentSpec", "ResponseSpec", "ScaleSpec", "FacetSpec", "ItemSpec", "VariableSpec",
           "AttentionSpec", "ID_RE"]

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
LANG_RE = re.compile(r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_text(v):
    if not isinstance(v, dict):
        raise ValueError("must be a mapping of language to text, e.g. {en: ..., zh: ...}")
    for k, t in v.items():
        if not isinstance(k, str) or not LANG_RE.match(k):
            raise ValueError(f"'{k}' is not a language code (use zh, en)")
        if isinstance(t, bool):
            raise ValueError(f"text for '{k}' is read as {str(t).lower()}: YAML takes unquoted Yes, No, On, Off "
                             f"as true/false; put the text in quotes, e.g. {k}: \"{'Yes' if t else 'No'}\"")
        if not isinstance(t, str):
            raise ValueError(f"text for '{k}' must be a string")
    return v


Text = dict
# a label is checked on its own, so an error points at the line of that label
LabelText = Annotated[dict, BeforeValidator(_check_text)]


def _finite_bound(v):
    """A scale bound is a finite number of sensible size (1e400 reads as infinity)."""
    import math
    if v is not None and (not math.isfinite(v) or abs(v) > 1e9):
        raise ValueError(f"must be a finite number between -1e9 and 1e9, got {v}")
    return v


class ResponseSpec(_Strict):
    type: Literal["likert", "numeric", "categorical", "ordinal", "boolean", "text", "id", "date"]
    min: Optional[float] = None
    max: Optional[float] = None
    labels: Optional[dict[Union[int, str], LabelText]] = None
    missing_codes: list[Union[int, float, str]] = []

    _b = field_validator("min", "max")(classmethod(lambda cls, v: _finite_bound(v)))


ResponseRef = Union[str, ResponseSpec]


class ItemSpec(_Strict):
    id: str
    text: Text
    reverse: bool = False
    aliases: list[str] = []
    referent: Optional[Text] = None
    note: Optional[Text] = None
    response: Optional[ResponseRef] = None
    # mechanisms of the domain the item operationalises (ids of instruments/data/domain/mechanisms.yaml)
    measures: list[str] = []

    _t = field_validator("text", "referent", "note")(classmethod(lambda cls, v: v if v is None else _check_text(v)))


class FacetSpec(_Strict):
    id: str
    label: Text
    description: Optional[Text] = None
    response: Optional[ResponseRef] = None
    items: list[ItemSpec] = []

    _t = field_validator("label", "description")(classmethod(lambda cls, v: v if v is None else _check_text(v)))


class ScaleSpec(FacetSpec):
    facets: list[FacetSpec] = []
    optional: bool = False


class VariableSpec(_Strict):
    id: str
    label: Text
    text: Optional[Text] = None
    response: Optional[ResponseRef] = None
    level: Literal["individual", "unit"] = "individual"
    role: Optional[Literal["id", "cluster", "duration", "weight", "meta", "covariate"]] = None
    pii: bool = False
    aliases: list[str] = []
    required: bool = False
    measures: list[str] = []   # mechanism ids, as on items

    _t = field_validator("label", "text")(classmethod(lambda cls, v: v if v is None else _check_text(v)))


class AttentionSpec(_Strict):
    id: str
    text: Text
    expected: Union[int, list[int]]
    response: Optional[ResponseRef] = None
    aliases: list[str] = []
    after: Optional[str] = None

    _t = field_validator("text")(classmethod(lambda cls, v: _check_text(v)))


class WavesSpec(_Strict):
    """Repeated measurement: the listed scales (default: all) are asked at every wave; their
    scales, facets and items get the wave id as a suffix (ft_cla1 -> ft_cla1_w1, ft_cla1_w2)."""
    ids: list[str]
    scales: Optional[list[str]] = None


class InstrumentSpec(_Strict):
    id: str
    version: str
    title: Text
    description: Optional[Text] = None
    citation: Optional[Union[str, Text]] = None
    licence: Optional[str] = None
    authors: list[str] = []
    languages: Optional[list[str]] = None
    instructions: Optional[Text] = None
    referent_instructions: Optional[Text] = None
    response: Optional[ResponseRef] = None
    # the response format of the items when the referent wording is fielded (e.g. a prevalence
    # scale: almost none ... almost all); a scale that sets its own `response` keeps it
    referent_response: Optional[ResponseRef] = None
    response_formats: dict[str, ResponseSpec] = {}
    wordings: list[Literal["self", "referent"]] = ["self"]
    include: list[str] = []
    scales: list[ScaleSpec] = []
    variables: list[VariableSpec] = []
    attention_checks: list[AttentionSpec] = []
    # nesting of cluster variables, outermost first: [county_id, township_id]
    units: list[str] = []
    # survey experiment: validated (and its schema built) only when present, by
    # instruments/experiment.py (ExperimentSpec)
    experiment: Optional[dict] = None
    waves: Optional[WavesSpec] = None

    _t = field_validator("title", "description", "instructions", "referent_instructions")(
        classmethod(lambda cls, v: v if v is None else _check_text(v)))
