"""Fielding a survey experiment without randomisation: one questionnaire per version.

``instruments export ID --kind versions --to out/ft.html`` writes ``out/ft-v01.html``,
``out/ft-v02.html``, ... (or ``.docx``) and ``out/ft-design.csv``. Each version is a whole
questionnaire: the instrument's instructions, the experiment (each vignette with its outcome
questions, or each conjoint task as a table of profiles with the choice question), then the
instrument's scales and background questions. Respondents are given versions (in turn, or
at random); the platform records only the version number (an embedded ``version`` column),
and ``experiment DATA --design out/ft-design.csv`` puts the levels back on every row.

Versions:

- vignette: by default one per cell of the design; version v shows cells v, v+1, ...,
  v+m-1 (cyclically, m = ``per_respondent``): over the versions every cell appears equally
  often and in every position once (a Latin square of order effects). More versions than
  cells draw further sets of m distinct cells at random (``seed``);
- conjoint: ``n`` versions (default 10), each with its tasks' profiles drawn from the
  allowed cells, and (``randomize_order``) its own order of the attributes.

The design file: one row per version x vignette (or x task x profile): ``version``,
``vignette`` (or ``task``, ``profile``), ``cell`` (the run's number), each factor's level id,
and the vignette texts (``text_zh``, ``text_en``) or the ``attribute_order``.
"""
from __future__ import annotations

import html as _html
import io
from dataclasses import dataclass, replace
from pathlib import Path

from avoid_survey.analysis.core.errors import AvoidSurveyError
from avoid_survey.analysis.core.i18n import text_in, tr

__all__ = ["Version", "versions", "design_frame", "write_versions", "version_html", "version_docx"]


@dataclass(frozen=True)
class Version:
    number: int
    screens: tuple          # per vignette / task: a tuple of cells ({factor: level}), one per profile
    cells: tuple            # the cell numbers (1-based) of every profile, screen by screen
    order: tuple            # attribute order (conjoint)
    block: int | None = None  # blocked design: the block the version shows


def versions(exp, n: int | None = None, seed: int = 1) -> list[Version]:
    """The versions of the design (see the module text)."""
    import numpy as np

    cells = exp.cells()
    blocks = exp.block_cells()
    rng = np.random.default_rng(seed)
    out = []
    if exp.type == "vignette":
        m = exp.per_respondent
        n = n or len(cells)
        for v in range(n):
            block = blocks[v % len(blocks)]        # blocked design: versions take the blocks in turn
            w, c = v // len(blocks), len(block)
            if w < c and m <= c:
                picks = [block[(w + j) % c] for j in range(m)]
            elif m <= c:
                picks = [block[int(x)] for x in rng.permutation(c)[:m]]
            else:
                picks = [block[int(x)] for x in rng.integers(0, c, m)]
            out.append(Version(v + 1, tuple((cells[k],) for k in picks), tuple((k + 1,) for k in picks),
                               tuple(exp.factor_ids), v % len(blocks) + 1 if exp.blocks else None))
        return out
    n = n or 10
    for v in range(n):
        block = blocks[v % len(blocks)]
        picks = [block[int(i)] for i in rng.integers(0, len(block), exp.per_respondent * exp.profiles)]
        picks = [picks[t * exp.profiles:(t + 1) * exp.profiles] for t in range(exp.per_respondent)]
        order = list(exp.factor_ids)
        if exp.randomize_order:
            order = [order[i] for i in rng.permutation(len(order))]
        out.append(Version(v + 1, tuple(tuple(cells[int(k)] for k in row) for row in picks),
                           tuple(tuple(int(k) + 1 for k in row) for row in picks), tuple(order),
                           v % len(blocks) + 1 if exp.blocks else None))
    return out


def design_frame(exp, vs: list[Version], languages=("zh", "en")):
    """The design file (pandas DataFrame): version x vignette / task x profile -> levels."""
    import pandas as pd

    rows = []
    for v in vs:
        for s, (screen, nums) in enumerate(zip(v.screens, v.cells), 1):
            for p, (cell, num) in enumerate(zip(screen, nums), 1):
                row = {"version": v.number}
                if v.block is not None:
                    row["block"] = v.block
                if exp.type == "conjoint":
                    row["task"], row["profile"] = s, p
                else:
                    row["vignette"] = s
                row["cell"] = num
                row.update(cell)
                if exp.type == "vignette":
                    for g in languages:
                        row[f"text_{g}"] = exp.vignette(cell, g)
                elif exp.randomize_order:
                    row["attribute_order"] = "|".join(v.order)
                rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the questionnaire of a version
