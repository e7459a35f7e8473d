"""SM101 no-start: a map with no terminator that no flow line leads to."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of


def test_task_where_the_start_should_be() -> None:
    (problem,) = check_text("""\
        name: Service desk
        steps:
          - {id: contact, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM101" and problem.level == "error"
    assert at(problem) == (None, 3, 3)  # the map's steps, not one step
    assert problem.message == ("the map has no start: add a terminator that no flow line "
                               "leads to")


def test_terminator_that_flow_leads_back_to_is_no_start() -> None:
    problems = check_text("""\
        name: Loop
        steps:
          - {id: begin, kind: terminator, next: work}
          - id: work
            kind: decision
            next:
              - {to: begin, label: again}
              - {to: done, label: finished}
          - {id: done, kind: terminator}
        """)
    assert len(of(problems, "SM101")) == 1


def test_a_start_anywhere_in_the_list_is_enough() -> None:
    assert check_text("""\
        name: Service desk
        steps:
          - {id: done, kind: terminator}
          - {id: contact, kind: terminator, next: done}
        """) == []


def test_unreachable_steps_are_not_reported_without_a_start() -> None:
    assert codes(sm.check(BROKEN / "SM101-no-start.yaml")) == {"SM101"}
