"""Start-up (issue 9): `--help` and `instruments list` import no heavy library, and the
precomputed instrument catalog matches the bundled YAML files."""
import io
import json
import shutil
import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "factor_analyzer", "sklearn", "matplotlib")

PROBE = r"""
import contextlib, io, json, sys
from avoid_survey.cli.main import run
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = run(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules), "out": out.getvalue()}))
"""


def probe(*args):
    p = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["instruments", "list"], ["instruments", "list", "--lang", "en"],
                                  ["instruments", "list", "--format", "json"], ["model", "--help"]])
def test_no_heavy_imports(args):
    r = probe(*args)
    assert r["code"] == 0
    loaded = [m for m in HEAVY if m in r["modules"]]
    assert loaded == [], f"{args} imported {loaded}"
    if args[0] == "instruments":
        # served from instruments/data/catalog.json: neither the loader nor pydantic/yaml
        assert "avoid_survey.instruments.loader" not in r["modules"]
        assert "yaml" not in r["modules"]


def test_catalog_is_fresh():
    """Fails after a bundled instrument changed: rebuild with
    python -c "from avoid_survey.instruments.loader import write_catalog; write_catalog()" """
    from avoid_survey.instruments.loader import CATALOG_PATH, build_catalog

    stored = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(build_catalog(), ensure_ascii=False))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fast_list_prints_what_the_loaded_catalog_prints(lang):
    from avoid_survey.cli.instruments_cmd import _fresh_catalog, _print_catalog
    from avoid_survey.instruments.summary import catalog

    cached = _fresh_catalog()
    assert cached is not None
    fast, slow = io.StringIO(), io.StringIO()
    _print_catalog(cached["tables"][lang], file=fast)
    catalog().print_table(lang, file=slow)
    assert fast.getvalue() == slow.getvalue()
    assert cached["list"] == json.loads(json.dumps(catalog().to_dict(), ensure_ascii=False))


def test_json_list_matches_the_loaded_catalog(cli):
    from avoid_survey.instruments.summary import catalog

    code, out, err = cli("instruments", "list", "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(catalog().to_dict(), ensure_ascii=False))


def test_stale_catalog_is_not_used(tmp_path):
    from avoid_survey.cli.instruments_cmd import _fresh_catalog
    from avoid_survey.instruments.loader import DATA_DIR

    for p in DATA_DIR.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    shutil.copy(DATA_DIR / "catalog.json", tmp_path / "catalog.json")
    assert _fresh_catalog(tmp_path) is not None
    first = sorted(tmp_path.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _fresh_catalog(tmp_path) is None
    first.unlink()
    assert _fresh_catalog(tmp_path) is None
    (tmp_path / "catalog.json").write_text("{not json", encoding="utf-8")
    assert _fresh_catalog(tmp_path) is None


def test_a_run_registers_only_its_own_command():
    """typer builds every registered command's parameters on each run: one command's run
    builds only that one; --help and unknown names get the full command line."""
    import typer

    from avoid_survey.cli import main

    one = typer.main.get_command(main.app_for("cfa"))
    assert sorted(one.commands) == ["cfa"]
    full = typer.main.get_command(main.app)
    assert {"cfa", "sem", "validate", "instruments", "describe"} <= set(full.commands)
    assert main._command_name(["--debug", "cfa", "x.csv"]) == "cfa"
    assert main.app_for("no-such-command") is main.app
