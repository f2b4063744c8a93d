"""What the statistics' frozen result dataclasses share: ``to_dict()`` from their fields."""
from __future__ import annotations

from dataclasses import fields

__all__ = ["fields_dict"]


def _plain(v):
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def fields_dict(obj, **override) -> dict:
    """``{field: value}`` in field order: nested results by their ``to_dict()``, tuples as
    lists; ``override`` replaces single values (by name) with ones computed by the caller."""
    return {f.name: override[f.name] if f.name in override else _plain(getattr(obj, f.name))
            for f in fields(obj) if f.repr}
