"""SM003 duplicate-id: a step, lane or phase id used twice, reported at the second use."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes


def test_second_step_with_an_id_is_reported() -> None:
    problems = check_text("""\
        name: Packing
        steps:
          - {id: order, kind: terminator, next: pack}
          - {id: pack, kind: task, next: shipped}
          - {id: pack, kind: task, next: shipped}
          - {id: shipped, kind: terminator}
        """)
    (problem,) = problems
    assert problem.code == "SM003" and at(problem) == ("pack", 5, 10)
    assert "duplicate step id 'pack'" in problem.message and "step #2" in problem.message


def test_lanes_and_phases_too() -> None:
    problems = check_text("""\
        name: Desk
        lanes: [{id: desk}, {id: desk}]
        phases: [{id: before}, {id: before}]
        steps:
          - {id: a, kind: terminator, lane: desk, phase: before, next: b}
          - {id: b, kind: terminator, lane: desk, phase: before}
        """)
    assert [(p.code, p.line) for p in problems] == [("SM003", 2), ("SM003", 3)]
    assert "lane id 'desk'" in problems[0].message
    assert "phase id 'before'" in problems[1].message


def test_ids_are_case_sensitive_and_kinds_have_their_own_ids() -> None:
    assert check_text("""\
        name: Desk
        lanes: [{id: a}]
        phases: [{id: a}]
        steps:
          - {id: a, kind: terminator, lane: a, phase: a, next: A}
          - {id: A, kind: terminator, lane: a, phase: a}
        """) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM003-duplicate-id.yaml")) == {"SM003"}
