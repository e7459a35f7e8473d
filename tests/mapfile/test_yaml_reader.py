"""Reading YAML safely: YAML 1.2 core scalars, text keys, tags, duplicates, JSON as JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from servicemap.mapfile.yaml_reader import (
    MAX_BYTES,
    core_scalar,
    decode,
    parse_yaml,
    read_document,
)
from servicemap.problems import LoadError, Problem


def refused(text: str | bytes) -> Problem:
    with pytest.raises(LoadError) as info:
        read_document(text, "m.yaml")
    (problem,) = info.value.problems
    assert problem.code == "SM001" and problem.file == "m.yaml"
    return problem


@pytest.mark.parametrize(("text", "value"), [
    ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False),
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),
    ("0", 0), ("-19", -19), ("+12", 12), ("0o14", 12), ("0x1F", 31), ("0b11", "0b11"),
    ("014", 14), ("1_000", "1_000"), ("1.10", 1.1), ("1.", 1.0), (".5", 0.5), ("-.5", -0.5),
    ("1e3", 1000.0), ("1E-3", 0.001), ("+12e03", 12000.0), (".inf", math.inf),
    ("-.Inf", -math.inf), ("+.INF", math.inf), ("inf", "inf"), ("2001-12-14", "2001-12-14"),
    ("5m", "5m"), ("1:30", "1:30"),
])
def test_core_scalars_follow_yaml_1_2(text: str, value: Any) -> None:
    assert core_scalar(text) == value and type(core_scalar(text)) is type(value)


def test_nan() -> None:
    assert math.isnan(core_scalar(".nan")) and math.isnan(core_scalar(".NaN"))


def test_text_keys_keep_plain_text_but_nulls_mean_no_value() -> None:
    data, _, _ = parse_yaml(
        "label: 1.10\nname: true\nnotes: ~\nfail:\nid: 0x1F\ntags: [1, yes, ~, null]\n"
        "next: [{to: 007, label: 1e3, probability: 0.5, failure: false}]\n"
        "metadata: {label: 1.10, a: [yes, 1e3, ~]}\ncost: 1.10\n")
    assert data == {
        "label": "1.10", "name": "true", "notes": None, "fail": None, "id": "0x1F",
        "tags": ["1", "yes", None, None],
        "next": [{"to": "007", "label": "1e3", "probability": 0.5, "failure": False}],
        "metadata": {"label": 1.1, "a": ["yes", 1000.0, None]}, "cost": 1.1,
    }


def test_standard_tags_hold_their_type_but_text_keys_keep_the_text() -> None:
    data, _, _ = parse_yaml("label: !!int 5\ncost: !!float 2\nx: !!str 5\nnotes: !!null ''\n"
                            "recovery: !!bool true\nname: !!bool false\n")
    assert data == {"label": "5", "cost": 2.0, "x": "5", "notes": None, "recovery": True,
                    "name": "false"}
    assert type(data["cost"]) is float


@pytest.mark.parametrize(("text", "line", "column", "phrase"), [
    ("name: x\ncost: !!int abc\n", 2, 7, "'abc' is not a valid int"),
    ("name: x\nrecovery: !!bool yes\n", 2, 11, "'yes' is not a valid bool"),
    ("name: !!python/object/apply:os.system ['echo hi']\n", 1, 7, "tag"),
    ("name: !!binary aGVsbG8=\n", 1, 7, "tag 'tag:yaml.org,2002:binary' is not allowed"),
    ("name: !local x\n", 1, 7, "tag '!local' is not allowed"),
    ("name: x\nsteps: !!set {a}\n", 2, 8, "tag 'tag:yaml.org,2002:set' is not allowed"),
    ("name: x\n? [a, b]\n: c\n", 2, 3, "a key must be plain text"),
    ("name: x\n---\nname: y\n", 3, 1, "expected one document"),
    ("name: x\nsteps: [a, b\n", 3, 1, "invalid YAML"),
    ("name: &a [*a]\n", 1, 7, "recursive alias"),
])
def test_refused_with_a_location(text: str, line: int, column: int, phrase: str) -> None:
    problem = refused(text)
    assert (problem.line, problem.column) == (line, column)
    assert phrase in problem.message


def test_duplicate_keys_keep_the_first_and_are_all_reported() -> None:
    data, _, problems = parse_yaml("name: a\nlabel: x\nname: b\nlabel: y\n", "m.yaml")
    assert data == {"name": "a", "label": "x"}
    assert [(p.code, p.line, p.column) for p in problems] == [("SM001", 3, 1), ("SM001", 4, 1)]
    assert problems[0].message == ("key 'name' appears twice in this mapping (first on line "
                                   "1): remove one")


def test_empty_document() -> None:
    data, source, problems = parse_yaml("# nothing\n", "m.yaml")
    assert (data, problems) == (None, [])
    assert source.locate(()) == (1, 1)


def test_positions_are_kept() -> None:
    _, source, _ = parse_yaml("name: x\nsteps:\n  - {id: a, duration: 5}\n")
    assert source.locate(("steps", 0, "duration")) == (3, 23)


def test_json_surrogate_pairs_read_as_json_reads_them() -> None:
    text = '{"name": "Smile \\ud83d\\ude00", "steps": [{"id": "\\ud83d\\ude80", "x": 5}]}'
    data, source, _ = parse_yaml(text)
    assert data == json.loads(text)
    assert source.locate(("steps", 0, "x")) == (1, text.index("5") + 1)


def test_json_raw_characters_yaml_refuses_or_breaks_on() -> None:
    text = '{"name": "a\x7fb\x85c\u2028d\x9b", "x": 5}'
    data, source, _ = parse_yaml(text)
    assert data == json.loads(text)
    assert source.locate(("x",)) == (1, text.index("5") + 1)


def test_yaml_backslashes_outside_double_quotes_are_left_alone() -> None:
    data, _, _ = parse_yaml("name: '\\ud83d\\ude00'\nnotes: C:\\ud83d\n")
    assert data == {"name": "\\ud83d\\ude00", "notes": "C:\\ud83d"}


def test_a_lone_surrogate_is_refused() -> None:
    problem = refused('{"name": "\\ud83d"}')
    assert problem.line == 1 and "escape" in problem.message


def test_decode() -> None:
    assert decode("\ufeffname: Café".encode()) == "name: Café"
    with pytest.raises(LoadError) as info:
        decode(b"name: x\nlabel: caf\xe9\n", "m.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.column) == (2, 11) and "UTF-8" in problem.message
    assert "NUL" in refused(b"\x00\x01binary").message


def test_size_limit() -> None:
    problem = refused("#" * (MAX_BYTES + 1))
    assert "larger than 32 MiB" in problem.message
