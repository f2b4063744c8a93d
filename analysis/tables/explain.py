"""Results in words for a result object: the paragraph of :mod:`..core.explain` applied to
the result's ``to_dict()`` with labels added (value labels of terms, levels of invariance),
as JSON (``"explanation": {"zh", "en"}``) and as a table every renderer draws.

    >>> text = explanation("cfa", result)        # {"zh": ..., "en": ...}
    >>> emit(Explained(result, "cfa"), ...)      # the command line's --explain
"""
from __future__ import annotations

import copy

from ..core.explain import LANGS, explain, sentences
from ..core.i18n import TERMS, both, tr
from ..core.table import Column, Table

__all__ = ["explanation", "explanation_sentences", "explanation_table", "Explained", "enriched"]


def _labels(fn) -> dict:
    return {lg: fn(lg) for lg in LANGS}


# the probe points of a moderator as models write them
_AT = {"mean - 1 SD": "expl_at_low", "mean-1SD": "expl_at_low", "mean": "expl_at_mean",
       "mean + 1 SD": "expl_at_high", "mean+1SD": "expl_at_high"}


def _model(result, data: dict) -> None:
    from .models import term_label

    labels = getattr(result, "labels", {}) or {}
    vlabels = getattr(result, "value_labels", {}) or {}

    def lab(name):
        if not isinstance(name, str) or not name:
            return name        # already labelled (one dict may sit in two lists) or empty
        return _labels(lambda lg: term_label(name, labels, vlabels, lg))

    for m in data.get("models", []):
        for c in m.get("coefficients") or []:
            c["label"] = lab(c.get("term"))
            if "|" in str(c.get("term")):
                c["threshold"] = True      # cut-points of an ordinal model are not predictors
        for k, v in (m.get("vif") or {}).items():
            if isinstance(v, dict):
                v["label"] = lab(k)
        for key in ("x", "y", "moderator"):
            if m.get(key):
                m[key] = lab(m[key])
        for row in (m.get("effects") or []) + (m.get("conditional_indirect_effects") or []) \
                + (m.get("index_of_moderated_mediation") or []):
            if row.get("via") and row["via"] != "total":
                row["via"] = lab(row["via"])
            if row.get("moderator"):
                row["moderator"] = lab(row["moderator"])
            if isinstance(row.get("level"), str) and row["level"] in _AT:
                row["level"] = both(_AT[row["level"]])
        mo = m.get("moderation")
        if mo:
            mo["focal"], mo["moderator"] = lab(mo.get("focal")), lab(mo.get("moderator"))
            for sl in mo.get("simple_slopes") or []:
                if isinstance(sl.get("at"), str) and sl["at"] in _AT:
                    sl["at"] = both(_AT[sl["at"]])


def _cfa(result, data: dict) -> None:
    labels = dict(getattr(result, "factor_labels", {}) or {})
    if labels:
        data["_labels"] = labels
        for f, row in (data.get("factor_reliability") or {}).items():
            if isinstance(row, dict) and f in labels:
                row["label"] = labels[f]
    for row in data.get("invariance") or []:
        key = f"expl_level_{row.get('level')}"
        if key in TERMS:
            row["level"] = both(key)


def _describe(result, data: dict) -> None:
    names = {d["variable"]: d.get("label") or d["variable"] for d in data.get("descriptives", [])}
    for key in ("correlations",):
        m = data.get(key)
        if isinstance(m, dict):
            data[key] = {names.get(r, r): {names.get(c, c): v for c, v in (row or {}).items()} for r, row in m.items()}
    diag = data.get("diagonal")
    if isinstance(diag, dict) and isinstance(diag.get("values"), dict):
        diag["values"] = {names.get(k, k): v for k, v in diag["values"].items()}


def _experiment(result, data: dict) -> None:
    d = data.get("design") or {}
    key = f"expl_design_{d.get('type')}"
    if key in TERMS:
        d["type"] = both(key)


_ENRICH = {"model": _model, "cfa": _cfa, "sem": _cfa, "describe": _describe, "experiment": _experiment}


def enriched(kind: str, result) -> dict:
    """``result.to_dict()`` (a copy) with the labels the rules print."""
    data = copy.deepcopy(result.to_dict())
    fn = _ENRICH.get(kind)
    if fn:
        fn(result, data)
    return data


def explanation(kind: str, result) -> dict:
    """``{"zh": paragraph, "en": paragraph}`` for ``result`` (rules of ``kind``)."""
    return explain(kind, enriched(kind, result))


def explanation_sentences(kind: str, result) -> dict:
    """``{"zh": [sentence, ...], "en": [...]}``: the paragraph a sentence per rule."""
    data = enriched(kind, result)
    return {lg: [s for _rid, s in sentences(kind, data, lg)] for lg in LANGS}


def explanation_table(lines: list[str], lang: str) -> Table:
    """Sentences as a one-column table (a row each), for every output format."""
    t = Table("@expl_title", [Column("text", tr("expl_sentence", lang), kind="text")], name="explanation",
              notes=["@expl_note"])
    for line in lines:
        t.add(line)
    return t


class Explained:
    """A result with its explanation: ``to_dict()`` gains ``"explanation"``, ``to_tables``
    gains the explanation table; every other attribute is the result's own."""

    def __init__(self, result, kind: str):
        self._result = result
        self.kind = kind
        self.sentences = explanation_sentences(kind, result)
        self.explanation = explain(kind, enriched(kind, result))

    def to_dict(self) -> dict:
        return {**self._result.to_dict(), "explanation": self.explanation}

    def to_tables(self, lang: str = "zh") -> list:
        lines = self.sentences[lang] or [self.explanation[lang]]
        return [*self._result.to_tables(lang), explanation_table(lines, lang)]

    def __getattr__(self, name):
        return getattr(self._result, name)
