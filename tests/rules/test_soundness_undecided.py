"""SM114 soundness-undecided: parallel work too tangled to decide within the state budget."""

from __future__ import annotations

import textwrap

import servicemap as sm
from servicemap.rules import soundness_undecided
from servicemap.rules.base import Context

JOIN_OF_TWO_FORKS = textwrap.dedent("""\
    name: n
    steps:
      - {id: s, kind: terminator, next: f}
      - {id: f, kind: parallel, next: [g, c]}
      - {id: g, kind: parallel, next: [a, b]}
      - {id: a, kind: task, next: j}
      - {id: b, kind: task, next: j}
      - {id: c, kind: task, next: j}
      - {id: j, kind: parallel, next: e}
      - {id: e, kind: terminator}
    """)


def test_small_budget_gives_up_and_says_where() -> None:
    """This map has 13 states (tests/flow/test_soundness.py); a budget of 5 runs out."""
    ctx = Context(sm.loads(JOIN_OF_TWO_FORKS), options={"max-states": 5})
    (finding,) = soundness_undecided.check(ctx)
    assert finding.step == "j" and finding.path == ("steps", 6)
    assert finding.message.startswith(
        "could not decide whether the parallel work completes properly within 5 states")


def test_default_budget_decides_it() -> None:
    assert list(soundness_undecided.check(Context(sm.loads(JOIN_OF_TWO_FORKS)))) == []
    assert sm.check(sm.loads(JOIN_OF_TWO_FORKS)) == []


def test_nested_map_never_explores_states() -> None:
    """The documented Passing example: 11 rework loops side by side, 3^11 states, but nested."""
    from servicemap.rules.docs import rule_examples

    ctx = Context(sm.loads(rule_examples(sm.rules.rule_by_key("SM114")).passing))
    assert (ctx.soundness.method, ctx.soundness.states, ctx.soundness.sound) == (
        "structure", 0, True)
