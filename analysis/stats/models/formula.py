"""Our own small model-formula grammar: a spec is data, never code.

Nothing in a formula is evaluated. A formula is tokenised and parsed here into plain
term tuples; the design matrix is then built by :mod:`.design` with pandas/numpy, and
statsmodels only ever sees arrays (never its formula API / patsy, which evaluate Python).

Grammar
-------
::

    formula  := response '~' rhs
    response := NAME
    rhs      := part (('+' | '-') part)*        '-' only before the intercept: '- 1'
    part     := '0' | '1' | product
    product  := factor (('*' | ':') factor)*
    factor   := NAME | 'C' '(' NAME [',' 'ref' '=' value] ')'
    value    := NAME | NUMBER | quoted string (no quote inside)
    NAME     := letters (ASCII or CJK), digits, '_' ; not starting with a digit or '__'
              | '`' any characters but a backtick '`'   (a column name that is not a plain name)

``a*b`` expands to ``a + b + a:b`` (``a*b*c`` to every subset, at most 8 variables
crossed); ``-1`` / ``+0`` drop the intercept. Python's reserved words are ordinary names
here (``class``, ``type``), as nothing is evaluated. Everything else -- function calls such as ``I(...)`` or ``np.log(x)``,
attribute access, brackets, arithmetic, quotes outside ``ref=`` --
is rejected with :class:`~avoid_survey.analysis.core.errors.AvoidSurveyError` before any data
is read.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ...core.errors import AvoidSurveyError

__all__ = ["Factor", "Formula", "parse_formula", "parse_terms", "term_name"]


@dataclass(frozen=True)
class Factor:
    """One variable inside a term: numeric, or categorical (``C(x)``) with a reference level."""

    var: str
    categorical: bool = False
    ref: object = None  # reference level for C(x, ref=...), None = first level

    @property
    def label(self) -> str:
        return self.var


@dataclass
class Formula:
    """A parsed formula: response, ordered unique terms (tuples of Factors), intercept flag."""

    response: str | None
    terms: list[tuple[Factor, ...]]
    intercept: bool = True
    text: str = ""
    categorical: dict = field(default_factory=dict)  # var -> ref declared through C(var, ref=)

    @property
    def variables(self) -> list[str]:
        """Every variable the formula uses (response first), without duplicates."""
        out = [self.response] if self.response else []
        for t in self.terms:
            for f in t:
                if f.var not in out:
                    out.append(f.var)
        return out

    def term_names(self) -> list[str]:
        return [term_name(t) for t in self.terms]


def term_name(term) -> str:
    return ":".join(f.var for f in term)


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<quoted>`[^`\n]+`)
  | (?P<str>'[^'\\\n]*'|"[^"\\\n]*")
  | (?P<op>[~+*:(),=-])
""", re.VERBOSE | re.UNICODE)


# a*b*...: k crossed variables expand to 2^k - 1 terms
MAX_STAR_FACTORS = 8


class _Err(Exception):
    def __init__(self, msg):
        self.msg = msg


