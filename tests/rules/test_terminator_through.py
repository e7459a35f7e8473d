"""SM107 terminator-through: a terminator with both incoming and outgoing flow."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes


def test_terminator_in_the_middle_points_at_its_kind() -> None:
    (problem,) = check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: middle}
          - {id: middle, kind: terminator, next: done}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM107" and at(problem) == ("middle", 4, 24)
    assert problem.message == ("terminator 'middle' has incoming and outgoing flow: a terminator "
                               "starts or ends a case; use a task here")


def test_incoming_flow_through_a_connector_counts() -> None:
    problems = check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: to-a}
          - {id: to-a, kind: connector, label: A}
          - {id: from-a, kind: connector, label: A, next: middle}
          - {id: middle, kind: terminator, next: done}
          - {id: done, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM107", "middle")]


def test_starts_and_ends_are_fine() -> None:
    assert check_text("""\
        name: Review
        steps:
          - {id: web, kind: terminator, next: review}
          - {id: phone, kind: terminator, next: review}
          - {id: review, kind: task, next: done}
          - {id: done, kind: terminator}
        """) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM107-terminator-through.yaml")) == {"SM107"}
