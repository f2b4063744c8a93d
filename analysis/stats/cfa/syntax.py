"""A small parser of lavaan model syntax, for confirmatory factor models.

Supported (as in ``lavaan::lavaanify``)::

    visual  =~ x1 + x2 + x3          # a factor measured by items (first loading fixed to 1)
    visual  =~ NA*x1 + x2 + x3       # free the first loading
    textual =~ 1*x4 + l5*x5 + l5*x6  # fixed value, equality label shared across lines
    g       =~ visual + textual      # second-order factor
    visual  ~~ textual               # covariance;  visual ~~ 0*textual: orthogonal
    x1      ~~ x1                    # (residual) variance;  visual ~~ 1*visual
    y2      ~~ y4 + y6               # several right-hand terms

Statements are separated by new lines or ``;``; ``#`` and ``!`` start a comment; a
statement may continue on the next line after a trailing ``+`` or operator. Regressions
(``~``), intercepts (``~1``), defined parameters (``:=``) and constraints (``==``, ``<``,
``>``) are not part of a CFA here and are reported as errors naming the line and token.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ...core.errors import AvoidSurveyError

__all__ = ["Term", "Statement", "parse_model"]

_NAME = r"[^\W\d][\w.]*"
_NAME_RE = re.compile(rf"^{_NAME}$")
_NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_START_RE = re.compile(r"^start\(\s*([^()]*?)\s*\)$")
_OPS = ("=~", "~~")


@dataclass(frozen=True)
class Term:
    """One right-hand term: ``name`` with an optional fixed value, free flag or label."""

    name: str
    fixed: float | None = None   # a number given with ``2*x``
    free: bool = False           # ``NA*x``: explicitly free
    label: str | None = None     # ``a*x``: equality label
    start: float | None = None   # ``start(0.2)*x``: the starting value of a free parameter (sem)


@dataclass(frozen=True)
class Statement:
    lhs: str
    op: str
    terms: tuple
    line: int


def _strip_comment(text: str) -> str:
    out = []
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "#!":
            break
        out.append(ch)
    return "".join(out)


def _logical_statements(text: str):
    """Yield (line_number, statement_text), joining continuation lines."""
    pending, start = "", None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            if pending:
                pending = pending + " " + part
            else:
                pending, start = part, no
            if re.search(r"(\+|\*|=~|~~|~)\s*$", pending):
                continue  # the statement goes on on the next line
            yield start, pending
            pending, start = "", None
    if pending:
        yield start, pending


def _err(msg, line, file):
    return AvoidSurveyError(msg, file=file, line=line)


def _parse_term(tok: str, line: int, file) -> Term:
    parts = [p.strip() for p in tok.split("*")]
    if any(p == "" for p in parts):
        raise _err(f"incomplete term '{tok}' (a '*' needs a modifier on its left and a variable on its right)", line, file)
    name = parts[-1]
    if not _NAME_RE.match(name):
        raise _err(f"'{name}' is not a variable name", line, file)
    fixed, free, label, start = None, False, None, None
    for mod in parts[:-1]:
        sm = _START_RE.match(mod)
        if mod in ("NA", "na"):
            free = True
        elif sm is not None:
            if not _NUM_RE.match(sm.group(1)) or not math.isfinite(float(sm.group(1))):
                raise _err(f"start value '{sm.group(1)}' in '{tok}' is not a finite number", line, file)
            start = float(sm.group(1))
        elif _NUM_RE.match(mod):
            fixed = float(mod)
            if not math.isfinite(fixed):
                raise _err(f"fixed value '{mod}' is not a finite number", line, file)
        elif _NAME_RE.match(mod):
            if label is not None:
                raise _err(f"two labels '{label}' and '{mod}' on one term", line, file)
            label = mod
        else:
            raise _err(f"unsupported modifier '{mod}' in '{tok}' (use a number, NA, start(value) or a label)", line,
                       file)
    if fixed is not None and free:
        raise _err(f"term '{tok}' is both fixed and free", line, file)
    if fixed is not None and start is not None:
        raise _err(f"term '{tok}' is fixed: a start value is for a free parameter", line, file)
    return Term(name, fixed, free, label, start)


def parse_model(text: str, file=None) -> list[Statement]:
    """Parse lavaan-style CFA syntax into statements.

    Parameters
    ----------
    text : the model syntax
    file : where it came from (for error messages), or None for a command-line string

    Raises
    ------
    AvoidSurveyError naming the line and the offending token.
    """
    out: list[Statement] = []
    for line, stmt in _logical_statements(text):
        m = re.search(r"=~|~~|:=|==|<|>|~", stmt)
        if m is None:
            raise _err(f"no operator in '{stmt}' (expected '=~' or '~~')", line, file)
        op = m.group(0)
        if op not in _OPS:
            what = {"~": "regressions ('~')", ":=": "defined parameters (':=')", "==": "equality constraints ('==')",
                    "<": "inequality constraints ('<')", ">": "inequality constraints ('>')"}[op]
            if op == "~" and re.match(r"^\s*1\s*$", stmt[m.end():]):
                what = "intercepts ('~ 1')"
            raise _err(f"{what} are not supported in a CFA model: '{stmt}'", line, file)
        lhs, rhs = stmt[:m.start()].strip(), stmt[m.end():].strip()
        if not lhs:
            raise _err(f"missing left-hand side before '{op}'", line, file)
        if not _NAME_RE.match(lhs):
            raise _err(f"'{lhs}' is not a valid factor or variable name", line, file)
        if not rhs:
            raise _err(f"missing right-hand side after '{lhs} {op}'", line, file)
        if re.search(r"=~|~~|~", rhs):
            tok = re.search(r"=~|~~|~", rhs).group(0)
            raise _err(f"unexpected second operator '{tok}' in '{stmt}'", line, file)
        terms = []
        for tok in rhs.split("+"):
            tok = tok.strip()
            if not tok:
                raise _err(f"empty term in '{stmt}' (two '+' in a row or a trailing '+')", line, file)
            term = _parse_term(tok, line, file)
            if term.start is not None:
                raise _err(f"start values ('{tok}') are read by the sem command, not in a CFA model", line, file)
            terms.append(term)
        out.append(Statement(lhs, op, tuple(terms), line))
    if not out:
        raise AvoidSurveyError("the model is empty (no '=~' statement)", file=file)
    if not any(s.op == "=~" for s in out):
        raise AvoidSurveyError("the model defines no factor (no '=~' statement)", file=file, line=out[0].line)
    return out