def _outcome_questions(inst, lang):
    from .model import Variable

    exp = inst.experiment
    by_id = {v.id: v for v in inst.variables}
    out = []
    for o in exp.outcomes:
        v = by_id.get(o)
        if isinstance(v, Variable):
            out.append((text_in(v.text or v.label, lang), v.response))
        else:
            out.append((o, None))
    return out


def _rest_plan(inst, lang, offset):
    """The instrument's own questionnaire (scales, background) without the outcome
    questions, numbered after the experiment's ``offset`` questions."""
    from .questionnaire import Question, questionnaire_plan

    plan = questionnaire_plan(inst, lang)
    outcomes = set(inst.experiment.outcomes) | {inst.experiment.respondent}
    number = offset
    sections = []
    for sec in plan.all_sections:
        blocks = []
        for b in sec.blocks:
            qs = []
            for q in b.questions:
                if q.id in outcomes:
                    continue
                number += 1
                qs.append(Question(number, q.id, q.text, q.kind, q.response))
            if qs:
                blocks.append(replace(b, questions=qs))
        if blocks:
            sections.append(replace(sec, blocks=blocks))
    return plan, sections


def _outcome_blocks(qs, number):
    """The outcome questions of one screen as blocks (consecutive questions on one scale share
    a grid), numbered from ``number + 1``; the last number."""
    from .questionnaire import Block, Question, _same_scale

    blocks = []
    for text, resp in qs:
        number += 1
        q = Question(number, "", text, "variable", resp)
        if blocks and resp is not None and blocks[-1].response is not None and _same_scale(blocks[-1].response, resp):
            blocks[-1].questions.append(q)
        else:
            blocks.append(Block(resp, [q]))
    return blocks, number


def _profile_rows(exp, v: Version, screen, lang):
    """(attribute name, level of profile 1, level of profile 2, ...) in the version's order."""
    return [(exp.factor(f).name(lang), *(exp.factor(f).level(cell[f]).wording(lang) for cell in screen))
            for f in v.order]


def _profile_head(exp, lang):
    return [tr("exp_attribute", lang), *(tr("exp_profile_k", lang).format(k=p) for p in range(1, exp.profiles + 1))]


def version_html(inst, v: Version, lang: str = "zh") -> str:
    from .questionnaire import _CSS, _html_grid, _html_list, _is_grid

    e = _html.escape
    exp = inst.experiment
    qs = _outcome_questions(inst, lang)
    out = [f"<h1>{e(inst.name(lang))}</h1>", f'<p class="instr">{e(tr("exp_version_k", lang).format(k=v.number))}</p>']
    if inst.instructions:
        out.append(f'<p class="instr">{e(text_in(inst.instructions, lang))}</p>')
    number = 0
    for s, screen in enumerate(v.screens, 1):
        title = tr("exp_task_k" if exp.type == "conjoint" else "exp_scenario_k", lang).format(k=s)
        out.append(f"<section><h2>{e(title)}</h2>")
        if exp.type == "vignette":
            out.append(f'<p class="vignette">{e(exp.vignette(screen[0], lang))}</p>')
        else:
            out.append('<table class="grid"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in _profile_head(exp, lang))
                       + "</tr></thead><tbody>")
            for row in _profile_rows(exp, v, screen, lang):
                out.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        blocks, number = _outcome_blocks(qs, number)
        for b in blocks:
            if b.response is None or exp.type == "conjoint":
                opts = "".join(f'<span class="opt">□ {e(tr("exp_profile_k", lang).format(k=p))}</span>'
                               for p in range(1, exp.profiles + 1)) if exp.type == "conjoint" else ""
                out += [f'<ol class="bg"><li>{q.number}. {e(q.text)}<br>{opts}</li></ol>' for q in b.questions]
                continue
            out += _html_grid(b, lang) if _is_grid(b) else _html_list(b, lang)
        out.append("</section>")
    plan, sections = _rest_plan(inst, lang, number)
    for sec in sections:
        out.append(f"<section><h2>{e(sec.title)}</h2>")
        if sec.instructions:
            out.append(f'<p class="instr">{e(sec.instructions)}</p>')
        for b in sec.blocks:
            out += _html_grid(b, lang) if _is_grid(b) else _html_list(b, lang)
        out.append("</section>")
    out.append(f"<p>{e(tr('inst_q_thanks', lang))}</p>")
    css = _CSS + "p.vignette { border: 1px solid #888; padding: .6em .8em; background: #f7f7f7; }\n"
    return (f'<!DOCTYPE html>\n<html lang="{tr("inst_q_html_lang", lang)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{e(inst.name(lang))} {e(tr('exp_version_k', lang).format(k=v.number))}</title>\n"
            f"<style>{css}</style>\n</head>\n<body>\n" + "\n".join(out) + "\n</body>\n</html>\n")


