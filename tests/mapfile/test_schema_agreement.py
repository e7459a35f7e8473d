"""The JSON Schema and the loader agree: schema-valid exactly when loading finds no SM002.

What the property covers
------------------------
For a map written as YAML text (block or flow style, plain, quoted and
explicitly tagged scalars) or as JSON text, that the YAML reader accepts,
three answers are the same:

1. the schema validates the data **as the loader reads it** (``parse_yaml``:
   YAML 1.2 core scalars, plain scalars under text keys kept as text);
2. the schema validates the data **as an editor reads it**: the same text read
   with plain YAML 1.2 core scalars everywhere (``label: 1.10`` is the number
   1.1 there), by a resolver written here from the YAML 1.2 spec, or JSON read
   by ``json.loads``;
3. ``servicemap.loads`` reports no SM002 (schema) problem.

Maps come from three sources: generated maps (every kind, every key, values
spelled plainly or quoted, durations in parts or ISO 8601, rates, percentages);
the same maps mutated one to three times (a value replaced by a random scalar,
list or mapping, a key added, known or unknown, a key deleted, a number
quoted, a unit made wrong, a boolean spelled YAML 1.1's way, standard tags);
and every odd scalar of :data:`ODD_SCALARS`, plain and quoted, in every field
(:func:`test_every_odd_scalar_in_every_field_agrees`). Generated maps are also
written as JSON (:func:`test_json_text_agrees`).

Outside it, by design:

- SM001 (not YAML, a key twice, tags other than YAML's standard scalar tags,
  the alias, size and depth limits): the generator makes none and the property
  asserts that none occur.
- SM003 (duplicate ids) and SM004 (unknown references): a schema cannot see
  them; they are ignored, and a map may well have them.
- Sizes written inside text that the model cannot hold: a duration over
  999,999,999 days (``1000000000d``, the largest Python ``timedelta``) or a
  rate over about 1.8e308 cases per hour. A pattern cannot bound a sum of
  numbers; the loader refuses these (SM002), the schema accepts them.
  :func:`test_known_limits_of_the_schema` pins both; generated numbers stay
  far below.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.mapfile.schema import json_schema
from servicemap.mapfile.yaml_reader import parse_yaml
from servicemap.model import KINDS, step_fields

VALIDATOR = jsonschema.Draft202012Validator(json_schema())

PLAIN = "!agreement/plain"  # the tag the test gives plain scalars, to tell them from quoted
STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
TAGS = {t: f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}

# -- the editor's view: YAML 1.2 core schema, written here from the spec (10.3.2) --------

_CORE: list[tuple[str, Any]] = [
    (r"null|Null|NULL|~|", lambda t: None),
    (r"true|True|TRUE", lambda t: True),
    (r"false|False|FALSE", lambda t: False),
    (r"[-+]?[0-9]+", int),
    (r"0o[0-7]+", lambda t: int(t[2:], 8)),
    (r"0x[0-9a-fA-F]+", lambda t: int(t[2:], 16)),
    (r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", float),
    (r"[-+]?\.(inf|Inf|INF)", lambda t: -math.inf if t[0] == "-" else math.inf),
    (r"\.(nan|NaN|NAN)", lambda t: math.nan),
]


def core(text: str) -> Any:
    """A plain scalar as YAML 1.2's core schema reads it."""
    for pattern, convert in _CORE:
        if re.fullmatch(pattern, text):
            return convert(text)
    return text


class _MarkingLoader(yaml.CSafeLoader):
    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return MAP if kind is yaml.MappingNode else SEQ


