"""avoid-survey as a Python library (``import avoid_survey as av``).

The public functions are imported lazily: ``import avoid_survey`` loads no numpy or pandas.
"""
