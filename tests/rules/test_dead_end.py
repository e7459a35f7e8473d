"""SM103 dead-end: a step other than a terminator with no outgoing flow."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of

TRIAGE = """\
name: Service desk
steps:
  - {id: contact, kind: terminator, next: triage}
  - id: triage
    kind: decision
    next:
      - {to: solve, label: ours}
      - {to: refer, label: not ours}
  - {id: solve, kind: task, next: done}
  - {id: refer, kind: KIND}
  - {id: done, kind: terminator}
"""


@pytest.mark.parametrize("kind", ["task", "predefined", "delay", "document"])
def test_any_kind_but_a_terminator_strands_its_cases(kind: str) -> None:
    (problem,) = check_text(TRIAGE.replace("KIND", kind))
    assert problem.code == "SM103" and at(problem) == ("refer", 10, 5)
    assert problem.message == ("step 'refer' has no outgoing flow: add 'next', or make it a "
                               "terminator if cases end here")


def test_a_terminator_without_next_is_an_end() -> None:
    assert check_text(TRIAGE.replace("KIND", "terminator")) == []


def test_each_dead_end_is_reported() -> None:
    text = TRIAGE.replace("KIND", "task").replace("{id: solve, kind: task, next: done}",
                                                   "{id: solve, kind: task}")
    assert [p.step for p in of(check_text(text), "SM103")] == ["solve", "refer"]


def test_entering_connector_without_next_is_no_dead_end() -> None:
    assert check_text("""\
        name: Returns
        steps:
          - {id: request, kind: terminator, next: to-a}
          - {id: to-a, kind: connector, label: A}
          - {id: from-a, kind: connector, label: A, next: refunded}
          - {id: refunded, kind: terminator}
        """) == []


def test_broken_example_points_at_the_step() -> None:
    (problem,) = sm.check(BROKEN / "SM103-dead-end.yaml")
    assert problem.step == "refer" and problem.line == 23
    assert codes([problem]) == {"SM103"}
