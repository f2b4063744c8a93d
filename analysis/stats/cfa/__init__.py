"""Confirmatory factor analysis and measurement invariance, equal to lavaan::cfa.

``syntax`` parses lavaan model syntax, ``model`` builds the parameter table and matrices
with lavaan's defaults, ``estimate`` fits by ML, ``fit`` computes lavaan's fit measures,
``fitted`` reads estimates and std.all from one fit, ``measures`` CR/AVE and HTMT,
``result`` holds the frozen result and ``api.cfa`` is what the command calls.
"""
from .api import cfa, instrument_model
from .result import CFAResult

__all__ = ["cfa", "CFAResult", "instrument_model"]
