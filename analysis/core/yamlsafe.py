"""Safe YAML reading with line numbers and hard limits.

Only PyYAML's safe constructors are used (no ``!!python`` tags). Aliases are capped so a
"billion laughs" document cannot expand, and files over a size limit are refused. Every
mapping key and sequence element remembers its 1-based line, so schema errors can name it.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import AvoidSurveyError

__all__ = ["load_yaml", "load_yaml_text", "Located", "MAX_YAML_BYTES", "data_path"]

MAX_YAML_BYTES = 2_000_000
MAX_ALIASES = 100
MAX_NODES = 200_000


def data_path(data, loc, aliases=None) -> tuple:
    """The path into ``data`` that a pydantic error location ``loc`` points at.

    pydantic puts union-branch and validator names into locations ('str', 'SE',
    'function-after[...]'); those are dropped. A last part that is not in the data (the
    missing or unknown key itself) is kept. ``aliases`` maps field names to the YAML keys
    they stand for (e.g. {'as_': 'as'}).
    """
    out, cur = [], data
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if aliases and part in aliases and isinstance(cur, dict) and aliases[part] in cur:
            part = aliases[part]
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and isinstance(part, str) and part.isdigit() and int(part) in cur:
            out.append(int(part))          # mapping keys like answer codes 1..5
            cur = cur[int(part)]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif i == last and not isinstance(part, int):
            out.append(part)
    return tuple(out)


class Located:
    """A loaded YAML document plus a map from key paths to line numbers."""

    def __init__(self, data, lines: dict[tuple, int], file: str | None):
        self.data = data
        self.lines = lines
        self.file = file

    def line_of(self, path) -> int | None:
        """Line of the deepest known prefix of ``path`` (a tuple of keys/indices)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, message: str, path=()) -> AvoidSurveyError:
        return AvoidSurveyError(message, file=self.file, line=self.line_of(path))


def _convert(node, path, lines, state, anchors_seen):
    state["nodes"] += 1
    if state["nodes"] > MAX_NODES:
        raise AvoidSurveyError("document too large (too many nodes)", line=node.start_mark.line + 1)
    if id(node) in anchors_seen:
        state["aliases"] += 1
        if state["aliases"] > MAX_ALIASES:
            raise AvoidSurveyError("too many YAML aliases (refusing to expand)",
                                   line=node.start_mark.line + 1)
    anchors_seen.add(id(node))
    if isinstance(node, yaml.MappingNode) and node.tag != "tag:yaml.org,2002:map" or \
            isinstance(node, yaml.SequenceNode) and node.tag != "tag:yaml.org,2002:seq":
        raise AvoidSurveyError(f"YAML tag {node.tag} is not allowed", line=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                raise AvoidSurveyError("mapping keys must be plain values", line=k_node.start_mark.line + 1)
            key = _scalar(k_node)
            if isinstance(key, (list, dict)):
                raise AvoidSurveyError("mapping keys must be plain values", line=k_node.start_mark.line + 1)
            if key in out:
                raise AvoidSurveyError(f"duplicate key '{key}'", line=k_node.start_mark.line + 1)
            sub = path + (key,)
            lines[sub] = k_node.start_mark.line + 1
            out[key] = _convert(v_node, sub, lines, state, anchors_seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for i, v_node in enumerate(node.value):
            sub = path + (i,)
            lines[sub] = v_node.start_mark.line + 1
            out.append(_convert(v_node, sub, lines, state, anchors_seen))
        return out
    return _scalar(node)


_CONSTRUCTOR = yaml.SafeLoader("")


def _scalar(node):
    if node.tag.startswith("tag:yaml.org,2002:python") or node.tag.startswith("!"):
        raise AvoidSurveyError(f"YAML tag {node.tag} is not allowed", line=node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SAFE_TAGS:
            raise AvoidSurveyError(f"YAML tag {node.tag} is not allowed", line=node.start_mark.line + 1)
        return _CONSTRUCTOR.construct_object(node, deep=True)
    raise AvoidSurveyError("mapping keys must be plain values", line=node.start_mark.line + 1)


_SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


def load_yaml_text(text: str, file: str | None = None) -> Located:
    """Parse YAML text safely; raise AvoidSurveyError with file and line on any problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise AvoidSurveyError(f"YAML file larger than {MAX_YAML_BYTES // 1_000_000} MB", file=file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = f"not valid YAML: {exc.problem or exc.context}"
        raise AvoidSurveyError(msg, file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise AvoidSurveyError(f"not valid YAML: {exc}", file=file) from None
    except RecursionError:
        raise AvoidSurveyError("YAML nested too deeply", file=file) from None
    if node is None:
        raise AvoidSurveyError("the YAML file is empty", file=file, line=1)
    lines: dict[tuple, int] = {}
    try:
        data = _convert(node, (), lines, {"nodes": 0, "aliases": 0}, set())
    except AvoidSurveyError as exc:
        raise exc.located(file=file) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        raise AvoidSurveyError(f"not valid YAML: {exc}", file=file) from None
    return Located(data, lines, file)


def load_yaml(path) -> Located:
    """Read and parse a YAML file (UTF-8, BOM allowed)."""
    from .inputs import read_input_bytes

    p = Path(path)
    raw = read_input_bytes(p, "YAML file", max_bytes=MAX_YAML_BYTES)
    if b"\x00" in raw:
        raise AvoidSurveyError("not a text file (contains NUL bytes)", file=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AvoidSurveyError(f"not UTF-8 text (bad byte at offset {exc.start})", file=p) from None
    return load_yaml_text(text, file=str(p))
