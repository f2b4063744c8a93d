"""The Parquet reader: columns and types as stored."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import AvoidSurveyError
from .read_excel import positional
from .registry import RawTable

__all__ = ["read_parquet"]


def read_parquet(p: Path, *, instrument=None, mapping=None, sheet=None, progress: bool = False) -> RawTable:
    """The table as stored. The declared size is checked before anything is read; nested
    columns (lists, structs, maps) become JSON text, with a note."""
    import pyarrow.parquet as pq

    from .guards import check_cells

    try:
        pf = pq.ParquetFile(p)
    except Exception as exc:
        raise AvoidSurveyError(f"not a readable Parquet file: {' '.join(str(exc).split())[:200]}", file=p) from None
    meta = pf.metadata
    check_cells(p, meta.num_rows, max(meta.num_columns, 1))
    table = pf.read()
    nested = [f.name for f in table.schema if _is_nested(f.type)]
    df = table.to_pandas()
    for c in nested:
        df[c] = df[c].map(_as_json)
    if nested:
        import warnings

        from ..core.errors import DataWarning
        warnings.warn(f"{p}: column(s) {', '.join(map(repr, nested))} hold lists or records; read as JSON text",
                      DataWarning, stacklevel=2)
    headers = [str(c).strip() for c in df.columns]
    info = {"file": str(p), "format": "parquet", "header_rows": 1}
    return RawTable(positional(df), headers, info)


def _is_nested(t) -> bool:
    import pyarrow as pa
    return pa.types.is_nested(t)


def _as_json(v):
    """A nested cell as JSON text (None stays missing)."""
    import json

    if v is None:
        return None

    def plain(x):
        if hasattr(x, "tolist"):
            return x.tolist()
        if isinstance(x, dict):
            return {str(k): plain(w) for k, w in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(w) for w in x]
        return x

    return json.dumps(plain(v), ensure_ascii=False, default=str)
