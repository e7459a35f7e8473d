"""What a user reads for each pydantic error: a table keyed by the error's type."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import KINDS, Blueprint, step_fields
from ..references import did_you_mean

__all__ = ["WORDING", "Failure", "Wording", "describe"]

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Failure:
    """One pydantic error as the wording functions see it.

    Attributes:
        type: pydantic's error type (``"missing"``, ``"extra_forbidden"``, or our own
            ``PydanticCustomError`` types such as ``"duration"``).
        path: The data path of the value, pydantic's step-kind segment dropped.
        ctx: pydantic's context of the error (``expected``, ``tag``...).
        message: pydantic's message (for our own error types, already worded).
        data: The whole map as read, to look at the value and its surroundings.
    """

    type: str
    path: DataPath
    ctx: Mapping[str, Any]
    message: str
    data: Any

    @property
    def value(self) -> Any:
        """The value at :attr:`path` (None where the path leaves the data)."""
        return _value_at(self.data, self.path)


def _value_at(data: Any, path: DataPath) -> Any:
    """The value at a data path, or None where the path leaves the data.

    >>> _value_at({"steps": [{"id": "a"}]}, ("steps", 0, "id")), _value_at({}, ("x",))
    ('a', None)
    """
    for p in path:
        in_dict = isinstance(data, dict) and p in data
        if in_dict or (isinstance(data, list) and isinstance(p, int) and p < len(data)):
            data = data[p]
        else:
            return None
    return data


@dataclass(frozen=True)
class Wording:
    """A message, the data path it points at, and whether at the key rather than the value."""

    message: str
    path: DataPath
    at_key: bool = False


_CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "top": tuple(Blueprint.model_fields),
    "lanes": ("id", "label", "layer", "calendar"),
    "calendar": ("timezone", "hours", "holidays"),
    "phases": ("id", "label"),
    "branch": ("to", "label", "probability", "failure"),
}
_ALL_STEP_KEYS = tuple(dict.fromkeys(k for kind in KINDS for k in step_fields(kind)))


def _where(loc: DataPath) -> tuple[str, tuple[str, ...], str | None]:
    """What the mapping at pydantic location ``loc`` is, its allowed keys, its step kind.

    >>> what, allowed, kind = _where(("steps", 0, "task"))
    >>> what, kind, "outcome" in allowed
    ('task step', 'task', False)
    """
    if not loc:
        return "map", _CONTEXT_FIELDS["top"], None
    if loc[-1] == "calendar":
        return "calendar", _CONTEXT_FIELDS["calendar"], None
    if loc[0] in ("lanes", "phases"):
        return str(loc[0])[:-1], _CONTEXT_FIELDS[str(loc[0])], None
    if loc[0] == "steps" and len(loc) >= 2:
        kind = str(loc[2]) if len(loc) >= 3 and loc[2] in KINDS else None
        if kind and len(loc) >= 5 and loc[3] == "next":
            return "branch", _CONTEXT_FIELDS["branch"], kind
        if kind:
            return f"{kind} step", step_fields(kind), kind
        return "step", _ALL_STEP_KEYS, None
    return "mapping", (), None


def _found(value: Any) -> str:
    """A short description of what was found instead.

    >>> _found([1]), _found("yes"), _found(None), _found(2.5)
    ('a list', "the text 'yes'", 'nothing', 'the number 2.5')
    """
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing"


def _unknown_key(f: Failure, raw: DataPath) -> Wording:
    key = str(raw[-1])
    what, allowed, kind = _where(raw[:-1])
    if kind and key in _ALL_STEP_KEYS:
        on = ", ".join(k for k in KINDS if key in step_fields(k))
        return Wording(f"key '{key}' is not allowed on a {kind} step (allowed on: {on})",
                       f.path, at_key=True)
    hint = did_you_mean(key, allowed) if allowed else ""
    if not hint and allowed:
        hint = "; expected one of: " + ", ".join(allowed)
    return Wording(f"unknown key '{key}' in {what}{hint}", f.path, at_key=True)


def _missing(f: Failure, raw: DataPath) -> Wording:
    what, _, _ = _where(raw[:-1])
    return Wording(f"missing required key '{raw[-1]}' in {what}", f.path[:-1])


def _unknown_kind(f: Failure, raw: DataPath) -> Wording:
    path = (*f.path, "kind")
    kind = _value_at(f.data, path)
    if not isinstance(kind, str):
        return Wording(f"expected a step kind, found {_found(kind)}: one of {', '.join(KINDS)}",
                       path)
    hint = did_you_mean(kind, KINDS)
    return Wording(f"unknown step kind '{kind}'{hint}; expected one of: {', '.join(KINDS)}",
                   path)


def _no_kind(f: Failure, raw: DataPath) -> Wording:
    return Wording(f"missing required key 'kind' in step: one of {', '.join(KINDS)}", f.path)


def _not_allowed_value(f: Failure, raw: DataPath) -> Wording:
    expected = str(f.ctx.get("expected", ""))
    at_key = bool(f.path) and f.path[-1] == "[key]"  # a mapping's key (a calendar's weekday)
    path = f.path[:-1] if at_key else f.path
    got = path[-1] if at_key else f.value
    hint = did_you_mean(got, re.findall(r"'([^']*)'", expected)) if isinstance(got, str) else ""
    if at_key:
        return Wording(f"key {str(got)!r} is not allowed here{hint}: expected {expected}", path,
                       at_key=True)
    return Wording(f"{_found(got)} is not allowed here{hint}: expected {expected}", path)


def _boolean(f: Failure, raw: DataPath) -> Wording:
    return Wording(f"expected true or false, found {_found(f.value)}: write true or false "
                   "(yes, no, on and off are text)", f.path)


def _list(f: Failure, raw: DataPath) -> Wording:
    return Wording(f"expected a list, found {_found(f.value)}", f.path)


def _mapping(f: Failure, raw: DataPath) -> Wording:
    return Wording(f"expected a mapping of keys and values, found {_found(f.value)}", f.path)


def _too_short(f: Failure, raw: DataPath) -> Wording:
    if f.path and f.path[-1] == "hours":
        return Wording("a calendar needs working hours on at least one day, e.g. "
                       "'mon: 09:00-17:00'", f.path)
    return Wording("a map needs at least one step", f.path)


def _text(f: Failure, raw: DataPath) -> Wording:
    return Wording(f"expected text, found {_found(f.value)}", f.path)


def _as_written(f: Failure, raw: DataPath) -> Wording:
    """Our own errors (``PydanticCustomError`` in values and model) are worded already."""
    return Wording(f.message, f.path)


WORDING: dict[str, Callable[[Failure, DataPath], Wording]] = {
    # pydantic's own error types that a map file can cause
    "extra_forbidden": _unknown_key,
    "missing": _missing,
    "union_tag_invalid": _unknown_kind,
    "union_tag_not_found": _no_kind,
    "literal_error": _not_allowed_value,
    "bool_type": _boolean,
    "list_type": _list,
    "dict_type": _mapping,
    "model_type": _mapping,
    "model_attributes_type": _mapping,
    "too_short": _too_short,
    # our own types (values.py, model.py), worded where they are raised
    "text": _text,
    "identifier": _as_written,
    "duration": _as_written,
    "duration_unit": _as_written,
    "rate": _as_written,
    "fraction": _as_written,
    "probability": _as_written,
    "cost": _as_written,
    "capacity": _as_written,
    "version": _as_written,
    "next_branches": _as_written,
    "decision_next": _as_written,
    "working_hours": _as_written,
    "timezone": _as_written,
    "holiday": _as_written,
}
"""Wording function of each pydantic error type; called with the failure and pydantic's path."""


def _fallback(f: Failure, raw: DataPath) -> Wording:
    """Any other error type: pydantic's message, without its prefix, starting lower-case."""
    msg = f.message.removeprefix("Value error, ") or "invalid value"
    return Wording(msg[0].lower() + msg[1:], f.path)


def describe(error: Mapping[str, Any], data: Any) -> Wording:
    """The wording of one pydantic error (an item of ``ValidationError.errors()``).

    Example:
        >>> describe({"type": "missing", "loc": ("steps",), "msg": "Field required"}, {})
        Wording(message="missing required key 'steps' in map", path=(), at_key=False)
    """
    raw: DataPath = tuple(error["loc"])
    path = tuple(p for i, p in enumerate(raw) if not (i == 2 and raw[0] == "steps" and p in KINDS))
    failure = Failure(str(error["type"]), path, error.get("ctx") or {},
                      str(error.get("msg", "")), data)
    return WORDING.get(failure.type, _fallback)(failure, raw)
