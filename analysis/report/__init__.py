"""One document for a study: ``avoid-survey report --spec spec.yaml --out report.html``.

Sections: data and validation, descriptives and correlations of scale scores (alpha on
the diagonal), reliability, CFA of the instrument, the models of the spec, figures, and a
methods paragraph (software and versions, estimators, SE types, missing-data handling).
Every section is built by the same library functions the commands call; a section that
cannot be built says why in the document instead of stopping the report. Deterministic for
a given spec and seed.
"""
from __future__ import annotations

import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..render.document import Document
from ..core.errors import AvoidSurveyError

__all__ = ["build_report", "write_report", "ReportResult"]

_T = {
    "title": ("Study report", "研究报告"),
    "data": ("1. Data and validation", "1. 数据与数据质量检查"),
    "desc": ("2. Descriptive statistics and correlations", "2. 描述统计与相关分析"),
    "rel": ("3. Reliability", "3. 信度"),
    "cfa": ("4. Confirmatory factor analysis", "4. 验证性因子分析"),
    "models": ("5. Regression models", "5. 回归模型"),
    "figs": ("6. Figures", "6. 图"),
    "methods": ("7. Methods", "7. 方法说明"),
    "skipped": ("This section could not be built: {reason}", "本节未能生成：{reason}"),
    "fig_coef": ("Figure 1. Coefficients with 95% confidence intervals", "图1 回归系数及95%置信区间"),
    "fig_path": ("Figure 3. CFA standardized loadings", "图3 验证性因子分析标准化载荷"),
    "fig_dist": ("Figure 4. Response distributions", "图4 条目作答分布"),
    "fig_slopes": ("Figure 2. Simple slopes", "图2 简单斜率"),
}


def _t(key, lang, **kw):
    en, zh = _T[key]
    return (zh if lang == "zh" else en).format(**kw)


@dataclass
class ReportResult:
    document: Document
    sections: dict = field(default_factory=dict)   # section -> "ok" | reason skipped
    warnings: list = field(default_factory=list)


