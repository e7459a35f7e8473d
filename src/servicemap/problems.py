"""Problems: the one type every loader error and check finding is reported as."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "AnalysisError", "Level", "LoadError", "Problem", "RenderError", "ServiceMapError",
    "printable", "sort_problems",
]

Level = Literal["error", "warning"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """User text made safe to show in a terminal or a log, one escape per unsafe character.

    Every human-readable output (the text and github reports, messages on
    standard error, ``analyze``'s text) passes user text (labels, keys, ids,
    file names) through this, so a map cannot clear a screen, retitle a
    window, plant a hyperlink, reorder a line with bidirectional overrides or
    forge a report line with a newline. Escaped: C0 controls (newline and tab
    too), DEL, C1 controls, U+2028/U+2029, the bidirectional embeddings and
    overrides U+202A-U+202E and isolates U+2066-U+2069, and lone surrogates
    (a file name byte that is not UTF-8 shows as ``\\xNN``). Everything else,
    other scripts and emoji included, is kept.

    Args:
        text: The text to show.
        keep: Characters to leave as they are (``"\\n"`` for text of several lines).

    Example:
        >>> print(printable("a\\x1b[2Jb\\nc\\u202e d caf\\udce9 \u00e9"))
        a\\x1b[2Jb\\nc\\u202e d caf\\xe9 \u00e9
        >>> printable("two\\nlines\\r", keep="\\n")
        'two\\nlines\\\\r'
    """
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


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
