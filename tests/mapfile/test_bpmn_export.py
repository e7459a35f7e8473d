"""BPMN 2.0 export: round trips through the import, hostile labels, the XSD, the command line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import defusedxml.ElementTree as DET
import pytest
import xmlschema

import servicemap as sm
from servicemap.api import bpmn_bytes, convert
from servicemap.cli import main
from servicemap.mapfile.bpmn import loads_bpmn
from servicemap.mapfile.bpmn_export import BPMN_NS, SERVICEMAP_NS, export_bpmn, xml_text
from servicemap.model import Blueprint, Decision

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SCHEMAS = ROOT / "tests" / "data" / "schemas" / "bpmn"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "BPMN20.xsd"))


def _flows(bp: Blueprint) -> set[tuple[str, str, str | None]]:
    """Every flow as (source, target, branch label)."""
    found: set[tuple[str, str, str | None]] = set()
    for s in bp.steps:
        if isinstance(s, Decision):
            found |= {(s.id, b.to, b.label) for b in s.next}
        else:
            found |= {(s.id, t, None) for t in s.next}
    return found


def _steps(bp: Blueprint) -> list[tuple[str, str, str | None]]:
    return [(s.id, s.kind, s.label) for s in bp.steps]


def _problems(bp: Blueprint) -> list[tuple[str, str]]:
    return sorted((p.code, p.message) for p in sm.check(bp))  # order: by place in the file


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips(path: Path, schema: xmlschema.XMLSchema,
                                   tmp_path: Path) -> None:
    """YAML -> BPMN -> YAML through the public load path gives the same map, field for field."""
    bp = sm.load(path)
    data = bpmn_bytes(bp)
    DET.fromstring(data)  # well-formed, no DTD, no entities
    schema.validate(data.decode("utf-8"))
    exported = tmp_path / f"{path.stem}.bpmn"
    exported.write_bytes(data)
    back = sm.load(exported)
    assert back.model_dump(mode="json") == bp.model_dump(mode="json")
    assert _problems(back) == _problems(bp)
    again = tmp_path / "again.yaml"
    assert main(["convert", str(exported), "-o", str(again)]) == 0
    assert sm.load(again).model_dump(mode="json") == bp.model_dump(mode="json")
    # read independently of the import: every flow of the map is a sequence flow of the XML
    root = DET.fromstring(data)
    xml_flows = {(f.get("sourceRef"), f.get("targetRef"), f.get("name"))
                 for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    assert {(a, b, xml_text(c) if c else c) for a, b, c in _flows(bp)} == xml_flows


def test_elements_and_extensions() -> None:
    bp = Blueprint.model_validate({"name": "m", "lanes": [{"id": "a", "label": "A"}], "steps": [
        {"id": "start", "kind": "terminator", "next": "work", "lane": "a"},
        {"id": "work", "kind": "task", "label": "Work", "duration": "5m", "cost": 3, "next": "q",
         "lane": "a"},
        {"id": "q", "kind": "decision", "next": [
            {"to": "wait", "label": "yes", "probability": 0.7},
            {"to": "bad", "label": "no", "probability": 0.3, "failure": True}]},
        {"id": "wait", "kind": "delay", "duration": "1d", "next": "doc"},
        {"id": "doc", "kind": "document", "next": "sub"},
        {"id": "sub", "kind": "predefined", "next": "ok"},
        {"id": "ok", "kind": "terminator"},
        {"id": "bad", "kind": "terminator", "outcome": "failure"}]})
    root = DET.fromstring(export_bpmn(bp))
    process = root.find(f"{{{BPMN_NS}}}process")
    assert process is not None
    tags = {el.get("id"): el.tag.split("}")[1] for el in process if el.get("id")}
    assert tags["start"] == "startEvent" and tags["ok"] == "endEvent"
    assert tags["work"] == "task" and tags["q"] == "exclusiveGateway"
    assert tags["wait"] == "intermediateCatchEvent" and tags["doc"] == "intermediateThrowEvent"
    assert tags["sub"] == "callActivity"
    timer = process.find(f".//{{{BPMN_NS}}}timeDuration")
    assert timer is not None and timer.text == "PT86400S"
    bad = process.find(f"{{{BPMN_NS}}}endEvent[@id='bad']")
    assert bad is not None and bad.find(f"{{{BPMN_NS}}}errorEventDefinition") is not None
    data = process.find(f".//{{{BPMN_NS}}}task[@id='work']//{{{SERVICEMAP_NS}}}data")
    assert data is not None and '"duration": "5m"' in (data.text or "")
    names = {f.get("name") for f in process.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    assert {"yes", "no"} <= names
    lane = process.find(f".//{{{BPMN_NS}}}lane[@id='a']")
    assert lane is not None
    assert [r.text for r in lane.iter(f"{{{BPMN_NS}}}flowNodeRef")] == ["start", "work"]


def test_hostile_labels_stay_well_formed(schema: xmlschema.XMLSchema) -> None:
    hostile = 'a<b>&c"d\'e]]>\x01\x0b\x1f\ufffe <!-- x --> <![CDATA[ y'
    bp = Blueprint.model_validate({"name": hostile, "steps": [
        {"id": "s", "kind": "terminator", "label": hostile, "next": "d"},
        {"id": "d", "kind": "decision", "label": hostile, "notes": hostile, "next": [
            {"to": "e", "label": hostile}, {"to": "f", "label": "other"}]},
        {"id": "e", "kind": "terminator"}, {"id": "f", "kind": "terminator"}]})
    data = bpmn_bytes(bp)
    root = DET.fromstring(data)
    schema.validate(data.decode("utf-8"))
    shown = xml_text(hostile)
    assert root.get("name") == shown and "\x01" not in shown and "\ufffd" in shown
    back = loads_bpmn(data, "h.bpmn")
    assert back.steps[1].notes == hostile  # JSON escapes the controls: kept exactly
    assert back.steps[1].label == hostile  # the name cannot hold it: the extension does
    assert back.step("d").next[0].label == hostile


def test_diagram_interchange() -> None:
    bp = sm.load(ROOT / "examples" / "service_desk.yaml")
    root = DET.fromstring(bpmn_bytes(bp))
    plane = root.find(f"{DI}BPMNDiagram/{DI}BPMNPlane")
    assert plane is not None
    shapes = {s.get("bpmnElement") for s in plane.iter(f"{DI}BPMNShape")}
    assert {s.id for s in bp.steps} | {lane.id for lane in bp.lanes} <= shapes
    flows = {f.get("id") for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    edges = list(plane.iter(f"{DI}BPMNEdge"))
    assert {e.get("bpmnElement") for e in edges} == flows
    assert all(len(list(e)) >= 2 for e in edges)


def test_ids_are_unique_ncnames() -> None:
    bp = Blueprint.model_validate({"name": "m", "steps": [
        {"id": "process", "kind": "terminator", "next": "Flow_process_diagram"},
        {"id": "Flow_process_diagram", "kind": "task", "next": "diagram"},
        {"id": "diagram", "kind": "terminator"}]})
    ids = re.findall(rb' id="([^"]*)"', bpmn_bytes(bp))
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(rb"[A-Za-z_][\w.-]*", i) for i in ids)


def test_schemas_are_the_upstream_files() -> None:
    readme = (SCHEMAS / "README.md").read_text()
    for path in SCHEMAS.glob("*.xsd"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name


def test_convert_chooses_direction_by_suffix(tmp_path: Path) -> None:
    out = tmp_path / "map.bpmn"
    assert main(["convert", str(EXAMPLES[0]), "-o", str(out)]) == 0
    back = tmp_path / "back.yaml"
    assert main(["convert", str(out), "-o", str(back)]) == 0
    assert _steps(sm.load(back)) == _steps(sm.load(EXAMPLES[0]))
    with pytest.raises(ValueError, match="already BPMN"):
        convert(out, tmp_path / "again.bpmn")
    with pytest.raises(ValueError, match="not a BPMN"):
        convert(EXAMPLES[0], tmp_path / "x.yaml")


@pytest.mark.parametrize("path", [p for p in EXAMPLES if sm.load(p).phases],
                         ids=lambda p: p.name)
def test_phases_are_groups_a_modeler_shows(path: Path) -> None:
    """Without servicemap's extensions (a tool that drops them), the groups the export draws
    over the phase columns still give every phase and every step's phase back."""
    bp = sm.load(path)
    data = bpmn_bytes(bp)
    root = DET.fromstring(data)
    values = {v.get("id"): v.get("value") for v in root.iter(f"{{{BPMN_NS}}}categoryValue")}
    groups = [(g.get("id"), values[g.get("categoryValueRef")])
              for g in root.iter(f"{{{BPMN_NS}}}group")]
    assert groups == [(p.id, p.title) for p in bp.phases]
    stripped = re.sub(rb"<bpmn:extensionElements>.*?</bpmn:extensionElements>", b"", data,
                      flags=re.DOTALL)
    assert f"{{{SERVICEMAP_NS}}}" not in {el.tag[:len(SERVICEMAP_NS) + 2]
                                          for el in DET.fromstring(stripped).iter()}
    back = loads_bpmn(stripped, "stripped.bpmn")
    assert [(p.id, p.title) for p in back.phases] == [(p.id, p.title) for p in bp.phases]
    assert [s.phase for s in back.steps] == [s.phase for s in bp.steps]
    assert "notes" not in back.metadata["bpmn"]
