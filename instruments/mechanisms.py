"""The catalogue of the domain's mechanisms (M01-M77) that item ``measures:`` tags name.

The catalogue is data: ``instruments/data/domain/mechanisms.yaml`` (id, group, seed, kind,
the review's status for the version 1.0 instruments, a short name in zh and en). It is kept
out of ``instruments/data/*.yaml`` so it is never taken for an instrument.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.i18n import text_in

__all__ = ["Mechanism", "MECHANISMS_PATH", "load_mechanisms", "mechanism_ids", "mechanism_groups"]

MECHANISMS_PATH = Path(__file__).parent / "data" / "domain" / "mechanisms.yaml"
KINDS = ("construct", "relation")
STATUSES = ("well", "weak", "missing")


@dataclass(frozen=True)
class Mechanism:
    id: str
    group: str
    seed: str
    kind: str          # construct | relation
    status_v1: str     # well | weak | missing: the review of the version 1.0 instruments
    name: dict         # {zh, en}

    def label(self, lang: str = "en") -> str:
        return text_in(self.name, lang) or self.id


@lru_cache(maxsize=2)
def _load(path: str) -> tuple[tuple, dict]:
    from avoid_survey.analysis.core.yamlsafe import load_yaml

    doc = load_yaml(Path(path))
    data = doc.data if isinstance(doc.data, dict) else {}
    groups = data.get("groups") or {}
    out, seen = [], set()
    for k, m in enumerate(data.get("mechanisms") or []):
        line = doc.line_of(("mechanisms", k))
        try:
            mech = Mechanism(str(m["id"]), str(m["group"]), str(m["seed"]), str(m["kind"]), str(m["status_v1"]),
                             dict(m["name"]))
        except (KeyError, TypeError) as exc:
            raise AvoidSurveyError(f"mechanism entry lacks {exc}", file=path, line=line) from None
        if mech.id in seen or mech.kind not in KINDS or mech.status_v1 not in STATUSES or mech.group not in groups:
            raise AvoidSurveyError(f"bad mechanism entry '{mech.id}' (duplicate id, or unknown kind, status or group)",
                                   file=path, line=line)
        seen.add(mech.id)
        out.append(mech)
    return tuple(out), {str(k): dict(v) for k, v in groups.items()}


def load_mechanisms(path=None) -> list[Mechanism]:
    """The mechanisms, in catalogue order."""
    return list(_load(str(path or MECHANISMS_PATH))[0])


def mechanism_groups(path=None) -> dict[str, dict]:
    """Group letter -> {zh, en} name."""
    return dict(_load(str(path or MECHANISMS_PATH))[1])


def mechanism_ids(path=None) -> frozenset:
    return frozenset(m.id for m in load_mechanisms(path))
