"""SM102 no-end: a map with no terminator without ``next``."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes

LOOP = """\
name: Service desk
steps:
  - {id: contact, kind: terminator, next: solve}
  - {id: solve, kind: task, next: confirm}
  - {id: confirm, kind: task, next: solve}
"""


def test_loop_with_no_end_is_reported_once_for_the_map() -> None:
    (problem,) = check_text(LOOP)
    assert problem.code == "SM102" and at(problem) == (None, 3, 3)
    assert problem.message == "the map has no end: add a terminator without 'next'"


def test_the_trapped_loop_is_not_reported_again() -> None:
    """Without an end every loop is trapped; SM105 stays quiet and leaves it to SM102."""
    assert codes(check_text(LOOP)) == {"SM102"}
    assert codes(sm.check(BROKEN / "SM102-no-end.yaml")) == {"SM102"}


def test_an_end_anywhere_is_enough() -> None:
    text = LOOP.replace("next: solve}\n  - {id: solve", "next: done}\n  - {id: solve")
    text += "  - {id: done, kind: terminator}\n"
    assert "SM102" not in codes(check_text(text))


def test_a_task_without_next_is_no_end() -> None:
    problems = check_text("""\
        name: Service desk
        steps:
          - {id: contact, kind: terminator, next: closed}
          - {id: closed, kind: task}
        """)
    assert codes(problems) == {"SM102", "SM103"}
