"""Structural equation models with latent variables, equal to lavaan::sem.

Stages as lavaan keeps them: ``syntax`` (model text -> statements, definitions, constraints),
``partable`` (the parameter table and all-y LISREL matrices with lavaan::sem defaults),
``engine`` (ML on the CFA engine; estimates, std.all, R², defined parameters), ``robust``
(MLR), ``bootstrap``, ``result`` and ``api.sem``, what the command calls.
"""
from .api import sem
from .result import SEMResult

__all__ = ["sem", "SEMResult"]
