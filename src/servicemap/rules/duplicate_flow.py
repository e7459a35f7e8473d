"""SM109 duplicate-flow: the same flow twice from one step.

Why it matters: a flow line listed twice is a copy-and-paste slip; it would
double-count the cases that take it.

Failing example::

    - {id: pack, kind: task, next: [ship, ship]}    # SM109

Passing example::

    - {id: pack, kind: task, next: ship}
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
    for step in ctx.blueprint.steps:
        seen: set[object] = set()
        if isinstance(step, Decision):
            keys: list[object] = [(b.to, b.label) for b in step.next]
        else:
            keys = list(step.next)
        for j, key in enumerate(keys):
            if key in seen:
                target = key[0] if isinstance(key, tuple) else key
                yield Finding(f"step '{step.id}' flows to '{target}' twice: remove one",
                              step.id, ctx.step_path(step.id, "next", j))
            seen.add(key)
