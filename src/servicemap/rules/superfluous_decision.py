"""SM204 superfluous-decision: a decision all of whose branches go to the same step.

Why it matters: whatever is decided, the case goes on the same way — the
decision adds a symbol and nothing else (or a branch points at the wrong step).

Failing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: check}
      - id: check
        kind: decision
        next:
          - {to: ship, label: ok}                 # SM204: both branches go to 'ship'
          - {to: ship, label: not ok}
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}

Passing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: check}
      - id: check
        kind: decision
        next:
          - {to: ship, label: ok}
          - {to: repack, label: not ok}
      - {id: repack, kind: task, next: ship}
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM204"
NAME = "superfluous-decision"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each decision whose branches all lead to one step."""
    for step in ctx.decisions:
        if len(step.next) >= 2:
            targets = {b.to for b in step.next}
            if len(targets) == 1:
                yield Finding(f"every branch of decision '{step.id}' goes to "
                              f"'{step.next[0].to}': the decision changes nothing",
                              step.id, ctx.step_path(step.id, "next"))
