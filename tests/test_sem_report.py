"""The report's SEM section: fit, standardized structural paths, indirect effects and the path
diagram of every family: sem model, in both languages."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sample_data" / "responses.csv"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from avoid_survey.cli.main import run

    d = tmp_path_factory.mktemp("semrep")
    codes = {name: run(["report", "--template", "sem_pressure_trust_avoidance", "--data", str(DATA),
                        "--out", str(d / name), "--lang", lang]) for name, lang in (("r.html", "zh"), ("r.docx", "en"))}
    return d, codes


def test_html_report_has_the_sem_section_in_chinese(reports):
    d, codes = reports
    assert codes["r.html"] == 0
    html = (d / "r.html").read_text(encoding="utf-8")
    i, j = html.index("5.1 结构方程模型"), html.index("6. 结果解读")   # the SEM subsection ends the models section
    sem = html[i:j]
    for words in ("结构方程模型拟合指标", "标准化结构路径", "间接效应与自定义效应", "ind_passive", "a*b2",
                  "问责压力感知 → 被动避责", "中介（容错信任）", "调节（潜变量交互）", "调节（观测得分）"):
        assert words in sem, words
    assert sem.count("data:image/png;base64,") == 3          # one path diagram per SEM
    assert "could not be built" not in html
    assert "sem_parameters" not in html and "完全标准化解" in sem


def test_docx_report_has_the_sem_section_in_english(reports):
    from docx import Document

    d, codes = reports
    assert codes["r.docx"] == 0
    doc = Document(d / "r.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "5.1 Structural equation models" in text and "Path diagram of model mediation" in text
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "Perceived accountability pressure → Passive blame avoidance" in cells
    assert "ind_active" in cells
    assert len(doc.inline_shapes) >= 3
