"""Every figure renders to PNG, SVG and PDF, deterministically, and falls back to English
labels with a note when no CJK font is installed."""
import numpy as np
import pytest

from avoid_survey.analysis.render import figures as F
from avoid_survey.analysis.core.errors import AvoidSurveyError

LOAD = [{"factor": "F1", "item": "a1", "std": .8}, {"factor": "F1", "item": "a2", "std": .7},
        {"factor": "F2", "item": "b1", "std": .9}, {"factor": "F2", "item": "b2", "std": .6},
        {"factor": "G", "item": "F1", "std": .7}, {"factor": "G", "item": "F2", "std": .8}]
X = np.linspace(-2, 2, 11)
DRAW = {
    "scree": lambda p, **k: F.scree_plot([4.1, 1.9, 1.1, .6, .4], p, parallel=[1.3, 1.1, 1.0, .9, .8], **k),
    "heat": lambda p, **k: F.loadings_heatmap({"a1": {"F1": .8, "F2": .1}, "b1": {"F1": .05, "F2": .9}}, p, **k),
    "path": lambda p, **k: F.path_diagram(LOAD, p, **k),
    "coef": lambda p, **k: F.coef_plot([{"name": "M1", "coefficients": [
        {"term": "x", "estimate": .3, "ci_lower": .1, "ci_upper": .5}]}], p, **k),
    "slopes": lambda p, **k: F.interaction_plot(X, [{"label": "low", "fit": .5 * X, "lower": .5 * X - .2,
                                                     "upper": .5 * X + .2}], p, **k),
    "dist": lambda p, **k: F.item_distribution({"a1": {1: 3, 2: 5, 5: 1}}, [1, 2, 3, 4, 5], p, **k),
}
MAGIC = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}


@pytest.mark.parametrize("name", sorted(DRAW))
def test_each_figure_in_each_format(tmp_path, name):
    for ext, magic in MAGIC.items():
        p = tmp_path / f"{name}{ext}"
        DRAW[name](p)
        assert p.read_bytes().startswith(magic)
    with pytest.raises(AvoidSurveyError, match="--force"):
        DRAW[name](tmp_path / f"{name}.png")


def test_same_input_same_bytes(tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    DRAW["scree"](a)
    DRAW["scree"](b)
    assert a.read_bytes() == b.read_bytes()


def test_unsupported_extension(tmp_path):
    with pytest.raises(AvoidSurveyError, match="unsupported figure type"):
        DRAW["coef"](tmp_path / "x.bmp")


def test_chinese_without_cjk_font_falls_back_with_note(tmp_path, monkeypatch):
    monkeypatch.setattr(F, "cjk_font", lambda: None)
    note = DRAW["scree"](tmp_path / "s.png", lang="zh")
    assert note and "CJK" in note
    assert DRAW["scree"](tmp_path / "e.png", lang="en") is None
