"""SM105 no-way-out: a loop from which no end can be reached, once per trapped region."""

from __future__ import annotations

import servicemap as sm

from .support import BROKEN, at, check_text, codes, of

TRAP = """\
name: Service desk
steps:
  - {id: contact, kind: terminator, next: known}
  - id: known
    kind: decision
    next:
      - {to: done, label: known answer}
      - {to: solve, label: new problem}
  - {id: solve, kind: task, next: verify}
  - id: verify
    kind: decision
    next:
      - {to: solve, label: not solved}
      - {to: escalate, label: partly}
  - {id: escalate, kind: task, next: solve}
  - {id: done, kind: terminator}
"""


def test_trapped_loop_is_reported_once_naming_its_steps_in_map_order() -> None:
    (problem,) = check_text(TRAP)
    assert problem.code == "SM105" and at(problem) == ("solve", 9, 5)
    assert problem.message.startswith(
        "no end can be reached from steps 'solve', 'verify', 'escalate': a loop with no way out")
    assert "give one of them a branch that leaves the loop" in problem.message


def test_a_branch_out_of_the_loop_passes() -> None:
    text = TRAP.replace("      - {to: escalate, label: partly}\n",
                        "      - {to: escalate, label: partly}\n"
                        "      - {to: done, label: solved}\n")
    assert check_text(text) == []


def test_each_trapped_region_is_reported() -> None:
    text = TRAP.replace("      - {to: solve, label: new problem}\n",
                        "      - {to: solve, label: new problem}\n"
                        "      - {to: wait, label: later}\n")
    text += ("  - {id: wait, kind: delay, next: remind}\n"
             "  - {id: remind, kind: document, next: wait}\n")
    problems = check_text(text)
    assert codes(problems) == {"SM105"}
    assert [p.step for p in problems] == ["solve", "wait"]
    assert "'wait', 'remind':" in problems[1].message


def test_long_regions_are_named_in_part() -> None:
    text = TRAP.replace("{id: escalate, kind: task, next: solve}",
                        "{id: escalate, kind: task, next: s0}")
    text += "".join(f"  - {{id: s{i}, kind: task, next: s{i + 1}}}\n" for i in range(11))
    text += "  - {id: s11, kind: task, next: solve}\n"
    (problem,) = check_text(text)  # 15 steps: solve, verify, escalate, s0 ... s11
    assert "'escalate', 's0', 's1', 's2', 's3', 's4', 's5', 's6' and 5 more:" in problem.message


def test_loops_stuck_only_behind_a_dead_end_are_left_to_sm103() -> None:
    """The loop could leave through 'escalate'; it is that step that strands its cases."""
    text = TRAP.replace("{id: escalate, kind: task, next: solve}", "{id: escalate, kind: task}")
    assert codes(check_text(text)) == {"SM103"}


def test_loops_stuck_only_behind_a_lone_connector_are_left_to_sm110() -> None:
    text = TRAP.replace("{id: escalate, kind: task, next: solve}",
                        "{id: escalate, kind: task, next: to-a}")
    text += "  - {id: to-a, kind: connector, label: A}\n"
    assert codes(check_text(text)) == {"SM110"}


def test_a_trap_beside_a_dead_end_is_still_reported() -> None:
    """'verify' can run into the dead end 'refer'; 'escalate' and 'chase' loop whatever happens."""
    text = TRAP.replace("      - {to: escalate, label: partly}\n",
                        "      - {to: escalate, label: partly}\n"
                        "      - {to: refer, label: not ours}\n")
    text = text.replace("{id: escalate, kind: task, next: solve}",
                        "{id: escalate, kind: task, next: chase}")
    text += "  - {id: refer, kind: task}\n  - {id: chase, kind: task, next: escalate}\n"
    problems = check_text(text)
    assert codes(problems) == {"SM103", "SM105"}
    (trap,) = of(problems, "SM105")
    assert trap.step == "escalate" and "steps 'escalate', 'chase':" in trap.message


def test_broken_example() -> None:
    (problem,) = sm.check(BROKEN / "SM105-no-way-out.yaml")
    assert problem.code == "SM105" and problem.step == "request-docs"
    assert "'request-docs', 'wait-docs', 'recheck'" in problem.message


CONNECTOR_PAIR = """\
name: Connector loop
steps:
  - {id: start, kind: terminator, next: a-in}
  - {id: a-in, kind: connector, label: A}
  - {id: a-out, kind: connector, label: A, next: b-in}
  - {id: b-in, kind: connector, label: B}
  - {id: b-out, kind: connector, label: B, next: a-in}
  - {id: done, kind: terminator}
"""


