"""Safe YAML reading with positions: libyaml's composer, YAML 1.2 core scalars, limits."""

from __future__ import annotations

import json
import math
import operator
import re
from bisect import bisect_right
from itertools import accumulate, repeat
from typing import Any

import yaml

from ..problems import LoadError, Problem
from ..sourcemap import SourceMap

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "TEXT_KEYS",
    "core_scalar",
    "decode",
    "parse_yaml",
    "read_document",
]

MAX_NODES = 1_000_000
"""Most values aliases may add to a document when expanded (alias-bomb guard)."""
MAX_DEPTH = 500
"""Deepest nesting of collections accepted (a map needs fewer than ten)."""
MAX_BYTES = 32 * 1024 * 1024
"""Largest file read (a 100,000-step map is about 10 MB)."""

TEXT_KEYS = frozenset({
    "id", "kind", "name", "description", "label", "lane", "phase", "layer", "next", "to",
    "fail", "evidence", "notes", "ref", "outcome", "tags", "ignore", "arrivals", "duration",
    "wait",
})
"""Keys whose values are text or ids: a plain scalar there keeps its exact text.

``label: 1.10`` stays ``"1.10"`` and ``label: true`` stays ``"true"``; only the
null spellings (``~``, ``null``, nothing) still mean "no value". The same holds
for numbers and booleans given an explicit standard tag (``!!int 5``), and for
the items of lists and the values of mappings under these keys.
"""

_PLAIN = "!servicemap/plain"  # our marker: a plain scalar without an explicit tag
_QUOTED = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STANDARD_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
_STRUCT, _TEXT, _DATA = 0, 1, 2  # building modes: the format's structure, text values, metadata
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_SPECIAL = {
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
    "null": None, "Null": None, "NULL": None, "~": None, "": None,
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf,
    "+.Inf": math.inf, "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf,
    "-.INF": -math.inf, ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}
_DEEP_LINE = re.compile(r"^[ \t?:-]{200}", re.MULTILINE)
_OPEN_CLOSE = bytes(2 if c in b"[{" else 0 for c in range(256))
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
# Characters that JSON allows raw in strings but YAML does not read as themselves: those
# not allowed in a YAML stream, and NEL, LS and PS, which libyaml reads as line breaks.
_JSON_RAW = r"[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_JSON_ONLY = re.compile(rf"\\u[dD][89abAB]|{_JSON_RAW}")
_JSON_START = re.compile(r"[ \t\r\n]*[\[{]")
_JSON_FIX = re.compile(  # in JSON text: a surrogate pair, another escape, or a raw character
    rf"\\u([dD][89abAB][0-9a-fA-F]{{2}})\\u([dD][c-fC-F][0-9a-fA-F]{{2}})|\\.|({_JSON_RAW})",
    re.DOTALL,
)


class _Loader(yaml.CSafeLoader):
    """libyaml's composer; scalars are resolved by us (YAML 1.2 core), tags kept visible."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _MAP if kind is yaml.MappingNode else _SEQ


class _Refused(Exception):
    def __init__(self, message: str, node: yaml.Node | None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


def core_scalar(text: str) -> Any:
    """The value of a plain scalar under YAML 1.2's core schema.

    Only ``true``/``false`` (in three spellings) are booleans; ``yes`` and
    ``on`` are text. Where the format expects text, see :data:`TEXT_KEYS`.

    >>> [core_scalar(t) for t in ("yes", "1.10", "0x1F", "0o7", "~", ".inf", "TRUE")]
    ['yes', 1.1, 31, 7, None, inf, True]
    """
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


def _tagged_scalar(node: yaml.ScalarNode, mode: int) -> Any:
    """A scalar with an explicit tag: only YAML's standard scalar tags, holding what they say."""
    tag = node.tag
    if tag not in _STANDARD_SCALAR_TAGS:
        raise _Refused(f"tag '{tag}' is not allowed: servicemap reads plain YAML data", node)
    value: str = node.value
    if tag.endswith(":str"):
        return value
    name = tag.rsplit(":", 1)[1]
    resolved = core_scalar(value)
    expected: dict[str, type | tuple[type, ...]] = {
        "int": int, "float": (int, float), "bool": bool, "null": type(None),
    }
    if (isinstance(resolved, bool) and name in ("int", "float")) or not isinstance(
        resolved, expected[name]
    ):
        raise _Refused(f"'{value}' is not a valid {name}", node)
    if mode == _TEXT:
        return None if resolved is None else value
    number: Any = resolved
    return float(number) if name == "float" else number


