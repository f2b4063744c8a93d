"""Figures for reports (matplotlib; PNG, SVG or PDF by the file's extension).

Every function takes plain numbers (what the results' ``to_dict()`` carries), draws one
figure and writes it atomically. Chinese labels need a CJK font: when none is installed
the figure falls back to English labels and the returned note says so.
"""
from __future__ import annotations

from pathlib import Path

from ..core.i18n import text_in, tr
from ..core.errors import AvoidSurveyError
from ..io.output import write_atomic_with

__all__ = ["scree_plot", "loadings_heatmap", "path_diagram", "coef_plot", "interaction_plot",
           "item_distribution", "cjk_font", "FIGURE_FORMATS"]

FIGURE_FORMATS = (".png", ".svg", ".pdf")

_CJK_CANDIDATES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                   "WenQuanYi Zen Hei", "SimSun", "SimHei", "Microsoft YaHei", "PingFang SC", "Droid Sans Fallback",
                   "AR PL UMing CN", "AR PL UKai CN")

def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for cand in _CJK_CANDIDATES:
        if cand in names:
            return cand
    return None


def _setup(lang: str) -> tuple[str, str | None]:
    """Set fonts; returns (effective lang, note)."""
    plt = _plt()
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    plt.rcParams["svg.hashsalt"] = "avoid-survey"  # same input, same SVG bytes
    if tr("rnd_script", lang) != "cjk":
        return "en", None
    font = cjk_font()
    if font is None:
        return "en", "no CJK font is installed (e.g. apt-get install fonts-noto-cjk); figure labels are in English"
    # Latin glyphs from DejaVu, Chinese ones fall back to the CJK font
    plt.rcParams["font.family"] = ["DejaVu Sans", font]
    return "zh", None


def _t(key: str, lang: str) -> str:
    from ..core.i18n import tr

    return tr("rnd_fig_" + key, lang)


def _save(fig, path, force: bool) -> Path:
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in FIGURE_FORMATS:
        raise AvoidSurveyError(f"unsupported figure type '{ext or '(none)'}' (use .png, .svg or .pdf)", file=p)
    plt = _plt()

    def _w(tmp):
        # metadata dates off so the same input gives the same bytes
        meta = {"Date": None} if ext in (".svg", ".pdf") else {}
        if ext == ".pdf":
            meta["CreationDate"] = None
            meta.pop("Date")
        fig.savefig(tmp, format=ext.lstrip("."), dpi=200, bbox_inches="tight", metadata=meta or None)

    try:
        return write_atomic_with(p, _w, force)
    finally:
        plt.close(fig)


def scree_plot(eigenvalues, path, *, parallel=None, lang="en", title=None, force=False) -> str | None:
    """Eigenvalues by factor number, with the parallel-analysis line when given."""
    lang, note = _setup(lang)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    x = list(range(1, len(eigenvalues) + 1))
    ax.plot(x, eigenvalues, "o-", color="black", label=_t("observed", lang))
    if parallel is not None:
        ax.plot(x[:len(parallel)], parallel[:len(x)], "s--", color="grey", label=_t("parallel", lang))
    ax.axhline(0, color="lightgrey", lw=0.8)
    ax.set_xlabel(_t("factor_n", lang))
    ax.set_ylabel(_t("eigenvalue", lang))
    ax.set_title(title or _t("scree", lang))
    ax.set_xticks(x)
    ax.legend(frameon=False)
    _save(fig, path, force)
    return note


