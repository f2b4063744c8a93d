"""Instruments: bilingual questionnaires as YAML data files, their schema and loader.

>>> from avoid_survey.instruments import load_instrument, list_instruments
>>> inst = load_instrument("blame-avoidance-core")      # a bundled id or a path
>>> [s.id for s in inst.scales]
"""
from .model import Instrument, Item, ResponseFormat, Scale, Variable, AttentionCheck
from .loader import load_instrument, list_instruments, bundled_ids, check_instrument_file

__all__ = ["Instrument", "Item", "ResponseFormat", "Scale", "Variable", "AttentionCheck",
           "load_instrument", "list_instruments", "bundled_ids", "check_instrument_file"]
