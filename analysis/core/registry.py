"""Registries: the one list of each kind of choice (rotations, readers, output formats...).

A registry maps a name to an entry (a callable or a small description). The code that
implements a choice registers it next to its own definition; the command line reads the
names from the registry to build its option lists, so adding a rotation, a reader or an
output format is one ``register`` call beside the new code and nothing else.

Registries hold no heavy imports: an entry may name its implementation as
``"module:function"`` text, loaded on first use, so ``--help`` stays fast.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable, Iterator

__all__ = ["Entry", "Registry"]


@dataclass(frozen=True)
class Entry:
    """One registered choice.

    name : what users type (``oblimin``, ``xlsx``, ``.sav``)
    target : the implementation, or ``"package.module:attribute"`` to import lazily
    meta : anything the users of the registry need to know without loading the target
        (e.g. ``{"oblique": True}`` for a rotation, ``{"binary": True}`` for a format)
    """

    name: str
    target: Any
    meta: dict = field(default_factory=dict)

    def load(self):
        """The implementation, importing it on first use when given as text."""
        t = self.target
        if isinstance(t, str) and ":" in t:
            mod, _, attr = t.partition(":")
            obj = import_module(mod)
            for part in attr.split("."):
                obj = getattr(obj, part)
            return obj
        return t


class Registry:
    """Named choices of one kind, in the order they were registered."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, target: Any = None, **meta) -> Callable | Entry:
        """Register ``target`` under ``name``; used bare, it decorates a function."""
        if target is None:
            def deco(fn):
                self._add(Entry(name, fn, meta))
                return fn
            return deco
        return self._add(Entry(name, target, meta))

    def _add(self, entry: Entry) -> Entry:
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} {entry.name!r} is registered twice")
        self._entries[entry.name] = entry
        return entry

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)

    def entry(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self._entries)}") from None

    def get(self, name: str):
        """The loaded implementation registered as ``name``."""
        return self.entry(name).load()

    def where(self, **meta) -> list[str]:
        """Names whose meta has every given key=value."""
        return [n for n, e in self._entries.items() if all(e.meta.get(k) == v for k, v in meta.items())]
