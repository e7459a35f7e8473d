"""SM111 deadlock: a join that waits for a branch that never comes.

A ``parallel`` step with several incoming flows is a join: the case goes on
only once a token has arrived on *each* of them (docs/format.md, "Parallel
work"). A join whose incoming flows come from the branches of a decision gets
only one of them, and waits for ever; so does a join one of whose branches has
already ended or taken another way. The problem points at the join and gives
the path a case takes to get stuck there, the flows that arrived and the ones
that never come.

Found by reading the map as a Petri net (workflow-net semantics) and, where the
forks and joins do not nest properly, exploring the states a case can reach; see
SM114 for maps too large to explore.

Why it matters: every case that reaches the join stops there; nothing in the
drawing shows it, since a bar looks the same wherever it stands.

Failing example::

    name: Claim
    steps:
      - {id: received, kind: terminator, next: kind}
      - id: kind
        kind: decision
        next:
          - {to: assess, label: damage}
          - {to: upload, label: theft}
      - {id: assess, kind: task, next: both}
      - {id: upload, kind: task, next: both}
      - {id: both, kind: parallel, next: done}    # SM111: only one branch ever arrives
      - {id: done, kind: terminator}

Passing example::

    name: Claim
    steps:
      - {id: received, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [assess, upload]}
      - {id: assess, kind: task, next: both}
      - {id: upload, kind: task, next: both}
      - {id: both, kind: parallel, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..flow.soundness import path_text
from .base import Context, Finding

__all__ = ["check"]

ID = "SM111"
NAME = "deadlock"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding per join a case can get stuck at.

    Complexity: O(V + E) for properly nested maps, else the states explored.
    """
    for issue in ctx.soundness.issues:
        if issue.kind != "deadlock":
            continue
        came = ", ".join(f"'{s}'" for s in issue.waiting)
        never = ", ".join(f"'{s}'" for s in issue.missing)
        yield Finding(
            f"join '{issue.step}' waits for ever: after {path_text(issue.path)} the flow from "
            f"{came} has arrived but the one from {never} never comes; a join needs every "
            "incoming flow (make it a plain step if only one branch comes, or start the "
            "branches at a parallel fork)",
            issue.step, ctx.step_path(issue.step))
