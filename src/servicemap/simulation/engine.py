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
        working_lead_times: The same in working time of the map's calendar (empty
            without one).
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
    working_lead_times: list[float] = field(default_factory=list)


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
    if net.reference is not None:  # drawn in working time: laid out on the calendar
        instant = net.weeks[net.reference].instant
        found = [(instant(t), start) for t, start in found]
    return found


def run_replication(net: Network, seed: str, cases: int, warmup: int,
                    log: bool = False) -> Replication:
    """Simulate ``warmup + cases`` arrivals; measure the last ``cases`` of them.

    Each step of a case: its ``wait`` as a pure delay, then a server of its
    capacity (a ``simpy.Resource``; none: no queue), then its duration. The next
    step is drawn from the step's moves; a case ends at a step without moves.
    The statistics window runs from the first to the last measured arrival;
    the run goes on until every case has ended.

    With calendars (:attr:`Network.weeks`) cases arrive in the working hours
    of the map's calendar (gaps drawn in its working time), and a step's
    wait and work advance only in the working hours of its calendar: work
    begun late on Friday ends on Monday. Utilisation is then busy working
    time over the window's working time, queue waits are working time of the
    map's calendar, and each case's lead time is also measured in it.

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

    clock = _Clock(net, t0, t1)
    later, opened, busy, waited = clock.later, clock.opened, clock.busy, clock.waited
    clipped = clock.clipped

    def case(number: int, start: int) -> Generator[Any, Any, None]:
        measured = number >= warmup
        arrived = env.now
        at: int | None = start
        while at is not None:
            step = steps[at]
            entered = env.now
            if step.wait:
                yield env.timeout(later(at, env.now, step.wait))
            res = resources[at]
            if res is None:
                took = draw[at]()
                began, server = opened(at, env.now) if took else env.now, step.resource
                if log:
                    rep.events.append((number, at, "start", began, server))
                if took:
                    yield env.timeout(later(at, env.now, took))
            else:
                asked = env.now
                req = res.request()
                yield req
                began, k = opened(at, env.now), free[at].pop()
                server = f"{step.resource}-{k}"
                if log:
                    rep.events.append((number, at, "start", began, server))
                yield env.timeout(later(at, env.now, draw[at]()))
                res.release(req)
                free[at].append(k)
                rep.busy[at] += busy(at, began, env.now)
                if measured:
                    rep.waits[at] += waited(at, asked, began)
            if log:
                rep.events.append((number, at, "complete", env.now, server))
            rep.presence[at] += clipped(entered, env.now)
            if measured:
                rep.visits[at] += 1
            at = step.targets[bisect_right(step.cumulative, rng.random())] if step.targets \
                else None
        if measured:
            rep.lead_times.append(env.now - arrived)
            if clock.reference is not None:
                rep.working_lead_times.append(clock.reference.worked(env.now)
                                              - clock.reference.worked(arrived))

    def source() -> Generator[Any, Any, None]:
        now = 0.0
        for number, (t, start) in enumerate(arrivals):
            yield env.timeout(t - now)
            now = t
            env.process(case(number, start))

    env.process(source())
    env.run()
    clock.rescale(rep.busy, rep.window)
    return rep


class _Clock:
    """Each step's calendar in one replication: how long work takes, what is counted.

    Without calendars plain simulated time (seconds); with one, working time of
    the step's calendar (see :func:`run_replication`). ``t0``, ``t1``: the window.
    """

    def __init__(self, net: Network, t0: float, t1: float) -> None:
        self.weeks = [net.weeks[s.week] if s.week is not None else None for s in net.steps]
        self.scale = [s.scale for s in net.steps]
        self.reference = net.weeks[net.reference] if net.reference is not None else None
        self.t0, self.t1 = t0, t1

    def clipped(self, a: float, b: float) -> float:
        """The part of ``[a, b]`` within the window."""
        return max(0.0, min(b, self.t1) - max(a, self.t0))

    def later(self, at: int, now: float, took: float) -> float:
        """How long ``took`` working seconds of step ``at``'s calendar take from ``now``."""
        wk = self.weeks[at]
        return took if wk is None else wk.add(now, took) - now

    def opened(self, at: int, now: float) -> float:
        """When work at step ``at`` can begin: ``now``, or its calendar's next opening."""
        wk = self.weeks[at]
        return now if wk is None else wk.next_open(now)

    def busy(self, at: int, began: float, ended: float) -> float:
        """Server time used in the window: working time of the step's calendar, if any."""
        wk = self.weeks[at]
        if wk is None:
            return self.clipped(began, ended)
        return max(0.0, wk.worked(min(ended, self.t1)) - wk.worked(max(began, self.t0)))

    def waited(self, at: int, asked: float, began: float) -> float:
        """A queue wait: in the map calendar's working time where the step has a calendar."""
        wk = self.weeks[at]
        return began - asked if wk is None else (wk.worked(began) - wk.worked(asked)) \
            * self.scale[at]

    def rescale(self, busy: list[float], window: float) -> None:
        """Busy working time over the window's working time, as busy time over ``window``."""
        for i, wk in enumerate(self.weeks):
            worked = wk.worked(self.t1) - wk.worked(self.t0) if wk is not None else 0.0
            if wk is not None and worked > 0:
                busy[i] *= window / worked
