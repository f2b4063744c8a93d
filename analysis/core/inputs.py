"""The files a run reads: only regular files, each remembered so that no output of the run
can replace it.

Every reader of a user's file (data, instrument, spec, ``include:``, ``--map``,
``--thresholds``, unit files, model files) opens it through :func:`read_input_bytes` or
:func:`check_input`. A FIFO, a character device (``/dev/zero``), a socket or a directory is
refused with one line naming it: reading one would block, never end, or (process
substitution, ``<(cat data.csv)``) be read only once while the readers need it twice. The
writers (:mod:`avoid_survey.analysis.io.output`) refuse any path registered here.
"""
from __future__ import annotations

import os
import stat

from .errors import AvoidSurveyError

__all__ = ["register_input", "is_input", "check_input", "read_input_bytes", "read_input_text", "input_key"]

_INPUTS: set[str] = set()


def input_key(path) -> str:
    """The identity of a path: its real path (symbolic links followed)."""
    try:
        return os.path.realpath(path)
    except OSError:  # pragma: no cover
        return os.path.abspath(path)


def register_input(path) -> None:
    """Remember a file the user gave us to read; it will never be written to."""
    _INPUTS.add(input_key(path))


def is_input(path) -> bool:
    return input_key(path) in _INPUTS


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO or process substitution)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def check_input(path, what: str = "file") -> os.PathLike:
    """``path`` as a Path when it is an existing regular file (registered as an input);
    otherwise AvoidSurveyError naming it. Symbolic links to regular files are fine."""
    from pathlib import Path   # here, not at import: the API's fast paths load no pathlib

    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise AvoidSurveyError(f"{what} not found", file=p) from None
    except OSError as exc:
        raise AvoidSurveyError(f"cannot read the {what}: {exc.strerror}", file=p) from None
    if not stat.S_ISREG(st.st_mode):
        hint = "; save it to a file first" if stat.S_ISFIFO(st.st_mode) else ""
        raise AvoidSurveyError(f"the {what} is {_kind(st.st_mode)}, not a regular file{hint}", file=p)
    register_input(p)
    return p


def read_input_bytes(path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of a regular input file (at most ``max_bytes``, else AvoidSurveyError)."""
    p = check_input(path, what)
    try:
        with open(p, "rb") as fh:
            if max_bytes is None:
                return fh.read()
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise AvoidSurveyError(f"cannot read the {what}: {exc.strerror}", file=p) from None
    if len(raw) > max_bytes:
        raise AvoidSurveyError(f"the {what} is larger than {max_bytes:,} bytes", file=p)
    return raw


def read_input_text(path, what: str = "file", max_bytes: int | None = 16_000_000) -> str:
    """The text (UTF-8, BOM allowed) of a regular input file."""
    raw = read_input_bytes(path, what, max_bytes)
    if b"\x00" in raw:
        raise AvoidSurveyError(f"the {what} is not a text file (contains NUL bytes)", file=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AvoidSurveyError(f"the {what} is not UTF-8 text (bad byte at offset {exc.start})", file=path) from None
