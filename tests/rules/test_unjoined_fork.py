"""SM113 unjoined-fork: the branches of a fork end at different ends without a join."""

from __future__ import annotations

import textwrap

import servicemap as sm
from servicemap.checking import structural_problems

from .support import at, check_text


def test_branches_end_apart_is_a_warning_naming_the_ends() -> None:
    (problem,) = check_text("""\
        name: Order
        steps:
          - {id: ordered, kind: terminator, next: split}
          - {id: split, kind: parallel, next: [ship, bill]}
          - {id: ship, kind: task, next: shipped}
          - {id: bill, kind: task, next: billed}
          - {id: shipped, kind: terminator}
          - {id: billed, kind: terminator}
        """)
    assert (problem.code, problem.level, at(problem)) == ("SM113", "warning", ("split", 4, 5))
    assert "end apart, at 'shipped', 'billed', without a join" in problem.message


def test_the_fork_named_is_the_one_that_split_them() -> None:
    """An outer fork f is joined; inner fork g (on f's first branch) is not."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: g}
          - {id: g, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: e1}
          - {id: b, kind: task, next: x}
          - {id: x, kind: task, next: e2}
          - {id: e1, kind: terminator}
          - {id: e2, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM113", "g")]
    assert "'e1', 'e2'" in problems[0].message


def test_warning_does_not_refuse_the_map() -> None:
    """Only errors of SM1xx/SM2xx make analyze refuse a map; this one is a warning."""
    bp = sm.loads(textwrap.dedent("""\
        name: Order
        steps:
          - {id: ordered, kind: terminator, next: split}
          - {id: split, kind: parallel, next: [ship, bill]}
          - {id: ship, kind: task, next: shipped}
          - {id: bill, kind: task, next: billed}
          - {id: shipped, kind: terminator}
          - {id: billed, kind: terminator}
        """))
    assert structural_problems(bp) == []
    assert [p.code for p in sm.check(bp)] == ["SM113"]
