"""Fielding a survey experiment on a platform without randomisation: the assignment file.

One row per respondent x vignette (or x task x profile): the respondent number, the
position, ``cell`` (the run's number in the design, 1-based: a platform that shows "version
k" of the questionnaire needs to export only this column), each factor's level id, and for a vignette the full text in every language of the
instrument (``text_zh``, ``text_en``); for a conjoint with ``randomize_order: true`` the
attribute order shown to that respondent (``attribute_order``, ids joined by ``|``). The
same columns, with the outcome added, are what ``experiment DATA`` reads back.

Platform exports are read back by :func:`long_format` (called by ``analyze``): long data
with a ``version`` column matched to the design file of ``instruments export --kind
versions`` (``experiment DATA --design FILE``), wide exports with one row per respondent
(``<outcome>_k`` columns, conditions embedded as ``<factor>_k`` / ``cell_k`` or a version
column), and Qualtrics conjoint exports (``F-t-j`` / ``F-t-p-j`` columns).
"""
from __future__ import annotations

__all__ = ["assignments", "write_design"]


def assignments(exp, respondents: int, seed: int = 1, languages=("zh", "en")):
    """The assignment table as a pandas DataFrame."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cells = exp.cells()
    blocks = exp.block_cells()
    per, prof = exp.per_respondent, exp.profiles
    rows = []
    for r in range(1, respondents + 1):
        b = (r - 1) % len(blocks)          # blocked design: respondents take the blocks in turn
        block = blocks[b]
        if exp.type == "vignette" and len(block) >= per:
            picks = [block[int(i)] for i in rng.permutation(len(block))[:per]]
        else:
            picks = [block[int(i)] for i in rng.integers(0, len(block), per * prof)]
        order = list(exp.factor_ids)
        if exp.type == "conjoint" and exp.randomize_order:
            order = [order[i] for i in rng.permutation(len(order))]
        for j, c in enumerate(picks):
            row = {exp.respondent: r}
            if exp.blocks:
                row["block"] = b + 1
            if exp.type == "conjoint":
                row["task"], row["profile"] = j // prof + 1, j % prof + 1
            else:
                row["vignette"] = j + 1
            row["cell"] = int(c) + 1
            row.update(cells[int(c)])
            if exp.type == "vignette":
                for lang in languages:
                    row[f"text_{lang}"] = exp.vignette(cells[int(c)], lang)
            elif exp.randomize_order:
                row["attribute_order"] = "|".join(order)
            rows.append(row)
    return pd.DataFrame(rows)


def write_design(instrument, path, *, respondents: int = 100, seed: int = 1, force: bool = False) -> int:
    """Write the assignment file (csv with BOM, or xlsx by extension); returns its rows."""
    from avoid_survey.analysis.io.write import write_data

    from . import experiment_of

    inst, exp = experiment_of(instrument)
    frame = assignments(exp, respondents, seed, tuple(inst.languages) or ("zh", "en"))
    write_data(frame, path, force=force)
    return len(frame)


# ---------------------------------------------------------------- reading platform exports back
_QUALTRICS = None
SOURCE_ROW = "\x00source_row"   # reshaped data: the file row each long row came from


def _qualtrics_re():
    import re

    global _QUALTRICS
    if _QUALTRICS is None:
        _QUALTRICS = (re.compile(r"^F-(\d+)-(\d+)$"), re.compile(r"^F-(\d+)-(\d+)-(\d+)$"))
    return _QUALTRICS


def long_format(cols: dict, exp, outcomes, *, design: dict | None = None, file=None, design_file=None) -> dict:
    """Long-format columns (as :func:`.data.read_columns` gives) from what a platform
    exports, for :func:`.data.prepare`:

    - a Qualtrics conjoint export (``F-t-j``: the attribute shown in row j of task t,
      ``F-t-p-j``: the level of profile p in that row; one row per respondent, the choice of
      task t in ``<outcome>_t`` holding the chosen profile's number);
    - a wide export, one row per respondent: the outcome of vignette (task) k in
      ``<outcome>_k`` (``<outcome>k``, ``<outcome>.k`` too; a conjoint choice holds the chosen
      profile's number, ratings are ``<outcome>_t_p``); conditions embedded per position as
      ``<factor>_k`` (``<factor>_t_p``) or ``cell_k`` columns, or a respondent-level
      ``version`` column with ``design`` (the design file of ``instruments export --kind
      versions``);
    - long data with a ``version`` column and ``design``: the factor columns are filled from
      the design by version and position.
    """
    from .data import _as_text

    cols = {k: (v if k == SOURCE_ROW else _as_text(v)) for k, v in cols.items()}
    outcomes = [o for o in outcomes if o]
    if any(_qualtrics_re()[1].match(k) for k in cols):
        cols = _from_qualtrics(cols, exp, outcomes, file)
    elif outcomes and outcomes[0] not in cols:
        wide = _from_wide(cols, exp, outcomes, file)
        if wide is not None:
            cols = wide
    if design is not None:
        cols = _with_design(cols, exp, design, file, design_file)
    return cols


def _positions(cols, name):
    """{k: column} of ``name_k`` / ``name.k`` / ``name-k`` / ``namek`` columns, and
    {(t, p): column} of ``name_t_p``."""
    import re

    one, two = {}, {}
    pat1 = re.compile(rf"^{re.escape(name)}[_.\-]?(\d+)$")
    pat2 = re.compile(rf"^{re.escape(name)}[_.\-](\d+)[_.\-](\d+)$")
    for k in cols:
        m = pat2.match(k)
        if m:
            two[(int(m.group(1)), int(m.group(2)))] = k
            continue
        m = pat1.match(k)
        if m:
            one[int(m.group(1))] = k
    return one, two


def _n_rows(cols) -> int:
    return len(next(iter(cols.values()))) if cols else 0


def _respondents(cols, exp):
    n = _n_rows(cols)
    return cols.get(exp.respondent) or [str(i) for i in range(1, n + 1)]


def _from_wide(cols, exp, outcomes, file):
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    first, first2 = _positions(cols, outcomes[0])
    if not first and not first2:
        return None
    conj = exp.type == "conjoint"
    keys = sorted(first2) if (conj and first2) else [(k, None) for k in sorted(first)]
    if conj and not first2:
        keys = [(t, p) for t in sorted(first) for p in range(1, exp.profiles + 1)]
    position_cols = set()
    per_outcome = {}
    for o in outcomes:
        one, two = _positions(cols, o)
        per_outcome[o] = (one, two)
        position_cols |= set(one.values()) | set(two.values())
    factor_pos = {f.id: _positions(cols, f.id) for f in exp.factors}
    cell_pos = _positions(cols, "cell")
    for one, two in (*factor_pos.values(), cell_pos):
        position_cols |= set(one.values()) | set(two.values())
    constant = [k for k in cols if k not in position_cols and k != SOURCE_ROW]
    resp = _respondents(cols, exp)
    out = {k: [] for k in dict.fromkeys([exp.respondent, *constant])}
    pos_names = ["task", "profile"] if conj else ["vignette"]
    for k in pos_names:
        out[k] = []
    for o in outcomes:
        out[o] = []
    out[SOURCE_ROW] = []
    embedded = {f.id for f, (one, two) in zip(exp.factors, factor_pos.values()) if (two if conj else one)}
    if conj and not embedded:
        embedded = {f.id for f, (one, two) in zip(exp.factors, factor_pos.values()) if two}
    for f in embedded:
        out[f] = []
    has_cell = bool(cell_pos[1] if conj else cell_pos[0])
    if has_cell:
        out["cell"] = []
    for i in range(_n_rows(cols)):
        for t, p in keys:
            out[SOURCE_ROW].append(cols[SOURCE_ROW][i] if SOURCE_ROW in cols else i + 1)
            out[exp.respondent].append(resp[i])
            for k in constant:
                if k != exp.respondent:
                    out[k].append(cols[k][i])
            if conj:
                out["task"].append(str(t))
                out["profile"].append(str(p))
            else:
                out["vignette"].append(str(t))
            for o in outcomes:
                one, two = per_outcome[o]
                if conj and (t, p) in two:
                    out[o].append(cols[two[(t, p)]][i])
                elif conj and t in one:
                    v = cols[one[t]][i].strip()
                    if v == "":
                        out[o].append("")
                    elif v not in {str(q) for q in range(1, exp.profiles + 1)}:
                        raise AvoidSurveyError(f"the choice '{v}' is not a profile number (1..{exp.profiles})",
                                               file=file, row=i + 1, column=one[t])
                    else:
                        out[o].append("1" if v == str(p) else "0")
                elif not conj and t in one:
                    out[o].append(cols[one[t]][i])
                else:
                    out[o].append("")
            for f in embedded:
                one, two = factor_pos[f]
                col = two.get((t, p)) if conj else one.get(t)
                out[f].append(cols[col][i] if col else "")
            if has_cell:
                col = cell_pos[1].get((t, p)) if conj else cell_pos[0].get(t)
                out["cell"].append(cols[col][i] if col else "")
    return out


def _from_qualtrics(cols, exp, outcomes, file):
    """A Qualtrics conjoint export: F-t-j attribute names, F-t-p-j levels."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    rx_attr, rx_level = _qualtrics_re()
    attr_at, level_at = {}, {}
    for k in cols:
        m = rx_level.match(k)
        if m:
            level_at[tuple(int(x) for x in m.groups())] = k
            continue
        m = rx_attr.match(k)
        if m:
            attr_at[tuple(int(x) for x in m.groups())] = k
    names = {}
    for f in exp.factors:
        for t in (f.id, *(f.label or {}).values()):
            names[" ".join(str(t).split())] = f.id
    tasks = sorted({t for t, _, _ in level_at})
    profiles = sorted({p for _, p, _ in level_at})
    rows_of = sorted({j for _, _, j in level_at})
    wide = {k: v for k, v in cols.items() if k not in attr_at.values() and k not in level_at.values()}
    wide[SOURCE_ROW] = list(range(1, _n_rows(cols) + 1))
    for f in exp.factors:
        for t in tasks:
            for p in profiles:
                wide[f"{f.id}_{t}_{p}"] = [""] * _n_rows(cols)
    for i in range(_n_rows(cols)):
        for t in tasks:
            for j in rows_of:
                key = attr_at.get((t, j)) or attr_at.get((1, j))
                if key is None:
                    raise AvoidSurveyError(f"no column F-{t}-{j} names the attribute of row {j} of task {t}", file=file)
                shown = " ".join(cols[key][i].split())
                fid = names.get(shown)
                if fid is None:
                    raise AvoidSurveyError(f"'{shown}' is not an attribute of the experiment (attributes: "
                                           f"{', '.join(exp.factor_ids)})", file=file, row=i + 1, column=key)
                for p in profiles:
                    if (t, p, j) in level_at:
                        wide[f"{fid}_{t}_{p}"][i] = cols[level_at[(t, p, j)]][i]
    out = _from_wide(wide, exp, outcomes, file)
    if out is None:
        raise AvoidSurveyError(f"the Qualtrics export has no choice columns {outcomes[0]}_1, {outcomes[0]}_2, ... "
                               f"(rename the task questions, or give --outcome)", file=file)
    return out


def _with_design(cols, exp, design, file, design_file):
    """Factor columns filled from the design file by version and position."""
    from avoid_survey.analysis.core.errors import AvoidSurveyError

    from .data import _as_text

    design = {k: _as_text(v) for k, v in design.items()}
    design_file = design_file or "design file"
    pos = ["task", "profile"] if exp.type == "conjoint" else ["vignette"]
    for k in ("version", *pos):
        if k not in design:
            raise AvoidSurveyError(f"the design file has no '{k}' column (write it with instruments export "
                                   f"--kind versions)", file=design_file, column=k)
        if k not in cols:
            raise AvoidSurveyError(f"the data have no '{k}' column to match the design file by", file=file, column=k)
    table = {}
    for r in range(_n_rows(design)):
        key = tuple(design[k][r].strip() for k in ("version", *pos))
        table[key] = {f.id: design[f.id][r] for f in exp.factors if f.id in design}
    out = dict(cols)
    for f in exp.factors:
        out[f.id] = []
    for i in range(_n_rows(cols)):
        key = tuple(_int_text(cols[k][i]) for k in ("version", *pos))
        hit = table.get(key)
        if hit is None:
            where = ", ".join(f"{k} {v}" for k, v in zip(("version", *pos), key))
            src = cols[SOURCE_ROW][i] if SOURCE_ROW in cols else i + 1
            raise AvoidSurveyError(f"{where} is not in the design file", file=file, row=src, column="version")
        for f in exp.factors:
            out[f.id].append(hit.get(f.id, ""))
    return out


def _int_text(v: str) -> str:
    v = v.strip()
    try:
        x = float(v)
    except ValueError:
        return v
    return str(int(x)) if x.is_integer() else v
