"""Reading response files into one kind of frame.

``read(path, instrument)`` is what every command calls: it reads CSV (encoding and
delimiter detected), XLSX, SPSS .sav, Stata .dta or Parquet, maps column aliases of the
instrument to item ids and turns answer labels ("非常同意", "Strongly agree", "5 非常同意")
into codes, so every instrument item column comes back numeric (float, NaN = missing);
with ``numeric_ok=True`` a plain CSV of whole-number codes is read without pandas.
``load(path, instrument)`` is the full reader behind it (used by ``validate``): a
:class:`Loaded` with the frame plus provenance, so problems can be reported instead of
raised.

Where things are:

=================  ==============================================================
``entry.py``       the entry point: read (plain fast path, else the full reader)
``load.py``        the full reader: load, Loaded, read_data
``registry.py``    READERS: file extension -> reader (how to add a format)
``read_csv.py``    CSV / TSV / TXT (GB18030, BOM, delimiter, Qualtrics header rows)
``scan.py``        chunked checks of large CSV files, the prescan thread, progress bar
``read_excel.py``  xlsx / xlsm;  ``read_stat.py``: sav / dta;  ``read_parquet.py``
``plain.py``       the plain-CSV fast path (NumericFrame, read_plain_numeric)
``encoding.py``    UTF-8 / GB18030 detection, delimiter sniffing
``headers.py``     headers -> instrument columns (ids, aliases, question text)
``platforms.py``   Wenjuanxing / Qualtrics metadata columns, durations, "no answer" tokens
``codes.py``       answer labels -> codes, value labels, out-of-scale Likert codes
``write.py``       data writers;  ``output.py``: safe atomic output files
=================  ==============================================================
"""
from __future__ import annotations

import sys
import types
from importlib import import_module

from ..core.lazy import lazy_exports

# public name -> the module of this package that defines it; imported on first use, so that
# loading one reading module (``readopts``, ``plain``) does not load the others
_PUBLIC = {
    "to_codes": "codes", "decode_text": "encoding", "detect_encoding": "encoding", "norm_header": "headers",
    "norm_label": "headers", "Loaded": "load", "load": "load", "read": "entry", "read_data": "load",
    "read_numeric": "entry", "NumericFrame": "plain", "read_plain_numeric": "plain",
    "PLATFORM_COLUMNS": "platforms", "parse_duration": "platforms", "READERS": "registry", "supported": "registry",
    "drop_prescan": "scan", "prescan": "scan",
}

__all__ = ["read", "read_data", "read_numeric", "read_plain_numeric", "NumericFrame", "load", "Loaded",
           "decode_text", "detect_encoding", "SUPPORTED", "READERS", "norm_header", "norm_label", "parse_duration",
           "PLATFORM_COLUMNS", "to_codes", "prescan", "drop_prescan"]


__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC, globals(), listed=__all__,
                                     special={"SUPPORTED": lambda: import_module(f"{__name__}.registry").supported()})


class _Package(types.ModuleType):
    """This package's module type: importing the submodule ``load`` binds the package's
    ``load`` to the submodule (Python's import system does that); here it becomes the function
    ``load.load`` again, as ``from .load import load`` made it when this package imported
    everything at once."""

    def __setattr__(self, name, value):
        if name == "load" and isinstance(value, types.ModuleType):
            value = value.load
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
