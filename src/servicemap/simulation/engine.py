"""One replication: cases walked through a compiled map by simpy processes."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from .network import Network, SimStep
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


class _Case:
    """One case's tokens: how many are under way, and those waiting at each join."""

    __slots__ = ("arrived", "live", "measured", "number", "waiting")

    def __init__(self, number: int, measured: bool, arrived: float) -> None:
        self.number = number
        self.measured = measured
        self.arrived = arrived
        self.live = 1
        self.waiting: dict[int, list[int]] = {}

    def joins(self, step: SimStep, at: int, came_from: int | None) -> bool:
        """Whether a token arriving at join ``at`` from ``came_from`` passes (fires the join).

        It passes when a token of this case waits on every other incoming flow;
        those are used up with it. Otherwise it waits (and ends as a token).
        """
        counts = self.waiting.setdefault(at, [0] * len(step.inputs))
        counts[step.inputs.index(came_from) if came_from in step.inputs else 0] += 1
        if min(counts) == 0:
            return False
        for k in range(len(counts)):
            counts[k] -= 1
        return True


class _Run:
    """The state of one replication: the environment, servers, samplers and what it measures."""

    def __init__(self, net: Network, seed: str, cases: int, warmup: int, log: bool) -> None:
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        self.steps = net.steps
        self.warmup, self.log = warmup, log
        self.resources = [simpy.Resource(self.env, s.capacity) if s.capacity else None
                          for s in net.steps]
        self.free: list[list[int]] = [list(range(s.capacity or 0, 0, -1)) for s in net.steps]
        self.draw: list[Sampler] = [sampler(self.rng, s.duration, s.distribution, s.cv)
                                    for s in net.steps]
        self.arrivals = _arrivals(net, self.rng, warmup + cases)
        self.t0 = self.arrivals[warmup][0] if cases else 0.0
        self.t1 = self.arrivals[-1][0] if self.arrivals else 0.0
        n = len(net.steps)
        self.rep = Replication(cases, self.t1 - self.t0, [], [0] * n, [0.0] * n, [0.0] * n,
                               [0.0] * n)
        self.clock = _Clock(net, self.t0, self.t1)

    def execute(self, case: _Case, at: int) -> Generator[Any, Any, None]:
        """One execution of step ``at``: its wait, a server if it has a capacity, its duration.

        With a calendar the wait and the work advance only in working hours (:class:`_Clock`).
        """
        env, rep, step, clock = self.env, self.rep, self.steps[at], self.clock
        entered = env.now
        if step.wait:
            yield env.timeout(clock.later(at, env.now, step.wait))
        res = self.resources[at]
        if res is None:
            took = self.draw[at]()
            began, server = clock.opened(at, env.now) if took else env.now, step.resource
            if self.log:
                rep.events.append((case.number, at, "start", began, server))
            if took:
                yield env.timeout(clock.later(at, env.now, took))
        else:
            asked = env.now
            req = res.request()
            yield req
            began, k = clock.opened(at, env.now), self.free[at].pop()
            server = f"{step.resource}-{k}"
            if self.log:
                rep.events.append((case.number, at, "start", began, server))
            yield env.timeout(clock.later(at, env.now, self.draw[at]()))
            res.release(req)
            self.free[at].append(k)
            rep.busy[at] += clock.busy(at, began, env.now)
            if case.measured:
                rep.waits[at] += clock.waited(at, asked, began)
        if self.log:
            rep.events.append((case.number, at, "complete", env.now, server))
        rep.presence[at] += clock.clipped(entered, env.now)
        if case.measured:
            rep.visits[at] += 1

    def token(self, case: _Case, at: int | None,
              came_from: int | None = None) -> Generator[Any, Any, None]:
        """A token of ``case`` from step ``at`` on, until it ends or waits at a join.

        A fork starts a token down each of its other next steps and goes on
        down the first; the case ends when its last token does.
        """
        steps = self.steps
        while at is not None:
            step = steps[at]
            if step.inputs and not case.joins(step, at, came_from):
                break
            yield from self.execute(case, at)
            came_from = at
            if step.fork:
                for other in step.targets[1:]:
                    case.live += 1
                    self.env.process(self.token(case, other, at))
                at = step.targets[0]
            else:
                at = step.targets[bisect_right(step.cumulative, self.rng.random())] \
                    if step.targets else None
        case.live -= 1
        if case.live == 0 and case.measured:
            self.rep.lead_times.append(self.env.now - case.arrived)
            reference = self.clock.reference
            if reference is not None:
                self.rep.working_lead_times.append(reference.worked(self.env.now)
                                                   - reference.worked(case.arrived))

    def source(self) -> Generator[Any, Any, None]:
        """Start each case at its arrival time."""
        env, now = self.env, 0.0
        for number, (t, start) in enumerate(self.arrivals):
            yield env.timeout(t - now)
            now = t
            env.process(self.token(_Case(number, number >= self.warmup, t), start))


def run_replication(net: Network, seed: str, cases: int, warmup: int,
                    log: bool = False) -> Replication:
    """Simulate ``warmup + cases`` arrivals; measure the last ``cases`` of them.

    Each step of a case: its ``wait`` as a pure delay, then a server of its
    capacity (a ``simpy.Resource``; none: no queue), then its duration. The next
    step is drawn from the step's moves; a case ends at a step without moves.
    A fork (a ``parallel`` step with several next steps) sends a token of the
    case down every next step at once; a join (a ``parallel`` step with
    several incoming flows) waits for a token of that case on each incoming
    flow, then one token goes on. A case ends when its last token ends, and
    its lead time runs from its arrival to then.
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
    run = _Run(net, seed, cases, warmup, log)
    run.env.process(run.source())
    run.env.run()
    run.clock.rescale(run.rep.busy, run.rep.window)
    return run.rep


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
