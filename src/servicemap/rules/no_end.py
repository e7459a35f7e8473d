"""SM102 no-end: no terminator without ``next``.

A case leaves a map at an **end**: a ``terminator`` with no ``next``.

Why it matters: a map without an end describes a process no case can finish.

Failing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: solve}   # SM102: no terminator without next
      - {id: solve, kind: task, next: confirm}
      - {id: confirm, kind: task, next: solve}

Passing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: solve}
      - {id: solve, kind: task, next: confirm}
      - {id: confirm, kind: task, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM102"
NAME = "no-end"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding when the map has no end terminator."""
    if not ctx.graph.ends():
        yield Finding("the map has no end: add a terminator without 'next'", None, ("steps",))
