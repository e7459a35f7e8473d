"""SM204 superfluous-decision: a decision all of whose branches go to one step (a warning)."""

from __future__ import annotations

from .support import at, check_text

PACKING = """\
name: Packing
steps:
  - {id: order, kind: terminator, next: check}
  - id: check
    kind: decision
    next:
      - {to: ship, label: ok}
      - {to: TARGET, label: not ok}
  - {id: repack, kind: task, next: ship}
  - {id: ship, kind: task, next: shipped}
  - {id: shipped, kind: terminator}
"""


def test_every_branch_to_one_step() -> None:
    problems = check_text(PACKING.replace("TARGET", "ship").replace(
        "  - {id: repack, kind: task, next: ship}\n", ""))
    (problem,) = problems
    assert (problem.code, problem.level) == ("SM204", "warning")
    assert at(problem) == ("check", 7, 7)
    assert problem.message == ("every branch of decision 'check' goes to 'ship': the decision "
                               "changes nothing")


def test_one_branch_elsewhere_is_enough() -> None:
    assert check_text(PACKING.replace("TARGET", "repack")) == []


def test_three_branches_two_to_one_step_are_fine() -> None:
    text = PACKING.replace("TARGET", "ship").replace(
        "      - {to: ship, label: not ok}\n",
        "      - {to: ship, label: not ok}\n      - {to: repack, label: damaged}\n")
    assert check_text(text) == []
