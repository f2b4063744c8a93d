"""The output formats: one registry that ``emit()`` consults and ``--format`` lists.

``RENDERERS`` maps a format name to its renderer, named as ``"module:function"`` text so
that reading the names (as ``--help`` does) imports nothing heavy. The entry's meta says
what the renderer takes and gives:

* ``source``: ``"tables"`` (the renderer takes ``(tables, lang, decimals)``) or
  ``"result"`` (it takes the result object itself, as JSON does);
* ``binary``: the renderer returns bytes, which need ``--output FILE``;
* ``encoding``: text encoding when written to a file (CSV carries a BOM for Excel);
* ``printer``: optional ``"module:function"`` used instead when printing to a terminal
  (``printer(tables, lang, decimals)``);
* ``warnings``: the result's warnings are echoed on stderr after the output.

Adding a format (say ``typst``):

1. write ``analysis/render/typst.py`` with ``render_typst(tables, lang="en", decimals=3) -> str``
   built on :mod:`.common` (``cells``, ``label``) and :class:`~..core.table.Table`;
2. add one line below: ``RENDERERS.register("typst", _R + "typst:render_typst", source="tables")``.

``--format typst`` then exists for every command that calls ``emit()`` (the CLI's
``Format`` choices are built from this registry), and a test checks that every choice
loads a renderer.
"""
from __future__ import annotations

from ..core.registry import Registry

__all__ = ["RENDERERS"]

RENDERERS = Registry("format")
_R = "avoid_survey.analysis.render."

RENDERERS.register("table", _R + "terminal:render_table_text", source="tables", warnings=True,
                   printer=_R + "terminal:print_rich")
RENDERERS.register("json", _R + "jsondoc:render_json", source="result")
RENDERERS.register("md", _R + "markdown:render_md", source="tables", warnings=True)
RENDERERS.register("csv", _R + "csvtext:render_csv", source="tables", warnings=True, encoding="utf-8-sig")
RENDERERS.register("latex", _R + "latex:render_latex", source="tables", warnings=True)
RENDERERS.register("html", _R + "html:render_html", source="tables", warnings=True)
RENDERERS.register("docx", _R + "office:tables_to_docx", source="tables", binary=True)
RENDERERS.register("xlsx", _R + "office:tables_to_xlsx", source="tables", binary=True)
