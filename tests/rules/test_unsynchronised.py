"""SM112 unsynchronised: branches of a fork meet at a step that is not a join."""

from __future__ import annotations

from .support import BROKEN, at, check_text, of


def test_branches_meet_at_a_task() -> None:
    problems = check_text("""\
        name: Claim
        steps:
          - {id: received, kind: terminator, next: split}
          - {id: split, kind: parallel, next: [assess, upload]}
          - {id: assess, kind: task, next: decide}
          - {id: upload, kind: task, next: decide}
          - {id: decide, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    # decide runs twice, and so does the end after it: the first step is reported.
    (problem,) = problems
    assert (problem.code, problem.level, at(problem)) == ("SM112", "error", ("decide", 7, 5))
    assert problem.message.startswith(
        "step 'decide' runs twice for one case: after 'received' -> 'split' -> 'assess' -> "
        "'upload' a second branch arrives")


def test_two_branches_reach_one_end() -> None:
    (problem,) = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: done}
          - {id: b, kind: task, next: done}
          - {id: done, kind: terminator}
        """)
    assert (problem.code, problem.step) == ("SM112", "done")


def test_branch_back_before_its_fork() -> None:
    """b's rework goes back to r before the fork: f forks again while a is still waiting."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: r}
          - {id: r, kind: task, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: d}
          - id: d
            kind: decision
            next: [{to: r, label: again}, {to: j, label: ok}]
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    (problem,) = of(problems, "SM112")
    assert problem.step == "a"
    assert "'s' -> 'r' -> 'f' -> 'b' -> 'd' -> 'r' -> 'f'" in problem.message


def test_broken_example() -> None:
    problems = check_text((BROKEN / "SM112-unsynchronised.yaml").read_text(encoding="utf-8"))
    assert [(p.code, p.step) for p in problems] == [("SM112", "pack")]


def test_problems_after_the_first_step_reached_twice_wait_until_it_is_fixed() -> None:
    """m runs twice; the join after the decision d would deadlock too, but after m."""
    text = """\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: MERGE}
          - {id: b, kind: task, next: MERGE}
          - {id: m, kind: task, next: d}
          - id: d
            kind: decision
            next: [{to: x, label: one}, {to: y, label: two}]
          - {id: x, kind: task, next: j}
          - {id: y, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
          - {id: both, kind: parallel, next: m}
        """
    # (the unused bar 'both' is unreachable, SM104)
    assert [(p.code, p.step) for p in check_text(text.replace("MERGE", "m"))] == [
        ("SM112", "m"), ("SM104", "both")]
    # With the join in place, the deadlock after the decision shows.
    assert [(p.code, p.step) for p in check_text(text.replace("MERGE", "both"))] == [
        ("SM111", "j")]
