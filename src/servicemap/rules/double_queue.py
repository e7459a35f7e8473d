"""SM502 double-counted-queue: a step whose ``wait`` may be the queue its capacity already makes.

A step's ``wait`` is delay its own capacity does not cause (hand-offs,
batching, a scheduled pick-up); the queue in front of its servers is computed
by the analysis from its ``capacity``, ``duration`` and the arrivals (the
M/M/c wait, Erlang C) and added to the lead time. Where a step has both, and
the two are within a factor of 3 of each other, the ``wait`` is likely that
same queue, observed, and the lead time counts it twice.

Only checked where the map gives arrivals and the step has a ``wait``, a
``capacity`` and a ``duration`` and is not overloaded (SM501 reports that).

Why it matters: a queue counted twice inflates lead time and hides where
time really goes. Remove the ``wait`` if it is the queue, or keep it if it
is a different delay (then the warning can be ignored for the step).

Failing example::

    name: Desk
    arrivals: 12/h
    steps:
      - {id: start, kind: terminator, next: solve}
      - {id: solve, kind: task, duration: 10m, wait: 5m, capacity: 3, next: done}  # SM502
      - {id: done, kind: terminator}

Passing example::

    name: Desk
    arrivals: 12/h
    steps:
      - {id: start, kind: terminator, next: solve}
      - {id: solve, kind: task, duration: 10m, wait: 1d, capacity: 3, next: done}  # a batch
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..flow.queues import mmc_wait
from ..values import format_seconds
from .base import Context, Finding
from .overloaded import utilisations

__all__ = ["FACTOR", "check", "modelled_wait"]

ID = "SM502"
NAME = "double-counted-queue"
LEVEL = "warning"

FACTOR = 3.0
"""A wait and a modelled queue wait within this factor of each other are suspect."""


def modelled_wait(rho: float, process_time_s: float, servers: int) -> float:
    """The M/M/c queue wait in seconds of a step with utilisation ``rho`` < 1.

    ``λ = ρ·c·μ`` with ``μ = 1 / PT``; see :func:`servicemap.flow.queues.mmc_wait`.

    >>> round(modelled_wait(2 / 3, 600.0, 3), 1)  # λ = 12/h, μ = 6/h, c = 3: C = 4/9
    266.7

    Notes:
        O(min(c, 1000)).
    """
    mu = 1.0 / process_time_s
    return mmc_wait(rho * servers * mu, mu, servers)


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step whose wait and modelled queue wait are within 3×."""
    for sid, rho in utilisations(ctx).items():
        step = ctx.graph.steps[sid]
        if (rho >= 1.0 or step.wait is None or step.duration is None or step.capacity is None
                or step.duration.total_seconds() <= 0.0):
            continue
        wait = step.wait.total_seconds()
        queue = modelled_wait(rho, step.duration.total_seconds(), step.capacity)
        if wait <= 0.0 or queue <= 0.0 or max(wait, queue) > FACTOR * min(wait, queue):
            continue
        yield Finding(
            f"step '{sid}' has a wait of {format_seconds(wait)} and a capacity whose queue the "
            f"analysis models as {format_seconds(queue)} (M/M/c, utilisation {rho:.2f}): if "
            "the wait is that queue, the lead time counts it twice; keep in 'wait' only delay "
            "its capacity does not cause (hand-offs, batching)",
            sid, ctx.step_path(sid, "wait"))
