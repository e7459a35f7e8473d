"""The JSON Schema of the map format, for editors and other tools."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ..model import KINDS, Blueprint

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


def _file_form(schema: dict[str, Any]) -> None:
    """Adjust the model schema to what a file may hold (in place).

    In a file every step names its ``kind`` (the discriminator), and a
    linear step's ``next`` may be a single id as well as a list.
    """

    defs = schema["$defs"]
    for name, definition in defs.items():
        props = definition.get("properties", {})
        kind = props.get("kind")
        if not isinstance(kind, dict) or kind.get("const") not in KINDS:
            continue
        kind.pop("default", None)
        required = definition.setdefault("required", [])
        if "kind" not in required:
            required.insert(1 if "id" in required else 0, "kind")
        nxt = props.get("next")
        if name != "Decision" and isinstance(nxt, dict) and nxt.get("type") == "array":
            item = nxt.get("items", {})
            props["next"] = {
                "description": "the next step's id (or a list of one id)",
                "anyOf": [item, {"type": "array", "items": item}, {"type": "null"}],
            }


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

    model = copy.deepcopy(Blueprint.model_json_schema())
    _clean_descriptions(model)
    _file_form(model)
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
