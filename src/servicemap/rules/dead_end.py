"""SM103 dead-end: a step other than a terminator with no outgoing flow.

Only terminators may end a case. A task, decision, delay, document or
predefined process without ``next`` leaves its cases stranded.

Why it matters: this is the classic broken blueprint — a complaint is
recorded and nothing happens after it.

Failing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: triage}
      - id: triage
        kind: decision
        next:
          - {to: solve, label: ours}
          - {to: refer, label: not ours}
      - {id: solve, kind: task, next: done}
      - {id: refer, kind: task, label: Refers to the supplier}   # SM103: nothing follows
      - {id: done, kind: terminator}

Passing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: triage}
      - id: triage
        kind: decision
        next:
          - {to: solve, label: ours}
          - {to: refer, label: not ours}
      - {id: solve, kind: task, next: done}
      - {id: refer, kind: task, label: Refers to the supplier, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Terminator
from .base import Context, Finding

__all__ = ["check"]

ID = "SM103"
NAME = "dead-end"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each non-terminator step without outgoing flow."""
    g = ctx.graph
    for sid, out in g.succ.items():  # in map order, like g.steps
        if out:
            continue
        step = g.steps[sid]
        if not isinstance(step, Terminator) and not step.targets():
            yield Finding(f"step '{sid}' has no outgoing flow: add 'next', or make it a "
                          "terminator if cases end here", sid, ctx.step_path(sid))
