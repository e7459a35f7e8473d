"""SM301 lane-order: lanes whose layers are out of blueprint order.

A service blueprint reads top to bottom: customer actions, onstage contact,
backstage work, support processes, with the lines of interaction, visibility
and internal interaction between them (Bitner, Ostrom & Morgan 2008). Lanes
with a ``layer`` should follow that order.

Why it matters: the three lines can only be drawn between layers in order; a
backstage lane above the customer blurs what the customer sees.

Failing example::

    name: Delivery
    lanes:
      - {id: systems, layer: support}
      - {id: customer, layer: customer}           # SM301: customer below support
    steps:
      - {id: order, kind: terminator, lane: customer, next: confirm}
      - {id: confirm, kind: document, lane: systems, next: received}
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

from ..model import LAYERS
from .base import Context, Finding

__all__ = ["check"]

ID = "SM301"
NAME = "lane-order"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each lane whose layer comes before an earlier lane's layer."""
    highest: tuple[int, str, str] | None = None
    for i, lane in enumerate(ctx.blueprint.lanes):
        if lane.layer is None:
            continue
        rank = LAYERS.index(lane.layer)
        if highest is not None and rank < highest[0]:
            yield Finding(f"lane '{lane.id}' ({lane.layer}) comes after lane '{highest[1]}' "
                          f"({highest[2]}): blueprint layers run customer, onstage, "
                          "backstage, support from top to bottom", None,
                          ("lanes", i, "layer"))
        elif highest is None or rank > highest[0]:
            highest = (rank, lane.id, lane.layer)
