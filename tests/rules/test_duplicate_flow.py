"""SM109 duplicate-flow: the same flow line twice from one step."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of

PACKING = """\
name: Packing
steps:
  - {id: order, kind: terminator, next: pack}
  - {id: pack, kind: task, next: NEXT}
  - {id: ship, kind: task, next: shipped}
  - {id: shipped, kind: terminator}
"""

CHECK = """\
name: Packing
steps:
  - {id: order, kind: terminator, next: check}
  - id: check
    kind: decision
    next:
      - {to: ship, label: ok}
      - {to: repack, label: LABEL}
      - {to: repack, label: not ok}
  - {id: repack, kind: task, next: ship}
  - {id: ship, kind: task, next: shipped}
  - {id: shipped, kind: terminator}
"""


def test_repeated_next_is_reported_at_the_repeat() -> None:
    (problem,) = check_text(PACKING.replace("NEXT", "[ship, ship]"))
    assert problem.code == "SM109" and at(problem) == ("pack", 4, 41)
    assert problem.message == "step 'pack' flows to 'ship' twice: remove one"


def test_each_repeat_is_reported() -> None:
    problems = check_text(PACKING.replace("NEXT", "[ship, ship, ship]"))
    assert [p.column for p in of(problems, "SM109")] == [41, 47]


def test_decision_branch_listed_twice() -> None:
    problems = check_text(CHECK.replace("LABEL", "not ok"))
    assert [(p.code, p.step, p.line) for p in of(problems, "SM109")] == [("SM109", "check", 9)]
    assert "'check' flows to 'repack' twice" in of(problems, "SM109")[0].message


def test_two_branches_with_different_labels_to_one_step_are_two_flows() -> None:
    assert check_text(CHECK.replace("LABEL", "damaged")) == []


def test_one_flow_is_fine() -> None:
    assert check_text(PACKING.replace("NEXT", "ship")) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM109-duplicate-flow.yaml")) == {"SM109"}