def _editor_value(node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return [_editor_value(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _editor_value(v) for k, v in node.value}
    if node.tag == PLAIN:
        return core(node.value)
    if node.tag == STR:
        return node.value
    value = core(node.value)
    return float(value) if node.tag == TAGS["float"] else value


def editor_view(text: str) -> Any:
    """The data an editor validates: every plain scalar read by the core schema."""
    root = yaml.compose(text, Loader=_MarkingLoader)
    return None if root is None else _editor_value(root)


# -- writing YAML text with chosen scalar styles -----------------------------------------


class _Dumper(yaml.SafeDumper):
    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return MAP if kind is yaml.MappingNode else SEQ


def plain(text: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(PLAIN, text)


def quoted(text: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(STR, text, style='"')


def tagged(tag: str, text: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(TAGS[tag], text, style="'" if tag == "str" else None)


def mapping(pairs: dict[str, yaml.Node], flow: bool = False) -> yaml.MappingNode:
    return yaml.MappingNode(MAP, [(plain(k), v) for k, v in pairs.items()], flow_style=flow)


def sequence(items: list[yaml.Node], flow: bool = False) -> yaml.SequenceNode:
    return yaml.SequenceNode(SEQ, items, flow_style=flow)


def _unflow(node: yaml.Node, ancestors: tuple[yaml.Node, ...] = ()) -> None:
    """Write in block style the collections around an empty plain scalar (flow has none)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == PLAIN and node.value == "":
            for collection in ancestors:
                collection.flow_style = False
        return
    children = [v for pair in node.value for v in pair] if isinstance(
        node, yaml.MappingNode) else node.value
    for child in children:
        _unflow(child, (*ancestors, node))


def write(root: yaml.Node) -> str:
    _unflow(root)
    text = yaml.serialize(root, Dumper=_Dumper, allow_unicode=True, width=10_000)
    assert PLAIN not in text, "a scalar meant plain could not be written plain"
    return text


# -- the three answers -------------------------------------------------------------------


def schema_problems(text: str) -> list[sm.Problem]:
    try:
        sm.loads(text, "m.yaml")
    except sm.LoadError as err:
        assert not [p for p in err.problems if p.code == "SM001"], err.problems
        return [p for p in err.problems if p.code == "SM002"]
    return []


def assert_agree(text: str, editor: Any) -> None:
    loader_data, _, problems = parse_yaml(text, "m.yaml")
    assert problems == []
    by_loader = VALIDATOR.is_valid(loader_data)
    by_editor = by_loader if repr(editor) == repr(loader_data) else VALIDATOR.is_valid(editor)
    found = schema_problems(text)
    if by_loader == by_editor == (not found):
        return
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in VALIDATOR.iter_errors(loader_data)][:3]
    detail = f"\n{text}\nschema: {errors}\nloader: {[p.message for p in found]}"
    assert by_loader == by_editor, f"loader's and editor's reading differ{detail}"
    assert by_loader == (not found), f"schema and loader disagree{detail}"


# -- valid maps --------------------------------------------------------------------------

IDS = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
UNITS = ["s", "sec", "m", "min", "MIN", "h", "Hr", "hours", "d", "day", "days", "w", "Weeks"]
SPACES = st.sampled_from(["", " ", "  "])
NUMBERS = st.one_of(
    st.integers(0, 9999).map(str),
    st.tuples(st.integers(0, 999), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.integers(1, 99).map(lambda n: f".{n}"),
)


def _scalar(draw: st.DrawFn, text: str) -> yaml.ScalarNode:
    return quoted(text) if draw(st.booleans()) else plain(text)


@st.composite
def durations(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        parts = [f"{draw(NUMBERS)}{u}" for u in ("W", "D") if draw(st.booleans())]
        time = [f"{draw(NUMBERS)}{u}" for u in ("H", "M", "S") if draw(st.booleans())]
        text = "P" + "".join(parts) + ("T" + "".join(time) if time else "")
        return text if text != "P" else "PT1H"
    count = draw(st.integers(1, 3))
    return draw(SPACES).join(
        f"{draw(NUMBERS)}{draw(SPACES)}{draw(st.sampled_from(UNITS))}" for _ in range(count))


@st.composite
def rates(draw: st.DrawFn) -> str:
    per = draw(st.sampled_from(["", "2", "0.5", "10 "]))
    return f"{draw(NUMBERS)}{draw(SPACES)}/{draw(SPACES)}{per}{draw(st.sampled_from(UNITS))}"


@st.composite
def shares(draw: st.DrawFn, zero: bool) -> yaml.ScalarNode:
    if draw(st.booleans()):
        low = 0 if zero else 1
        return plain(f"{draw(st.integers(low, 100))}{draw(SPACES)}%")
    number = draw(st.floats(0, 1, exclude_min=not zero))
    return plain(repr(number))


TEXT_WORDS = ["yes", "no", "on", "Off", "1.10", "true", "False", "0x1F", "Pick, pack", "a: b",
              "Order received", "42", ".inf", "-", "#1"]


@st.composite
def texts(draw: st.DrawFn) -> yaml.ScalarNode:
    word = draw(st.one_of(st.sampled_from(TEXT_WORDS), st.text(max_size=12)))
    return _scalar(draw, word) if _plain_ok(word) and word else quoted(word)


def _value_for(draw: st.DrawFn, key: str, ids: list[str]) -> yaml.Node:
    if key in ("label", "fail", "evidence", "notes", "description", "name", "ref"):
        return draw(texts())
    if key in ("lane", "phase"):
        return _scalar(draw, draw(IDS))
    if key in ("duration", "wait"):
        return _scalar(draw, draw(durations()))
    if key == "arrivals":
        return _scalar(draw, draw(rates()))
    if key == "accuracy":
        return draw(shares(False))
    if key == "capacity":
        return plain(draw(st.sampled_from(["1", "2", "4", "2.0", "1e2"])))
    if key == "cost":
        return plain(repr(draw(st.floats(0, 1e6))))
    if key in ("cv", "arrivals_cv"):
        return plain(draw(st.sampled_from(["0", "0.3", "0.5", "0.6", "1", "1.0", "2.5", "-1"])))
    if key == "distribution":
        return plain(draw(st.sampled_from(
            ["exponential", "fixed", "uniform", "triangular", "lognormal", "gamma"])))
    if key == "recovery":
        return plain(draw(st.sampled_from(["true", "false"])))
    if key == "outcome":
        return plain(draw(st.sampled_from(["success", "failure"])))
    if key in ("tags", "ignore"):
        return sequence([draw(texts()) for _ in range(draw(st.integers(0, 2)))],
                        flow=draw(st.booleans()))
    if key == "metadata":
        return draw(data_nodes(2))
    if key == "next":
        return _scalar(draw, draw(st.sampled_from(ids)))
    raise AssertionError(key)


@st.composite
def branches(draw: st.DrawFn, ids: list[str]) -> yaml.MappingNode:
    pairs: dict[str, yaml.Node] = {"to": _scalar(draw, draw(st.sampled_from(ids)))}
    if draw(st.booleans()):
        pairs["label"] = draw(texts())
    if draw(st.booleans()):
        pairs["probability"] = draw(shares(True))
    if draw(st.booleans()):
        pairs["failure"] = plain(draw(st.sampled_from(["true", "false"])))
    return mapping(pairs, flow=draw(st.booleans()))


@st.composite
def steps(draw: st.DrawFn, sid: str, ids: list[str]) -> yaml.MappingNode:
    kind = draw(st.sampled_from(KINDS))
    pairs: dict[str, yaml.Node] = {"id": _scalar(draw, sid), "kind": plain(kind)}
    optional = [k for k in step_fields(kind) if k not in ("id", "kind", "next")]
    for key in draw(st.lists(st.sampled_from(optional), max_size=4, unique=True)):
        pairs[key] = _value_for(draw, key, ids)
    if kind == "decision":
        pairs["next"] = sequence([draw(branches(ids)) for _ in range(draw(st.integers(0, 2)))])
    elif draw(st.booleans()):
        target = _scalar(draw, draw(st.sampled_from(ids)))
        pairs["next"] = sequence([target], flow=True) if draw(st.booleans()) else target
    return mapping(pairs, flow=draw(st.integers(0, 3)) == 0)


@st.composite
def maps(draw: st.DrawFn) -> yaml.MappingNode:
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    pairs: dict[str, yaml.Node] = {}
    if draw(st.booleans()):
        pairs["servicemap"] = plain("1")
    pairs["name"] = draw(texts())
    top = ["description", "arrivals", "arrivals_cv", "metadata"]
    for key in draw(st.lists(st.sampled_from(top), unique=True)):
        pairs[key] = _value_for(draw, key, ids)
    for key in ("lanes", "phases"):
        if draw(st.booleans()):
            rows = [{"id": _scalar(draw, draw(IDS)), "label": draw(texts())}
                    for _ in range(draw(st.integers(0, 2)))]
            if key == "lanes":
                for row in rows:
                    row["layer"] = plain(draw(st.sampled_from(["customer", "onstage", "support"])))
            pairs[key] = sequence([mapping(r) for r in rows])
    pairs["steps"] = sequence([draw(steps(sid, ids)) for sid in ids])
    return mapping(pairs)


# -- anything at all, and mutations ------------------------------------------------------

ODD_SCALARS = [
    "", "~", "null", "NULL", "true", "False", "yes", "no", "on", "off", "y", "n", "0", "1",
    "-1", "2", "2.0", "2.5", "1.10", "0x1F", "0o17", "1e3", "1e400", "-0.0", ".inf", "-.inf",
    ".nan", "1" + "0" * 400, "5", "5m", "5 min", "5 parsecs", "1h 30m", "1h30m", "PT", "P",
    "PT1H", "P1D", "P1WT", "PT1H30M", "pt1h", "1e9 days", "5ms", "40/h", "5/fortnight",
    "2.5 / MIN", "0/h", "40/0h", "40/2h", "1/h/h", "98%", "98.5 %", "150%", "0%", "100%",
    "100.0%", "100.01%", "0.0%", "-5%", ".5%", "0.98", "task", "decision", "terminator",
    "connector", "customer", "success", "failure", "a", "b", "x-y", "1a", "Tâche", "a" * 65,
]


@st.composite
def odd_scalars(draw: st.DrawFn) -> yaml.ScalarNode:
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return quoted(draw(st.text(max_size=8)))
    if choice == 1:
        tag, text = draw(st.sampled_from([
            ("str", "5"), ("str", "true"), ("int", "5"), ("int", "0x1F"), ("float", "2"),
            ("float", "0.5"), ("bool", "true"), ("bool", "false"), ("null", "~"),
            ("null", ""), ("str", "5m"), ("int", "1"),
        ]))
        return tagged(tag, text)
    text = draw(st.sampled_from(ODD_SCALARS))
    return quoted(text) if choice == 2 or not _plain_ok(text) else plain(text)


def _plain_ok(text: str) -> bool:
    """Whether ``text`` can be written as a plain scalar, in block and flow context alike."""
    if text == "":
        return True
    body = all(c.isalnum() or c in " ._%/+-~" for c in text) and not text.endswith(" ")
    start = text[0].isalnum() or text[0] in ".~+" or re.match(r"-[0-9.]", text) is not None
    return body and start and text.isprintable() and not text.startswith(("...", "---"))


@st.composite
def data_nodes(draw: st.DrawFn, depth: int) -> yaml.Node:
    """Metadata or junk: scalars, lists and mappings, nested ``depth`` deep at most."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(odd_scalars())
    if draw(st.booleans()):
        return sequence([draw(data_nodes(depth - 1)) for _ in range(draw(st.integers(0, 2)))],
                        flow=draw(st.booleans()))
    keys = draw(st.lists(st.sampled_from(["a", "to", "id", "label", "x y", "1"]), max_size=2,
                         unique=True))
    return mapping({k: draw(data_nodes(depth - 1)) for k in keys}, flow=draw(st.booleans()))


KEY_NAMES = sorted({k for kind in KINDS for k in step_fields(kind)} | {
    "servicemap", "name", "description", "arrivals", "lanes", "phases", "steps", "to",
    "probability", "failure", "layer", "nxt", "Next", "durations", "id2", "x", "1",
})


def _positions(node: yaml.Node) -> list[tuple[yaml.Node, int]]:
    """Every (collection, index) where a value sits, depth first."""
    out: list[tuple[yaml.Node, int]] = []
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.append((node, i))
            out.extend(_positions(item))
    elif isinstance(node, yaml.MappingNode):
        for i, (_, value) in enumerate(node.value):
            out.append((node, i))
            out.extend(_positions(value))
    return out


def _mappings(node: yaml.Node) -> list[yaml.MappingNode]:
    found = [node] if isinstance(node, yaml.MappingNode) else []
    return found + [n for parent, i in _positions(node)
                    if isinstance(n := _get(parent, i), yaml.MappingNode)]


def _get(parent: yaml.Node, i: int) -> yaml.Node:
    item = parent.value[i]
    return item[1] if isinstance(parent, yaml.MappingNode) else item


def _put(parent: yaml.Node, i: int, node: yaml.Node) -> None:
    if isinstance(parent, yaml.MappingNode):
        parent.value[i] = (parent.value[i][0], node)
    else:
        parent.value[i] = node


def _mutate(draw: st.DrawFn, root: yaml.MappingNode) -> None:
    op = draw(st.sampled_from(["replace", "replace", "add", "delete", "restyle", "unit", "bool"]))
    positions = _positions(root)
    scalars = [(p, i) for p, i in positions if isinstance(_get(p, i), yaml.ScalarNode)]
    if op == "replace" and positions:
        parent, i = draw(st.sampled_from(positions))
        _put(parent, i, draw(data_nodes(2)))
    elif op == "add":
        target = draw(st.sampled_from(_mappings(root)))
        present = {k.value for k, _ in target.value}
        key = draw(st.sampled_from(KEY_NAMES))
        if key not in present:
            target.value.append((plain(key), draw(data_nodes(1))))
    elif op == "delete":
        target = draw(st.sampled_from(_mappings(root)))
        if target.value:
            del target.value[draw(st.integers(0, len(target.value) - 1))]
    elif scalars:
        parent, i = draw(st.sampled_from(scalars))
        text = _get(parent, i).value
        if op == "restyle":  # a number as text, or text written plainly
            _put(parent, i, quoted(text) if _get(parent, i).tag == PLAIN or not _plain_ok(text)
                 else plain(text))
        elif op == "unit" and re.search(r"[0-9][ ]?[A-Za-z]+", text):
            bad = draw(st.sampled_from(["parsecs", "fortnight", "MS", "e", "y", "Hours", "M"]))
            new = re.sub(r"(?<=[0-9 ])[A-Za-z]+", bad, text, count=1)
            was_plain = _get(parent, i).tag == PLAIN
            _put(parent, i, plain(new) if was_plain and _plain_ok(new) else quoted(new))
        elif op == "bool" and text in ("true", "false"):
            _put(parent, i, plain(draw(st.sampled_from(["yes", "no", "on", "off", "True", "y"]))))


@st.composite
def mutated_maps(draw: st.DrawFn) -> yaml.MappingNode:
    root = draw(maps())
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, root)
    return root


# -- the properties ----------------------------------------------------------------------

SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(maps())
def test_generated_maps_agree(root: yaml.MappingNode) -> None:
    text = write(root)
    assert_agree(text, editor_view(text))


@SETTINGS
@given(mutated_maps())
def test_mutated_maps_agree(root: yaml.MappingNode) -> None:
    text = write(root)
    assert_agree(text, editor_view(text))


def _finite(data: Any) -> bool:
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, list):
        return all(map(_finite, data))
    if isinstance(data, dict):
        return all(map(_finite, data.values()))
    return True


@SETTINGS
@given(st.one_of(maps(), mutated_maps()))
def test_json_text_agrees(root: yaml.MappingNode) -> None:
    """The same maps as JSON, which editors read with plain JSON types."""
    data = editor_view(write(root))
    assume(_finite(data))  # JSON has no NaN or infinity
    text = json.dumps(data, ensure_ascii=False)
    assert_agree(text, json.loads(text))


@SETTINGS
@given(data_nodes(3))
def test_metadata_reads_as_an_editor_reads_it(node: yaml.Node) -> None:
    """Under ``metadata`` the loader's scalars are YAML 1.2 core scalars, as an editor's."""
    text = write(mapping({"metadata": node}))
    loaded = parse_yaml(text)[0]["metadata"]
    expected = editor_view(text)["metadata"]
    assert json.dumps(loaded, sort_keys=True) == json.dumps(expected, sort_keys=True)


# -- cases named in issue 7, and the limits ----------------------------------------------

BASE = ("name: x\nsteps:\n  - id: a\n    kind: {kind}\n    {entry}\n"
        "  - {{id: b, kind: terminator}}\n")


def _map(entry: str, kind: str = "task") -> str:
    return BASE.format(kind=kind, entry=entry)


@pytest.mark.parametrize(("entry", "kind", "valid"), [
    ("label: 1.10", "task", True),
    ("tags: [1, 2]", "task", True),
    ("label: true", "task", True),
    ("label: ~", "task", True),
    ("duration: 5 parsecs", "task", False),
    ("accuracy: 150%", "task", False),
    ("duration: PT", "task", False),
    ("arrivals: 5/fortnight", "terminator", False),
    ("arrivals: 5 / 2 MIN", "terminator", True),
    ("capacity: 2.0", "task", True),
    ("capacity: 2.5", "task", False),
    ("capacity: '2'", "task", False),
    ("cost: .nan", "task", False),
    ("cost: .inf", "task", False),
    ("recovery: yes", "task", False),
    ("accuracy: '0.98'", "task", False),
    ("accuracy: .nan", "task", False),
    ("next: [{to: b, probability: 1.5}]", "decision", False),
    ("next: [{to: b, failure: yes}]", "decision", False),
    ("next: ~", "decision", True),
    ("label: !!int 5", "task", True),
    ("wait: 5 MIN", "task", True),
    ("next: true", "task", True),
])
def test_issue_7_examples(entry: str, kind: str, valid: bool) -> None:
    text = _map(entry, kind)
    assert_agree(text, editor_view(text))
    assert VALIDATOR.is_valid(editor_view(text)) is valid


@pytest.mark.parametrize("entry", [
    "duration: 1000000000d",
    "wait: PT99999999999H",
    "arrivals: 1" + "0" * 400 + "/h",
])
def test_known_limits_of_the_schema(entry: str) -> None:
    """Sizes a pattern cannot bound: the schema accepts them, the loader refuses them."""
    text = _map(entry, "terminator")
    assert VALIDATOR.is_valid(parse_yaml(text)[0])
    (problem,) = schema_problems(text)
    assert "too long" in problem.message or "too large" in problem.message


FIELDS = {  # where a value sits: a map with {value} in one place
    "servicemap": "servicemap: {value}\nname: x\nsteps:\n  - {{id: a, kind: task}}\n",
    "name": "name: {value}\nsteps:\n  - {{id: a, kind: task}}\n",
    "arrivals": "name: x\narrivals: {value}\nsteps:\n  - {{id: a, kind: task}}\n",
    "id": "name: x\nsteps:\n  - {{id: {value}, kind: task}}\n",
    "kind": "name: x\nsteps:\n  - {{id: a, kind: {value}}}\n",
    "layer": "name: x\nlanes:\n  - {{id: c, layer: {value}}}\nsteps:\n  - {{id: a, kind: task}}\n",
    **{key: f"name: x\nsteps:\n  - {{{{id: a, kind: task, {key}: {{value}}}}}}\n"
       for key in ("label", "next", "duration", "wait", "accuracy", "capacity", "cost",
                   "recovery", "tags", "metadata", "cv", "distribution")},
    "probability": "name: x\nsteps:\n  - {{id: a, kind: decision, next: [{{to: a, probability: "
                   "{value}}}]}}\n",
    "failure": "name: x\nsteps:\n  - {{id: a, kind: decision, next: [{{to: a, failure: "
               "{value}}}]}}\n",
    "outcome": "name: x\nsteps:\n  - {{id: a, kind: terminator, outcome: {value}}}\n",
}


def test_every_odd_scalar_in_every_field_agrees() -> None:
    """Each odd value, plain and quoted, in each place: no crash, and the three answers agree."""
    for template in FIELDS.values():
        for text in ODD_SCALARS:
            spellings = [json.dumps(text)] + ([text] if _plain_ok(text) else [])
            for spelling in spellings:
                doc = template.format(value=spelling)
                assert_agree(doc, editor_view(doc))


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for v in node.values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


PATTERN_PROBES = [*ODD_SCALARS, "e\n", "e", "5m\n", " 5m ", "\u0665m", "5\u00a0m", "5m\u2028",
                  "abc\n\n", "PT1H\n", "P1W2DT3H4M5.5S", "98%\n", "0100%", "1/2h", "x" * 64,
                  "a" * 64 + "\n", "5 MiN", "5 minsx", "1h30m", "1h 30", "P.5D", "PT.5H",
                  "09:00-17:00", "09:00-17:00\n", "8:00-12:00, 13:00-24:00", "Europe/Berlin",
                  "Europe/Berlin\n", "UTC"]


def test_schema_patterns_read_alike_in_python_and_ecma_262() -> None:
    """Editors run the patterns as ECMA 262 (JavaScript) regular expressions, jsonschema as
    Python's: each pattern must decide each probe alike (node runs the JavaScript side)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    patterns = sorted(set(_patterns(json_schema())))
    script = ("const [ps, ss] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(ps.map(p => ss.map(s => new RegExp(p, 'u').test(s)))))")
    out = subprocess.run([node, "-e", script], input=json.dumps([patterns, PATTERN_PROBES]),
                         capture_output=True, text=True, check=True, timeout=60)
    ecma = json.loads(out.stdout)
    for pattern, answers in zip(patterns, ecma, strict=True):
        python = [re.search(pattern, probe) is not None for probe in PATTERN_PROBES]
        differ = [p for p, a, b in zip(PATTERN_PROBES, python, answers, strict=True) if a != b]
        assert differ == [], pattern


CALENDAR = "name: x\ncalendar: {value}\nsteps:\n  - {{id: a, kind: task}}\n"


@pytest.mark.parametrize(("value", "valid"), [
    ("{hours: {mon: 09:00-17:00}}", True),
    ("{timezone: Europe/Berlin, hours: {mon: '08:00-12:00, 13:00-17:00', sat: 9:00-24:00}}",
     True),
    ("{hours: {}}", False),
    ("{hours: {monday: 09:00-17:00}}", False),
    ("{hours: {mon: 9-5}}", False),
    ("{hours: {mon: 09:00-25:00}}", False),
    ("{hours: {mon: 24:00-24:00}}", False),
    ("{hours: {mon: ~}}", False),
    ("{hours: {mon: 900}}", False),
    ("{timezone: 5, hours: {mon: 09:00-17:00}}", False),
    ("{timezone: ../etc/passwd, hours: {mon: 09:00-17:00}}", False),
    ("{hours: {mon: 09:00-17:00}, tz: UTC}", False),
    ("[mon]", False),
    ("~", True),
    ("{hours: {mon: 09:00-17:00}, holidays: [2026-12-25, '2026-12-26']}", True),
    ("{hours: {mon: 09:00-17:00}, holidays: []}", True),
    ("{hours: {mon: 09:00-17:00}, holidays: [25.12.2026]}", False),
    ("{hours: {mon: 09:00-17:00}, holidays: [20261225]}", False),
    ("{hours: {mon: 09:00-17:00}, holidays: 2026-12-25}", False),
])
def test_calendars_agree(value: str, valid: bool) -> None:
    text = CALENDAR.format(value=value)
    assert_agree(text, editor_view(text))
    assert VALIDATOR.is_valid(editor_view(text)) is valid


@pytest.mark.parametrize("value", [
    "{hours: {mon: 17:00-09:00}}",
    "{hours: {mon: '08:00-12:00, 11:00-17:00'}}",
    "{timezone: Mars/Olympus, hours: {mon: 09:00-17:00}}",
    "{hours: {mon: 09:00-17:00}, holidays: ['2026-02-30']}",
])
def test_known_limits_of_the_schema_for_calendars(value: str) -> None:
    """What a pattern cannot see: a range that ends before it starts, ranges that overlap, a
    zone the time zone database lacks, a day the month lacks. The schema accepts them, the
    loader refuses them."""
    text = CALENDAR.format(value=value)
    assert VALIDATOR.is_valid(parse_yaml(text)[0])
    (problem,) = schema_problems(text)
    assert "working hours" in problem.message or "time zone" in problem.message \
        or "not a date" in problem.message
