"""Project configuration: the ``[tool.servicemap]`` table of ``pyproject.toml``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .problems import Level
from .rules import RULES, rule_by_key, select_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["MAP_SUFFIXES", "Config", "ConfigError", "LevelSetting", "find_config"]

MAP_SUFFIXES = (".yaml", ".yml")
LevelSetting = Literal["error", "warning", "off"]


class ConfigError(ValueError):
    """The ``[tool.servicemap]`` table (or a --select/--ignore value) cannot be used."""


@dataclass(frozen=True)
class Config:
    """Which rules run and at what level.

    Attributes:
        select: Codes, code prefixes or names to run (``None``: all rules).
        ignore: Codes, prefixes or names not to run.
        levels: Per-rule level override: ``error``, ``warning`` or ``off``.
        path: The ``pyproject.toml`` it was read from, if any.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    levels: dict[str, LevelSetting] = field(default_factory=dict)
    path: Path | None = None

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


def _read_config(pyproject: Path) -> Config | None:
    try:
        with pyproject.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read [tool.servicemap]: {exc}") from None
    table = data.get("tool", {}).get("servicemap")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.servicemap] must be a table")

    def names(key: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{pyproject}: tool.servicemap.{key} must be a list of rule codes "
                              "or names")
        return tuple(value)

    unknown = set(table) - {"select", "ignore", "levels"}
    if unknown:
        raise ConfigError(f"{pyproject}: unknown key(s) in [tool.servicemap]: "
                          f"{', '.join(sorted(unknown))} (expected select, ignore, levels)")
    levels = table.get("levels", {})
    if not isinstance(levels, dict) or not all(
        v in ("error", "warning", "off") for v in levels.values()
    ):
        raise ConfigError(f"{pyproject}: tool.servicemap.levels maps rules to "
                          "'error', 'warning' or 'off'")
    return Config(names("select"), names("ignore") or (), dict(levels), pyproject)


def find_config(path: str | os.PathLike[str]) -> Config:
    """The ``[tool.servicemap]`` table of the nearest ``pyproject.toml`` above ``path``.

    Walks up from the checked file's folder; a ``pyproject.toml`` without the
    table does not stop the walk. No file found: the default :class:`Config`.

    Raises:
        ConfigError: if the table found is malformed.
    """
    here = Path(path).resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            config = _read_config(pyproject)
            if config is not None:
                return config
    return Config()


