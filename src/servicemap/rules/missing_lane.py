"""SM302 missing-lane: a step without a lane in a map that declares lanes (likewise phases).

Why it matters: a step without a lane has nobody responsible for it on the
blueprint, and is drawn in an extra "(no lane)" band.

Failing example::

    name: Delivery
    lanes:
      - {id: customer, layer: customer}
      - {id: systems, layer: support}
    steps:
      - {id: order, kind: terminator, lane: customer, next: confirm}
      - {id: confirm, kind: document, next: received}     # SM302: no lane
      - {id: received, kind: terminator, lane: customer}

Passing example::

    name: Delivery
    lanes:
      - {id: customer, layer: customer}
      - {id: systems, layer: support}
    steps:
      - {id: order, kind: terminator, lane: customer, next: confirm}
      - {id: confirm, kind: document, lane: systems, next: received}
      - {id: received, kind: terminator, lane: customer}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM302"
NAME = "missing-lane"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding per step missing a lane (or a phase) the map's grid expects."""
    bp = ctx.blueprint
    for step in bp.steps:
        if bp.lanes and step.lane is None:
            yield Finding(f"step '{step.id}' has no lane, but the map declares lanes",
                          step.id, ctx.step_path(step.id))
        if bp.phases and step.phase is None:
            yield Finding(f"step '{step.id}' has no phase, but the map declares phases",
                          step.id, ctx.step_path(step.id))
