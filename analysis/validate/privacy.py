"""Personal data: ``pii-column`` (warning) for IP addresses, Chinese mobile numbers
(1[3-9] + 9 digits), 18-digit resident ID numbers with a valid check digit (GB 11643),
e-mail addresses, name-like headers (姓名, name...), platform PII columns and variables
marked ``pii``. ``--clean`` drops these columns unless ``--keep-pii``."""
from __future__ import annotations

from .collect import Collector

from ..io.pii import pii_columns, valid_id_numbers

__all__ = ["check_privacy", "valid_id_numbers"]


def check_privacy(col: Collector, ld, instrument, items) -> list:
    """The columns that look like personal data (a finding each)."""
    found = pii_columns(ld.frame, instrument, ld.platform, skip=items)
    for c, kind in found.items():
        col.add("pii-column", column=c, kind=kind)
    return list(found)
