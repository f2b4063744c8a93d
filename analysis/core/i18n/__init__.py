"""The one catalogue of words avoid-survey shows, in Chinese and English.

Every label, note and message a user reads comes from here: ``tr(key, lang)``. The terms
are kept in one module per area (``common``, ``validate``, ``models`` ...); each holds a
``TERMS`` dict of ``key: (en, zh)``. Keys are unique across the areas (a test checks it,
and that each term has both languages). :mod:`.glossary` fixes the field's standard
Chinese terms (列表删除, 标准化系数, 组合信度 ...) that every area uses.

Labels written in instrument YAML files are data, not catalogue terms: ``text_in``
picks the language from such a ``{en, zh}`` mapping.
"""
from __future__ import annotations

from importlib import import_module

__all__ = ["tr", "both", "text_in", "TERMS", "LANGS", "AREAS", "load_areas", "area_term"]

LANGS = ("zh", "en")

# one module per area; a new area is one more name here
AREAS = ("common", "glossary", "validate", "stats", "render", "models", "simulate", "instruments", "report", "cfa", "sem", "describe", "experiment", "ordinal", "wlsmv", "regression", "process", "semspec", "explain", "errors", "cli", "screening", "coverage")


def load_areas() -> dict[str, dict[str, tuple[str, str]]]:
    """Each area's own ``TERMS`` (for the catalogue tests)."""
    return {a: import_module(f"{__name__}.{a}").TERMS for a in AREAS}


def _merge() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for terms in load_areas().values():
        out.update(terms)
    return out


def _terms() -> dict[str, tuple[str, str]]:
    """``TERMS``: every area merged, on first use (a run that shows no term, such as a
    JSON-only run, loads no area; ``text_in`` needs none)."""
    terms = globals().get("TERMS")
    if terms is None:
        terms = globals()["TERMS"] = _merge()
    return terms


def __getattr__(name: str):
    if name == "TERMS":
        return _terms()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def area_term(area: str, key: str) -> tuple[str, str] | None:
    """The ``(en, zh)`` pair of ``key`` from its area's module alone (loads that area only;
    for the start-up path of the command line)."""
    return import_module(f"{__name__}.{area}").TERMS.get(key)


def tr(key: str, lang: str = "en") -> str:
    """Translate a term key; unknown keys come back unchanged."""
    pair = _terms().get(key)
    if pair is None:
        return key
    return pair[1] if lang == "zh" else pair[0]


def both(key: str, **fields) -> dict:
    """``{"en": ..., "zh": ...}`` of a term (for results whose JSON carries both languages);
    a field given as a callable is called with the language (e.g. a joined list)."""
    return {lang: tr(key, lang).format(**{k: v(lang) if callable(v) else v for k, v in fields.items()})
            for lang in ("en", "zh")}


def text_in(value, lang: str = "en") -> str:
    """Pick ``lang`` from a {en, zh} mapping (instrument data), falling back to the other."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        other = "en" if lang == "zh" else "zh"
        return value.get(lang) or value.get(other) or ""
    return str(value)
