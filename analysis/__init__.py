"""Statistical work of avoid-survey: readers, validation, scoring, reliability,
factor models, regressions and the table model every result renders through.

Modules are imported lazily by the commands that need them; importing this package
itself is cheap.
"""
