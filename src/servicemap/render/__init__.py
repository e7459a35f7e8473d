"""Drawing maps: our layout, pinned and drawn by Graphviz in an isolated worker process."""

from __future__ import annotations

from .draw import FORMATS, render, render_layout, svg_mimebundle
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker

__all__ = [
    "FORMATS",
    "GraphvizWorker",
    "KeyEntry",
    "StepStyle",
    "render",
    "render_layout",
    "svg_mimebundle",
]
