"""SM107 terminator-through: a terminator with both incoming and outgoing flow.

A terminator either starts a case (no incoming flow) or ends it (no
``next``). One in the middle of the flow is a task drawn with the wrong symbol.

Why it matters: starts and ends are where analysis counts cases in and out.

Failing example::

    name: Review
    steps:
      - {id: start, kind: terminator, next: middle}
      - {id: middle, kind: terminator, next: done}    # SM107
      - {id: done, kind: terminator}

Passing example::

    name: Review
    steps:
      - {id: start, kind: terminator, next: middle}
      - {id: middle, kind: task, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Terminator
from .base import Context, Finding

__all__ = ["check"]

ID = "SM107"
NAME = "terminator-through"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each terminator with incoming and outgoing flow."""
    g = ctx.graph
    for sid, step in g.steps.items():
        if isinstance(step, Terminator) and g.pred[sid] and step.next:
            yield Finding(
                f"terminator '{sid}' has incoming and outgoing flow: a terminator starts or "
                "ends a case; use a task here", sid, ctx.step_path(sid, "kind"))
