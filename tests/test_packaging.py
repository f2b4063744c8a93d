"""pyproject.toml lists every package, builds without setuptools warnings, and keeps the
runtime dependencies to what the code imports."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TOP = {"api": "avoid_survey", "cli": "avoid_survey.cli", "analysis": "avoid_survey.analysis",
       "instruments": "avoid_survey.instruments"}
DATA_SUFFIXES = (".yaml", ".json")


def _package_of(folder: Path) -> str:
    rel = folder.relative_to(ROOT)
    return ".".join([TOP[rel.parts[0]], *rel.parts[1:]])


def _source_folders():
    """Every folder of the four source trees holding Python or data files."""
    for top in TOP:
        for folder in sorted([ROOT / top, *[p for p in (ROOT / top).rglob("*") if p.is_dir()]]):
            if "__pycache__" in folder.parts:
                continue
            files = [f for f in folder.iterdir() if f.is_file()]
            if any(f.suffix == ".py" for f in files) or any(f.suffix in DATA_SUFFIXES for f in files):
                yield folder


def test_package_dirs_map_the_four_folders():
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {v: k for k, v in TOP.items()}


def test_every_folder_is_a_listed_package():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    folders = {_package_of(f): f for f in _source_folders()}
    missing = sorted(set(folders) - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    stale = sorted(p for p in listed - set(folders))
    assert not stale, f"pyproject.toml lists packages with no folder: {stale}"


def test_data_folders_ship_their_files():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for folder in _source_folders():
        kinds = {f.suffix for f in folder.iterdir() if f.suffix in DATA_SUFFIXES}
        if not kinds:
            continue
        pkg = _package_of(folder)
        globs = data.get(pkg, [])
        for f in folder.iterdir():
            if f.suffix in DATA_SUFFIXES:
                assert any(Path(f.name).match(g) for g in globs), f"{f.relative_to(ROOT)} is not in package-data"


def _requirement_names(reqs) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r.strip(), maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def test_test_only_packages_are_not_runtime_dependencies():
    runtime = _requirement_names(PYPROJECT["project"]["dependencies"])
    assert not runtime & {"factor-analyzer", "scikit-learn", "pytest", "hypothesis"}
    assert "threadpoolctl" in runtime                      # imported by validate, efa and cfa
    dev = _requirement_names(PYPROJECT["project"]["optional-dependencies"]["dev"])
    assert {"factor-analyzer", "scikit-learn"} <= dev       # the EFA cross-check test


@pytest.mark.slow
def test_wheel_builds_without_setuptools_warnings(tmp_path):
    # the build backend of the test environment (setuptools and wheel are in the dev extra), so
    # the build needs no package index and always runs
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                           "-v", "-w", str(tmp_path)], capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-2000:]
    ours = [ln for ln in log.splitlines()
            if re.search(r"BuildBackendWarning|SetuptoolsDeprecationWarning|SetuptoolsWarning|"
                         r"is absent from the `packages` configuration|License classifiers are deprecated", ln)]
    assert not ours, "\n".join(ours[:20])
    wheel = next(tmp_path.glob("avoid_survey-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in _source_folders():
        for f in folder.iterdir():
            if f.suffix == ".py" or f.suffix in DATA_SUFFIXES:
                inside = "/".join([*_package_of(folder).split("."), f.name])
                assert inside in names, f"{f.relative_to(ROOT)} is missing from the wheel"
