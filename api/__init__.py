"""avoid-survey as a Python library: ``import avoid_survey as av``.

>>> import avoid_survey as av
>>> rel = av.reliability("sample_data/responses.csv", "blame-avoidance-core")
>>> rel.to_frame()            # one row per scale and facet
>>> rel                       # in Jupyter: the same tables as the command line, as HTML
>>> rel.to_dict()             # what ``avoid-survey reliability --format json`` prints

Every analysis takes a file path or a pandas DataFrame and an instrument (a bundled id, the
path of an instrument YAML file, or an :class:`~avoid_survey.instruments.Instrument`), and
returns a :class:`~avoid_survey.results.Result` with ``to_dict()``, ``to_frame()``,
``to_table(lang=...)`` and an HTML display. See docs/python-api.md.

The functions are imported on first use: ``import avoid_survey`` loads no numpy or pandas.
"""
from __future__ import annotations

from avoid_survey.analysis.core.lazy import lazy_exports

# public name -> module of this package that defines it
_PUBLIC = {
    "read": "functions",
    "load_instrument": "functions",
    "validate": "functions",
    "score": "functions",
    "reliability": "functions",
    "efa": "functions",
    "cfa": "functions",
    "fit_models": "functions",
    "simulate": "functions",
    "process": "functions",
    "Result": "results",
    "Tables": "results",
    "sem": "functions",
    "cmv": "functions",
    "polychoric": "functions",
    "experiment": "functions",
    "instrument_coverage": "functions",
    "describe": "functions",
    "compare": "functions",
}

__all__ = sorted(_PUBLIC)


__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC, globals())
