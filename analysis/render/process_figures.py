"""The Johnson-Neyman figure of a PROCESS model 1 or 3: the conditional effect (model 1: of X;
model 3: of the X × W interaction) across the moderator's observed range, its confidence band,
zero, and the transition points (drawn by ``--slopes-figure`` when no model declares
``moderation:``)."""
from __future__ import annotations

from ..core.i18n import tr

__all__ = ["jn_plot", "jn_plot_from_models"]


def jn_plot(table: list, points: list, path, *, moderator: str, lang="en", title=None, force=False):
    """table: [{"value", "estimate", "ci_lower", "ci_upper"}]; points: [{"value"}] (J-N bounds)."""
    from .figures import _plt, _save, _setup

    lang, note = _setup(lang)
    plt = _plt()
    xs = [r["value"] for r in table]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, [r["estimate"] for r in table], "-", color="black", label=tr("proc_fig_effect", lang))
    ax.fill_between(xs, [r["ci_lower"] for r in table], [r["ci_upper"] for r in table], color="grey", alpha=0.25,
                    lw=0, label=tr("proc_fig_band", lang))
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    for p in points:
        ax.axvline(p["value"], color="black", lw=0.8, ls="--")
    if points:
        ax.plot([], [], "--", color="black", lw=0.8, label=tr("proc_fig_jn", lang))
    ax.set_xlabel(moderator)
    ax.set_ylabel(tr("proc_fig_effect", lang))
    ax.set_title(title or tr("proc_fig_title", lang))
    ax.legend(frameon=False, fontsize=8)
    _save(fig, path, force)
    return note


def jn_plot_from_models(result: dict, path, lang, force):
    """The J-N figure of the first PROCESS model with a Johnson-Neyman table, or False."""
    for m in result.get("models", []):
        jn = m.get("johnson_neyman") if m.get("family") == "process" else None
        if jn and jn.get("table"):
            return jn_plot(jn["table"], jn.get("points") or [], path, moderator=jn["moderator"], lang=lang,
                           force=force, title=f"{m['name']}: {tr('proc_fig_title', lang)}")
    return False