def loadings_heatmap(loadings: dict, path, *, lang="en", title=None, force=False) -> str | None:
    """Items (rows) by factors (columns), colour = loading, numbers printed."""
    import numpy as np

    lang, note = _setup(lang)
    plt = _plt()
    items = list(loadings)
    factors = list(next(iter(loadings.values()))) if items else []
    m = np.array([[loadings[i].get(f, np.nan) or 0.0 for f in factors] for i in items], dtype=float)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(factors), 0.8 + 0.32 * len(items)))
    im = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(factors)), factors)
    ax.set_yticks(range(len(items)), items)
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            ax.text(c, r, f"{m[r, c]:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if abs(m[r, c]) > 0.6 else "black")
    fig.colorbar(im, ax=ax, fraction=0.05)
    ax.set_title(title or _t("loadings", lang))
    _save(fig, path, force)
    return note


def path_diagram(loadings: list, path, *, factor_correlations=None, lang="en", title=None, force=False) -> str | None:
    """Layered diagram: factors (ellipses) on top, items (boxes) below, arrows labelled
    with standardized loadings; factor correlations as arcs between factors."""
    from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle

    lang, note = _setup(lang)
    plt = _plt()
    factors = list(dict.fromkeys(l["factor"] for l in loadings))
    items = list(dict.fromkeys(l["item"] for l in loadings if l["item"] not in factors))
    width = max(len(items), 2)
    fig, ax = plt.subplots(figsize=(max(6, 0.75 * width), 4.2))
    ix = {it: k for k, it in enumerate(items)}
    fx = {}
    for f in factors:
        own = [ix[l["item"]] for l in loadings if l["factor"] == f and l["item"] in ix]
        fx[f] = sum(own) / len(own) if own else 0.0
    top = [f for f in factors if not any(l["item"] == f for l in loadings)]  # second-order factors
    for f in factors:
        y = 3.2 if f in top and any(l["factor"] == f and l["item"] in factors for l in loadings) else 2.0
        if f in top and any(l["factor"] == f and l["item"] in factors for l in loadings):
            kids = [fx[l["item"]] for l in loadings if l["factor"] == f and l["item"] in fx]
            fx[f] = sum(kids) / len(kids)
        ax.add_patch(Ellipse((fx[f], y), 1.4, 0.6, fill=False, lw=1.2))
        ax.text(fx[f], y, f, ha="center", va="center", fontsize=8)
    for it, k in ix.items():
        ax.add_patch(Rectangle((k - 0.35, -0.2), 0.7, 0.4, fill=False, lw=1))
        ax.text(k, 0, it, ha="center", va="center", fontsize=7)
    for l in loadings:
        f, it = l["factor"], l["item"]
        yf = 3.2 if f in top and any(m["factor"] == f and m["item"] in factors for m in loadings) else 2.0
        if it in ix:
            x1, y1 = ix[it], 0.2
        else:
            x1, y1 = fx[it], 2.3
        a = FancyArrowPatch((fx[f], yf - 0.3), (x1, y1), arrowstyle="-|>", mutation_scale=8, lw=0.8)
        ax.add_patch(a)
        val = l.get("std")
        if val is not None:
            ax.text((fx[f] + x1) / 2, (yf - 0.3 + y1) / 2, f"{val:.2f}", fontsize=6, ha="center",
                    bbox=dict(fc="white", ec="none", pad=0.5))
    if factor_correlations:
        firsts = [f for f in factors if f not in top]
        for a_i, fa in enumerate(firsts):
            for fb in firsts[a_i + 1:]:
                r = (factor_correlations.get(fa) or {}).get(fb)
                if r is None:
                    continue
                arc = FancyArrowPatch((fx[fa], 2.3), (fx[fb], 2.3), connectionstyle="arc3,rad=-0.25",
                                      arrowstyle="<|-|>", mutation_scale=6, lw=0.6, color="grey")
                ax.add_patch(arc)
                ax.text((fx[fa] + fx[fb]) / 2, 2.55 + 0.05 * abs(fx[fa] - fx[fb]), f"{r:.2f}", fontsize=6,
                        ha="center", color="grey")
    ax.set_xlim(-1, width)
    ax.set_ylim(-0.6, 4.0)
    ax.axis("off")
    ax.set_title(title or _t("path", lang))
    _save(fig, path, force)
    return note


def coef_plot(models: list, path, *, terms=None, lang="en", title=None, force=False) -> str | None:
    """Point estimates with CIs, one marker per model, terms on the y axis.

    models : [{"name", "coefficients": [{"term", "estimate", "ci_lower", "ci_upper"}]}]
    """
    lang, note = _setup(lang)
    plt = _plt()
    all_terms = terms or list(dict.fromkeys(c["term"] for m in models for c in m["coefficients"]
                                            if c["term"] not in ("Intercept", "const", "(Intercept)")))
    fig, ax = plt.subplots(figsize=(6, 0.6 + 0.45 * len(all_terms) * max(1, len(models)) ** 0.5))
    k = len(models)
    markers = "osD^v<>"
    for j, m in enumerate(models):
        cs = {c["term"]: c for c in m["coefficients"]}
        ys, xs, lo, hi = [], [], [], []
        for i, t in enumerate(all_terms):
            c = cs.get(t)
            if c is None or c.get("estimate") is None:
                continue
            ys.append(len(all_terms) - 1 - i + (j - (k - 1) / 2) * 0.18)
            xs.append(c["estimate"])
            lo.append(c["estimate"] - (c.get("ci_lower") if c.get("ci_lower") is not None else c["estimate"]))
            hi.append((c.get("ci_upper") if c.get("ci_upper") is not None else c["estimate"]) - c["estimate"])
        ax.errorbar(xs, ys, xerr=[lo, hi], fmt=markers[j % len(markers)], capsize=2, label=m.get("name"),
                    color=str(0.15 + 0.5 * j / max(1, k - 1)) if k > 1 else "black")
    ax.axvline(0, color="grey", lw=0.8, ls=":")
    names = {c["term"]: text_in(c.get("label"), lang) or c["term"] for m in models for c in m["coefficients"]}
    ax.set_yticks(range(len(all_terms)), [names.get(t, t) for t in reversed(all_terms)])
    ax.set_xlabel(_t("estimate", lang))
    ax.set_title(title or _t("coefplot", lang))
    if k > 1:
        ax.legend(frameon=False, fontsize=8)
    _save(fig, path, force)
    return note


def interaction_plot(x_values, lines: list, path, *, x_label="x", y_label=None, lang="en", title=None,
                     force=False) -> str | None:
    """Simple slopes with confidence bands.

    lines : [{"label", "fit": [...], "lower": [...], "upper": [...]}], each over x_values.
    """
    lang, note = _setup(lang)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    styles = ["-", "--", ":", "-."]
    for j, ln in enumerate(lines):
        ax.plot(x_values, ln["fit"], styles[j % 4], color="black", label=ln.get("label"))
        if ln.get("lower") is not None and ln.get("upper") is not None:
            ax.fill_between(x_values, ln["lower"], ln["upper"], color="grey", alpha=0.18, lw=0)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label or _t("outcome", lang))
    ax.set_title(title or _t("slopes", lang))
    ax.legend(frameon=False)
    _save(fig, path, force)
    return note


