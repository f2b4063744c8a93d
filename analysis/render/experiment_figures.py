"""Dot-and-whisker figures of a survey experiment (conventions of :mod:`.figures`).

Conjoint: AMCEs (left) and marginal means (right), levels grouped under their attribute,
the baseline drawn at 0 with an open marker; vignette: the main-effect ATEs (and the
Lin-adjusted ones beside them) grouped by factor. The balance plot shows each covariate's
standardized difference per arm against the +-0.1 guide lines. matplotlib is imported lazily.
"""
from __future__ import annotations

from ..core.i18n import text_in, tr
from .figures import _plt, _save, _setup

__all__ = ["effects_plot", "balance_plot"]


def _rows(result, model, lang):
    """[(label, estimate, lo, hi, is_heading_or_baseline)] grouped by factor, top to bottom."""
    effects = [e for e in result.effects if e["model"] == model]
    levels = result.labels.get("levels", {})
    factors = result.labels.get("factors", {})
    out = []
    for f in result.design.get("factors", []):
        fid = f["factor"]
        mine = {e["level"]: e for e in effects if e["factor"] == fid}
        if not mine:
            continue
        out.append((text_in(factors.get(fid), lang) or fid, None, None, None, "heading"))
        for lid in f["levels"]:
            name = "   " + (text_in(levels.get((fid, lid)), lang) or lid)
            if lid in mine:
                e = mine[lid]
                out.append((name, e["estimate"], e["ci_lower"], e["ci_upper"], ""))
            elif model != "mm" and lid == f["baseline"]:
                out.append((name + " " + tr("exp_fig_baseline", lang), 0.0, 0.0, 0.0, "baseline"))
    return out


def _panel(ax, rows, xlabel, ref, marker="o", offset=0.0, label=None, draw_labels=True):
    n = len(rows)
    for i, (name, est, lo, hi, kind) in enumerate(rows):
        y = n - 1 - i + offset
        if kind == "heading" or est is None:
            continue
        face = "white" if kind == "baseline" else "black"
        ax.errorbar([est], [y], xerr=[[est - lo], [hi - est]], fmt=marker, color="black", mfc=face, capsize=2,
                    label=label if i == 1 else None)
    ax.axvline(ref, color="grey", lw=0.8, ls=":")
    if draw_labels:  # headings are the unindented labels (a bold CJK face is rarely installed)
        ax.set_yticks(range(n), [r[0] for r in reversed(rows)])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(xlabel)


def effects_plot(result, path, *, lang: str = "en", title=None, force: bool = False) -> str | None:
    """Draw the experiment's effects to ``path`` (.png, .svg, .pdf); returns a note or None."""
    lang, note = _setup(lang)
    plt = _plt()
    conjoint = result.design.get("type") == "conjoint"
    main = _rows(result, "main", lang)
    n = len(main)
    if conjoint:
        mm = _rows(result, "mm", lang)
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 0.6 + 0.32 * n), sharey=False)
        _panel(a1, main, tr("exp_fig_amce", lang), 0.0)
        h0 = next((e.get("h0", 0.0) for e in result.effects if e["model"] == "mm"), 0.0)
        _panel(a2, mm, tr("exp_fig_mm", lang), h0)
    else:
        fig, a1 = plt.subplots(figsize=(6, 0.6 + 0.35 * n))
        _panel(a1, main, tr("exp_fig_ate", lang), 0.0, offset=0.12, label=tr("exp_model_main", lang))
        lin = _rows(result, "lin", lang)
        if lin:
            _panel(a1, lin, tr("exp_fig_ate", lang), 0.0, marker="s", offset=-0.12, label=tr("exp_model_lin", lang),
                   draw_labels=False)
            a1.legend(frameon=False, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path, force)
    return note


def balance_plot(result, path, *, lang: str = "en", title=None, force: bool = False) -> str | None:
    """Standardized differences of the covariates, one row per factor level, one marker per
    covariate; dotted guides at -0.1 and 0.1."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    rows = [b for b in result.balance if b["std_diff"] is not None]
    if not rows:
        raise AvoidSurveyError("no covariate balance to plot: give --covariates")
    lang, note = _setup(lang)
    plt = _plt()
    arms = list(dict.fromkeys((b["factor"], b["arm"]) for b in rows))
    variables = list(dict.fromkeys(b["variable"] for b in rows))
    levels = result.labels.get("levels", {})
    factors = result.labels.get("factors", {})
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.4 * len(arms)))
    markers = "osD^v<>"
    for j, var in enumerate(variables):
        pts = [(len(arms) - 1 - arms.index((b["factor"], b["arm"])), b["std_diff"]) for b in rows
               if b["variable"] == var]
        ax.plot([x for _, x in pts], [y for y, _ in pts], markers[j % len(markers)], color="black",
                mfc="white" if j % 2 else "black", linestyle="none", label=text_in(factors.get(var), lang) or var)
    for x in (-0.1, 0.1):
        ax.axvline(x, color="grey", lw=0.8, ls=":")
    ax.axvline(0, color="grey", lw=0.8)
    names = [f"{text_in(factors.get(f), lang) or f}: {text_in(levels.get((f, a)), lang) or a}" for f, a in arms]
    ax.set_yticks(range(len(arms)), list(reversed(names)))
    ax.set_ylim(-0.7, len(arms) - 0.3)
    ax.set_xlabel(tr("exp_std_diff", lang))
    ax.set_title(title or tr("exp_title_balance", lang))
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    _save(fig, path, force)
    return note
