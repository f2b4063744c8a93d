"""AMOS-style path diagram of a structural equation model (conventions of :mod:`.figures`).

Latent variables are ellipses, observed variables boxes; single-headed arrows carry the
standardized estimate (std.all) with significance stars of the estimate's z test, curved
double-headed arcs the covariances (correlations), a small residual circle and the R² sit on
every endogenous variable. Labels are the variables' labels (instrument data, in the chosen
language) wrapped and measured so that each fits inside its shape.

Layout (:func:`sem_layout`, pure geometry in inches, so tests can check that no two shapes
overlap): the structural variables are put in columns by the length of the longest regression
path that reaches them (exogenous left, outcomes right). A latent's indicators are stacked
beside it on the outer side (left of the first column, right of the last) or in a row below it
(middle columns, or a measurement model without regressions); an indicator that is itself a
latent (a facet of a second-order scale) brings its own indicators further out.
"""
from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass, field

from ..core.i18n import text_in, tr

__all__ = ["sem_layout", "sem_diagram", "Node", "Layout", "labels_from_instrument"]

FONT_PT = 8.0          # label size
EST_PT = 6.5           # estimate size
BOX_H = 0.30           # inches
GAP = 0.12             # between stacked shapes
COL_GAP = 1.5          # between structural columns (room for the arrows and their labels)
ROW_GAP = 0.6          # between structural variables of a column (room for residuals and R²)
IND_GAP = 0.75         # between a latent and its indicators (room for the loadings)


@dataclass
class Node:
    name: str
    kind: str               # latent | observed
    lines: list             # the label, wrapped
    w: float
    h: float
    x: float = 0.0          # centre
    y: float = 0.0
    side: str = "left"      # where its indicators go: left | right | below

    def box(self) -> tuple:
        return (self.x - self.w / 2, self.y - self.h / 2, self.x + self.w / 2, self.y + self.h / 2)


@dataclass
class Layout:
    nodes: dict = field(default_factory=dict)       # name -> Node
    loadings: list = field(default_factory=list)    # parameter rows, op '=~'
    paths: list = field(default_factory=list)       # op '~'
    covs: list = field(default_factory=list)        # op '~~', lhs != rhs
    r2: dict = field(default_factory=dict)
    endogenous: list = field(default_factory=list)
    group: object = None                            # the group drawn (multi-group models)

    def extent(self) -> tuple:
        bs = [n.box() for n in self.nodes.values()]
        return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


def check_figure_path(path, force=False):
    """Raise before any work when ``path`` is not a .png/.svg/.pdf file that may be written."""
    from pathlib import Path

    from ..core.errors import AvoidSurveyError
    from ..io.output import check_output
    from .figures import FIGURE_FORMATS

    p = Path(path)
    if p.suffix.lower() not in FIGURE_FORMATS:
        raise AvoidSurveyError(f"unsupported figure type '{p.suffix or '(none)'}' (use .png, .svg or .pdf)", file=p)
    check_output(p, force)
    return p


def spec_figures(result, path, *, lang="en", force=False) -> list:
    """The path diagram of every ``family: sem`` model of a ModelsResult: ``path`` itself for one
    model, ``<stem>_<model><ext>`` for several. Returns [(model name, file, note)]."""
    import re
    from pathlib import Path

    from ..core.errors import AvoidSurveyError

    sems = [m for m in result.models if m.family == "sem"]
    if not sems:
        raise AvoidSurveyError("no model of the spec is family: sem (nothing for --sem-figure to draw)")
    p = Path(path)
    out = []
    for m in sems:
        target = p if len(sems) == 1 else p.with_name(f"{p.stem}_{re.sub(r'[^A-Za-z0-9_-]+', '_', m.name)}{p.suffix}")
        d = m.to_dict()
        title = f"{text_in(m.extra.get('label'), lang) or m.name}: {tr('semspec_fig_title', lang)}"
        out.append((m.name, target, sem_diagram(d, target, labels=result.labels, lang=lang, title=title, force=force)))
    return out


