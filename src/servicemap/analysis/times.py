"""Process time, lead time, activity ratio, cost and rolled accuracy per case, with coverage.

Coverage rule (normative for this package): a metric is computed from the
steps that carry its data; a step that does not is counted as contributing
nothing (0 seconds, 0 cost, accuracy 1 — the format's default). The metric is
``None`` when no step carries the data at all. Its coverage says how many of
the relevant steps carried the data: the relevant steps are every step except
the terminators that carry none (a terminator usually takes no time, so it is
counted only where it does). A partially covered time or cost is therefore a
lower bound, a partially covered rolled accuracy an upper bound.

Which steps carry the data:

- process time: a ``duration`` (a ``delay`` carries it by kind: its process time is 0);
  the value is ``None`` when no step has a duration;
- lead time: a ``wait`` or a ``duration``;
- cost: a ``cost``;
- rolled accuracy: an ``accuracy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .chain import BoolArray, FloatArray, FlowChain, compile_chain
from .flow import solve_flow
from .parallel import absorb_parallel

__all__ = [
    "Metric",
    "activity_ratio",
    "cost_per_case",
    "lead_time",
    "lead_times",
    "process_time",
    "process_times",
    "rolled_accuracy",
    "step_lead_times",
    "step_process_times",
]


@dataclass(frozen=True)
class Metric:
    """A per-case metric with the share of steps that carried its data.

    Attributes:
        value: The metric, or ``None`` when no step carries the data it needs.
        covered: Steps that carried the data.
        total: Steps that could have (see the module's coverage rule).

    Example:
        >>> m = Metric(4800.0, 7, 9)
        >>> m.coverage, m.complete
        ('7 of 9 steps', False)
    """

    value: float | None
    covered: int
    total: int

    @property
    def coverage(self) -> str:
        """``"7 of 9 steps"``."""
        return f"{self.covered} of {self.total} steps"

    @property
    def complete(self) -> bool:
        """Whether every relevant step carried the data."""
        return self.covered == self.total

    def to_dict(self) -> dict[str, float | int | None]:
        """``{"value": ..., "covered": ..., "total": ...}``."""
        return {"value": self.value, "covered": self.covered, "total": self.total}


def _metric(chain: FlowChain, carried: BoolArray, value: float | None) -> Metric:
    term = chain.terminator
    relevant = ~term | carried
    covered = int(np.count_nonzero(carried & relevant))
    return Metric(value, covered, int(np.count_nonzero(relevant)))


def step_process_times(chain: FlowChain) -> FloatArray:
    """Process time PT of one execution of each step in seconds; ``nan`` where unknown.

    PT is the ``duration``, 0 for a ``delay`` (its duration is waiting).

    Notes:
        O(n).
    """
    return np.where(chain.delay, 0.0, chain.duration)


def step_lead_times(chain: FlowChain, queue: FloatArray | None = None) -> FloatArray:
    """Lead time LT = wait + queue wait + duration of each step in seconds.

    ``wait`` is the delay not caused by the step's own capacity (hand-offs,
    batching, scheduled pick-ups); ``queue`` the modelled queue wait in front
    of the step's servers (``nan`` where not modelled, counted as 0; ``inf``
    where the step is overloaded, which makes its lead time ``inf``). ``nan``
    where the step has neither a wait, a duration nor a modelled queue.

    Example:
        >>> import numpy as np
        >>> from types import SimpleNamespace as NS
        >>> c = NS(wait=np.array([60.0, np.nan, np.nan]), duration=np.array([600.0, 300.0, np.nan]))
        >>> step_lead_times(c, np.array([np.nan, 45.0, np.nan])).tolist()
        [660.0, 345.0, nan]

    Notes:
        O(n).
    """
    q = np.full(len(chain.wait), np.nan) if queue is None else queue
    missing = np.isnan(chain.wait) & np.isnan(chain.duration) & np.isnan(q)
    with np.errstate(all="ignore"):
        total = np.nan_to_num(chain.wait) + np.where(np.isnan(q), 0.0, q) + np.nan_to_num(
            chain.duration)
    return np.where(missing, np.nan, total)


def _as_dict(chain: FlowChain, values: FloatArray) -> dict[str, float | None]:
    return {
        node: (None if np.isnan(x) else x)
        for node, x in zip(chain.nodes, values.tolist(), strict=True)
    }


def process_times(G: nx.DiGraph) -> dict[str, float | None]:
    """Process time of one execution of each step, in seconds (``None`` where unknown).

    Example:
        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_node("a", kind="task", duration=timedelta(minutes=5))
        >>> G.add_node("b", kind="delay", duration=timedelta(days=1)); G.add_node("c", kind="task")
        >>> process_times(G)
        {'a': 300.0, 'b': 0.0, 'c': None}

    Notes:
        O(n).
    """
    chain = compile_chain(G)
    return _as_dict(chain, step_process_times(chain))


def lead_times(G: nx.DiGraph) -> dict[str, float | None]:
    """Lead time (wait + duration) of each step, in seconds (``None`` where unknown).

    Example:
        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_node("a", kind="task", duration=timedelta(minutes=5), wait=timedelta(hours=1))
        >>> G.add_node("b", kind="delay", duration=timedelta(days=1)); G.add_node("c", kind="task")
        >>> lead_times(G)
        {'a': 3900.0, 'b': 86400.0, 'c': None}

    Notes:
        O(n).
    """
    chain = compile_chain(G)
    return _as_dict(chain, step_lead_times(chain))


def process_time_of(chain: FlowChain, v: FloatArray) -> Metric:
    """Expected process time per case ``Σ v_i · PT_i`` in seconds (see :func:`process_time`).

    Notes:
        O(n).
    """
    pt = step_process_times(chain)
    has_duration = ~np.isnan(chain.duration)
    value = float(v @ np.nan_to_num(pt)) if has_duration.any() else None
    return _metric(chain, ~np.isnan(pt), value)


def lead_time_of(chain: FlowChain, v: FloatArray, queue: FloatArray | None = None) -> Metric:
    """Expected lead time per case ``Σ v_i · LT_i`` in seconds (see :func:`lead_time`).

    ``queue`` holds the modelled queue wait of each step (see
    :func:`step_lead_times`); the value is ``inf`` where a visited step is overloaded.

    Notes:
        O(n).
    """
    lt = step_lead_times(chain, queue)
    carried = ~np.isnan(lt)
    with np.errstate(all="ignore"):  # inf where overloaded (a queue wait only where v > 0)
        value = float(v @ np.where(carried, lt, 0.0)) if carried.any() else None
    return _metric(chain, carried, value)


def activity_ratio_of(process: Metric, lead: Metric) -> Metric:
    """Process time / lead time; ``None`` when either is unknown or lead time is 0.

    Notes:
        O(1).
    """
    value = None
    if process.value is not None and lead.value is not None and lead.value > 0:
        value = process.value / lead.value
    return Metric(value, min(process.covered, lead.covered), max(process.total, lead.total))


def cost_of(chain: FlowChain, v: FloatArray) -> Metric:
    """Expected cost per case ``Σ v_i · cost_i`` (see :func:`cost_per_case`).

    Notes:
        O(n).
    """
    carried = ~np.isnan(chain.cost)
    value = float(v @ np.nan_to_num(chain.cost)) if carried.any() else None
    return _metric(chain, carried, value)


def rolled_accuracy_of(chain: FlowChain, good: FloatArray | None = None) -> Metric:
    """Rolled accuracy (first-pass yield), see :func:`rolled_accuracy`.

    Args:
        chain: The compiled map.
        good: The accuracy-scaled chain already solved
            (:func:`~servicemap.analysis.yields.accurate_flow`), if it was.

    Notes:
        One sparse solve of the accuracy-scaled chain (see
        :func:`~servicemap.analysis.flow.solve_flow`), none with ``good``.
    """
    carried = ~np.isnan(chain.accuracy)
    if not carried.any():
        return _metric(chain, carried, None)
    acc = np.where(carried, chain.accuracy, 1.0)
    if good is None:  # with parallel work every branch must be right: a product per region
        good = (absorb_parallel(chain, chain.prob * acc[chain.src]) if "parallel" in chain.kind
                else solve_flow(chain, row_scale=acc))
    ends = chain.absorbing
    value = float(np.clip(acc[ends] @ good[ends], 0.0, 1.0))
    return _metric(chain, carried, value)


def process_time(G: nx.DiGraph) -> Metric:
    """Expected process (touch) time per case ``Σ v_i · PT_i``, in seconds.

    Args:
        G: The flow graph of a map.

    Returns:
        The metric with its coverage; ``None`` when no step has a duration.

    Notes:
        One sparse solve for the visits, then O(n).

    Example:
        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_node("s", kind="terminator")
        >>> G.add_node("a", kind="task", duration=timedelta(minutes=10))
        >>> G.add_node("b", kind="task"); G.add_node("e", kind="terminator")
        >>> nx.add_path(G, ["s", "a", "b", "e"])
        >>> m = process_time(G)
        >>> m.value, m.coverage
        (600.0, '1 of 2 steps')
    """
    chain = compile_chain(G)
    return process_time_of(chain, solve_flow(chain))


def lead_time(G: nx.DiGraph) -> Metric:
    """Expected lead time per case ``Σ v_i · (wait_i + duration_i)``, in seconds.

    Steps are assumed to run one after another. ``None`` when no step has a
    wait or a duration.

    Notes:
        One sparse solve, then O(n).
    """
    chain = compile_chain(G)
    return lead_time_of(chain, solve_flow(chain))


def activity_ratio(G: nx.DiGraph) -> Metric:
    """Expected process time / expected lead time (``None`` where either is unknown).

    Notes:
        One sparse solve, then O(n).
    """
    chain = compile_chain(G)
    v = solve_flow(chain)
    return activity_ratio_of(process_time_of(chain, v), lead_time_of(chain, v))


def cost_per_case(G: nx.DiGraph) -> Metric:
    """Expected cost per case ``Σ v_i · cost_i`` (``None`` when no step has a cost).

    Notes:
        One sparse solve, then O(n).
    """
    chain = compile_chain(G)
    return cost_of(chain, solve_flow(chain))


def rolled_accuracy(G: nx.DiGraph) -> Metric:
    """Probability that a case reaches an end with every execution complete and accurate.

    Solves the chain whose rows are scaled by each step's accuracy (a case
    leaves a step "still good" with probability ``accuracy_i``, default 1) and
    sums, over the ends, the probability of arriving there good times the end's
    own accuracy. On a straight line this is the product of the accuracies.
    ``None`` when no step gives an accuracy.

    Notes:
        One sparse solve of the scaled chain, O(n + m) to build.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from([("s", {"kind": "terminator"}), ("a", {"accuracy": 0.9}),
        ...                   ("b", {"accuracy": 0.8}), ("e", {"kind": "terminator"})])
        >>> nx.add_path(G, ["s", "a", "b", "e"])
        >>> round(rolled_accuracy(G).value, 6)
        0.72
    """
    return rolled_accuracy_of(compile_chain(G))
