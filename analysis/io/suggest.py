"""Headers left unmatched: the closest item text of each, and a ready ``--map`` file.

A header that matches no id, alias or item text of the instrument is compared with every
text of the instrument's columns that the file did not already supply (all texts when
none is left); the most similar one is suggested (similarity of the normalised texts,
0..1, :class:`difflib.SequenceMatcher`). ``--write-map map.yaml`` writes the mapping the
reader used plus these suggestions, one ``"header": column_id`` line each, so the user
checks the suggestions and passes the file back with ``--map map.yaml``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher

from .headers import header_candidates, instrument_texts

__all__ = ["Suggestion", "suggest", "map_text", "unmatched_questions", "MIN_SIMILARITY"]

# below this similarity a suggestion is written commented out in the map file
MIN_SIMILARITY = 0.5


@dataclass(frozen=True)
class Suggestion:
    header: str
    column: str | None
    text: str
    similarity: float


def _best(header, texts):
    best = (0.0, None, "")
    for cand in header_candidates(header):
        if not cand:
            continue
        for cid, raw, norm in texts:
            sm = SequenceMatcher(None, cand, norm, autojunk=False)
            if sm.real_quick_ratio() <= best[0] or sm.quick_ratio() <= best[0]:
                continue
            r = sm.ratio()
            if r > best[0]:
                best = (r, cid, raw)
    return best


def suggest(headers, instrument, present=()) -> list[Suggestion]:
    """The closest instrument column for each header (columns in ``present`` are skipped
    unless every column is present)."""
    texts = instrument_texts(instrument)
    present = set(present)
    free = [t for t in texts if t[0] not in present] or texts
    out = []
    for h in headers:
        r, cid, raw = _best(h, free)
        out.append(Suggestion(str(h), cid, raw, float(r)))
    return out


def unmatched_questions(ld) -> list[str]:
    """Headers of ``ld`` (a :class:`~.load.Loaded`) the instrument does not know and that
    are not survey-platform metadata: the ones worth a suggestion."""
    return [h for h in ld.unmatched if h not in ld.platform]


def map_text(ld, suggestions) -> str:
    """A ``--map`` YAML file: the headers matched by text or alias, then the suggestions
    (commented out when their similarity is below :data:`MIN_SIMILARITY`)."""
    def q(s):
        return json.dumps(str(s), ensure_ascii=False)

    lines = ["# --map file written by avoid-survey --write-map: 'file header: column id'.",
             "# Check each line; lines starting with # are ignored. Use it with --map FILE.", ""]
    matched = [(m["header"], c, m["how"]) for c, m in ld.match.items() if m["how"] in ("text", "alias", "mapping")]
    if matched:
        lines.append("# matched by the reader")
        lines += [f"{q(h)}: {q(c)}   # by {how}" for h, c, how in matched]
        lines.append("")
    if suggestions:
        lines.append("# not matched: the closest column of the instrument (similarity 0..1)")
        for s in suggestions:
            if s.column is None:
                lines.append(f"# {q(s.header)}: ?")
                continue
            entry = f"{q(s.header)}: {q(s.column)}   # {s.similarity:.2f} {s.text[:60]}"
            lines.append(entry if s.similarity >= MIN_SIMILARITY else "# " + entry)
    return "\n".join(lines) + "\n"
