"""Results of the Python API: one thin wrapper over each library result.

A :class:`Result` keeps the library's own result object (``.raw``, a dataclass with
full-precision numbers) and adds what a notebook wants:

- ``to_dict()``: plain JSON types, exactly what the command's ``--format json`` prints
  (NaN as None, numpy numbers as Python numbers);
- ``to_frame(what)``: a pandas DataFrame of the part of the result that is a table;
- ``to_table(lang)``: the result's tables (:class:`Tables`, a list of the library's
  ``Table`` objects) that render to Markdown, HTML, LaTeX, CSV, text, Word or Excel;
- ``_repr_html_``: Jupyter shows the same tables as the command line, as HTML.

Fields of the library result are reachable on the wrapper (``rel.scales``, ``fit.models``).
"""
from __future__ import annotations

import os

__all__ = ["Result", "Tables", "ValidationResult", "ScoreResult", "ReliabilityResult", "EFAResult",
           "CFAResult", "ModelsResult", "SimulationResult", "PolychoricResult", "ExperimentResult", "DescribeResult", "CompareResult"]

_TEXT_FORMATS = ("md", "csv", "latex", "html", "table")
_BINARY_FORMATS = ("docx", "xlsx")
_EXTENSIONS = {".md": "md", ".csv": "csv", ".tex": "latex", ".html": "html", ".htm": "html", ".txt": "table",
               ".docx": "docx", ".xlsx": "xlsx"}


