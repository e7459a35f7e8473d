"""Project configuration: the ``[tool.servicemap]`` table of ``pyproject.toml``."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .problems import Level
from .readfile import read_regular_file
from .rules import RULES, rule_by_key, select_rules

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "DEFAULT_EXCLUDE",
    "KEYS",
    "MAP_SUFFIXES",
    "Config",
    "ConfigError",
    "LevelSetting",
    "find_config",
    "read_config",
]

MAP_SUFFIXES = (".yaml", ".yml", ".bpmn")  # .bpmn: BPMN 2.0, imported (docs/bpmn.md)
LevelSetting = Literal["error", "warning", "off"]
MAX_CONFIG_BYTES = 16 * 2**20
"""The largest ``pyproject.toml`` read (a bigger one is an error, not a memory exhaustion)."""

DEFAULT_EXCLUDE: tuple[str, ...] = (
    # folders that hold tools, environments and build output, never maps
    ".*/", ".git/", ".venv/", "venv/", "node_modules/", "build/", "dist/", "__pycache__/",
    # YAML files of other tools
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "docker-compose*.y*ml",
    "compose.y*ml", "compose.*.y*ml", ".github/", "mkdocs.yml", ".gitlab-ci.yml",
    "environment.yml", "pnpm-lock.yaml",
)
"""What a folder search skips unless ``exclude`` says otherwise (gitignore patterns)."""

KEYS = ("select", "ignore", "levels", "exclude", "extend-exclude", "respect-gitignore",
        "rules-url", "rules")
"""The keys ``[tool.servicemap]`` may hold."""


class ConfigError(ValueError):
    """The ``[tool.servicemap]`` table (or a --select/--ignore value) cannot be used.

    Attributes:
        errors: Each problem found, one line each (the message is them, joined).
    """

    def __init__(self, *errors: str) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Config:
    """Which rules run and at what level, and which files a folder search skips.

    Attributes:
        select: Codes, code prefixes or names to run (``None``: all rules).
        ignore: Codes, prefixes or names not to run.
        levels: Per-rule level override: ``error``, ``warning`` or ``off``.
        path: The ``pyproject.toml`` it was read from, if any.
        exclude: Gitignore-style patterns of files and folders a folder search
            skips, relative to the folder of ``path`` (replaces the default).
        extend_exclude: More such patterns, added to ``exclude``.
        respect_gitignore: Whether a folder search also skips what
            ``.gitignore`` files ignore.
        rules_url: The rules reference page SARIF ``helpUri`` links point
            into (``--rules-url`` and ``SERVICEMAP_RULES_URL`` override it).
        options: Rule options set (``[tool.servicemap.rules.<rule>]``), by
            rule code, each checked against the rule's ``OPTIONS``.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    levels: dict[str, LevelSetting] = field(default_factory=dict)
    path: Path | None = None
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    rules_url: str | None = None
    options: dict[str, dict[str, object]] = field(default_factory=dict)

    def rule_options(self) -> dict[str, object]:
        """The options set, by option name, as the rules' shared context takes them.

        >>> Config(options={"SM114": {"max-states": 5}}).rule_options()
        {'max-states': 5}
        """
        return {name: value for by_name in self.options.values()
                for name, value in by_name.items()}

    @property
    def root(self) -> Path | None:
        """The folder the exclude patterns are relative to (that of ``path``), if any."""
        return self.path.parent if self.path is not None else None

    def exclude_spec(self) -> GitIgnoreSpec:
        """The ``exclude`` and ``extend-exclude`` patterns, compiled.

        Match paths relative to :attr:`root`, with a trailing ``/`` for folders:

        >>> spec = Config(extend_exclude=("drafts/",)).exclude_spec()
        >>> [spec.match_file(p) for p in ("drafts/", "maps/drafts/a.yaml", "maps/a.yaml")]
        [True, True, False]
        >>> [spec.match_file(p) for p in (".venv/", "docker-compose.yml", "compose-orders.yaml")]
        [True, True, False]
        """
        return _compiled(self.exclude + self.extend_exclude)

    def active(self, select: Sequence[str] | None = None,
               ignore: Sequence[str] | None = None) -> dict[str, Level]:
        """Codes to report with their levels, the run's select/ignore overriding the project's.

        >>> sorted(Config(select=("SM1",), ignore=("self-loop",)).active())[:3]
        ['SM101', 'SM102', 'SM103']
        >>> Config(levels={"SM108": "error"}).active()["SM108"]
        'error'

        Raises:
            ConfigError: for an unknown rule code or name.
        """
        try:
            chosen = select_rules(list(select if select is not None else self.select or []))
            if select is None and self.select is None:
                chosen = {r.code for r in RULES}
            dropped = select_rules(list(self.ignore)) | select_rules(list(ignore or []))
            levels = {rule_by_key(k).code: v for k, v in self.levels.items()}
        except KeyError as exc:
            raise ConfigError(f"unknown rule {exc.args[0]!r}; see 'servicemap rules'") from None
        out: dict[str, Level] = {}
        for rule in RULES:
            if rule.code in chosen and rule.code not in dropped:
                level = levels.get(rule.code, rule.level)
                if level != "off":
                    out[rule.code] = level
        return out


