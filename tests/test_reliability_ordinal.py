"""`reliability --ordinal`: ordinal alpha and omega against R psych
(tests/reference/reliability_ordinal.R -> reliability_ordinal.json)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from avoid_survey.analysis.io import read
from avoid_survey.analysis.stats.reliability import reliability
from avoid_survey.cli.main import run
from avoid_survey.instruments import load_instrument

REF = Path(__file__).parent / "reference"
FIX = json.loads((REF / "reliability_ordinal.json").read_text(encoding="utf-8"))
INST = REF / "reliability_ordinal.yaml"
DATA = REF / "data" / "reliability_ordinal.csv"
TOL = 1e-4   # psych's polychoric stops optimize() at ~1e-4 on rho; observed max |diff| 7e-6
KEYS = ("alpha_ordinal", "omega_total_ordinal", "omega_h_ordinal", "omega_total_sl_ordinal")


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_ordinal_alpha_omega_equal_psych(missing):
    inst = load_instrument(INST)
    res = reliability(read(DATA, inst), inst, missing=missing, ordinal=True)
    ref = FIX[missing]
    assert {s.scale for s in res.scales} == set(ref)
    for s in res.scales:
        r = ref[s.scale]
        assert s.n == r["n"]
        assert s.alpha == pytest.approx(r["pearson_alpha"], abs=1e-6)     # Pearson side unchanged
        for key in KEYS:
            if key in r:
                assert getattr(s, key) == pytest.approx(r[key], abs=TOL), (s.scale, key)
            else:
                assert math.isnan(getattr(s, key))                        # no facets: no omega_h
        assert s.alpha_ordinal > s.alpha                                   # skewed items: attenuated Pearson


def test_json_keys_only_with_ordinal(capsys):
    code = run(["reliability", str(DATA), "-i", str(INST), "--format", "json"])
    plain = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "alpha_ordinal" not in plain["scales"][0] and "ordinal" not in plain
    code = run(["reliability", str(DATA), "-i", str(INST), "--format", "json", "--ordinal"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["ordinal"]["correlation"] == "polychoric"
    sc = {s["scale"]: s for s in d["scales"]}
    for key in ("alpha_ordinal", "omega_total_ordinal", "omega_h_ordinal"):
        assert key in sc["avoidance"]
    assert sc["avoidance"]["omega_h_ordinal"] == pytest.approx(FIX["pairwise"]["avoidance"]["omega_h_ordinal"], abs=TOL)
    assert sc["active"]["omega_h_ordinal"] is None
    # everything else is what the plain run printed
    for a, b in zip(plain["scales"], d["scales"]):
        assert {k: v for k, v in b.items() if not k.endswith("_ordinal")} == a


def test_table_shows_ordinal_beside_pearson(capsys):
    code = run(["reliability", str(DATA), "-i", str(INST), "--format", "md", "--ordinal", "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 0 and "序数 α" in out and "Pearson α" in out


def test_api_ordinal():
    import avoid_survey as av

    res = av.reliability(DATA, INST, ordinal=True)
    assert res.scale("avoidance").alpha_ordinal == pytest.approx(FIX["pairwise"]["avoidance"]["alpha_ordinal"], abs=TOL)
    assert "alpha_ordinal" in res.to_frame().columns


def test_not_ordinal_items_refused(tmp_path, capsys):
    inst = tmp_path / "inst.yaml"
    inst.write_text("""id: t
version: "1"
title: {en: t}
response: {type: numeric}
scales:
  - id: s
    label: {en: s}
    items:
      - {id: x1, text: {en: x1}}
      - {id: x2, text: {en: x2}}
      - {id: x3, text: {en: x3}}
""", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,x3\n" + "\n".join(f"{i * 1.5},{i % 3},{(i * 7) % 5}" for i in range(30)) + "\n")
    code = run(["reliability", str(data), "-i", str(inst), "--ordinal"])
    err = capsys.readouterr().err
    assert code == 2 and "x1" in err and "--ordinal" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
