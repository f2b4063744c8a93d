"""OpenBLAS worker threads that sleep as soon as they are idle.

numpy's wheels bring OpenBLAS, which starts its worker threads when numpy loads. A worker
with nothing to do busy-waits for ``2**28`` CPU cycles (about 0.1 s) before it sleeps, and
it does so again after every threaded BLAS call. A command that lasts a fraction of a
second pays that spin in full: on two cores, about 0.05 s of CPU taken from the command's
own thread (measured on ``import numpy`` alone: 0.19 s of CPU with the spin, 0.14 s
without). ``OPENBLAS_THREAD_TIMEOUT=4`` (OpenBLAS's minimum, ``2**4`` cycles) makes an
idle worker sleep at once; the threads, and how BLAS splits its work among them, are
unchanged, so every number is bit-identical. OpenBLAS reads the variable once, when it
loads, so it has to be set before numpy is imported; a value the user set (or
``GOTO_THREAD_TIMEOUT``, its older name) is kept.

The command line sets it for its own process (:func:`idle_blas_threads`, in
``cli.main.run``); the Python API imports numpy with it set and then restores the
environment (:func:`import_numpy`), so nothing is left in ``os.environ`` of the user's
session. Other BLAS libraries (MKL, Accelerate) ignore the variable.
"""
from __future__ import annotations

import os
import sys

__all__ = ["idle_blas_threads", "import_numpy"]

_VAR = "OPENBLAS_THREAD_TIMEOUT"
_VALUE = "4"


def _settable() -> bool:
    return "numpy" not in sys.modules and _VAR not in os.environ and "GOTO_THREAD_TIMEOUT" not in os.environ


def idle_blas_threads() -> bool:
    """Set ``OPENBLAS_THREAD_TIMEOUT`` for this process (before numpy loads, unless the user
    set it). True when it was set here."""
    if not _settable():
        return False
    os.environ[_VAR] = _VALUE
    return True


def import_numpy():
    """``import numpy`` with idle OpenBLAS workers sleeping at once, the environment left as
    it was (for the Python API: the user's process and its children keep their own)."""
    if not _settable():
        import numpy
        return numpy
    os.environ[_VAR] = _VALUE
    try:
        import numpy
    finally:
        os.environ.pop(_VAR, None)
    return numpy
