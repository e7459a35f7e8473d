"""Reading map files: safe YAML with positions, validation into located problems, JSON Schema."""

from __future__ import annotations

from .loading import load, loads
from .yaml_reader import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse_yaml

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load", "loads", "parse_yaml"]
