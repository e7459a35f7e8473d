"""servicemap: service blueprints and process maps — check, analyse and draw them."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .mapfile import load, loads
from .model import (
    Blueprint,
    Branch,
    Connector,
    Decision,
    Delay,
    Document,
    Lane,
    Parallel,
    Phase,
    Predefined,
    Step,
    Task,
    Terminator,
)
from .problems import AnalysisError, LoadError, Problem, RenderError, ServiceMapError
from .values import Rate

if TYPE_CHECKING:
    from .analysis import Analysis
    from .analysis.whatif import ChangeError
    from .api import analyze, check, render, sensitivity, simulate, what_if
    from .flow.networkx import to_networkx

__all__ = [
    "Analysis",
    "AnalysisError",
    "Blueprint",
    "Branch",
    "ChangeError",
    "Connector",
    "Decision",
    "Delay",
    "Document",
    "Lane",
    "LoadError",
    "Parallel",
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
    "register_display",
    "render",
    "sensitivity",
    "simulate",
    "to_networkx",
    "what_if",
]


_LAZY = {
    "check": ("api", "check"),
    "analyze": ("api", "analyze"),
    "render": ("api", "render"),
    "simulate": ("api", "simulate"),
    "what_if": ("api", "what_if"),
    "sensitivity": ("api", "sensitivity"),
    "ChangeError": ("analysis.whatif", "ChangeError"),
    "Analysis": ("analysis", "Analysis"),
    "to_networkx": ("flow.networkx", "to_networkx"),
}


def __getattr__(name: str) -> Any:
    # Heavy parts (numpy/scipy, networkx, pygraphviz) load on first use, keeping `check` fast
    # to start. No subpackage shares a name with these, so importing one never hides them.
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'servicemap' has no attribute {name!r}")


def _display(blueprint: Blueprint, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    from .api import svg_mimebundle

    return svg_mimebundle(blueprint)


def register_display(shell: Any = None) -> bool:
    """Draw maps inline in Jupyter: register the display of :class:`Blueprint` with IPython.

    Runs on ``import servicemap`` inside IPython; the model itself knows
    nothing of drawing. Returns whether a shell was found.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    shell.display_formatter.mimebundle_formatter.for_type(Blueprint, _display)
    return True


register_display()
