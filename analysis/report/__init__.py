"""One document for a study: ``avoid-survey report --spec spec.yaml --out report.html``.

Sections: data and validation, the sample profile, descriptives and correlations (alpha on
the diagonal), reliability (scales and items), CFA of the instrument, the models of the
spec, the results in words (the ``--explain`` rules), figures, and a methods paragraph (software and versions, estimators, SE types, missing-data handling).
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
from ..core.i18n import tr

__all__ = ["build_report", "write_report", "ReportResult"]

# the libraries the methods paragraph may name, in its order (see _software)
_LIBS = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib")
_DATA_SECTIONS = ("data", "desc", "rel", "cfa", "models")


def _t(key, lang, **kw):
    return tr(f"rep_{key}", lang).format(**kw)


@dataclass
class ReportResult:
    document: Document
    sections: dict = field(default_factory=dict)   # section -> "ok" | reason skipped
    warnings: list = field(default_factory=list)
    software: dict = field(default_factory=dict)   # name -> version, as the methods paragraph names them


def _instrument_for(loaded):
    from avoid_survey.instruments import load_instrument

    ref = loaded.spec.instrument
    if ref is None:
        return None
    s = str(ref)
    if s.endswith((".yaml", ".yml")) or "/" in s:
        return load_instrument(loaded.resolve(s))
    return load_instrument(s)


def _model_libs(m) -> set:
    """Libraries a fitted model's estimation called: statsmodels (with scipy) for logit,
    probit and ordinal models; scipy's optimiser for a mixed model with more than one
    variance parameter. OLS, one-parameter mixed models and mediation use numpy only."""
    if m.family in ("logit", "probit", "ordinal"):
        return {"statsmodels", "scipy"}
    if m.family == "mixed" and len((m.fit or {}).get("theta") or ()) > 1:
        return {"scipy"}
    return set()


def _software(sections: dict, models_result) -> list[str]:
    """The libraries that ran, in a fixed order: numpy and pandas when any data section was
    built, what the fitted models called, matplotlib when figures were drawn."""
    used = set()
    if any(sections.get(k) == "ok" for k in _DATA_SECTIONS):
        used |= {"numpy", "pandas"}
    if sections.get("models") == "ok" and models_result is not None:
        for m in models_result.models:
            used |= _model_libs(m)
    if sections.get("figs") == "ok" or sections.get("sem") == "ok":
        used.add("matplotlib")
    return [lib for lib in _LIBS if lib in used]


def _versions(libs) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("avoid-survey", *libs):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "?"
    return out


def screening_text(flow, lang) -> str:
    """The methods sentence of an exclusion flow: received, each rule's removals, analysed."""
    if not flow:
        return ""
    parts = [tr("scr_methods_part", lang).format(n=s["n_removed"], what=tr(f"scr_{s['step']}", lang))
             for s in flow if s["step"] not in ("received", "analysed", "out_of_range") and s["n_removed"]]
    oor = next((s.get("n_cells", 0) for s in flow if s["step"] == "out_of_range"), 0)
    if oor:
        parts.append(tr("scr_methods_oor", lang).format(n=oor))
    sep = tr("rep_m_lib_sep", lang)
    return " " + tr("scr_methods", lang).format(received=flow[0]["n_remaining"],
                                                 parts=sep.join(parts) or tr("scr_methods_none", lang),
                                                 analysed=flow[-1]["n_remaining"])


def _methods_text(lang, versions, libs, models_result, n_rows, min_items, cfa_done, flow=None,
                  filtered=None, ordinal=False) -> str:
    se_types = sorted({m.se_type for m in (models_result.models if models_result else []) if m.se_type})
    fams = sorted({m.family for m in (models_result.models if models_result else [])})
    named = tr("rep_m_lib_sep", lang).join(f"{lib} {versions[lib]}" for lib in libs)
    parts = [tr("rep_m_software", lang).format(version=versions["avoid-survey"], python=versions["python"],
                                              libs=tr("rep_m_libs", lang).format(libs=named) if libs else ""),
             tr("rep_m_scores", lang).format(n_rows=n_rows, min_items=min_items),
             screening_text(flow, lang),
             tr("rep_m_filters", lang).format(n=filtered[0], k=filtered[1]) if filtered else "",
             tr("rep_m_alpha", lang),
             tr("ord_rep_polychoric" if ordinal else "ord_rep_pearson", lang)]
    if cfa_done:
        parts.append(tr("rep_m_cfa", lang))
    if fams:
        parts.append(tr("rep_m_models", lang).format(families=", ".join(fams),
                                                     se_types=", ".join(se_types) or tr("rep_m_classical", lang)))
    return "".join(parts)


