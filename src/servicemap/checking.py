"""Running the check rules over maps and files: selection, per-step ignores, finding the maps."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._perf import gc_paused
from .config import MAP_SUFFIXES, Config, find_config, read_config
from .mapfile import MAX_BYTES, load
from .mapfile.bpmn import import_problems
from .model import Blueprint, Step
from .problems import Level, LoadError, Problem, sort_problems
from .readfile import read_regular_file
from .rules import RULES, Context, Rule, rule_by_key

if TYPE_CHECKING:  # pathspec loads when a folder search or --force-exclude matches patterns
    from pathspec import GitIgnoreSpec

__all__ = [
    "CheckResult",
    "check",
    "check_files",
    "collect_files",
    "is_excluded",
    "looks_like_map",
    "run_rules",
    "structural_problems",
    "unreadable_problem",
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
    approximate: bool = False,
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
        approximate: For a BPMN file, map unsupported elements with a warning
            each instead of an error (docs/bpmn.md).

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
            bp = load(target, approximate=approximate)
        except LoadError as exc:
            return list(exc.problems)
    active = config.active(select, ignore)
    with gc_paused():
        context = Context(bp, options=config.rule_options())
        return sort_problems([*import_problems(bp), *run_rules(context, active)])


def structural_problems(blueprint: Blueprint, context: Context | None = None) -> list[Problem]:
    """Error-level problems of rules SM1xx/SM2xx (structure, decisions) in a map."""
    # Only errors refuse a map, so rules that can only warn are not run.
    levels = Config(select=("SM1", "SM2")).active()
    active: dict[str, Level] = {code: lv for code, lv in levels.items() if lv == "error"}
    found = run_rules(context or Context(blueprint), active)
    return sort_problems(p for p in found
                         if p.level == "error" and p.code[:3] in ("SM1", "SM2"))


_MAP_KEY = re.compile(rb"^(?:\xef\xbb\xbf)?[\"']?(?:steps|servicemap)[\"']?[ \t]*:", re.MULTILINE)


def looks_like_map(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file has a top-level ``steps:`` or ``servicemap:`` key.

    A cheap test on the text, not a parse: some line must start with the key
    (quoted or not) and a colon. A map written in flow style (``{steps: ...}``)
    does not pass. A file that cannot be read (or is too large, or not a
    regular file) passes, so the check reports why. The read is bounded and
    never waits on a FIFO.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "compose.yaml"
    >>> _ = f.write_text("services:\\n  web: {image: nginx}\\n")
    >>> looks_like_map(f)
    False
    >>> _ = f.write_text("name: Intake\\nsteps:\\n  - {id: a, kind: terminator}\\n")
    >>> looks_like_map(f)
    True
    """
    if os.fspath(path).endswith(".bpmn"):  # BPMN 2.0: always a map (docs/bpmn.md)
        return True
    try:
        data = read_regular_file(path, MAX_BYTES)
    except OSError:
        return True
    return _MAP_KEY.search(data) is not None


def _real(path: Path) -> Path:
    """``path`` with symbolic links resolved as far as they go; never raises for a loop.

    (``Path.resolve`` raises ``RuntimeError`` on a loop of links before Python 3.13.)
    """
    return Path(os.path.realpath(path))


def _gitignore(folder: Path) -> GitIgnoreSpec | None:
    """The patterns of ``folder/.gitignore``, if any; invalid lines are skipped, as git does."""
    try:  # bounded, and never waiting on a FIFO named .gitignore
        data = read_regular_file(folder / ".gitignore", MAX_BYTES, "a .gitignore")
    except OSError:
        return None
    from pathspec import GitIgnoreSpec

    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError:
        valid = []
        for line in lines:
            with contextlib.suppress(ValueError):
                GitIgnoreSpec.from_lines([line])
                valid.append(line)
        return GitIgnoreSpec.from_lines(valid)


Gitignores = tuple[tuple[Path, "GitIgnoreSpec"], ...]
"""The ``.gitignore`` files in force in a folder: (folder, patterns), outermost first."""


def _git_ignored(gitignores: Gitignores, path: Path, is_dir: bool) -> bool:
    """Whether the nearest ``.gitignore`` with a pattern matching ``path`` ignores it."""
    for folder, spec in reversed(gitignores):
        rel = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
        include = spec.check_file(rel).include
        if include is not None:
            return include
    return False


def _outer_gitignores(root: Path) -> Gitignores:
    """The ``.gitignore`` files above ``root`` up to its git work tree's top, if inside one."""
    for top in (root, *root.parents):
        if (top / ".git").exists():
            break
    else:
        return ()
    found = []
    for folder in reversed(root.parents):
        if folder == top or top in folder.parents:
            spec = _gitignore(folder)
            if spec is not None:
                found.append((folder, spec))
    return tuple(found)


def _matches(spec: GitIgnoreSpec, anchor: Path, path: Path, is_dir: bool) -> bool:
    try:
        rel = path.relative_to(anchor).as_posix()
    except ValueError:
        return False
    if rel == ".":
        return False
    return spec.match_file(rel + ("/" if is_dir else ""))


def is_excluded(path: str | os.PathLike[str], config: Config | None = None) -> bool:
    """Whether ``exclude``/``extend-exclude`` match ``path`` (or a folder it is in).

    The patterns are matched relative to the folder of the ``pyproject.toml``
    they come from; with no project configuration, relative to the current
    folder. A path outside that folder is never excluded. This is what
    ``--force-exclude`` applies to the paths named on the command line.
    """
    target = _real(Path(path))
    config = config if config is not None else find_config(target)
    anchor = config.root or Path.cwd().resolve()
    return _matches(config.exclude_spec(), anchor, target, target.is_dir())


