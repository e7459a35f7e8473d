"""SM114 soundness-undecided: parallel work too tangled to decide within the state budget.

Where forks and joins nest properly (each fork's branches meet at one join,
one flow from each), soundness is decided from the structure at once. Where
they do not (a join that takes branches of two forks, say), servicemap
explores the states a case can be in: which steps hold a token (a properly
nested fork-join region within counts as one step). Their number grows with
the product of the lengths of the branches that run side by side; past
the budget of 100,000 states the check stops and says so rather than
guess. Rules SM111 and SM112 may then have missed a problem. The budget is
the rule's option ``max-states`` (an integer of at least 1), set in the
project's configuration as ``max-states = 1000000`` under
``[tool.servicemap.rules.soundness-undecided]`` (docs/cli.md, *Rule
options*), in Python as
``servicemap.rules.base.Context(bp, options={"max-states": 1_000_000})``.

Why it matters: the map may deadlock or run a step twice, and no check has
looked. Nest the forks and joins (join each fork's branches at its own bar)
so the structure decides, or split the map.

Failing example::

    name: Inspection
    steps:
      - {id: booked, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [checks, report]}
      - {id: checks, kind: parallel, next: [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11]}
      - {id: c1, kind: task, next: ok1}
      - {id: ok1, kind: decision, next: [{to: c1, label: redo}, {to: all, label: ok}]}
      - {id: c2, kind: task, next: ok2}
      - {id: ok2, kind: decision, next: [{to: c2, label: redo}, {to: all, label: ok}]}
      - {id: c3, kind: task, next: ok3}
      - {id: ok3, kind: decision, next: [{to: c3, label: redo}, {to: all, label: ok}]}
      - {id: c4, kind: task, next: ok4}
      - {id: ok4, kind: decision, next: [{to: c4, label: redo}, {to: all, label: ok}]}
      - {id: c5, kind: task, next: ok5}
      - {id: ok5, kind: decision, next: [{to: c5, label: redo}, {to: all, label: ok}]}
      - {id: c6, kind: task, next: ok6}
      - {id: ok6, kind: decision, next: [{to: c6, label: redo}, {to: all, label: ok}]}
      - {id: c7, kind: task, next: ok7}
      - {id: ok7, kind: decision, next: [{to: c7, label: redo}, {to: all, label: ok}]}
      - {id: c8, kind: task, next: ok8}
      - {id: ok8, kind: decision, next: [{to: c8, label: redo}, {to: all, label: ok}]}
      - {id: c9, kind: task, next: ok9}
      - {id: ok9, kind: decision, next: [{to: c9, label: redo}, {to: all, label: ok}]}
      - {id: c10, kind: task, next: ok10}
      - {id: ok10, kind: decision, next: [{to: c10, label: redo}, {to: all, label: ok}]}
      - {id: c11, kind: task, next: ok11}
      - {id: ok11, kind: decision, next: [{to: c11, label: redo}, {to: all, label: ok}]}
      - {id: report, kind: task, next: all}
      - {id: all, kind: parallel, next: done}     # SM114: joins branches of two forks
      - {id: done, kind: terminator}

Passing example::

    name: Inspection
    steps:
      - {id: booked, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [checks, report]}
      - {id: checks, kind: parallel, next: [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11]}
      - {id: c1, kind: task, next: ok1}
      - {id: ok1, kind: decision, next: [{to: c1, label: redo}, {to: checked, label: ok}]}
      - {id: c2, kind: task, next: ok2}
      - {id: ok2, kind: decision, next: [{to: c2, label: redo}, {to: checked, label: ok}]}
      - {id: c3, kind: task, next: ok3}
      - {id: ok3, kind: decision, next: [{to: c3, label: redo}, {to: checked, label: ok}]}
      - {id: c4, kind: task, next: ok4}
      - {id: ok4, kind: decision, next: [{to: c4, label: redo}, {to: checked, label: ok}]}
      - {id: c5, kind: task, next: ok5}
      - {id: ok5, kind: decision, next: [{to: c5, label: redo}, {to: checked, label: ok}]}
      - {id: c6, kind: task, next: ok6}
      - {id: ok6, kind: decision, next: [{to: c6, label: redo}, {to: checked, label: ok}]}
      - {id: c7, kind: task, next: ok7}
      - {id: ok7, kind: decision, next: [{to: c7, label: redo}, {to: checked, label: ok}]}
      - {id: c8, kind: task, next: ok8}
      - {id: ok8, kind: decision, next: [{to: c8, label: redo}, {to: checked, label: ok}]}
      - {id: c9, kind: task, next: ok9}
      - {id: ok9, kind: decision, next: [{to: c9, label: redo}, {to: checked, label: ok}]}
      - {id: c10, kind: task, next: ok10}
      - {id: ok10, kind: decision, next: [{to: c10, label: redo}, {to: checked, label: ok}]}
      - {id: c11, kind: task, next: ok11}
      - {id: ok11, kind: decision, next: [{to: c11, label: redo}, {to: checked, label: ok}]}
      - {id: checked, kind: parallel, next: all}
      - {id: report, kind: task, next: all}
      - {id: all, kind: parallel, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..flow.soundness import MAX_STATES
from .base import Context, Finding, Option

__all__ = ["OPTIONS", "check"]

ID = "SM114"
NAME = "soundness-undecided"
LEVEL = "warning"
OPTIONS = (Option("max-states", MAX_STATES, "the states explored before the check gives up "
                  "(shared by rules SM111-SM114)", minimum=1),)


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one warning if the states of a map that does not nest ran over the budget.

    Complexity: the states explored (at most the budget).
    """
    result = ctx.soundness
    if result.decided:
        return
    conflicts = ctx.parallel.conflicts
    at = conflicts[0] if conflicts else next(
        sid for sid, s in ctx.graph.steps.items() if s.kind == "parallel")
    yield Finding(
        f"could not decide whether the parallel work completes properly within "
        f"{result.max_states:,} states: the forks and joins do not nest at '{at}' (a "
        "fork's branches should meet at one join, one flow from each); deadlocks and steps "
        "run twice may go unreported",
        at, ctx.step_path(at))
