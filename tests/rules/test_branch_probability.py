"""SM203 branch-probability: probabilities on some branches only, or not summing to 1."""

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
      - {to: received, label: yes, probability: P}
      - {to: notice, label: no, probability: Q}
  - {id: notice, kind: document, next: received}
  - {id: received, kind: terminator}
"""


def given(p: str, q: str) -> str:
    return DELIVERY.replace("P", p).replace("Q", q)


def test_sum_above_one_points_at_the_branches() -> None:
    (problem,) = check_text(given("0.5", "0.6"))
    assert problem.code == "SM203" and at(problem) == ("reached", 7, 7)
    assert problem.message == "branch probabilities of decision 'reached' sum to 1.1, not 1"


def test_out_of_range_is_refused_while_loading_at_each_value() -> None:
    problems = check_text(given("1.5", "-0.5"))
    assert [(p.code, p.line, p.column) for p in problems] == [("SM002", 7, 49), ("SM002", 8, 46)]
    assert all("probability from 0 to 1" in p.message for p in problems)


def test_probabilities_on_some_branches_only() -> None:
    text = DELIVERY.replace("P", "0.9").replace(", probability: Q", "")
    (problem,) = check_text(text)
    assert problem.code == "SM203" and problem.line == 7
    assert problem.message == ("decision 'reached' gives probabilities on some branches only "
                               "(missing on 'no'): give them on all branches or none")


def test_missing_on_an_unlabelled_branch_names_its_target() -> None:
    text = DELIVERY.replace("P", "0.9").replace("label: no, probability: Q", "label: ' '")
    problem = next(p for p in check_text(text) if p.code == "SM203")
    assert "(missing on 'notice')" in problem.message


@pytest.mark.parametrize(("p", "q"), [
    ("0.93", "0.07"), ("93%", "7%"), ("0.3333333", "0.6666667"), ("1", "0"),
], ids=["fractions", "percentages", "within-1e-6", "certain"])
def test_probabilities_summing_to_one_are_fine(p: str, q: str) -> None:
    assert check_text(given(p, q)) == []


def test_a_sum_off_by_more_than_the_tolerance_is_reported() -> None:
    (problem,) = check_text(given("0.333333", "0.666669"))
    assert "sum to 1.000002, not 1" in problem.message


def test_no_probabilities_at_all_are_fine() -> None:
    assert check_text(DELIVERY.replace(", probability: P", "")
                      .replace(", probability: Q", "")) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM203-branch-probability.yaml")) == {"SM203"}
