"""SM402 failure-outcome-unrecovered: a failure end some case reaches without any recovery step.

An end with ``outcome: failure`` is a case the service lost. If some path
from a start reaches it without passing a step marked ``recovery: true``, the
service gives up on those customers without trying.

Why it matters: service recovery turns failures into loyalty; a map with an
unguarded failure end shows where it is missing.

Failing example::

    name: Orders
    steps:
      - {id: order, kind: terminator, next: in-stock}
      - id: in-stock
        kind: decision
        next:
          - {to: shipped, label: yes}
          - {to: cancelled, label: no}
      - {id: shipped, kind: terminator}
      - {id: cancelled, kind: terminator, outcome: failure}   # SM402

Passing example::

    name: Orders
    steps:
      - {id: order, kind: terminator, next: in-stock}
      - id: in-stock
        kind: decision
        next:
          - {to: shipped, label: yes}
          - {to: offer-substitute, label: no}
      - {id: offer-substitute, kind: task, recovery: true, next: cancelled}
      - {id: shipped, kind: terminator}
      - {id: cancelled, kind: terminator, outcome: failure}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Terminator
from .base import Context, Finding

__all__ = ["check"]

ID = "SM402"
NAME = "failure-outcome-unrecovered"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding per failure end reachable from a start without recovery.

    Complexity: O(V + E).
    """
    g = ctx.graph
    steps = g.steps
    starts = [s for s in g.starts() if not steps[s].recovery]
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in g.succ[stack.pop()]:
            if nxt not in seen and not steps[nxt].recovery:
                seen.add(nxt)
                stack.append(nxt)
    for sid in g.ends():
        step = steps[sid]
        if sid in seen and isinstance(step, Terminator) and step.outcome == "failure":
            yield Finding(f"end '{sid}' (outcome: failure) can be reached without passing a "
                          "recovery step", sid, ctx.step_path(sid))
