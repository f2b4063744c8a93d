"""Validated instruments kept between runs, so a command does not re-check an unchanged file.

Checking an instrument file means parsing its YAML and validating it against the pydantic
schema; importing pydantic and building the schema alone costs about 0.1 s per process,
more than many analyses. After a file has loaded without error, the loaded
:class:`~avoid_survey.instruments.model.Instrument` is stored here; the next run that loads
the same file (same path, same size and modification time of it and of every file it
includes, same checking code) rebuilds it from the store without pydantic or YAML.

Store: ``$AVOID_SURVEY_CACHE_DIR`` or ``$XDG_CACHE_HOME/avoid-survey`` or
``~/.cache/avoid-survey``, folder ``instruments``, created private (0700). Nothing is
stored for a file with errors (its findings are always computed afresh), and
``AVOID_SURVEY_NO_CACHE=1`` turns the store off. Entries are plain data (``marshal`` of
strings, numbers, tuples, lists and dicts); the instrument's dataclasses are rebuilt from
a fixed list of classes, nothing in an entry is executed. An entry that is unreadable, of
another format, not owned by the user or writable by others is ignored (and rewritten).
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["lookup", "store", "cache_dir"]

FORMAT = 3
_DC = "\x00avoid-survey-dataclass"
_REF = "\x00avoid-survey-ref"   # an object met before: shared objects stay shared (identity)


def _enabled() -> bool:
    return os.environ.get("AVOID_SURVEY_NO_CACHE", "").strip() in ("", "0")


def cache_dir() -> Path:
    root = os.environ.get("AVOID_SURVEY_CACHE_DIR")
    if root:
        return Path(root) / "instruments"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg or Path.home() / ".cache") / "avoid-survey" / "instruments"


def _classes() -> dict:
    from . import experiment_model as E
    from . import model as M

    return {c.__name__: c for c in (M.ResponseFormat, M.Item, M.Scale, M.Variable, M.AttentionCheck, M.Instrument,
                                    E.Level, E.Factor, E.Restriction, E.Experiment)}


def _code_stamp() -> tuple:
    """Size and mtime of the checking code: a new version of the package misses every entry."""
    here = Path(__file__).parent
    out = []
    for name in ("loader.py", "schema.py", "model.py", "experiment.py", "experiment_model.py", "cache.py"):
        st = (here / name).stat()
        out.append((name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _file_stamps(inst) -> tuple:
    """(path, size, mtime) of the instrument's file and of every file it includes."""
    out, todo, seen = [], [inst], set()
    while todo:
        i = todo.pop()
        if i.source and i.source not in seen:
            seen.add(i.source)
            st = os.stat(i.source)
            out.append((str(Path(i.source).resolve()), st.st_size, st.st_mtime_ns))
        todo.extend(i.includes or ())
    return tuple(sorted(out))


def _key(path) -> str:
    return f"{Path(path).resolve()}\n{path}\n{os.getcwd() if not Path(path).is_absolute() else ''}"


def _entry(key: str) -> Path:
    """The entry's file (named by two checksums of the key; the key itself is stored in the
    entry and compared, so a clash of names is a miss, never a wrong instrument)."""
    import zlib

    raw = key.encode("utf-8", "surrogatepass")
    return cache_dir() / f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}.bin"


def _encode(obj, names, memo=None):
    """Plain data for ``obj``; an object that occurs twice (a scale shared by an instrument
    and the instrument it includes) is written once and referred to after, so the decoded
    instrument has the same sharing (code comparing objects by identity sees the same)."""
    memo = {} if memo is None else memo
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, tuple):
        return tuple(_encode(v, names, memo) for v in obj)
    if isinstance(obj, list):
        return [_encode(v, names, memo) for v in obj]
    if isinstance(obj, dict):
        return {_encode(k, names, memo): _encode(v, names, memo) for k, v in obj.items()}
    name = type(obj).__name__
    if names.get(name) is type(obj):
        if id(obj) in memo:
            return (_REF, memo[id(obj)][0])
        memo[id(obj)] = (len(memo), obj)   # the object is kept alive, so its id stays unique
        k = memo[id(obj)][0]
        return (_DC, name, k, tuple((f, _encode(v, names, memo)) for f, v in obj.__dict__.items()))
    raise TypeError(name)


def _decode(obj, names, made=None):
    made = {} if made is None else made
    if isinstance(obj, tuple):
        if len(obj) == 2 and obj[0] == _REF:
            return made[obj[1]]
        if len(obj) == 4 and obj[0] == _DC:
            cls = names[obj[1]]
            new = object.__new__(cls)
            made[obj[2]] = new
            new.__dict__.update({k: _decode(v, names, made) for k, v in obj[3]})
            return new
        return tuple(_decode(v, names, made) for v in obj)
    if isinstance(obj, list):
        return [_decode(v, names, made) for v in obj]
    if isinstance(obj, dict):
        return {_decode(k, names, made): _decode(v, names, made) for k, v in obj.items()}
    return obj


def _trusted(st) -> bool:
    if os.name != "posix":
        return True
    import stat

    return st.st_uid == os.getuid() and not (st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def lookup(path):
    """The stored Instrument of ``path`` when it is still current, else None."""
    if not _enabled():
        return None
    try:
        import marshal

        key = _key(path)
        with open(_entry(key), "rb") as fh:
            if not _trusted(os.fstat(fh.fileno())):
                return None
            fmt, stored_key, code, files, data = marshal.loads(fh.read())
        if fmt != FORMAT or stored_key != key or code != _code_stamp():
            return None
        for name, size, mtime in files:
            st = os.stat(name)
            if st.st_size != size or st.st_mtime_ns != mtime:
                return None
        inst = _decode(data, _classes())
        return inst if inst.source == str(path) else None
    except Exception:  # noqa: BLE001 - a bad entry is a miss, never an error
        return None


def store(path, inst) -> None:
    """Keep a loaded (error-free) instrument; failures are silent (the store is optional)."""
    if not _enabled():
        return
    try:
        import marshal
        import tempfile

        key = _key(path)
        data = marshal.dumps((FORMAT, key, _code_stamp(), _file_stamps(inst), _encode(inst, _classes())))
        entry = _entry(key)
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001
        return
