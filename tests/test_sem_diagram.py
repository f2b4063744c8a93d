"""The AMOS-style path diagram: files written and valid, every label present, no overlapping shapes."""
import json
import xml.etree.ElementTree as ET

import pytest

from conftest import REF, ROOT

PD = REF / "data" / "poldem_bollen.csv"
HS = REF / "data" / "hs_holzinger1939.csv"
SAMPLE = ROOT / "sample_data" / "responses.csv"
LAV = json.loads((REF / "sem_lavaan.json").read_text())
BOLLEN = LAV["indirect"]["model"]
SEEDS = ("ft_trust ~ a*accountability_pressure\n"
         "passive_avoidance ~ c*accountability_pressure + b*ft_trust\nind := a*b")


def _svg_text(path) -> str:
    root = ET.parse(path).getroot()   # parses: a valid XML document
    return "\n".join(t for el in root.iter() if el.tag.endswith("text") for t in el.itertext())


def _overlaps(lay):
    boxes = [(n.name, n.box()) for n in lay.nodes.values()]
    out = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                out.append((a, b))
    return out


@pytest.mark.parametrize("ext, magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-"), (".svg", b"<?xml")])
def test_sem_figure_files_are_written_and_valid(cli, tmp_path, ext, magic):
    out = tmp_path / f"paths{ext}"
    code, _, err = cli("sem", PD, "--model", BOLLEN, "--figure", out, "--format", "json", "--lang", "en")
    assert code == 0, err
    assert out.read_bytes().startswith(magic)
    if ext == ".svg":
        text = _svg_text(out)
        for v in ("ind60", "dem60", "dem65", "x1", "x2", "x3", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8"):
            assert v in text
        assert "R² = 0.96" in text and ".44***" in text   # R² of dem65; standardized a path with stars


def test_sem_figure_errors_before_fitting(cli, tmp_path):
    code, _, err = cli("sem", PD, "--model", BOLLEN, "--figure", tmp_path / "paths.gif")
    assert code == 2 and "unsupported figure type '.gif'" in err
    (tmp_path / "old.png").write_bytes(b"x")
    code, _, err = cli("sem", PD, "--model", BOLLEN, "--figure", tmp_path / "old.png")
    assert code == 2 and "--force" in err and (tmp_path / "old.png").read_bytes() == b"x"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_of_the_instrument_in_each_language(cli, tmp_path, lang):
    from avoid_survey.analysis.render.sem_diagram import labels_from_instrument, sem_layout
    from avoid_survey.instruments import load_instrument

    out = tmp_path / "seeds.svg"
    js = tmp_path / "seeds.json"
    code, _, err = cli("sem", SAMPLE, "--instrument", "blame-avoidance-core-v2", "--model", SEEDS, "--figure", out,
                       "--format", "json", "--output", js, "--lang", lang)
    assert code == 0, err
    d = json.loads(js.read_text())
    labels = labels_from_instrument(load_instrument("blame-avoidance-core-v2"))
    lay = sem_layout(d["parameters"], d["r2"], labels=labels, lang=lang)
    text = _svg_text(out)
    assert len(lay.nodes) == 3 + 14 + 50   # 3 scales, 14 facets (6 + 5 + 3), 50 items (23 + 17 + 10)
    for n in lay.nodes.values():
        for line in n.lines:
            assert line in text, (n.name, line)
    if lang == "zh":
        assert "问责压力感知" in text and "被动避责" in text and "容错机制信任" in text
    else:
        assert "Passive blame avoidance" in " ".join(text.split())
    assert not _overlaps(lay)


def _layout_of(data, model, **kw):
    import pandas as pd

    from avoid_survey.analysis.render.sem_diagram import sem_layout
    from avoid_survey.analysis.stats.sem import sem

    r = sem(pd.read_csv(data), model=model, **kw).to_dict()
    return sem_layout(r["parameters"], r["r2"])


@pytest.mark.parametrize("data, model, kw", [
    (PD, BOLLEN, {}),
    (HS, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", {}),       # measurement only
    (HS, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
         "textual ~ visual\nspeed ~ textual + visual\nx1 ~~ x4", {}),                       # three columns
    (HS, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual + ageyr + sex", {}),  # observed x
    (HS, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual", {"group": "school"}),
])
def test_layout_has_no_overlapping_shapes_and_labels_fit(data, model, kw):
    from avoid_survey.analysis.render.sem_diagram import FONT_PT, _text_width

    lay = _layout_of(data, model, **kw)
    assert not _overlaps(lay)
    for n in lay.nodes.values():
        width = max(_text_width(line, FONT_PT) for line in n.lines)
        height = len(n.lines) * FONT_PT * 1.25 / 72
        if n.kind == "latent":   # the label's box lies inside the ellipse
            assert (width / n.w) ** 2 + (height / n.h) ** 2 <= 1.0 + 1e-9, n.name
        else:
            assert width < n.w and height < n.h, n.name
    # structural order: exogenous variables left of their outcomes
    for p in lay.paths:
        assert lay.nodes[p["rhs"]].x < lay.nodes[p["lhs"]].x


def test_spec_sem_figure_and_several_models(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"""data: {HS}
models:
  - name: one
    family: sem
    syntax: "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\ntextual ~ visual"
  - name: two
    family: sem
    syntax: "visual =~ x1 + x2 + x3\\nspeed =~ x7 + x8 + x9\\nspeed ~ visual"
  - name: ols
    family: ols
    formula: x1 ~ x2
""", encoding="utf-8")
    code, _, err = cli("model", "--spec", spec, "--sem-figure", tmp_path / "p.svg", "--format", "json", "--lang", "en")
    assert code == 0, err
    for name, words in (("one", ("textual", "visual")), ("two", ("speed", "x9"))):
        text = _svg_text(tmp_path / f"p_{name}.svg")
        assert all(w in text for w in words) and f"{name}: Structural equation model" in text
    spec2 = tmp_path / "ols.yaml"
    spec2.write_text(f"data: {HS}\nmodels:\n  - {{name: ols, family: ols, formula: x1 ~ x2}}\n", encoding="utf-8")
    code, _, err = cli("model", "--spec", spec2, "--sem-figure", tmp_path / "q.png")
    assert code == 2 and "no model of the spec is family: sem" in err


def test_multigroup_figure_names_the_group_drawn(cli, tmp_path):
    out = tmp_path / "g.svg"
    code, _, err = cli("sem", HS, "--model", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual",
                       "--group", "school", "--figure", out, "--format", "json", "--lang", "en")
    assert code == 0, err
    assert "Structural equation model (standardized estimates) [Pasteur]" in _svg_text(out)
