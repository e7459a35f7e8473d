"""Duplicate ids (SM003) and unknown references (SM004), found in raw or validated maps."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ReferenceIssue", "did_you_mean", "reference_issues"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ReferenceIssue:
    """A duplicate id or a reference to nothing, with the data path it concerns."""

    code: str  # "SM003" or "SM004"
    path: Path
    message: str
    step: str | None = None
    key_only: bool = False


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 3) -> str:
    """A " (did you mean ...?)" hint, or an empty string.

    >>> did_you_mean("atempt", ["attempt", "notice", "received"])
    " (did you mean 'attempt'?)"
    >>> did_you_mean("zzz", ["attempt"])
    ''
    """
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _ids(
    items: Sequence[Any], what: str, section: str, issues: list[ReferenceIssue]
) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            issues.append(ReferenceIssue(
                "SM003", (section, i, "id"),
                f"duplicate {what} id '{ident}': already used by {what} #{seen[ident] + 1}",
                ident if section == "steps" else None,
            ))
        else:
            seen[ident] = i
    return seen


def _targets(step: dict[str, Any]) -> list[tuple[Path, str]]:
    nxt = step.get("next")
    if isinstance(nxt, str):
        return [(("next",), nxt)]
    out: list[tuple[Path, str]] = []
    if isinstance(nxt, list):
        for j, item in enumerate(nxt):
            if isinstance(item, str):
                out.append((("next", j), item))
            elif isinstance(item, dict) and isinstance(item.get("to"), str):
                out.append((("next", j, "to"), item["to"]))
    return out


def reference_issues(data: dict[str, Any]) -> list[ReferenceIssue]:
    """Duplicate ids and unknown ``next``/``lane``/``phase`` references, all at once.

    Works on raw file data (tolerating values of the wrong type, which schema
    validation reports) and on the plain references of a validated map.

    >>> raw = {"steps": [{"id": "a", "next": "atempt"}, {"id": "attempt"}, {"id": "a"}]}
    >>> [(i.code, i.path) for i in reference_issues(raw)]
    [('SM003', ('steps', 2, 'id')), ('SM004', ('steps', 0, 'next'))]
    """
    issues: list[ReferenceIssue] = []
    lanes = _ids(_items(data, "lanes"), "lane", "lanes", issues)
    phases = _ids(_items(data, "phases"), "phase", "phases", issues)
    steps_raw = _items(data, "steps")
    steps = _ids(steps_raw, "step", "steps", issues)
    for i, step in enumerate(steps_raw):
        if not isinstance(step, dict):
            continue
        sid = step.get("id") if isinstance(step.get("id"), str) else None
        for key, known, what in (("lane", lanes, "lane"), ("phase", phases, "phase")):
            ref = step.get(key)
            if isinstance(ref, str) and ref not in known:
                if known:
                    hint = did_you_mean(ref, known) or "; declared: " + ", ".join(
                        repr(k) for k in list(known)[:8]
                    )
                else:
                    hint = f"; the map declares no {what}s"
                issues.append(ReferenceIssue(
                    "SM004", ("steps", i, key), f"unknown {what} '{ref}'{hint}", sid,
                ))
        for sub, target in _targets(step):
            if target not in steps:
                hint = did_you_mean(target, steps)
                issues.append(ReferenceIssue(
                    "SM004", ("steps", i, *sub),
                    f"'next' names unknown step '{target}'{hint}", sid,
                ))
    return issues
