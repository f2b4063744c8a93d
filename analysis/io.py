"""Reading response files into one kind of frame.

``read_data(path, instrument)`` is what analysis commands call: it reads CSV (encoding and
delimiter detected), XLSX, SPSS .sav, Stata .dta or Parquet, maps column aliases of the
instrument to item ids and turns answer labels ("非常同意", "Strongly agree", "5 非常同意")
into codes, so every instrument item column comes back numeric (float, NaN = missing).
Problems that stop a run raise AvoidSurveyError with file, row and column.
"""
from __future__ import annotations

import csv
import io as _io
from pathlib import Path

from .errors import AvoidSurveyError
from .output import register_input

__all__ = ["read_raw", "read_data", "decode_text", "SUPPORTED"]

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav", ".dta", ".parquet")
ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes, file) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030/GBK."""
    if b"\x00" in raw[:1_000_000] or b"\x00" in raw:
        pos = raw.find(b"\x00")
        raise AvoidSurveyError(f"not a text file: NUL byte at offset {pos}", file=file)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf_err = exc
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise AvoidSurveyError(f"cannot decode the file as UTF-8 or GB18030/GBK (bad byte at offset {utf_err.start}); "
                           f"save it as CSV UTF-8", file=file)


def _sniff(text: str) -> str:
    sample = text[:64_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def read_raw(path, *, sheet=None):
    """Read a file as text cells (dtype str, empty -> NaN), header kept as is.

    Returns (frame, info) where info holds format, encoding and delimiter.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise AvoidSurveyError("file not found", file=p)
    if p.is_dir():
        raise AvoidSurveyError("is a directory, not a data file", file=p)
    register_input(p)
    ext = p.suffix.lower()
    info = {"file": str(p), "format": ext.lstrip(".")}
    try:
        if ext in (".csv", ".txt", ".tsv", ""):
            raw = p.read_bytes()
            if not raw.strip():
                raise AvoidSurveyError("the file is empty", file=p)
            text, enc = decode_text(raw, p)
            delim = "\t" if ext == ".tsv" else _sniff(text)
            info.update(encoding=enc, delimiter=delim)
            try:
                df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                                 na_values=[""], skipinitialspace=False, engine="c")
            except pd.errors.ParserError as exc:
                raise AvoidSurveyError(f"cannot parse CSV: {' '.join(str(exc).split())}", file=p) from None
            except pd.errors.EmptyDataError:
                raise AvoidSurveyError("the file is empty", file=p) from None
        elif ext in (".xlsx", ".xlsm"):
            try:
                df = pd.read_excel(p, sheet_name=sheet if sheet is not None else 0, dtype=str)
            except ValueError as exc:
                raise AvoidSurveyError(f"cannot read sheet: {exc}", file=p) from None
        elif ext == ".sav":
            import pyreadstat
            df, _meta = pyreadstat.read_sav(str(p), apply_value_formats=False)
        elif ext == ".dta":
            import pyreadstat
            df, _meta = pyreadstat.read_dta(str(p), apply_value_formats=False)
        elif ext == ".parquet":
            df = pd.read_parquet(p)
        else:
            raise AvoidSurveyError(f"unsupported file type '{ext}' (use {', '.join(SUPPORTED)})", file=p)
    except AvoidSurveyError:
        raise
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise AvoidSurveyError(f"cannot read {ext.lstrip('.') or 'file'}: {' '.join(str(exc).split())[:200]}", file=p) from None
    except Exception as exc:  # readers of binary formats raise their own types
        raise AvoidSurveyError(f"cannot read {ext.lstrip('.')}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}", file=p) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df, info


def _to_codes(series, fmt, column, file):
    """Numeric codes from numbers or answer labels; unparseable -> NaN."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series):
        out = series.astype(float)
    else:
        s = series.astype("string").str.strip()
        out = pd.to_numeric(s, errors="coerce").astype(float)
        todo = out.isna() & s.notna()
        if todo.any() and fmt is not None:
            lm = fmt.label_map()
            mapped = s[todo].map(lambda x: lm.get(" ".join(x.split()), lm.get(" ".join(x.split()).casefold())))
            out[todo] = pd.to_numeric(mapped, errors="coerce")
    if fmt is not None and fmt.missing_codes:
        out[out.isin([float(c) for c in fmt.missing_codes if not isinstance(c, str)])] = np.nan
    return out


def read_data(path, instrument=None, *, sheet=None, mapping=None):
    """Read a response file for analysis.

    Parameters
    ----------
    path : file path (csv, xlsx, sav, dta, parquet)
    instrument : Instrument or None. When given, alias headers are renamed to item ids and
        every item / attention-check / numeric variable column becomes float codes.
    mapping : optional dict {source header: column id} applied before aliases.

    Returns
    -------
    pandas.DataFrame (a new frame; the file is never modified).
    """
    df, info = read_raw(path, sheet=sheet)
    if df.shape[1] == 0:
        raise AvoidSurveyError("no columns", file=path)
    if mapping:
        df = df.rename(columns=dict(mapping))
    if instrument is not None:
        aliases = instrument.aliases()
        known = set(instrument.responses())
        ren = {c: aliases[c] for c in df.columns if c not in known and c in aliases and aliases[c] not in df.columns}
        df = df.rename(columns=ren)
        for col, fmt in instrument.responses().items():
            if col in df.columns and fmt.type in ("likert", "numeric", "boolean", "ordinal"):
                df[col] = _to_codes(df[col], fmt, col, path)
    dup = df.columns[df.columns.duplicated()].tolist()
    if dup:
        raise AvoidSurveyError(f"duplicate column '{dup[0]}'", file=path, row=0, column=dup[0])
    df.attrs["source"] = info
    return df
