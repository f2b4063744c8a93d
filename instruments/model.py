"""The loaded, resolved instrument: plain frozen dataclasses used by every analysis."""
from __future__ import annotations

from dataclasses import dataclass, field

from avoid_survey.analysis.core.i18n import text_in

__all__ = ["ResponseFormat", "Item", "Scale", "Variable", "AttentionCheck", "Instrument"]

Text = dict  # instrument data in both languages: en and zh texts by language code


@dataclass(frozen=True)
class ResponseFormat:
    """How an answer is coded.

    type : likert | numeric | categorical | boolean | text | id | date
    min, max : code range (likert: required; numeric: optional bounds)
    labels : {code: {en, zh}} answer labels (likert: some or all codes; categorical: the categories)
    missing_codes : codes that mean "no answer" (e.g. -9, 99)
    """

    type: str
    min: float | None = None
    max: float | None = None
    labels: dict = field(default_factory=dict)
    missing_codes: tuple = ()
    name: str | None = None

    @property
    def is_likert(self) -> bool:
        return self.type == "likert"

    @property
    def codes(self) -> list:
        if self.type == "likert":
            return list(range(int(self.min), int(self.max) + 1))
        if self.type in ("categorical", "ordinal"):
            return list(self.labels)
        if self.type == "boolean":
            return [0, 1]
        return []

    def label(self, code, lang: str = "en") -> str:
        return text_in(self.labels.get(code), lang)

    def label_map(self) -> dict[str, object]:
        """Every accepted answer text (either language, and "5 非常同意" style) -> code."""
        out: dict[str, object] = {}
        for code, text in self.labels.items():
            for lang_text in (text or {}).values():
                if not lang_text:
                    continue
                t = " ".join(str(lang_text).split())
                out[t] = code
                out[t.casefold()] = code
                out[f"{code} {t}"] = code
                out[f"{code}{t}"] = code
                out[f"{code}={t}"] = code
                out[f"{code}. {t}"] = code
                out[f"{code}.{t}"] = code
                out[f"({code}) {t}"] = code
        if self.type == "boolean":
            for s, v in {"yes": 1, "no": 0, "true": 1, "false": 0, "是": 1, "否": 0, "y": 1, "n": 0}.items():
                out.setdefault(s, v)
        return out


@dataclass(frozen=True)
class Item:
    """One question of an instrument."""

    id: str
    text: Text
    response: ResponseFormat
    reverse: bool = False
    scale: str | None = None      # top-level scale id
    facet: str | None = None      # facet id, when the scale has facets
    aliases: tuple = ()
    referent: Text | None = None  # referent-shift wording ("in my unit, ...")
    note: Text | None = None
    measures: tuple = ()          # mechanism ids (instruments/mechanisms.py)
    referent_response: "ResponseFormat | None" = None  # format of the referent wording, when it differs

    def response_for(self, referent: bool = False) -> "ResponseFormat":
        """The response format of the self (default) or the referent wording."""
        return self.referent_response if referent and self.referent_response is not None else self.response

    def wording(self, lang: str = "en", referent: bool = False) -> str:
        if referent and self.referent:
            return text_in(self.referent, lang)
        return text_in(self.text, lang)


@dataclass(frozen=True)
class Scale:
    """A scale, or a facet of one (``parent`` set). A scale with facets has items = the
    union of its facets' items, in order."""

    id: str
    label: Text
    items: tuple
    facets: tuple = ()
    parent: str | None = None
    description: Text | None = None
    optional: bool = False
    module: str | None = None  # id of the instrument file it came from

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def name(self, lang: str = "en") -> str:
        return text_in(self.label, lang) or self.id

    @property
    def response(self) -> ResponseFormat:
        return self.items[0].response


@dataclass(frozen=True)
class Variable:
    """A non-scale question: demographics, unit features, ids, platform metadata."""

    id: str
    label: Text
    response: ResponseFormat
    text: Text | None = None
    level: str = "individual"   # individual | unit
    role: str | None = None     # id | cluster | duration | weight | meta
    pii: bool = False
    aliases: tuple = ()
    required: bool = False
    module: str | None = None
    measures: tuple = ()        # mechanism ids (instruments/mechanisms.py)

    def name(self, lang: str = "en") -> str:
        return text_in(self.label, lang) or self.id


