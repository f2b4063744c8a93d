"""Results in words (``--explain``): a rule-based paragraph in Chinese and English.

The rules live in one data file, :file:`explain_rules.yaml` beside this module, so a
maintainer reviews every cut-off and its citation in one place. The file is read with the
safe YAML loader and nothing in it is evaluated: a condition is a declarative comparison
(``{value: fit.cfi, ge: 0.95}``), a sentence is a template with named placeholders
(``{cfi}``, ``{p:p}``), and a derived value is one of a few named aggregations
(``count``, ``list``, ``min``, ``max``, ``matrix_max``; a result's ``_labels`` mapping,
``{id: {en, zh}}``, names the rows and columns of a matrix).

The engine applies the rules of one result kind to that result's ``to_dict()``:
:func:`explain` returns ``{"zh": ..., "en": ...}``. The layout of the rules file:

``references``
    key -> ``{en, zh}``: how a citation is printed (``Hu & Bentler, 1999``).
``phrases``
    the engine's own words: list separators, the sentence shown when no rule applies.
``shared``
    named lists of rules that several kinds include (``- include: fit``).
``kinds``
    kind (``cfa``, ``model`` ...) -> list of rules, applied in file order.

A rule::

    - id: cfa_fit_good                 # unique, used by tests and reviewers
      cite: [hu_bentler_1999]           # reference keys, printed after the sentence
      each: [models, effects]           # optional: once per element (nested lists/mappings)
      let:                              # optional derived values
        low: {list: scales, where: [{value: alpha, lt: 0.70}], item: {en: "{label} ({alpha})", zh: ...}}
      when:                             # all must hold; a missing value makes a comparison false
        - {value: fit.cfi, ge: 0.95}
        - {any: [{value: fit.rmsea, le: 0.06}, {missing: fit.rmsea}]}
      text: {en: "CFI = {cfi} ...", zh: "CFI = {cfi} ……"}

Placeholders are ``{path}`` or ``{path:fmt}`` (``{label|key}``: the first that is not
missing); a path is looked up in the current element, then its parents, then the result; ``fmt`` is one of ``3`` (default for numbers), ``2``,
``1``, ``0``, ``int``, ``df`` (whole numbers without decimals), ``p`` (``p = .031`` / ``p < .001``), ``pct`` (a share of 1 as a
percent), ``abs`` (absolute value, 3 decimals) and ``signed``.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

from .errors import AvoidSurveyError

__all__ = ["explain", "load_rules", "check_rules", "RULES_FILE", "OPS", "LANGS"]

RULES_FILE = Path(__file__).with_name("explain_rules.yaml")
LANGS = ("zh", "en")
OPS = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b,
}
AGGREGATES = ("count", "list", "min", "max", "matrix_max", "value")
_RULE_KEYS = {"id", "cite", "each", "let", "when", "text", "include"}
_FORMATS = {"", "3", "2", "1", "0", "int", "df", "p", "pct", "abs", "signed"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.|]*)(?::([A-Za-z0-9]*))?\}")


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


# ------------------------------------------------------------------ the rules file
@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    from .yamlsafe import load_yaml

    raw = load_yaml(Path(path))
    rules = _plain(raw.data)
    check_rules(rules, path)
    return rules


def load_rules(path=None) -> dict:
    """The rules file as plain dicts and lists (checked: see :func:`check_rules`)."""
    return _load(str(path or RULES_FILE))


def _plain(x):
    """Located YAML nodes as plain Python values."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    for t in (bool, int, float, str):
        if isinstance(x, t):
            return t(x)
    return x


