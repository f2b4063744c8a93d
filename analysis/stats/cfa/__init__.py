"""Confirmatory factor analysis and measurement invariance, equal to lavaan::cfa.

``syntax`` parses lavaan model syntax, ``model`` builds the parameter table and matrices
with lavaan's defaults, ``estimate`` fits by ML, ``fit`` computes lavaan's fit measures and
``api.cfa`` is what the command calls.
"""
from .api import CFAResult, cfa, instrument_model

__all__ = ["cfa", "CFAResult", "instrument_model"]
