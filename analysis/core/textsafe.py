"""Text that is safe to write: no live spreadsheet formulas, no markup, no control characters.

Every writer of user-supplied text (data files, tables, reports) passes cells through
these functions, because labels, names and answers come from files we did not write:

* :func:`formula_safe`: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``,
  ``@`` (or a tab or carriage return before one) as a formula (``=HYPERLINK(...)``); such
  a text cell gets a leading apostrophe. Numbers (``-1.5``) are left alone.
* :func:`markup_safe`: a ``<`` that could open a tag as ``&lt;``, so Markdown viewers
  show ``<script>`` as text instead of running it (HTML output escapes everything).
* :func:`strip_control`: control characters (other than tab, newline and carriage return)
  and the code points XML forbids are removed; xlsx and docx are XML and cannot hold them.
"""
from __future__ import annotations

import re

__all__ = ["FORMULA_START", "formula_safe", "markup_safe", "strip_control", "is_formula_like"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def is_formula_like(s: str) -> bool:
    """True when a spreadsheet would read ``s`` as a formula rather than a number or text."""
    if not s or not s.startswith(FORMULA_START):
        return False
    try:
        float(s)
    except ValueError:
        return True
    return False


def formula_safe(s: str) -> str:
    """``s`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + s if is_formula_like(s) else s


_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def markup_safe(s: str) -> str:
    """``s`` with every ``<`` that could open an HTML tag, comment or declaration written
    as ``&lt;`` (Markdown passes raw HTML through). A ``<`` before a space or a digit
    (``p < .05``, ``<0.001``) cannot start markup and stays readable."""
    return _TAG_OPEN.sub("&lt;", s)


def strip_control(s: str) -> str:
    """``s`` without the characters XML (xlsx, docx) cannot hold."""
    return _CONTROL.sub("", s)
