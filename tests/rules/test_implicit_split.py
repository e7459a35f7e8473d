"""SM106 implicit-split: a step other than a decision or parallel with several ``next``."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes

REVIEW = """\
name: Review
steps:
  - {id: submit, kind: terminator, next: review}
  - {id: review, kind: KIND, next: NEXT}
  - {id: approved, kind: terminator}
  - {id: rejected, kind: terminator}
"""


@pytest.mark.parametrize("kind", ["task", "document", "delay", "predefined"])
def test_a_split_that_is_no_decision(kind: str) -> None:
    (problem,) = check_text(REVIEW.replace("KIND", kind).replace("NEXT", "[approved, rejected]"))
    assert problem.code == "SM106" and at(problem) == ("review", 4, 32 + len(kind))
    assert problem.message.startswith(f"{kind} 'review' has 2 next steps: only a decision "
                                      "or a parallel step branches")
    assert "add a decision" in problem.message and "or a parallel step" in problem.message


def test_a_parallel_fork_is_no_implicit_split() -> None:
    text = REVIEW.replace("KIND", "parallel").replace("NEXT", "[approved, rejected]")
    assert "SM106" not in codes(check_text(text))


def test_a_terminator_splitting_is_reported_too() -> None:
    text = REVIEW.replace("{id: review, kind: KIND, next: NEXT}",
                          "{id: review, kind: terminator, next: [approved, rejected]}")
    text = text.replace("next: review}", "next: approved}")
    assert "SM106" in codes(check_text(text))


@pytest.mark.parametrize("next_", ["approved", "[approved]"], ids=["id", "one-item-list"])
def test_one_next_step_is_no_split(next_: str) -> None:
    text = REVIEW.replace("KIND", "task").replace("NEXT", next_)
    assert "SM106" not in codes(check_text(text))


def test_the_same_step_twice_is_a_duplicate_not_a_split() -> None:
    text = REVIEW.replace("KIND", "task").replace("NEXT", "[approved, approved]")
    assert "SM106" not in codes(check_text(text))
    assert "SM109" in codes(check_text(text))


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM106-implicit-split.yaml")) == {"SM106"}
