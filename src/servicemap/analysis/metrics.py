"""Every metric of a solved map, computed once: times, cost, accuracy, load and the tables."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .bottlenecks import (
    BottleneckRow,
    bottleneck_of,
    bottleneck_rows_of,
    convergence_points_of,
    loads_of,
    queue_waits_of,
    time_traps_of,
    utilisation_of,
)
from .chain import FloatArray, FlowChain
from .failures import FailurePoint, failure_table_of, percent
from .flow import end_probabilities_of, success_probability_of
from .parallel import ParallelLead, parallel_lead_of, regions_checked
from .percentiles import lead_time_percentiles_of
from .result import Summary
from .times import (
    Metric,
    activity_ratio_of,
    cost_of,
    lead_time_of,
    process_time_of,
    rolled_accuracy_of,
    step_lead_times,
    step_process_times,
)
from .variability import queue_method_of, queued_of
from .yields import Yields, accurate_flow, yields_of

__all__ = ["Metrics", "lead_breakdown_of", "metrics_of", "summary_of", "unbounded_reason"]


@dataclass(frozen=True)
class Metrics:
    """What the analysis computes from a compiled map and its visits, before it is presented.

    Attributes:
        visits: Expected executions of each step per case.
        arrivals_per_h: Cases per hour entering the map, if known.
        pt, lt: Process and lead time of one execution of each step (``nan`` unknown;
            ``lt`` is ``inf`` at an overloaded step). Lead time counts the queue wait.
        queue: The modelled queue wait of each step (``nan`` where not modelled:
            no capacity, duration or arrivals; ``inf`` where overloaded).
        load: Server-seconds per case of each capacity-constrained step (``nan`` otherwise).
        process, lead, ratio, cost, accuracy: The per-case metrics with their coverage.
        bottleneck, throughput: The most loaded step and the maximum throughput per hour.
        failure_points: The ranked failure-point table.
        failure_steps, failure_flags: Each failure-point row's step position and flags.
        bottlenecks: The bottleneck table.
        time_traps, convergence: The time-trap and convergence-point tables.
        success_probability, end_probabilities: Where cases finish.
        overflow: The per-case metrics (by their name for a person) whose value is
            beyond the largest float (about 1.8e308), and so reported as ``None``.
        overflow_steps: For ``"load"`` and ``"utilisation"``, the steps whose value
            is beyond the largest float (reported as ``None``).
        breakdown: Where the lead time per case comes from: ``wait_s`` (``Σ v·wait``,
            a delay's duration included), ``queue_s`` (``Σ v·W_q``) and ``service_s``
            (``Σ v·PT``); ``None`` where no step carries that part (``queue_s`` also
            when unbounded).
        unbounded: The visited overloaded steps, which make the lead time and what
            depends on it unbounded (empty when it is finite).
        queue_method: How the queue waits were found (``"M/M/c"`` or Allen–Cunneen,
            see :mod:`~servicemap.analysis.variability`); ``None`` where no queue is modelled.
        percentiles, percentiles_method: Lead-time p50, p80, p95 in seconds where
            exact, and the method or why none
            (:func:`~servicemap.analysis.percentiles.lead_time_percentiles_of`).
        parallel: The map's parallel work (regions, lead-time method, critical path);
            ``None`` without parallel steps, or where the lead time is unbounded.
        yields: Rolled %C&A, first-pass yield, clean success, expected failures and
            failure probability (:mod:`~servicemap.analysis.yields`).
        wip: Work in progress at each step by Little's law, ``L_i = λ · v_i · LT_i``
            (cases waiting or served there; ``nan`` without arrivals or lead time).
    """

    visits: FloatArray
    arrivals_per_h: float | None
    pt: FloatArray
    lt: FloatArray
    load: FloatArray
    process: Metric
    lead: Metric
    ratio: Metric
    cost: Metric
    accuracy: Metric
    bottleneck: str | None
    throughput: float | None
    failure_points: list[FailurePoint]
    failure_steps: list[int]
    failure_flags: list[tuple[str, ...]]
    bottlenecks: list[BottleneckRow]
    time_traps: list[tuple[str, float]]
    convergence: list[tuple[str, int]]
    success_probability: float
    end_probabilities: dict[str, float]
    overflow: list[str] = field(default_factory=list)
    overflow_steps: dict[str, list[str]] = field(default_factory=dict)
    queue: FloatArray = field(default_factory=lambda: np.zeros(0))
    yields: Yields = field(default_factory=lambda: Yields(None, 0.0, 0.0, None, None))
    wip: FloatArray = field(default_factory=lambda: np.zeros(0))
    breakdown: dict[str, float | None] = field(default_factory=dict)
    unbounded: list[str] = field(default_factory=list)
    queue_method: str | None = None
    percentiles: dict[str, float] | None = None
    percentiles_method: str | None = None
    parallel: ParallelLead | None = None


def metrics_of(chain: FlowChain, v: FloatArray, arrivals_per_h: float | None) -> Metrics:
    """Compute every metric of a map from its chain and solved visits.

    Args:
        chain: The compiled map.
        v: Its visits (:func:`~servicemap.analysis.flow.solve_flow`).
        arrivals_per_h: Cases per hour entering the map, or ``None``.

    Values beyond the largest float (a cost near the top of its range run
    twice, say) are not reported as ``inf`` or ``nan``: the metric is ``None``
    and ``overflow`` / ``overflow_steps`` say which (the notes tell the user).

    Notes:
        One more sparse solve (rolled accuracy), an O(n + m) dominator sweep
        (single points of failure), O(Σ min(c_i, 256)) Erlang recurrences,
        otherwise vectorised O(n + m) and O(r log r) sorting of the tables.
    """
    with np.errstate(all="ignore"):  # overflow is handled below, not warned about
        return _metrics(chain, v, arrivals_per_h)


def _bounded(metric: Metric, name: str, overflow: list[str]) -> Metric:
    """``metric``, or the same with value ``None`` (and ``name`` noted) where not finite."""
    if metric.value is None or math.isfinite(metric.value):
        return metric
    overflow.append(name)
    return Metric(None, metric.covered, metric.total)


def _scaled_ratio(chain: FlowChain, v: FloatArray, lt: FloatArray) -> float:
    """``Σ v_i · PT_i / Σ v_i · LT_i`` with ``v`` and the times scaled by their largest
    values first, so that the fraction is found where the sums are beyond the float range."""
    w = v / float(np.max(v))
    pt, lt = np.nan_to_num(step_process_times(chain)), np.nan_to_num(lt)
    top = float(np.max(lt))  # PT <= LT step by step: one scale for both
    return float(w @ (pt / top)) / float(w @ (lt / top))


def _queues(chain: FlowChain, v: FloatArray, arrivals_per_h: float | None) -> FloatArray:
    """The modelled queue wait of each step (``nan`` where none is modelled)."""
    if arrivals_per_h is None:
        return np.full(chain.n, np.nan)
    return queue_waits_of(chain, v, arrivals_per_h)


def _part(v: FloatArray, x: FloatArray) -> float | None:
    """``Σ v_i · x_i`` over the steps where ``x`` is known; ``None`` where it is nowhere."""
    known = np.isfinite(x)
    if not known.any():
        return None
    value = float(v[known] @ x[known])
    return value if math.isfinite(value) else None


def lead_breakdown_of(chain: FlowChain, v: FloatArray,
                      queue: FloatArray) -> dict[str, float | None]:
    """Where the lead time per case comes from: ``wait_s``, ``queue_s`` and ``service_s``.

    ``wait_s`` = ``Σ v_i · (wait_i + delay duration_i)`` (delay not caused by
    the step's own capacity), ``queue_s`` = ``Σ v_i · W_q,i`` (modelled queue
    waits; ``None`` where none is modelled or one is unbounded), ``service_s`` =
    ``Σ v_i · PT_i``. Their sum is the lead time per case.

    Notes:
        O(n).
    """
    delay_wait = np.where(chain.delay, chain.duration, np.nan)
    waits = np.where(np.isnan(chain.wait) & np.isnan(delay_wait), np.nan,
                     np.nan_to_num(chain.wait) + np.nan_to_num(delay_wait))
    unbounded = bool(np.isinf(queue[v > 0.0]).any())
    return {"wait_s": _part(v, waits),
            "queue_s": None if unbounded else _part(v, queue),
            "service_s": _part(v, step_process_times(chain))}


def _lead(chain: FlowChain, v: FloatArray, queue: FloatArray, overflow: list[str]
          ) -> tuple[Metric, Metric, Metric, list[str], ParallelLead | None]:
    """Process time, lead time, activity ratio, the overloaded steps that make
    the lead time unbounded (``None`` then, not an overflow) and the parallel work.

    With parallel steps the lead time takes each region's longest branch
    (:func:`~servicemap.analysis.parallel.parallel_lead_of`).
    """
    raw_process, raw_lead = process_time_of(chain, v), lead_time_of(chain, v, queue)
    unbounded = [chain.nodes[i] for i in np.flatnonzero(np.isinf(queue) & (v > 0.0)).tolist()]
    process = _bounded(raw_process, "process time per case", overflow)
    parallel = None
    if "parallel" in chain.kind:
        if unbounded:
            regions_checked(chain)
        else:
            parallel = parallel_lead_of(chain, v, step_lead_times(chain, queue), queue,
                                        chain.structure)
            raw_lead = Metric(parallel.value, raw_lead.covered, raw_lead.total)
    if unbounded:
        none = Metric(None, raw_lead.covered, raw_lead.total)
        return process, none, Metric(None, none.covered, none.total), unbounded, parallel
    ratio = activity_ratio_of(raw_process, raw_lead)
    if ratio.value is not None and not (math.isfinite(raw_process.value or 0.0)
                                        and math.isfinite(raw_lead.value or 0.0)):
        lt = step_lead_times(chain, queue)
        ratio = Metric(_scaled_ratio(chain, v, lt), ratio.covered, ratio.total)
    lead = _bounded(raw_lead, "lead time per case", overflow)
    return process, lead, _bounded(ratio, "activity ratio", overflow), unbounded, parallel


def _metrics(chain: FlowChain, v: FloatArray, arrivals_per_h: float | None) -> Metrics:
    overflow: list[str] = []
    queue = _queues(chain, v, arrivals_per_h)
    lt = step_lead_times(chain, queue)
    process, lead, ratio, unbounded, parallel = _lead(chain, v, queue, overflow)
    cost = _bounded(cost_of(chain, v), "cost per case", overflow)
    bottleneck, throughput = bottleneck_of(chain, v)
    if throughput is not None and not math.isfinite(throughput):
        overflow.append("max throughput")
        throughput = None
    load = loads_of(chain, v)
    over = {"load": [chain.nodes[i] for i in np.flatnonzero(np.isinf(load)).tolist()]}
    if arrivals_per_h is not None:
        rho = utilisation_of(chain, v, arrivals_per_h)
        over["utilisation"] = [chain.nodes[i] for i in np.flatnonzero(np.isinf(rho)).tolist()]
    fps, fp_steps, fp_flags = failure_table_of(chain, v)
    clean = accurate_flow(chain) if chain.n else None  # shared by the two below
    accuracy = rolled_accuracy_of(chain, clean)
    pcts, pcts_method = lead_time_percentiles_of(chain, v, queue) if parallel is None and \
        "parallel" not in chain.kind else (None, "not computed: the map has parallel work (a "
                                           "case takes its longest branch): run servicemap "
                                           "simulate")
    return Metrics(
        visits=v,
        arrivals_per_h=arrivals_per_h,
        pt=step_process_times(chain),
        lt=lt,
        load=load,
        process=process,
        lead=lead,
        ratio=ratio,
        cost=cost,
        accuracy=accuracy,
        bottleneck=bottleneck,
        throughput=throughput,
        failure_points=fps,
        failure_steps=fp_steps,
        failure_flags=fp_flags,
        bottlenecks=bottleneck_rows_of(chain, v, arrivals_per_h, None if arrivals_per_h is None
                                       else queue),
        time_traps=time_traps_of(chain, v, lt),
        convergence=convergence_points_of(chain),
        success_probability=success_probability_of(chain, v),
        end_probabilities=end_probabilities_of(chain, v),
        overflow=overflow,
        overflow_steps={k: ids for k, ids in over.items() if ids},
        queue=queue,
        breakdown=lead_breakdown_of(chain, v, queue) if "parallel" not in chain.kind
        else dict.fromkeys(("wait_s", "queue_s", "service_s")),
        unbounded=unbounded,
        yields=yields_of(chain, v, clean),
        wip=wip_of(v, lt, arrivals_per_h),
        queue_method=_queue_method(chain, v, arrivals_per_h),
        percentiles=pcts,
        percentiles_method=pcts_method,
        parallel=parallel,
    )


def _queue_method(chain: FlowChain, v: FloatArray, arrivals_per_h: float | None) -> str | None:
    """How the queue waits were found, ``None`` where no queue is modelled."""
    if arrivals_per_h is None or not queued_of(chain, v).any():
        return None
    return queue_method_of(chain, v)


def wip_of(v: FloatArray, lt: FloatArray, arrivals_per_h: float | None) -> FloatArray:
    """Work in progress per step by Little's law, ``L_i = λ_i · W_i = λ · v_i · LT_i``.

    ``λ`` in cases per second, ``LT_i`` the step's queue-aware lead time in
    seconds; ``inf`` at an overloaded step, ``nan`` without arrivals or lead time.

    >>> import numpy as np
    >>> wip_of(np.array([1.25]), np.array([24.0 * 60]), 12.0).tolist()  # 15/h · 24 min = 6
    [6.0]

    Notes:
        O(n). Little (1961): L = λW for any stable queue, whatever the distributions.
    """
    if arrivals_per_h is None:
        return np.full(v.size, np.nan)
    with np.errstate(all="ignore"):
        return np.where(v > 0.0, v * (arrivals_per_h / 3600.0) * lt, 0.0)


def _total_wip(m: Metrics) -> float | None:
    """Cases in the map by Little's law, ``λ · lead time`` (``None`` where unknown)."""
    if m.arrivals_per_h is None or m.lead.value is None:
        return None
    value = m.arrivals_per_h / 3600.0 * m.lead.value
    return value if math.isfinite(value) else None


def unbounded_reason(m: Metrics) -> str | None:
    """Why the lead time is unbounded (``"step solve overloaded (utilisation 125%)"``) or ``None``.

    Notes:
        O(r) for r bottleneck rows.
    """
    if not m.unbounded:
        return None
    rho = {b.step: b.utilisation for b in m.bottlenecks}
    parts = []
    for step in m.unbounded[:5]:
        u = rho.get(step)
        parts.append(f"{step} overloaded" + (f" (utilisation {percent(u)})" if u is not None
                                             else ""))
    more = f" and {len(m.unbounded) - 5} more" if len(m.unbounded) > 5 else ""
    return f"step {', '.join(parts)}{more}"


def summary_of(m: Metrics) -> Summary:
    """The :class:`~servicemap.analysis.result.Summary` of computed metrics.

    Notes:
        O(1).
    """
    return Summary(
        process_time_s=m.process.value,
        lead_time_s=m.lead.value,
        lead_time_breakdown=dict(m.breakdown),
        lead_time_unbounded=unbounded_reason(m),
        activity_ratio=m.ratio.value,
        rolled_accuracy=m.accuracy.value,
        rolled_ca=m.yields.rolled_ca,
        first_pass_yield=m.yields.first_pass_yield,
        clean_success=m.yields.clean_success,
        expected_failures=m.yields.expected_failures,
        failure_probability=m.yields.failure_probability,
        wip=_total_wip(m),
        success_probability=m.success_probability,
        cost=m.cost.value,
        max_throughput_per_h=m.throughput,
        bottleneck=m.bottleneck,
        arrivals_per_h=m.arrivals_per_h,
        queue_method=m.queue_method,
        lead_time_percentiles_s=m.percentiles,
        lead_time_percentiles_method=m.percentiles_method,
        lead_time_method=m.parallel.method if m.parallel is not None else None,
        coverage={"process_time": m.process, "lead_time": m.lead, "activity_ratio": m.ratio,
                  "cost": m.cost, "rolled_accuracy": m.accuracy},
    )
