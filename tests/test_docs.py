"""docs/ is part of the repository: the CLI reference is current, every link resolves, and
the files the contributor guide names exist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = ["index.md", "instrument-format.md", "model-spec.md", "study-format.md", "json-output.md", "cli.md",
         "python-api.md", "architecture.md", "contributing.md", "templates.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_cli_reference_is_current():
    from avoid_survey.cli.docgen import reference

    assert (DOCS / "cli.md").read_text(encoding="utf-8") == reference(), \
        "docs/cli.md is out of date: run `make docs` (python -m avoid_survey.cli.docgen > docs/cli.md)"


def test_cli_reference_covers_every_command():
    from avoid_survey.cli.main import _COMMANDS

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for _mod, _attr, name in _COMMANDS:
        assert f"## `avoid-survey {name}`" in text


@pytest.mark.parametrize("page", PAGES)
def test_page_exists(page):
    assert (DOCS / page).is_file()


@pytest.mark.parametrize("doc", ["README.md", "README.zh-CN.md", *[f"docs/{p}" for p in PAGES]])
def test_links_stay_inside_the_repository(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    base = (ROOT / doc).parent
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = (base / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"{doc} links outside the repository: {target}"
        assert path.exists(), f"{doc} links to a missing file: {target}"


def test_contributor_guide_names_real_files():
    text = (DOCS / "contributing.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:analysis|cli|instruments|api|tests)/[\w/.-]+\.(?:py|yaml))`", text))
    assert named, "the guide names no files"
    examples = {"analysis/io/read_ods.py", "analysis/render/typst.py", "analysis/stats/icc.py"}   # new files, e.g.
    missing = sorted(p for p in named - examples if not (ROOT / p).exists())
    assert not missing, f"docs/contributing.md names files that do not exist: {missing}"


def test_readmes_mirror_each_other():
    en = (ROOT / "README.md").read_text(encoding="utf-8")
    zh = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "## How the code is organised" in en and "## 代码结构" in zh
    assert "## Python API" in en and "## Python API" in zh
    assert sorted(set(LINK.findall(en)) - {"README.zh-CN.md"}) == sorted(set(LINK.findall(zh)) - {"README.md"})
