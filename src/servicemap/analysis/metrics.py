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
    time_traps_of,
    utilisation_of,
)
from .chain import FloatArray, FlowChain
from .failures import FailurePoint, failure_table_of
from .flow import end_probabilities_of, success_probability_of
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

__all__ = ["Metrics", "metrics_of", "summary_of"]


@dataclass(frozen=True)
class Metrics:
    """What the analysis computes from a compiled map and its visits, before it is presented.

    Attributes:
        visits: Expected executions of each step per case.
        arrivals_per_h: Cases per hour entering the map, if known.
        pt, lt: Process and lead time of one execution of each step (``nan`` unknown).
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


def _scaled_ratio(chain: FlowChain, v: FloatArray) -> float:
    """``Σ v_i · PT_i / Σ v_i · LT_i`` with ``v`` and the times scaled by their largest
    values first, so that the fraction is found where the sums are beyond the float range."""
    w = v / float(np.max(v))
    pt, lt = np.nan_to_num(step_process_times(chain)), np.nan_to_num(step_lead_times(chain))
    top = float(np.max(lt))  # PT <= LT step by step: one scale for both
    return float(w @ (pt / top)) / float(w @ (lt / top))


def _metrics(chain: FlowChain, v: FloatArray, arrivals_per_h: float | None) -> Metrics:
    overflow: list[str] = []
    raw_process, raw_lead = process_time_of(chain, v), lead_time_of(chain, v)
    ratio = activity_ratio_of(raw_process, raw_lead)
    if ratio.value is not None and not (math.isfinite(raw_process.value or 0.0)
                                        and math.isfinite(raw_lead.value or 0.0)):
        ratio = Metric(_scaled_ratio(chain, v), ratio.covered, ratio.total)
    process = _bounded(raw_process, "process time per case", overflow)
    lead = _bounded(raw_lead, "lead time per case", overflow)
    ratio = _bounded(ratio, "activity ratio", overflow)
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
    return Metrics(
        visits=v,
        arrivals_per_h=arrivals_per_h,
        pt=step_process_times(chain),
        lt=step_lead_times(chain),
        load=load,
        process=process,
        lead=lead,
        ratio=ratio,
        cost=cost,
        accuracy=rolled_accuracy_of(chain),
        bottleneck=bottleneck,
        throughput=throughput,
        failure_points=fps,
        failure_steps=fp_steps,
        failure_flags=fp_flags,
        bottlenecks=bottleneck_rows_of(chain, v, arrivals_per_h),
        time_traps=time_traps_of(chain, v),
        convergence=convergence_points_of(chain),
        success_probability=success_probability_of(chain, v),
        end_probabilities=end_probabilities_of(chain, v),
        overflow=overflow,
        overflow_steps={k: ids for k, ids in over.items() if ids},
    )


def summary_of(m: Metrics) -> Summary:
    """The :class:`~servicemap.analysis.result.Summary` of computed metrics.

    Notes:
        O(1).
    """
    return Summary(
        process_time_s=m.process.value,
        lead_time_s=m.lead.value,
        activity_ratio=m.ratio.value,
        rolled_accuracy=m.accuracy.value,
        success_probability=m.success_probability,
        cost=m.cost.value,
        max_throughput_per_h=m.throughput,
        bottleneck=m.bottleneck,
        arrivals_per_h=m.arrivals_per_h,
        coverage={"process_time": m.process, "lead_time": m.lead, "activity_ratio": m.ratio,
                  "cost": m.cost, "rolled_accuracy": m.accuracy},
    )