# ------------------------------------------------------------------ labels and their size
def labels_from_instrument(inst) -> dict:
    """{variable: {lang: label}} of the scales, facets and variables of an instrument."""
    out = {}
    if inst is None:
        return out
    for s in inst.all_scales():
        out.setdefault(s.id, dict(s.label))
    for v in inst.variables:
        out.setdefault(v.id, dict(v.label))
    return out


def _wide(ch) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _text_width(s: str, size: float) -> float:
    """Width of ``s`` in inches at ``size`` points: Latin glyphs measured in DejaVu Sans, wide
    (CJK) glyphs one em each, as the fallback CJK font draws them."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    narrow = "".join(c for c in s if not _wide(c))
    n_wide = len(s) - len(narrow)
    w = 0.0
    if narrow:
        w, _, _ = TextToPath().get_text_width_height_descent(narrow, FontProperties(family="DejaVu Sans", size=size),
                                                           ismath=False)
    return (w + n_wide * size) / 72.0


def _wrap(text: str) -> list:
    if any(_wide(c) for c in text):
        return textwrap.wrap(text, 8) or [text]
    return textwrap.wrap(text, 20, break_long_words=False) or [text]


def _label(name, labels, lang) -> str:
    lab = labels.get(name)
    if isinstance(lab, dict):
        return text_in(lab, lang) or name
    return lab or name


def _shape(name, kind, labels, lang) -> Node:
    lines = _wrap(_label(name, labels, lang)) if kind == "latent" else [_label(name, labels, lang)]
    tw = max(_text_width(ln, FONT_PT) for ln in lines)
    th = len(lines) * FONT_PT * 1.25 / 72.0
    if kind == "latent":   # the text's box inside the ellipse: (tw/2a)^2 + (th/2b)^2 <= 1
        h = max(0.5, th / 0.6)
        a = (tw / 2 + 0.04) / (1 - (th / h) ** 2) ** 0.5
        return Node(name, kind, lines, max(1.0, 2 * a), h)
    return Node(name, kind, lines, max(0.62, tw + 0.16), max(BOX_H, th + 0.1))


# ------------------------------------------------------------------ layout
def _layers(struct, paths) -> dict:
    """Column of each structural variable: the longest regression path reaching it."""
    preds = {v: {p["rhs"] for p in paths if p["lhs"] == v} for v in struct}
    layer = {}

    def depth(v, seen=()):
        if v in layer:
            return layer[v]
        if v in seen:          # a cycle (non-recursive model): break it
            return 0
        d = 0 if not preds[v] else 1 + max(depth(u, seen + (v,)) for u in preds[v] if u in preds)
        layer[v] = d
        return d

    for v in struct:
        depth(v)
    return layer


class _Block:
    """A structural variable with its measurement tree: size, and placing at a position."""

    def __init__(self, node, children, side):
        self.node, self.children, self.side = node, children, side
        node.side = side
        if side in ("below", "above"):
            cw = sum(c.w for c in children) + GAP * max(0, len(children) - 1)
            self.w = max(node.w, cw)
            self.h = node.h + (IND_GAP + max(c.h for c in children) if children else 0)
        else:
            ch = sum(c.h for c in children) + GAP * max(0, len(children) - 1)
            self.w = node.w + (IND_GAP + max(c.w for c in children) if children else 0)
            self.h = max(node.h, ch)

    def place(self, x0, y0):
        """Put the block's lower-left corner at (x0, y0)."""
        n = self.node
        if self.side in ("below", "above"):
            up = self.side == "above"
            n.x, n.y = x0 + self.w / 2, (y0 + n.h / 2) if up else (y0 + self.h - n.h / 2)
            x = x0 + (self.w - (sum(c.w for c in self.children) + GAP * max(0, len(self.children) - 1))) / 2
            for c in self.children:
                c.place(x, (y0 + n.h + IND_GAP) if up else (y0 + (self.h - n.h - IND_GAP) - c.h))
                x += c.w + GAP
            return
        n.y = y0 + self.h / 2
        n.x = x0 + self.w - n.w / 2 if self.side == "left" else x0 + n.w / 2
        total = sum(c.h for c in self.children) + GAP * max(0, len(self.children) - 1)
        y = y0 + (self.h + total) / 2
        for c in self.children:
            y -= c.h
            if self.side == "left":
                c.place(x0 + (self.w - n.w - IND_GAP) - c.w, y)
            else:
                c.place(x0 + n.w + IND_GAP, y)
            y -= GAP


