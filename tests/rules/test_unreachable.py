"""SM104 unreachable: a step no start leads to."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, of


def test_step_nothing_leads_to() -> None:
    (problem,) = check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: done}
          - {id: review, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM104" and at(problem) == ("review", 4, 5)
    assert problem.message == "step 'review' cannot be reached from any start"


def test_steps_behind_an_unreachable_step_are_each_reported() -> None:
    problems = check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: done}
          - {id: review, kind: task, next: approve}
          - {id: approve, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    assert [p.step for p in of(problems, "SM104")] == ["review", "approve"]


def test_reached_through_a_connector() -> None:
    assert check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: to-a}
          - {id: to-a, kind: connector, label: A}
          - {id: from-a, kind: connector, label: A, next: review}
          - {id: review, kind: task, next: done}
          - {id: done, kind: terminator}
        """) == []


def test_only_from_a_start() -> None:
    """A loop that nothing enters is unreachable, though its steps have incoming flow."""
    problems = check_text("""\
        name: Review
        steps:
          - {id: start, kind: terminator, next: done}
          - {id: review, kind: task, next: rework}
          - id: rework
            kind: decision
            next:
              - {to: review, label: again}
              - {to: done, label: ok}
          - {id: done, kind: terminator}
        """)
    assert [p.step for p in of(problems, "SM104")] == ["review", "rework"]


def test_broken_example() -> None:
    assert [p.code for p in sm.check(BROKEN / "SM104-unreachable.yaml")] == ["SM104"]