def _tokens(text: str, quoted: set | None = None):
    """[(kind, text, position)]; indices of backtick-quoted names are added to ``quoted``."""
    quoted = set() if quoted is None else quoted
    pos = 0
    out = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            ch = text[pos]
            what = {"`": "an unclosed backtick", ".": "attribute access or decimal point outside C(ref=)",
                    "[": "brackets", "]": "brackets", "{": "braces", "}": "braces",
                    "/": "arithmetic", "^": "arithmetic", "|": "'|'", ";": "';'",
                    "@": "'@'", "\\": "backslash", "%": "'%'", "!": "'!'", "$": "'$'", "&": "'&'"}.get(ch)
            raise _Err(f"character {ch!r} at position {pos + 1} is not allowed in a formula"
                       + (f" ({what})" if what else "")
                       + "; only variables (`quoted` when not a plain name), +, *, :, -1/+0 and "
                         "C(var, ref=level) are")
        kind = m.lastgroup
        if kind == "quoted":   # `any column name`: a name, taken literally
            out.append(("name", m.group(kind)[1:-1], pos + 1))
            quoted.add(len(out) - 1)
        elif kind != "ws":
            out.append((kind, m.group(kind), pos + 1))
        pos = m.end()
    # '.' right after a token: attribute access (x.__class__, np.log)
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.quoted: set = set()
        self.toks = _tokens(text, self.quoted)
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None, len(self.text) + 1)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def expect(self, value):
        kind, v, pos = self.take()
        if v != value:
            got = "end of formula" if kind is None else repr(v)
            raise _Err(f"expected {value!r} at position {pos}, found {got}")

    def name(self, what="a variable name"):
        if self.i in self.quoted:   # a quoted name is a column name, whatever it says
            return self.take()[1]
        kind, v, pos = self.take()
        if kind != "name":
            got = "end of formula" if kind is None else repr(v)
            raise _Err(f"expected {what} at position {pos}, found {got}")
        self.check_name(v, pos)
        return v

    def check_name(self, v, pos):
        # nothing is evaluated, so Python's reserved words (class, type, case...) are plain
        # names; only dunder names stay refused unquoted (write `__x` to mean a column)
        if v.startswith("__"):
            raise _Err(f"'{v}' is not allowed as a variable name (position {pos}); quote a column of that "
                       f"name with backticks")
        nxt = self.peek()
        if nxt[1] == "(" and v != "C":
            raise _Err(f"function calls are not allowed in a formula: '{v}(' at position {pos}; "
                       f"declare transforms in the spec's 'transforms:' instead")

    def factor(self):
        kind, v, pos = self.peek()
        if kind == "name" and v == "C" and self.peek(1)[1] == "(":
            self.take()
            self.expect("(")
            var = self.name()
            ref = None
            if self.peek()[1] == ",":
                self.take()
                k2, v2, p2 = self.take()
                if v2 != "ref":
                    raise _Err(f"only 'ref=' is allowed inside C(...) (position {p2}), e.g. C(rank, ref=1)")
                self.expect("=")
                k3, v3, p3 = self.take()
                if k3 == "num":
                    ref = float(v3) if any(c in v3 for c in ".eE") else int(v3)
                elif k3 == "str":
                    ref = v3[1:-1]
                elif k3 == "name":
                    ref = v3
                elif v3 == "-" and self.peek()[0] == "num":
                    k4, v4, _ = self.take()
                    ref = -(float(v4) if any(c in v4 for c in ".eE") else int(v4))
                else:
                    raise _Err(f"expected a reference level after 'ref=' at position {p3}")
            self.expect(")")
            return Factor(var, True, ref)
        if kind == "str":
            raise _Err(f"quoted text is only allowed as C(var, ref='level') (position {pos})")
        if kind == "num":
            raise _Err(f"a number is only allowed as the intercept (0, 1) or in C(var, ref=...) (position {pos})")
        if v == "(":
            raise _Err(f"parentheses are only allowed in C(...) (position {pos})")
        return Factor(self.name())

    def product(self):
        """Returns a list of terms (each a tuple of factors)."""
        groups = [[self.factor()]]   # '*'-separated groups of ':'-joined factors
        while self.peek()[1] in ("*", ":"):
            op = self.take()[1]
            f = self.factor()
            if op == ":":
                groups[-1].append(f)
            else:
                groups.append([f])
        # a*b*c: every non-empty subset of the '*' groups, each group's ':' factors joined
        if len(groups) > MAX_STAR_FACTORS:
            raise _Err(f"'{' * '.join(g[0].var for g in groups[:3])} * ...' crosses {len(groups)} variables: "
                       f"{2 ** len(groups) - 1:,} terms; at most {MAX_STAR_FACTORS} can be crossed with '*' "
                       f"(write the interactions you need with ':')")
        out = []
        for r in range(1, len(groups) + 1):
            for combo in itertools.combinations(groups, r):
                term = tuple(f for g in combo for f in g)
                out.append(term)
        return out

    def rhs(self):
        terms = []
        intercept = True
        sign = "+"
        first = True
        while True:
            kind, v, pos = self.peek()
            if kind is None:
                if first or sign is not None:
                    raise _Err("the right-hand side of the formula is empty or ends with an operator")
                break
            if sign is None:
                if v in ("+", "-"):
                    sign = self.take()[1]
                    continue
                raise _Err(f"expected '+' between terms at position {pos}, found {v!r}")
            if kind == "num" and v in ("0", "1") and self.peek(1)[1] in (None, "+", "-"):
                self.take()
                if (v == "0" and sign == "+") or (v == "1" and sign == "-"):
                    intercept = False
                else:
                    intercept = True
            elif sign == "-":
                raise _Err(f"'-' is only allowed before the intercept ('- 1'), position {pos}")
            else:
                for t in self.product():
                    terms.append(t)
            sign = None
            first = False
        return terms, intercept


