"""Analysis of a map: where it fails, where it jams, how long a case takes, what it costs.

The map is an absorbing Markov chain over its steps (see docs/analysis.md);
how a case moves is defined once, in :mod:`servicemap.flow.markov`.
:func:`analyze_blueprint` compiles the flow once (:mod:`.chain`), solves it
(:mod:`.flow`), computes every metric (:mod:`.metrics`: :mod:`.times`,
:mod:`.bottlenecks`, :mod:`.queues`, :mod:`.failures`) and presents them
(:mod:`.table`, :mod:`.notes`, :mod:`.result`). The single analyses are also
public functions of the flow graph (:func:`servicemap.to_networkx`).
"""

from __future__ import annotations

from .bottlenecks import (
    bottleneck,
    convergence_points,
    loads,
    max_throughput,
    overloaded,
    queue_waits,
    time_traps,
    utilisation,
)
from .chain import FlowChain, compile_chain
from .engine import AnalysisError, analyze_blueprint, analyze_graph, parse_arrivals
from .failures import FailurePoint, Handoff, failure_points, handoffs, single_points_of_failure
from .flow import end_probabilities, evenly_split_decisions, success_probability, visits
from .queues import erlang_b, erlang_c, mmc_wait
from .result import Analysis, StepRow, Summary
from .times import (
    Metric,
    activity_ratio,
    cost_per_case,
    lead_time,
    lead_times,
    process_time,
    process_times,
    rolled_accuracy,
)

__all__ = [
    "Analysis",
    "AnalysisError",
    "FailurePoint",
    "FlowChain",
    "Handoff",
    "Metric",
    "StepRow",
    "Summary",
    "activity_ratio",
    "analyze_blueprint",
    "analyze_graph",
    "bottleneck",
    "compile_chain",
    "convergence_points",
    "cost_per_case",
    "end_probabilities",
    "erlang_b",
    "erlang_c",
    "evenly_split_decisions",
    "failure_points",
    "handoffs",
    "lead_time",
    "lead_times",
    "loads",
    "max_throughput",
    "mmc_wait",
    "overloaded",
    "parse_arrivals",
    "process_time",
    "process_times",
    "queue_waits",
    "rolled_accuracy",
    "single_points_of_failure",
    "success_probability",
    "time_traps",
    "utilisation",
    "visits",
]