class Tables(list):
    """The tables of one result in one language: a list of ``Table`` objects.

    ``render(fmt)`` gives the text (md, csv, latex, html, table) or bytes (docx, xlsx) the
    command line writes with ``--format fmt``; ``save(path)`` picks the format from the
    extension; in Jupyter the tables display as HTML.
    """

    def __init__(self, tables, lang: str = "zh", decimals: int = 3):
        super().__init__(tables)
        self.lang = lang
        self.decimals = decimals

    def render(self, fmt: str = "md", decimals: int | None = None):
        from avoid_survey.analysis import render

        dec = self.decimals if decimals is None else decimals
        if fmt in _BINARY_FORMATS:
            return render.render_bytes(list(self), fmt, self.lang, dec)
        if fmt not in _TEXT_FORMATS:
            raise ValueError(f"unknown format {fmt!r} (one of {', '.join(_TEXT_FORMATS + _BINARY_FORMATS)})")
        return render.render_text(list(self), fmt, self.lang, dec)

    def save(self, path, *, force: bool = False, decimals: int | None = None) -> os.PathLike:
        """Write the tables to ``path`` (format from the extension), atomically; an existing
        file is replaced only with ``force=True``."""
        from pathlib import Path

        from avoid_survey.analysis.core.errors import AvoidSurveyError
        from avoid_survey.analysis.io.output import write_atomic

        p = Path(path)
        fmt = _EXTENSIONS.get(p.suffix.lower())
        if fmt is None:
            raise AvoidSurveyError(f"unknown table format '{p.suffix}' (use {', '.join(sorted(_EXTENSIONS))})",
                                   file=p)
        out = self.render(fmt, decimals)
        if isinstance(out, bytes):
            write_atomic(p, out, force)
        else:
            write_atomic(p, out, force, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        return p

    def __str__(self) -> str:
        return self.render("table")

    def _repr_html_(self) -> str:
        from avoid_survey.analysis import render

        fragment = getattr(render, "render_html", None)
        if fragment is not None:
            try:
                return fragment(list(self), self.lang, self.decimals, standalone=False)
            except TypeError:  # a renderer without the fragment option
                pass
        return render.render_text(list(self), "html", self.lang, self.decimals)


class Result:
    """What an API function returns: the library result plus notebook conveniences.

    ``lang`` (zh or en, default zh as on the command line) and ``decimals`` set how the
    result displays; ``to_table(lang=...)`` chooses per call.
    """

    kind = "result"
    default_frame = None      # name of the part to_frame() gives without an argument

    def __init__(self, raw, *, lang: str = "zh", decimals: int = 3):
        self.__dict__["raw"] = raw
        self.__dict__["lang"] = lang
        self.__dict__["decimals"] = decimals

    # ---- the library result's fields (rel.scales, res.warnings ...)
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["raw"], name)

    def __setattr__(self, name, value):
        if name not in ("lang", "decimals"):
            raise AttributeError(f"{type(self).__name__} is read-only (set only lang or decimals)")
        self.__dict__[name] = value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self.raw)))

    # ---- the four views
    def to_dict(self) -> dict:
        """The ``--format json`` document of the command, as Python objects."""
        from avoid_survey.cli.common import clean_json

        return clean_json(self._doc())

    def _doc(self) -> dict:
        d = self.raw.to_dict()
        flow = self.__dict__.get("screening")
        if flow is not None and isinstance(d, dict) and "screening" not in d:
            d = {**d, "screening": flow}
        return d

    def to_json(self) -> str:
        """The ``--format json`` text of the command."""
        from avoid_survey.cli.common import dumps_json

        return dumps_json(self._doc()) + "\n"

    def explain(self, lang: str | None = None):
        """The results in words (what ``--explain`` adds): ``{"zh", "en"}``, or the paragraph
        in ``lang`` when given. The rules and their cut-offs: analysis/core/explain_rules.yaml."""
        from avoid_survey.analysis.tables.explain import explanation

        kind = {"models": "model"}.get(self.kind, self.kind)
        text = explanation(kind, self.raw)
        return text[lang] if lang else text

    def to_tables(self, lang: str | None = None) -> list:
        """The library's Table objects (what every output format renders)."""
        return self.raw.to_tables(lang or self.lang)

    def to_table(self, lang: str | None = None, decimals: int | None = None) -> Tables:
        """The result's tables in ``lang`` (zh or en), ready to render, save or display."""
        lang = lang or self.lang
        return Tables(self.to_tables(lang), lang, self.decimals if decimals is None else decimals)

    def to_frame(self, what: str | None = None):
        """A pandas DataFrame of one part of the result (``frames()`` names the parts)."""
        parts = self.frames()
        if not parts:
            raise TypeError(f"a {self.kind} result has no table-shaped part")
        key = what or self.default_frame
        if key not in parts:
            raise ValueError(f"to_frame() of a {self.kind} result takes one of: {', '.join(parts)}")
        return getattr(self, f"_frame_{key}")()

    def frames(self) -> list[str]:
        return [n[len("_frame_"):] for n in dir(type(self)) if n.startswith("_frame_")]

    # ---- display
    def _repr_html_(self) -> str:
        return self.to_table()._repr_html_()

    def __str__(self) -> str:
        return str(self.to_table())

    def __repr__(self) -> str:
        return f"<avoid_survey {self.kind} result: {self._summary()}>"

    def _summary(self) -> str:
        return type(self.raw).__name__


def _records(rows, columns=None):
    import pandas as pd

    return pd.DataFrame.from_records(list(rows), columns=columns)


class ValidationResult(Result):
    """``av.validate``: the validation report (findings, flags, per-respondent indices)."""

    kind = "validate"
    default_frame = "findings"

    def _frame_findings(self):
        cols = ["code", "severity", "row", "column", "respondent", "message"]
        found = self.to_dict()["findings"]
        extra = [k for f in found for k in f if k not in cols]
        return _records(found, cols + list(dict.fromkeys(extra)))

    def _frame_summary(self):
        return _records(self.to_dict()["summary"])

    def _frame_flags(self):
        return self.raw.flags

    def _frame_indices(self):
        return self.raw.indices

    def _summary(self) -> str:
        return f"{self.raw.n_rows} rows, {self.raw.n_errors} errors, {self.raw.n_warnings} warnings"


class ScoreResult(Result):
    """``av.score``: the data with scale scores appended (or unit means with ``aggregate``)."""

    kind = "score"
    default_frame = "data"

    def __init__(self, raw, data=None, *, lang: str = "zh", decimals: int = 3):
        super().__init__(raw, lang=lang, decimals=decimals)
        self.__dict__["_data"] = data

    def _frame_data(self):
        if self.__dict__["_data"] is None:   # scored to a file: read it back
            from avoid_survey.analysis.io import read
            self.__dict__["_data"] = read(self.raw.out)
        return self.__dict__["_data"]

    def _frame_scales(self):
        return _records(self.to_dict()["scales"])

    def _summary(self) -> str:
        return f"{len(self.raw.scales)} scales scored for {self.raw.n_rows} rows"


