"""The cut-offs of the respondent and item checks (all configurable)."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from ..core.errors import AvoidSurveyError

__all__ = ["Thresholds"]

# the values each threshold can meaningfully take (shares in [0, 1], probabilities in
# (0, 1), even-odd consistency (Spearman-Brown corrected, so below -1 too) up to 1, counts from 1)
_RANGES = {
    "respondent_missing": (0.0, 1.0), "item_missing": (0.0, 1.0), "longstring": (2, 10_000),
    "irv": (0.0, 100.0), "mahalanobis_alpha": (1e-300, 0.5), "even_odd": (-1e6, 1.0),
    "even_odd_min_scales": (2, 10_000), "seconds_per_item": (0.0, 3600.0), "min_duration": (0.0, 1e7),
    "min_items": (2, 10_000), "max_listed": (1, 10_000_000),
}


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the respondent and item checks (all configurable).

    respondent_missing : flag a respondent with more than this share of items unanswered
    item_missing : flag an item unanswered by more than this share of respondents
    longstring : flag a run of at least this many identical answers; None = two thirds of
        the items, at least 8
    irv : flag an intra-individual response SD below this
    mahalanobis_alpha : flag D² above the chi-square (1 - alpha) quantile on k df
    even_odd : flag an even-odd consistency below this
    even_odd_min_scales : even-odd consistency needs at least this many scales/facets with
        2+ items (a correlation over fewer points is mostly noise)
    seconds_per_item : speeder when the duration is below this times the number of items
    min_duration : speeder threshold in seconds (overrides seconds_per_item)
    min_items : careless indices need at least this many answered items
    max_listed : findings listed per (code, column); the summary counts all
    """

    respondent_missing: float = 0.2
    item_missing: float = 0.1
    longstring: int | None = None
    irv: float = 0.3
    mahalanobis_alpha: float = 0.001
    even_odd: float = 0.0
    even_odd_min_scales: int = 6
    seconds_per_item: float = 2.0
    min_duration: float | None = None
    min_items: int = 6
    max_listed: int = 1000

    @classmethod
    def from_mapping(cls, d: dict | None) -> "Thresholds":
        """Thresholds from a mapping such as a YAML file's; unknown keys are errors."""
        if not d:
            return cls()
        names = {f.name for f in fields(cls)}
        bad = [k for k in d if k not in names]
        if bad:
            raise AvoidSurveyError(f"unknown threshold '{bad[0]}' (known: {', '.join(sorted(names))})")
        out = {}
        for k, v in d.items():
            if v is None:
                out[k] = None
                continue
            integer = k in ("longstring", "min_items", "max_listed", "even_odd_min_scales")
            try:
                x = float(v)
                if isinstance(v, bool) or not math.isfinite(x) or (integer and not x.is_integer()):
                    raise ValueError
                out[k] = int(x) if integer else x
            except (TypeError, ValueError, OverflowError):
                raise AvoidSurveyError(f"threshold '{k}' must be a finite {'whole ' if integer else ''}number, "
                                       f"got {v!r}", column=k) from None
            lo, hi = _RANGES[k]
            if not lo <= out[k] <= hi:
                raise AvoidSurveyError(f"threshold '{k}' must be between {lo:g} and {hi:g}, got {v!r}", column=k)
        return cls(**out)

    def merged(self, **over) -> "Thresholds":
        vals = asdict(self)
        vals.update({k: v for k, v in over.items() if v is not None})
        return Thresholds(**vals)

