"""The name the Python API gives a compared SEM model file is the command's
(``pathlib``'s stem), also for file names that ``os.path.splitext`` splits differently."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import avoid_survey as av
from avoid_survey.cli.main import run as cli_run

ROOT = Path(__file__).resolve().parent.parent
HS = ROOT / "tests" / "reference" / "data" / "hs_holzinger1939.csv"
M1 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ textual"


@pytest.mark.parametrize("name", ["alt.", "..alt"])
def test_compared_model_file_named_as_the_command_names_it(capsys, tmp_path, name):
    m2 = tmp_path / name
    m2.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ 0*textual\n", encoding="utf-8")
    capsys.readouterr()
    assert cli_run(["sem", str(HS), "--model", M1, "--compare", str(m2), "--format", "json"]) in (0, 1)
    expected = [c["model"] for c in json.loads(capsys.readouterr().out)["comparison"]]
    assert expected[1] == Path(name).stem
    got = av.sem(HS, M1, compare=[m2]).to_dict()["comparison"]
    assert [c["model"] for c in got] == expected


def test_a_spec_path_with_a_trailing_separator_is_still_a_file(tmp_path):
    """As pathlib reads it (``Path('spec.yaml/')`` names the file spec.yaml)."""
    from avoid_survey.functions import _is_file

    f = tmp_path / "spec.yaml"
    f.write_text("models: []\n")
    assert _is_file(str(f) + "/")
    assert _is_file(str(f))
    assert not _is_file(str(tmp_path))
    assert not _is_file("family: ols\nformula: y ~ x")


def test_public_signatures_resolve_their_annotations():
    """typing.get_type_hints (Sphinx, pydantic) works on functions whose modules import
    pathlib only inside them."""
    import os
    import typing

    from avoid_survey.analysis.core.inputs import check_input
    from avoid_survey.results import Tables

    assert typing.get_type_hints(Tables.save)["return"] is os.PathLike
    assert typing.get_type_hints(check_input)["return"] is os.PathLike
