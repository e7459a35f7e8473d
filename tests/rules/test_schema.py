"""SM002 schema: wrong values and keys, each located, all reported at once with a hint."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes

PACKING = """\
name: Packing
steps:
  - {id: order, kind: terminator, next: pack}
  - id: pack
    kind: task
    duration: 5m
    next: shipped
  - {id: shipped, kind: terminator}
"""


def test_broken_example_is_reported_at_its_value() -> None:
    problems = sm.check(BROKEN / "SM002-schema.yaml")
    assert codes(problems) == {"SM002"}
    assert all(p.line is not None and p.column is not None for p in problems)


def test_duration_without_unit_asks_for_one() -> None:
    (problem,) = check_text(PACKING.replace("duration: 5m", "duration: 5"))
    assert problem.code == "SM002" and at(problem) == ("pack", 6, 15)
    assert "no unit" in problem.message and "add a unit" in problem.message


def test_unknown_key_suggests_the_nearest() -> None:
    (problem,) = check_text(PACKING.replace("duration: 5m", "fial: wrong item"))
    assert at(problem) == ("pack", 6, 5)
    assert "unknown key 'fial'" in problem.message and "did you mean 'fail'?" in problem.message


def test_key_not_allowed_on_the_kind_names_where_it_is() -> None:
    (problem,) = check_text(PACKING.replace("duration: 5m", "outcome: success"))
    assert problem.code == "SM002" and problem.line == 6
    assert "'outcome' is not allowed on a task" in problem.message
    assert "terminator" in problem.message


def test_every_wrong_value_at_once() -> None:
    text = PACKING.replace("duration: 5m", "duration: 5\n    capacity: 0\n    accuracy: 120%")
    problems = check_text(text)
    assert codes(problems) == {"SM002"}
    assert [p.line for p in problems] == [6, 7, 8]


@pytest.mark.parametrize(("text", "words"), [
    ("steps:\n  - {id: a, kind: terminator}\n", "missing required key 'name'"),
    ("servicemap: 2\n" + PACKING, "reads version 1"),
], ids=["no-name", "version-2"])
def test_whole_map_problems(text: str, words: str) -> None:
    (problem,) = check_text(text)
    assert problem.code == "SM002" and words in problem.message


@pytest.mark.parametrize("duration", ["5 min", "PT5M", "1h 30m", "2.5h"])
def test_durations_with_units_are_fine(duration: str) -> None:
    assert check_text(PACKING.replace("5m", f"'{duration}'")) == []
