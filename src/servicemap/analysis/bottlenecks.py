"""Capacity analysis: load, bottleneck, throughput, utilisation, queue waits, time traps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from .chain import FloatArray, FlowChain, IntArray, compile_chain, floats_or_none
from .flow import solve_flow
from .queues import mmc_wait
from .times import step_lead_times, step_process_times
from .variability import allen_cunneen_factors_of

__all__ = [
    "BottleneckRow",
    "bottleneck",
    "convergence_points",
    "loads",
    "max_throughput",
    "overloaded",
    "queue_waits",
    "time_traps",
    "utilisation",
]


@dataclass(frozen=True)
class BottleneckRow:
    """A capacity-constrained step in the bottleneck table.

    Attributes:
        step: Step id.
        label: Step label.
        capacity: Servers (the whole number given; ``None`` where that is no number).
        visits: Expected executions per case.
        process_time_s: Process time of one execution, or ``None`` if unknown.
        load_s: Server-seconds per case ``v · PT / c``, or ``None`` if PT is unknown.
        utilisation: ``λ · v · PT / c`` with arrivals λ, else ``None``.
        queue_wait_s: Expected queue wait in seconds, M/M/c or Allen–Cunneen
            G/G/c (``None`` when overloaded or without arrivals).
        overloaded: Utilisation of 1 or more: the queue grows without bound.
    """

    step: str
    label: str
    capacity: int | None
    visits: float
    process_time_s: float | None
    load_s: float | None
    utilisation: float | None
    queue_wait_s: float | None
    overloaded: bool

    def to_dict(self) -> dict[str, object]:
        """Plain data, as in ``analyze --format json``."""
        return {
            "step": self.step,
            "load_s": self.load_s,
            "utilisation": self.utilisation,
            "label": self.label,
            "capacity": self.capacity,
            "visits": self.visits,
            "process_time_s": self.process_time_s,
            "queue_wait_s": self.queue_wait_s,
            "overloaded": self.overloaded,
        }


def loads_of(chain: FlowChain, v: FloatArray) -> FloatArray:
    """Server-seconds per case ``v_i · PT_i / c_i``; ``nan`` without capacity or process time.

    0 where the capacity is beyond the float range; ``inf`` where ``v_i · PT_i`` is.

    Notes:
        O(n).
    """
    pt = step_process_times(chain)
    with np.errstate(all="ignore"):
        return v * pt / chain.capacity


def utilisation_of(chain: FlowChain, v: FloatArray, arrivals_per_h: float) -> FloatArray:
    """``ρ_i = λ · v_i · PT_i / c_i`` (λ per second times load); ``nan`` where unconstrained.

    ``inf`` where it is beyond the float range (the step is overloaded).

    Notes:
        O(n).
    """
    with np.errstate(all="ignore"):
        return loads_of(chain, v) * (arrivals_per_h / 3600.0)


def queue_waits_of(chain: FlowChain, v: FloatArray, arrivals_per_h: float) -> FloatArray:
    """Expected queue wait in seconds per step; ``nan`` unconstrained, ``inf`` overloaded.

    The M/M/c wait (:func:`mmc_waits_of`) where every cv that matters is 1;
    otherwise that wait times the Allen–Cunneen factor ``(c_a² + c_s²)/2``
    (:func:`~servicemap.analysis.variability.allen_cunneen_factors_of`, with
    the arrival variability propagated QNA-style).

    Notes:
        :func:`mmc_waits_of`, plus one sparse solve where some cv is not 1.
    """
    waits = mmc_waits_of(chain, v, arrivals_per_h)
    factor = allen_cunneen_factors_of(chain, v, arrivals_per_h)
    if factor is None:
        return waits
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(waits), waits * factor, waits)


def mmc_waits_of(chain: FlowChain, v: FloatArray, arrivals_per_h: float) -> FloatArray:
    """Expected M/M/c queue wait in seconds per step; ``nan`` unconstrained, ``inf`` overloaded.

    A step whose arrival rate ``λ · v_i`` is beyond the float range is
    overloaded (``inf``); one that serves in no time waits 0.

    Notes:
        O(n + Σ min(c_i, 256)): vectorised Erlang recurrences over the steps with
        up to 256 servers, :func:`~servicemap.analysis.queues.mmc_wait` (O(1)
        beyond 1000 servers) for the others.
    """
    pt = step_process_times(chain)
    waits = np.full(chain.n, np.nan)
    lam_s = arrivals_per_h / 3600.0
    idx = np.flatnonzero(~np.isnan(chain.capacity) & ~np.isnan(pt))
    with np.errstate(all="ignore"):
        rate = lam_s * v[idx]
        service = 1.0 / pt[idx]
    idle = ((rate == 0.0) | (pt[idx] == 0.0) | (service == np.inf)
            | (chain.capacity[idx] == np.inf))  # no wait with servers beyond counting
    waits[idx[idle]] = 0.0
    flood = ~idle & (rate == np.inf)  # more arrivals than a float holds: overloaded
    waits[idx[flood]] = np.inf
    busy = ~idle & ~flood
    idx, rate, service = idx[busy], rate[busy], service[busy]
    servers = [chain.servers[i] for i in idx.tolist()]
    if not _mmc_ok(rate, service, servers):  # let mmc_wait say what is wrong
        for lam, mu, c in zip(rate.tolist(), service.tolist(), servers, strict=True):
            mmc_wait(lam, mu, c)
    small = np.array([c is not None and c <= _VECTOR_SERVERS for c in servers], dtype=bool)
    if small.any():
        waits[idx[small]] = _mmc_waits(rate[small], service[small],
                                       np.array([servers[k] for k in np.flatnonzero(small)],
                                                dtype=np.int64))
    for k in np.flatnonzero(~small).tolist():
        waits[idx[k]] = mmc_wait(float(rate[k]), float(service[k]), servers[k])
    return waits


def _mmc_ok(rate: FloatArray, service: FloatArray, servers: list[int | None]) -> bool:
    """Whether :func:`mmc_wait` accepts every (rate, service rate, servers) triple."""
    return bool(np.all(np.isfinite(rate) & (rate >= 0.0) & np.isfinite(service)
                       & (service > 0.0))) and all(
        isinstance(c, int) and c >= 1 for c in servers)


_VECTOR_SERVERS = 256
"""Steps with more servers than this get the scalar Erlang functions."""


def _mmc_waits(rate: FloatArray, service: FloatArray, servers: IntArray) -> FloatArray:
    """:func:`~servicemap.analysis.queues.mmc_wait` of each triple (at most 256 servers),
    the same operations in the same order on arrays (so the same floats)."""
    with np.errstate(all="ignore"):  # a = λ/μ may overflow: that queue is unstable
        capacity = servers * service
        waits = np.full(rate.size, np.inf)  # rate >= capacity: unstable
        stable = np.flatnonzero(~(rate >= capacity))
        lam, mu, c = rate[stable], service[stable], servers[stable]
        a = lam / mu
        rho = a / c
        prob_wait = np.ones(stable.size)  # Erlang C; 1 where rho >= 1
        queue = np.flatnonzero(~(rho >= 1.0))
        b = np.ones(queue.size)  # Erlang B: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))
        aq, cq = a[queue], c[queue]
        for k in range(1, int(cq.max(initial=0)) + 1):
            on = np.flatnonzero(cq >= k)
            ab = aq[on] * b[on]
            b[on] = ab / (k + ab)
        rq = rho[queue]
        prob_wait[queue] = b / (1.0 - rq * (1.0 - b))
        waits[stable] = prob_wait / (capacity[stable] - lam)
    return waits


def bottleneck_rows_of(
    chain: FlowChain, v: FloatArray, arrivals_per_h: float | None,
    waits: FloatArray | None = None,
) -> list[BottleneckRow]:
    """The bottleneck table: capacity-constrained steps by load, largest first.

    ``waits`` are the queue waits of :func:`queue_waits_of` when already computed.

    Notes:
        O(n + k log k) for k capacity-constrained steps (plus queue waits).
    """
    pt = step_process_times(chain)
    load = loads_of(chain, v)
    if waits is None and arrivals_per_h is not None:
        waits = queue_waits_of(chain, v, arrivals_per_h)
    idx = np.flatnonzero(~np.isnan(chain.capacity))
    ld = load[idx]
    has_load = ~np.isnan(ld)
    # Largest load first; steps without a load last; ties in map order.
    order = np.argsort(-np.where(has_load, ld, -1.0), kind="stable")
    idx, ld, has_load = idx[order], ld[order], has_load[order]
    loads_r = floats_or_none(ld, has_load & np.isfinite(ld))
    if arrivals_per_h is None:
        rho_r: list[float | None] = [None] * idx.size
        over_r = [False] * idx.size
    else:
        with np.errstate(all="ignore"):  # beyond the float range: inf, overloaded
            rho = ld * arrivals_per_h / 3600.0
        rho_r = floats_or_none(rho, has_load & np.isfinite(rho))
        over_r = (has_load & (rho >= 1.0)).tolist()
    if waits is None:
        waits_r: list[float | None] = [None] * idx.size
    else:
        waits_r = floats_or_none(waits[idx], np.isfinite(waits[idx]))
    pt_i = pt[idx]
    pt_r = floats_or_none(pt_i, ~np.isnan(pt_i))
    nodes, labels, servers = chain.nodes, chain.label, chain.servers
    return [
        BottleneckRow(nodes[i], labels[i], servers[i], vi, p, lo, r, w, o)
        for i, vi, p, lo, r, w, o in zip(
            idx.tolist(), v[idx].tolist(), pt_r, loads_r, rho_r, waits_r, over_r, strict=True)
    ]


def bottleneck_of(chain: FlowChain, v: FloatArray) -> tuple[str | None, float | None]:
    """The step with the largest load and the maximum throughput per hour (or ``None``s).

    The throughput is ``inf`` where the largest load is so small that its
    inverse is beyond the float range.

    Notes:
        O(n).
    """
    load = loads_of(chain, v)
    if np.all(np.isnan(load)):
        return None, None
    i = int(np.nanargmax(load))
    if load[i] <= 0.0:
        return None, None
    with np.errstate(all="ignore"):
        return chain.nodes[i], float(np.float64(3600.0) / load[i])


def lead_time_shares_of(chain: FlowChain, v: FloatArray,
                        lt: FloatArray | None = None) -> FloatArray:
    """Each step's share of the expected lead time ``v_i · LT_i / Σ v_j · LT_j``.

    ``lt`` is each step's lead time (default :func:`step_lead_times` without
    queues). ``nan`` where the step has no lead time, everywhere when the total
    is 0 or unbounded (an overloaded step, ``LT = inf``). Where the total is
    beyond the float range the shares are taken from ``v / max(v)`` and
    ``LT / max(LT)`` instead: the same fractions, without overflow.

    Notes:
        O(n).
    """
    if lt is None:
        lt = step_lead_times(chain)
    if np.isinf(lt[v > 0.0]).any():  # unbounded: no shares
        return np.full(chain.n, np.nan)
    with np.errstate(all="ignore"):
        part = v * lt
        total = float(np.nansum(part))
        if not np.isfinite(total):  # the same fractions, from factors of at most 1
            part = (v / float(np.max(v))) * (lt / float(np.nanmax(lt)))
            total = float(np.nansum(part))
        if not total > 0.0:
            return np.full(chain.n, np.nan)
        return part / total


def time_traps_of(chain: FlowChain, v: FloatArray,
                  lt: FloatArray | None = None) -> list[tuple[str, float]]:
    """Steps by share of expected lead time ``v_i · LT_i / Σ v_j · LT_j``, largest first.

    ``lt`` as in :func:`lead_time_shares_of`.

    Notes:
        O(n + k log k) for k steps with a lead time.
    """
    share = lead_time_shares_of(chain, v, lt)
    idx = np.flatnonzero(share > 0)
    order = idx[np.argsort(-share[idx], kind="stable")]
    return list(zip(map(chain.nodes.__getitem__, order.tolist()), share[order].tolist(),
                    strict=True))


def convergence_points_of(chain: FlowChain) -> list[tuple[str, int]]:
    """Steps with two or more incoming flows, most first (then map order).

    Notes:
        O(n + k log k) for k merges.
    """
    order = convergence_order_of(chain)
    return list(zip(map(chain.nodes.__getitem__, order.tolist()),
                    chain.in_degree[order].tolist(), strict=True))


def convergence_order_of(chain: FlowChain) -> IntArray:
    """Positions of the steps of :func:`convergence_points_of`, in its order.

    Notes:
        O(n + k log k) for k merges.
    """
    idx = np.flatnonzero(chain.in_degree >= 2)
    return idx[np.argsort(-chain.in_degree[idx], kind="stable")]


def _as_dict(chain: FlowChain, values: FloatArray) -> dict[str, float | None]:
    return {
        node: (None if math.isnan(x) else x)
        for node, x in zip(chain.nodes, values.tolist(), strict=True)
    }


def loads(G: nx.DiGraph) -> dict[str, float | None]:
    """Server-seconds per case ``v_i · PT_i / c_i`` of each step.

    ``None`` for a step without a ``capacity`` (not capacity-constrained) or
    without a process time.

    Notes:
        One sparse solve, then O(n).

    Example:
        A step visited 1.25 times per case, 10 minutes, 2 servers:

        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from(["s", "e"], kind="terminator")
        >>> G.add_node("w", kind="task", duration=timedelta(minutes=10), capacity=2)
        >>> G.add_node("ok", kind="decision"); nx.add_path(G, ["s", "w", "ok"])
        >>> G.add_edge("ok", "w", probability=0.2); G.add_edge("ok", "e", probability=0.8)
        >>> round(loads(G)["w"], 6), loads(G)["ok"]
        (375.0, None)
    """
    chain = compile_chain(G)
    return _as_dict(chain, loads_of(chain, solve_flow(chain)))


def _arrivals(chain: FlowChain, arrivals_per_h: float | None) -> float | None:
    return chain.arrivals_per_h if arrivals_per_h is None else float(arrivals_per_h)


def utilisation(G: nx.DiGraph, arrivals_per_h: float | None = None) -> dict[str, float | None]:
    """Utilisation ``ρ_i = λ · v_i · PT_i / c_i`` of each step (the basis of rule SM501).

    Args:
        G: The flow graph of a map.
        arrivals_per_h: Cases per hour entering the map; default the map's arrivals.

    Returns:
        Utilisation per step; ``None`` for steps without capacity or process
        time, and for every step when there are no arrivals.

    Notes:
        One sparse solve, then O(n).

    Example:
        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from(["s", "e"], kind="terminator")
        >>> G.add_node("w", kind="task", duration=timedelta(minutes=10), capacity=2)
        >>> nx.add_path(G, ["s", "w", "e"])
        >>> utilisation(G, 15)["w"]
        1.25
    """
    chain = compile_chain(G)
    rate = _arrivals(chain, arrivals_per_h)
    if rate is None:
        return dict.fromkeys(chain.nodes)
    return _as_dict(chain, utilisation_of(chain, solve_flow(chain), rate))


def overloaded(G: nx.DiGraph, arrivals_per_h: float | None = None) -> list[str]:
    """Steps whose utilisation is 1 or more (their queue grows without bound).

    Notes:
        One sparse solve, then O(n).
    """
    return [s for s, rho in utilisation(G, arrivals_per_h).items() if rho is not None and rho >= 1]


def queue_waits(G: nx.DiGraph, arrivals_per_h: float | None = None) -> dict[str, float | None]:
    """Expected queue wait in seconds of each capacity-constrained step.

    Arrivals at rate ``λ · v_i``, service times of mean ``PT_i``: the M/M/c
    wait (Erlang C) where every arrival and service cv is 1 (the default),
    else Allen–Cunneen's G/G/c approximation (see :func:`queue_waits_of`).
    ``None`` where the step is unconstrained, overloaded, or there are no arrivals.

    Notes:
        One sparse solve, then O(Σ c_i) for the Erlang recurrences (and one
        more sparse solve where some cv is not 1).

    Example:
        M/M/1, λ = 3/h, PT = 15 min (μ = 4/h): Wq = ρ/(μ - λ) = 0.75 h:

        >>> from datetime import timedelta
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from(["s", "e"], kind="terminator")
        >>> G.add_node("w", kind="task", duration=timedelta(minutes=15), capacity=1)
        >>> nx.add_path(G, ["s", "w", "e"])
        >>> round(queue_waits(G, 3)["w"], 6)
        2700.0
    """
    chain = compile_chain(G)
    rate = _arrivals(chain, arrivals_per_h)
    if rate is None:
        return dict.fromkeys(chain.nodes)
    waits = queue_waits_of(chain, solve_flow(chain), rate)
    waits[np.isinf(waits)] = np.nan
    return _as_dict(chain, waits)


def bottleneck(G: nx.DiGraph) -> str | None:
    """The capacity-constrained step with the largest load per case, or ``None``.

    Notes:
        One sparse solve, then O(n).
    """
    chain = compile_chain(G)
    return bottleneck_of(chain, solve_flow(chain))[0]


def max_throughput(G: nx.DiGraph) -> float | None:
    """Maximum throughput in cases per hour, ``1 / max load``; ``None`` without capacities.

    Notes:
        One sparse solve, then O(n).
    """
    chain = compile_chain(G)
    return bottleneck_of(chain, solve_flow(chain))[1]


def time_traps(G: nx.DiGraph) -> list[tuple[str, float]]:
    """Steps ranked by their share of expected lead time ``v_i · LT_i / Σ v_j · LT_j``.

    Notes:
        One sparse solve, then O(n log n).
    """
    chain = compile_chain(G)
    return time_traps_of(chain, solve_flow(chain))


def convergence_points(G: nx.DiGraph) -> list[tuple[str, int]]:
    """Steps where two or more flows merge, with their number of incoming flows.

    Notes:
        O(n log n).

    Example:
        >>> G = nx.DiGraph([("a", "c"), ("b", "c"), ("c", "d")])
        >>> convergence_points(G)
        [('c', 2)]
    """
    return convergence_points_of(compile_chain(G))
