"""SM109 duplicate-flow: the same flow twice from one step.

Why it matters: a flow line listed twice is a copy-and-paste slip; it would
double-count the cases that take it.

Failing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - {id: pack, kind: task, next: [ship, ship]}    # SM109
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}

Passing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - {id: pack, kind: task, next: ship}
      - {id: ship, kind: task, next: shipped}
      - {id: shipped, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Decision
from .base import Context, Finding

__all__ = ["check"]

ID = "SM109"
NAME = "duplicate-flow"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each repeated target (for decisions: a repeated branch)."""
    branches = ctx.branches
    # Distinct labels make distinct branches; else compare (target, label) pairs.
    decisions_clean = branches.labels_distinct or len(set(zip(
        branches.decision, branches.to, branches.label, strict=True))) == len(branches.to)
    for step in ctx.branching:  # a repeat needs two entries
        if isinstance(step, Decision):
            if decisions_clean:  # no decision repeats a branch
                continue
            keys: list[object] = [(b.to, b.label) for b in step.next]
        else:
            keys = list(step.next)
        if len(set(keys)) == len(keys):
            continue
        seen: set[object] = set()
        for j, key in enumerate(keys):
            if key in seen:
                target = key[0] if isinstance(key, tuple) else key
                yield Finding(f"step '{step.id}' flows to '{target}' twice: remove one",
                              step.id, ctx.step_path(step.id, "next", j))
            seen.add(key)