@dataclass(frozen=True)
class AttentionCheck:
    """An attention-check question and the answers it expects."""

    id: str
    text: Text
    response: ResponseFormat
    expected: tuple
    aliases: tuple = ()
    after: str | None = None  # placed after this item in the questionnaire


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: items, scales, variables, attention checks (and an experiment)."""

    id: str
    version: str
    title: Text
    languages: tuple
    scales: tuple
    variables: tuple = ()
    attention_checks: tuple = ()
    description: Text | None = None
    citation: Text | None = None
    instructions: Text | None = None
    licence: str | None = None
    source: str | None = None       # file it was loaded from
    modules: tuple = ()             # ids of included instruments
    wordings: tuple = ("self",)
    includes: tuple = ()            # the included Instrument objects, in order (titles, instructions)
    referent_instructions: Text | None = None  # instructions for the referent-shift wording
    experiment: object = None       # survey experiment (instruments.experiment.Experiment) or None
    waves: tuple = ()               # wave ids when scales are repeated (instruments.waves), e.g. ("w1", "w2")
    units: tuple = ()               # nesting of cluster columns, outermost first (county_id, township_id)

    # ---- lookups
    def name(self, lang: str = "en") -> str:
        return text_in(self.title, lang) or self.id

    def all_scales(self) -> list[Scale]:
        """Scales and their facets, parents first: every unit that is scored and tested."""
        out = []
        for s in self.scales:
            out.append(s)
            out.extend(s.facets)
        return out

    def scale(self, sid: str) -> Scale:
        for s in self.all_scales():
            if s.id == sid:
                return s
        raise KeyError(sid)

    @property
    def items(self) -> list[Item]:
        return [i for s in self.scales for i in s.items]

    def item(self, iid: str) -> Item:
        for i in self.items:
            if i.id == iid:
                return i
        raise KeyError(iid)

    def columns(self) -> list[str]:
        """Expected data columns, in questionnaire order: variables, items, checks.

        Unit-level variables (answered once per unit, kept in a separate unit file) are left
        out of an individual-level instrument except its id and cluster columns; an
        instrument made only of unit-level variables (a unit questionnaire) lists them all.
        """
        unit_only = not self.scales and bool(self.variables) and all(v.level == "unit" for v in self.variables)
        cols = [v.id for v in self.variables if unit_only or v.level == "individual" or v.role in ("id", "cluster")]
        for s in self.scales:
            cols.extend(s.item_ids)
        cols.extend(a.id for a in self.attention_checks)
        seen, out = set(), []
        for c in cols:
            if c not in seen:
                seen.add(c)
                out.append(c)
        return out

    def responses(self) -> dict[str, ResponseFormat]:
        """Column id -> response format, for every item, check and variable."""
        out = {v.id: v.response for v in self.variables}
        out.update({i.id: i.response for i in self.items})
        out.update({a.id: a.response for a in self.attention_checks})
        return out

    def aliases(self) -> dict[str, str]:
        """Alias (question text, platform header) -> column id."""
        out = {}
        for obj in [*self.items, *self.variables, *self.attention_checks]:
            for a in obj.aliases:
                out[a] = obj.id
            for t in (getattr(obj, "text", None) or {}).values():
                if t:
                    out.setdefault(t, obj.id)
        return out

    def instructions_for(self, wording: str = "self", lang: str = "en") -> str:
        """Instructions in ``lang`` for the self or the referent-shift wording."""
        if wording == "referent" and self.referent_instructions:
            return text_in(self.referent_instructions, lang)
        return text_in(self.instructions, lang)

    def module(self, mid: str) -> "Instrument | None":
        """The included instrument with id ``mid`` (or self), searched depth first."""
        if mid == self.id:
            return self
        for sub in self.includes:
            found = sub.module(mid)
            if found is not None:
                return found
        return None

    def id_column(self) -> str | None:
        for v in self.variables:
            if v.role == "id":
                return v.id
        return None
