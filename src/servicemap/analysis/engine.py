"""Run the analysis of a map: compile its flow once, solve it, compute and present the metrics."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from .._perf import gc_paused
from ..problems import AnalysisError, Problem
from .calendar import on_working_time
from .chain import FlowChain, compile_blueprint, compile_chain
from .flow import UnsolvableFlow, solve_flow
from .metrics import metrics_of, summary_of
from .notes import notes_of
from .parallel import NotNested
from .result import Analysis
from .table import step_table_of

if TYPE_CHECKING:
    from ..flow.graph import FlowGraph
    from ..model import Blueprint
    from ..values import Rate

__all__ = [
    "NOT_NESTED",
    "AnalysisError", "analyze_blueprint", "analyze_chain", "analyze_graph", "parse_arrivals",
]


def parse_arrivals(arrivals: Rate | str | float | None) -> float | None:
    """Cases per hour from a Rate, a rate text (``"40/h"``) or a number (cases per hour).

    Raises:
        ValueError: for anything else, a negative or a non-finite number.

    Examples:
        >>> parse_arrivals("2/min"), parse_arrivals(12), parse_arrivals(None)
        (120.0, 12.0, None)

    Notes:
        O(1).
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
        AnalysisError: (a ``ValueError``) if the flow cannot be solved: a loop
            without a way out (in practice); its ``problems`` say where (SM105).
        ValueError: if ``arrivals`` cannot be read.

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
    """Analyse a compiled map (see :func:`analyze_graph`).

    Args:
        chain: The compiled map.
        arrivals: Cases entering per hour (default: the map's).
        name: Name of the map.

    Raises:
        AnalysisError: (a ``ValueError``) if the flow cannot be solved (see
            :func:`analyze_graph`).
        ValueError: if ``arrivals`` cannot be read.

    Notes:
        Values beyond the float range are reported as ``None`` with a note, never
        as ``inf`` or ``nan``; numpy's floating-point warnings are not raised.
        Solves the visits, computes every metric
        (:func:`~servicemap.analysis.metrics.metrics_of`) and presents them:
        summary, per-step table and notes. See :func:`analyze_graph` for the cost.
    """
    return _analyze(chain, parse_arrivals(arrivals), name, None)


def _refusal(exc: UnsolvableFlow, blueprint: Blueprint | None) -> AnalysisError:
    """The error for a flow that cannot be solved: an SM105 problem at its first step."""
    step = exc.steps[0] if exc.steps else None
    filename = line = column = None
    source = blueprint.source if blueprint is not None else None
    if source is not None and blueprint is not None:
        filename = source.filename
        at = next((k for k, s in enumerate(blueprint.steps) if s.id == step), None)
        if at is not None:
            line, column = source.locate(("steps", at))
    return AnalysisError([Problem("SM105", "no-way-out", "error", str(exc), filename, line,
                                  column, step)])


NOT_NESTED = ("SM190", "parallel-not-nested")
"""The code and name of the refusal of parallel work that does not nest into regions."""


def _not_nested(exc: NotNested, blueprint: Blueprint | None) -> AnalysisError:
    """The error for parallel work that does not nest: one problem per step named, located."""
    source = blueprint.source if blueprint is not None else None
    at = {s.id: k for k, s in enumerate(blueprint.steps)} if blueprint is not None else {}
    problems = []
    steps: list[str | None] = list(exc.steps) or [None]
    for step in steps:
        line = column = None
        if source is not None and step in at:
            line, column = source.locate(("steps", at[step]))
        problems.append(Problem(*NOT_NESTED, "error", str(exc),
                                source.filename if source is not None else None, line, column,
                                step))
    return AnalysisError(problems)


def _analyze(chain: FlowChain, rate: float | None, name: str,
             blueprint: Blueprint | None) -> Analysis:
    # Overflow and underflow are handled where they matter (None and a note), so
    # numpy's floating-point errors are neither warned about nor raised, whatever
    # np.seterr or the warning filters say.
    with np.errstate(all="ignore"):
        try:
            v = solve_flow(chain)
        except UnsolvableFlow as exc:
            raise _refusal(exc, blueprint) from exc
        try:
            m = metrics_of(chain, v, chain.arrivals_per_h if rate is None else rate)
        except NotNested as exc:
            raise _not_nested(exc, blueprint) from exc
        return Analysis(
            name=name,
            summary=summary_of(m),
            table=step_table_of(chain, m),
            failure_points=m.failure_points,
            bottlenecks=m.bottlenecks,
            time_traps=m.time_traps,
            convergence_points=m.convergence,
            end_probabilities=m.end_probabilities,
            notes=notes_of(chain, m),
            parallel=m.parallel.regions if m.parallel is not None else [],
            critical_path=m.parallel.critical_path if m.parallel is not None else [],
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
        ValueError: if ``arrivals`` cannot be read.
        AnalysisError: (a ``ValueError``) if the flow cannot be solved (a loop
            with no way out, which rule SM105 reports; see :func:`analyze_graph`).

    With a working calendar (on the map or a lane) the map is analysed in the
    working time of the map's calendar and ``calendar`` of the result gives
    the lead time in calendar time too (:mod:`~servicemap.analysis.calendar`).

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
        if blueprint.calendar is None and all(lane.calendar is None for lane in blueprint.lanes):
            return _analyze(chain, rate, blueprint.name, blueprint)
        chain, rate, times = on_working_time(chain, blueprint, arrivals)
        found = _analyze(chain, rate, blueprint.name, blueprint)
        return dataclasses.replace(found, calendar=times.with_lead_time(found.summary.lead_time_s))
