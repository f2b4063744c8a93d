"""Packages whose public names load from their modules on first use (a module ``__getattr__``,
PEP 562), so importing the package costs nothing until a name is asked for."""
from __future__ import annotations

from importlib import import_module

__all__ = ["lazy_exports"]


def lazy_exports(package: str, public: dict, namespace: dict, listed=(), special=None):
    """``(__getattr__, __dir__)`` for ``package``: ``public`` maps a name to the submodule
    defining it; ``special`` maps a name to a function computing it; ``namespace`` is the
    package's ``globals()`` (a loaded name is kept there, so later look-ups skip the hook);
    ``listed`` names shown by ``dir()`` besides the loaded ones."""
    special = special or {}

    def __getattr__(name: str):
        if name in special:
            value = special[name]()
        elif name in public:
            value = getattr(import_module(f"{package}.{public[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(listed or public))

    return __getattr__, __dir__
