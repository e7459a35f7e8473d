"""A map compiled for simulation: plain per-step numbers and the routing of flow/markov.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import accumulate

from ..calendars import WEEK, WorkWeek, working_rate_per_hour, working_seconds
from ..flow.graph import FlowGraph, flow_graph
from ..flow.markov import (
    arrival_rate,
    flow_moves,
    start_distribution,
    start_shares,
    total_arrivals,
)
from ..model import Blueprint
from ..values import Rate

__all__ = ["Network", "SimStep", "compile_network"]


@dataclass(frozen=True)
class SimStep:
    """One step as the simulation sees it (times in seconds).

    Attributes:
        id: The step id.
        title: Its label, or the id.
        resource: Who does it: its lane id, else its id (the event log's resource).
        duration: Mean duration (0: takes no time).
        distribution: The duration's shape (``None``: exponential, or gamma with a cv).
        cv: The duration's coefficient of variation, if given.
        wait: A pure delay before the step (the map's ``wait``), 0 if none.
        capacity: Executions at once; ``None``: unlimited (no queue).
        targets: Where a case goes next; empty at an end.
        cumulative: Cumulative probabilities of ``targets`` (the last is 1).
        logged: Whether the step is an activity of the event log (not a connector).
        fork: A parallel step with several next steps: a case's token goes down every one.
        inputs: At a join (a parallel step with several incoming flows), the steps its
            flows come from: it waits for a token of the case from each; empty elsewhere.
        week: Position in :attr:`Network.weeks` of the calendar the step works by
            (its lane's, else the map's); ``None``: around the clock. Its
            ``duration`` and ``wait`` are then working seconds of that calendar.
        scale: Reference working seconds per working second of the step's
            calendar (``W_ref / W``), for its queue waits.
    """

    id: str
    title: str
    resource: str
    duration: float = 0.0
    distribution: str | None = None
    cv: float | None = None
    wait: float = 0.0
    capacity: int | None = None
    targets: tuple[int, ...] = ()
    cumulative: tuple[float, ...] = ()
    logged: bool = True
    fork: bool = False
    inputs: tuple[int, ...] = ()
    week: int | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class Stream:
    """An arrival stream: its rate, the cv of its gaps, and where its cases start."""

    rate_per_s: float
    cv: float
    starts: tuple[int, ...]
    cumulative: tuple[float, ...]


@dataclass(frozen=True)
class Network:
    """A map as plain numbers: picklable, so replications run in other processes.

    Attributes:
        name: The map's name.
        steps: The steps; moves refer to them by position.
        streams: The arrival streams (one, or one per start where starts give arrivals_cv).
        arrivals_per_h: Cases entering per hour, all streams together (per working
            hour of the map's calendar where it has one).
        weeks: The calendars the steps work by (see :attr:`SimStep.week`).
        reference: Position in ``weeks`` of the map's calendar: arrivals come in
            its working hours, at rates per working hour; ``None``: around the clock.
    """

    name: str
    steps: tuple[SimStep, ...]
    streams: tuple[Stream, ...]
    arrivals_per_h: float
    index: dict[str, int] = field(default_factory=dict, compare=False)
    weeks: tuple[WorkWeek, ...] = ()
    reference: int | None = None


def _cumulative(moves: list[tuple[int, float]]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Targets and cumulative probabilities, the last made exactly 1 (rounding never strands)."""
    targets = tuple(t for t, _ in moves)
    cum = list(accumulate(p for _, p in moves))
    if cum:
        cum[-1] = math.inf
    return targets, tuple(cum)


def _streams(g: FlowGraph, bp: Blueprint, rate: float, index: dict[str, int],
             week: WorkWeek | None = None) -> tuple[Stream, ...]:
    """One stream split over the starts by their shares; or one per start with its own cv.

    With a calendar the starts' rates are per working hour (a rate per day per
    working day), as the analysis reads them, before they are compared.
    """
    if week is None:
        shares = start_distribution(g, bp.arrivals.per_hour if bp.arrivals else None)
    else:
        starts = g.starts()
        given = [getattr(g.steps[s], "arrivals", None) for s in starts]
        shares = dict(zip(starts, start_shares(
            [None if r is None else working_rate_per_hour(r, week) for r in given],
            working_rate_per_hour(bp.arrivals, week) if bp.arrivals else None), strict=True))
    own = {s: getattr(g.steps[s], "arrivals_cv", None) for s in shares}
    map_cv = 1.0 if bp.arrivals_cv is None else bp.arrivals_cv
    if all(cv is None for cv in own.values()):
        targets, cum = _cumulative([(index[s], p) for s, p in shares.items() if p > 0])
        return (Stream(rate / 3600.0, map_cv, targets, cum),)
    return tuple(
        Stream(rate * p / 3600.0, map_cv if own[s] is None else float(own[s] or 0.0),
               (index[s],), (math.inf,))
        for s, p in shares.items() if p > 0
    )


def compile_network(bp: Blueprint, arrivals_per_h: float | Rate | None = None,
                    graph: FlowGraph | None = None) -> Network:
    """The map as a :class:`Network`, routed by :func:`servicemap.flow.markov.flow_moves`.

    A ``parallel`` step with several next steps is a fork (every target gets a
    token, whatever the moves' shares); one with several incoming flows is a
    join, waiting for a token from each of the steps in ``inputs``.

    Args:
        bp: A map without structural errors (the caller checks).
        arrivals_per_h: Cases per hour entering, or a rate (per working day where
            per day and the map has a calendar); default the map's (see
            :func:`servicemap.flow.markov.arrival_rate`).
        graph: The map's flow graph, if already built.

    Raises:
        ValueError: if neither the map nor the call gives arrivals.

    Example:
        >>> from servicemap import loads
        >>> net = compile_network(loads('''
        ... name: one
        ... arrivals: 6/h
        ... steps:
        ...   - {id: s, kind: terminator, next: w}
        ...   - {id: w, kind: task, duration: 5m, capacity: 1, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> [(s.id, s.duration, s.capacity, s.targets) for s in net.steps]
        [('s', 0.0, None, (1,)), ('w', 300.0, 1, (2,)), ('e', 0.0, None, ())]

    Notes:
        O(V + E).
    """
    g = graph if graph is not None else flow_graph(bp)
    week, lanes = bp.working_weeks()
    rate = _rate(g, bp, week, arrivals_per_h)
    if rate is None or not rate > 0:
        raise ValueError("the map gives no arrivals: add 'arrivals' (e.g. 'arrivals: 30/h') "
                         "or pass arrivals")
    index = {sid: i for i, sid in enumerate(g.steps)}
    moves, _ = flow_moves(g)
    weeks = ([week] if week is not None else []) + list(lanes.values())
    at = {lane: k + (week is not None) for k, lane in enumerate(lanes)}
    reference = week.average_weekly if week is not None else WEEK
    steps = []
    for sid, step in g.steps.items():
        parallel = step.kind == "parallel"
        targets, cum = _cumulative([(index[t], p) for t, p in moves[sid] if p > 0])
        inputs = tuple(index[p] for p in g.pred[sid]) if parallel and len(g.pred[sid]) > 1 \
            else ()
        k = at.get(step.lane or "", 0 if week is not None else None)
        wk = weeks[k] if k is not None else None
        steps.append(SimStep(
            id=sid, title=step.title, resource=step.lane or sid,
            duration=working_seconds(step.duration, wk) if step.duration else 0.0,
            distribution=step.distribution, cv=step.cv,
            wait=working_seconds(step.wait, wk) if step.wait else 0.0,
            capacity=step.capacity, targets=targets, cumulative=cum,
            logged=step.kind != "connector", week=k,
            scale=reference / wk.average_weekly if wk is not None else 1.0,
            fork=parallel and len(targets) > 1, inputs=inputs,
        ))
    return Network(bp.name, tuple(steps), _streams(g, bp, rate, index, week), rate, index,
                   tuple(weeks), 0 if week is not None else None)


def _rate(g: FlowGraph, bp: Blueprint, week: WorkWeek | None,
          given: float | Rate | None) -> float | None:
    """Cases entering per hour (per working hour of ``week``: a rate per day is per working day)."""
    if isinstance(given, Rate):
        return working_rate_per_hour(given, week)
    if given is not None:
        return given
    if week is None:
        return arrival_rate(g, bp.arrivals.per_hour if bp.arrivals else None)
    rates = [working_rate_per_hour(r, week) for s in g.starts()
             if (r := getattr(g.steps[s], "arrivals", None)) is not None]
    return total_arrivals(rates, working_rate_per_hour(bp.arrivals, week) if bp.arrivals
                          else None)
