"""Writing files safely: never over an input, never over an existing file without
``force``, always atomically (a temporary file in the same folder, then a rename), and no
partial file left behind when the run is interrupted."""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable

from ..core.errors import AvoidSurveyError
from ..core.inputs import is_input, register_input

__all__ = ["register_input", "check_output", "write_atomic", "write_atomic_with", "write_error"]


_WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "the file is larger than this system allows (file-size limit)",
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "permission denied: the folder is not writable",
    errno.EPERM: "permission denied: the folder is not writable",
}


def write_error(exc: OSError, path) -> AvoidSurveyError:
    """One line for an OSError met while writing ``path`` (disk full, file-size limit,
    read-only or forbidden folder...)."""
    why = _WRITE_ERRORS.get(exc.errno) or (exc.strerror or str(exc))
    return AvoidSurveyError(f"cannot write the output: {why}; nothing was written", file=path)


def _special(p: Path):
    """The stat of ``p`` when it exists and is not a regular file or folder, else None."""
    try:
        st = os.stat(p)
    except OSError:
        return None
    return None if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) else st


def check_output(path, force: bool = False) -> Path:
    """Raise unless ``path`` may be written now; returns the path to write (a symbolic link
    is followed to its target: the target is written, the link stays)."""
    p = Path(path)
    if is_input(p):
        raise AvoidSurveyError("refusing to write over an input file; choose another output name", file=p)
    if os.path.islink(p):
        if not p.exists():
            raise AvoidSurveyError("the output is a symbolic link to a file that does not exist; give the "
                                   "target's path instead", file=p)
        p = Path(os.path.realpath(p))
    st = _special(p)
    if st is not None:
        if stat.S_ISCHR(st.st_mode):
            return p   # /dev/null, /dev/stdout...: written in place, never replaced
        raise AvoidSurveyError("the output is not a regular file (a pipe, socket or device); choose a file name",
                               file=path)
    if p.exists() and not force:
        raise AvoidSurveyError("output file exists; pass --force to overwrite it", file=path)
    if p.exists() and p.is_dir():
        raise AvoidSurveyError("output path is a directory", file=path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise AvoidSurveyError("the folder for the output does not exist", file=path)
    return p


def _write_in_place(p: Path, writer: Callable[[str], None], shown) -> Path:
    """A character device (``/dev/null``): the writer writes to a temporary file, which is
    then copied into the device; the device itself is never renamed or replaced."""
    fd, tmp = tempfile.mkstemp(prefix=".avoid-survey.", suffix=".part" + p.suffix)
    os.close(fd)
    try:
        writer(tmp)
        with open(tmp, "rb") as src, open(p, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except OSError as exc:
        raise write_error(exc, shown) from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    return p


def write_atomic_with(path, writer: Callable[[str], None], force: bool = False) -> Path:
    """Call ``writer(tmp_path)`` to produce the file, then move it into place."""
    p = check_output(path, force)
    if _special(p) is not None:
        return _write_in_place(p, writer, path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part" + p.suffix, dir=str(p.parent or "."))
    except OSError as exc:
        raise write_error(exc, path) from None
    os.close(fd)
    try:
        writer(tmp)
        # re-check: another process may have created the file in the meantime
        if p.exists() and not force:
            raise AvoidSurveyError("output file exists; pass --force to overwrite it", file=path)
        # mkstemp creates 0600; give the file the mode a plain open() would (umask applies)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, p)
    except OSError as exc:
        _unlink(tmp)
        raise write_error(exc, path) from None
    except BaseException:
        _unlink(tmp)
        raise
    return p


def _unlink(tmp) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_atomic(path, data, force: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``data`` (str or bytes) atomically."""
    payload = data.encode(encoding) if isinstance(data, str) else data

    def _w(tmp):
        with open(tmp, "wb") as fh:
            fh.write(payload)

    return write_atomic_with(path, _w, force)
