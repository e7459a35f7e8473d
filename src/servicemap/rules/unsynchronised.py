"""SM112 unsynchronised: branches of a fork meet at a step that is not a join.

A fork sends every case down all its branches at once. Where two of them flow
into a step that is not a ``parallel`` join, that step runs once for each
branch, so twice (or more) for one case, and so does everything after it:
the case reaches its end twice. This is van der Aalst's *lack of
synchronisation*. The same happens when a branch flows back to a step that is
still running for the case. The problem points at the first step reached twice
and gives the path that leads there. Deadlocks and steps reached twice further
on are not reported until it is fixed (everything after it runs twice anyway):
fix it and check again.

Why it matters: a customer gets two letters, a payment is made twice, and the
analysis counts every later step double.

Failing example::

    name: Claim
    steps:
      - {id: received, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [assess, upload]}
      - {id: assess, kind: task, next: decide}
      - {id: upload, kind: task, next: decide}
      - {id: decide, kind: task, next: done}    # SM112: both branches arrive here
      - {id: done, kind: terminator}

Passing example::

    name: Claim
    steps:
      - {id: received, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [assess, upload]}
      - {id: assess, kind: task, next: both}
      - {id: upload, kind: task, next: both}
      - {id: both, kind: parallel, next: decide}
      - {id: decide, kind: task, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..flow.soundness import path_text
from .base import Context, Finding

__all__ = ["check"]

ID = "SM112"
NAME = "unsynchronised"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding per step that can run twice for one case (the first such on each way).

    Complexity: O(V + E) for properly nested maps, else the states explored.
    """
    for issue in ctx.soundness.issues:
        if issue.kind != "unsynchronised":
            continue
        yield Finding(
            f"step '{issue.step}' runs twice for one case: after {path_text(issue.path)} a "
            "second branch arrives while the first is here or has passed; branches of a fork "
            "meet only at a parallel join (put one before it)",
            issue.step, ctx.step_path(issue.step))
