"""What a simulation reports: estimates with 95 % confidence intervals over replications."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass
from statistics import fmean, stdev
from typing import Any

from ..values import format_percent, format_seconds

__all__ = ["Estimate", "SimulationResult", "StepStats", "estimate"]

PERCENTILES: tuple[int, ...] = (50, 80, 95)
"""The lead-time percentiles reported."""


@dataclass(frozen=True)
class Estimate:
    """A mean over replications and its 95 % confidence interval (``None`` with one replication).

    Attributes:
        mean: The mean of the replications' values.
        low: Lower end of the 95 % confidence interval.
        high: Upper end.
    """

    mean: float
    low: float | None
    high: float | None

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the interval (with one replication: equals the mean).

        >>> Estimate(1.0, 0.9, 1.1).covers(1.05), Estimate(1.0, 0.9, 1.1).covers(1.2)
        (True, False)
        """
        if self.low is None or self.high is None:
            return value == self.mean
        return self.low <= value <= self.high


def estimate(values: list[float]) -> Estimate:
    """Mean and Student-t 95 % interval of independent replications' values.

    mean ± t(0.975, R − 1) · s / √R (Law, *Simulation Modeling and Analysis*, 5th ed.,
    §9.4.1), scipy's t quantile.

    >>> e = estimate([1.0, 2.0, 3.0])
    >>> e.mean, round(e.low, 4), round(e.high, 4)
    (2.0, -0.4841, 4.4841)
    >>> estimate([5.0])
    Estimate(mean=5.0, low=None, high=None)
    """
    mean = fmean(values)
    if len(values) < 2:
        return Estimate(mean, None, None)
    from scipy.stats import t

    half = float(t.ppf(0.975, len(values) - 1)) * stdev(values) / math.sqrt(len(values))
    return Estimate(mean, mean - half, mean + half)


@dataclass(frozen=True)
class StepStats:
    """One step's simulated figures (times in seconds).

    Attributes:
        id: The step id.
        title: Its label, or the id.
        capacity: Its capacity, or ``None``.
        visits: Executions per case.
        utilisation: Busy servers / capacity (``None`` without a capacity).
        queue_wait: Mean wait for a server per execution (``None`` without a capacity).
        wip: Mean number of cases at the step (its wait, queue and work).
    """

    id: str
    title: str
    capacity: int | None
    visits: Estimate
    utilisation: Estimate | None
    queue_wait: Estimate | None
    wip: Estimate


@dataclass(frozen=True)
class SimulationResult:
    """A simulation's report: lead time and per-step figures, each with its interval.

    Attributes:
        name: The map's name.
        cases: Cases measured, all replications together.
        replications: Independent replications.
        warmup: Cases simulated first in each replication and not measured.
        seed: The seed (the same seed gives the same numbers on any number of cores).
        arrivals_per_h: Cases entering per hour.
        lead_time: Mean time from arrival to an end.
        percentiles: Lead-time percentiles (50, 80, 95) estimated per replication.
        steps: Per step, in the map's order.
        calendar: The map's working calendar, for a person (``None``: none); the
            lead time and percentiles above are then calendar time, and:
        lead_time_working: The mean lead time in the calendar's working time.
        percentiles_working: Its percentiles in working time.
    """

    name: str
    cases: int
    replications: int
    warmup: int
    seed: int
    arrivals_per_h: float
    lead_time: Estimate
    percentiles: dict[int, Estimate]
    steps: list[StepStats]
    calendar: str | None = None
    lead_time_working: Estimate | None = None
    percentiles_working: dict[int, Estimate] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as ``--format json`` prints (times in seconds)."""
        data = asdict(self)
        for key in ("percentiles", "percentiles_working"):
            if data[key] is not None:
                data[key] = {f"p{k}": v for k, v in data[key].items()}
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_csv(self) -> str:
        """One row per step and figure: ``step,figure,mean,low,high`` (lead time as step ``*``)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["step", "figure", "mean", "low", "high"])
        rows: list[tuple[str, str, Estimate | None]] = [("*", "lead_time_s", self.lead_time)]
        rows += [("*", f"lead_time_p{k}_s", e) for k, e in self.percentiles.items()]
        if self.lead_time_working is not None and self.percentiles_working is not None:
            rows += [("*", "working_lead_time_s", self.lead_time_working)]
            rows += [("*", f"working_lead_time_p{k}_s", e)
                     for k, e in self.percentiles_working.items()]
        for s in self.steps:
            rows += [(s.id, "visits", s.visits), (s.id, "utilisation", s.utilisation),
                     (s.id, "queue_wait_s", s.queue_wait), (s.id, "wip", s.wip)]
        for sid, figure, e in rows:
            if e is not None:
                writer.writerow([sid, figure, repr(e.mean), _cell(e.low), _cell(e.high)])
        return out.getvalue()

    def to_text(self) -> str:
        """A report for people: lead time, percentiles, then a table of the steps."""
        lines = [f"Simulation of {self.name}: {self.cases:,} cases in {self.replications} "
                 f"replications (seed {self.seed}, warm-up {self.warmup:,} cases each), "
                 f"{self.arrivals_per_h:g} cases/h; 95% confidence intervals", "",
                 f"  lead time   {_time(self.lead_time)}"]
        lines += [f"  p{k:<10}{_time(e)}" for k, e in self.percentiles.items()]
        if self.lead_time_working is not None and self.percentiles_working is not None:
            lines[-4:-4] = [f"  working calendar: {self.calendar}; the lead time is calendar "
                            "time, utilisation and queue waits working time", ""]
            lines += ["", f"  working lead time   {_time(self.lead_time_working)}"]
            lines += [f"  working p{k:<10}{_time(e)}" for k, e in self.percentiles_working.items()]
        lines += ["", f"  {'step':<24}{'visits':>8}  {'utilisation':<26}{'queue wait':<32}"
                  "WIP"]
        for s in self.steps:
            util = _interval(s.utilisation, format_percent) if s.utilisation else "-"
            wait = _time(s.queue_wait) if s.queue_wait else "-"
            lines.append(f"  {s.id[:24]:<24}{s.visits.mean:>8.3g}  {util:<25} {wait:<31} "
                         f"{_interval(s.wip, lambda v: f'{v:.3g}')}")
        return "\n".join(lines) + "\n"


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def _interval(e: Estimate, fmt: Any) -> str:
    if e.low is None or e.high is None:
        return str(fmt(e.mean))
    return f"{fmt(e.mean)} [{fmt(max(e.low, 0.0))}, {fmt(e.high)}]"


def _time(e: Estimate) -> str:
    return _interval(e, format_seconds)