def version_docx(inst, v: Version, lang: str = "zh") -> bytes:
    from docx import Document
    from docx.shared import Cm

    from avoid_survey.analysis.render.office import set_document_fonts

    from .questionnaire import _docx_grid, _docx_list, _is_grid

    exp = inst.experiment
    qs = _outcome_questions(inst, lang)
    doc = Document()
    set_document_fonts(doc, 10.5)
    sec0 = doc.sections[0]
    sec0.left_margin = sec0.right_margin = Cm(2)
    doc.add_heading(inst.name(lang), level=0)
    doc.add_paragraph(tr("exp_version_k", lang).format(k=v.number))
    if inst.instructions:
        doc.add_paragraph(text_in(inst.instructions, lang))
    number = 0
    for s, screen in enumerate(v.screens, 1):
        doc.add_heading(tr("exp_task_k" if exp.type == "conjoint" else "exp_scenario_k", lang).format(k=s), level=1)
        if exp.type == "vignette":
            doc.add_paragraph(exp.vignette(screen[0], lang))
        else:
            rows = _profile_rows(exp, v, screen, lang)
            tab = doc.add_table(rows=1 + len(rows), cols=1 + exp.profiles)
            tab.style = "Table Grid"
            for j, h in enumerate(_profile_head(exp, lang)):
                tab.rows[0].cells[j].text = h
            for i, row in enumerate(rows, 1):
                for j, c in enumerate(row):
                    tab.rows[i].cells[j].text = c
        blocks, number = _outcome_blocks(qs, number)
        for b in blocks:
            if b.response is None or exp.type == "conjoint":
                for q in b.questions:
                    doc.add_paragraph(f"{q.number}. {q.text}")
                    if exp.type == "conjoint":
                        doc.add_paragraph("　　".join(f"□ {tr('exp_profile_k', lang).format(k=p)}"
                                                     for p in range(1, exp.profiles + 1)))
                continue
            (_docx_grid if _is_grid(b) else _docx_list)(doc, b, lang)
    _, sections = _rest_plan(inst, lang, number)
    for sec in sections:
        doc.add_heading(sec.title, level=1)
        if sec.instructions:
            doc.add_paragraph(sec.instructions)
        for b in sec.blocks:
            (_docx_grid if _is_grid(b) else _docx_list)(doc, b, lang)
    doc.add_paragraph(tr("inst_q_thanks", lang))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_versions(instrument, to, *, n: int | None = None, seed: int = 1, lang: str = "zh",
                   force: bool = False) -> dict:
    """Write every version's questionnaire beside ``to`` (``<stem>-v01<ext>``, ...) and the
    design file ``<stem>-design.csv``; returns {"versions": [paths], "design": path, "n_rows"}."""
    from avoid_survey.analysis.io.output import check_output, write_atomic
    from avoid_survey.analysis.io.write import write_data

    from .loader import load_instrument

    inst = load_instrument(instrument)
    if inst.experiment is None:
        raise AvoidSurveyError(f"instrument '{inst.id}' declares no experiment: --kind versions needs an "
                               f"'experiment:' block", file=inst.source)
    to = Path(to)
    ext = to.suffix.lower()
    if ext not in (".html", ".htm", ".docx"):
        raise AvoidSurveyError(f"versions are written as .html or .docx questionnaires, not '{ext or '(none)'}'",
                               file=to)
    if n is not None and n < 1:
        raise AvoidSurveyError("--versions must be at least 1")
    exp = inst.experiment
    vs = versions(exp, n, seed)
    width = max(2, len(str(len(vs))))
    paths = [to.with_name(f"{to.stem}-v{v.number:0{width}d}{ext}") for v in vs]
    design = to.with_name(f"{to.stem}-design.csv")
    for p in (*paths, design):  # nothing is written when any target exists (without --force)
        check_output(p, force)
    for v, p in zip(vs, paths):
        if ext == ".docx":
            write_atomic(p, version_docx(inst, v, lang), force)
        else:
            write_atomic(p, version_html(inst, v, lang), force, encoding="utf-8")
    frame = design_frame(exp, vs, tuple(inst.languages) or ("zh", "en"))
    write_data(frame, design, force=force)
    return {"versions": [str(p) for p in paths], "design": str(design), "n_rows": len(frame)}
