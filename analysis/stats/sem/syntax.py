"""lavaan model syntax for structural equation models (the subset applied papers use).

Supported (as ``lavaan::lavaanify``)::

    dem60 =~ y1 + a*y2 + NA*y3 + 1*y4   # measurement: labels, free (NA) and fixed values
    dem65 ~  c*ind60 + b*dem60          # regressions among latent and observed variables
    y1    ~~ y5                         # (residual) covariance;  y1 ~~ 0*y5: fixed
    y1    ~  1                          # intercept;  dem60 ~ 0*1 or a*1
    ab    := a*b                        # defined parameter: + - * / and parentheses over
    total := c + (a*b)                  #   labels, earlier definitions and numbers
    a     == b                          # equality constraint (label == label or == number)

Statements are separated by new lines or ``;``; ``#`` and ``!`` start a comment; a
statement continues on the next line after a trailing ``+``, ``*`` or operator. Every
error names the line and the offending token. Nothing is evaluated as Python: defined
parameters are parsed by a small expression grammar into a tree (:class:`Expr`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.errors import AvoidSurveyError
from ..cfa.syntax import _NAME_RE, _NUM_RE, _logical_statements, _parse_term, Statement, Term

__all__ = ["Statement", "Term", "Definition", "Constraint", "Expr", "SemSyntax", "parse_sem", "parse_expr"]

_OP_RE = re.compile(r"=~|~~|:=|==|<|>|~")


@dataclass(frozen=True)
class Expr:
    """A node of a defined-parameter expression: ``kind`` is 'num', 'name', 'neg' or one
    of + - * /; ``value`` the number or name; ``args`` the operands."""

    kind: str
    value: object = None
    args: tuple = ()

    def names(self) -> set:
        if self.kind == "name":
            return {self.value}
        out = set()
        for a in self.args:
            out |= a.names()
        return out


@dataclass(frozen=True)
class Definition:
    name: str
    expr: Expr
    text: str
    line: int


@dataclass(frozen=True)
class Constraint:
    lhs: str
    rhs: object     # a label (str) or a number (float)
    line: int


@dataclass(frozen=True)
class SemSyntax:
    statements: tuple
    definitions: tuple
    constraints: tuple


def _err(msg, line, file):
    return AvoidSurveyError(msg, file=file, line=line)


_TOKEN = re.compile(r"\s*(?:(?P<num>(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)|(?P<name>[^\W\d][\w.]*)|(?P<op>[-+*/()]))")


def _tokens(text, line, file):
    pos, out = 0, []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].strip()[:1]
            raise _err(f"unexpected '{bad}' in the expression '{text.strip()}' (use labels, numbers, + - * / "
                       f"and parentheses)", line, file)
        kind = m.lastgroup if m.lastgroup in ("num", "name", "op") else ("num" if m.group("num") else "name")
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _ExprParser:
    """expr := term (('+'|'-') term)*;  term := unary (('*'|'/') unary)*;
    unary := '-' unary | '+' unary | atom;  atom := number | name | '(' expr ')'."""

    def __init__(self, toks, text, line, file):
        self.toks, self.i, self.text, self.line, self.file = toks, 0, text, line, file

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def fail(self, what):
        kind, tok = self.peek()
        where = f"'{tok}'" if tok is not None else "the end"
        raise _err(f"{what} at {where} in the expression '{self.text.strip()}'", self.line, self.file)

    def expr(self):
        node = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = Expr(op, None, (node, self.term()))
        return node

    def term(self):
        node = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = Expr(op, None, (node, self.unary()))
        return node

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            return Expr("neg", None, (self.unary(),))
        if self.peek()[1] == "+":
            self.take()
            return self.unary()
        return self.atom()

    def atom(self):
        kind, tok = self.peek()
        if kind == "num":
            self.take()
            return Expr("num", float(tok))
        if kind == "name":
            self.take()
            if self.peek()[1] == "(":
                raise _err(f"function calls such as '{tok}(' are not supported in '{self.text.strip()}'",
                           self.line, self.file)
            return Expr("name", tok)
        if tok == "(":
            self.take()
            node = self.expr()
            if self.peek()[1] != ")":
                self.fail("expected ')'")
            self.take()
            return node
        self.fail("expected a label, a number or '('")


def parse_expr(text: str, line: int = 0, file=None) -> Expr:
    """Parse a defined-parameter expression into an :class:`Expr` tree."""
    p = _ExprParser(_tokens(text, line, file), text, line, file)
    if not p.toks:
        raise _err("empty expression", line, file)
    node = p.expr()
    if p.i < len(p.toks):
        p.fail("unexpected token")
    return node


def _regression_terms(lhs, rhs, stmt, line, file):
    """Terms of 'lhs ~ rhs'; an intercept term ('1', 'a*1', '0*1') becomes its own '~1' statement."""
    terms, intercept = [], None
    for tok in rhs.split("+"):
        tok = tok.strip()
        if not tok:
            raise _err(f"empty term in '{stmt}' (two '+' in a row or a trailing '+')", line, file)
        parts = [p.strip() for p in tok.split("*")]
        if parts[-1] == "1":
            mods = "*".join(parts[:-1])
            intercept = _parse_term((mods + "*" if mods else "") + "one_", line, file)
            intercept = Term("1", intercept.fixed, intercept.free, intercept.label, intercept.start)
            continue
        terms.append(_parse_term(tok, line, file))
    terms = _merged(terms, stmt, line, file)
    out = []
    if terms:
        out.append(Statement(lhs, "~", tuple(terms), line))
    if intercept is not None:
        out.append(Statement(lhs, "~1", (intercept,), line))
    return out


def _constraint(lhs, rhs, stmt, line, file):
    if not _NAME_RE.match(lhs):
        raise _err(f"'{lhs}' is not a label: '==' takes a label on its left ('a == b' or 'a == 0.5')", line, file)
    if _NAME_RE.match(rhs):
        return Constraint(lhs, rhs, line)
    if _NUM_RE.match(rhs):
        return Constraint(lhs, float(rhs), line)
    raise _err(f"unsupported constraint '{stmt}': only 'label == label' and 'label == number'", line, file)


def _statement(stmt, line, file, out, defs, cons):
    m = _OP_RE.search(stmt)
    if m is None:
        raise _err(f"no operator in '{stmt}' (expected =~, ~, ~~, :=, or ==)", line, file)
    op = m.group(0)
    lhs, rhs = stmt[:m.start()].strip(), stmt[m.end():].strip()
    if op in ("<", ">"):
        raise _err(f"inequality constraints ('{op}') are not supported: '{stmt}'", line, file)
    if not lhs:
        raise _err(f"missing left-hand side before '{op}'", line, file)
    if not rhs:
        raise _err(f"missing right-hand side after '{lhs} {op}'", line, file)
    if op == ":=":
        if not _NAME_RE.match(lhs):
            raise _err(f"'{lhs}' is not a valid name for a defined parameter", line, file)
        defs.append(Definition(lhs, parse_expr(rhs, line, file), rhs, line))
        return
    if op == "==":
        cons.append(_constraint(lhs, rhs, stmt, line, file))
        return
    if not _NAME_RE.match(lhs):
        raise _err(f"'{lhs}' is not a valid variable name", line, file)
    second = _OP_RE.search(rhs)
    if second:
        raise _err(f"unexpected second operator '{second.group(0)}' in '{stmt}'", line, file)
    if op == "~":
        out.extend(_regression_terms(lhs, rhs, stmt, line, file))
        return
    terms = []
    for tok in rhs.split("+"):
        tok = tok.strip()
        if not tok:
            raise _err(f"empty term in '{stmt}' (two '+' in a row or a trailing '+')", line, file)
        terms.append(_parse_term(tok, line, file))
    out.append(Statement(lhs, op, tuple(_merged(terms, stmt, line, file)), line))


def _merged(terms, stmt, line, file) -> list:
    """lavaan's way of giving one parameter several modifiers: the same variable repeated in a
    statement ('f =~ NA*x1 + start(0.2)*x1 + lm*x1') is one term with all of them; two
    different values of one kind (two labels, two fixed values) are an error."""
    out, at = [], {}
    for t in terms:
        if t.name not in at:
            at[t.name] = len(out)
            out.append(t)
            continue
        k = at[t.name]
        u = out[k]
        vals = {}
        for f in ("fixed", "label", "start"):
            a, b = getattr(u, f), getattr(t, f)
            if a is not None and b is not None and a != b:
                raise _err(f"'{t.name}' is given two {f} values in '{stmt}'", line, file)
            vals[f] = a if a is not None else b
        free = u.free or t.free
        if free and vals["fixed"] is not None:
            raise _err(f"'{t.name}' is both fixed and free in '{stmt}'", line, file)
        if vals["fixed"] is not None and vals["start"] is not None:
            raise _err(f"'{t.name}' is fixed in '{stmt}': a start value is for a free parameter", line, file)
        out[k] = Term(t.name, vals["fixed"], free, vals["label"], vals["start"])
    return out


def parse_sem(text: str, file=None) -> SemSyntax:
    """Parse lavaan SEM syntax.

    Raises
    ------
    AvoidSurveyError naming the line and the offending token.
    """
    out, defs, cons = [], [], []
    for line, stmt in _logical_statements(text):
        _statement(stmt, line, file, out, defs, cons)
    if not out:
        raise AvoidSurveyError("the model is empty (no '=~', '~' or '~~' statement)", file=file)
    seen = {}
    for d in defs:
        if d.name in seen:
            raise _err(f"defined parameter '{d.name}' is defined twice", d.line, file)
        seen[d.name] = d
    return SemSyntax(tuple(out), tuple(defs), tuple(cons))
