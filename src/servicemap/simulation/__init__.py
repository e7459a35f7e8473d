"""Discrete-event simulation of a map (simpy): lead-time percentiles, waits, WIP, event logs."""

from __future__ import annotations

from .engine import Event, Replication, run_replication
from .network import Network, SimStep, compile_network
from .result import Estimate, SimulationResult, StepStats, estimate
from .run import run_network

__all__ = [
    "Estimate",
    "Event",
    "Network",
    "Replication",
    "SimStep",
    "SimulationResult",
    "StepStats",
    "compile_network",
    "estimate",
    "run_network",
    "run_replication",
]