def _instrument_for(loaded):
    from avoid_survey.instruments import load_instrument

    ref = loaded.spec.instrument
    if ref is None:
        return None
    s = str(ref)
    if s.endswith((".yaml", ".yml")) or "/" in s:
        return load_instrument(loaded.resolve(s))
    return load_instrument(s)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("avoid-survey", "numpy", "scipy", "pandas", "statsmodels", "factor-analyzer", "matplotlib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "?"
    return out


def _methods_text(lang, versions, models_result, n_rows, min_items, cfa_done) -> str:
    se_types = sorted({m.se_type for m in (models_result.models if models_result else []) if m.se_type})
    fams = sorted({m.family for m in (models_result.models if models_result else [])})
    v = versions
    if lang == "zh":
        parts = [f"分析使用 avoid-survey {v['avoid-survey']}（Python {v['python']}；numpy {v['numpy']}，scipy {v['scipy']}，"
                 f"pandas {v['pandas']}，statsmodels {v['statsmodels']}）。",
                 f"样本文件共 {n_rows} 行。量表得分为条目均值，反向题按（最小值+最大值−原值）重新编码；"
                 f"至少作答 {min_items:.0%} 的条目才计算得分，否则记为缺失。",
                 "Cronbach's α 按 psych::alpha 的做法基于成对删除的协方差计算，ω 由单因子模型（多维量表为 Schmid-Leiman 变换）求得。"]
        if cfa_done:
            parts.append("验证性因子分析采用最大似然估计（与 lavaan::cfa 默认一致：首个载荷固定为1，列删除，基于N的卡方），标准误来自期望信息矩阵。")
        if fams:
            parts.append(f"回归模型族：{', '.join(fams)}；标准误类型：{', '.join(se_types) or '常规'}。")
        return "".join(parts)
    parts = [f"Analyses used avoid-survey {v['avoid-survey']} (Python {v['python']}; numpy {v['numpy']}, scipy {v['scipy']}, "
             f"pandas {v['pandas']}, statsmodels {v['statsmodels']}).",
             f" The response file has {n_rows} rows. Scale scores are item means after reverse-keyed items were recoded "
             f"as (min + max - x); a score requires at least {min_items:.0%} of its items answered and is missing otherwise.",
             " Cronbach's alpha follows psych::alpha (pairwise-complete covariances); omega comes from a one-factor "
             "model (Schmid-Leiman for multi-facet scales)."]
    if cfa_done:
        parts.append(" Confirmatory factor analysis used maximum likelihood as lavaan::cfa does by default (first "
                     "loading fixed to 1, listwise deletion, N-based chi-square) with expected-information standard errors.")
    if fams:
        parts.append(f" Model families: {', '.join(fams)}; standard errors: {', '.join(se_types) or 'classical'}.")
    return "".join(parts)


def build_report(spec, *, lang: str = "en", seed: int = 1, figure_dir=None, cfa_scales=None) -> ReportResult:
    """Build the report document for a model spec (path or mapping)."""
    from avoid_survey.analysis.stats.models import load_spec, run_spec

    loaded = load_spec(spec)
    sp = loaded.spec
    title = sp.title.get(lang) if isinstance(sp.title, dict) else (sp.title or None)
    doc = Document(title or _t("title", lang), lang=lang, decimals=3)
    res = ReportResult(doc)
    figdir = Path(figure_dir or tempfile.mkdtemp(prefix="avoid-survey-report-"))
    data_path = loaded.resolve(sp.data) if sp.data else None
    instrument = _instrument_for(loaded)
    min_items = (sp.missing.min_items_fraction if getattr(sp, "missing", None) is not None else 0.8)

    def section(key, fn):
        doc.heading(_t(key, lang))
        try:
            fn()
            res.sections[key] = "ok"
        except AvoidSurveyError as exc:
            doc.note(_t("skipped", lang, reason=exc.one_line()))
            res.sections[key] = exc.one_line()

    state: dict = {}

    def data_section():
        from ..validate import validate
        if data_path is None:
            raise AvoidSurveyError("the spec names no data file")
        rep = validate(data_path, instrument, lang=lang)
        state["n_rows"] = rep.n_rows
        # the summary and the findings grouped by code; the full list is `validate`'s job
        doc.tables(rep.to_tables(lang)[:2])

    def read():
        if "frame" not in state:
            from ..io import read_data
            state["frame"] = read_data(data_path, instrument)
        return state["frame"]

    def rel_section():
        from ..stats.reliability import reliability
        if instrument is None:
            raise AvoidSurveyError("the spec names no instrument")
        r = reliability(read(), instrument)
        state["reliability"] = r
        state["alphas"] = {s.scale: s.alpha for s in r.scales}
        doc.tables(r.to_tables(lang)[:1])   # scale level; item statistics: `avoid-survey reliability`

    def desc_section():
        from ..stats.descriptives import describe_scores
        from ..stats.reliability import reliability
        from ..stats.scoring import score_frame
        if instrument is None:
            raise AvoidSurveyError("the spec names no instrument")
        sc = score_frame(read(), instrument, min_items=min_items).scores
        top = [s for s in instrument.scales if s.id in sc.columns and not s.optional]
        if "alphas" not in state:
            rr = reliability(read(), instrument, scales=[s.id for s in top])
            state["alphas"] = {s.scale: s.alpha for s in rr.scales}
        labels = {s.id: s.label for s in top}
        d = describe_scores(sc, [s.id for s in top], labels=labels, alphas=state["alphas"])
        doc.tables(d.to_tables(lang))

    def cfa_section():
        from ..stats.cfa import cfa
        if instrument is None:
            raise AvoidSurveyError("the spec names no instrument")
        frame = read()
        scales = cfa_scales or [s.id for s in instrument.scales if not s.optional and s.facets
                                and all(i in frame.columns for i in s.item_ids)][:1]
        if not scales:
            raise AvoidSurveyError("no multi-facet scale of the instrument is in the data")
        r = cfa(frame, instrument=instrument, scales=scales)
        state["cfa"] = r
        doc.tables(r.to_tables(lang))

    def models_section():
        r = run_spec(loaded)
        state["models"] = r
        doc.tables(r.to_tables(lang))
        for w in r.warnings:
            res.warnings.append(w)

    def figures_section():
        from ..render.figures import figure_for
        drawn = []

        def draw(kind, payload, name, caption):
            try:
                fig_note = figure_for(kind, payload, figdir / name, lang=lang, force=True)
            except AvoidSurveyError:
                return
            doc.figure(figdir / name, _t(caption, lang))
            if fig_note:
                doc.note(fig_note)
            drawn.append(name)

        if state.get("models") is not None:
            md = state["models"].to_dict()
            draw("model", md, "coefficients.png", "fig_coef")
            draw("slopes", md, "slopes.png", "fig_slopes")
        if state.get("cfa") is not None:
            draw("cfa", state["cfa"].to_dict(), "cfa_paths.png", "fig_path")
        if state.get("reliability") is not None:
            rd = state["reliability"].to_dict()
            leaves = [sc for sc in rd["scales"] if not sc.get("facets")][:3]   # keep the figure readable
            draw("reliability", {"scales": leaves}, "distribution.png", "fig_dist")
        if not drawn:
            raise AvoidSurveyError("no figure could be drawn from the sections above")

    section("data", data_section)
    section("desc", desc_section)
    section("rel", rel_section)
    section("cfa", cfa_section)
    section("models", models_section)
    section("figs", figures_section)
    doc.heading(_t("methods", lang))
    doc.para(_methods_text(lang, _versions(), state.get("models"), state.get("n_rows", 0), min_items,
                           "cfa" in state))
    res.sections["methods"] = "ok"
    return res


def write_report(spec, out, *, lang: str = "en", seed: int = 1, force: bool = False) -> ReportResult:
    """Build the report and write it as .html or .docx (atomically, never over a file
    without ``force``)."""
    from ..io.output import check_output, write_atomic

    p = Path(out)
    ext = p.suffix.lower()
    if ext not in (".html", ".htm", ".docx"):
        raise AvoidSurveyError(f"unsupported report type '{ext or '(none)'}' (use .html or .docx)", file=p)
    check_output(p, force)
    with tempfile.TemporaryDirectory(prefix="avoid-survey-fig-") as tmp:
        res = build_report(spec, lang=lang, seed=seed, figure_dir=tmp)
        payload = res.document.to_docx() if ext == ".docx" else res.document.to_html()
        write_atomic(p, payload, force)
    return res