def _block(name, nodes, measured, side, done) -> _Block:
    done.add(name)
    kids = [_block(k, nodes, measured, side, done) for k in measured.get(name, []) if k not in done]
    return _Block(nodes[name], kids, side)


def sem_layout(parameters, r2=None, *, labels=None, lang="en", group=None) -> Layout:
    """Where each variable of a fitted SEM goes (see the module docstring).

    parameters : the ``parameters`` of a SEM result (lhs, op, rhs, group, std_all, p ...); with
        groups, the rows of ``group`` (default: the first group; its name is in the title).
    """
    labels = labels or {}
    groups = list(dict.fromkeys(p.get("group") for p in parameters))
    g = group if group is not None else groups[0]
    rows = [p for p in parameters if p.get("group") == g]
    lay = Layout(group=g, r2=dict((r2 or {}).get(g, r2 or {}) if g is not None and isinstance((r2 or {}).get(g), dict)
                         else (r2 or {})))
    lay.loadings = [p for p in rows if p["op"] == "=~"]
    lay.paths = [p for p in rows if p["op"] == "~"]
    lay.covs = [p for p in rows if p["op"] == "~~" and p["lhs"] != p["rhs"]]
    latents = list(dict.fromkeys(p["lhs"] for p in lay.loadings))
    measured = {}
    for p in lay.loadings:
        measured.setdefault(p["lhs"], []).append(p["rhs"])
    indicators = {p["rhs"] for p in lay.loadings}
    names = list(dict.fromkeys([p["lhs"] for p in lay.loadings] + [p["rhs"] for p in lay.loadings]
                               + [v for p in lay.paths for v in (p["rhs"], p["lhs"])]
                               + [v for p in lay.covs for v in (p["lhs"], p["rhs"])]))
    nodes = {v: _shape(v, "latent" if v in latents else "observed", labels, lang) for v in names}
    struct = [v for v in names if v not in indicators or any(v in (p["lhs"], p["rhs"]) for p in lay.paths)]
    lay.endogenous = list(dict.fromkeys(p["lhs"] for p in lay.paths))
    layer = _layers(struct, lay.paths)
    n_col = max(layer.values(), default=0) + 1
    cols = [[v for v in struct if layer[v] == k] for k in range(n_col)]
    done: set = set()
    x = 0.0
    if n_col == 1:   # a measurement model: latents side by side, indicators below
        blocks = [_block(v, nodes, measured, "below", done) for v in cols[0]]
        h = max(b.h for b in blocks)
        for b in blocks:
            b.place(x, h - b.h)
            x += b.w + COL_GAP / 2
    else:
        for k, col in enumerate(cols):
            side = "left" if k == 0 else ("right" if k == n_col - 1 else "above")
            blocks = [_block(v, nodes, measured, side, done) for v in col]
            width = max(b.w for b in blocks)
            total = sum(b.h for b in blocks) + ROW_GAP * (len(blocks) - 1)
            # outer columns centred on the middle line; middle columns stacked above it, so that
            # paths between the outer columns pass below them
            y = total / 2 if side != "above" else total + 0.6
            for b in blocks:
                y -= b.h
                bx = x + (width - b.w if side == "left" else 0 if side == "right" else (width - b.w) / 2)
                b.place(bx, y)
                y -= ROW_GAP
            x += width + COL_GAP
    for v in names:   # anything not reached above (an indicator covaried with nothing placed)
        if v not in done and v not in struct:
            n = nodes[v]
            n.x, n.y = x, 0.0
            x += n.w + GAP
    lay.nodes = nodes
    return lay


# ------------------------------------------------------------------ drawing
def _stars(p) -> str:
    if p is None:
        return ""
    return "*" * sum(p < a for a in (0.05, 0.01, 0.001))


def _est_text(p) -> str:
    v = p.get("std_all")
    if v is None:
        return ""
    s = f"{v:.2f}"
    s = s.replace("0.", ".", 1) if abs(v) < 1 else s
    return s + _stars(p.get("p"))


