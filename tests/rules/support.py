"""What the rule tests share: checking a map written as text, and reading the problems."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import servicemap as sm
from servicemap.config import Config

__all__ = ["BROKEN", "FILE", "at", "check_text", "codes", "of"]

BROKEN = Path(__file__).resolve().parents[2] / "examples" / "broken"
FILE = "map.yaml"


def check_text(text: str, *, select: Sequence[str] | None = None,
               config: Config | None = None) -> list[sm.Problem]:
    """The problems ``check`` reports for a map given as YAML text (load problems included).

    The text is dedented, so maps can be written indented inside a test.
    """
    try:
        blueprint = sm.loads(textwrap.dedent(text), FILE)
    except sm.LoadError as error:
        return list(error.problems)
    return sm.check(blueprint, select=select, config=config)


def codes(problems: Iterable[sm.Problem]) -> set[str]:
    """The rule codes of ``problems``."""
    return {p.code for p in problems}


def of(problems: Iterable[sm.Problem], code: str) -> list[sm.Problem]:
    """The problems of one rule."""
    return [p for p in problems if p.code == code]


def at(problem: sm.Problem) -> tuple[str | None, int | None, int | None]:
    """Where a problem points: its step, line and column."""
    return problem.step, problem.line, problem.column
