"""Package basics: entry point, fast start, safe YAML, safe output."""
import os
import subprocess
import sys

import pytest

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.io.output import register_input, write_atomic
from avoid_survey.analysis.core.yamlsafe import load_yaml, load_yaml_text


def test_version_and_help(cli):
    code, out, err = cli("--version")
    assert code == 0 and out.startswith("avoid-survey ")
    code, out, err = cli("--help")
    assert code == 0 and "instruments" in out


def test_help_imports_no_heavy_modules():
    code = ("import sys; from avoid_survey.cli.main import run; "
            "rc = run(['--help']); "
            "print([m for m in ('pandas', 'numpy', 'scipy', 'statsmodels', 'factor_analyzer', 'matplotlib') if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0
    assert p.stdout.strip().splitlines()[-1] == "[]"


def test_unknown_option_is_one_line_exit_2(cli):
    code, out, err = cli("instruments", "list", "--no-such-option")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_yaml_lines_and_limits():
    doc = load_yaml_text("a: 1\nb:\n  - {x: 2}\n", "f.yaml")
    assert doc.data == {"a": 1, "b": [{"x": 2}]}
    assert doc.line_of(("b", 0, "x")) == 3 and doc.line_of(("b", 5)) == 2
    cases = {
        "a: !!python/object/apply:os.system ['touch /tmp/pwned']": "not allowed",
        "a: 1\na: 2\n": "duplicate key",
        "a: [\n": "not valid YAML",
        "x: &a [1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "w: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nv: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n": "aliases",
        "": "empty",
    }
    for text, words in cases.items():
        with pytest.raises(AvoidSurveyError) as ei:
            load_yaml_text(text, "f.yaml")
        assert words in ei.value.one_line() and ei.value.one_line().startswith("f.yaml")
    assert not os.path.exists("/tmp/pwned")


def test_yaml_file_errors(tmp_path):
    with pytest.raises(AvoidSurveyError, match="file not found"):
        load_yaml(tmp_path / "nope.yaml")
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"a: 1\x00")
    with pytest.raises(AvoidSurveyError, match="NUL"):
        load_yaml(p)
    p.write_bytes("a: 'é'".encode("latin-1"))
    with pytest.raises(AvoidSurveyError, match="UTF-8"):
        load_yaml(p)


def test_write_atomic_never_overwrites_or_touches_inputs(tmp_path):
    out = tmp_path / "o.txt"
    write_atomic(out, "one")
    with pytest.raises(AvoidSurveyError, match="--force"):
        write_atomic(out, "two")
    assert out.read_text() == "one"
    write_atomic(out, "two", force=True)
    assert out.read_text() == "two"
    inp = tmp_path / "in.csv"
    inp.write_text("a\n1\n")
    register_input(inp)
    with pytest.raises(AvoidSurveyError, match="input"):
        write_atomic(inp, "x", force=True)
    assert inp.read_text() == "a\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "o.txt"]  # no temp files left


def test_write_atomic_leaves_nothing_when_interrupted(tmp_path):
    from avoid_survey.analysis.io.output import write_atomic_with

    def writer(tmp):
        open(tmp, "w").write("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic_with(tmp_path / "o.csv", writer)
    assert list(tmp_path.iterdir()) == []