@dataclass(frozen=True)
class _Folder:
    """What applies to the entries of one folder of a search."""

    config: Config
    anchor: Path  # what exclude patterns are relative to
    gitignores: Gitignores

    def skips(self, path: Path, is_dir: bool) -> bool:
        if _matches(self.config.exclude_spec(), self.anchor, path, is_dir):
            return True
        return self.config.respect_gitignore and _git_ignored(self.gitignores, path, is_dir)

    def below(self, folder: Path) -> _Folder:
        """The settings for a subfolder: its own config if it has one, its .gitignore."""
        config, anchor = self.config, self.anchor
        if (folder / "pyproject.toml").is_file():
            own = read_config(folder / "pyproject.toml")
            if own is not None:
                config, anchor = own, folder
        spec = _gitignore(folder) if config.respect_gitignore else None
        gitignores = self.gitignores if spec is None else (*self.gitignores, (folder, spec))
        return _Folder(config, anchor, gitignores)


def _search(root: Path) -> list[Path]:
    """The map files below the folder ``root``, as ``root`` joined to their relative paths.

    Skipped: what ``exclude``/``extend-exclude`` or (with ``respect-gitignore``)
    a ``.gitignore`` matches, YAML files that fail :func:`looks_like_map`, and
    names that are not regular files (FIFOs, devices, sockets, folders),
    which a search never opens. A name that cannot be looked at (a dangling
    symbolic link, a loop of them) is kept, so the check reports it.
    If ``root`` itself is excluded or ignored, it is still searched, with the
    patterns matched from ``root`` down.
    """
    top = root.resolve()
    config = find_config(top)
    anchor = config.root or top
    if _matches(config.exclude_spec(), anchor, top, True):
        anchor = top
    outer = _outer_gitignores(top) if config.respect_gitignore else ()
    if _git_ignored(outer, top, True):
        outer = ()
    settings = {top: _Folder(config, anchor, outer).below(top)}
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        folder = settings.pop(here)
        kept = sorted(d for d in dirnames if not folder.skips(here / d, True))
        dirnames[:] = kept
        for d in kept:
            settings[here / d] = folder.below(here / d)
        for name in filenames:
            path = here / name
            if (name.endswith(MAP_SUFFIXES) and not folder.skips(path, False)
                    and _regular_or_unreadable(path) and looks_like_map(path)):
                found.append(root / path.relative_to(top))
    return sorted(found)


def _regular_or_unreadable(path: Path) -> bool:
    """Whether a search takes ``path``: a regular file, or a name that cannot be looked at."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def collect_files(paths: Iterable[str | os.PathLike[str]], *,
                  force_exclude: bool = False) -> list[Path]:
    """The map files named: files as given, folders searched for maps.

    A folder search yields the ``*.yaml``/``*.yml`` files below it that have a
    top-level ``steps:`` or ``servicemap:`` key, skipping what the project's
    ``exclude`` and ``extend-exclude`` patterns match (by default hidden
    folders, virtual environments, build output and other tools' YAML files)
    and, with ``respect-gitignore`` (the default), what ``.gitignore`` files
    ignore. A file named is always checked, unless ``force_exclude`` is set and
    :func:`is_excluded` says it is excluded, even if it is not a regular file
    or a dangling symbolic link (the check then reports why it cannot be
    read). Order: as given, then sorted within each folder.

    Raises:
        FileNotFoundError: for a path that does not exist (not even as a
            dangling symbolic link).
        ConfigError: for a malformed ``[tool.servicemap]`` table.
    """
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not os.path.lexists(p):
            raise FileNotFoundError(f"no such file or folder: {raw}")
        if force_exclude and is_excluded(p):
            continue
        files.extend(_search(p) if p.is_dir() else [p])
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
    force_exclude: bool = False,
    approximate: bool = False,
) -> CheckResult:
    """Check every map file in ``paths`` (files and folders), each with its project config.

    Which files: see :func:`collect_files`. A file that cannot be read (a
    dangling symbolic link, a loop of them, no permission) is reported as a
    problem of that file (:func:`unreadable_problem`) and the others are
    checked all the same.

    Raises:
        FileNotFoundError: for a path that does not exist.
        ConfigError: for an unknown rule or a malformed ``[tool.servicemap]``.
    """
    files = collect_files(paths, force_exclude=force_exclude)
    configs: dict[Path, Config] = {}
    problems: list[Problem] = []
    for f in files:
        folder = _real(f).parent
        if folder not in configs:
            configs[folder] = find_config(folder)
        try:
            problems.extend(check(f, select=select, ignore=ignore, config=configs[folder],
                                  approximate=approximate))
        except OSError as exc:
            problems.append(unreadable_problem(f, exc))
    return CheckResult(len(files), sort_problems(problems))


def unreadable_problem(path: str | os.PathLike[str], error: OSError) -> Problem:
    """The problem reported for a map file that cannot be read: SM001 at line 1, column 1.

    >>> import errno
    >>> p = unreadable_problem("maps/a.yaml", PermissionError(errno.EACCES, "Permission denied"))
    >>> print(p)
    maps/a.yaml:1:1: SM001 [error] yaml-syntax: cannot read: Permission denied
    """
    reason = error.strerror or str(error) or type(error).__name__
    if os.path.islink(path) and not os.path.exists(path):
        with contextlib.suppress(OSError):
            reason += f" (a symbolic link to '{os.readlink(path)}', which cannot be followed)"
    rule = rule_by_key("SM001")
    return Problem(rule.code, rule.name, "error", f"cannot read: {reason}", os.fspath(path),
                   1, 1)