def build_report(spec, *, lang: str = "zh", seed: int = 1, figure_dir=None, cfa_scales=None,
                 ordinal: bool = False, style: str = "auto", sensitivity: bool = False) -> ReportResult:
    """Build the report document for a model spec (path or mapping).

    One screening (the spec's ``screening:`` block, or the command's ``--screen``
    options) applies to every section: the validation summary shows its exclusion flow,
    descriptives, reliability, CFA and models use the same analysed rows, and the methods
    paragraph states it. ``sensitivity``: the models are fitted again without exclusions
    (blank rows aside) and compared in a table. ``ordinal``: the reliability section adds
    ordinal alpha and omega from polychoric correlations (``reliability --ordinal``); the
    methods paragraph states which correlations were used. ``style`` is the table style of
    the Word document: 'apa' (APA 7), 'cn' (Chinese journals) or 'auto' (cn for lang='zh',
    apa otherwise)."""
    from ..io.readopts import current, using

    b = _Builder(spec, lang, figure_dir, cfa_scales)
    b.ordinal = bool(ordinal)
    b.doc.style = _style(style, lang)
    with using(current(), screening=b.screening, units=b.nesting or None):
        for key, step in (("data", b.data), ("desc", b.desc), ("rel", b.rel), ("cfa", b.cfa),
                          ("models", b.models), ("sem", b.sem), ("results", b.results), ("figs", b.figures)):
            if key == "sem" and not b.has_sem():
                continue
            b.section(key, step, level=3 if key == "sem" else 2)   # SEMs: a subsection of the models
        if sensitivity:
            b.section("sensitivity", b.sensitivity)
        analyses = ("rel", "cfa", "models")
        if all(b.res.sections.get(k) != "ok" for k in analyses):
            # a report whose reliability, CFA and models were all skipped (a sample profile at
            # most) is not the report the spec asks for: say what is missing instead of writing it
            reasons = "; ".join(f"{k}: {b.res.sections[k]}" for k in analyses if k in b.res.sections)
            raise AvoidSurveyError(f"nothing to report: every analysis section was skipped ({reasons})")
        b.methods()
    return b.res


STYLES = ("auto", "apa", "cn")


def _style(style: str, lang: str) -> str:
    if style not in STYLES:
        raise AvoidSurveyError(f"--style must be one of {', '.join(STYLES)}, not '{style}'")
    return ("cn" if tr("rnd_script", lang) == "cjk" else "apa") if style == "auto" else style


