"""SM111 deadlock: a join that waits for a branch that never comes."""

from __future__ import annotations

from .support import BROKEN, at, check_text, of


def test_join_after_a_decision_waits_for_ever() -> None:
    (problem,) = check_text("""\
        name: Claim
        steps:
          - {id: received, kind: terminator, next: kind}
          - id: kind
            kind: decision
            next: [{to: assess, label: damage}, {to: upload, label: theft}]
          - {id: assess, kind: task, next: both}
          - {id: upload, kind: task, next: both}
          - {id: both, kind: parallel, next: done}
          - {id: done, kind: terminator}
        """)
    assert (problem.code, problem.level) == ("SM111", "error")
    assert at(problem) == ("both", 9, 5)
    # Breadth first, the first case to get stuck takes the first branch.
    assert problem.message.startswith(
        "join 'both' waits for ever: after 'received' -> 'kind' -> 'assess' the flow from "
        "'assess' has arrived but the one from 'upload' never comes")


def test_branch_that_ended_leaves_its_join_waiting() -> None:
    """Branch a may go to end e2: b's token then waits at j for ever."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - id: a
            kind: decision
            next: [{to: j, label: on}, {to: e2, label: out}]
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
          - {id: e2, kind: terminator}
        """)
    (problem,) = of(problems, "SM111")
    assert problem.step == "j" and "the one from 'a' never comes" in problem.message
    assert [p.code for p in problems] == ["SM111"]


def test_join_with_more_flows_than_its_fork_has_branches() -> None:
    """Fork f has two branches; join j three incoming flows (x's decision sends one of two)."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [x, c]}
          - id: x
            kind: decision
            next: [{to: a, label: one}, {to: b, label: two}]
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: j}
          - {id: c, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM111", "j")]


def test_branch_into_a_dead_end_is_left_to_sm103() -> None:
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: x}
          - {id: x, kind: task}
          - {id: c, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    assert {p.code for p in problems} == {"SM103", "SM104"}


def test_nested_sound_map_has_no_deadlock() -> None:
    assert check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: r}
          - {id: r, kind: task, next: f}
          - {id: f, kind: parallel, next: [g, c]}
          - {id: g, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: h}
          - {id: b, kind: task, next: h}
          - {id: h, kind: parallel, next: j}
          - id: c
            kind: decision
            next: [{to: c2, label: redo}, {to: j, label: ok}]
          - {id: c2, kind: task, next: c}
          - {id: j, kind: parallel, next: more}
          - id: more
            kind: decision
            next: [{to: r, label: again}, {to: e, label: done}]
          - {id: e, kind: terminator}
        """) == []


def test_broken_example() -> None:
    problems = check_text((BROKEN / "SM111-deadlock.yaml").read_text(encoding="utf-8"))
    assert [(p.code, p.step) for p in problems] == [("SM111", "together")]


def test_join_without_next_is_a_dead_end_not_a_deadlock() -> None:
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel}
          - {id: e, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM103", "j")]
