"""Renderers: one Table model, many formats.

One module per format (:mod:`.markdown`, :mod:`.csvtext`, :mod:`.latex`, :mod:`.html`,
:mod:`.terminal`, :mod:`.jsondoc`, :mod:`.office` for docx and xlsx), reached through
the one registry :data:`.registry.RENDERERS`; :mod:`.figures` draws the standard figures
and :mod:`.document` assembles reports. How to add a format: see :mod:`.registry`.

``render_text(tables, fmt, lang, decimals)`` and ``render_bytes(...)`` render tables in
any registered text or binary format. Importing this package loads nothing heavy.
"""
from __future__ import annotations

from .registry import RENDERERS

__all__ = ["render_text", "render_bytes", "print_rich", "RENDERERS", "TEXT_FORMATS", "BINARY_FORMATS"]

TEXT_FORMATS = tuple(RENDERERS.where(source="tables", binary=None))
BINARY_FORMATS = tuple(RENDERERS.where(binary=True))


def _table_renderer(fmt: str, binary: bool):
    try:
        entry = RENDERERS.entry(fmt)
    except KeyError:
        entry = None
    if entry is None or entry.meta.get("source") != "tables" or bool(entry.meta.get("binary")) != binary:
        raise ValueError(f"not a {'binary' if binary else 'text'} format: {fmt}")
    return entry.load()


def render_text(tables, fmt: str, lang: str = "en", decimals: int = 3) -> str:
    """Tables as text in a registered text format (table, md, csv, latex, html ...)."""
    return _table_renderer(fmt, False)(tables, lang, decimals)


def render_bytes(tables, fmt: str, lang: str = "en", decimals: int = 3) -> bytes:
    """Tables as bytes in a registered binary format (docx, xlsx); the CLI writes them atomically."""
    return _table_renderer(fmt, True)(tables, lang, decimals)


def print_rich(tables, lang: str = "en", decimals: int = 3, file=None) -> None:
    """Print tables to the terminal (rich)."""
    from .terminal import print_rich as _print

    _print(tables, lang, decimals, file=file)


# the per-format functions under their old names, loaded on first use
_MOVED = {"render_md": "markdown", "render_csv": "csvtext", "render_latex": "latex", "tex_escape": "latex",
          "render_html": "html", "rich_tables": "terminal", "render_table_text": "terminal"}


def __getattr__(name):
    if name in _MOVED:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_MOVED[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
