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
``load.py``        the entry points: read, read_data, read_numeric, load, Loaded
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

from .codes import to_codes
from .encoding import decode_text, detect_encoding
from .headers import norm_header, norm_label
from .load import Loaded, load, read, read_data, read_numeric
from .plain import NumericFrame, read_plain_numeric
from .platforms import PLATFORM_COLUMNS, parse_duration
from .registry import READERS, supported
from .scan import drop_prescan, prescan

__all__ = ["read", "read_data", "read_numeric", "read_plain_numeric", "NumericFrame", "load", "Loaded",
           "decode_text", "detect_encoding", "SUPPORTED", "READERS", "norm_header", "norm_label", "parse_duration",
           "PLATFORM_COLUMNS", "to_codes", "prescan", "drop_prescan"]

SUPPORTED = supported()
