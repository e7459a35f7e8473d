"""Running the check rules over maps: selection, per-step ignores, project configuration."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._perf import gc_paused
from .config import MAP_SUFFIXES, Config, find_config
from .mapfile import load
from .model import Blueprint, Step
from .problems import Level, LoadError, Problem, sort_problems
from .rules import RULES, Context, Rule, rule_by_key

__all__ = [
    "CheckResult",
    "check",
    "check_files",
    "collect_files",
    "run_rules",
    "structural_problems",
]

def _located(rule: Rule, level: Level, ctx: Context, message: str, step: str | None,
             path: tuple[str | int, ...]) -> Problem:
    source = ctx.blueprint.source
    filename = source.filename if source else None
    line, column = source.locate(path) if source else (None, None)
    return Problem(rule.code, rule.name, level, message, filename, line, column, step)


def run_rules(ctx: Context, active: dict[str, Level]) -> list[Problem]:
    """Run the active rules (code -> level) over a map's :class:`Context`, unsorted.

    Callers that go on to use the flow graph (analysis) pass their own context,
    so the graph is built once.
    """
    bp = ctx.blueprint
    problems: list[Problem] = []
    step_ignores: dict[str, set[str]] = {}
    ignoring = [(i, s) for i, s in enumerate(bp.steps) if s.ignore]  # usually few
    for _i, s in ignoring:
        codes = set()
        for key in s.ignore:
            try:
                codes.add(rule_by_key(key).code)
            except KeyError:
                continue
        step_ignores[s.id] = codes
    for rule in RULES:
        if rule.check is None or rule.code not in active:
            continue
        for finding in rule.check(ctx):
            if finding.step is not None and rule.code in step_ignores.get(finding.step, ()):
                continue
            problems.append(_located(rule, active[rule.code], ctx, finding.message,
                                     finding.step, finding.path))
    problems.extend(_unknown_ignores(ctx, ignoring))
    return problems


def _unknown_ignores(ctx: Context, ignoring: list[tuple[int, Step]]) -> list[Problem]:
    """Problems for unknown rules in ``ignore`` of ``ignoring``: (position, step) pairs."""
    from .references import did_you_mean

    names = [r.name for r in RULES] + [r.code for r in RULES]
    schema = rule_by_key("SM002")
    out = []
    for i, s in ignoring:
        for j, key in enumerate(s.ignore):
            try:
                rule_by_key(key)
            except KeyError:
                out.append(_located(schema, "error", ctx,
                                    f"'ignore' names unknown rule '{key}'"
                                    f"{did_you_mean(key, names)}", s.id, ("steps", i, "ignore", j)))
    return out


def check(
    target: Blueprint | str | os.PathLike[str],
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    config: Config | None = None,
) -> list[Problem]:
    """Check a map and return its problems, sorted by line and column.

    Never raises for a bad map: a file that does not load gives its load
    problems (SM001-SM004), which no selection hides.

    Args:
        target: A :class:`Blueprint`, or the path of a map file.
        select: Rules to run (codes, code prefixes such as ``SM1``, or names).
        ignore: Rules not to run.
        config: Project configuration; by default, for a path, the
            ``[tool.servicemap]`` table found above it.

    Raises:
        OSError: if ``target`` is a path that cannot be read.
        ConfigError: for an unknown rule in ``select``/``ignore`` or a bad config.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Broken
        ... steps:
        ...   - {id: start, kind: terminator, next: record}
        ...   - {id: record, kind: task}
        ... ''', "m.yaml")
        >>> for p in check(bp):
        ...     print(p.location(), p.code, p.rule, p.step)
        m.yaml:4:3 SM102 no-end None
        m.yaml:5:5 SM103 dead-end record
    """
    if isinstance(target, Blueprint):
        bp = target
        config = config or Config()
    else:
        if config is None:
            config = find_config(target)
        try:
            bp = load(target)
        except LoadError as exc:
            return list(exc.problems)
    active = config.active(select, ignore)
    with gc_paused():
        return sort_problems(run_rules(Context(bp), active))


def structural_problems(blueprint: Blueprint, context: Context | None = None) -> list[Problem]:
    """Error-level problems of rules SM1xx/SM2xx (structure, decisions) in a map."""
    # Only errors refuse a map, so rules that can only warn are not run.
    levels = Config(select=("SM1", "SM2")).active()
    active: dict[str, Level] = {code: lv for code, lv in levels.items() if lv == "error"}
    found = run_rules(context or Context(blueprint), active)
    return sort_problems(p for p in found
                         if p.level == "error" and p.code[:3] in ("SM1", "SM2"))


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The map files named: files as given, folders searched for ``*.yaml``/``*.yml``.

    Hidden folders (``.git``, ``.venv``) are skipped. Order: as given, then
    sorted within each folder.

    Raises:
        FileNotFoundError: for a path that does not exist.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found: list[Path] = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                found.extend(Path(dirpath) / f for f in filenames
                             if f.endswith(MAP_SUFFIXES))
            files.extend(sorted(found))
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")
    return list(dict.fromkeys(files))


@dataclass
class CheckResult:
    """Problems found in a set of files."""

    files: int
    problems: list[Problem]

    @property
    def errors(self) -> int:
        """Number of error-level problems."""
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """Number of warning-level problems."""
        return sum(p.level == "warning" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``check --format json``."""
        return {"files": self.files, "errors": self.errors, "warnings": self.warnings,
                "problems": [p.to_dict() for p in self.problems]}


def check_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> CheckResult:
    """Check every map file in ``paths`` (files and folders), each with its project config.

    Raises:
        FileNotFoundError: for a path that does not exist.
        ConfigError: for an unknown rule or a malformed ``[tool.servicemap]``.
        OSError: for a file that cannot be read.
    """
    files = collect_files(paths)
    configs: dict[Path, Config] = {}
    problems: list[Problem] = []
    for f in files:
        folder = f.resolve().parent
        if folder not in configs:
            configs[folder] = find_config(folder)
        problems.extend(check(f, select=select, ignore=ignore, config=configs[folder]))
    return CheckResult(len(files), sort_problems(problems))