def item_distribution(counts: dict, codes: list, path, *, code_labels=None, lang="en", title=None,
                      force=False) -> str | None:
    """Stacked horizontal bars: share of each answer code per item.

    counts : {item: {code: count}}; codes : the response codes in order.
    """
    import numpy as np

    lang, note = _setup(lang)
    plt = _plt()
    items = list(counts)
    m = np.array([[counts[i].get(c, 0) for c in codes] for i in items], dtype=float)
    tot = m.sum(axis=1, keepdims=True)
    share = np.divide(m, tot, out=np.zeros_like(m), where=tot > 0)
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.3 * len(items)))
    left = np.zeros(len(items))
    cmap = plt.get_cmap("RdBu", len(codes))
    for k, c in enumerate(codes):
        lab = (code_labels or {}).get(c, str(c))
        ax.barh(range(len(items)), share[:, k], left=left, color=cmap(k), label=lab, edgecolor="white", lw=0.3)
        left += share[:, k]
    ax.set_yticks(range(len(items)), items)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(_t("share", lang))
    ax.set_title(title or _t("distribution", lang))
    ax.legend(ncol=min(len(codes), 7), fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    _save(fig, path, force)
    return note


# ---------------------------------------------------------------- from results
def figure_for(kind: str, result: dict, path, *, lang: str = "en", force: bool = False) -> str | None:
    """Draw the standard figure of an analysis from its ``to_dict()``.

    kind : 'efa' (scree with the parallel-analysis line), 'efa-loadings' (heatmap),
        'cfa' (path diagram of standardized loadings), 'model' (coefficient plot),
        'slopes' (simple slopes of the first moderated model), 'reliability'
        (response distribution of every item).
    """
    if kind == "efa":
        par = result.get("parallel") or {}
        obs = par.get("observed") or result.get("fa_eigenvalues") or result.get("eigenvalues")
        if not obs:
            raise AvoidSurveyError("the EFA result holds no eigenvalues to plot")
        return scree_plot(obs, path, parallel=par.get("simulated_q95"), lang=lang, force=force)
    if kind == "efa-loadings":
        return loadings_heatmap(result["loadings"], path, lang=lang, force=force)
    if kind == "cfa":
        return path_diagram(result["loadings"], path, lang=lang, force=force)
    if kind == "model":
        models = [m for m in result.get("models", []) if m.get("coefficients")]
        if not models:
            raise AvoidSurveyError("no model with coefficients to plot")
        return coef_plot(models, path, lang=lang, force=force)
    if kind == "slopes":
        return _slopes_from_models(result, path, lang, force)
    if kind == "reliability":
        counts, codes = {}, set()
        for s in result.get("scales", []):
            for it in s.get("items", []):
                fr = {int(float(k)): int(v) for k, v in (it.get("frequencies") or {}).items()
                      if str(k).replace(".", "", 1).lstrip("-").isdigit()}
                counts.setdefault(it["item"], fr)
                codes.update(fr)
        if not counts:
            raise AvoidSurveyError("no item frequencies to plot")
        lo, hi = min(codes), max(codes)
        return item_distribution(counts, list(range(lo, hi + 1)), path, lang=lang, force=force)
    raise ValueError(f"unknown figure kind {kind}")


def _slopes_from_models(result, path, lang, force):
    """Simple slopes of the first model with a moderation block. Lines are the predicted
    outcome at the moderator's -1 SD / mean / +1 SD with other predictors at zero (their
    mean when centred); the band is the 95% CI of the conditional effect of the focal
    variable relative to its mean (slope CI times the distance from the mean)."""
    import numpy as np

    for m in result.get("models", []):
        mod = m.get("moderation")
        if not mod or not mod.get("simple_slopes"):
            continue
        coefs = {c["term"]: c["estimate"] for c in m.get("coefficients", [])}
        focal, moderator = mod["focal"], mod["moderator"]
        b0 = coefs.get("Intercept", 0.0) or 0.0
        # the terms are variable names; a payload with labels ({en, zh}) shows those
        mod_name = next((c["term"] for c in m.get("coefficients", [])
                         if c.get("label") == moderator or c["term"] == moderator), moderator)
        bw = coefs.get(mod_name, 0.0) or 0.0
        focal, moderator = text_in(focal, lang), text_in(moderator, lang)
        rng = (mod.get("johnson_neyman") or {}).get("observed_range") or [-2.0, 2.0]
        x = np.linspace(rng[0], rng[1], 25)
        lines = []
        for s in mod["simple_slopes"]:
            w = s.get("moderator_value", 0.0)
            if not isinstance(w, (int, float)):
                continue
            fit = b0 + bw * w + s["slope"] * x
            half_lo = (s["slope"] - s["ci_lower"]) * np.abs(x)
            half_hi = (s["ci_upper"] - s["slope"]) * np.abs(x)
            lines.append({"label": f"{moderator} {text_in(s['at'], lang)}", "fit": fit, "lower": fit - half_lo,
                          "upper": fit + half_hi})
        if lines:
            return interaction_plot(x, lines, path, x_label=focal + (_t("centred", lang) if mod.get("centered") else ""),
                                    lang=lang, force=force)
    from .process_figures import jn_plot_from_models
    drawn = jn_plot_from_models(result, path, lang, force)   # PROCESS model 1 or 3: the J-N figure
    if drawn is not False:
        return drawn
    raise AvoidSurveyError("no model declares moderation (add moderation: {focal, moderator} to a model)")
