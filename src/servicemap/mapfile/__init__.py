"""Reading map files: safe YAML with positions, validation into located problems, JSON Schema."""

from __future__ import annotations

from .loading import MAX_BYTES, MAX_DEPTH, MAX_NODES, load, loads, parse_yaml

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load", "loads", "parse_yaml"]
