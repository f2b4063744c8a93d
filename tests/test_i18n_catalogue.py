"""One catalogue of words (analysis/core/i18n): every term in both languages, each key in one
area, and no translation written anywhere else in the code.

The code outside the catalogue asks ``tr(key, lang)``; a ``lang == "zh"`` branch or an inline
``{"en": ..., "zh": ...}`` label is a second, drifting copy of a term (issue 13 found 截距 and
常数项 for the same word). Instrument YAML files are data and may hold both languages.
"""
from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

from avoid_survey.analysis.core import i18n

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "analysis" / "core" / "i18n"
SCANNED = ("analysis", "cli", "instruments", "api")
LANG_CODES = {"en", "zh"}


def test_every_area_module_is_listed():
    modules = {p.stem for p in CATALOGUE.glob("*.py") if p.stem != "__init__"}
    assert set(i18n.AREAS) == modules, "list every module of analysis/core/i18n in AREAS (and only those)"


@pytest.mark.parametrize("area", i18n.AREAS)
def test_every_term_has_english_and_chinese(area):
    terms = import_module(f"avoid_survey.analysis.core.i18n.{area}").TERMS
    assert terms, f"area {area} is empty"
    bad = [key for key, pair in terms.items()
           if not (isinstance(key, str) and key and isinstance(pair, tuple) and len(pair) == 2
                   and all(isinstance(t, str) and t for t in pair))]
    assert not bad, f"{area}: terms without both an English and a Chinese text: {bad}"


def test_no_key_in_two_areas():
    seen: dict[str, str] = {}
    twice = []
    for area, terms in i18n.load_areas().items():
        for key in terms:
            if key in seen:
                twice.append(f"{key} ({seen[key]}, {area})")
            seen[key] = area
    assert not twice, f"keys defined in two areas: {twice}"
    assert set(i18n.TERMS) == set(seen)


def test_tr_gives_each_language():
    key, (en, zh) = next(iter(i18n.TERMS.items()))
    assert i18n.tr(key, "en") == en and i18n.tr(key, "zh") == zh


# ---------------------------------------------------------------- no translations outside
def _sources():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if CATALOGUE not in path.parents:
                yield path


def _is_lang(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in LANG_CODES


def offenders_in(path: Path) -> list[str]:
    """``file:line: what`` for each language branch or inline bilingual label in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT) if ROOT in path.parents else path.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops) \
                and any(_is_lang(x) for x in [node.left, *node.comparators]):
            found.append((node.lineno, f"language branch ({ast.unparse(node)[:60]})"))
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if LANG_CODES <= keys:
                found.append((node.lineno, "inline {en, zh} label"))
        elif isinstance(node, ast.Call) and {kw.arg for kw in node.keywords} >= LANG_CODES:
            found.append((node.lineno, "inline (en=, zh=) label"))
    return [f"{rel}:{line}: {what}" for line, what in sorted(found)]


def all_offenders() -> list[str]:
    return [line for path in _sources() for line in offenders_in(path)]


def test_the_scan_finds_what_it_should(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('def f(lang):\n    if lang == "zh":\n        return 1\n    x = {"zh": "是", "en": "yes"}\n'
                     '    y = "en" != lang\n    z = {"en": "only English"}\n    return dict(en="a", zh="b")\n',
                     encoding="utf-8")
    lines = [int(f.split(":")[1]) for f in offenders_in(probe)]
    assert lines == [2, 4, 5, 7]


def test_no_language_branch_or_inline_label_outside_the_catalogue():
    found = all_offenders()
    assert not found, (f"{len(found)} translations outside analysis/core/i18n (use tr(key, lang) and a "
                       f"catalogue term):\n" + "\n".join(found))


if __name__ == "__main__":   # python tests/test_i18n_catalogue.py: list what is left, by file
    from collections import Counter

    lines = all_offenders()
    for line in lines:
        print(line)
    print(f"\n{len(lines)} offenders in {len({ln.split(':')[0] for ln in lines})} files")
    for file, n in Counter(ln.split(":")[0] for ln in lines).most_common():
        print(f"{n:5d}  {file}")
