"""Run every analysis of a map from one compiled flow graph and assemble the result."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from .._perf import gc_paused
from ..problems import AnalysisError
from .bottlenecks import (
    bottleneck_of,
    bottleneck_rows_of,
    convergence_order_of,
    convergence_points_of,
    loads_of,
    time_traps_of,
)
from .chain import FloatArray, FlowChain, compile_blueprint, compile_chain, floats_or_none
from .failures import failure_table_of, percent
from .flow import end_probabilities_of, solve_flow, success_probability_of
from .result import Analysis, StepTable, Summary
from .times import (
    activity_ratio_of,
    cost_of,
    lead_time_of,
    process_time_of,
    rolled_accuracy_of,
    step_lead_times,
    step_process_times,
)

if TYPE_CHECKING:
    from ..flow.graph import FlowGraph
    from ..model import Blueprint
    from ..values import Rate

__all__ = [
    "AnalysisError", "analyze_blueprint", "analyze_chain", "analyze_graph", "parse_arrivals",
]

_MAX_NAMED = 5


def parse_arrivals(arrivals: Rate | str | float | None) -> float | None:
    """Cases per hour from a Rate, a rate text (``"40/h"``) or a number (cases per hour).

    Raises:
        ValueError: for anything else, a negative or a non-finite number.

    Examples:
        >>> parse_arrivals("2/min"), parse_arrivals(12), parse_arrivals(None)
        (120.0, 12.0, None)
    """
    if arrivals is None:
        return None
    from ..values import parse_rate

    try:
        return parse_rate(arrivals).per_hour
    except ValueError as exc:
        raise ValueError(
            f"bad arrivals {arrivals!r}: expected a rate such as '40/h', '2.5/min' or '300/d', "
            "or a number of cases per hour"
        ) from exc


def _named(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_MAX_NAMED])
    return shown + (f" and {len(ids) - _MAX_NAMED} more" if len(ids) > _MAX_NAMED else "")


def _column(values: FloatArray) -> list[float | None]:
    return floats_or_none(values, ~np.isnan(values))


def analyze_graph(
    G: nx.DiGraph, *, arrivals: Rate | str | float | None = None, name: str | None = None
) -> Analysis:
    """Analyse a flow graph (:func:`servicemap.to_networkx`) without checking it first.

    Args:
        G: The flow graph.
        arrivals: Cases entering per hour (overrides the map's ``arrivals``).
        name: Name of the map (default ``G.graph["name"]``).

    Returns:
        The :class:`~servicemap.analysis.result.Analysis`.

    Raises:
        ValueError: if the flow cannot be solved (a loop without a way out),
            or ``arrivals`` cannot be read.

    Notes:
        One compilation of the graph (O(n + m)), two sparse solves (visits
        and the accuracy-scaled chain), one O(n + m) dominator sweep, then
        vectorised O(n) arithmetic and O(r log r) sorting of the tables.
    """
    return analyze_chain(compile_chain(G), arrivals=arrivals,
                         name=name if name is not None else str(G.graph.get("name", "")))


def analyze_chain(
    chain: FlowChain, *, arrivals: Rate | str | float | None = None, name: str = ""
) -> Analysis:
    """Analyse a compiled map (see :func:`analyze_graph`)."""
    rate = parse_arrivals(arrivals)
    if rate is None:
        rate = chain.arrivals_per_h
    v = solve_flow(chain)
    notes = list(chain.notes)

    pt = step_process_times(chain)
    lt = step_lead_times(chain)
    process = process_time_of(chain, v)
    lead = lead_time_of(chain, v)
    ratio = activity_ratio_of(process, lead)
    cost = cost_of(chain, v)
    accuracy = rolled_accuracy_of(chain)
    bottleneck, throughput = bottleneck_of(chain, v)
    load = loads_of(chain, v)
    fps, fp_steps, fp_flags = failure_table_of(chain, v)
    brows = bottleneck_rows_of(chain, v, rate)
    traps = time_traps_of(chain, v)
    convergence = convergence_points_of(chain)

    # -- notes --------------------------------------------------------------
    if chain.even_split:
        if len(chain.even_split) == 1:
            notes.append(f"decision {chain.even_split[0]!r} has no probabilities: split evenly")
        else:
            notes.append(f"{len(chain.even_split)} decisions have no probabilities: "
                         f"split evenly ({_named(chain.even_split)})")
    if process.value is None:
        notes.append("no step has a duration: no process time")
    if lead.value is None:
        notes.append("no step has a wait or a duration: no lead time")
    partial = [k for k, m in (("process time", process), ("lead time", lead), ("cost", cost))
               if m.value is not None and not m.complete]
    if partial:
        notes.append(f"{', '.join(partial)} count steps without data as 0: lower bounds "
                     "(see coverage)")
    if accuracy.value is not None and not accuracy.complete:
        notes.append("steps without an accuracy count as 100% accurate")
    constrained = ~np.isnan(chain.capacity)
    if not constrained.any():
        notes.append("no step has a capacity: no bottleneck")
    else:
        no_pt = [chain.nodes[i] for i in np.flatnonzero(constrained & np.isnan(pt)).tolist()]
        if no_pt:
            notes.append(f"step(s) {_named(no_pt)} have a capacity but no duration: no load")
        if rate is None:
            notes.append("no arrivals given: no utilisation or queue waits")
        else:
            notes.append("queue waits assume random arrivals and service times (M/M/c)")
            over = [b for b in brows if b.overloaded]
            for row in over[:_MAX_NAMED]:
                notes.append(f"step {row.step!r} is overloaded (utilisation "
                             f"{percent(row.utilisation or 0.0)}): its queue grows without bound")
            if len(over) > _MAX_NAMED:
                notes.append(f"{len(over) - _MAX_NAMED} more steps are overloaded")

    # -- per-step table -----------------------------------------------------
    # Flags by step position: the failure-point flags, then the others in this
    # order. Equal tuples are shared (there are only a few different ones).
    none: tuple[str, ...] = ()
    step_flags: list[tuple[str, ...]] = [none] * chain.n
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    for i, key in zip(fp_steps, fp_flags, strict=True):
        step_flags[i] = key
    index = chain.index
    more: list[tuple[str, list[int]]] = [
        ("bottleneck", [index[bottleneck]] if bottleneck is not None else []),
        ("overloaded", [index[b.step] for b in brows if b.overloaded]),
        ("convergence", convergence_order_of(chain).tolist()),
        ("recovery", np.flatnonzero(chain.recovery).tolist()),
        ("even-split", [index[step] for step in chain.even_split]),
    ]
    for flag, positions in more:
        for i in positions:
            key = (*step_flags[i], flag)
            step_flags[i] = shared.setdefault(key, key)

    total_lt = float(np.nansum(v * lt))
    share = (v * lt / total_lt) if total_lt > 0 else np.full(chain.n, np.nan)
    acc = chain.accuracy
    defects = np.where(np.isnan(acc), np.nan, v * (1.0 - np.nan_to_num(acc, nan=1.0)))
    util = np.full(chain.n, np.nan)
    wait = np.full(chain.n, np.nan)
    at = [index[brow.step] for brow in brows]
    util[at] = [np.nan if b.utilisation is None else b.utilisation for b in brows]
    wait[at] = [np.nan if b.queue_wait_s is None else b.queue_wait_s for b in brows]
    table: StepTable = {
        "id": list(chain.nodes),
        "label": list(chain.label),
        "kind": list(chain.kind),
        "lane": list(chain.lane),
        "visits": v.tolist(),
        "process_time_s": _column(pt),
        "lead_time_s": _column(lt),
        "capacity": [None if c != c else int(c) for c in chain.capacity.tolist()],
        "load_s": _column(load),
        "utilisation": _column(util),
        "queue_wait_s": _column(wait),
        "expected_defects": _column(defects),
        "lead_time_share": _column(share),
        "flags": step_flags,
    }

    summary = Summary(
        process_time_s=process.value,
        lead_time_s=lead.value,
        activity_ratio=ratio.value,
        rolled_accuracy=accuracy.value,
        success_probability=success_probability_of(chain, v),
        cost=cost.value,
        max_throughput_per_h=throughput,
        bottleneck=bottleneck,
        arrivals_per_h=rate,
        coverage={"process_time": process, "lead_time": lead, "activity_ratio": ratio,
                  "cost": cost, "rolled_accuracy": accuracy},
    )
    return Analysis(
        name=name,
        summary=summary,
        table=table,
        failure_points=fps,
        bottlenecks=brows,
        time_traps=traps,
        convergence_points=convergence,
        end_probabilities=end_probabilities_of(chain, v),
        notes=notes,
    )


def analyze_blueprint(
    blueprint: Blueprint, *, arrivals: Rate | str | float | None = None,
    graph: FlowGraph | None = None,
) -> Analysis:
    """Analyse a map that passed the structural checks (see :func:`servicemap.analyze`).

    This stage does not check the map: :func:`servicemap.api.analyze` runs the
    structural rules first and refuses a broken map with their problems.

    Args:
        blueprint: The map.
        arrivals: Cases entering the map: a ``Rate``, a text such as ``"40/h"``
            or a number of cases per hour. Default: the map's own ``arrivals``.

    Returns:
        The :class:`~servicemap.analysis.result.Analysis`.

    Raises:
        ValueError: if ``arrivals`` cannot be read, or the flow cannot be
            solved (a loop with no way out).

    Notes:
        Checks the structure, compiles the resolved flow once
        (:func:`~servicemap.analysis.chain.compile_blueprint`, the same chain
        as from ``to_networkx(blueprint)`` without building networkx objects)
        and analyses it; see :func:`analyze_graph` for the cost. The garbage
        collector is paused meanwhile.
    """
    rate = parse_arrivals(arrivals)
    with gc_paused():
        chain = compile_blueprint(blueprint, graph)
        # Free the flow graph while the collector is paused: when it resumes, its
        # first pass then only walks the result, not the graph as well.
        del graph
        return analyze_chain(chain, arrivals=rate, name=blueprint.name)
