"""SM501 overloaded: a step whose utilisation is 1 or more — its queue grows without bound.

Only checked where the map gives arrivals (the map's ``arrivals`` or its start
terminators') and the step has a ``capacity`` and a ``duration``. A step's
utilisation is ``λ · v · PT / c``: arrivals per hour times expected visits per
case (rework loops included) times process time in hours, over capacity.

Why it matters: at utilisation 1 or more, work arrives faster than the step
can finish it, and waiting times grow without limit however the queue is
managed.

Failing example::

    name: Hotline
    arrivals: 60/h
    steps:
      - {id: start, kind: terminator, next: answer}
      - {id: answer, kind: task, duration: 2m, capacity: 1, next: done}   # SM501: ρ = 2
      - {id: done, kind: terminator}

Passing example::

    name: Hotline
    arrivals: 60/h
    steps:
      - {id: start, kind: terminator, next: answer}
      - {id: answer, kind: task, duration: 2m, capacity: 3, next: done}   # ρ = 0.67
      - {id: done, kind: terminator}
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..flow.markov import arrival_rate, visits
from .base import Context, Finding

__all__ = ["check", "utilisations"]

ID = "SM501"
NAME = "overloaded"
LEVEL = "error"


def utilisations(ctx: Context) -> dict[str, float]:
    """Utilisation of each capacity-constrained step with a duration, where arrivals are known."""
    g = ctx.graph
    map_rate = ctx.blueprint.arrivals.per_hour if ctx.blueprint.arrivals else None
    rate = arrival_rate(g, map_rate)
    sized = {sid: s for sid, s in g.steps.items()
             if s.capacity is not None and s.duration is not None and s.kind != "delay"}
    if rate is None or not sized:
        return {}
    v = visits(g, map_rate=map_rate)
    if v is None:
        return {}
    return {sid: _per_server(rate * v[sid] * (s.duration.total_seconds() / 3600.0), s.capacity)
            for sid, s in sized.items() if s.duration is not None and s.capacity is not None}


def _per_server(work: float, servers: int) -> float:
    """``work / servers`` for a capacity of any size (0 beyond the float range).

    >>> _per_server(3.0, 2), _per_server(3.0, 10**400)
    (1.5, 0.0)
    """
    try:
        return work / servers
    except OverflowError:  # more servers than a float holds
        return 0.0


def _times(x: float) -> str:
    """A utilisation or a capacity for the message: two decimals, or three digits when large.

    >>> _times(1.25), _times(3.5e9), _times(float("inf"))
    ('1.25', '3.5e+09', 'more than 1.8e308')
    """
    if not math.isfinite(x):
        return "more than 1.8e308"
    return f"{x:.2f}" if x < 1e6 else f"{x:.3g}"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step with utilisation >= 1."""
    for sid, rho in utilisations(ctx).items():
        if rho >= 1.0:
            step = ctx.graph.steps[sid]
            need = rho * (step.capacity or 1)
            above = f"{need:.1f}" if need < 1e6 else _times(need)
            yield Finding(
                f"step '{sid}' is overloaded: utilisation {_times(rho)} (work arrives "
                f"{_times(rho)}× faster than its capacity of {step.capacity} can finish it); "
                f"it needs a capacity above {above}, a shorter duration or fewer arrivals",
                sid, ctx.step_path(sid, "capacity"))