class _Builder:
    """The report's sections, one method each; what one section computes, later ones reuse."""

    def __init__(self, spec, lang, figure_dir, cfa_scales):
        from avoid_survey.analysis.stats.models import load_spec

        self.loaded = loaded = load_spec(spec)
        sp = loaded.spec
        self.lang = lang
        title = sp.title.get(lang) if isinstance(sp.title, dict) else (sp.title or None)
        self.doc = Document(title or _t("title", lang), lang=lang, decimals=3)
        self.res = ReportResult(self.doc)
        self.figdir = Path(figure_dir or tempfile.mkdtemp(prefix="avoid-survey-report-"))
        self.data_path = loaded.resolve(sp.data) if sp.data else None
        self.instrument = _instrument_for(loaded)
        self.min_items = (sp.missing.min_items_fraction if getattr(sp, "missing", None) is not None else 0.8)
        self.cfa_scales = cfa_scales
        self.ordinal = False
        self.state: dict = {}
        from ..io.readopts import current
        self.screening = current().screening or sp.screening_rules
        self.nesting = tuple(current().units or sp.nesting or ())

    def section(self, key, fn, level=2):
        self.doc.heading(_t(key, self.lang), level)
        try:
            fn()
            self.res.sections[key] = "ok"
        except AvoidSurveyError as exc:
            self.doc.note(_t("skipped", self.lang, reason=exc.one_line()))
            self.res.sections[key] = exc.one_line()

    def _need_instrument(self):
        if self.instrument is None:
            raise AvoidSurveyError("the spec names no instrument")
        return self.instrument

    def read(self):
        """The analysed rows every section uses: the screening, then the spec's ``filters``
        (exclude_flags, where) exactly as the models get them."""
        if "frame" not in self.state:
            from ..io import read
            frame = read(self.data_path, self.instrument)
            f = self.loaded.spec.filters
            if f.exclude_flags or f.where:
                from ..stats.models.prep import Prep
                n0 = len(frame)
                frame = Prep(self.loaded).get(None, None)[0]
                self.state["filtered"] = (n0 - len(frame), len(frame))
            self.state["frame"] = frame
        return self.state["frame"]

    def data(self):
        from ..tables.screening import screening_table
        from ..validate import validate
        if self.data_path is None:
            raise AvoidSurveyError("the spec names no data file")
        rep = validate(self.data_path, self.instrument, lang=self.lang, screening=self.screening)
        self.state["n_rows"] = rep.n_rows
        self.state["flow"] = rep.screening
        # the summary, the exclusion flow and the findings grouped by code; the full list is `validate`'s job
        tabs = rep.to_tables(self.lang)
        self.doc.tables([tabs[0], screening_table(rep.screening, self.lang), tabs[1]])

    def rel(self):
        from ..stats.reliability import reliability
        r = reliability(self.read(), self._need_instrument(), ordinal=self.ordinal)
        self.state["reliability"] = r
        self.state["alphas"] = {s.scale: s.alpha for s in r.scales}
        self.doc.tables(r.to_tables(self.lang))   # scale level, then the item statistics

    def desc(self):
        from ..stats.describe import describe
        instrument = self._need_instrument()
        d = describe(self.read(), instrument, min_items=self.min_items, lang=self.lang)
        self.state["describe"] = d
        self.doc.tables(d.to_tables(self.lang))   # sample profile, descriptives, correlations

    def cfa(self):
        from ..stats.cfa import cfa
        instrument = self._need_instrument()
        frame = self.read()
        scales = self.cfa_scales or [s.id for s in instrument.scales if not s.optional and s.facets
                                     and all(i in frame.columns for i in s.item_ids)][:1]
        if not scales:
            raise AvoidSurveyError("no multi-facet scale of the instrument is in the data")
        r = cfa(frame, instrument=instrument, scales=scales)
        self.state["cfa"] = r
        self.doc.tables(r.to_tables(self.lang))

    def models(self):
        from avoid_survey.analysis.stats.models import run_spec
        r = run_spec(self.loaded)
        self.state["models"] = r
        # each SEM's full parameter tables are `avoid-survey model`'s; the report's SEM section is compact
        self.doc.tables([t for t in r.to_tables(self.lang) if not t.name.startswith(("sem_", "cmv_"))])
        self.res.warnings.extend(r.warnings)

    def has_sem(self) -> bool:
        return any(m.family == "sem" for m in self.loaded.spec.models)

    def sem(self):
        """Fit, standardized structural paths, indirect effects and the path diagram of every
        ``family: sem`` model (fitted once, in the models section)."""
        from ..render.sem_diagram import spec_figures
        from ..tables.sem import report_tables

        r = self.state.get("models")
        if r is None:
            raise AvoidSurveyError("the models of the spec could not be fitted (see above)")
        sems = [m for m in r.models if m.family == "sem"]
        self.doc.tables(report_tables(sems, self.lang, r.labels))
        for name, path, fig_note in spec_figures(r, self.figdir / "sem_paths.png", lang=self.lang, force=True):
            self.doc.figure(path, tr("semspec_rep_fig", self.lang).format(model=name))
            if fig_note:
                self.doc.note(fig_note)
        self.state["sem_figures"] = True

    def results(self):
        """The results in words: the explanation rules applied to each section built above."""
        from ..core.explain import load_rules
        from ..tables.explain import explanation_sentences
        said = False
        for key, kind, heading in (("describe", "describe", "desc"), ("reliability", "reliability", "rel"),
                                   ("cfa", "cfa", "cfa"), ("models", "model", "models")):
            result = self.state.get(key)
            if result is None:
                continue
            lines = explanation_sentences(kind, result)[self.lang]
            if lines:
                self.doc.heading(_t(f"res_{heading}", self.lang), level=3)
                self.doc.para(load_rules()["phrases"]["sentence_sep"][self.lang].join(lines))
                said = True
        if not said:
            raise AvoidSurveyError("no analysis section was built to explain")

    def sensitivity(self):
        """The models again without exclusions (blank rows aside), beside the screened fit."""
        from avoid_survey.analysis.stats.models import run_spec
        from ..io.readopts import current, using
        from ..validate.screening import Screening
        from ..tables.screening import sensitivity_table

        screened = self.state.get("models")
        if screened is None:
            raise AvoidSurveyError("the models section was not built")
        with using(current(), screening=Screening(duplicates="none")):
            unscreened = run_spec(self.loaded)
        self.state["sensitivity"] = unscreened
        self.doc.tables([sensitivity_table(screened, unscreened, self.lang)])

    def _draw(self, kind, payload, name, caption, drawn):
        from ..render.figures import figure_for
        try:
            fig_note = figure_for(kind, payload, self.figdir / name, lang=self.lang, force=True)
        except AvoidSurveyError:
            return
        self.doc.figure(self.figdir / name, _t(caption, self.lang))
        if fig_note:
            self.doc.note(fig_note)
        drawn.append(name)

    def figures(self):
        drawn: list = []
        st = self.state
        if st.get("models") is not None:
            from ..tables.explain import enriched
            md = enriched("model", st["models"])   # with the terms' labels
            self._draw("model", md, "coefficients.png", "fig_coef", drawn)
            self._draw("slopes", md, "slopes.png", "fig_slopes", drawn)
        if st.get("cfa") is not None:
            self._draw("cfa", st["cfa"].to_dict(), "cfa_paths.png", "fig_path", drawn)
        if st.get("reliability") is not None:
            rd = st["reliability"].to_dict()
            leaves = [sc for sc in rd["scales"] if not sc.get("facets")][:3]   # keep the figure readable
            self._draw("reliability", {"scales": leaves}, "distribution.png", "fig_dist", drawn)
        if not drawn:
            raise AvoidSurveyError("no figure could be drawn from the sections above")

    def methods(self):
        res, st = self.res, self.state
        self.doc.heading(_t("methods", self.lang))
        libs = _software(res.sections, st.get("models"))
        versions = _versions(libs)
        res.software = {k: versions[k] for k in ("avoid-survey", "python", *libs)}
        self.doc.para(_methods_text(self.lang, versions, libs, st.get("models"), st.get("n_rows", 0),
                                    self.min_items, "cfa" in st, st.get("flow"), st.get("filtered"),
                                    ordinal=self.ordinal and "reliability" in st))
        res.sections["methods"] = "ok"


def write_report(spec, out, *, lang: str = "zh", seed: int = 1, force: bool = False,
                 ordinal: bool = False, style: str = "auto", sensitivity: bool = False) -> ReportResult:
    """Build the report and write it as .html or .docx (atomically, never over a file
    without ``force``)."""
    from ..io.output import check_output, write_atomic

    p = Path(out)
    ext = p.suffix.lower()
    if ext not in (".html", ".htm", ".docx"):
        raise AvoidSurveyError(f"unsupported report type '{ext or '(none)'}' (use .html or .docx)", file=p)
    check_output(p, force)
    with tempfile.TemporaryDirectory(prefix="avoid-survey-fig-") as tmp:
        res = build_report(spec, lang=lang, seed=seed, figure_dir=tmp, ordinal=ordinal, style=style,
                           sensitivity=sensitivity)
        payload = res.document.to_docx() if ext == ".docx" else res.document.to_html()
        write_atomic(p, payload, force)
    return res
