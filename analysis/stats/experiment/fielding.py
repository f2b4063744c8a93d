"""Fielding a survey experiment on a platform without randomisation: the assignment file.

One row per respondent x vignette (or x task x profile): the respondent number, the
position, ``cell`` (the run's number in the design, 1-based: a platform that shows "version
k" of the questionnaire needs to export only this column), each factor's level id, and for a vignette the full text in every language of the
instrument (``text_zh``, ``text_en``); for a conjoint with ``randomize_order: true`` the
attribute order shown to that respondent (``attribute_order``, ids joined by ``|``). The
same columns, with the outcome added, are what ``experiment DATA`` reads back.
"""
from __future__ import annotations

__all__ = ["assignments", "write_design"]


def assignments(exp, respondents: int, seed: int = 1, languages=("zh", "en")):
    """The assignment table as a pandas DataFrame."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    cells = exp.cells()
    per, prof = exp.per_respondent, exp.profiles
    rows = []
    for r in range(1, respondents + 1):
        if exp.type == "vignette" and len(cells) >= per:
            picks = rng.permutation(len(cells))[:per]
        else:
            picks = rng.integers(0, len(cells), per * prof)
        order = list(exp.factor_ids)
        if exp.type == "conjoint" and exp.randomize_order:
            order = [order[i] for i in rng.permutation(len(order))]
        for j, c in enumerate(picks):
            row = {exp.respondent: r}
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
