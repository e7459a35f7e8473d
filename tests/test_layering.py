"""Imports run one way down the pipeline: mapfile → model → flow → checks, analysis, drawing.

An AST walk over every module of the package, so imports placed inside
functions and under ``TYPE_CHECKING`` count as much as top-level ones. The
allowed directions are those of docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "servicemap"

SHARED = frozenset({"problems", "values", "calendars", "atomic", "readfile", "text", "_perf",
                    "_version"})
"""Modules every stage may use."""

_MODEL = frozenset({"model", "references", "sourcemap"}) | SHARED
_FLOW = _MODEL | {"flow"}
_RULES = _FLOW | {"rules"}
_LAYOUT = _MODEL | {"layout"}
_DRAWING = _LAYOUT | {"drawing"}
_ANALYSIS = _FLOW | {"analysis"}
_SIMULATION = _FLOW | {"simulation"}
_MAPFILE = _MODEL | {"mapfile"}
_CONFIG = _RULES | {"config"}
_CHECKING = _CONFIG | _MAPFILE | {"checking"}
_REPORTS = _RULES | {"reports"}
_HIGHLIGHT = _ANALYSIS | _DRAWING | {"highlight"}
_API = _CHECKING | _REPORTS | _HIGHLIGHT | _SIMULATION | {"api"}

ALLOWED: dict[str, frozenset[str]] = {
    "problems": frozenset({"problems"}),
    "values": frozenset({"values"}),
    "calendars": frozenset({"calendars", "values"}),
    "atomic": frozenset({"atomic"}),
    "readfile": frozenset({"readfile"}),
    "text": frozenset({"text"}),
    "_perf": frozenset({"_perf"}),
    "_version": frozenset({"_version"}),
    "sourcemap": frozenset({"sourcemap"}) | SHARED,
    "references": frozenset({"references"}) | SHARED,
    "model": _MODEL,
    "mapfile": _MAPFILE,
    "flow": _FLOW,
    "rules": _RULES,
    "config": _CONFIG,
    "checking": _CHECKING,
    "reports": _REPORTS,
    "analysis": _ANALYSIS,
    "simulation": _SIMULATION,
    "layout": _LAYOUT,
    "drawing": _DRAWING,
    "highlight": _HIGHLIGHT,
    "api": _API,
    "__init__": _API,
    "cli": frozenset({"cli", "__init__", "api"}),
    "__main__": frozenset({"__main__", "cli"}),
}
"""For each part of the package, the parts its modules may import."""


def _part(module: str) -> str:
    """The part of the package a dotted module name belongs to ('' if outside)."""
    pieces = module.split(".")
    if pieces[0] != "servicemap":
        return ""
    return pieces[1] if len(pieces) > 1 else "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, anywhere in it, as (line, absolute dotted name)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from . import x` and `from .pkg import sub` name modules too
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def violations() -> list[str]:
    """Imports against the allowed directions, as 'file:line: a -> b' lines."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _part(_module_name(path))
        allowed = ALLOWED[own]
        for line, target in imports_of(path):
            other = _part(target)
            if not other or other == own:
                continue
            is_part = other in ALLOWED or (PACKAGE / other).is_dir() \
                or (PACKAGE / f"{other}.py").exists()
            if is_part and other not in allowed:
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} -> {other}")
    return out


def test_every_part_of_the_package_has_a_place() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert parts <= set(ALLOWED), f"add {sorted(parts - set(ALLOWED))} to ALLOWED"


def test_imports_run_one_way() -> None:
    assert sorted(set(violations())) == []


def test_the_walk_sees_imports_inside_functions_and_type_checking() -> None:
    source = PACKAGE / "model.py"
    found = {target for _, target in imports_of(source)}
    assert "servicemap.values" in found
    sample = PACKAGE / "drawing" / "draw.py"
    assert "servicemap.layout.geometry" in {t for _, t in imports_of(sample)}  # TYPE_CHECKING


@pytest.mark.parametrize(("own", "other"), [
    ("model", "drawing"), ("analysis", "checking"), ("analysis", "rules"),
    ("drawing", "checking"), ("drawing", "analysis"), ("rules", "api"), ("layout", "drawing"),
])
def test_forbidden_directions_are_refused(own: str, other: str) -> None:
    assert other not in ALLOWED[own]
