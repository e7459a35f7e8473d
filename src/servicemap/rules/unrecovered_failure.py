"""SM401 unrecovered-failure: a failure path that ends without recovery.

A decision branch marked ``failure: true`` is a service failure. Its path
should either pass a service-recovery step (``recovery: true``) or rejoin the
path cases take when nothing fails (Shostack's blueprint and Wirtz's service
recovery system). This rule finds failure branches from which an end is
reached without either, whatever that end's ``outcome``; an end marked
``outcome: failure`` that cases reach unrecovered is reported by SM402 too.

Why it matters: an unrecovered failure is a customer lost without anyone
having tried to win them back.

Failing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: delivered, label: yes}
          - {to: notice, label: no, failure: true}     # SM401
      - {id: notice, kind: document, label: Card through the door, next: closed}
      - {id: delivered, kind: terminator}
      - {id: closed, kind: terminator, label: Order closed}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: delivered, label: yes}
          - {to: apologise, label: no, failure: true}
      - {id: apologise, kind: task, recovery: true, next: redeliver}
      - {id: redeliver, kind: task, next: delivered}
      - {id: delivered, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM401"
NAME = "unrecovered-failure"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding per failure branch that reaches an end unrecovered.

    Complexity: O(V + E): one forward search for the happy path, one backward
    search from the ends off it.
    """
    g = ctx.graph
    steps = g.steps
    # The happy path: reachable from the starts without taking a failure branch.
    happy = set(g.starts())
    stack = list(happy)
    while stack:
        for f in g.flows.get(stack.pop(), ()):
            if not f.failure and f.target not in happy:
                happy.add(f.target)
                stack.append(f.target)
    # Steps from which an end off the happy path is reached through unrecovered,
    # off-happy-path steps.
    bad = {e for e in g.ends() if e not in happy and not steps[e].recovery}
    stack = list(bad)
    while stack:
        for p in g.pred[stack.pop()]:
            if p not in bad and p not in happy and not steps[p].recovery:
                bad.add(p)
                stack.append(p)
    for sid, flows in g.flows.items():
        for f in flows:
            if f.failure and f.target in bad:
                name = (f.label or "").strip() or f.target
                yield Finding(
                    f"failure branch '{name}' of '{sid}' reaches an end without "
                    "a recovery step and without rejoining the main path: add a step with "
                    "'recovery: true'", sid, ctx.step_path(sid, "next", f.index))
