"""The analysed sample (``validate --clean OUT``) and the log of every change made to it.

What OUT holds:

* the rows left by the screening (:mod:`.screening`: blank rows, repeated ids and the
  rules asked for); with ``keep_flagged`` every row, with the flag columns saying which
  rule would remove it (``screened_out`` names the rule, empty when kept);
* codes normalised: answer labels to codes, whole-number codes as integers,
  reverse-keyed items untouched;
* codes outside a Likert item's scale (55 on a 1-5 item) and answers that are not codes
  set to missing;
* personal-data columns dropped unless ``keep_pii``;
* flag columns: ``flag_blank``, ``flag_duplicate``, ``flag_careless`` (at least 2 of the 4
  careless indices, or the screening's ``k``), ``screened_out``, then one 0/1 column per
  index (:data:`FLAG_COLUMNS`) and ``flag_count`` (how many of those are set).

Beside OUT, ``OUT-stem.changes.csv`` (``OUT.changes.csv`` when OUT is not a .csv) lists every change: ``row`` (1-based data row of the
input; ``*`` for a whole column), ``column`` (``*`` for a whole row), ``old``, ``new``,
``rule``.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["FLAG_COLUMNS", "SCREEN_COLUMNS", "clean_frame", "write_clean", "changes_path"]

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
# columns of the screening written before the index flags
SCREEN_COLUMNS = ("flag_blank", "flag_duplicate", "flag_careless", "screened_out")
_CARELESS = ("flag_longstring", "flag_irv", "flag_mahalanobis", "flag_even_odd")


def changes_path(out) -> Path:
    """The change log beside ``out``: ``clean.csv`` -> ``clean.changes.csv``; for any other
    format the extension is kept in the name (``clean.xlsx`` -> ``clean.xlsx.changes.csv``),
    so two cleaned files of one stem never share a log."""
    p = Path(out)
    return p.with_name(f"{p.stem}.changes.csv" if p.suffix.lower() == ".csv" else f"{p.name}.changes.csv")


def _cell(v):
    if v is None:
        return ""
    try:
        if v != v:
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def clean_frame(report, *, keep_pii: bool = False, instrument=None, keep_flagged: bool = False,
                with_changes: bool = False):
    """The analysed sample of ``report`` (see the module docstring); with
    ``with_changes`` also the change log as a DataFrame (row, column, old, new, rule)."""
    import numpy as np
    import pandas as pd

    df = report.frame
    n = len(df)
    changes = []
    out = df.copy()
    ld = getattr(report, "loaded", None)
    # answers that are not codes, and codes outside the scale: missing
    if ld is not None:
        for c, (pos, raw) in ld.bad_cells.items():
            for i, v in zip(pos, raw):
                changes.append((int(i) + 1, c, _cell(v), "", "not_a_code"))
        for c in ld.raw_text_columns:
            if c in out.columns:
                changes.append(("*", c, "answer labels", "codes", "labels_to_codes"))
    if instrument is not None:
        present = set(out.columns)
        for it in [*instrument.items, *instrument.attention_checks]:
            fmt = it.response
            if not fmt.is_likert or it.id not in present or not pd.api.types.is_numeric_dtype(out[it.id]):
                continue
            x = out[it.id].to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(x) & ((x < fmt.min) | (x > fmt.max) | (x != np.round(x)))
            if bad.any():
                for i in np.flatnonzero(bad):
                    changes.append((int(i) + 1, it.id, _cell(x[i]), "", "out_of_range"))
                x = x.copy()
                x[bad] = np.nan
                out[it.id] = x
    if not keep_pii:
        for c in report.pii_columns:
            if c in out.columns:
                out = out.drop(columns=[c])
                changes.append(("*", c, "personal data", "column dropped", "personal_data"))
    resp = instrument.responses() if instrument is not None else {}
    for c in out.columns:
        fmt = resp.get(c)
        if fmt is not None and fmt.type in ("likert", "categorical", "ordinal", "boolean") and \
                pd.api.types.is_float_dtype(out[c]):
            s = out[c]
            nn = s.dropna()   # whole numbers as integers, those an int64 holds (not 1e20)
            if bool(((nn % 1) == 0).all()) and (nn.empty or float(nn.abs().max()) < 2.0 ** 63):
                out[c] = s.astype("Int64")
    # screening flags
    sf = getattr(report, "screen_flags", {}) or {}
    flags = report.flags
    zero = np.zeros(n, bool)

    def fl(name):
        if flags is not None and name in flags.columns:
            return flags[name].to_numpy().astype(bool)
        return zero

    out["flag_blank"] = np.asarray(sf.get("flag_blank", zero), bool).astype(np.int8)
    dup = np.asarray(sf.get("flag_duplicate_id", zero), bool) | np.asarray(sf.get("flag_duplicate_answers", zero), bool)
    out["flag_duplicate"] = dup.astype(np.int8)
    k = getattr(report, "careless_k", 2) or 2
    careless = np.asarray(sf["flag_careless"], bool) if "flag_careless" in sf else \
        sum(fl(c).astype(int) for c in _CARELESS) >= k
    out["flag_careless"] = np.asarray(careless, bool).astype(np.int8)
    keep = report.keep if report.keep is not None else np.ones(n, bool)
    reason = np.full(n, "", dtype=object)
    for st in (report.screening or []):
        name = st["step"]
        col = f"flag_{name}"
        if col in sf:
            m = np.asarray(sf[col], bool) & (reason == "")
            reason[m] = name
    out["screened_out"] = reason
    total = np.zeros(n, np.int64)
    for name in FLAG_COLUMNS:
        v = fl(name).astype(np.int8)
        out[name] = v
        total += v
    out["flag_count"] = total
    if not keep_flagged and not keep.all():
        for i in np.flatnonzero(~keep):
            changes.append((int(i) + 1, "*", "", "row removed", str(reason[i]) or "screening"))
        out = out.loc[keep].reset_index(drop=True)
    if not with_changes:
        return out
    log = pd.DataFrame(changes, columns=["row", "column", "old", "new", "rule"])
    return out, log


def write_clean(report, out, *, keep_pii: bool, instrument, force: bool, lang: str,
                keep_flagged: bool = False) -> str:
    """Write :func:`clean_frame` of ``report`` to ``out`` (format from the extension) and
    its change log beside it (:func:`changes_path`)."""
    from ..io.output import write_atomic
    from ..io.write import write_data

    frame, log = clean_frame(report, keep_pii=keep_pii, instrument=instrument, keep_flagged=keep_flagged,
                             with_changes=True)
    write_data(frame, out, instrument=instrument, force=force, lang=lang)
    write_atomic(changes_path(out), log.to_csv(index=False), force, encoding="utf-8-sig")
    return str(out)
