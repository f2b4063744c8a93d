"""JSON: a result's ``to_dict()`` as one indented document (what ``--format json`` prints).

Kept free of heavy imports (numpy is only consulted when an analysis already loaded it),
so the command line can import it at start-up.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = ["clean_json", "dumps_json", "render_json"]


def clean_json(obj):
    """NaN/inf to null, numpy scalars to Python numbers, tuples to lists."""
    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    # numpy scalars and friends
    try:
        import numpy as np  # only reached when numpy is already loaded by an analysis
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            f = float(obj)
            return f if math.isfinite(f) else None
        if isinstance(obj, np.ndarray):
            return clean_json(obj.tolist())
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def dumps_json(obj) -> str:
    """Indented JSON: objects and lists open one level per line down to depth 2; deeper
    values, and each element of a long list (findings, parameters), are written on one line
    by the C encoder. ``json.dumps(indent=2)`` takes the pure-Python encoder, which needs
    about 0.1 s for a validation report of a few thousand findings."""
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
    out: list[str] = []

    def put(o, level: int) -> None:
        pad = "  " * level
        if isinstance(o, dict) and o and level < 2:
            out.append("{")
            last = len(o) - 1
            for i, (k, v) in enumerate(o.items()):
                out.append(f"\n{pad}  {enc(str(k))}: ")
                put(v, level + 1)
                if i < last:
                    out.append(",")
            out.append(f"\n{pad}}}")
        elif isinstance(o, list) and o and level < 2 and any(isinstance(v, (dict, list)) for v in o):
            out.append("[")
            last = len(o) - 1
            for i, v in enumerate(o):
                out.append(f"\n{pad}  {enc(v)}")
                if i < last:
                    out.append(",")
            out.append(f"\n{pad}]")
        else:
            out.append(enc(o))

    put(clean_json(obj), 0)
    return "".join(out)


def render_json(result) -> str:
    """The JSON document of ``result`` (anything with ``to_dict()``), newline-terminated."""
    return dumps_json(result.to_dict()) + "\n"
