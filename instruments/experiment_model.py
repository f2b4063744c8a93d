"""The loaded survey-experiment design: plain frozen dataclasses (no pydantic).

Kept apart from :mod:`.experiment` (schema and checks) so that a validated instrument can be
rebuilt from the instrument cache (:mod:`.cache`) without importing pydantic.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from avoid_survey.analysis.core.i18n import text_in as _pick

__all__ = ["Level", "Factor", "Restriction", "Experiment", "placeholders", "MAX_CELLS"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_CELLS = 1_000_000


def placeholders(text: str) -> list[str]:
    """Names inside ``{...}`` of a template text, in order."""
    return [m.strip() for m in _PLACEHOLDER.findall(text or "")]


# ---------------------------------------------------------------- the loaded design
@dataclass(frozen=True)
class Level:
    """A level: ``text`` is what the respondent reads (inserted into the vignette, or shown
    in the conjoint profile); ``label`` a short name for tables (default: the conjoint text,
    or the id for a vignette, whose text is a sentence fragment)."""

    id: str
    text: dict
    label: dict | None = None

    def wording(self, lang: str = "en") -> str:
        return _pick(self.text, lang)


@dataclass(frozen=True)
class Factor:
    """A vignette factor or a conjoint attribute; ``baseline`` is the reference level."""

    id: str
    label: dict
    levels: tuple
    baseline: str

    @property
    def level_ids(self) -> list[str]:
        return [lv.id for lv in self.levels]

    def level(self, lid: str) -> Level:
        for lv in self.levels:
            if lv.id == lid:
                return lv
        raise KeyError(lid)

    def name(self, lang: str = "en") -> str:
        return _pick(self.label, lang) or self.id


@dataclass(frozen=True)
class Restriction:
    """``when`` every named factor takes one of its levels, the ``exclude`` levels may not appear."""

    when: dict
    exclude: dict

    def forbids(self, combo: dict) -> bool:
        if not all(combo.get(f) in lv for f, lv in self.when.items()):
            return False
        return any(combo.get(f) in lv for f, lv in self.exclude.items())


@dataclass(frozen=True)
class Experiment:
    """The ``experiment:`` block of an instrument: vignette or conjoint design."""

    id: str
    type: str                    # vignette | conjoint
    factors: tuple               # Factor objects (attributes of a conjoint)
    label: dict | None = None
    template: dict | None = None
    fraction: tuple = ()         # declared runs ({factor: level}); empty = full factorial
    restrictions: tuple = ()
    per_respondent: int = 1      # vignettes per respondent, or tasks of a conjoint
    profiles: int = 1            # profiles per task (conjoint), 1 for a vignette
    randomize_order: bool = False
    outcomes: tuple = ()
    respondent: str = "respondent"
    source: str | None = field(default=None, compare=False)
    blocks: tuple = ()           # blocked design: tuples of cell positions (0-based in cells()); () = none

    def block_cells(self) -> list[list[int]]:
        """The cell positions of each block (one block holding every cell when unblocked)."""
        return [list(b) for b in self.blocks] if self.blocks else [list(range(len(self.cells())))]

    def factor(self, fid: str) -> Factor:
        for f in self.factors:
            if f.id == fid:
                return f
        raise KeyError(fid)

    @property
    def factor_ids(self) -> list[str]:
        return [f.id for f in self.factors]

    def allowed(self, combo: dict) -> bool:
        return not any(r.forbids(combo) for r in self.restrictions)

    def cells(self) -> list[dict]:
        """The design's runs: the declared fraction, else the full factorial minus restrictions."""
        if self.fraction:
            return [dict(run) for run in self.fraction]
        ids = self.factor_ids
        return [c for c in (dict(zip(ids, levels)) for levels in itertools.product(*(f.level_ids for f in self.factors)))
                if self.allowed(c)]

    @property
    def n_full(self) -> int:
        n = 1
        for f in self.factors:
            n *= len(f.levels)
        return n

    def vignette(self, combo: dict, lang: str = "en") -> str:
        """The template in ``lang`` with each placeholder replaced by its level's text."""
        text = _pick(self.template, lang)

        def sub(m):
            fid = m.group(1).strip()
            return self.factor(fid).level(combo[fid]).wording(lang)

        return _PLACEHOLDER.sub(sub, text)

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "n_factors": len(self.factors),
                "factors": [{"factor": f.id, "baseline": f.baseline, "levels": f.level_ids} for f in self.factors],
                "n_cells_full": self.n_full,
                "n_cells": len(self.cells()) if self.fraction or self.restrictions else self.n_full,
                "fraction": bool(self.fraction),
                "n_restrictions": len(self.restrictions), "per_respondent": self.per_respondent,
                "profiles": self.profiles, "randomize_order": self.randomize_order,
                "outcomes": list(self.outcomes), "respondent": self.respondent,
                "n_blocks": len(self.blocks) or 1,
                "blocks": [[k + 1 for k in b] for b in self.blocks] if self.blocks else None}
