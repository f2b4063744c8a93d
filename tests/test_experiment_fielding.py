"""Fielding without randomisation: one questionnaire per version and a design file
(`instruments export --kind versions`), and platform exports read back: long data with a
version column, wide exports (one row per respondent), Qualtrics conjoint exports."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.instruments import load_instrument
from avoid_survey.instruments.versions import versions

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "sample_data" / "experiment"
VIG, CJ = EX / "ft-vignette.yaml", EX / "reform-conjoint.yaml"


def _effects(r):
    effects = r.to_dict()["effects"] if hasattr(r, "to_dict") else r
    out = {}
    for e in effects:
        key = (e["estimand"], e["model"], e["factor"], e["level"], e.get("group"))
        out[key + ("estimate",)], out[key + ("se",)] = e["estimate"], e["se"]
    return out


def test_vignette_versions_form_a_latin_square():
    exp = load_instrument(VIG).experiment
    vs = versions(exp)
    assert len(vs) == 8 and all(len(v.screens) == 4 for v in vs)
    # every cell in every position exactly... once per position over the first 8 versions
    for pos in range(4):
        assert sorted(v.cells[pos][0] for v in vs) == list(range(1, 9))
    assert all(len(set(c[0] for c in v.cells)) == 4 for v in vs)  # no cell twice in a version


def test_export_versions_cli(tmp_path, cli):
    code, out, err = cli("instruments", "export", VIG, "--kind", "versions", "--to", tmp_path / "ft.html")
    assert code == 0, err
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["ft-design.csv", *(f"ft-v{k:02d}.html" for k in range(1, 9))]
    html = (tmp_path / "ft-v02.html").read_text(encoding="utf-8")
    exp = load_instrument(VIG).experiment
    design = pd.read_csv(tmp_path / "ft-design.csv", encoding="utf-8-sig")
    shown = design[design["version"] == 2].sort_values("vignette")
    assert len(shown) == 4
    for _, row in shown.iterrows():  # the questionnaire shows the design file's vignettes, in order
        assert exp.vignette({f: row[f] for f in exp.factor_ids}, "zh") in html
    pos = [html.index(t) for t in shown["text_zh"]]
    assert pos == sorted(pos)
    assert "情境1" in html and "版本2" in html
    # docx, English, conjoint with its profile tables
    code, _, err = cli("instruments", "export", CJ, "--kind", "versions", "--to", tmp_path / "cj.docx",
                       "--versions", "3", "--lang", "en", "--seed", "7")
    assert code == 0, err
    import docx

    d = docx.Document(tmp_path / "cj-v01.docx")
    cj = load_instrument(CJ).experiment
    assert len(d.tables) >= cj.per_respondent
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["Attribute", "Option 1", "Option 2"]
    cd = pd.read_csv(tmp_path / "cj-design.csv", encoding="utf-8-sig")
    assert len(cd) == 3 * cj.per_respondent * cj.profiles and cd["attribute_order"].nunique() >= 1
    # refuses to overwrite
    code, _, err = cli("instruments", "export", CJ, "--kind", "versions", "--to", tmp_path / "cj.docx",
                       "--versions", "3")
    assert code == 2 and "exists" in err
    code, _, err = cli("instruments", "export", "blame-avoidance-core", "--kind", "versions", "--to",
                       tmp_path / "x.html")
    assert code == 2 and "no experiment" in err


def _versioned_data(tmp_path, exp, n_resp=240, seed=3):
    """Respondents given versions in turn; outcomes with known effects; long and wide exports."""
    vs = versions(exp)
    rng = np.random.default_rng(seed)
    long_rows, wide_rows = [], []
    for r in range(1, n_resp + 1):
        v = vs[(r - 1) % len(vs)]
        wide = {"respondent": r, "version": v.number, "age": int(rng.integers(25, 60))}
        for k, screen in enumerate(v.screens, 1):
            cell = screen[0]
            y = 4 + 0.5 * (cell["ft_list"] == "published") - 0.4 * (cell["severity"] == "severe") + rng.normal()
            y = round(float(y), 3)
            long_rows.append({"respondent": r, "version": v.number, "vignette": k, **cell, "innovate": y,
                              "age": wide["age"]})
            wide[f"innovate_{k}"] = y
        wide_rows.append(wide)
    return pd.DataFrame(long_rows), pd.DataFrame(wide_rows), vs


def test_long_and_wide_exports_match_the_design(tmp_path, cli):
    inst = load_instrument(VIG)
    long, wide, vs = _versioned_data(tmp_path, inst.experiment)
    code, _, err = cli("instruments", "export", VIG, "--kind", "versions", "--to", tmp_path / "ft.html")
    assert code == 0, err
    design = tmp_path / "ft-design.csv"
    truth = analyze(long, VIG)
    # long export holding only the version (the platform did not record the levels)
    only_version = long.drop(columns=list(inst.experiment.factor_ids))
    p = tmp_path / "long.csv"
    only_version.to_csv(p, index=False)
    assert _effects(analyze(p, VIG, design=design)) == pytest.approx(_effects(truth), rel=1e-12)
    # wide export: one row per respondent, innovate_1..innovate_4, a version column
    w = tmp_path / "wide.csv"
    wide.to_csv(w, index=False)
    code, out, err = cli("experiment", w, "-i", VIG, "--design", design, "--format", "json", "-c", "age")
    assert code == 0, err
    got = _effects(json.loads(out)["effects"])
    assert got == pytest.approx(_effects(analyze(long, VIG, covariates=["age"])), rel=1e-12)
    # a version that is not in the design file: one line naming the row
    bad = wide.copy()
    bad.loc[5, "version"] = 99
    bad.to_csv(w, index=False)
    code, _, err = cli("experiment", w, "-i", VIG, "--design", design)
    assert code == 2 and "version 99, vignette 1 is not in the design file" in err, err
    assert "row 6" in err or ":7" in err, err


def test_wide_export_with_embedded_conditions(tmp_path):
    """问卷星-style: the levels of each vignette embedded as ft_list_1, severity_1, ... columns."""
    exp = load_instrument(VIG).experiment
    long, _, _ = _versioned_data(tmp_path, exp, n_resp=120)
    wide = long.pivot(index="respondent", columns="vignette",
                      values=["ft_list", "severity", "task", "innovate"])
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.reset_index()
    truth = analyze(long.drop(columns=["version"]), VIG)
    assert _effects(analyze(wide, VIG)) == pytest.approx(_effects(truth), rel=1e-12)


def test_qualtrics_conjoint_export(tmp_path):
    """Qualtrics conjoint: F-t-j attribute names (in a random order per respondent), F-t-p-j
    levels as shown (level texts), the choice of task t in chosen_t."""
    inst = load_instrument(CJ)
    exp = inst.experiment
    from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment

    long = simulate_experiment(exp, 150, effects={"scope": {"broad": 0.8}}, seed=11)
    rng = np.random.default_rng(2)
    rows = []
    for r, g in long.groupby("respondent", sort=True):
        order = [exp.factor_ids[i] for i in rng.permutation(len(exp.factor_ids))]
        row = {"ResponseId": f"R_{r}", "respondent": r}
        for t, gt in g.groupby("task"):
            for j, fid in enumerate(order, 1):
                row[f"F-{t}-{j}"] = exp.factor(fid).name("en")
                for _, pr in gt.iterrows():
                    row[f"F-{t}-{int(pr['profile'])}-{j}"] = exp.factor(fid).level(pr[fid]).wording("zh")
            row[f"chosen_{t}"] = int(gt.loc[gt["chosen"] == 1, "profile"].iloc[0])
        rows.append(row)
    q = tmp_path / "qualtrics.csv"
    pd.DataFrame(rows).to_csv(q, index=False)
    got, truth = _effects(analyze(q, CJ)), _effects(analyze(long, CJ))
    assert set(got) == set(truth)
    assert got == pytest.approx(truth, rel=1e-10)
    # an attribute name the experiment does not know
    bad = pd.DataFrame(rows)
    bad.loc[3, "F-1-2"] = "Colour"
    bad.to_csv(q, index=False)
    with pytest.raises(AvoidSurveyError) as e:
        analyze(q, CJ)
    assert "'Colour' is not an attribute" in str(e.value) and e.value.row == 4
