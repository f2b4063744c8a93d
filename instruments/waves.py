"""Repeated measurement (panel waves) declared once in an instrument file.

An instrument with::

    waves:
      ids: [w1, w2]                         # two or more wave ids
      scales: [ft_trust, passive_avoidance] # the repeated scales (default: every scale)

holds one copy of each listed scale per wave: the scale, its facets and its items get the wave
id as a suffix (``ft_trust`` -> ``ft_trust_w1``, ``ft_trust_w2``; item ``ft_cla1`` ->
``ft_cla1_w1``, ``ft_cla1_w2``), with the same wording, response format and reverse keys,
and labels that name the wave. Scales not listed are asked once. So a two-wave data file
has columns ``ft_cla1_w1 ... ft_cla1_w2 ...``, every command reads it with the one
instrument, and the wave scales are variables of specs and SEMs (``ft_trust_w1``).
"""
from __future__ import annotations

from dataclasses import replace

from avoid_survey.analysis.core.i18n import LANGS, tr

from .model import Scale

__all__ = ["expand_waves", "wave_label"]


def wave_label(label: dict, k: int) -> dict:
    """``label`` with '(wave k)' in each of its languages."""
    out = {}
    for lang, text in label.items():
        out[lang] = text + tr("semspec_wave", lang if lang in LANGS else "en").format(k=k)
    return out


def _copy(scale: Scale, wid: str, k: int, parent: str | None) -> Scale:
    sid = f"{scale.id}_{wid}"
    top = parent or sid
    facets = tuple(_copy(f, wid, k, top) for f in scale.facets)
    if facets:
        items = tuple(i for f in facets for i in f.items)
    else:
        items = tuple(replace(i, id=f"{i.id}_{wid}", scale=top, facet=sid if parent else None,
                              aliases=tuple(f"{a}_{wid}" for a in i.aliases)) for i in scale.items)
    return replace(scale, id=sid, label=wave_label(dict(scale.label), k), items=items, facets=facets, parent=parent)


def expand_waves(ctx, scales: list, waves) -> list:
    """The scales with every repeated scale replaced by its wave copies (findings into ``ctx``)."""
    path = ("waves",)
    ids = list(waves.ids)
    if len(ids) < 2 or len(set(ids)) != len(ids):
        ctx.add("bad-waves", path + ("ids",), detail="waves: 'ids' needs two or more different wave ids, e.g. [w1, w2]")
        return scales
    for w in ids:
        if not w.replace("_", "").isalnum() or not w[0].isalpha():
            ctx.add("bad-waves", path + ("ids",), detail=f"wave id '{w}' must start with a letter and hold only "
                                                       f"letters, digits or '_'")
            return scales
    by_id = {s.id: s for s in scales}
    chosen = list(waves.scales) if waves.scales is not None else [s.id for s in scales]
    for sid in chosen:
        if sid not in by_id:
            ctx.add("bad-waves", path + ("scales",), detail=f"waves: '{sid}' is not a scale of the instrument "
                                                          f"(scales: {', '.join(by_id)})")
            return scales
    out = []
    for s in scales:
        if s.id not in chosen:
            out.append(s)
            continue
        out.extend(_copy(s, w, k, None) for k, w in enumerate(ids, start=1))
    taken = {}
    for s in out:   # the suffixed ids must not clash with anything else in the instrument
        for x in [s.id, *(f.id for f in s.facets), *(i.id for i in s.items)]:
            if x in taken:
                ctx.add("bad-waves", path, detail=f"waves: id '{x}' would be used twice")
                return scales
            taken[x] = True
    return out
