"""How a case moves through a map: the flow graph (connectors resolved) and its Markov semantics."""

from __future__ import annotations

from .graph import Flow, FlowGraph, flow_graph

__all__ = ["Flow", "FlowGraph", "flow_graph"]
