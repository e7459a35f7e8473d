"""SM004 unknown-reference: ``next``, ``to``, ``lane`` or ``phase`` naming nothing, with a hint."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes


def test_next_to_a_typo_suggests_the_step() -> None:
    (problem,) = check_text("""\
        name: Delivery
        steps:
          - {id: order, kind: terminator, next: atempt}
          - {id: attempt, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM004" and at(problem) == ("order", 3, 41)
    assert "unknown step 'atempt'" in problem.message
    assert "did you mean 'attempt'?" in problem.message


def test_lane_phase_and_branch_targets_all_at_once() -> None:
    problems = check_text("""\
        name: Delivery
        lanes: [{id: customer}]
        phases: [{id: before}]
        steps:
          - {id: order, kind: terminator, lane: custmer, phase: befor, next: reached}
          - id: reached
            kind: decision
            lane: customer
            phase: before
            next:
              - {to: done, label: yes}
              - {to: zzz, label: no}
          - {id: done, kind: terminator, lane: customer, phase: before}
        """)
    assert [(p.code, p.step, p.line) for p in problems] == [
        ("SM004", "order", 5), ("SM004", "order", 5), ("SM004", "reached", 12)]
    assert "unknown lane 'custmer' (did you mean 'customer'?)" in problems[0].message
    assert "unknown phase 'befor' (did you mean 'before'?)" in problems[1].message
    assert "unknown step 'zzz'" in problems[2].message
    assert "did you mean" not in problems[2].message  # nothing near enough to suggest


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM004-unknown-reference.yaml")) == {"SM004"}
