"""The readers: one per file format, keyed by file extension.

:data:`READERS` maps an extension (``.csv``, ``.xlsx`` ...; ``""`` for a file without
one) to the function that reads it; :func:`~.load.load` picks the reader from the
registry and does everything that is the same for every format (header matching,
answer labels to codes, durations, provenance). Entries name their function as
``"module:function"`` text, so nothing heavy is imported until a file is read.

A reader is ``read(path, *, instrument=None, mapping=None, sheet=None, progress=False)``
returning a :class:`RawTable`: the cells with positional column names (``__c0``,
``__c1`` ...), the headers as written in the file, and what it knows about the file
(``info``: format, encoding, ...). It raises
:class:`~avoid_survey.analysis.core.errors.AvoidSurveyError` for a file it cannot use;
other exceptions of the format's library become one such error in :func:`~.load.load`.

Adding a reader (say ``.ods``):

1. write ``analysis/io/read_ods.py`` with ``read_ods(path, *, instrument=None,
   mapping=None, sheet=None, progress=False) -> RawTable`` (see ``read_excel.py``);
2. add one line below: ``READERS.register(".ods", "avoid_survey.analysis.io.read_ods:read_ods")``.

Nothing else changes: :data:`~avoid_survey.analysis.io.SUPPORTED`, the "unsupported
file type" message and every command take the extension from here. ``text=True`` marks
delimited-text formats (the large-file prescan applies to them; the others are checked
for zero bytes before they are read).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.registry import Registry

__all__ = ["READERS", "RawTable", "supported"]


@dataclass(frozen=True)
class RawTable:
    """What a reader returns.

    frame : DataFrame with positional columns ``__c0``, ``__c1`` ... (a new frame)
    headers : one header per frame column, as in the file (stripped)
    info : ``file``, ``format``, ``header_rows`` and what the format adds (``encoding``,
        ``bom``, ``delimiter``, ``sheet``, ``platform``)
    questions : a second header row of question text (Qualtrics, SPSS variable labels),
        used to match headers; None when there is none
    ragged : ``(row, n_fields)`` of rows whose field count differs from the header's
    n_fields : number of header fields (None: every column has a header)
    value_labels : {header: {code: label}} of SPSS/Stata files
    """

    frame: object
    headers: list
    info: dict
    questions: list | None = None
    ragged: list = field(default_factory=list)
    n_fields: int | None = None
    value_labels: dict = field(default_factory=dict)


READERS = Registry("reader")
_CSV = "avoid_survey.analysis.io.read_csv:read_csv"
READERS.register(".csv", _CSV, text=True)
READERS.register(".txt", _CSV, text=True)
READERS.register(".tsv", _CSV, text=True)
READERS.register(".xlsx", "avoid_survey.analysis.io.read_excel:read_excel")
READERS.register(".xlsm", "avoid_survey.analysis.io.read_excel:read_excel")
READERS.register(".sav", "avoid_survey.analysis.io.read_stat:read_stat")
READERS.register(".dta", "avoid_survey.analysis.io.read_stat:read_stat")
READERS.register(".parquet", "avoid_survey.analysis.io.read_parquet:read_parquet")
READERS.register("", _CSV, text=True, listed=False)   # no extension: read as CSV, not advertised


def supported() -> tuple[str, ...]:
    """The extensions users are told about, in registration order."""
    return tuple(n for n in READERS if READERS.entry(n).meta.get("listed", True))
