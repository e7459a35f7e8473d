"""Safe YAML loading: libyaml, YAML 1.2 scalars, located errors, an alias budget."""

from __future__ import annotations

import math
import operator
import os
import re
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .._perf import gc_paused
from ..model import Blueprint, step_fields
from ..problems import LoadError, Problem
from ..references import did_you_mean, reference_issues
from ..sourcemap import SourceMap

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load", "loads", "parse_yaml"]

MAX_NODES = 1_000_000
"""Most values aliases may add to a document when expanded (alias-bomb guard)."""
MAX_DEPTH = 500
"""Deepest nesting of collections accepted (a map needs fewer than ten)."""
MAX_BYTES = 32 * 1024 * 1024
"""Largest file read (a 100,000-step map is about 10 MB)."""

_PLAIN = "!servicemap/plain"  # our marker: a plain scalar without an explicit tag
_QUOTED = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STANDARD_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}

# Keys whose values are text or ids: plain scalars keep their exact text there
# (``label: 1.10`` stays "1.10", ``label: yes`` stays "yes").
_TEXT_KEYS = frozenset({
    "id", "kind", "name", "description", "label", "lane", "phase", "layer", "next", "to",
    "fail", "evidence", "notes", "ref", "outcome", "tags", "ignore", "arrivals", "duration",
    "wait",
})

_STRUCT, _TEXT, _DATA = 0, 1, 2  # building modes: the format's structure, text values, metadata
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL = {
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
    "null": None, "Null": None, "NULL": None, "~": None, "": None,
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf,
    "+.Inf": math.inf, "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf,
    "-.INF": -math.inf, ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}
_DEEP_LINE = re.compile(r"^[ \t?:-]{200}", re.MULTILINE)


class _Loader(yaml.CSafeLoader):
    """libyaml's composer; scalars are resolved by us (YAML 1.2 core), tags kept visible."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _MAP if kind is yaml.MappingNode else _SEQ


class _Refused(Exception):
    def __init__(self, message: str, node: yaml.Node | None, code: str = "SM001") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.code = code


def _plain_scalar(text: str) -> Any:
    """A plain scalar under YAML 1.2's core schema."""
    if not text:
        return None
    c = text[0]
    if c in "0123456789+-.":
        if _INT.match(text):
            return int(text)
        if _FLOAT.match(text):
            return float(text)
        if c == "0" and len(text) > 2:
            if _OCT.match(text):
                return int(text[2:], 8)
            if _HEX.match(text):
                return int(text[2:], 16)
    if c in "tTfFnN~.+-" and text in _SPECIAL:
        return _SPECIAL[text]
    return text


def _tagged_scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag not in _STANDARD_SCALAR_TAGS:
        raise _Refused(f"tag '{tag}' is not allowed: servicemap reads plain YAML data", node)
    value: str = node.value
    if tag.endswith(":str"):
        return value
    resolved = _plain_scalar(value)
    expected_types: dict[str, type | tuple[type, ...]] = {
        "int": int, "float": (int, float), "bool": bool, "null": type(None),
    }
    expected = expected_types[tag.rsplit(":", 1)[1]]
    if (isinstance(resolved, bool) and tag.endswith((":int", ":float"))) or not isinstance(
        resolved, expected
    ):
        raise _Refused(f"'{value}' is not a valid {tag.rsplit(':', 1)[1]}", node)
    if tag.endswith(":float"):
        return float(resolved)  # type: ignore[arg-type]  # an int or float by now
    return resolved