@functools.lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec  # only a folder search or --force-exclude needs it

    return GitIgnoreSpec.from_lines(patterns)


def _strings(pyproject: Path, table: dict[str, Any], key: str,
             what: str) -> tuple[str, ...] | None:
    """``table[key]`` as a tuple of strings (a single string allowed), ``None`` if absent."""
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{pyproject}: tool.servicemap.{key} must be a list of {what}")
    return tuple(value)


def _patterns(pyproject: Path, table: dict[str, Any], key: str) -> tuple[str, ...] | None:
    """The gitignore-style patterns of ``table[key]``, each one checked."""
    patterns = _strings(pyproject, table, key, "gitignore-style patterns such as 'drafts/'")
    if patterns:
        from pathspec import GitIgnoreSpec
    for pattern in patterns or ():
        try:
            GitIgnoreSpec.from_lines([pattern])
        except ValueError as exc:  # pathspec's GitWildMatchPatternError
            raise ConfigError(f"{pyproject}: tool.servicemap.{key}: cannot use pattern "
                              f"{pattern!r}: {exc}") from None
    return patterns


def read_config(pyproject: Path) -> Config | None:
    """The ``[tool.servicemap]`` table of one ``pyproject.toml``; ``None`` if it has none.

    Raises:
        ConfigError: if the file cannot be read or the table is malformed.
    """
    try:  # bounded, and never waiting on a FIFO named pyproject.toml
        text = read_regular_file(pyproject, MAX_CONFIG_BYTES, "a pyproject.toml")
        data = tomllib.loads(text.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"{pyproject}: cannot read [tool.servicemap]: {reason}") from None
    tool = data.get("tool", {})
    table = tool.get("servicemap") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.servicemap] must be a table")
    unknown = set(table) - set(KEYS)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown key(s) in [tool.servicemap]: "
                          f"{', '.join(sorted(unknown))} (expected {', '.join(KEYS)})")
    levels = table.get("levels", {})
    if not isinstance(levels, dict) or not all(
        v in ("error", "warning", "off") for v in levels.values()
    ):
        raise ConfigError(f"{pyproject}: tool.servicemap.levels maps rules to "
                          "'error', 'warning' or 'off'")
    respect = table.get("respect-gitignore", True)
    if not isinstance(respect, bool):
        raise ConfigError(f"{pyproject}: tool.servicemap.respect-gitignore must be true or "
                          "false")
    rules_url = table.get("rules-url")
    if rules_url is not None and not (isinstance(rules_url, str) and _looks_like_url(rules_url)):
        raise ConfigError(f"{pyproject}: tool.servicemap.rules-url must be an absolute https, "
                          "http or file URL, such as 'https://example.org/docs/rules.html'")
    rules = "rule codes or names"
    exclude = _patterns(pyproject, table, "exclude")
    options = _rule_options(pyproject, text.decode("utf-8"), table.get("rules", {}))
    return Config(
        select=_strings(pyproject, table, "select", rules),
        ignore=_strings(pyproject, table, "ignore", rules) or (),
        levels=dict(levels),
        path=pyproject,
        exclude=DEFAULT_EXCLUDE if exclude is None else exclude,
        extend_exclude=_patterns(pyproject, table, "extend-exclude") or (),
        respect_gitignore=respect,
        rules_url=rules_url,
        options=options,
    )


