"""The instrument catalogue (``instruments list``) for the terminal: ids kept whole,
titles wrapping, only the columns that fit a terminal."""
from __future__ import annotations

from dataclasses import replace

__all__ = ["catalog_for_terminal"]

_SHOWN = ("id", "version", "title", "n_scales", "n_items", "n_variables")


def _hints(c) -> dict:
    if c.key not in _SHOWN:
        return {"show": False}
    if c.key == "id":
        return {"justify": "left", "no_wrap": True, "style": "cyan"}
    if c.key == "title":
        return {"justify": "left", "ratio": 1, "min_width": 14, "overflow": "fold"}
    return {"justify": "right" if c.kind == "int" else "left", "no_wrap": True}


def catalog_for_terminal(table):
    """``table`` (the list table) with its terminal hints set."""
    return replace(table, columns=[replace(c, terminal=_hints(c)) for c in table.columns])
