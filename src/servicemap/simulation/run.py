"""Replications of a compiled map, in parallel, summarised with confidence intervals."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from .engine import Event, run_replication
from .network import Network
from .result import PERCENTILES, Estimate, SimulationResult, StepStats, estimate

__all__ = ["Figures", "run_network"]

Progress = Callable[[int, int], None]
"""Called with (replications done, replications) as each one ends."""


@dataclass(frozen=True)
class Figures:
    """One replication's summary figures (small: this is what crosses between processes)."""

    lead_time: float
    percentiles: tuple[float, ...]
    visits: tuple[float, ...]
    utilisation: tuple[float | None, ...]
    queue_wait: tuple[float | None, ...]
    wip: tuple[float, ...]
    events: tuple[Event, ...] = ()
    working: tuple[float, ...] = ()


def _split(total: int, parts: int) -> list[int]:
    """``total`` cases over ``parts`` replications, as evenly as whole numbers go.

    >>> _split(10, 3)
    [4, 3, 3]
    """
    base, extra = divmod(total, parts)
    return [base + (r < extra) for r in range(parts)]


def _replicate(net: Network, seed: int, r: int, cases: int, warmup: int, log: bool) -> Figures:
    """Run replication ``r`` and reduce it to :class:`Figures` (in a worker process)."""
    import numpy as np

    rep = run_replication(net, f"servicemap:{seed}:{r}", cases, warmup, log)
    times = np.asarray(rep.lead_times, dtype=float)
    window = rep.window or 1.0
    per_case = 1.0 / max(rep.cases, 1)
    return Figures(
        lead_time=float(times.mean()) if times.size else 0.0,
        percentiles=tuple(float(p) for p in np.percentile(times, PERCENTILES))
        if times.size else (0.0,) * len(PERCENTILES),
        visits=tuple(v * per_case for v in rep.visits),
        utilisation=tuple(b / (window * s.capacity) if s.capacity else None
                          for b, s in zip(rep.busy, net.steps, strict=True)),
        queue_wait=tuple((w / v if v else 0.0) if s.capacity else None
                         for w, v, s in zip(rep.waits, rep.visits, net.steps, strict=True)),
        wip=tuple(p / window for p in rep.presence),
        events=tuple(rep.events),
        working=_mean_and_percentiles(rep.working_lead_times),
    )


def _mean_and_percentiles(values: list[float]) -> tuple[float, ...]:
    """The mean and the :data:`PERCENTILES` of ``values`` (empty for none)."""
    import numpy as np

    if not values:
        return ()
    times = np.asarray(values, dtype=float)
    return (float(times.mean()), *(float(p) for p in np.percentile(times, PERCENTILES)))


def _maybe(values: list[float | None]) -> Estimate | None:
    given = [v for v in values if v is not None]
    return estimate(given) if given else None


def _summarise(net: Network, figures: list[Figures], cases: int, seed: int,
               warmup: int) -> SimulationResult:
    steps = [
        StepStats(
            id=s.id, title=s.title, capacity=s.capacity,
            visits=estimate([f.visits[i] for f in figures]),
            utilisation=_maybe([f.utilisation[i] for f in figures]),
            queue_wait=_maybe([f.queue_wait[i] for f in figures]),
            wip=estimate([f.wip[i] for f in figures]),
        )
        for i, s in enumerate(net.steps)
    ]
    return SimulationResult(
        name=net.name, cases=cases, replications=len(figures), warmup=warmup, seed=seed,
        arrivals_per_h=net.arrivals_per_h,
        lead_time=estimate([f.lead_time for f in figures]),
        percentiles={p: estimate([f.percentiles[k] for f in figures])
                     for k, p in enumerate(PERCENTILES)},
        steps=steps,
        **_working(net, figures),
    )


def _working(net: Network, figures: list[Figures]) -> dict[str, Any]:
    """The lead time in working time of the map's calendar, where it has one."""
    if net.reference is None or not all(f.working for f in figures):
        return {}
    return {"calendar": net.weeks[net.reference].text,
            "lead_time_working": estimate([f.working[0] for f in figures]),
            "percentiles_working": {p: estimate([f.working[k + 1] for f in figures])
                                    for k, p in enumerate(PERCENTILES)}}


def run_network(net: Network, *, cases: int, seed: int, replications: int,
                warmup: int | None = None, workers: int | None = None, log: bool = False,
                progress: Progress | None = None) -> tuple[SimulationResult, tuple[Event, ...]]:
    """Run independent replications of ``net`` and summarise them.

    Replication *r* draws from the seed ``servicemap:{seed}:{r}`` alone, so the
    results do not depend on how many processes run them, nor in what order they end.

    Args:
        net: The compiled map.
        cases: Cases measured, all replications together.
        seed: The seed.
        replications: Independent replications (at least 1).
        warmup: Cases simulated before measuring, in each replication; default a
            tenth of a replication's cases.
        workers: Processes; default one per core (never more than replications).
        log: Whether to return the event log of the first replication.
        progress: Called as each replication ends.

    Returns:
        The result and the first replication's events (empty unless ``log``).

    Raises:
        ValueError: if ``cases`` or ``replications`` is below 1 or ``warmup`` below 0.
    """
    if replications < 1 or cases < replications:
        raise ValueError("need at least 1 replication and at least 1 case per replication")
    per = _split(cases, replications)
    warm = per[-1] // 10 if warmup is None else warmup
    if warm < 0:
        raise ValueError("warmup must be 0 or more cases")
    jobs = min(workers or os.cpu_count() or 1, replications)
    found: dict[int, Figures] = {}
    if jobs == 1:
        for r in range(replications):
            found[r] = _replicate(net, seed, r, per[r], warm, log and r == 0)
            if progress:
                progress(r + 1, replications)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_replicate, net, seed, r, per[r], warm, log and r == 0): r
                       for r in range(replications)}
            for done, future in enumerate(as_completed(futures), 1):
                found[futures[future]] = future.result()
                if progress:
                    progress(done, replications)
    figures = [found[r] for r in range(replications)]
    return _summarise(net, figures, cases, seed, warm), figures[0].events