def check_rules(rules: dict, file="explain_rules.yaml") -> None:
    """Refuse a rules file the engine could misread: unknown keys and operators, a rule
    without both languages, an unknown reference, a placeholder with an unknown format."""
    def bad(msg):
        raise AvoidSurveyError(f"explanation rules: {msg}", file=file)

    if not isinstance(rules, dict) or not isinstance(rules.get("kinds"), dict):
        bad("the file needs a 'kinds' mapping")
    refs = rules.get("references") or {}
    shared = rules.get("shared") or {}
    seen = set()
    groups = [(f"shared.{k}", v) for k, v in shared.items()] + [(f"kinds.{k}", v) for k, v in rules["kinds"].items()]
    for where, lst in groups:
        if not isinstance(lst, list):
            bad(f"{where} must be a list of rules")
        for rule in lst:
            if not isinstance(rule, dict) or set(rule) - _RULE_KEYS:
                bad(f"{where}: unknown keys {sorted(set(rule) - _RULE_KEYS) if isinstance(rule, dict) else rule}")
            if "include" in rule:
                if rule["include"] not in shared:
                    bad(f"{where}: include of unknown shared list '{rule['include']}'")
                continue
            rid = rule.get("id")
            if not rid or rid in seen:
                bad(f"{where}: rule id missing or repeated: {rid}")
            seen.add(rid)
            text = rule.get("text") or {}
            if set(text) != set(LANGS) or not all(isinstance(text[lg], str) and text[lg] for lg in LANGS):
                bad(f"rule {rid}: text needs both zh and en")
            for c in rule.get("cite") or []:
                if c not in refs:
                    bad(f"rule {rid}: unknown reference '{c}'")
            for cond in rule.get("when") or []:
                _check_cond(cond, rid, bad)
            for name, spec in (rule.get("let") or {}).items():
                aggs = [a for a in AGGREGATES if a in spec]
                if len(aggs) != 1:
                    bad(f"rule {rid}: let '{name}' needs exactly one of {AGGREGATES}")
                for cond in spec.get("where") or []:
                    _check_cond(cond, rid, bad)
                for lg in LANGS:
                    if "item" in spec and lg not in spec["item"]:
                        bad(f"rule {rid}: let '{name}' item needs both zh and en")
            for lg in LANGS:
                for _path, fmt in _PLACEHOLDER.findall(text[lg]):
                    if fmt not in _FORMATS:
                        bad(f"rule {rid}: unknown format ':{fmt}'")
    need = {"sentence_sep", "list_sep", "cite_sep", "cite", "sentence_end", "p_below", "p_value", "missing",
            "yes", "no", "none"}
    phrases = rules.get("phrases") or {}
    for key in sorted(need):
        if not isinstance(phrases.get(key), dict) or set(phrases[key]) != set(LANGS):
            bad(f"phrases.{key} needs zh and en")
    for key, ref in refs.items():
        if not isinstance(ref, dict) or set(ref) != set(LANGS):
            bad(f"reference {key} needs zh and en")


def _check_cond(cond, rid, bad) -> None:
    if not isinstance(cond, dict):
        bad(f"rule {rid}: a condition must be a mapping")
    if "any" in cond or "all" in cond:
        for c in cond.get("any") or cond.get("all"):
            _check_cond(c, rid, bad)
        return
    if "missing" in cond or "present" in cond:
        return
    ops = [k for k in cond if k in OPS]
    extra = set(cond) - set(OPS) - {"value", "abs"}
    if "value" not in cond or len(ops) != 1 or extra:
        bad(f"rule {rid}: a condition is {{value: PATH, OP: X}} with OP one of {sorted(OPS)}: {cond}")


# ------------------------------------------------------------------ looking values up
def _lookup(scopes: list, path: str):
    head, *rest = path.split(".")
    for scope in scopes:
        if isinstance(scope, dict) and head in scope:
            cur = scope[head]
            break
    else:
        return MISSING
    for part in rest:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, (list, tuple)) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return MISSING
    return cur


def _is_missing(v) -> bool:
    return v is MISSING or v is None or (isinstance(v, float) and math.isnan(v))


def _holds(cond: dict, scopes: list) -> bool:
    if "any" in cond:
        return any(_holds(c, scopes) for c in cond["any"])
    if "all" in cond:
        return all(_holds(c, scopes) for c in cond["all"])
    if "missing" in cond:
        return _is_missing(_lookup(scopes, cond["missing"]))
    if "present" in cond:
        return not _is_missing(_lookup(scopes, cond["present"]))
    v = _lookup(scopes, cond["value"])
    if _is_missing(v):
        return False
    op = next(k for k in cond if k in OPS)
    other = cond[op]
    if cond.get("abs") and isinstance(v, (int, float)):
        v = abs(v)
    try:
        return bool(OPS[op](v, other))
    except TypeError:
        return False