class _Builder:
    """Turns composed nodes into Python data, counting what aliases add when expanded.

    Nodes written out in the file are bounded by its size; the budget limits the
    values that aliases add on top of them, which is what an alias bomb inflates.
    """

    def __init__(self, budget: int, shared: set[int]) -> None:
        self.budget = budget
        self.shared = shared  # ids of nodes reached more than once (alias targets)
        self.sizes: dict[int, int] = {}  # id(node) -> expanded size, for shared nodes
        self.values: dict[int, Any] = {}
        self.active: set[int] = set()
        self.total = 0
        self.duplicates: list[tuple[yaml.Node, yaml.Node]] = []

    def build(self, node: yaml.Node, mode: int, depth: int) -> tuple[Any, int]:
        """Build a node's value; ``mode`` is _STRUCT, _TEXT (keep plain scalars' text) or _DATA."""
        key = id(node)
        if key in self.sizes:  # an alias to a node already built: shared, counted again
            size = self.sizes[key]
            self._spend(size, node)
            return self.values[key], size
        if key in self.active:
            raise _Refused("a recursive alias (a node that contains itself) is not allowed", node)
        if depth > MAX_DEPTH:
            raise _Refused(f"nesting deeper than {MAX_DEPTH} levels is not allowed", node)
        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            if tag == _PLAIN:
                value: Any = node.value if mode == _TEXT else _plain_scalar(node.value)
            elif tag == _QUOTED:
                value = node.value
            else:
                value = _tagged_scalar(node)
            size = 1
        elif isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _Refused(f"tag '{node.tag}' is not allowed: servicemap reads plain YAML "
                               "data", node)
            self.active.add(key)
            value = []
            size = 1
            for item in node.value:
                v, s = self.build(item, mode, depth + 1)
                value.append(v)
                size += s
            self.active.discard(key)
        else:
            if node.tag != _MAP:
                raise _Refused(f"tag '{node.tag}' is not allowed: servicemap reads plain YAML "
                               "data", node)
            self.active.add(key)
            value = {}
            size = 1
            first: dict[str, yaml.Node] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    raise _Refused("a key must be plain text, not a list or mapping", knode)
                k = knode.value
                if k in first:
                    self.duplicates.append((first[k], knode))
                    continue
                first[k] = knode
                if mode == _DATA or k == "metadata":
                    child = _DATA
                else:
                    child = _TEXT if k in _TEXT_KEYS else _STRUCT
                v, s = self.build(vnode, child, depth + 1)
                value[k] = v
                size += s + 1
            self.active.discard(key)
        if key in self.shared:
            self.sizes[key] = size
            self.values[key] = value
        return value, size

    def _spend(self, size: int, node: yaml.Node) -> None:
        self.total += size
        if self.total > self.budget:
            raise _Refused(
                f"aliases expand this document by more than {self.budget:,} values "
                "(an alias bomb?): refused",
                node,
            )


def _shared_nodes(root: yaml.Node) -> set[int]:
    """Ids of nodes reached more than once: the targets of aliases."""
    stack = [root]
    seen: set[int] = set()
    shared: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
    return shared


def _problem(code: str, rule: str, message: str, filename: str | None,
             line: int | None, column: int | None, step: str | None = None) -> Problem:
    return Problem(code, rule, "error", message, filename, line, column, step)


def _syntax(message: str, filename: str | None, line: int = 1, column: int = 1) -> Problem:
    return _problem("SM001", "yaml-syntax", message, filename, line, column)


def _decode(raw: bytes, filename: str | None) -> str:
    if b"\x00" in raw[:8192]:
        raise LoadError([_syntax("this is not a text file (it contains NUL bytes): expected "
                                 "a YAML or JSON service map", filename)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError([_syntax(
            f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded; "
            "save it as UTF-8", filename, line, column)]) from None
    return text[1:] if text.startswith("\ufeff") else text


def _max_depth_exact(text: str) -> tuple[int, Any]:
    depth = deepest = 0
    mark = None
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > MAX_DEPTH:
                    return depth, event.start_mark
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest, mark


def _check_depth(text: str, filename: str | None) -> None:
    """Refuse deep nesting before libyaml's recursive composer sees it (it crashes at ~50k)."""
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_DEPTH // 2:
        steps = text.encode("utf-8", "surrogatepass").translate(_OPEN_CLOSE, _NOT_BRACKETS)
        brackets = max(accumulate(map(operator.sub, steps, repeat(1))), default=0)
    if brackets <= MAX_DEPTH // 2 and not _DEEP_LINE.search(text):
        return
    try:
        depth, mark = _max_depth_exact(text)
    except yaml.YAMLError:
        return  # the composer reports the syntax error itself, before it nests that deep
    if depth > MAX_DEPTH and mark is not None:
        raise LoadError([_syntax(f"nesting deeper than {MAX_DEPTH} levels is not allowed",
                                 filename, mark.line + 1, mark.column + 1)])


_OPEN_CLOSE = bytes(2 if c in b"[{" else 0 for c in range(256))
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")




def parse_yaml(text: str, filename: str | None = None) -> tuple[Any, SourceMap, list[Problem]]:
    """Read YAML (or JSON) text into plain data, a :class:`SourceMap` and key problems.

    A key given twice in one mapping is returned as a problem (the first value is
    kept) so that loading can go on and report everything at once.

    Raises:
        LoadError: with SM001 problems for text that is not valid YAML, tags,
            recursion, too deep nesting or a document over the alias budget.

    >>> data, source, problems = parse_yaml("label: yes\\nn: 1.10\\nt: [true, ~]\\n")
    >>> data
    {'label': 'yes', 'n': 1.1, 't': [True, None]}
    """
    _check_depth(text, filename)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context})"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LoadError([_syntax(f"invalid YAML: {what}", filename, line, col)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([_syntax(f"invalid YAML: {exc}", filename)]) from None
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise LoadError([_syntax("expected one document, found several (a '---' separator?)",
                                 filename, mark.line + 1, mark.column + 1)])
    root = nodes[0] if nodes else None
    source = SourceMap(filename, root)
    if root is None:
        return None, source, []
    # Without '&' in the text there are no anchors, so no aliases: every node is built once.
    builder = _Builder(MAX_NODES, _shared_nodes(root) if "&" in text else set())
    try:
        data, _ = builder.build(root, _STRUCT, 0)
    except _Refused as exc:
        line, col = _mark(exc.node)
        raise LoadError([_syntax(exc.message, filename, line, col)]) from None
    problems = []
    for first, again in builder.duplicates:
        line, col = _mark(again)
        fl, _ = _mark(first)
        problems.append(_syntax(
            f"key '{again.value}' appears twice in this mapping (first on line {fl}): "
            "remove one", filename, line, col))
    return data, source, problems


