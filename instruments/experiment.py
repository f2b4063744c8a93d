"""Survey experiments declared in an instrument: the ``experiment:`` block.

A vignette experiment has ``factors`` whose levels (id + zh/en text) fill the placeholders
``{factor_id}`` of a ``template``; a conjoint has ``attributes`` shown as profiles, ``profiles``
per task and ``tasks`` per respondent. Both take the full factorial or a declared
``fraction`` (a list of runs, factor -> level), minus ``restrictions`` (``when`` a factor
takes these levels, ``exclude`` those levels of another). :func:`check_experiment` turns a
parsed :class:`ExperimentSpec` into an :class:`Experiment`,
reporting every mistake (unknown placeholder, duplicate level id, restriction naming an
unknown level...) as a finding on its YAML line.

Example::

    experiment:
      type: vignette
      factors:
        - id: ft_list
          label: {en: Tolerance list, zh: 容错清单}
          levels:
            - {id: none, text: {en: "has no published list", zh: "尚未公布容错清单"}}
            - {id: published, text: {en: "has published a list", zh: "已公布容错清单"}}
      template: {en: "Your county {ft_list}.", zh: "你所在的县{ft_list}。"}
      per_respondent: 2
"""
from __future__ import annotations

from typing import Literal, Optional, Union

from .experiment_model import MAX_CELLS, Experiment, Factor, Level, Restriction, placeholders
from .schema import LabelText, _Strict

__all__ = ["Level", "Factor", "Restriction", "Experiment", "ExperimentSpec", "check_experiment", "placeholders"]


# ---------------------------------------------------------------- schema (pydantic)
class LevelSpec(_Strict):
    id: str
    text: LabelText
    label: Optional[LabelText] = None


class FactorSpec(_Strict):
    id: str
    label: LabelText
    levels: list[LevelSpec]
    baseline: Optional[str] = None


class RestrictionSpec(_Strict):
    when: dict[str, Union[str, list[str]]]
    exclude: dict[str, Union[str, list[str]]]


class ExperimentSpec(_Strict):
    id: str = "experiment"
    type: Literal["vignette", "conjoint"]
    label: Optional[LabelText] = None
    factors: list[FactorSpec] = []
    attributes: list[FactorSpec] = []
    template: Optional[LabelText] = None
    fraction: list[dict[str, str]] = []
    blocks: Union[int, list[list[int]], None] = None
    restrictions: list[RestrictionSpec] = []
    per_respondent: int = 1
    tasks: Optional[int] = None
    profiles: int = 2
    randomize_order: bool = False
    outcomes: list[str] = []
    respondent: str = "respondent"


# ---------------------------------------------------------------- checks
class _Located:
    """A pydantic error list with the ``experiment`` key put in front of every location."""

    def __init__(self, exc):
        self._errors = [dict(e, loc=("experiment", *e["loc"])) for e in exc.errors()]

    def errors(self):
        return self._errors


def check_experiment(ctx, raw, id_re) -> Experiment | None:
    """Findings for the ``experiment:`` block (added to ``ctx``) and the Experiment, or None."""
    from pydantic import ValidationError

    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        from .loader import _schema_findings

        ctx.findings.extend(f for _, f in _schema_findings(ctx.doc, _Located(exc)))
        return None
    base = ("experiment",)
    before = len(ctx.findings)
    key = "attributes" if spec.type == "conjoint" else "factors"
    other = "factors" if key == "attributes" else "attributes"
    raw = getattr(spec, key) or getattr(spec, other)
    if getattr(spec, key) and getattr(spec, other):
        _bad(ctx, base + (other,), f"a {spec.type} declares '{key}' only, not '{other}' as well")
    if not raw:
        _bad(ctx, base, f"the {spec.type} experiment declares no {key}")
        return None
    used_key = key if getattr(spec, key) else other
    factors = _factors(ctx, raw, base + (used_key,), id_re)
    ctx.text(spec.label, base + ("label",), "label of the experiment")
    by_id = {f.id: f for f in factors}
    _template(ctx, spec, by_id, base)
    restrictions = _restrictions(ctx, spec.restrictions, by_id, base)
    _counts(ctx, spec, base)
    for k, o in enumerate(spec.outcomes):
        if not id_re.match(o):
            ctx.add("bad-id", base + ("outcomes", k), column=o, id=o)
    if len(ctx.findings) > before and any(f.severity == "error" for f in ctx.findings[before:]):
        return None
    exp = Experiment(spec.id, spec.type, tuple(factors), spec.label, spec.template, (), tuple(restrictions),
                     (spec.tasks or spec.per_respondent) if spec.type == "conjoint" else spec.per_respondent,
                     spec.profiles if spec.type == "conjoint" else 1, spec.randomize_order, tuple(spec.outcomes),
                     spec.respondent, ctx.file)
    fraction = _fraction(ctx, spec.fraction, exp, base)
    if fraction is None:
        return None
    exp = Experiment(**{**exp.__dict__, "fraction": fraction})
    if exp.restrictions and not exp.fraction and exp.n_full <= MAX_CELLS and not exp.cells():
        _bad(ctx, base + ("restrictions",), "the restrictions exclude every combination of levels")
        return None
    if spec.blocks is not None:
        blocks = _blocks(ctx, spec.blocks, exp, base + ("blocks",))
        if blocks is None:
            return None
        exp = Experiment(**{**exp.__dict__, "blocks": blocks})
    return exp