def _anchor(n: Node, tx, ty):
    """The point of ``n``'s outline towards (tx, ty)."""
    import math

    dx, dy = tx - n.x, ty - n.y
    if dx == 0 and dy == 0:
        return n.x, n.y
    if n.kind == "latent":
        a, b = n.w / 2, n.h / 2
        t = 1 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    else:
        t = min(n.w / 2 / abs(dx) if dx else math.inf, n.h / 2 / abs(dy) if dy else math.inf)
    return n.x + dx * t, n.y + dy * t


def _arrow(ax, a, b, text, *, t=0.5, dashed=False, two=False, rad=0.0, colour="black"):
    from matplotlib.patches import FancyArrowPatch

    (x1, y1), (x2, y2) = _anchor(a, b.x, b.y), _anchor(b, a.x, a.y)
    style = "<|-|>" if two else "-|>"
    ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle=style, mutation_scale=7, lw=0.7, color=colour,
                                 linestyle="--" if dashed else "-", connectionstyle=f"arc3,rad={rad}",
                                 shrinkA=0, shrinkB=0))
    if text:
        mx, my = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if rad:   # the middle of the arc (a quadratic Bezier) lies off the chord
            mx += rad * (y2 - y1) * 0.5
            my -= rad * (x2 - x1) * 0.5
        ax.text(mx, my, text, fontsize=EST_PT, ha="center", va="center", color=colour,
                bbox=dict(fc="white", ec="none", pad=0.4))


def _arc_rad(a: Node, b: Node, sign: int, nodes) -> float:
    """How far a covariance arc between ``a`` and ``b`` bends (arc3 ``rad``): enough to pass
    the shapes that lie between them on its side."""
    import math

    dx, dy = b.x - a.x, b.y - a.y
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist                 # along the chord
    nx, ny = sign * uy, -sign * ux                # towards the bulge
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    need = 0.0
    for n in nodes:
        if n is a or n is b:
            continue
        along = (n.x - mx) * ux + (n.y - my) * uy
        if abs(along) >= dist / 2:
            continue
        across = (n.x - mx) * nx + (n.y - my) * ny
        half = n.w / 2 * abs(nx) + n.h / 2 * abs(ny)
        if across + half > 0 and across - half < dist:   # in the way on the bulging side
            need = max(need, across + half + 0.2)
    return min(1.2, max(0.35, 2 * need / dist))


def _draw_node(ax, n: Node, r2):
    from matplotlib.patches import Ellipse, Rectangle

    if n.kind == "latent":
        ax.add_patch(Ellipse((n.x, n.y), n.w, n.h, fill=False, lw=1.1))
    else:
        ax.add_patch(Rectangle((n.x - n.w / 2, n.y - n.h / 2), n.w, n.h, fill=False, lw=0.9))
    ax.text(n.x, n.y, "\n".join(n.lines), fontsize=FONT_PT, ha="center", va="center", linespacing=1.1)
    if r2 is not None:
        ax.text(n.x + n.w / 2, n.y + n.h / 2 + 0.02, f"R² = {r2:.2f}", fontsize=EST_PT, ha="right", va="bottom",
                color="dimgrey")


def _residual(ax, n: Node, above: bool):
    """The disturbance of an endogenous variable: a small circle with an arrow into it."""
    from matplotlib.patches import Circle, FancyArrowPatch

    r = 0.09
    if above is None:   # an outcome without indicators: the disturbance on its outer side
        cx, cy = n.x + n.w / 2 + 0.12 + r, n.y
    else:
        cx = n.x - n.w / 2 - 0.05 - r
        cy = n.y + n.h / 2 + 0.05 + r if above else n.y - n.h / 2 - 0.05 - r
    ax.add_patch(Circle((cx, cy), r, fill=False, lw=0.7))
    tx, ty = _anchor(n, cx, cy)
    ax.add_patch(FancyArrowPatch((cx, cy), (tx, ty), arrowstyle="-|>", mutation_scale=5, lw=0.6, shrinkA=r * 72,
                                 shrinkB=0))


