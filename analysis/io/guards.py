"""Size checks made before a file is materialised: a small file can declare a huge table.

An xlsx is a zip archive: a few MB can inflate to gigabytes of XML (a shared-string bomb),
or declare 1.5 million rows; a Parquet file of a few MB can declare 200 million rows. Each
reader asks here first, from what the file declares (zip directory, sheet dimension,
Parquet metadata), and refuses with one line that names the file, the size and the
environment variable that raises the cap:

* ``AVOID_SURVEY_MAX_CELLS`` (default 200,000,000): rows x columns of any table;
* ``AVOID_SURVEY_MAX_XLSX_CELLS`` (default 5,000,000): rows x columns of a worksheet
  (Excel cells are read one by one, at about a second per 100,000);
* ``AVOID_SURVEY_MAX_UNZIPPED_MB`` (default 1,000): the unpacked size of an xlsx.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from ..core.errors import AvoidSurveyError

__all__ = ["limit", "check_cells", "check_xlsx", "XLSX_MAGIC_OLE"]

XLSX_MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # a compound file: encrypted workbook or old .xls
_DEFAULTS = {"CELLS": 200_000_000, "XLSX_CELLS": 5_000_000, "UNZIPPED_MB": 1_000}


def limit(name: str) -> int:
    """The cap ``AVOID_SURVEY_MAX_<name>`` (environment), else its default."""
    var = f"AVOID_SURVEY_MAX_{name}"
    raw = os.environ.get(var)
    if raw is None or not raw.strip():
        return _DEFAULTS[name]
    try:
        v = int(float(raw))
        if v <= 0:
            raise ValueError
        return v
    except (ValueError, OverflowError):
        raise AvoidSurveyError(f"environment variable {var} must be a positive whole number, got {raw!r}") from None


def check_cells(p, rows: int, cols: int, name: str = "CELLS", what: str = "table") -> None:
    cap = limit(name)
    if rows * cols > cap:
        raise AvoidSurveyError(f"the {what} declares {rows:,} rows x {cols:,} columns = {rows * cols:,} cells, "
                               f"more than the cap of {cap:,}; set AVOID_SURVEY_MAX_{name} to read it anyway",
                               file=p)


_DIM = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?:?([A-Z]{1,3})(\d+)"')


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_xlsx(p: Path) -> None:
    """An xlsx that openpyxl can read without exhausting memory, else AvoidSurveyError:
    encrypted workbooks, files that are not zip archives, archives that unpack to more than
    the cap, worksheets declaring more cells than the cap."""
    with open(p, "rb") as fh:
        magic = fh.read(8)
    if magic == XLSX_MAGIC_OLE:
        raise AvoidSurveyError("the workbook is password-protected (encrypted) or an old .xls saved under an "
                               ".xlsx name; save an unprotected copy as .xlsx (or export it as CSV)", file=p)
    if not zipfile.is_zipfile(p):
        raise AvoidSurveyError("not an Excel workbook: an .xlsx file is a zip archive and this one is not "
                               "(save it again as .xlsx, or export it as CSV)", file=p)
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            cap = limit("UNZIPPED_MB") * 1_000_000
            if total > cap:
                big = max(infos, key=lambda i: i.file_size)
                raise AvoidSurveyError(f"the workbook unpacks to {total / 1e6:,.0f} MB ({big.filename}: "
                                       f"{big.file_size / 1e6:,.0f} MB), more than the cap of {cap / 1e6:,.0f} MB; "
                                       f"set AVOID_SURVEY_MAX_UNZIPPED_MB to read it anyway", file=p)
            for i in infos:
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"):
                    with z.open(i) as fh:
                        head = fh.read(4096)
                    m = _DIM.search(head)
                    if m and m.group(3) and m.group(4):
                        rows = int(m.group(4))
                        cols = _col_number(m.group(3).decode())
                        check_cells(p, rows, cols, "XLSX_CELLS", f"worksheet {i.filename.rsplit('/', 1)[-1]}")
    except zipfile.BadZipFile as exc:
        raise AvoidSurveyError(f"the workbook is damaged ({exc}); save it again as .xlsx", file=p) from None
