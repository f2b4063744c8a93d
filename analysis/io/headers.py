"""Matching a file's headers to an instrument's columns.

Headers are matched by: the ``mapping`` ({header: column id}), the column id itself, a
declared alias, then the normalised header (NFKC, numbering, punctuation and whitespace
removed, case folded) against normalised aliases and item/variable texts in either
language. Unmatched headers that are survey-platform metadata (:mod:`.platforms`) are
recognised as such; a platform duration column becomes the instrument's duration variable.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .platforms import PLATFORM_COLUMNS
from .textnorm import norm_header, norm_label

__all__ = ["norm_header", "norm_label", "match_headers", "HeaderMatch", "dedupe", "header_candidates",
           "instrument_texts"]

# the patterns of header_candidates, compiled on first use (re's cache), not at import: only
# matching headers to an instrument needs them
_SPLIT = r"\s*(?:—+|–+|－+|\s-\s)\s*"
# 问卷星 matrix rows: "10(行标题)", "10.(行标题)", "Q10（行标题）"; Credamo/腾讯问卷: "Q10_1.行标题"
_MATRIX_ROW = r"^\s*(?:[QqＱ]\s*)?\d+(?:[._\-]\d+)*\s*[.．、:：]?\s*[(（](.+)[)）]\s*$"
_SUB_ROW = r"^\s*[QqＱ]\s*\d+[_\-]\d+\s*[.．、:：|]\s*(.+)$"


@dataclass(frozen=True)
class HeaderMatch:
    """The frame column names for a file's headers, and how each was found.

    names : final column name per header (same order)
    match : {column: {"header", "how"}} for renamed or recognised columns
    unmatched : headers the instrument does not know (instrument given)
    platform : {column: (kind, what, platform)} for survey-platform metadata columns
    """

    names: list
    match: dict
    unmatched: list
    platform: dict


# ---------------------------------------------------------------- header matching
def _instrument_keys(instrument):
    """(exact: {name: id}, normalised: {norm: id}) for every column the instrument knows."""
    exact, normd = {}, {}
    objs = [*instrument.items, *instrument.variables, *instrument.attention_checks]
    for o in objs:
        exact.setdefault(o.id, o.id)
    for o in objs:
        for a in o.aliases:
            exact.setdefault(a, o.id)
            normd.setdefault(norm_header(a), o.id)
    for o in objs:
        texts = []
        for attr in ("text", "referent", "label"):
            t = getattr(o, attr, None)
            if isinstance(t, dict):
                texts.extend(v for v in t.values() if v)
        for t in texts:
            n = norm_header(t)
            if n:
                normd.setdefault(n, o.id)
        normd.setdefault(norm_header(o.id), o.id)
    normd.pop("", None)
    return exact, normd


def match_headers(headers, instrument, mapping, questions=None) -> HeaderMatch:
    """Final column names for ``headers`` (``questions``: a Qualtrics question-text row)."""
    names, match, unmatched, platform = [], {}, [], {}
    mapping = dict(mapping or {})
    exact, normd = _instrument_keys(instrument) if instrument is not None else ({}, {})
    dur_id = None
    if instrument is not None:
        dur_id = next((v.id for v in instrument.variables if v.role == "duration"), None)
    taken = set()
    for pos, h in enumerate(headers):
        q = questions[pos] if questions is not None and pos < len(questions) else None
        name, how = _match_one(h, q, instrument, mapping, exact, normd)
        if name is None:
            plat = PLATFORM_COLUMNS.get(norm_header(h))
            if plat is not None:
                platform[h] = plat
                if plat[0] == "duration" and dur_id and dur_id not in taken and dur_id not in headers:
                    name, how = dur_id, "platform"
                    platform[dur_id] = plat
        if name is None:
            name = h
            if instrument is not None and h not in platform:
                unmatched.append(h)
        elif how != "id":
            match[name] = {"header": h, "how": how}
        names.append(name)
        taken.add(name)
    return HeaderMatch(names, match, unmatched, platform)


def _match_one(h, question, instrument, mapping, exact, normd):
    """(column id, how) for one header, or (None, None): mapping, id, alias, then text."""
    if h in mapping:
        return str(mapping[h]), "mapping"
    if instrument is None:
        return None, None
    if h in exact:
        name = exact[h]
        return name, ("id" if name == h else "alias")
    for c in ([h, question] if question else [h]):
        for n in header_candidates(c):
            if n in normd:
                return normd[n], "text"
    return None, None


def header_candidates(c) -> list[str]:
    """Normalised texts a header may be matched by, best first: the whole header, the
    row text of a matrix row (问卷星 ``10(行标题)``, Credamo ``Q10_1.行标题``), then the
    parts of "question — row text" (the row text first)."""
    out = [norm_header(c)]
    text = unicodedata.normalize("NFKC", str(c)).strip()
    for rx in (_MATRIX_ROW, _SUB_ROW):
        m = re.match(rx, text)
        if m:
            out.append(norm_header(m.group(1)))
            text = m.group(1)
    parts = [p for p in re.split(_SPLIT, text) if p.strip()]
    if len(parts) > 1:
        out.extend(norm_header(p) for p in reversed(parts))
    return [n for n in dict.fromkeys(out) if n]


def instrument_texts(instrument) -> list[tuple[str, str, str]]:
    """(column id, text as written, normalised text) for every item, attention check and
    variable of the instrument: the texts a header is compared with."""
    out = []
    for o in [*instrument.items, *instrument.attention_checks, *instrument.variables]:
        texts = []
        for attr in ("text", "referent", "label"):
            t = getattr(o, attr, None)
            if isinstance(t, dict):
                texts.extend(v for v in t.values() if v)
        texts.extend(o.aliases)
        seen = set()
        for t in texts:
            n = norm_header(t)
            if n and n not in seen:
                seen.add(n)
                out.append((o.id, str(t), n))
        if not texts:
            out.append((o.id, o.id, norm_header(o.id)))
    return out


def dedupe(names):
    """Make names unique (second 'x' -> 'x.1'); return (names, [(name, positions)])."""
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        seen.setdefault(n, []).append(i)
    dups = [(n, [p + 1 for p in pos]) for n, pos in seen.items() if len(pos) > 1]
    if not dups:
        return list(names), []
    out, used = [], set(names)
    count: dict[str, int] = {}
    for n in names:
        if n in count:
            k = count[n]
            cand = f"{n}.{k}"
            while cand in used:
                k += 1
                cand = f"{n}.{k}"
            count[n] = k + 1
            used.add(cand)
            out.append(cand)
        else:
            count[n] = 1
            out.append(n)
    return out, dups