def _collection_tag(node: yaml.Node, tag: str) -> None:
    if node.tag != tag:
        raise _Refused(f"tag '{node.tag}' is not allowed: servicemap reads plain YAML data", node)


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
        """Build a node's value and its expanded size; ``mode`` is _STRUCT, _TEXT or _DATA."""
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
            value, size = self._scalar(node, mode), 1
        else:
            self.active.add(key)
            if isinstance(node, yaml.SequenceNode):
                value, size = self._sequence(node, mode, depth)
            else:
                assert isinstance(node, yaml.MappingNode)
                value, size = self._mapping(node, mode, depth)
            self.active.discard(key)
        if key in self.shared:
            self.sizes[key] = size
            self.values[key] = value
        return value, size

    @staticmethod
    def _scalar(node: yaml.ScalarNode, mode: int) -> Any:
        if node.tag == _QUOTED:
            return node.value
        if node.tag != _PLAIN:
            return _tagged_scalar(node, mode)
        if mode == _TEXT:
            return None if node.value in _NULLS else node.value
        return core_scalar(node.value)

    def _sequence(self, node: yaml.SequenceNode, mode: int, depth: int) -> tuple[list[Any], int]:
        _collection_tag(node, _SEQ)
        items = []
        size = 1
        for item in node.value:
            value, count = self.build(item, mode, depth + 1)
            items.append(value)
            size += count
        return items, size

    def _mapping(self, node: yaml.MappingNode, mode: int, depth: int) -> tuple[dict[str, Any], int]:
        _collection_tag(node, _MAP)
        mapping: dict[str, Any] = {}
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
                child = _TEXT if k in TEXT_KEYS else _STRUCT
            value, count = self.build(vnode, child, depth + 1)
            mapping[k] = value
            size += count + 1
        return mapping, size

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


def _syntax(message: str, filename: str | None, line: int = 1, column: int = 1) -> Problem:
    return Problem("SM001", "yaml-syntax", "error", message, filename, line, column)


def decode(raw: bytes, filename: str | None = None) -> str:
    """The text of a file's bytes: UTF-8, a byte-order mark dropped.

    Raises:
        LoadError: for binary data (NUL bytes) or bytes that are not UTF-8, located
            at the first bad byte.

    >>> decode("\\ufeffname: Café".encode())
    'name: Café'
    """
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
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > MAX_DEPTH:
                    return depth, event.start_mark
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest, None


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


class _Columns:
    """Where text was rewritten on a line, to give positions in the original text back."""

    def __init__(self) -> None:
        # line -> (column in the new text after a rewrite, characters added so far on the line)
        self.shifts: dict[int, list[tuple[int, int]]] = {}

    def original(self, line: int, column: int) -> int:
        """The 0-based column in the original text of a 0-based position in the new one."""
        shifts = self.shifts.get(line)
        if not shifts:
            return column
        i = bisect_right(shifts, (column, math.inf))
        return column - shifts[i - 1][1] if i else column

    def add(self, line: int, old_end: int, added: int) -> None:
        """Record a rewrite on ``line`` ending at column ``old_end`` that added characters."""
        shifts = self.shifts.setdefault(line, [])
        total = (shifts[-1][1] if shifts else 0) + added
        shifts.append((old_end + total, total))


def _json_for_yaml(text: str) -> tuple[str, _Columns]:
    r"""JSON text rewritten so that YAML reads it as JSON does, and how columns moved.

    JSON writes a character beyond U+FFFF as two escaped halves
    (``"\ud83d\ude00"``), which YAML refuses one by one, and allows characters
    raw in strings that YAML refuses (DEL, C1 controls) or reads as line
    breaks (NEL, U+2028, U+2029). In JSON every
    backslash is an escape inside a string, so the pair can become one escape
    (``\U0001F600``) and the raw character an escape of its own. Text that is
    not JSON is left alone.

    >>> _json_for_yaml('{"a": "\\ud83d\\ude00\x7f"}')[0]
    '{"a": "\\U0001F600\\u007f"}'
    """
    columns = _Columns()
    if not _JSON_START.match(text) or not _JSON_ONLY.search(text):
        return text, columns
    try:
        json.loads(text)
    except ValueError:
        return text, columns  # YAML, where a backslash need not be an escape: leave it
    out: list[str] = []
    last = line = 0
    for m in _JSON_FIX.finditer(text):
        if m.group(1):
            high, low = int(m.group(1), 16) - 0xD800, int(m.group(2), 16) - 0xDC00
            new = f"\\U{0x10000 + (high << 10) + low:08X}"
        elif m.group(3):
            new = f"\\u{ord(m.group(3)):04x}"
        else:
            continue
        line += text.count("\n", last, m.start())
        line_start = text.rfind("\n", 0, m.start()) + 1
        out += [text[last:m.start()], new]
        columns.add(line, m.end() - line_start, len(new) - (m.end() - m.start()))
        last = m.end()
    out.append(text[last:])
    return "".join(out), columns


