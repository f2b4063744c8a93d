"""Warnings and notes are never English-only under --lang zh: the English line (numbers, names)
goes on with the Chinese gist of its meaning, as error lines do (analysis/core/errors.py)."""
from __future__ import annotations

import re

import pytest

from avoid_survey.analysis.core.errors import WARNING_GIST, warning_gist
from avoid_survey.analysis.core.i18n import TERMS, tr
from avoid_survey.cli.main import run

# Messages as the package words them (one per kind), and the gist each must get.
CASES = [
    ("240 of 1189 rows dropped (listwise: a missing value on a model variable)", "wrn_rows_dropped"),
    ("mixed model 'm1': 12 row(s) with a missing outcome, predictor or group label dropped", "wrn_rows_dropped"),
    ("responses_wjx.xlsx: personal-data column(s) dropped: 来自IP (IP address); no output will contain them "
     "(--keep-pii keeps them)", "wrn_pii"),
    ("answers outside their response scale in q1, q2 (9, 0) treated as missing; `avoid-survey validate` "
     "lists them by row", "wrn_codes_missing"),
    ("the ML estimation did not converge in 500 iterations (max |gradient| 1e-3)", "wrn_not_converged"),
    ("model 'm': the logit fit did not converge", "wrn_not_converged"),
    ("Heywood case: negative (residual) variance of 'x3' (-0.02); the solution is improper", "wrn_heywood"),
    ("Heywood case: standardized loading of 'x1' on 'F' is 1.042 (> 1)", "wrn_heywood"),
    ("the model-implied covariance matrix is not positive definite", "wrn_not_pd"),
    ("model 'm': perfect separation or prediction occurred (perfect or quasi-separation): estimates, "
     "standard errors and p-values are not meaningful", "wrn_separation"),
    ("model 'm': essentially perfect fit (residual SD 1e-12)", "wrn_perfect_fit"),
    ("only 3 of 1000 bootstrap refits converged: no bootstrap CIs", "wrn_bootstrap"),
    ("KMO = 0.41 < .50: the correlations are too weak for factor analysis", "wrn_efa"),
    ("factor 'F' has 2 indicator(s); its identification leans on its correlations with other factors",
     "wrn_few_indicators"),
    ("some polychoric correlations did not converge", "wrn_polychoric"),
    ("no distribution declared for unit_kind; drawn uniformly over their codes or range", "wrn_simulate"),
]


@pytest.mark.parametrize("message,key", CASES)
def test_each_kind_of_warning_gets_its_gist(message, key):
    assert warning_gist(message, "zh") == tr("wrn_prefix", "zh") + tr(key, "zh")
    assert warning_gist(message, "en") == ""


def test_catalogue_has_both_languages_and_every_key():
    keys = {k for _, k in WARNING_GIST} | {"wrn_generic", "wrn_prefix", "wrn_note_prefix"}
    for k in keys:
        en, zh = TERMS[k]
        assert en and zh and en != zh
        assert re.search(r"[\u4e00-\u9fff]", zh), k


def test_unknown_warning_gets_the_general_sentence_and_notes_their_prefix():
    assert warning_gist("something new happened", "zh").endswith(tr("wrn_generic", "zh"))
    assert warning_gist("personal-data column(s) dropped", "zh", note=True).startswith(" | 说明：")


def _missing_csv(tmp_path):
    import numpy as np
    rng = np.random.default_rng(7)
    f = rng.normal(size=200)
    x = np.clip(np.round(3 + f[:, None] + rng.normal(scale=0.8, size=(200, 4))), 1, 5).astype(object)
    x[::8, 1] = ""     # 25 of 200 rows lose an answer: listwise deletion says so
    rows = ["a,b,c,d"] + [",".join(str(v) for v in r) for r in x]
    p = tmp_path / "d.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_warning_line_follows_lang(tmp_path, capsys, lang):
    data = _missing_csv(tmp_path)
    code = run(["cfa", str(data), "--model", "F =~ a + b + c + d", "--lang", lang])
    err = capsys.readouterr().err
    assert code == 0
    line = next(ln for ln in err.splitlines() if ln.startswith("warning:") and "rows dropped" in ln)
    if lang == "zh":
        assert line.endswith(tr("wrn_prefix", "zh") + tr("wrn_rows_dropped", "zh"))
    else:
        assert "警告" not in line and "|" not in line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_instruments_check_lines_follow_lang(tmp_path, capsys, lang):
    bad = tmp_path / "bad.yaml"
    bad.write_text('id: x\nversion: "1"\ntitle: {zh: 问卷, en: Q}\nscales:\n  - id: s\n'
                   '    items: [{id: q1, text: {zh: 问, en: q}, response: agree5}]\n', encoding="utf-8")
    code = run(["instruments", "check", str(bad), "--lang", lang])
    out = capsys.readouterr().out
    assert code == 2
    line = out.strip().splitlines()[0]
    assert line.startswith(f"{bad}:5: schema-missing-key: ")
    has_zh = bool(re.search(r"[\u4e00-\u9fff]", line.split("schema-missing-key: ", 1)[1]))
    assert has_zh == (lang == "zh")
