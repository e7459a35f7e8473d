"""SM106 implicit-split: a step other than a decision or parallel with several ``next``.

Only a decision (one of its branches) and a parallel step (a fork: all of its
branches at once) branch. A task that lists two next steps leaves open
whether a case goes to one of them (which?) or to both at once.

Why it matters: analysis cannot tell how cases divide, and readers of the
map cannot either.

Failing example::

    name: Review
    steps:
      - {id: submit, kind: terminator, next: review}
      - {id: review, kind: task, next: [approved, rejected]}   # SM106: which one?
      - {id: approved, kind: terminator}
      - {id: rejected, kind: terminator}

Passing example::

    name: Review
    steps:
      - {id: submit, kind: terminator, next: review}
      - {id: review, kind: task, next: accepted}
      - id: accepted
        kind: decision
        next:
          - {to: approved, label: yes}
          - {to: rejected, label: no}
      - {id: approved, kind: terminator}
      - {id: rejected, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Decision, Parallel
from .base import Context, Finding

__all__ = ["check"]

ID = "SM106"
NAME = "implicit-split"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step with several next steps that neither decides nor forks."""
    for step in ctx.branching:  # a step with one next entry cannot split
        if not isinstance(step, (Decision, Parallel)) and len(set(step.next)) > 1:
            yield Finding(
                f"{step.kind} '{step.id}' has {len(step.next)} next steps: only a decision "
                "or a parallel step branches; add a decision that says which way a case goes "
                "(or a parallel step if it goes both ways at once)",
                step.id, ctx.step_path(step.id, "next"),
            )