def _blocks(ctx, raw, exp: Experiment, path) -> tuple | None:
    """Blocks of the design's cells (runs numbered 1.. in the order of ``cells()``).

    ``blocks: N`` splits the cells by the sum of their level positions modulo N (for two-level
    factors and N = 2 this confounds the highest-order interaction with the blocks, the usual
    choice); ``blocks: [[1, 4, 6, 7], [2, 3, 5, 8]]`` lists the runs of each block. Every run
    belongs to exactly one block; each respondent sees one block, so a block must hold at
    least ``per_respondent`` runs (vignette designs).
    """
    if exp.n_full > MAX_CELLS and not exp.fraction:
        _bad(ctx, path, f"a blocked design needs its cells listed (the full factorial has {exp.n_full} cells)")
        return None
    cells = exp.cells()
    c = len(cells)
    if isinstance(raw, int):
        if raw < 1 or raw > c:
            _bad(ctx, path, f"blocks: {raw} must be between 1 and the number of runs ({c})")
            return None
        pos = {f.id: {lid: k for k, lid in enumerate(f.level_ids)} for f in exp.factors}
        groups = [[] for _ in range(raw)]
        for k, cell in enumerate(cells):
            groups[sum(pos[f][lv] for f, lv in cell.items()) % raw].append(k)
        blocks = [g for g in groups if g]
        if len(blocks) < raw:
            _bad(ctx, path, f"blocks: {raw} leaves {raw - len(blocks)} block(s) empty; list the runs of each block")
            return None
    else:
        blocks, seen, ok = [], {}, True
        for b, runs in enumerate(raw):
            block = []
            for r in runs:
                if not 1 <= r <= c:
                    _bad(ctx, path + (b,), f"block {b + 1} names run {r}, but the design has runs 1..{c}")
                    ok = False
                elif r in seen:
                    _bad(ctx, path + (b,), f"run {r} is in block {seen[r]} and block {b + 1}")
                    ok = False
                else:
                    seen[r] = b + 1
                    block.append(r - 1)
            if not runs:
                _bad(ctx, path + (b,), f"block {b + 1} is empty")
                ok = False
            blocks.append(block)
        missing = [r for r in range(1, c + 1) if r not in seen]
        if ok and missing:
            _bad(ctx, path, f"run(s) {', '.join(map(str, missing[:10]))} belong to no block")
            ok = False
        if not ok:
            return None
    if exp.type == "vignette":
        small = [k + 1 for k, b in enumerate(blocks) if len(b) < exp.per_respondent]
        if small:
            _bad(ctx, path, f"block(s) {', '.join(map(str, small))} hold fewer runs than per_respondent "
                            f"({exp.per_respondent}): a respondent sees the vignettes of one block")
            return None
    sizes = {len(b) for b in blocks}
    if len(sizes) > 1:
        ctx.add("experiment-unequal-blocks", path, detail=f"blocks of unequal size ({', '.join(str(len(b)) for b in blocks)} runs)")
    return tuple(tuple(b) for b in blocks)


def _bad(ctx, path, detail, column=None):
    ctx.add("bad-experiment", path, column=column, detail=detail)


