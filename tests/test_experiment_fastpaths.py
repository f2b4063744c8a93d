"""The fast paths of `experiment`: the instrument cache and the byte-level CSV reader give the
same results as the slow paths, and fall back to them (and to their error lines) when needed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.stats.experiment import analyze
from avoid_survey.analysis.stats.experiment.data import _byte_columns, read_columns
from avoid_survey.instruments import cache, load_instrument
from avoid_survey.instruments.loader import _load_path

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "sample_data" / "experiment"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("AVOID_SURVEY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AVOID_SURVEY_NO_CACHE", raising=False)
    return tmp_path / "cache" / "instruments"


def test_cache_round_trip_equals_fresh_load(store):
    for ref in (EX / "ft-vignette.yaml", EX / "reform-conjoint.yaml", "blame-avoidance-core"):
        path = load_instrument(ref).source
        fresh = _load_path(Path(path))
        cache.store(Path(path), fresh)
        again = cache.lookup(Path(path))
        assert again is not None and again == fresh
        assert again.experiment == fresh.experiment
    assert len(list(store.glob("*.bin"))) == 3


def test_cache_misses_after_a_change(store, tmp_path):
    inst = tmp_path / "v.yaml"
    inst.write_text((EX / "ft-vignette.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cache.store(inst, _load_path(inst))
    assert cache.lookup(inst) is not None
    text = inst.read_text(encoding="utf-8").replace("per_respondent: 4", "per_respondent: 3")
    inst.write_text(text, encoding="utf-8")
    os.utime(inst, ns=(1, 1))  # another mtime and size
    assert cache.lookup(inst) is None


def test_cache_off_and_untrusted_entry(store, tmp_path, monkeypatch):
    inst = EX / "ft-vignette.yaml"
    cache.store(inst, _load_path(inst))
    entry = next(store.glob("*.bin"))
    entry.chmod(0o666)  # writable by others: ignored
    assert cache.lookup(inst) is None
    entry.chmod(0o600)
    assert cache.lookup(inst) is not None
    entry.write_bytes(b"not marshal data")
    assert cache.lookup(inst) is None
    monkeypatch.setenv("AVOID_SURVEY_NO_CACHE", "1")
    cache.store(inst, _load_path(inst))
    assert cache.lookup(inst) is None


def test_second_run_needs_neither_pydantic_nor_yaml(tmp_path):
    env = dict(os.environ, AVOID_SURVEY_CACHE_DIR=str(tmp_path))
    code = ("import sys; from avoid_survey.instruments import load_instrument as L; "
            f"i = L({str(EX / 'reform-conjoint.yaml')!r}); "
            "print(i.experiment.factor_ids, 'pydantic' in sys.modules, 'yaml' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split("]")[1].split() == ["True", "True"]
    assert second.stdout.split("]")[1].split() == ["False", "False"]
    assert first.stdout.split("]")[0] == second.stdout.split("]")[0]


def test_byte_reader_equals_text_split(tmp_path):
    rows = ["respondent,task,a,y", "1,1,低,0.5", "1,2,high,", "2,1,低,1e3", "2,2,high,NA"]
    cols = _byte_columns("\n".join(rows[1:]).encode("utf-8"), rows[0].split(","), ",")
    assert [v.decode() for v in cols["a"]] == ["低", "high", "低", "high"]
    assert cols["y"].tolist() == [b"0.5", b"", b"1e3", b"NA"]
    # a row with a missing field: not regular, the caller falls back (and reports the row)
    assert _byte_columns(b"1,1,x,2\n1,2,x\n", ["respondent", "task", "a", "y"], ",") is None
    p = tmp_path / "bad.csv"
    p.write_text("respondent,task,a,y\n1,1,x,2\n1,2,x\n", encoding="utf-8")
    with pytest.raises(AvoidSurveyError) as e:
        read_columns(p)
    assert e.value.row == 2


def test_fast_and_slow_reading_give_the_same_effects(tmp_path):
    """The sample conjoint read by the byte reader and as a DataFrame: identical numbers."""
    import pandas as pd

    inst = EX / "reform-conjoint.yaml"
    a = analyze(EX / "conjoint.csv", inst, moderator="leader").to_dict()
    b = analyze(pd.read_csv(EX / "conjoint.csv"), inst, moderator="leader").to_dict()
    ea = [(e["estimand"], e["model"], e["factor"], e["level"], e.get("group")) for e in a["effects"]]
    assert ea == [(e["estimand"], e["model"], e["factor"], e["level"], e.get("group")) for e in b["effects"]]
    np.testing.assert_allclose([e["se"] for e in a["effects"]], [e["se"] for e in b["effects"]], rtol=1e-12)
    np.testing.assert_allclose([t["statistic"] for t in a["tests"]], [t["statistic"] for t in b["tests"]],
                               rtol=1e-10)


def test_level_text_and_bad_cell_fall_back_with_row(tmp_path):
    inst = load_instrument(EX / "reform-conjoint.yaml")
    f = inst.experiment.factors[0]
    lines = (EX / "conjoint.csv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    j = head.index(f.id)
    cells = lines[3].split(",")
    cells[j] = f.levels[1].text["zh"]  # the platform exported the level's text
    lines[3] = ",".join(cells)
    ok = tmp_path / "text.csv"
    ok.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = analyze(ok, inst)
    assert r.design["n_rows"] == len(lines) - 1
    cells[j] = "nonsense"
    lines[3] = ",".join(cells)
    ok.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AvoidSurveyError) as e:
        analyze(ok, inst)
    assert e.value.row == 3 and e.value.column == f.id


def test_cache_keeps_shared_objects_shared(store):
    """A scale shared by an instrument and the instrument it includes is one object after
    a round trip too: code comparing by identity (the interleaved questionnaire order) gives
    the same answer for a cached and a fresh instrument."""
    from avoid_survey.instruments.loader import bundled_path
    from avoid_survey.instruments.questionnaire import questionnaire_plan

    path = bundled_path("blame-avoidance-core-v2")
    fresh = load_instrument(path)
    cache.store(Path(path), fresh)
    again = cache.lookup(Path(path))
    assert again is not None and again is not fresh

    def order(inst):
        plan = questionnaire_plan(inst, "zh", order="interleaved")
        return [q.id for sec in plan.sections for b in sec.blocks for q in b.questions]

    assert order(again) == order(fresh)
    shared = [s for sub in fresh.includes for s in sub.scales if any(s is t for t in fresh.scales)]
    assert shared   # the fixture really has shared objects
    assert all(any(s is t for t in again.scales) for sub in again.includes for s in sub.scales
               if any(s.id == t.id for t in again.scales))
