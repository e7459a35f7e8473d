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
