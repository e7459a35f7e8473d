"""Mutated maps for fuzzing: the bundled examples with one to three hostile edits each.

An edit replaces a value anywhere in the map with a hostile one, deletes a key,
adds an unknown key, duplicates or drops a step, or points a flow elsewhere.
The result is YAML or JSON text, as a user (or an attacker) would hand it in.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import yaml

__all__ = ["HOSTILE_VALUES", "mutate", "mutated_text", "seed_maps"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

HOSTILE_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2, 0.5, 1.5, -0.0, 1e308, -1e308, 1e400, 10**30, 10**400,
    float("inf"), float("-inf"), "", " ", "yes", "no", "on", "off", "1.10", "0x1F", "1e9 days",
    "PT", "PT99999999999H", "P1Y", "5 parsecs", "150%", "-5%", "5/fortnight", "1e300/h",
    "0/h", "3min", "2h", "1d", "\x1b[2J", "line\nbreak", "s\n", "\u202e", "\U0001F600",
    "x" * 5000, [], [1, 2], {}, {"to": "nowhere"}, {"a": {"b": {"c": [1]}}},
    "{", "]", "&anchor", "*alias", "!!python/object:os.system", "---", "...",
)
"""Values known to have broken parsers, solvers or terminals somewhere."""


def seed_maps() -> list[dict[str, Any]]:
    """The bundled examples as plain data."""
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


FIELDS = ("duration", "wait", "capacity", "cost", "accuracy", "fail", "arrivals", "recovery",
          "id", "next", "label", "lane", "phase", "kind", "outcome", "ignore", "probability", "to")
"""Step and branch keys the hostile values are aimed at most of the time."""


def _aimed_edit(data: dict[str, Any], rng: random.Random) -> bool:
    """Set a known step or branch field to a hostile value; False if the map has no steps."""
    raw = data.get("steps")
    steps = [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
    if not steps:
        return False
    step = rng.choice(steps)
    branches = [b for b in step.get("next") or [] if isinstance(b, dict)] \
        if isinstance(step.get("next"), list) else []
    target = rng.choice(branches) if branches and rng.random() < 0.3 else step
    target[rng.choice(FIELDS)] = rng.choice(HOSTILE_VALUES)
    if rng.random() < 0.2:
        data[rng.choice(["arrivals", "name", "servicemap"])] = rng.choice(HOSTILE_VALUES)
    return True


def _edit(data: dict[str, Any], rng: random.Random) -> None:
    if rng.random() < 0.6 and _aimed_edit(data, rng):
        return
    path = rng.choice(_paths(data)[1:] or [("name",)])
    parent = _parent(data, path)
    key = path[-1]
    action = rng.randrange(6)
    steps = data.get("steps")
    if action == 0 or not isinstance(parent, (dict, list)):
        if isinstance(parent, (dict, list)):
            parent[key] = rng.choice(HOSTILE_VALUES)
    elif action == 1 and isinstance(parent, dict):
        del parent[key]
    elif action == 2 and isinstance(parent, dict):
        parent[rng.choice(["extra", "Next", "recovery", "ignore", str(rng.random())])] = \
            rng.choice(HOSTILE_VALUES)
    elif action == 3 and isinstance(steps, list) and steps:
        steps.insert(rng.randrange(len(steps) + 1), copy.deepcopy(rng.choice(steps)))
    elif action == 4 and isinstance(steps, list) and steps:
        steps.pop(rng.randrange(len(steps)))
    elif isinstance(steps, list) and steps:
        step = rng.choice(steps)
        other = rng.choice(steps)
        if isinstance(step, dict) and isinstance(other, dict):
            step["next"] = other.get("id")


def mutate(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of ``data`` with one to three hostile edits."""
    out = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        _edit(out, rng)
    return out


def mutated_text(seeds: list[dict[str, Any]], rng: random.Random) -> tuple[str, str]:
    """A mutated map as (text, file name): YAML mostly, JSON sometimes."""
    data = mutate(rng.choice(seeds), rng)
    if rng.random() < 0.2:
        return json.dumps(data, default=str), "fuzz.json"
    return yaml.safe_dump(data, allow_unicode=rng.random() < 0.5, sort_keys=False), "fuzz.yaml"