def _mark(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


# -- validation ---------------------------------------------------------------

_CONTEXT_FIELDS = {
    "top": tuple(Blueprint.model_fields),
    "lanes": ("id", "label", "layer"),
    "phases": ("id", "label"),
    "branch": ("to", "label", "probability", "failure"),
}
_ALL_STEP_KEYS = tuple(dict.fromkeys(k for kind in (
    "terminator", "task", "predefined", "decision", "delay", "document", "connector",
) for k in step_fields(kind)))
_KINDS = ("terminator", "task", "predefined", "decision", "delay", "document", "connector")


def _allowed_here(loc: tuple[Any, ...], data: Any) -> tuple[str, tuple[str, ...], str | None]:
    """What the mapping at ``loc`` is, the keys allowed there, and the step kind."""
    if not loc:
        return "map", _CONTEXT_FIELDS["top"], None
    if loc[0] in ("lanes", "phases"):
        return loc[0][:-1], _CONTEXT_FIELDS[str(loc[0])], None
    if loc[0] == "steps" and len(loc) >= 2:
        kind = loc[2] if len(loc) >= 3 and loc[2] in _KINDS else None
        if kind and len(loc) >= 5 and loc[3] == "next":
            return "branch", _CONTEXT_FIELDS["branch"], kind
        if kind:
            return f"{kind} step", step_fields(kind), kind
        return "step", _ALL_STEP_KEYS, None
    return "mapping", (), None


def _step_id(data: Any, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int) and isinstance(data, dict):
        steps = data.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            sid = steps[loc[1]].get("id")
            return sid if isinstance(sid, str) else None
    return None


def _describe(err: Any, data: Any) -> tuple[str, tuple[Any, ...], bool]:
    """A message for one pydantic error, the data path to point at, and whether at the key."""
    loc = tuple(err["loc"])
    etype = err["type"]
    ctx = err.get("ctx") or {}
    clean = tuple(p for i, p in enumerate(loc)
                  if not (i == 2 and loc[0] == "steps" and p in _KINDS))
    if etype == "extra_forbidden":
        key = str(loc[-1])
        what, allowed, kind = _allowed_here(loc[:-1], data)
        if kind and key in _ALL_STEP_KEYS:
            on = [k for k in _KINDS if key in step_fields(k)]
            return (f"key '{key}' is not allowed on a {kind} step (allowed on: "
                    f"{', '.join(on)})", clean, True)
        hint = did_you_mean(key, allowed) if allowed else ""
        if not hint and allowed:
            hint = "; expected one of: " + ", ".join(allowed)
        return f"unknown key '{key}' in {what}{hint}", clean, True
    if etype == "missing":
        what, _, _ = _allowed_here(loc[:-1], data)
        return f"missing required key '{loc[-1]}' in {what}", clean, False
    if etype == "union_tag_invalid":
        tag = ctx.get("tag", "")
        hint = did_you_mean(str(tag), _KINDS)
        return (f"unknown step kind '{tag}'{hint}; expected one of: {', '.join(_KINDS)}",
                (*clean, "kind"), False)
    if etype == "union_tag_not_found":
        return (f"missing required key 'kind' in step: one of {', '.join(_KINDS)}",
                clean, False)
    if etype == "literal_error":
        expected = ctx.get("expected", "")
        got = _value_at(data, clean)
        hint = ""
        if isinstance(got, str):
            options = re.findall(r"'([^']*)'", str(expected))
            hint = did_you_mean(got, options)
        return f"{got!r} is not allowed here{hint}: expected {expected}", clean, False
    if etype in ("int_type", "int_parsing", "int_from_float"):
        return "expected a whole number", clean, False
    if etype in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        op = ">=" if "ge" in ctx else ">"
        return f"expected a number {op} {limit}", clean, False
    if etype in ("float_type", "float_parsing"):
        return "expected a number", clean, False
    if etype in ("bool_type", "bool_parsing"):
        return "expected true or false", clean, False
    if etype == "list_type":
        return "expected a list", clean, False
    if etype in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of keys and values", clean, False
    if etype == "too_short" and clean == ("steps",):
        return "a map needs at least one step", clean, False
    if etype == "string_type":
        return "expected text", clean, False
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else msg, clean, False


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        in_dict = isinstance(data, dict) and p in data
        if in_dict or (isinstance(data, list) and isinstance(p, int) and p < len(data)):
            data = data[p]
        else:
            return None
    return data


def _validate(data: Any, source: SourceMap, problems: list[Problem]) -> Blueprint:
    filename = source.filename
    if data is None:
        raise LoadError([_problem("SM002", "schema", "the file is empty: expected a map with "
                                  "'name' and 'steps'", filename, 1, 1)])
    if not isinstance(data, dict):
        line, col = source.locate(())
        raise LoadError([_problem(
            "SM002", "schema",
            f"expected a mapping with 'name' and 'steps' at the top, found a "
            f"{'list' if isinstance(data, list) else type(data).__name__}", filename, line, col)])
    bp: Blueprint | None = None
    try:
        bp = Blueprint.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        for err in exc.errors(include_input=False, include_url=False):
            message, path, at_key = _describe(err, data)
            line, col = source.locate(path, key=at_key)
            problems.append(_problem("SM002", "schema", message, filename, line, col,
                                     _step_id(data, path)))
    for issue in reference_issues(data):
        line, col = source.locate(issue.path)
        rule = "duplicate-id" if issue.code == "SM003" else "unknown-reference"
        problems.append(_problem(issue.code, rule, issue.message, filename, line, col,
                                 issue.step))
    if problems or bp is None:
        raise LoadError(problems)
    bp._source = source
    return bp


def loads(text: str | bytes, filename: str | None = None) -> Blueprint:
    """Load a map from YAML or JSON text.

    Args:
        text: The map's text (bytes are decoded as UTF-8).
        filename: Shown in problems; also what :attr:`Blueprint.source` records.

    Raises:
        LoadError: listing every problem found, each with line and column.

    Example:
        >>> bp = loads('''
        ... name: Tiny
        ... steps:
        ...   - {id: start, kind: terminator, next: work}
        ...   - {id: work, kind: task, duration: 5 min, next: end}
        ...   - {id: end, kind: terminator}
        ... ''')
        >>> [s.id for s in bp.steps]
        ['start', 'work', 'end']
        >>> try:
        ...     loads("name: x\\nsteps:\\n  - {id: a, kind: task, duration: 5}\\n", "m.yaml")
        ... except LoadError as err:
        ...     print(err.problems[0].location(), err.problems[0].message[:34])
        m.yaml:3:35 duration 5 has no unit: add a unit
    """
    if isinstance(text, bytes):
        text = _decode(text, filename)
    if len(text) > MAX_BYTES:
        raise LoadError([_syntax(f"the file is larger than {MAX_BYTES // 2**20} MiB: refused",
                                 filename)])
    with gc_paused():
        data, source, problems = parse_yaml(text, filename)
        return _validate(data, source, problems)


def load(path: str | os.PathLike[str]) -> Blueprint:
    """Load a map from a ``.yaml``/``.yml``/``.json`` file.

    Raises:
        LoadError: for a map with problems (each located in the file).
        OSError: if the file cannot be read.
    """
    p = Path(path)
    size = p.stat().st_size
    name = os.fspath(path)
    if size > MAX_BYTES:
        raise LoadError([_syntax(
            f"the file is {size / 2**20:.0f} MiB, larger than the {MAX_BYTES // 2**20} MiB "
            "a map may be: refused", name)])
    return loads(p.read_bytes(), name)
