"""Check a response file before analysis: every problem at once, nothing modified.

``validate(path, instrument)`` reads the file with :func:`avoid_survey.analysis.io.load`
and collects :class:`~avoid_survey.analysis.core.findings.Finding` objects in five classes:

structure
    ``no-instrument`` (info), ``header-only``, ``duplicate-column``, ``ragged-row``,
    ``missing-column`` (error for items of required scales; info for optional scales and
    attention checks), ``missing-variables`` (info), ``unknown-column`` (info),
    ``platform-column`` (info), ``column-renamed`` (info).
values
    ``value-not-numeric``, ``value-unknown-label``, ``value-wrong-type``,
    ``value-out-of-range`` (errors, one per cell).
respondents
    ``duplicate-respondent`` (error); warnings ``empty-row``, ``respondent-missing``,
    ``attention-failed``, ``speeder``, and the careless-response indices ``longstring``,
    ``low-irv``, ``mahalanobis-outlier``, ``even-odd-inconsistent`` (each with its value;
    see :mod:`avoid_survey.analysis.validate.careless`).
items
    ``item-missing``, ``zero-variance``, ``negative-item-rest`` (warnings).
privacy
    ``pii-column`` (warning): IP addresses, Chinese mobile numbers (1[3-9] + 9 digits),
    18-digit resident ID numbers with a valid check digit (GB 11643), e-mail addresses,
    name-like headers (姓名, name...), platform PII columns and variables marked ``pii``.

Every check works on whole columns or on the (n, k) item matrix (numpy/pandas), never
row by row. Findings per (code, column) are listed up to ``Thresholds.max_listed``; the
summary counts all of them. With ``clean=OUT`` the data are written through
:func:`avoid_survey.analysis.io.write.write_data` with codes normalised, reverse-keyed
items untouched, PII columns dropped (unless ``keep_pii``) and one 0/1 flag column per
index: ``flag_longstring``, ``flag_irv``, ``flag_mahalanobis``, ``flag_even_odd``,
``flag_speeder``, ``flag_attention``, ``flag_missing`` (respondent missing share above the
threshold), plus ``flag_count`` (how many flags are set).

Where things are (one module per check family, each adding its findings to one
:class:`~.collect.Collector`):

==================  ==========================================================
``run.py``          validate(): read once, run the families in order, the report
``structure.py``    structure checks
``values.py``       value checks (and the int8 codes the indices read)
``respondents.py``  respondent ids, unanswered items, attention checks, speeders
``indices.py``      careless-response indices as findings (``careless.py``: the maths)
``items.py``        item checks, item-rest correlations
``privacy.py``      personal-data columns
``report.py``       ValidationReport, its JSON document and tables
``terminal.py``     the terminal view
``clean.py``        the ``--clean`` data and its flag columns
``thresholds.py``   Thresholds;  ``collect.py``: the findings collector
==================  ==========================================================
"""
from __future__ import annotations


from ..core.lazy import lazy_exports

# public name -> the module of this package that defines it; imported on first use (the
# readers use ``screening`` alone; ``validate`` needs the rest)
_PUBLIC = {"FLAG_COLUMNS": "clean", "clean_frame": "clean", "CLASS_OF": "report", "FINDING_CLASSES": "report",
           "ValidationReport": "report", "validate": "run", "print_terminal": "terminal", "Thresholds": "thresholds"}

__all__ = ["validate", "ValidationReport", "Thresholds", "FLAG_COLUMNS", "FINDING_CLASSES", "CLASS_OF", "clean_frame",
           "print_terminal"]


__getattr__, __dir__ = lazy_exports(__name__, _PUBLIC, globals(), listed=__all__)
