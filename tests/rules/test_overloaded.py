"""SM501 overloaded: a step with utilisation 1 or more, where the map gives arrivals."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes

HOTLINE = """\
name: Hotline
arrivals: 60/h
steps:
  - {id: start, kind: terminator, next: answer}
  - {id: answer, kind: task, duration: 2m, capacity: CAP, next: done}
  - {id: done, kind: terminator}
"""


def test_utilisation_two_points_at_the_capacity_and_says_what_would_do() -> None:
    (problem,) = check_text(HOTLINE.replace("CAP", "1"))
    assert (problem.code, problem.level) == ("SM501", "error")
    assert at(problem) == ("answer", 5, 54)
    assert problem.message == (
        "step 'answer' is overloaded: utilisation 2.00 (work arrives 2.00× faster than its "
        "capacity of 1 can finish it); it needs a capacity above 2.0, a shorter duration or "
        "fewer arrivals")


@pytest.mark.parametrize(("capacity", "overloaded"), [(1, True), (2, True), (3, False)])
def test_utilisation_of_exactly_one_is_overloaded(capacity: int, overloaded: bool) -> None:
    problems = check_text(HOTLINE.replace("CAP", str(capacity)))
    assert ("SM501" in codes(problems)) is overloaded


def test_rework_visits_count() -> None:
    """Half the calls come back, again and again: 1 / (1 - 0.5) = 2 visits per case."""
    once = HOTLINE.replace("CAP", "3")  # ρ = 60/h · 2 min / 3 = 0.67
    assert check_text(once) == []
    rework = once.replace("next: done}", "next: solved}") + """\
  - id: solved
    kind: decision
    next:
      - {to: done, label: yes, probability: 0.5}
      - {to: answer, label: no, probability: 0.5}
"""
    (problem,) = check_text(rework)
    assert problem.code == "SM501" and "utilisation 1.33" in problem.message


def test_arrivals_of_the_start_terminators_count() -> None:
    text = HOTLINE.replace("arrivals: 60/h\n", "").replace(
        "{id: start, kind: terminator,", "{id: start, kind: terminator, arrivals: 60/h,")
    assert codes(check_text(text.replace("CAP", "1"))) == {"SM501"}


@pytest.mark.parametrize("change", [
    ("arrivals: 60/h\n", ""),
    ("capacity: CAP, ", ""),
    ("duration: 2m, ", ""),
    ("kind: task, duration: 2m", "kind: delay, duration: 2m"),
], ids=["no-arrivals", "no-capacity", "no-duration", "delay"])
def test_not_checked_without_what_it_needs(change: tuple[str, str]) -> None:
    text = HOTLINE.replace(*change).replace("CAP", "1")
    assert "SM501" not in codes(check_text(text))


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM501-overloaded.yaml")) == {"SM501"}
