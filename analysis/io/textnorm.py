"""The normalised forms of headers and answer texts that matching compares.

Kept apart from :mod:`.headers` (the matching itself) so that what only needs the
normalised text, such as the personal-data check of a plain numeric file's headers
(:func:`.pii.header_kind`), loads two patterns and not the whole matcher.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["norm_header", "norm_label"]

_NUMBERING = re.compile(r"^\s*(?:[QqＱ]\s*)?\d+(?:[._\-]\d+)*\s*(?:[.．、:：)）]|\s)\s*")
_NON_WORD = re.compile(r"[\W_]+")                  # (pii.py's header pattern: compiled once)


def norm_header(s) -> str:
    """Normalised form of a header or question text used for matching.

    NFKC (full-width to half-width), leading numbering ("1.", "Q1.", "1、", "3)") removed,
    every character that is not a letter or digit removed, case folded.
    """
    t = unicodedata.normalize("NFKC", str(s)).strip()
    t = _NUMBERING.sub("", t, count=1)
    return _NON_WORD.sub("", t).casefold()


def norm_label(s) -> str:
    """Normalised answer text: NFKC, whitespace and punctuation removed, case folded."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", str(s))).casefold()
