"""SM110 lone-connector: a connector label used once, or without exactly one exit."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of

RETURNS = """\
name: Returns
steps:
  - {id: request, kind: terminator, next: to-a}
  - {id: to-a, kind: connector, label: A}
  - {id: from-a, kind: connector, label: A, next: refund}
  - {id: refund, kind: task, next: refunded}
  - {id: refunded, kind: terminator}
"""


def test_label_used_once_points_at_the_label() -> None:
    (problem,) = check_text("""\
        name: Returns
        steps:
          - {id: request, kind: terminator, next: to-a}
          - {id: to-a, kind: connector, label: A, next: refunded}
          - {id: refunded, kind: terminator}
        """)
    assert problem.code == "SM110" and at(problem) == ("to-a", 4, 40)
    assert problem.message == ("connector label 'A' is used only by 'to-a': a connector needs a "
                               "partner with the same label")


def test_label_without_an_exit() -> None:
    problems = check_text(RETURNS.replace("label: A, next: refund}", "label: A}"))
    (problem,) = of(problems, "SM110")
    assert at(problem) == ("to-a", 4, 5)
    assert "no connector labelled 'A' has a 'next'" in problem.message


def test_label_with_two_exits_points_at_the_second() -> None:
    problems = check_text(RETURNS.replace("{id: to-a, kind: connector, label: A}",
                                          "{id: to-a, kind: connector, label: A, next: refund}"))
    (problem,) = problems
    assert problem.code == "SM110" and at(problem) == ("from-a", 5, 51)
    assert "2 connectors labelled 'A' have a 'next' (to-a, from-a): exactly one may" \
        in problem.message


def test_connector_without_label_is_labelled_by_its_id() -> None:
    problems = check_text(RETURNS.replace("{id: to-a, kind: connector, label: A}",
                                          "{id: B, kind: connector}").replace("next: to-a",
                                                                              "next: B"))
    lone = of(problems, "SM110")
    assert [(p.step, p.column) for p in lone] == [("B", 10), ("from-a", 42)]  # A is alone now
    assert "label 'B' is used only by 'B'" in lone[0].message


def test_a_pair_and_a_three_way_label_are_fine() -> None:
    assert check_text(RETURNS) == []
    three = RETURNS.replace("  - {id: from-a", "  - {id: also-a, kind: connector, label: A}\n"
                                              "  - {id: from-a")
    assert check_text(three) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM110-lone-connector.yaml")) == {"SM110"}
