"""`instruments coverage`: mechanism -> items -> templates, the questionnaire traced to its theory.

Each item (or survey variable) names the mechanisms it operationalises in ``measures:``;
a template or model spec "tests" an item when it uses the item, its facet or its scale
(found by scanning the YAML of ``analysis/templates/*.yaml`` and ``sample_data/specs/*.yaml``
for those ids). Nothing in a template is evaluated: its strings are only split into words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.i18n import tr
from avoid_survey.analysis.core.table import Cell, Column, Table

from .mechanisms import load_mechanisms, mechanism_groups

__all__ = ["Coverage", "coverage", "template_sources"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROOT = Path(__file__).resolve().parents[1]


def template_sources() -> list[tuple[str, str, Path]]:
    """(name, kind, path) of every bundled template and sample spec; kind = template | spec."""
    from avoid_survey.analysis.stats.models.templates import TEMPLATE_DIR

    out = [(p.stem, "template", p) for p in sorted(Path(TEMPLATE_DIR).glob("*.yaml"))]
    specs = _ROOT / "sample_data" / "specs"
    if specs.is_dir():  # a source checkout; an installed wheel has no sample data
        out += [(p.stem, "spec", p) for p in sorted(specs.glob("*.yaml"))]
    return out


def _words(obj, acc: set) -> set:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _words(k, acc)
            _words(v, acc)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _words(v, acc)
    elif isinstance(obj, str):
        acc.update(_WORD.findall(obj))
    return acc


def _template_words(sources) -> list[tuple[str, str, set]]:
    from avoid_survey.analysis.core.yamlsafe import load_yaml

    out = []
    for name, kind, path in sources:
        try:
            data = load_yaml(Path(path)).data
        except AvoidSurveyError:
            continue  # a broken template is reported by `model`; coverage just skips it
        out.append((name, kind, _words(data, set())))
    return out


def _share(items, mid: str) -> float:
    return sum(mid in it.measures for it in items) / len(items) if items else 0.0


@dataclass
class Coverage:
    """Mechanism -> items -> templates (``instruments coverage``)."""

    instruments: list
    rows: list = field(default_factory=list)   # one dict per mechanism
    groups: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def without_items(self) -> list[str]:
        return [r["id"] for r in self.rows if not r["items"] and not r["variables"]]

    def to_dict(self) -> dict:
        return {"instruments": list(self.instruments), "n_mechanisms": len(self.rows),
                "n_with_items": sum(1 for r in self.rows if r["items"] or r["variables"]),
                "n_with_templates": sum(1 for r in self.rows if r["templates"]),
                "without_items": self.without_items, "mechanisms": [dict(r) for r in self.rows]}

    def to_tables(self, lang: str = "en") -> list[Table]:
        t = Table("@cov_title",
                  [Column("group", "@cov_group", kind="text"),
                   Column("id", "@cov_mechanism", kind="text", terminal={"no_wrap": True}),
                   Column("name", "@cov_name", kind="text", terminal={"ratio": 3}),
                   Column("items", "@cov_items", kind="text", terminal={"ratio": 3}),
                   Column("templates", "@cov_templates", kind="text", terminal={"ratio": 2}),
                   Column("status_v1", "@cov_status_v1", kind="text"), Column("status", "@cov_status", kind="text")],
                  name="coverage")
        for r in self.rows:
            cols = [i["id"] for i in r["items"]] + [v["id"] for v in r["variables"]]
            t.add(r["group"], r["id"], r["label"].get(lang) or r["label"].get("en", ""), ", ".join(cols) or "—",
                  ", ".join(r["templates"]) or "—", tr(f"cov_{r['status_v1']}", lang),
                  Cell(tr(f"cov_{r['status']}", lang), "text"))
        used = dict.fromkeys(r["group"] for r in self.rows)
        t.notes.append("; ".join(f"{g} = {(self.groups.get(g) or {}).get(lang) or (self.groups.get(g) or {}).get('en', '')}"
                                 for g in used))
        d = self.to_dict()
        t.notes.append(tr("cov_note_counts", lang).format(n=d["n_mechanisms"], items=d["n_with_items"],
                                                        templates=d["n_with_templates"],
                                                        instruments=", ".join(self.instruments)))
        if self.without_items:
            t.notes.append(tr("cov_note_missing", lang).format(ids=", ".join(self.without_items)))
        t.notes.append("@cov_note_how")
        return [t]


def coverage(ids=None, instruments=None, sources=None) -> Coverage:
    """The coverage of the mechanisms ``ids`` (default: all) by the items of ``instruments``
    (bundled ids or paths; default: every bundled instrument) and by the templates.

    An unknown mechanism id raises AvoidSurveyError naming the known range.
    """
    from .loader import bundled_ids, load_instrument

    mechs = load_mechanisms()
    known = {m.id for m in mechs}
    if ids:
        want = []
        for i in ids:
            mid = str(i).strip().upper()
            if re.fullmatch(r"M\d", mid):
                mid = "M0" + mid[1:]
            if mid not in known:
                raise AvoidSurveyError(f"unknown mechanism '{i}'; the catalogue has {min(known)}..{max(known)}")
            want.append(mid)
        mechs = [m for m in mechs if m.id in set(want)]
    refs = list(instruments) if instruments else bundled_ids()
    loaded = [load_instrument(r) for r in refs]
    tpl = _template_words(template_sources() if sources is None else sources)

    # every tagged item and variable, once (an include brings the same item again)
    items, variables, seen = [], [], set()
    for inst in loaded:
        for it in inst.items:
            for s in inst.scales:
                if it in s.items:
                    module = s.module
                    break
            else:  # pragma: no cover - every item sits in a scale
                module = inst.id
            key = ("item", module, it.id)
            if it.measures and key not in seen:
                seen.add(key)
                items.append((it, module))
        for v in inst.variables:
            key = ("var", v.module, v.id)
            if v.measures and key not in seen:
                seen.add(key)
                variables.append(v)

    units: dict = {}   # (instrument module, facet or scale id) -> its items
    for inst in loaded:
        for s in inst.all_scales():
            units[(s.module, s.id)] = list(s.items)

    rows = []
    for m in mechs:
        its = [(it, mod) for it, mod in items if m.id in it.measures]
        vs = [v for v in variables if m.id in v.measures]
        names = set()
        for it, mod in its:
            names.add(it.id)
            # a facet or scale stands for the mechanism when at least a third of its items measure it
            # (a scale total does not test a mechanism that one of its 16 items touches)
            names.update(x for x in (it.facet, it.scale) if x and _share(units.get((mod, x), ()), m.id) >= 1 / 3)
        names.update(v.id for v in vs)
        templates = [name for name, _kind, words in tpl if names & words]
        status = "tested" if (its or vs) and templates else "measured" if (its or vs) else "uncovered"
        rows.append({"id": m.id, "group": m.group, "kind": m.kind, "seed": m.seed, "label": dict(m.name),
                     "status_v1": m.status_v1, "status": status,
                     "items": [{"id": it.id, "instrument": mod, "scale": it.scale, "facet": it.facet}
                               for it, mod in its],
                     "variables": [{"id": v.id, "instrument": v.module} for v in vs],
                     "templates": templates})
    return Coverage([i.id for i in loaded], rows, mechanism_groups())
