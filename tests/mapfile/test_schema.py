"""Tests of the JSON Schema: the committed file, its identity, and that maps validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from servicemap.mapfile import parse_yaml
from servicemap.mapfile.schema import SCHEMA_ID, json_schema, schema_json
from servicemap.model import KINDS
from servicemap.problems import LoadError

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "servicemap.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BROKEN = sorted((ROOT / "examples" / "broken").glob("*.yaml"))


def test_committed_schema_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_json(), (
        "schema/servicemap.schema.json is stale: run "
        "'python -m servicemap schema -o schema/servicemap.schema.json'")


def test_identity() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]
    assert schema["required"] == ["name", "steps"]
    assert schema["additionalProperties"] is False


def test_steps_are_a_one_of_discriminated_on_kind() -> None:
    schema = json_schema()
    items = schema["properties"]["steps"]["items"]
    assert items["discriminator"]["propertyName"] == "kind"
    assert len(items["oneOf"]) == len(KINDS)
    for ref in items["oneOf"]:
        definition = schema["$defs"][ref["$ref"].rsplit("/", 1)[-1]]
        assert "kind" in definition["required"]
        assert definition["properties"]["kind"]["const"] in KINDS
        assert definition["additionalProperties"] is False


def test_descriptions_hold_no_doctests() -> None:
    assert ">>>" not in schema_json()


def _data(path: Path) -> Any:
    data, _, problems = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert not problems
    return data


def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_validate(path: Path) -> None:
    found = _validator().iter_errors(_data(path))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in found]
    assert errors == []


def _loads_as_yaml(path: Path) -> bool:
    try:
        parse_yaml(path.read_text(encoding="utf-8"), str(path))
    except LoadError:
        return False
    return True


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_schema_agrees_with_loader_on_broken_examples(path: Path) -> None:
    """Maps that load validate (rules find their faults); schema errors (SM002) do not."""
    if not _loads_as_yaml(path):
        pytest.skip("not YAML")
    valid = _validator().is_valid(_data(path))
    assert valid == (not path.name.startswith("SM002"))


def test_single_next_may_be_an_id_or_a_list() -> None:
    validator = _validator()
    step = {"id": "a", "kind": "task", "next": "b"}
    base = {"name": "x", "steps": [step]}
    assert validator.is_valid(base)
    assert validator.is_valid({**base, "steps": [{**step, "next": ["b"]}]})
    assert not validator.is_valid({**base, "steps": [{"id": "a", "next": "b"}]})
    assert not validator.is_valid({**base, "steps": [{**step, "outcome": "success"}]})
    assert not validator.is_valid({**base, "steps": [{**step, "kind": "decision"}]})


def test_schema_file_is_json() -> None:
    assert json.loads(COMMITTED.read_text(encoding="utf-8"))["$id"] == SCHEMA_ID
