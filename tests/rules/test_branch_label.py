"""SM202 branch-label: a branch without a label, or two branches of a decision with one label."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes

DELIVERY = """\
name: Delivery
steps:
  - {id: order, kind: terminator, next: reached}
  - id: reached
    kind: decision
    next:
      - {to: received, label: yes}
      - {to: notice, label: no}
  - {id: notice, kind: document, next: received}
  - {id: received, kind: terminator}
"""


def test_same_label_twice_points_at_the_second_label() -> None:
    (problem,) = check_text(DELIVERY.replace("label: no}", "label: yes}"))
    assert problem.code == "SM202" and at(problem) == ("reached", 8, 29)
    assert problem.message == "decision 'reached' has two branches labelled 'yes'"


@pytest.mark.parametrize("branch", ["{to: notice}", "{to: notice, label: ''}",
                                    "{to: notice, label: '  '}"],
                         ids=["missing", "empty", "blank"])
def test_branch_without_a_label_points_at_the_branch(branch: str) -> None:
    (problem,) = check_text(DELIVERY.replace("{to: notice, label: no}", branch))
    assert problem.code == "SM202" and at(problem) == ("reached", 8, 9)
    assert problem.message == "branch 2 of decision 'reached' (to 'notice') has no label"


def test_labels_are_compared_within_one_decision_only() -> None:
    text = DELIVERY.replace("{id: notice, kind: document, next: received}", """id: notice
    kind: decision
    next:
      - {to: received, label: yes}
      - {to: depot, label: no}
  - {id: depot, kind: task, next: received}""")
    assert check_text(text) == []


def test_labels_differing_in_case_are_two_labels() -> None:
    assert check_text(DELIVERY.replace("label: no}", "label: Yes}")) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM202-branch-label.yaml")) == {"SM202"}
