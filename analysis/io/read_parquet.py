"""The Parquet reader: columns and types as stored."""
from __future__ import annotations

from pathlib import Path

from .read_excel import positional
from .registry import RawTable

__all__ = ["read_parquet"]


def read_parquet(p: Path, *, instrument=None, mapping=None, sheet=None, progress: bool = False) -> RawTable:
    import pandas as pd

    df = pd.read_parquet(p)
    headers = [str(c).strip() for c in df.columns]
    info = {"file": str(p), "format": "parquet", "header_rows": 1}
    return RawTable(positional(df), headers, info)