def _rule_options(pyproject: Path, text: str, rules: object) -> dict[str, dict[str, object]]:
    """The ``[tool.servicemap.rules.<rule>]`` tables, checked: rule code -> option -> value.

    Raises:
        ConfigError: naming every unknown rule, unknown option and bad value at once, each
            at its line and column in ``pyproject``.
    """
    base = ("tool", "servicemap", "rules")
    if not isinstance(rules, dict):
        raise ConfigError(f"{pyproject}:{_where(text, base)}: tool.servicemap.rules must be a "
                          "table of rule tables, such as "
                          "[tool.servicemap.rules.soundness-undecided]")
    errors: list[str] = []
    out: dict[str, dict[str, object]] = {}
    for key, given in rules.items():
        at = f"{pyproject}:{_where(text, (*base, key))}"
        try:
            rule = rule_by_key(key)
        except KeyError:
            errors.append(f"{at}: tool.servicemap.rules: unknown rule {key!r}; see "
                          "'servicemap rules'")
            continue
        if not isinstance(given, dict):
            errors.append(f"{at}: tool.servicemap.rules.{key} must be a table of options")
            continue
        declared = {o.name: o for o in rule.options}
        for name, value in given.items():
            at = f"{pyproject}:{_where(text, (*base, key, name))}"
            option = declared.get(name)
            if option is None:
                takes = (f"its options: {', '.join(declared)}" if declared
                         else "it takes no options")
                errors.append(f"{at}: tool.servicemap.rules.{key}: rule {rule} has no option "
                              f"{name!r} ({takes})")
            elif name in out.get(rule.code, {}):
                errors.append(f"{at}: tool.servicemap.rules.{key}.{name}: set twice for "
                              f"rule {rule}")
            else:
                try:
                    out.setdefault(rule.code, {})[name] = option.parse(value)
                except ValueError as exc:
                    errors.append(f"{at}: tool.servicemap.rules.{key}.{name} {exc}")
    if errors:
        raise ConfigError(*errors)
    return out


def _where(text: str, keys: Sequence[str]) -> str:
    """``line:column`` of the last of ``keys`` in TOML ``text``, each found after the one before
    (a bare or quoted key); where one is not found, the last one that was.

    >>> _where('[tool.servicemap.rules.x]\\nmax-states = 0\\n', ("tool", "servicemap", "rules",
    ...        "x", "max-states"))
    '2:1'
    """
    pos = 0
    for key in keys:
        found = re.compile(rf"(?<![\w-])[\"']?{re.escape(key)}[\"']?(?![\w-])").search(text, pos)
        if found is None:
            break
        pos = found.start()
    line = text.count("\n", 0, pos) + 1
    return f"{line}:{pos - text.rfind(chr(10), 0, pos)}"


def _looks_like_url(value: str) -> bool:
    """Whether ``value`` is an absolute https, http or file URL without spaces.

    >>> _looks_like_url("https://example.org/rules.html"), _looks_like_url("docs/rules.md")
    (True, False)
    """
    scheme, _, rest = value.partition(":")
    return (scheme.lower() in ("https", "http", "file") and rest.startswith("/")
            and value.isprintable() and not any(c.isspace() for c in value))


def find_config(path: str | os.PathLike[str]) -> Config:
    """The ``[tool.servicemap]`` table of the nearest ``pyproject.toml`` above ``path``.

    Walks up from the checked file's folder; a ``pyproject.toml`` without the
    table does not stop the walk. No file found: the default :class:`Config`.

    Raises:
        ConfigError: if the table found is malformed.
    """
    here = Path(os.path.realpath(path))  # Path.resolve raises on a loop of links before 3.13
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            config = read_config(pyproject)
            if config is not None:
                return config
    return Config()


