"""SM104 unreachable: a step no start leads to.

Why it matters: a step that no case can reach is either left over from an
old version of the process or cut off by a missing flow line.

Failing example::

    name: Review
    steps:
      - {id: start, kind: terminator, next: done}
      - {id: review, kind: task, next: done}      # SM104: nothing leads here
      - {id: done, kind: terminator}

Passing example::

    name: Review
    steps:
      - {id: start, kind: terminator, next: review}
      - {id: review, kind: task, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM104"
NAME = "unreachable"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step that no start reaches (none if there is no start)."""
    if not ctx.graph.starts():
        return  # SM101 says it
    reached = ctx.from_starts
    if len(reached) == len(ctx.graph.steps):  # everything reached (reached holds steps only)
        return
    for sid in ctx.graph.steps:
        if sid not in reached:
            yield Finding(f"step '{sid}' cannot be reached from any start", sid,
                          ctx.step_path(sid))