class ReliabilityResult(Result):
    """``av.reliability``: alpha, omega and item statistics per scale and facet."""

    kind = "reliability"
    default_frame = "scales"

    def _frame_scales(self):
        rows = []
        for s in self.to_dict()["scales"]:
            row = {k: v for k, v in s.items() if not isinstance(v, (list, dict))}
            lo, hi = (s.get("alpha_ci") or [None, None])[:2]
            row["alpha_ci_lower"], row["alpha_ci_upper"] = lo, hi
            rows.append(row)
        return _records(rows)

    def _frame_items(self):
        rows = []
        for s in self.to_dict()["scales"]:
            for it in s.get("items", []):
                rows.append({"scale": s["scale"], **{k: v for k, v in it.items() if not isinstance(v, (list, dict))}})
        return _records(rows)

    def _summary(self) -> str:
        return ", ".join(f"{s.scale} alpha={s.alpha:.3f}" for s in self.raw.scales[:4]) + \
            (" ..." if len(self.raw.scales) > 4 else "")


def _matrix_frame(mapping, index_name):
    import pandas as pd

    frame = pd.DataFrame.from_dict(mapping, orient="index")
    frame.index.name = index_name
    return frame


class EFAResult(Result):
    """``av.efa``: KMO, Bartlett, parallel analysis and rotated loadings."""

    kind = "efa"
    default_frame = "loadings"

    def _frame_loadings(self):
        return _matrix_frame(self.to_dict()["loadings"], "item")

    def _frame_structure(self):
        return _matrix_frame(self.to_dict()["structure"], "item")

    def _frame_factor_correlations(self):
        return _matrix_frame(self.to_dict()["factor_correlations"], "factor")

    def _frame_items(self):
        import pandas as pd

        d = self.to_dict()
        frame = pd.DataFrame({"communality": d["communalities"], "uniqueness": d["uniquenesses"],
                              "kmo": d["kmo"]["items"]})
        frame.index.name = "item"
        return frame

    def _summary(self) -> str:
        return f"{self.raw.n_factors} factors, {self.raw.method}/{self.raw.rotation}, n={self.raw.n}"


class CFAResult(Result):
    """``av.cfa``: fit indices, loadings, CR/AVE; with ``group``, measurement invariance."""

    kind = "cfa"
    default_frame = "loadings"

    def _frame_loadings(self):
        return _records(self.to_dict()["loadings"])

    def _frame_parameters(self):
        return _records(self.to_dict()["parameters"])

    def _frame_fit(self):
        import pandas as pd

        return pd.Series(self.to_dict()["fit"], name="value").to_frame()

    def _frame_reliability(self):
        return _matrix_frame(self.to_dict()["factor_reliability"], "factor")

    def _frame_invariance(self):
        return _records(self.to_dict().get("invariance", []))

    def _frame_thresholds(self):
        return _records(self.to_dict().get("thresholds") or [])

    def _summary(self) -> str:
        fit = self.raw.fit or {}
        cfi, rmsea = fit.get("cfi"), fit.get("rmsea")
        shown = "" if cfi is None or rmsea is None else f", CFI={cfi:.3f}, RMSEA={rmsea:.3f}"
        return f"n={self.raw.n}{shown}"


class ModelsResult(Result):
    """``av.fit_models``: every model of a spec (one table, a column per model)."""

    kind = "models"
    default_frame = "coefficients"

    def _frame_coefficients(self):
        rows = []
        for m in self.to_dict()["models"]:
            for c in m.get("coefficients", []):
                rows.append({"model": m["name"], **c})
        return _records(rows)

    def _frame_fit(self):
        rows = [{"model": m["name"], "family": m.get("family"), "n": m.get("n"), **(m.get("fit") or {})}
                for m in self.to_dict()["models"]]
        return _records(rows)

    def _frame_effects(self):
        rows = []
        for m in self.to_dict()["models"]:
            for e in m.get("effects", []) or []:
                rows.append({"model": m["name"], **e})
        return _records(rows)

    def _summary(self) -> str:
        return ", ".join(m.name for m in self.raw.models)


