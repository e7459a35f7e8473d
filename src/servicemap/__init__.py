"""servicemap: service blueprints and process maps — check, analyse and draw them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .loading import load, loads
from .model import (
    Blueprint,
    Branch,
    Connector,
    Decision,
    Delay,
    Document,
    Lane,
    Phase,
    Predefined,
    Step,
    Task,
    Terminator,
)
from .problems import LoadError, Problem, RenderError, ServiceMapError
from .values import Rate

if TYPE_CHECKING:
    from .analysis import Analysis, analyze
    from .checking import check
    from .render import render

__all__ = [
    "Analysis",
    "Blueprint",
    "Branch",
    "Connector",
    "Decision",
    "Delay",
    "Document",
    "Lane",
    "LoadError",
    "Phase",
    "Predefined",
    "Problem",
    "Rate",
    "RenderError",
    "ServiceMapError",
    "Step",
    "Task",
    "Terminator",
    "__version__",
    "analyze",
    "check",
    "load",
    "loads",
    "render",
]

__version__ = "0.1.0"

_LAZY = {
    "check": ("checking", "check"),
    "analyze": ("analysis", "analyze"),
    "Analysis": ("analysis", "Analysis"),
    "render": ("render", "render"),
}


def __getattr__(name: str) -> Any:
    # Heavy parts (numpy/scipy, pygraphviz) load on first use, keeping `check` fast to start.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'servicemap' has no attribute {name!r}")
