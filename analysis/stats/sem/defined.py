"""Defined parameters (``:=``): values and gradients from the expression tree, exactly.

Each node evaluates to (value, gradient over the free parameters), so the delta-method SE
``sqrt(g' V g)`` uses the exact gradient; nothing is evaluated as Python.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["evaluate", "defined_values"]


def evaluate(expr, env):
    """(value, gradient) of ``expr``; ``env`` maps names to (value, gradient)."""
    k = expr.kind
    if k == "num":
        return expr.value, 0.0
    if k == "name":
        return env[expr.value]
    if k == "neg":
        v, g = evaluate(expr.args[0], env)
        return -v, -g
    (a, ga), (b, gb) = (evaluate(x, env) for x in expr.args)
    if k == "+":
        return a + b, ga + gb
    if k == "-":
        return a - b, ga - gb
    if k == "*":
        return a * b, ga * b + a * gb
    if b == 0:
        return math.nan, ga * math.nan
    return a / b, (ga * b - a * gb) / (b * b)


def defined_values(definitions, label_values, label_grads, npar):
    """[(name, value, gradient vector)] in order of definition (later ones may use earlier)."""
    env = {k: (label_values[k], label_grads[k]) for k in label_values}
    out = []
    for d in definitions:
        v, g = evaluate(d.expr, env)
        g = np.broadcast_to(np.asarray(g, dtype=float), (npar,)).copy()
        env[d.name] = (v, g)
        out.append((d.name, float(v), g))
    return out