class SimulationResult(Result):
    """``av.simulate``: simulated responses (with ``out``: the summary of the files written),
    or a power analysis (``replicate`` and ``fit``)."""

    kind = "simulate"
    default_frame = "responses"

    def __init__(self, raw, simulation=None, *, lang: str = "zh", decimals: int = 3):
        super().__init__(raw, lang=lang, decimals=decimals)
        self.__dict__["_simulation"] = simulation

    def _sim(self, part):
        sim = self.__dict__["_simulation"]
        if sim is None:
            raise ValueError("this result holds no simulated data (a power analysis)")
        return getattr(sim, part)

    def _frame_responses(self):
        sim = self.__dict__["_simulation"]
        if sim is None and "out" in getattr(self.raw, "files", {}):
            from avoid_survey.analysis.io import read
            return read(self.raw.files["out"])
        return self._sim("joined")()

    def _frame_units(self):
        return self._sim("units")

    def _frame_latents(self):
        return self._sim("latents")

    def _repr_html_(self) -> str:
        tables = self.to_table()
        if tables or self.__dict__["_simulation"] is None:
            return tables._repr_html_()
        return self.to_frame().head(10).to_html()

    def _summary(self) -> str:
        d = self.to_dict()
        if "replicates" in d:
            return f"power analysis, {d['n_ok']} of {d['replicates']} replicates"
        return f"{d['n_respondents']} respondents in {d['n_townships']} townships, seed {d['seed']}"

    def _frame_power(self):
        rows = []
        for m in self.to_dict().get("models", []):
            for c in m.get("coefficients", []):
                rows.append({"model": m.get("name"), **c})
        return _records(rows)


class SEMResult(Result):
    """``av.sem``: parameters (with std.all), R², fit; modification indices and model
    comparison when asked for."""

    kind = "sem"
    default_frame = "parameters"

    def _frame_parameters(self):
        return _records(self.to_dict()["parameters"])

    def _frame_fit(self):
        import pandas as pd

        return pd.Series(self.to_dict()["fit"], name="value").to_frame()

    def _frame_r2(self):
        r2 = self.to_dict()["r2"]
        if r2 and all(isinstance(v, dict) for v in r2.values()):     # per group
            return _records([{"group": g, "variable": k, "r2": v} for g, d in r2.items() for k, v in d.items()])
        return _records([{"variable": k, "r2": v} for k, v in r2.items()])

    def _frame_modification_indices(self):
        return _records(self.to_dict().get("modification_indices") or [])

    def _frame_comparison(self):
        return _records(self.to_dict().get("comparison") or [])

    def _summary(self) -> str:
        fit = self.raw.fit or {}
        cfi, rmsea = fit.get("cfi"), fit.get("rmsea")
        shown = "" if cfi is None or rmsea is None else f", CFI={cfi:.3f}, RMSEA={rmsea:.3f}"
        return f"n={self.raw.n}, {self.raw.estimator}{shown}"


class CMVResult(Result):
    """``av.cmv``: Harman's test, single factor, ULMC and marker correction."""

    kind = "cmv"
    default_frame = "checks"

    def _frame_checks(self):
        d = self.to_dict()
        h, s, u = d["harman"], d["single_factor"], d["ulmc"]
        rows = [{"check": "harman", "first_component_share": h["first_component_share"],
                 "first_factor_share": h["first_factor_share"], "n_eigen_gt1": h["n_eigen_gt1"]},
                {"check": "single_factor", **{k: s.get(k) for k in ("delta_chisq", "delta_df", "p_delta", "delta_cfi")}},
                {"check": "ulmc", **{k: u.get(k) for k in ("delta_chisq", "delta_df", "p_delta", "delta_cfi",
                                                           "method_variance_share")}}]
        return _records(rows)

    def _frame_fit(self):
        d = self.to_dict()
        keys = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
        return _records([{"model": m, **{k: d[part].get(k) for k in keys}}
                         for m, part in (("measurement", "measurement"), ("single_factor", "single_factor"),
                                         ("ulmc", "ulmc"))])

    def _frame_marker(self):
        mk = self.to_dict().get("marker")
        return _records(mk["pairs"] if mk else [])

    def _summary(self) -> str:
        h = self.raw.harman
        return f"n={self.raw.n}, first component {h['first_component_share']:.1%}"
