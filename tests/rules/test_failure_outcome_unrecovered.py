"""SM402 failure-outcome-unrecovered: a failure end some case reaches with no recovery step."""

from __future__ import annotations

from .support import at, check_text

ORDERS = """\
name: Orders
steps:
  - {id: order, kind: terminator, next: in-stock}
  - id: in-stock
    kind: decision
    next:
      - {to: shipped, label: yes}
      - {to: NO, label: no}
  - {id: offer, kind: task, recovery: true, next: cancelled}
  - {id: shipped, kind: terminator}
  - {id: cancelled, kind: terminator, outcome: failure}
"""


def test_failure_end_reached_directly_points_at_the_end() -> None:
    (problem,) = check_text(ORDERS.replace("NO", "cancelled").replace(
        "  - {id: offer, kind: task, recovery: true, next: cancelled}\n", ""))
    assert (problem.code, problem.level) == ("SM402", "warning")
    assert at(problem) == ("cancelled", 10, 5)
    assert problem.message == ("end 'cancelled' (outcome: failure) can be reached without "
                               "passing a recovery step")


def test_every_path_through_a_recovery_step_is_fine() -> None:
    assert check_text(ORDERS.replace("NO", "offer")) == []


def test_one_path_around_the_recovery_step_is_enough_to_report() -> None:
    text = ORDERS.replace("NO", "offer").replace(
        "      - {to: offer, label: no}\n",
        "      - {to: offer, label: no}\n      - {to: cancelled, label: fraud}\n")
    (problem,) = check_text(text)
    assert problem.code == "SM402" and problem.step == "cancelled"


def test_ends_with_outcome_success_are_not_checked() -> None:
    text = ORDERS.replace("NO", "cancelled").replace("outcome: failure", "outcome: success")
    text = text.replace("  - {id: offer, kind: task, recovery: true, next: cancelled}\n", "")
    assert check_text(text) == []