def _factors(ctx, raw, path, id_re) -> list[Factor]:
    out, seen = [], {}
    for i, f in enumerate(raw):
        fp = path + (i,)
        if not id_re.match(f.id):
            ctx.add("bad-id", fp + ("id",), column=f.id, id=f.id)
        if f.id in seen:
            _bad(ctx, fp + ("id",), f"factor '{f.id}' is declared twice (first at line {seen[f.id]})", f.id)
        seen.setdefault(f.id, ctx.doc.line_of(fp + ("id",)))
        ctx.text(f.label, fp + ("label",), f"label of factor '{f.id}'")
        levels, lseen = [], {}
        for j, lv in enumerate(f.levels):
            lp = fp + ("levels", j)
            if lv.id in lseen:
                _bad(ctx, lp + ("id",), f"level id '{lv.id}' of factor '{f.id}' is used more than once "
                                        f"(first at line {lseen[lv.id]})", f.id)
                continue
            lseen[lv.id] = ctx.doc.line_of(lp + ("id",))
            ctx.text(lv.text, lp + ("text",), f"level '{lv.id}' of factor '{f.id}'")
            ctx.text(lv.label, lp + ("label",), f"label of level '{lv.id}' of factor '{f.id}'")
            levels.append(Level(lv.id, lv.text, lv.label))
        if len(f.levels) < 2:
            _bad(ctx, fp + ("levels",), f"factor '{f.id}' needs at least two levels", f.id)
        baseline = f.baseline if f.baseline is not None else (levels[0].id if levels else "")
        if f.baseline is not None and f.baseline not in lseen:
            _bad(ctx, fp + ("baseline",), f"baseline '{f.baseline}' is not a level of factor '{f.id}' "
                                          f"(levels: {', '.join(lseen)})", f.id)
        out.append(Factor(f.id, f.label, tuple(levels), baseline))
    return out


def _template(ctx, spec, by_id, base) -> None:
    tp = base + ("template",)
    if spec.template is None:
        if spec.type == "vignette":
            _bad(ctx, base, "a vignette experiment needs a 'template' with a {placeholder} per factor")
        return
    ctx.text(spec.template, tp, "vignette template")
    for lang, text in spec.template.items():
        names = placeholders(text)
        for name in names:
            if name not in by_id:
                known = ", ".join(by_id)
                _bad(ctx, tp + (lang,), f"template ({lang}) has the placeholder '{{{name}}}' but no factor of "
                                        f"that id (factors: {known})", lang)
        if spec.type == "vignette":
            for fid in by_id:
                if fid not in names:
                    _bad(ctx, tp + (lang,), f"template ({lang}) never shows factor '{fid}' (add {{{fid}}})", lang)


def _levels_of(ctx, mapping, by_id, path, what) -> dict | None:
    out, ok = {}, True
    for fid, levels in mapping.items():
        lv = [levels] if isinstance(levels, str) else list(levels)
        if fid not in by_id:
            _bad(ctx, path + (fid,), f"{what} names factor '{fid}', which is not declared "
                                     f"(factors: {', '.join(by_id)})", fid)
            ok = False
            continue
        for x in lv:
            if x not in by_id[fid].level_ids:
                _bad(ctx, path + (fid,), f"{what} names level '{x}' of factor '{fid}', which has no such level "
                                         f"(levels: {', '.join(by_id[fid].level_ids)})", fid)
                ok = False
        out[fid] = tuple(lv)
    return out if ok else None


def _restrictions(ctx, raw, by_id, base) -> list[Restriction]:
    out = []
    for k, r in enumerate(raw):
        rp = base + ("restrictions", k)
        when = _levels_of(ctx, r.when, by_id, rp + ("when",), "restriction")
        excl = _levels_of(ctx, r.exclude, by_id, rp + ("exclude",), "restriction")
        if when is not None and excl is not None:
            out.append(Restriction(when, excl))
    return out


def _counts(ctx, spec, base) -> None:
    if spec.per_respondent < 1:
        _bad(ctx, base + ("per_respondent",), "per_respondent must be at least 1")
    if spec.tasks is not None and spec.tasks < 1:
        _bad(ctx, base + ("tasks",), "tasks must be at least 1")
    if spec.type == "conjoint" and spec.profiles < 1:
        _bad(ctx, base + ("profiles",), "profiles must be at least 1")


def _fraction(ctx, runs, exp: Experiment, base) -> tuple | None:
    by_id = {f.id: f for f in exp.factors}
    out, seen, ok = [], {}, True
    for k, run in enumerate(runs):
        rp = base + ("fraction", k)
        levels = _levels_of(ctx, run, by_id, rp, "fraction run")
        if levels is None:
            ok = False
            continue
        missing = [f for f in by_id if f not in run]
        if missing:
            _bad(ctx, rp, f"fraction run {k + 1} sets no level for {', '.join(missing)}")
            ok = False
            continue
        combo = {f: run[f] for f in by_id}
        key = tuple(combo.values())
        if key in seen:
            _bad(ctx, rp, f"fraction run {k + 1} repeats run {seen[key]}")
            ok = False
        seen.setdefault(key, k + 1)
        if not exp.allowed(combo):
            _bad(ctx, rp, f"fraction run {k + 1} is a combination the restrictions exclude")
            ok = False
        out.append(combo)
    return tuple(out) if ok else None