class PolychoricResult(Result):
    """``av.polychoric``: the polychoric correlation matrix and each item's thresholds."""

    kind = "polychoric"
    default_frame = "correlations"

    def to_dict(self) -> dict:
        from avoid_survey.cli.common import clean_json

        return clean_json(self.raw.to_dict())

    def to_json(self) -> str:
        from avoid_survey.cli.common import dumps_json

        return dumps_json(self.raw.to_dict()) + "\n"

    def to_tables(self, lang: str | None = None) -> list:
        from avoid_survey.analysis.tables.polychoric import polychoric_tables

        return polychoric_tables(self.raw, lang or self.lang)

    def _frame_correlations(self):
        import pandas as pd

        frame = pd.DataFrame(self.raw.rho, index=list(self.raw.items), columns=list(self.raw.items))
        frame.index.name = "item"
        return frame

    def _frame_thresholds(self):
        import pandas as pd

        width = max(len(t) for t in self.raw.thresholds)
        rows = {it: list(t) + [None] * (width - len(t)) for it, t in zip(self.raw.items, self.raw.thresholds)}
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[f"t{j + 1}" for j in range(width)])
        frame.index.name = "item"
        return frame

    def _summary(self) -> str:
        return f"{len(self.raw.items)} items, {self.raw.method}, n={self.raw.n_obs}"
class ExperimentResult(Result):
    """``av.experiment``: balance, attrition, effects, tests and power of a survey experiment."""

    kind = "experiment"
    default_frame = "effects"

    def _frame_effects(self):
        return _records(self.to_dict().get("effects", []))

    def _frame_balance(self):
        return _records(self.to_dict().get("balance", []))

    def _frame_attrition(self):
        return _records(self.to_dict().get("attrition", []))

    def _frame_tests(self):
        return _records(self.to_dict().get("tests", []))

    def _frame_power(self):
        return _records(self.to_dict().get("power", []))

    def _summary(self) -> str:
        d = self.to_dict()["design"]
        return (f"{d['type']} experiment '{d['id']}', outcome {d.get('outcome')}: "
                f"{d.get('n_observed', 0)} rows of {d['n_respondents']} respondents")


class DescribeResult(Result):
    """``av.describe``: sample profile, descriptives and the correlation table."""

    kind = "describe"
    default_frame = "descriptives"

    def _frame_descriptives(self):
        return _records(self.to_dict().get("descriptives", []))

    def _frame_profile(self):
        return _records(self.to_dict().get("profile", []))

    def _frame_correlations(self):
        import pandas as pd

        return pd.DataFrame(self.to_dict().get("correlations", {}))

    def _summary(self) -> str:
        return f"{self.to_dict().get('n')} respondents"


class CompareResult(Result):
    """``av.compare``: the tests, each group's n, mean and SD, and post hoc comparisons."""

    kind = "compare"
    default_frame = "tests"

    def _frame_tests(self):
        return _records([{k: v for k, v in t.items() if k not in ("groups", "post_hoc")}
                         for t in self.to_dict().get("tests", [])])

    def _frame_groups(self):
        return _records([dict(g, variable=t["variable"], test=t["test"]) for t in self.to_dict().get("tests", [])
                         for g in t.get("groups", [])])

    def _frame_post_hoc(self):
        return _records([dict(r, variable=t["variable"]) for t in self.to_dict().get("tests", [])
                         for r in (t.get("post_hoc") or [])])

    def _summary(self) -> str:
        return f"{len(self.to_dict().get('tests', []))} test(s)"
