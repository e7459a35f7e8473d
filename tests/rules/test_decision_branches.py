"""SM201 decision-branches: a decision with fewer than two branches."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of

ORDERS = """\
name: Orders
steps:
  - {id: order, kind: terminator, next: in-stock}
  - id: in-stock
    kind: decision
    next:
      - {to: ship, label: yes}
      - {to: substitute, label: no}
  - {id: substitute, kind: task, next: ship}
  - {id: ship, kind: task, next: shipped}
  - {id: shipped, kind: terminator}
"""


def test_one_branch_points_at_the_branches() -> None:
    (problem,) = check_text(ORDERS.replace("      - {to: substitute, label: no}\n", "")
                            .replace("{id: order, kind: terminator, next: in-stock}",
                                     "{id: order, kind: terminator, next: [in-stock]}")
                            .replace("  - {id: substitute, kind: task, next: ship}\n", ""))
    assert problem.code == "SM201" and at(problem) == ("in-stock", 7, 7)
    assert problem.message == "decision 'in-stock' has 1 branch: a decision needs at least two"


def test_no_branch_is_also_a_dead_end() -> None:
    problems = check_text("""\
        name: Orders
        steps:
          - {id: order, kind: terminator, next: in-stock}
          - {id: in-stock, kind: decision, next: []}
          - {id: shipped, kind: terminator}
        """)
    assert codes(problems) >= {"SM201", "SM103"}
    assert of(problems, "SM201")[0].message.startswith("decision 'in-stock' has 0 branches")


def test_two_or_more_branches_are_fine() -> None:
    assert check_text(ORDERS) == []
    three = ORDERS.replace("      - {to: substitute, label: no}\n",
                           "      - {to: substitute, label: no}\n"
                           "      - {to: shipped, label: cancelled}\n")
    assert check_text(three) == []


def test_broken_example() -> None:
    assert codes(sm.check(BROKEN / "SM201-decision-branches.yaml")) == {"SM201"}
