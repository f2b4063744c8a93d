"""Fewer cyclic-garbage collections while a short run builds its objects.

Python's collector runs a young-generation pass every 700 new container objects and a full
pass every 100 young ones. Importing numpy, pandas and typer creates a few hundred thousand
long-lived objects (modules, functions, classes), so a run of a fraction of a second spends
5-8% of its time in full collections that free nothing: measured 13 ms of a 0.2 s conjoint
run (63 collections) and 2-6 ms of a 0.15 s polychoric run. Those objects are not garbage;
what a command allocates afterwards is mostly arrays, freed by reference counting.

:func:`quiet_collector` raises the young threshold to 50,000 objects (and the older two to
20) for the command line's process, when the thresholds are still the interpreter's
defaults (a user's own setting is kept): the collector still runs, about 70 times less
often. :func:`fewer_collections` does the same for the duration of one Python API call and
then restores the caller's thresholds, so nothing outlasts the call.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

__all__ = ["quiet_collector", "fewer_collections", "THRESHOLDS"]

THRESHOLDS = (50_000, 20, 20)
_DEFAULT = (700, 10, 10)


def quiet_collector() -> bool:
    """Raise the collection thresholds of this process (the command line's); True when set."""
    if gc.get_threshold() != _DEFAULT:
        return False
    gc.set_threshold(*THRESHOLDS)
    return True


@contextmanager
def fewer_collections():
    """The raised thresholds for a block, the caller's restored afterwards."""
    old = gc.get_threshold()
    if old[0] >= THRESHOLDS[0] or old[0] == 0:   # already raised, or collection off
        yield
        return
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
