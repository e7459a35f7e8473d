"""SM101 no-start: no terminator without incoming flow.

A case enters a map at a **start**: a ``terminator`` that no flow line leads
to. A map without one has no way in.

Why it matters: every other structural promise (reachability, the option to
complete) is measured from the starts.

Failing example::

    name: Service desk
    steps:
      - {id: contact, kind: task, next: done}     # SM101: a task, not a terminator
      - {id: done, kind: terminator}

Passing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM101"
NAME = "no-start"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding when the map has no start terminator."""
    if not ctx.graph.starts():
        yield Finding("the map has no start: add a terminator that no flow line leads to",
                      None, ("steps",))
