"""SM108 self-loop: a step whose ``next`` is itself (a warning)."""

from __future__ import annotations

from .support import at, check_text, codes, of

CALL = """\
name: Call-back
steps:
  - {id: request, kind: terminator, next: answers}
  - id: answers
    kind: decision
    next:
      - {to: done, label: answered}
      - {to: answers, label: no answer}
  - {id: done, kind: terminator}
"""


def test_decision_branch_back_to_itself_points_at_the_branch() -> None:
    (problem,) = check_text(CALL)
    assert (problem.code, problem.level) == ("SM108", "warning")
    assert at(problem) == ("answers", 8, 9)
    assert problem.message == ("branch 'no answer' of decision 'answers' leads straight back "
                               "to it: show what happens before it is decided again (a task or "
                               "a delay)")


def test_unlabelled_branch_is_named_by_its_position() -> None:
    problems = check_text(CALL.replace("{to: answers, label: no answer}", "{to: answers}"))
    (loop,) = of(problems, "SM108")
    assert loop.message.startswith("branch 2 of decision 'answers'")


def test_task_into_itself_asks_for_a_decision_and_traps_its_cases() -> None:
    problems = check_text("""\
        name: Call-back
        steps:
          - {id: request, kind: terminator, next: call}
          - {id: call, kind: task, next: call}
          - {id: other, kind: terminator, next: done}
          - {id: done, kind: terminator}
        """)
    assert codes(problems) == {"SM105", "SM108"}
    (loop,) = of(problems, "SM108")
    assert at(loop) == ("call", 4, 34)
    assert "step 'call' flows back into itself: show the repeat condition with a decision" \
        in loop.message


def test_a_loop_through_another_step_is_no_self_loop() -> None:
    text = CALL.replace("{to: answers, label: no answer}", "{to: wait, label: no answer}")
    text += "  - {id: wait, kind: delay, duration: 1h, next: answers}\n"
    assert check_text(text) == []


def test_a_branch_back_through_a_pair_of_connectors_is_a_self_loop() -> None:
    """Issue 8: the connectors on the way back hid the self-loop."""
    text = CALL.replace("{to: answers, label: no answer}", "{to: again, label: no answer}")
    text += ("  - {id: again, kind: connector, label: A}\n"
             "  - {id: back, kind: connector, label: A, next: answers}\n")
    (problem,) = check_text(text)
    assert problem.code == "SM108" and at(problem) == ("answers", 8, 9)
    assert problem.message == ("branch 'no answer' of decision 'answers' leads straight back "
                               "to it through connectors 'again', 'back': show what happens "
                               "before it is decided again (a task or a delay)")


def test_a_task_back_into_itself_through_connectors_is_a_self_loop() -> None:
    problems = check_text("""\
        name: Call-back
        steps:
          - {id: request, kind: terminator, next: call}
          - {id: call, kind: task, next: again}
          - {id: again, kind: connector, label: A}
          - {id: back, kind: connector, label: A, next: call}
          - {id: other, kind: terminator, next: done}
          - {id: done, kind: terminator}
        """)
    assert codes(problems) == {"SM105", "SM108"}
    (loop,) = of(problems, "SM108")
    assert at(loop) == ("call", 4, 34)
    assert "step 'call' flows back into itself through connectors 'again', 'back'" \
        in loop.message


def test_a_loop_of_connectors_alone_is_left_to_sm105() -> None:
    problems = check_text("""\
        name: Connector loop
        steps:
          - {id: start, kind: terminator, next: a-in}
          - {id: a-in, kind: connector, label: A}
          - {id: a-out, kind: connector, label: A, next: a-in}
          - {id: done, kind: terminator}
        """)
    assert codes(problems) == {"SM105"}
