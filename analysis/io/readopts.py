"""The reading options a whole command shares: ``--sheet``, ``--map``, ``--write-map``,
``--keep-pii``, the screening rules and the nesting of units.

A command sets them once (:func:`using`) and every :func:`~.load.read` inside it (the
main data, a model's own data, a report's sections) applies the same options, so every
analysis of one command sees the same rows. The library functions take the same options
as arguments; an argument given explicitly wins over the command's options.

What reading set aside is logged here too (:class:`ReadLog`): the exclusion flow of each
file read, the personal-data columns dropped, the notes already said. The command line
prints the flow and puts it in JSON as ``"screening"``.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

__all__ = ["ReadOptions", "ReadLog", "current", "using", "log"]


class ReadLog:
    """What the reads of one command did (mutable; one per :func:`using`). A plain class:
    it is built on every API call, and a dataclass costs ~0.5 ms to define at import."""

    __slots__ = ("flows", "pii_dropped", "notes", "maps_written")

    def __init__(self):
        self.flows = []          # [(path, [step dicts])]
        self.pii_dropped = []    # [(path, [columns])]
        self.notes = set()       # notes already said
        self.maps_written = []

    def __repr__(self):
        return (f"ReadLog(flows={self.flows!r}, pii_dropped={self.pii_dropped!r}, notes={self.notes!r}, "
                f"maps_written={self.maps_written!r})")

    def flow(self):
        """The exclusion flow of the first data file read (the command's main data), or None."""
        return self.flows[0][1] if self.flows else None

    def add_flow(self, path, steps) -> None:
        key = str(path)
        for i, (p, _s) in enumerate(self.flows):
            if p == key:
                self.flows[i] = (key, steps)
                return
        self.flows.append((key, steps))


@dataclass(frozen=True)
class ReadOptions:
    """Options of every read in a command.

    sheet : xlsx worksheet (name or 0-based number); None: chosen by the headers
    mapping : {file header: column id} applied before the instrument's aliases
    write_map : path: write a ready ``--map`` file for the headers left unmatched
    keep_pii : keep personal-data columns (IP, phone, ID card, e-mail, names)
    screening : a :class:`~avoid_survey.analysis.validate.screening.Screening` (None:
        the default: blank rows removed, out-of-range codes missing)
    units : nesting of cluster columns, outermost first (``("county_id", "township_id")``)
    force : overwrite an existing ``write_map`` file
    lang : language of the notes reading writes (the exclusion flow)
    """

    sheet: object = None
    mapping: dict | None = None
    write_map: object = None
    keep_pii: bool = False
    screening: object = None
    units: tuple = ()
    force: bool = False
    lang: str = "zh"
    reads: bool = False       # set by a command that reads data (its output carries the flow)
    log: ReadLog = field(default_factory=ReadLog, compare=False)

    def merged(self, **kw) -> "ReadOptions":
        """A copy with the given fields set (None leaves a field as it is); same log."""
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


_CURRENT: ContextVar = ContextVar("avoid_survey_read_options", default=None)


def current() -> ReadOptions:
    """The options in force (fresh defaults, with an empty log, outside :func:`using`)."""
    opts = _CURRENT.get()
    return ReadOptions() if opts is None else opts


def log() -> ReadLog:
    return current().log


@contextmanager
def using(opts: ReadOptions | None = None, **kw):
    """Run a block with these read options (``kw`` set fields of ``opts`` or of the
    options in force). Yields the options (their ``log`` gathers what the reads did)."""
    base = opts if opts is not None else ReadOptions()
    new = base.merged(**kw)
    token = _CURRENT.set(new)
    try:
        yield new
    finally:
        _CURRENT.reset(token)
