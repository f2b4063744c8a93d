"""Clean data (``validate --clean OUT``): codes normalised, reverse-keyed items untouched,
PII columns dropped (unless ``keep_pii``) and one 0/1 flag column per index, plus
``flag_count`` (how many flags are set)."""
from __future__ import annotations

__all__ = ["FLAG_COLUMNS", "clean_frame", "write_clean"]

# flag column -> the finding code that sets it
FLAG_COLUMNS = {
    "flag_longstring": "longstring",
    "flag_irv": "low-irv",
    "flag_mahalanobis": "mahalanobis-outlier",
    "flag_even_odd": "even-odd-inconsistent",
    "flag_speeder": "speeder",
    "flag_attention": "attention-failed",
    "flag_missing": "respondent-missing",
}


def clean_frame(report, *, keep_pii: bool = False, instrument=None):
    """The data to write with ``--clean``: codes normalised (whole-number codes as
    integers), reverse-keyed items untouched, PII columns dropped unless ``keep_pii``, and
    the 0/1 flag columns of :data:`FLAG_COLUMNS` plus ``flag_count``."""
    import numpy as np
    import pandas as pd

    df = report.frame
    out = df.drop(columns=[c for c in report.pii_columns if c in df.columns]) if not keep_pii else df.copy()
    if out is df:
        out = df.copy()
    resp = instrument.responses() if instrument is not None else {}
    for c in out.columns:
        fmt = resp.get(c)
        if fmt is not None and fmt.type in ("likert", "categorical", "ordinal", "boolean") and \
                pd.api.types.is_float_dtype(out[c]):
            s = out[c]
            if bool(((s.dropna() % 1) == 0).all()):
                out[c] = s.astype("Int64")
    n = len(out)
    total = np.zeros(n, np.int64)
    for name in FLAG_COLUMNS:
        if report.flags is not None and name in report.flags.columns:
            v = report.flags[name].to_numpy().astype(np.int8)
        else:
            v = np.zeros(n, np.int8)
        out[name] = v
        total += v
    out["flag_count"] = total
    return out


def write_clean(report, out, *, keep_pii: bool, instrument, force: bool, lang: str) -> str:
    """Write :func:`clean_frame` of ``report`` to ``out`` (format from the extension)."""
    from ..io.write import write_data

    write_data(clean_frame(report, keep_pii=keep_pii, instrument=instrument), out, instrument=instrument,
               force=force, lang=lang)
    return str(out)
