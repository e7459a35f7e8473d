"""Lead-time percentiles by simulation, for the analysis where the phase-type ones are not exact."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..flow.graph import FlowGraph
from ..model import Blueprint
from ..values import Rate
from .network import compile_network
from .run import run_network

__all__ = ["BUDGET", "MIN_CASES", "SimulatedPercentiles", "cases_within_budget",
           "simulated_percentiles"]

BUDGET = 200_000.0
"""At most this many step executions are simulated (cases · executions per case)."""

MIN_CASES = 1000
"""Fewer cases than this within the budget: the map is not simulated (too many steps)."""

REPLICATIONS = 5
"""Independent replications the cases are split over (the intervals are over them)."""


@dataclass(frozen=True)
class SimulatedPercentiles:
    """p50, p80, p95 of the lead time in seconds, with the half widths of their 95 % intervals.

    Attributes:
        working: The percentiles in working time of the map's calendar (calendar
            time where it has none): the analysis' own clock.
        calendar: In calendar time, where the map has a calendar (else ``None``).
        half_width: The largest half width of the 95 % interval of ``working``'s
            percentiles, relative to the percentile.
        method: The method for a person: ``"by simulation: 5,000 cases in 5
            replications, seed 1, 95% CI within ±1.3%"``.
    """

    working: dict[str, float]
    calendar: dict[str, float] | None
    half_width: float
    method: str


def cases_within_budget(cases: int, executions: float) -> int:
    """The cases :func:`simulated_percentiles` simulates of ``cases`` asked: at most
    :data:`BUDGET` step executions, 0 where fewer than :data:`MIN_CASES` fit.

    >>> cases_within_budget(10_000, 5.0), cases_within_budget(10_000, 150.0)
    (10000, 1333)
    >>> cases_within_budget(10_000, 250.0), cases_within_budget(999, 1.0)
    (0, 0)
    """
    cases = min(cases, int(BUDGET / max(executions, 1.0))) if executions >= 0 else 0
    return cases if cases >= MIN_CASES else 0


def simulated_percentiles(bp: Blueprint, graph: FlowGraph | None, arrivals: Rate | float | None,
                          *, cases: int, seed: int = 1, queues: bool = True,
                          executions: float) -> SimulatedPercentiles | None:
    """Estimate the lead-time percentiles by simulating up to ``cases`` cases (one process).

    At most :data:`BUDGET` step executions: fewer cases where a case takes many
    steps, none where fewer than :data:`MIN_CASES` would fit.

    Args:
        bp: A map without structural errors.
        graph: Its flow graph, if built.
        arrivals: Arrivals overriding the map's (``None``: the map's).
        cases: Cases measured, over :data:`REPLICATIONS` replications.
        seed: The seed.
        queues: Whether to model the capacities' queues; without arrivals the
            analysis models none, and the cases are then simulated one by one
            (capacities taken away, at 1 case an hour), which gives the same
            lead times whatever the rate.
        executions: Expected step executions per case (the analysis' visits, summed).

    Returns:
        The percentiles, or ``None`` where the map is too large to simulate in
        the analysis (see above) or ``cases`` is below :data:`MIN_CASES`.

    Notes:
        O(cases · executions) simpy events.
    """
    cases = cases_within_budget(cases, executions)
    if not cases:
        return None
    net = compile_network(bp, arrivals if queues else 1.0, graph)
    if not queues:
        net = dataclasses.replace(net, steps=tuple(dataclasses.replace(s, capacity=None)
                                                   for s in net.steps))
    result, _ = run_network(net, cases=cases, seed=seed, replications=REPLICATIONS, workers=1)
    use = result.percentiles_working if result.percentiles_working is not None \
        else result.percentiles
    working = {f"p{k}": e.mean for k, e in use.items()}
    widths = [(e.high - e.mean) / e.mean for e in use.values()
              if e.high is not None and e.mean > 0]
    half = max(widths, default=0.0)
    calendar = ({f"p{k}": e.mean for k, e in result.percentiles.items()}
                if result.percentiles_working is not None else None)
    method = (f"by simulation: {cases:,} cases in {REPLICATIONS} replications, seed {seed}, "
              f"95% CI within ±{half:.1%}")
    return SimulatedPercentiles(working, calendar, half, method)
