"""One replication: cases walked through a compiled map by simpy processes."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from .network import Network
from .sampling import Sampler, gap_sampler, sampler

__all__ = ["Event", "Replication", "run_replication"]

Event = tuple[int, int, str, float, str]
"""One event-log row: case number, step position, lifecycle (start/complete), time (s), resource."""


@dataclass
class Replication:
    """What one replication measured, over its measured window (times in seconds).

    Attributes:
        cases: Cases measured (those that arrived after the warm-up).
        window: Length of the measured window: first to last measured arrival.
        lead_times: Each measured case's time from arrival to an end.
        visits: Per step, executions by measured cases.
        waits: Per step, total queue wait of those executions (for a capacity).
        busy: Per step, server time used within the window.
        presence: Per step, case-time spent at the step within the window (WIP · window).
        events: The event log (only when asked for).
    """

    cases: int
    window: float
    lead_times: list[float]
    visits: list[int]
    waits: list[float]
    busy: list[float]
    presence: list[float]
    events: list[Event] = field(default_factory=list)


def _arrivals(net: Network, rng: random.Random, total: int) -> list[tuple[float, int]]:
    """Arrival times and start steps of ``total`` cases, merged over the streams, in time order."""
    found: list[tuple[float, int]] = []
    for stream in net.streams:
        gap = gap_sampler(rng, stream.rate_per_s, stream.cv)
        t = 0.0
        for _ in range(total):
            t += gap()
            start = stream.starts[bisect_right(stream.cumulative, rng.random())]
            found.append((t, start))
    if len(net.streams) > 1:
        found.sort()
        del found[total:]
    return found


def run_replication(net: Network, seed: str, cases: int, warmup: int,
                    log: bool = False) -> Replication:
    """Simulate ``warmup + cases`` arrivals; measure the last ``cases`` of them.

    Each step of a case: its ``wait`` as a pure delay, then a server of its
    capacity (a ``simpy.Resource``; none: no queue), then its duration. The next
    step is drawn from the step's moves; a case ends at a step without moves.
    The statistics window runs from the first to the last measured arrival;
    the run goes on until every case has ended.

    Args:
        net: The compiled map.
        seed: The replication's seed (the same seed, the same numbers).
        cases: Cases measured.
        warmup: Cases simulated first and not measured.
        log: Whether to record the event log (start and complete of each step).

    Returns:
        The :class:`Replication`.

    Notes:
        O(cases · executions per case) simpy events; memory O(cases) (events when logged).
    """
    rng = random.Random(seed)
    n = len(net.steps)
    env = simpy.Environment()
    resources = [simpy.Resource(env, s.capacity) if s.capacity else None for s in net.steps]
    free: list[list[int]] = [list(range(s.capacity or 0, 0, -1)) for s in net.steps]
    draw: list[Sampler] = [sampler(rng, s.duration, s.distribution, s.cv) for s in net.steps]
    arrivals = _arrivals(net, rng, warmup + cases)
    t0 = arrivals[warmup][0] if cases else 0.0
    t1 = arrivals[-1][0] if arrivals else 0.0
    rep = Replication(cases, t1 - t0, [], [0] * n, [0.0] * n, [0.0] * n, [0.0] * n)
    steps = net.steps

    def clipped(a: float, b: float) -> float:
        return max(0.0, min(b, t1) - max(a, t0))

    def case(number: int, start: int) -> Generator[Any, Any, None]:
        measured = number >= warmup
        arrived = env.now
        at: int | None = start
        while at is not None:
            step = steps[at]
            entered = env.now
            if step.wait:
                yield env.timeout(step.wait)
            res = resources[at]
            if res is None:
                began, server = env.now, step.resource
                if log:
                    rep.events.append((number, at, "start", began, server))
                took = draw[at]()
                if took:
                    yield env.timeout(took)
            else:
                asked = env.now
                req = res.request()
                yield req
                began, k = env.now, free[at].pop()
                server = f"{step.resource}-{k}"
                if log:
                    rep.events.append((number, at, "start", began, server))
                yield env.timeout(draw[at]())
                res.release(req)
                free[at].append(k)
                rep.busy[at] += clipped(began, env.now)
                if measured:
                    rep.waits[at] += began - asked
            if log:
                rep.events.append((number, at, "complete", env.now, server))
            rep.presence[at] += clipped(entered, env.now)
            if measured:
                rep.visits[at] += 1
            at = step.targets[bisect_right(step.cumulative, rng.random())] if step.targets \
                else None
        if measured:
            rep.lead_times.append(env.now - arrived)

    def source() -> Generator[Any, Any, None]:
        now = 0.0
        for number, (t, start) in enumerate(arrivals):
            yield env.timeout(t - now)
            now = t
            env.process(case(number, start))

    env.process(source())
    env.run()
    return rep