def _elements(value) -> list:
    """The elements an ``each`` or an aggregation walks: list items, or mapping entries with
    their key as ``key`` (a scalar entry as ``value``)."""
    if isinstance(value, list):
        return [x if isinstance(x, dict) else {"value": x} for x in value]
    if isinstance(value, dict):
        return [{"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v} for k, v in value.items()]
    return []


def _expand(each, scopes: list) -> list[list]:
    """Every scope chain an ``each`` path visits (a path per nesting level)."""
    if not each:
        return [scopes]
    levels = [each] if isinstance(each, str) else list(each)
    chains = [scopes]
    for path in levels:
        chains = [[el, *chain] for chain in chains for el in _elements(_lookup(chain, path))]
    return chains


# ------------------------------------------------------------------ words
def _fmt(v, fmt: str, lang: str, phrases: dict) -> str:
    if isinstance(v, dict) and set(v) & set(LANGS):
        return str(v.get(lang) or v.get("en") or v.get("zh") or "")
    if isinstance(v, list):
        return phrases["list_sep"][lang].join(_fmt(x, fmt, lang, phrases) for x in v)
    if _is_missing(v):
        return phrases["missing"][lang]
    if isinstance(v, bool):
        return phrases["yes" if v else "no"][lang]
    if isinstance(v, str):
        return v
    if fmt == "int" or (isinstance(v, int) and fmt == ""):
        return f"{int(round(v)):d}"
    if fmt == "p":
        if v < 0.001:
            return phrases["p_below"][lang]
        s = f"{v:.3f}"
        return phrases["p_value"][lang].format(bare=s[1:] if s.startswith("0") else s, full=s)
    if fmt == "df":
        return f"{int(v):d}" if float(v).is_integer() else f"{v:.2f}"
    if fmt == "pct":
        return f"{100 * v:.1f}%"
    if fmt == "abs":
        return f"{abs(v):.3f}"
    if fmt == "signed":
        return f"{v:+.3f}"
    d = int(fmt) if fmt.isdigit() else 3
    s = f"{v:.{d}f}"
    return s[1:] if s.startswith("-") and not s.strip("-0.") else s


def _first(scopes: list, paths: str):
    """The first of ``a|b|c`` that is not missing (``{label|key}``: a label, else the id)."""
    for path in paths.split("|"):
        v = _lookup(scopes, path)
        if not _is_missing(v):
            return v
    return MISSING


def _fill(template: str, scopes: list, lang: str, phrases: dict) -> str:
    return _PLACEHOLDER.sub(lambda m: _fmt(_first(scopes, m.group(1)), m.group(2) or "", lang, phrases), template)


def _aggregate(spec: dict, scopes: list, lang: str, phrases: dict):
    agg = next(a for a in AGGREGATES if a in spec)
    if agg == "value":
        return _lookup(scopes, spec["value"])
    if agg == "matrix_max":
        best = _matrix_max(_lookup(scopes, spec["matrix_max"]), spec.get("abs", False))
        names = _lookup(scopes, "_labels")
        if best is not MISSING and isinstance(names, dict):
            def name(k):
                return _fmt(names.get(k, k), "", lang, phrases)
            best["text"] = f"{name(best['row'])}–{name(best['col'])}"
        return best
    els = [el for el in _elements(_lookup(scopes, spec[agg]))
           if all(_holds(c, [el, *scopes]) for c in spec.get("where") or [])]
    if agg == "count":
        return len(els)
    if agg == "list":
        if not els:
            return MISSING
        return [_fill(spec["item"][lang], [el, *scopes], lang, phrases) for el in els]
    field = spec.get("field", "value")
    vals = [(el[field], el) for el in els if not _is_missing(el.get(field))]
    if spec.get("abs"):
        vals = [(abs(v), el) for v, el in vals]
    if not vals:
        return MISSING
    v, el = (min if agg == "min" else max)(vals, key=lambda t: t[0])
    if "item" in spec:
        return {"value": v, "text": _fill(spec["item"][lang], [el, *scopes], lang, phrases)}
    return v


def _matrix_max(m, use_abs: bool):
    """The largest off-diagonal entry of a {row: {col: value}} mapping, with its pair."""
    best = MISSING
    if not isinstance(m, dict):
        return best
    for r, row in m.items():
        for c, v in (row or {}).items():
            if r == c or _is_missing(v):
                continue
            x = abs(v) if use_abs else v
            if best is MISSING or x > best["value"]:
                best = {"value": x, "row": r, "col": c, "text": f"{r}–{c}"}
    return best


def _rules_of(kind: str, rules: dict) -> list[dict]:
    out = []
    for rule in rules["kinds"].get(kind, []):
        if "include" in rule:
            out.extend(rules["shared"][rule["include"]])
        else:
            out.append(rule)
    return out


def _cite(sentence: str, keys, rules: dict, lang: str) -> str:
    if not keys:
        return sentence
    ph = rules["phrases"]
    refs = ph["cite_sep"][lang].join(rules["references"][k][lang] for k in keys)
    return sentence.rstrip(ph["sentence_end"][lang]) + ph["cite"][lang].format(refs=refs)


def sentences(kind: str, data: dict, lang: str, rules: dict | None = None) -> list[tuple[str, str]]:
    """(rule id, sentence) for every rule of ``kind`` that holds on ``data``, in file order."""
    rules = rules or load_rules()
    phrases = rules["phrases"]
    out = []
    for rule in _rules_of(kind, rules):
        for chain in _expand(rule.get("each"), [data]):
            scopes = list(chain)
            derived = {}
            for name, spec in (rule.get("let") or {}).items():
                derived[name] = _aggregate(spec, [derived, *scopes], lang, phrases)
            scopes = [derived, *scopes]
            if all(_holds(c, scopes) for c in rule.get("when") or []):
                text = _fill(rule["text"][lang], scopes, lang, phrases)
                out.append((rule["id"], _cite(text, rule.get("cite"), rules, lang)))
    return out


def explain(kind: str, data: dict, rules: dict | None = None) -> dict[str, str]:
    """``{"zh": paragraph, "en": paragraph}``: the sentences of every rule of ``kind`` that
    holds on ``data`` (a result's ``to_dict()``), or the file's 'nothing to say' phrase."""
    rules = rules or load_rules()
    if kind not in rules["kinds"]:
        raise AvoidSurveyError(f"no explanation rules for '{kind}'")
    out = {}
    for lang in LANGS:
        got = [s for _rid, s in sentences(kind, data, lang, rules)]
        out[lang] = rules["phrases"]["sentence_sep"][lang].join(got) if got else rules["phrases"]["none"][lang]
    return out
