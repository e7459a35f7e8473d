"""The package face: what ``import servicemap as sm`` gives a user, in a script and in Jupyter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import servicemap as sm
from servicemap.model import Blueprint

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "service_desk.yaml"


def test_render_stays_callable_after_first_use() -> None:
    """The drawing subpackage used to be ``servicemap.render`` and replaced the function."""
    script = (
        "import servicemap as sm\n"
        f"bp = sm.load({str(EXAMPLE)!r})\n"
        "first = sm.render(bp, format='dot')\n"
        "import servicemap.drawing, servicemap.drawing.dot\n"
        "second = sm.render(bp, format='dot')\n"
        "assert callable(sm.render) and first == second\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False)
    assert result.stdout == "ok\n", result.stderr


def test_the_face_offers_the_pipeline_as_functions() -> None:
    bp = sm.load(EXAMPLE)
    assert sm.check(bp) == []
    assert sm.analyze(bp).summary["process_time_s"] == sm.analyze(bp).summary.process_time_s
    assert sm.to_networkx(bp).number_of_nodes() == len(bp.steps)
    for name in ("render", "to_networkx", "_repr_mimebundle_"):
        assert not hasattr(Blueprint, name), f"the model must not know {name}"


class _Formatter:
    def __init__(self) -> None:
        self.printers: dict[type, Any] = {}

    def for_type(self, cls: type, printer: Any) -> None:
        self.printers[cls] = printer


class _Shell:
    """The part of IPython's shell that registering a display touches."""

    def __init__(self) -> None:
        self.display_formatter = type("DF", (), {"mimebundle_formatter": _Formatter()})()


def test_jupyter_display_is_registered_from_the_face() -> None:
    shell = _Shell()
    assert sm.register_display(shell)
    printer = shell.display_formatter.mimebundle_formatter.printers[Blueprint]
    bundle = printer(sm.load(EXAMPLE))
    assert bundle["image/svg+xml"].startswith("<?xml")
    assert "Service desk" in bundle["text/plain"]


def test_without_ipython_nothing_is_registered() -> None:
    script = "import sys, servicemap as sm; print(sm.register_display(), 'IPython' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False)
    assert result.stdout == "False False\n", result.stderr


def test_import_inside_ipython_registers_the_display() -> None:
    script = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "shell = start_ipython()\n"
        "import servicemap as sm\n"
        "from servicemap.model import Blueprint\n"
        "f = shell.display_formatter.mimebundle_formatter\n"
        "print(Blueprint in f.type_printers)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip().endswith("True"), result.stderr