def test_connectors_leading_to_each_other_are_a_loop_with_no_way_out() -> None:
    """Issue 8: A -> B -> A passed check; the flow into it vanished with the loop."""
    (problem,) = check_text(CONNECTOR_PAIR)
    assert problem.code == "SM105" and at(problem) == ("a-out", 5, 50)  # a-out's next
    assert problem.message == (
        "no end can be reached from steps 'start', 'a-out': connectors 'a-out' -> 'b-in' "
        "-> 'b-out' -> 'a-in' -> 'a-out' lead only to each other, a loop with no way out; "
        "let one of them lead to a step")


def test_a_connector_pair_leading_back_to_itself_is_a_loop_with_no_way_out() -> None:
    (problem,) = check_text("""\
        name: Connector self loop
        steps:
          - {id: start, kind: terminator, next: a-in}
          - {id: a-in, kind: connector, label: A}
          - {id: a-out, kind: connector, label: A, next: a-in}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM105" and at(problem) == ("a-out", 5, 50)
    assert "connectors 'a-out' -> 'a-in' -> 'a-out' lead only to each other" in problem.message


def test_a_connector_leading_to_itself_is_a_loop_with_no_way_out() -> None:
    problems = check_text("""\
        name: Connector to itself
        steps:
          - {id: start, kind: terminator, next: c}
          - {id: c, kind: connector, label: C, next: c}
          - {id: done, kind: terminator}
        """)
    (trap,) = of(problems, "SM105")
    assert "connector 'c' leads to itself, a loop with no way out; let it lead to a step" \
        in trap.message


def test_a_connector_loop_nobody_enters_is_unreachable_and_trapped() -> None:
    problems = check_text(CONNECTOR_PAIR.replace("next: a-in}", "next: done}", 1))
    assert [(p.code, p.step) for p in problems] == [("SM104", "a-out"), ("SM105", "a-out")]
    assert "steps 'a-out': connectors" in problems[1].message


def test_connectors_that_lead_on_to_a_step_are_no_loop() -> None:
    text = CONNECTOR_PAIR.replace("{id: b-out, kind: connector, label: B, next: a-in}",
                                  "{id: b-out, kind: connector, label: B, next: done}")
    assert check_text(text) == []


def test_exit_of_probability_zero_is_reported_at_that_probability() -> None:
    """Issue 8 (tests/hostile/cases/prob0-exit.yaml): 'yes' has probability 0 and 'no'
    leads back: check passed it while analyze failed with a ValueError."""
    (problem,) = check_text("""\
        name: Probability-zero exit
        steps:
          - {id: start, kind: terminator, next: work}
          - {id: work, kind: task, duration: 5min, next: ok}
          - id: ok
            kind: decision
            next:
              - {to: done, label: yes, probability: 0}
              - {to: work, label: no, probability: 1}
          - {id: done, kind: terminator}
        """)
    assert problem.code == "SM105" and at(problem) == ("ok", 8, 45)
    assert problem.message.startswith(
        "no end can be reached from steps 'start', 'work', 'ok' except through branch 'yes' "
        "of 'ok' (probability 0): in practice a loop with no way out")


def test_branch_of_a_fork_caught_in_a_loop_is_a_trap_not_a_deadlock() -> None:
    """Branch a loops for ever, so join j waits for ever: SM105 reports the loop only."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: d}
          - id: d
            kind: decision
            next: [{to: a, label: x}, {to: a2, label: y}]
          - {id: a2, kind: task, next: a}
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM105", "a")]


def test_tokens_waiting_at_a_join_are_not_trapped() -> None:
    """Each branch loops for rework and leaves through the join: nothing is trapped."""
    assert check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: da}
          - id: da
            kind: decision
            next: [{to: a, label: redo}, {to: j, label: ok}]
          - {id: b, kind: task, next: db}
          - id: db
            kind: decision
            next: [{to: b, label: redo}, {to: j, label: ok}]
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """) == []


def test_join_waiting_for_a_flow_from_after_itself_is_sm111() -> None:
    """j needs d's flow, and d comes only after j: x's token waits at j for ever."""
    problems = check_text("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: x}
          - {id: x, kind: task, next: j}
          - {id: j, kind: parallel, next: y}
          - {id: y, kind: task, next: d}
          - id: d
            kind: decision
            next: [{to: j, label: again}, {to: e, label: done}]
          - {id: e, kind: terminator}
        """)
    assert [(p.code, p.step) for p in problems] == [("SM111", "j")]
