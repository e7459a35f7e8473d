"""Problems: the one type every loader error and check finding is reported as."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "AnalysisError", "Level", "LoadError", "Problem", "RenderError", "ServiceMapError",
    "sort_problems",
]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about a map, located in its file where possible.

    Attributes:
        code: Rule code, e.g. ``"SM103"``.
        rule: Rule name, e.g. ``"dead-end"``.
        level: ``"error"`` or ``"warning"``.
        message: What is wrong and what was expected, for a person.
        file: Path of the file as given, or ``None`` for a map built in Python.
        line: 1-based line, or ``None`` when there is no source text.
        column: 1-based column, or ``None`` when there is no source text.
        step: Id of the step concerned, if any.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "step 'x' has no outgoing flow",
        ...             file="m.yaml", line=3, column=5, step="x")
        >>> str(p)
        "m.yaml:3:5: SM103 [error] dead-end: step 'x' has no outgoing flow"
    """

    code: str
    rule: str
    level: Level
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    step: str | None = None

    def location(self) -> str:
        """``file:line:column`` with the parts that are known."""
        parts = [self.file or "<map>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.code} [{self.level}] {self.rule}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The problem as the JSON object of ``check --format json``."""
        d = asdict(self)
        return {k: d[k] for k in ("file", "line", "column", "code", "rule", "level", "step",
                                  "message")}

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line, column, code."""
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems sorted by file, line, column and code.

    >>> ps = [Problem("SM2", "b", "error", "m", "f", 9, 1),
    ...       Problem("SM1", "a", "error", "m", "f", 2, 4)]
    >>> [p.line for p in sort_problems(ps)]
    [2, 9]
    """
    return sorted(problems, key=Problem.sort_key)


class ServiceMapError(Exception):
    """Base class of the errors servicemap raises."""


class LoadError(ServiceMapError, ValueError):
    """A map could not be loaded or validated; ``problems`` lists every reason.

    Example:
        >>> err = LoadError([Problem("SM001", "yaml-syntax", "error", "bad", "m.yaml", 1, 1)])
        >>> print(err)
        m.yaml:1:1: SM001 [error] yaml-syntax: bad
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "map could not be loaded")


class AnalysisError(LoadError):
    """A map cannot be analysed: it has structural errors; ``problems`` lists them."""


class RenderError(ServiceMapError, RuntimeError):
    """Graphviz failed, crashed or ran out of time while drawing a map."""