def _dedupe(terms):
    out, seen = [], set()
    for t in terms:
        # a factor repeated inside a term (a:a) is an error; order inside a term is kept
        vars_ = [f.var for f in t]
        if len(set(vars_)) != len(vars_):
            raise _Err(f"term '{term_name(t)}' uses a variable twice; declare a 'square' transform instead")
        key = frozenset(vars_)
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
    return out


def _categorical_refs(terms):
    cats = {}
    for t in terms:
        for f in t:
            if f.categorical:
                if f.var in cats and f.ref is not None and cats[f.var] is not None and cats[f.var] != f.ref:
                    raise _Err(f"C({f.var}) is given two different reference levels")
                if cats.get(f.var) is None:
                    cats[f.var] = f.ref
    # the same variable used bare and as C(): make every use categorical
    fixed = []
    for t in terms:
        fixed.append(tuple(Factor(f.var, True, cats[f.var]) if f.var in cats else f for f in t))
    return fixed, cats


def parse_formula(text, *, file=None, line=None, need_response=True) -> Formula:
    """Parse ``response ~ rhs``; raise AvoidSurveyError naming file and line on any problem.

    Parameters
    ----------
    text : the formula string from the spec
    file, line : where it came from (for the error message)
    need_response : False to parse a right-hand side only (``steps:`` blocks)
    """
    if not isinstance(text, str) or not text.strip():
        raise AvoidSurveyError("formula is empty", file=file, line=line)
    if len(text) > 5000:
        raise AvoidSurveyError("formula longer than 5000 characters", file=file, line=line)
    try:
        p = _Parser(text)
        response = None
        if need_response:
            if not any(t[1] == "~" for t in p.toks):
                raise _Err("a formula needs '~' between the response and the predictors, e.g. y ~ x1 + x2")
            kind, v, pos = p.peek()
            if kind != "name":
                raise _Err(f"the response (left of '~') must be one variable name, found {v!r}")
            response = p.name("the response variable")
            kind, v, pos = p.peek()
            if v != "~":
                raise _Err(f"the response (left of '~') must be one variable name; found {v!r} at position {pos}")
            p.take()
        elif any(t[1] == "~" for t in p.toks):
            raise _Err("a steps block holds terms only (no '~')")
        terms, intercept = p.rhs()
        if any(t[1] == "~" for t in p.toks[p.i:]):
            raise _Err("more than one '~'")
        terms = _dedupe(terms)
        terms = sorted(terms, key=len)  # as R's terms(): main effects, then 2-way, 3-way ... (stable)
        terms, cats = _categorical_refs(terms)
        if response is not None and any(f.var == response for t in terms for f in t):
            raise _Err(f"the response '{response}' also appears on the right-hand side")
    except _Err as exc:
        raise AvoidSurveyError(f"bad formula {text.strip()!r}: {exc.msg}", file=file, line=line) from None
    return Formula(response, terms, intercept, text.strip(), cats)


def parse_terms(text, *, file=None, line=None) -> Formula:
    """Parse a right-hand side only (used by ``steps:`` blocks and covariate lists)."""
    return parse_formula(text, file=file, line=line, need_response=False)