def sem_diagram(result: dict, path, *, labels=None, lang="en", title=None, group=None, force=False) -> str | None:
    """Draw the path diagram of a SEM result's ``to_dict()`` to ``path`` (.png, .svg, .pdf).

    A multi-group result gets one panel per group, side by side, each with its own estimates
    and the group's name in its title (``group`` draws that group alone). Returns a note
    (e.g. no CJK font installed) or None. SVG keeps its text as text, so the labels can be
    searched and edited.
    """
    from .figures import _plt, _save, _setup

    lang, note = _setup(lang)
    plt = _plt()
    groups = list(dict.fromkeys(p.get("group") for p in result["parameters"]))
    drawn = [group] if group is not None or len(groups) < 2 else groups
    lays = [sem_layout(result["parameters"], result.get("r2"), labels=labels, lang=lang, group=g) for g in drawn]
    pad = 0.45
    widths = [lay.extent()[2] - lay.extent()[0] + 2 * pad for lay in lays]
    height = max(lay.extent()[3] - lay.extent()[1] for lay in lays) + 2 * pad + 0.4
    fig = plt.figure(figsize=(sum(widths), height))
    left = 0.0
    for lay, w in zip(lays, widths):
        ax = fig.add_axes([left / sum(widths), 0, w / sum(widths), 1])
        left += w
        _draw_panel(ax, lay, title, lang, pad)
    with plt.rc_context({"svg.fonttype": "none"}):
        _save(fig, path, force)
    return note


def _draw_panel(ax, lay, title, lang, pad) -> None:
    """One group's diagram on ``ax`` (the layout's own coordinates, equal aspect)."""
    x0, y0, x1, y1 = lay.extent()
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    N = lay.nodes
    for p in lay.loadings:
        a, b = N[p["lhs"]], N[p["rhs"]]
        _arrow(ax, a, b, _est_text(p), t=0.62, dashed=not p.get("free", True) and p.get("se") is None)
    into = {}
    for p in lay.paths:   # labels of the paths into one variable spread along their arrows
        into.setdefault(p["lhs"], []).append(p)
    for target, ps in into.items():
        ps = sorted(ps, key=lambda q: -N[q["rhs"]].y)
        for k, p in enumerate(ps):
            t = 0.5 if len(ps) == 1 else 0.3 + 0.4 * k / (len(ps) - 1)
            _arrow(ax, N[p["rhs"]], N[target], _est_text(p), t=t)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    owner = {p["rhs"]: N[p["lhs"]] for p in lay.loadings}
    for p in lay.covs:
        a, b = N[p["lhs"]], N[p["rhs"]]
        mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
        if a.name in owner and b.name in owner:   # indicators: bulge away from their latents
            ox, oy = (owner[a.name].x + owner[b.name].x) / 2, (owner[a.name].y + owner[b.name].y) / 2
            want = (mx - ox, my - oy)
        elif any(q["lhs"] in (a.name, b.name) for q in lay.loadings):
            want = (cx - mx, cy - my)             # latents with indicators outside: towards the middle
        else:                                     # observed variables: away from the middle
            want = (mx - cx, my - cy)
        dx, dy = b.x - a.x, b.y - a.y
        sign = 1 if dy * want[0] - dx * want[1] >= 0 else -1
        _arrow(ax, a, b, _est_text(p), two=True, rad=_arc_rad(a, b, sign, N.values()) * sign, colour="dimgrey")
    for n in N.values():
        _draw_node(ax, n, lay.r2.get(n.name) if n.name in lay.endogenous else None)
    for v in lay.endogenous:
        measured_v = any(q["lhs"] == v for q in lay.loadings)
        where = None if (N[v].side == "right" and not measured_v) else N[v].side != "above"
        _residual(ax, N[v], above=where)   # away from the indicators and the incoming arrows
    head = title or tr("semspec_fig_title", lang)
    if lay.group is not None:
        head += f" [{lay.group}]"
    ax.text((x0 + x1) / 2, y1 + pad + 0.2, head, fontsize=9, ha="center", va="center")
    ax.text(x0 - pad + 0.05, y0 - pad + 0.05, tr("semspec_fig_note", lang), fontsize=EST_PT - 0.5, ha="left",
            va="bottom", color="dimgrey")
