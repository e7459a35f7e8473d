"""Drawing: a layout plus step styles to DOT, drawn by Graphviz in an isolated worker process.

This stage never checks or analyses a map; :mod:`servicemap.api` hands it the styles.
"""

from __future__ import annotations

from .draw import FORMATS, render_layout
from .marks import merge_styles, problem_styles
from .pages import PAGE_SIZES, RenderWarning, paper
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker

__all__ = [
    "FORMATS",
    "PAGE_SIZES",
    "GraphvizWorker",
    "KeyEntry",
    "RenderWarning",
    "StepStyle",
    "merge_styles",
    "paper",
    "problem_styles",
    "render_layout",
]
