"""SM201 decision-branches: a decision with fewer than two branches.

Why it matters: a decision with one way out decides nothing; one with none is
a dead end.

Failing example::

    name: Orders
    steps:
      - {id: order, kind: terminator, next: in-stock}
      - id: in-stock
        kind: decision
        next:
          - {to: ship, label: yes}                # SM201: where does "no" go?
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}

Passing example::

    name: Orders
    steps:
      - {id: order, kind: terminator, next: in-stock}
      - id: in-stock
        kind: decision
        next:
          - {to: ship, label: yes}
          - {to: substitute, label: no}
      - {id: substitute, kind: task, label: Offers a substitute, next: ship}
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM201"
NAME = "decision-branches"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each decision with fewer than two branches."""
    if min(ctx.branches.count, default=2) >= 2:
        return
    for step in ctx.decisions:
        if len(step.next) < 2:
            yield Finding(f"decision '{step.id}' has {len(step.next)} branch"
                          f"{'' if len(step.next) == 1 else 'es'}: a decision needs at least "
                          "two", step.id, ctx.step_path(step.id, "next"))
