"""The JSON Schema of the map format, for editors and other tools."""

from __future__ import annotations

import copy
import json
import re
import sys
from typing import Any

from pydantic import TypeAdapter

from ..calendars import Holiday, TimeZone, WorkingHours
from ..model import KINDS, Blueprint
from ..values import (
    CV_LIMITS,
    VALUE_MARKER,
    Capacity,
    Cost,
    Duration,
    Fraction,
    Identifier,
    Probability,
    Rate,
    Text,
    Variation,
)

__all__ = ["SCHEMA_DIALECT", "SCHEMA_ID", "json_schema", "schema_json"]

SCHEMA_ID = "https://servicemap.dev/schema/v1/servicemap.schema.json"
"""The stable ``$id`` of the schema of format version 1 (it changes only with the version)."""

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect used."""

_DOCTEST = re.compile(r"\n*>>> .*", re.DOTALL)


def _clean_descriptions(node: Any) -> None:
    """Drop doctest examples from model docstrings used as descriptions (in place)."""
    if isinstance(node, dict):
        description = node.get("description")
        if isinstance(description, str) and ">>>" in description:
            node["description"] = _DOCTEST.sub("", description).strip()
        for value in node.values():
            _clean_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _clean_descriptions(value)


_VALUE_TYPES: dict[str, Any] = {
    "Identifier": Identifier, "Text": Text, "Duration": Duration, "Rate": Rate,
    "Fraction": Fraction, "Probability": Probability, "Cost": Cost, "Capacity": Capacity,
    "Variation": Variation, "WorkingHours": WorkingHours, "TimeZone": TimeZone,
    "Holiday": Holiday,
}


def _value_defs() -> dict[str, dict[str, Any]]:
    """The schema of each value type of the format, as given in ``values.py``."""
    defs = {}
    for name, value_type in _VALUE_TYPES.items():
        schema = TypeAdapter(value_type).json_schema()
        schema.pop(VALUE_MARKER)
        defs[name] = schema
    return defs


def _refer_to_values(node: Any, defs: dict[str, dict[str, Any]]) -> Any:
    """``node`` with every value-type schema replaced by a ``$ref`` to its definition.

    Keys that pydantic merged in from a field (its title, description, default)
    stay beside the ``$ref``.
    """
    if isinstance(node, list):
        return [_refer_to_values(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    name = node.get(VALUE_MARKER)
    if name is None:
        return {k: _refer_to_values(v, defs) for k, v in node.items()}
    plain = defs[name]
    ref: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    ref.update((k, v) for k, v in node.items()
               if k != VALUE_MARKER and (k not in plain or plain[k] != v))
    return ref


def _cv_fits_shape() -> list[dict[str, Any]]:
    """Schema conditions: a step's ``cv`` within its ``distribution``'s bounds (``CV_LIMITS``).

    >>> _cv_fits_shape()[1]["then"]
    {'properties': {'cv': {'minimum': 0.0, 'maximum': 0.0}}}
    """
    return [
        {"if": {"properties": {"distribution": {"const": shape}},
                "required": ["distribution", "cv"]},
         "then": {"properties": {"cv": {"minimum": low, "maximum": high}}}}
        for shape, (_, low, high) in CV_LIMITS.items() if (low, high) != (0.0, sys.float_info.max)
    ]


def _file_form(schema: dict[str, Any]) -> None:
    """Adjust the model schema to what a file may hold (in place).

    The format version is the constant 1. In a file every step names its
    ``kind`` (the discriminator); a linear step's ``next`` may be a single id
    as well as a list, and any ``next`` may be null (no next step).
    """
    version = schema["properties"]["servicemap"]
    version.pop("type", None)
    version["const"] = 1
    for name, definition in schema["$defs"].items():
        props = definition.get("properties", {})
        kind = props.get("kind")
        if not isinstance(kind, dict) or kind.get("const") not in KINDS:
            continue
        kind.pop("default", None)
        definition["allOf"] = [{"$ref": "#/$defs/DurationShape"}]
        required = definition.setdefault("required", [])
        if "kind" not in required:
            required.insert(1 if "id" in required else 0, "kind")
        nxt = props["next"]
        item = nxt.pop("items")
        nxt.pop("type")
        if name == "Decision":
            nxt["anyOf"] = [{"type": "array", "items": item}, {"type": "null"}]
        else:
            nxt["description"] = "the next step's id (or a list of one id)"
            nxt["anyOf"] = [item, {"type": "array", "items": item}, {"type": "null"}]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a map file.

    The steps are a ``oneOf`` with an OpenAPI-style ``discriminator`` on
    ``kind``, and every step schema has ``kind`` as a required ``const``, so
    validators and editors (yaml-language-server) pick the right step schema.

    Example:
        >>> s = json_schema()
        >>> s["$id"], s["$schema"]
        ('https://servicemap.dev/schema/v1/servicemap.schema.json', 'https://json-schema.org/draft/2020-12/schema')
        >>> s["properties"]["steps"]["items"]["discriminator"]["propertyName"]
        'kind'
        >>> s["$defs"]["Task"]["required"]
        ['id', 'kind']
    """

    defs = _value_defs()
    model = _refer_to_values(copy.deepcopy(Blueprint.model_json_schema()), defs)
    _clean_descriptions(model)
    _file_form(model)
    model["$defs"].update(defs)
    model["$defs"]["DurationShape"] = {
        "description": "a step's cv within what its distribution allows",
        "allOf": _cv_fits_shape(),
    }
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        "title": "servicemap",
        "description": (
            "A service blueprint or process map (servicemap format version 1): lanes, "
            "phases and steps. Check it with 'servicemap check'."
        ),
    }
    model.pop("title", None)
    model.pop("description", None)
    schema.update(model)
    return schema


def schema_json() -> str:
    """:func:`json_schema` as the text ``servicemap schema`` prints (and the committed file holds).

    >>> schema_json().startswith('{\\n  "$schema"')
    True
    """
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
