"""Writing data files (score --out, validate --clean, simulate --out), by extension.

.csv is UTF-8 with BOM (so Excel in China opens it); .xlsx; .sav and .dta carry variable
and value labels from the instrument; .parquet. Always atomic, never over an existing file
without ``force``, never over an input.
"""
from __future__ import annotations

from pathlib import Path

from ..core.errors import AvoidSurveyError
from .output import write_atomic_with

__all__ = ["write_data", "DATA_FORMATS"]

DATA_FORMATS = (".csv", ".xlsx", ".sav", ".dta", ".parquet")


def _labels(instrument, columns, lang):
    """Variable labels and value labels for the columns the instrument knows."""
    from avoid_survey.analysis.core.i18n import text_in

    var_labels, value_labels = {}, {}
    if instrument is None:
        return var_labels, value_labels
    resp = instrument.responses()
    texts = {}
    for it in instrument.items:
        texts[it.id] = it.wording(lang)
    for v in instrument.variables:
        texts[v.id] = v.name(lang)
    for a in instrument.attention_checks:
        texts[a.id] = text_in(a.text, lang)
    for s in instrument.all_scales():
        texts[s.id] = s.name(lang)
    for c in columns:
        if c in texts and texts[c]:
            var_labels[c] = texts[c][:80]
        fmt = resp.get(c)
        if fmt is not None and fmt.labels and fmt.type in ("likert", "categorical", "ordinal", "boolean"):
            vl = {}
            for code, t in fmt.labels.items():
                try:
                    vl[float(code)] = text_in(t, lang)
                except (TypeError, ValueError):
                    continue
            if vl:
                value_labels[c] = vl
    return var_labels, value_labels


def write_data(df, path, *, instrument=None, force: bool = False, lang: str = "zh") -> Path:
    """Write ``df`` to ``path``; the format follows the extension."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in DATA_FORMATS:
        raise AvoidSurveyError(f"unsupported output type '{ext or '(none)'}' (use {', '.join(DATA_FORMATS)})", file=p)

    def _w(tmp):
        if ext == ".csv":
            df.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif ext == ".xlsx":
            df.to_excel(tmp, index=False, engine="openpyxl")
        elif ext == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            import pyreadstat
            out = df.copy()
            # pyreadstat wants plain column names and no pandas extension dtypes
            for c in out.columns:
                if str(out[c].dtype) in ("string", "str") or out[c].dtype == object:
                    out[c] = out[c].astype(object).where(out[c].notna(), None)
                    out[c] = out[c].map(lambda v: v if v is None else str(v))
                elif str(out[c].dtype).startswith(("Int", "Float", "boolean")):
                    out[c] = out[c].astype(float)
            vl, val = _labels(instrument, out.columns, lang)
            if ext == ".sav":
                pyreadstat.write_sav(out, tmp, column_labels=[vl.get(c, "") for c in out.columns],
                                     variable_value_labels=val)
            else:
                bad = [c for c in out.columns if not c.isidentifier() or len(c) > 32]
                if bad:
                    raise AvoidSurveyError(f"Stata variable names must be identifiers of at most 32 characters: '{bad[0]}'",
                                           file=p, column=bad[0])
                # Stata value labels need integer codes
                val_int = {c: {int(k): v for k, v in m.items() if float(k).is_integer()} for c, m in val.items()}
                pyreadstat.write_dta(out, tmp, column_labels=[vl.get(c, "")[:80] for c in out.columns],
                                     variable_value_labels=val_int)

    try:
        return write_atomic_with(p, _w, force)
    except AvoidSurveyError:
        raise
    except (OSError, ValueError, TypeError) as exc:
        raise AvoidSurveyError(f"cannot write {ext.lstrip('.')}: {' '.join(str(exc).split())[:200]}", file=p) from None