def _restore_marks(root: yaml.Node, columns: _Columns) -> None:
    """Move the nodes' start marks back to their columns in the original text."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        mark = node.start_mark
        if mark.line in columns.shifts:
            node.start_mark = yaml.Mark(mark.name, mark.index, mark.line,
                                        columns.original(mark.line, mark.column),
                                        None, None)  # type: ignore[arg-type]
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)


def _compose(text: str, filename: str | None) -> yaml.Node | None:
    """The one document's node tree (None for an empty file), positions as in ``text``."""
    _check_depth(text, filename)
    rewritten, columns = _json_for_yaml(text)
    try:
        nodes = list(yaml.compose_all(rewritten, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{what} ({exc.context})"
        line, col = (1, 1)
        if mark:
            line, col = mark.line + 1, columns.original(mark.line, mark.column) + 1
        raise LoadError([_syntax(f"invalid YAML: {what}", filename, line, col)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([_syntax(f"invalid YAML: {exc}", filename)]) from None
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise LoadError([_syntax("expected one document, found several (a '---' separator?)",
                                 filename, mark.line + 1, mark.column + 1)])
    if nodes and columns.shifts:
        _restore_marks(nodes[0], columns)
    return nodes[0] if nodes else None


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def parse_yaml(text: str, filename: str | None = None) -> tuple[Any, SourceMap, list[Problem]]:
    """Read YAML (or JSON) text into plain data, a :class:`SourceMap` and key problems.

    Scalars follow YAML 1.2's core schema, except that under :data:`TEXT_KEYS`
    plain scalars keep their text. A key given twice in one mapping is
    returned as a problem (the first value is kept) so that loading can go on
    and report everything at once.

    Raises:
        LoadError: with SM001 problems for text that is not valid YAML, tags,
            recursion, too deep nesting or a document over the alias budget.

    >>> data, source, problems = parse_yaml("label: yes\\nn: 1.10\\nt: [true, ~]\\n")
    >>> data
    {'label': 'yes', 'n': 1.1, 't': [True, None]}
    """
    root = _compose(text, filename)
    source = SourceMap(filename, root)
    if root is None:
        return None, source, []
    # Without '&' in the text there are no anchors, so no aliases: every node is built once.
    builder = _Builder(MAX_NODES, _shared_nodes(root) if "&" in text else set())
    try:
        data, _ = builder.build(root, _STRUCT, 0)
    except _Refused as exc:
        line, col = _mark(exc.node) if exc.node is not None else (1, 1)
        raise LoadError([_syntax(exc.message, filename, line, col)]) from None
    problems = []
    for first, again in builder.duplicates:
        line, col = _mark(again)
        problems.append(_syntax(
            f"key '{again.value}' appears twice in this mapping (first on line "
            f"{_mark(first)[0]}): remove one", filename, line, col))
    return data, source, problems


def read_document(text: str | bytes, filename: str | None = None) -> tuple[
        Any, SourceMap, list[Problem]]:
    """:func:`parse_yaml` for text or bytes of any size: bytes decoded, large files refused.

    Raises:
        LoadError: as :func:`decode` and :func:`parse_yaml` do, or for text over
            :data:`MAX_BYTES`.

    >>> read_document(b"name: x\\n")[0]
    {'name': 'x'}
    """
    if isinstance(text, bytes):
        text = decode(text, filename)
    if len(text) > MAX_BYTES:
        raise LoadError([_syntax(f"the file is larger than {MAX_BYTES // 2**20} MiB: refused",
                                 filename)])
    return parse_yaml(text, filename)
