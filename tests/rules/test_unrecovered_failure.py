"""SM401 unrecovered-failure: a failure branch that reaches an end without recovery (a warning)."""

from __future__ import annotations

from .support import at, check_text, of

DELIVERY = """\
name: Delivery
steps:
  - {id: order, kind: terminator, next: reached}
  - id: reached
    kind: decision
    next:
      - {to: delivered, label: yes}
      - {to: notice, label: no, failure: true}
  - {id: notice, kind: document, next: AFTER}
  - {id: apologise, kind: task, recovery: true, next: delivered}
  - {id: closed, kind: terminator}
  - {id: delivered, kind: terminator}
"""


def test_failure_branch_to_an_end_off_the_main_path() -> None:
    problems = check_text(DELIVERY.replace("AFTER", "closed").replace(
        "  - {id: apologise, kind: task, recovery: true, next: delivered}\n", ""))
    (problem,) = problems
    assert (problem.code, problem.level) == ("SM401", "warning")
    assert at(problem) == ("reached", 8, 9)
    assert problem.message == ("failure branch 'no' of 'reached' reaches an end without a "
                               "recovery step and without rejoining the main path: add a step "
                               "with 'recovery: true'")


def test_passing_a_recovery_step_recovers() -> None:
    assert check_text(DELIVERY.replace("AFTER", "apologise").replace(
        "  - {id: closed, kind: terminator}\n", "")) == []


def test_rejoining_the_main_path_recovers() -> None:
    text = DELIVERY.replace("AFTER", "delivered").replace(
        "  - {id: apologise, kind: task, recovery: true, next: delivered}\n", "").replace(
        "  - {id: closed, kind: terminator}\n", "")
    assert check_text(text) == []


def test_a_failure_path_that_can_also_recover_is_still_reported() -> None:
    text = DELIVERY.replace("{id: notice, kind: document, next: AFTER}", """id: notice
    kind: decision
    next:
      - {to: apologise, label: complains}
      - {to: closed, label: gives up}""")
    (problem,) = of(check_text(text), "SM401")
    assert problem.step == "reached"


def test_failure_end_is_reported_by_sm402_as_well() -> None:
    text = DELIVERY.replace("AFTER", "closed").replace(
        "{id: closed, kind: terminator}", "{id: closed, kind: terminator, outcome: failure}")
    text = text.replace("  - {id: apologise, kind: task, recovery: true, next: delivered}\n", "")
    assert sorted(p.code for p in check_text(text)) == ["SM401", "SM402"]



def test_unlabelled_failure_branch_is_named_by_its_target() -> None:
    text = DELIVERY.replace("AFTER", "closed").replace("label: no, failure: true",
                                                      "label: ' ', failure: true")
    text = text.replace("  - {id: apologise, kind: task, recovery: true, next: delivered}\n", "")
    (problem,) = of(check_text(text), "SM401")
    assert problem.message.startswith("failure branch 'notice' of 'reached'")
