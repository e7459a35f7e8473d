"""Loading a map: its data validated into the model, every problem located in the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._perf import gc_paused
from ..model import Blueprint
from ..problems import LoadError, Problem
from ..references import reference_issues
from ..sourcemap import SourceMap
from .wording import describe
from .yaml_reader import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse_yaml, read_document

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load", "loads", "parse_yaml"]


def _schema_problem(message: str, source: SourceMap, line: int | None, column: int | None,
                    step: str | None = None) -> Problem:
    return Problem("SM002", "schema", "error", message, source.filename, line, column, step)


def _step_id(data: Any, path: tuple[Any, ...]) -> str | None:
    """The id of the step a data path lies in, if it has one."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        steps = data.get("steps") if isinstance(data, dict) else None
        if isinstance(steps, list) and path[1] < len(steps) and isinstance(steps[path[1]], dict):
            sid = steps[path[1]].get("id")
            return sid if isinstance(sid, str) else None
    return None


def _top_level(data: Any, source: SourceMap) -> dict[str, Any]:
    """The map's top-level mapping, or a LoadError saying what the file holds instead."""
    if isinstance(data, dict):
        return data
    if data is None:
        message = "the file is empty: expected a map with 'name' and 'steps'"
    else:
        found = "list" if isinstance(data, list) else type(data).__name__
        message = f"expected a mapping with 'name' and 'steps' at the top, found a {found}"
    line, col = source.locate(())
    raise LoadError([_schema_problem(message, source, line, col)])


def _schema_problems(data: dict[str, Any], source: SourceMap) -> tuple[Blueprint | None,
                                                                      list[Problem]]:
    """The validated map, or None and one SM002 problem per pydantic error, located."""
    try:
        return Blueprint.model_validate(data, context={"defer_references": True}), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            wording = describe(err, data)
            line, col = source.locate(wording.path, key=wording.at_key)
            problems.append(_schema_problem(wording.message, source, line, col,
                                            _step_id(data, wording.path)))
        return None, problems


def _reference_problems(data: dict[str, Any], source: SourceMap) -> list[Problem]:
    """SM003 (duplicate ids) and SM004 (unknown references), located."""
    problems = []
    for issue in reference_issues(data):
        line, col = source.locate(issue.path)
        rule = "duplicate-id" if issue.code == "SM003" else "unknown-reference"
        problems.append(Problem(issue.code, rule, "error", issue.message, source.filename,
                                line, col, issue.step))
    return problems


def _validate(data: Any, source: SourceMap, problems: list[Problem]) -> Blueprint:
    """The map from read data, or a LoadError with the reading's problems and all of these."""
    top = _top_level(data, source)
    bp, schema = _schema_problems(top, source)
    problems = [*problems, *schema, *_reference_problems(top, source)]
    if problems or bp is None:
        raise LoadError(problems)
    bp._source = source
    return bp


def loads(text: str | bytes, filename: str | None = None) -> Blueprint:
    """Load a map from YAML or JSON text.

    Args:
        text: The map's text (bytes are decoded as UTF-8).
        filename: Shown in problems; also what :attr:`Blueprint.source` records.

    Raises:
        LoadError: listing every problem found, each with line and column.

    Example:
        >>> bp = loads('''
        ... name: Tiny
        ... steps:
        ...   - {id: start, kind: terminator, next: work}
        ...   - {id: work, kind: task, duration: 5 min, next: end}
        ...   - {id: end, kind: terminator}
        ... ''')
        >>> [s.id for s in bp.steps]
        ['start', 'work', 'end']
        >>> try:
        ...     loads("name: x\\nsteps:\\n  - {id: a, kind: task, duration: 5}\\n", "m.yaml")
        ... except LoadError as err:
        ...     print(err.problems[0].location(), err.problems[0].message[:34])
        m.yaml:3:35 duration 5 has no unit: add a unit
    """
    with gc_paused():
        data, source, problems = read_document(text, filename)
        return _validate(data, source, problems)


def load(path: str | os.PathLike[str], *, approximate: bool = False) -> Blueprint:
    """Load a map from a ``.yaml``/``.yml``/``.json`` file, or a BPMN 2.0 file.

    A ``.bpmn`` file (or ``.xml`` in the BPMN namespace) is converted as
    docs/bpmn.md says; ``approximate`` maps its unsupported elements with a
    warning each instead of an error (YAML maps ignore it).

    Raises:
        LoadError: for a map with problems (each located in the file), and for a
            path that is not a regular file (a FIFO, a device, a folder) or holds
            more than ``MAX_BYTES``: SM001 at line 1, column 1.
        OSError: if the file cannot be read (missing, a dangling symbolic link
            or a loop of them, no permission).
    """
    from ..readfile import FileTooLargeError, NotRegularFileError, read_regular_file

    name = os.fspath(path)
    try:  # bounded: never waits on a FIFO, never reads /dev/zero without end
        data = read_regular_file(Path(name), MAX_BYTES)
    except (NotRegularFileError, FileTooLargeError) as exc:
        raise LoadError([Problem("SM001", "yaml-syntax", "error", exc.strerror or str(exc),
                                 name, 1, 1)]) from None
    from .bpmn import is_bpmn, loads_bpmn

    if is_bpmn(name, data):
        with gc_paused():
            return loads_bpmn(data, name, approximate=approximate)
    return loads(data, name)
