"""SM110 lone-connector: a connector label used once, or not exactly one exit per label.

On-page connectors with the same ``label`` are one point of the map: flows
that enter any of them continue from the one connector of that label that has
a ``next``. So each label needs at least two connectors, exactly one with
``next``.

Why it matters: a lone connector is a flow line that leads nowhere.

Failing example::

    name: Returns
    steps:
      - {id: request, kind: terminator, next: to-a}
      - {id: to-a, kind: connector, label: A, next: refund}   # SM110: 'A' is used once
      - {id: refund, kind: task, next: refunded}
      - {id: refunded, kind: terminator}

Passing example::

    name: Returns
    steps:
      - {id: request, kind: terminator, next: to-a}
      - {id: to-a, kind: connector, label: A}
      - {id: from-a, kind: connector, label: A, next: refund}
      - {id: refund, kind: task, next: refunded}
      - {id: refunded, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Connector
from .base import Context, Finding

__all__ = ["check"]

ID = "SM110"
NAME = "lone-connector"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield findings for connector labels used once or without exactly one exit."""
    groups: dict[str, list[Connector]] = {}
    for step in ctx.blueprint.steps:
        if isinstance(step, Connector):
            groups.setdefault(step.title, []).append(step)
    for label, members in groups.items():
        first = members[0]
        exits = [c for c in members if c.next]
        if len(members) == 1:
            yield Finding(f"connector label '{label}' is used only by '{first.id}': a "
                          "connector needs a partner with the same label", first.id,
                          ctx.step_path(first.id, "label" if first.label else "id"))
        elif not exits:
            yield Finding(f"no connector labelled '{label}' has a 'next': give exactly one "
                          "of them the step where the flow continues", first.id,
                          ctx.step_path(first.id))
        elif len(exits) > 1:
            yield Finding(f"{len(exits)} connectors labelled '{label}' have a 'next' "
                          f"({', '.join(c.id for c in exits)}): exactly one may", exits[1].id,
                          ctx.step_path(exits[1].id, "next"))
