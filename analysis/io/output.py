"""Writing files safely: never over an input, never over an existing file without
``force``, always atomically (a temporary file in the same folder, then a rename), and no
partial file left behind when the run is interrupted."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from ..core.errors import AvoidSurveyError

__all__ = ["register_input", "check_output", "write_atomic", "write_atomic_with"]

_INPUTS: set[str] = set()


def _key(path) -> str:
    try:
        return os.path.realpath(path)
    except OSError:  # pragma: no cover
        return os.path.abspath(path)


def register_input(path) -> None:
    """Remember a file the user gave us to read; it will never be written to."""
    _INPUTS.add(_key(path))


def check_output(path, force: bool = False) -> Path:
    """Raise unless ``path`` may be written now."""
    p = Path(path)
    if _key(p) in _INPUTS:
        raise AvoidSurveyError("refusing to write over an input file; choose another output name", file=p)
    if p.exists() and not force:
        raise AvoidSurveyError("output file exists; pass --force to overwrite it", file=p)
    if p.exists() and p.is_dir():
        raise AvoidSurveyError("output path is a directory", file=p)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise AvoidSurveyError("the folder for the output does not exist", file=p)
    return p


def write_atomic_with(path, writer: Callable[[str], None], force: bool = False) -> Path:
    """Call ``writer(tmp_path)`` to produce the file, then move it into place."""
    p = check_output(path, force)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part" + p.suffix, dir=str(p.parent or "."))
    os.close(fd)
    try:
        writer(tmp)
        # re-check: another process may have created the file in the meantime
        if p.exists() and not force:
            raise AvoidSurveyError("output file exists; pass --force to overwrite it", file=p)
        # mkstemp creates 0600; give the file the mode a plain open() would (umask applies)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return p


def write_atomic(path, data, force: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``data`` (str or bytes) atomically."""
    payload = data.encode(encoding) if isinstance(data, str) else data

    def _w(tmp):
        with open(tmp, "wb") as fh:
            fh.write(payload)

    return write_atomic_with(path, _w, force)
