"""BPMN 2.0 export: round trips through the import, hostile labels, the XSD, the command line."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
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
    # read independently of the import: every flow of the map is a sequence flow of the XML,
    # or two through an exclusive merge gateway (one way out) just before its step
    root = DET.fromstring(data)
    merges = {g.get("id"): g for g in root.iter(f"{{{BPMN_NS}}}exclusiveGateway")
              if g.get("gatewayDirection") == "Converging"}
    raw = [(f.get("sourceRef"), f.get("targetRef"), f.get("name"))
           for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")]
    on = {a: b for a, b, _ in raw if a in merges}
    assert all(len(g.findall(f"{{{BPMN_NS}}}outgoing")) == 1 for g in merges.values())
    xml_flows = {(a, on.get(b, b), c) for a, b, c in raw if a not in merges}
    assert {(a, b, xml_text(c) if c else c) for a, b, c in _flows(bp)} == xml_flows
    _assert_joins_at_gateways(root)


def _assert_joins_at_gateways(root: ET.Element) -> None:
    """What bpmnlint's fake-join and no-gateway-join-fork check, on the flows' own ends:
    only a gateway has several incoming flows, and none of them has several outgoing too,
    but for a parallel gateway (a parallel step that joins and forks, kept as one step)."""
    ins: dict[str, int] = {}
    outs: dict[str, int] = {}
    for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        ins[f.get("targetRef", "")] = ins.get(f.get("targetRef", ""), 0) + 1
        outs[f.get("sourceRef", "")] = outs.get(f.get("sourceRef", ""), 0) + 1
    tags = {el.get("id"): el.tag.split("}")[1] for el in root.iter() if el.get("id")}
    joins = {i for i, n in ins.items() if n > 1}
    assert {tags[i] for i in joins} <= {"exclusiveGateway", "parallelGateway"}
    assert all(tags[i] == "parallelGateway" for i in joins if outs.get(i, 0) > 1)


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


def test_merge_gateway_before_a_joining_step(schema: xmlschema.XMLSchema) -> None:
    """A decision that flows join into, and an end two flows reach, each get an exclusive
    merge gateway in their lane, drawn clear of every other shape; the import dissolves it."""
    bp = Blueprint.model_validate({"name": "m", "lanes": [{"id": "a"}], "steps": [
        {"id": "s", "kind": "terminator", "next": "work", "lane": "a"},
        {"id": "work", "kind": "task", "next": "ok", "lane": "a"},
        {"id": "ok", "kind": "decision", "lane": "a", "next": [
            {"to": "work", "label": "no"}, {"to": "done", "label": "yes"},
            {"to": "done", "label": "maybe"}]},
        {"id": "done", "kind": "terminator", "lane": "a"}]})
    data = bpmn_bytes(bp)
    schema.validate(data.decode("utf-8"))
    root = DET.fromstring(data)
    _assert_joins_at_gateways(root)
    gateways = {g.get("id") for g in root.iter(f"{{{BPMN_NS}}}exclusiveGateway")}
    assert gateways == {"ok", "work_merge", "done_merge"}
    lane = root.find(f".//{{{BPMN_NS}}}lane[@id='a']")
    assert lane is not None
    refs = [r.text for r in lane.iter(f"{{{BPMN_NS}}}flowNodeRef")]
    assert refs == ["s", "work_merge", "work", "ok", "done_merge", "done"]
    boxes = {}
    for shape in root.iter(f"{DI}BPMNShape"):
        b = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        assert b is not None
        boxes[shape.get("bpmnElement")] = tuple(float(b.get(k, "")) for k in
                                                ("x", "y", "width", "height"))
    steps = [boxes[i] for i in ("s", "work", "ok", "done", "work_merge", "done_merge")]
    for i, p in enumerate(steps):  # no two flow nodes overlap
        for q in steps[i + 1:]:
            assert (p[0] + p[2] <= q[0] or q[0] + q[2] <= p[0]
                    or p[1] + p[3] <= q[1] or q[1] + q[3] <= p[1]), (p, q)
    lane_box = boxes["a"]
    for g in ("work_merge", "done_merge"):  # inside the lane it is listed in
        x, y, w, h = boxes[g]
        assert lane_box[0] <= x and x + w <= lane_box[0] + lane_box[2]
        assert lane_box[1] <= y and y + h <= lane_box[1] + lane_box[3]
    back = loads_bpmn(data, "m.bpmn")
    assert back.model_dump(mode="json") == bp.model_dump(mode="json")


def test_branch_into_a_merge_is_named_by_its_step() -> None:
    """Without servicemap's extensions, an unnamed branch into a merge gateway is labelled
    by the step behind the gateway (as any branch by its target), not by the gateway."""
    bp = Blueprint.model_validate({"name": "m", "steps": [
        {"id": "s", "kind": "terminator", "next": "work"},
        {"id": "work", "kind": "task", "label": "Do the work", "next": "ok"},
        {"id": "ok", "kind": "decision", "next": [{"to": "work"}, {"to": "done"}]},
        {"id": "done", "kind": "terminator", "label": "Done"}]})
    data = bpmn_bytes(bp)
    assert b'targetRef="work_merge"' in data
    stripped = re.sub(rb"<bpmn:extensionElements>.*?</bpmn:extensionElements>", b"", data,
                      flags=re.DOTALL)
    back = loads_bpmn(stripped, "stripped.bpmn")
    decision = back.step("ok")
    assert isinstance(decision, Decision)
    assert [(b.to, b.label) for b in decision.next] == [("work", "Do the work"),
                                                        ("done", "Done")]


CALENDARS = """name: Office and robot
arrivals: 40/d
calendar:
  timezone: Europe/Berlin
  hours: {mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00,
          fri: "08:00-12:00, 13:00-17:00"}
  holidays: [2026-12-24, 2026-12-25]
lanes:
  - {id: desk, layer: onstage}
  - id: robot
    layer: support
    calendar:
      timezone: America/New_York
      hours: {sat: 00:00-24:00, sun: 00:00-24:00}
      holidays: ['2027-01-02']
steps:
  - {id: s, kind: terminator, lane: desk, next: w}
  - {id: w, kind: task, lane: desk, duration: 1d, capacity: 2, next: r}
  - {id: r, kind: task, lane: robot, duration: 30min, next: e}
  - {id: e, kind: terminator, lane: desk}
"""


def test_calendars_and_holidays_survive_bpmn(schema: xmlschema.XMLSchema,
                                             tmp_path: Path) -> None:
    """The map's and a lane's calendar (zone, hours, holidays) go to BPMN and back, through
    sm.load and through the command line, and the export stays valid BPMN 2.0."""
    source = tmp_path / "calendars.yaml"
    source.write_text(CALENDARS, encoding="utf-8")
    bp = sm.load(source)
    assert bp.calendar is not None and bp.calendar.holidays == ["2026-12-24", "2026-12-25"]
    data = bpmn_bytes(bp)
    schema.validate(data.decode("utf-8"))
    exported = tmp_path / "calendars.bpmn"
    exported.write_bytes(data)
    assert sm.load(exported).model_dump(mode="json") == bp.model_dump(mode="json")
    # the command line, both ways
    cli_bpmn, back = tmp_path / "cli.bpmn", tmp_path / "back.yaml"
    assert main(["convert", str(source), "-o", str(cli_bpmn)]) == 0
    schema.validate(cli_bpmn.read_text(encoding="utf-8"))
    assert main(["convert", str(cli_bpmn), "-o", str(back)]) == 0
    again = sm.load(back)
    assert again.model_dump(mode="json") == bp.model_dump(mode="json")
    weeks = again.working_weeks()
    assert weeks[0] is not None and weeks[0].holidays == ("2026-12-24", "2026-12-25")
    assert weeks[1]["robot"].zone == "America/New_York"
    # the same analysis from the map read back
    assert sm.analyze(again, percentile_cases=0).to_json() == \
        sm.analyze(bp, percentile_cases=0).to_json()


def test_bad_calendar_values_in_bpmn_are_located(tmp_path: Path) -> None:
    data = bpmn_bytes(sm.loads(CALENDARS)).decode("utf-8")
    bad = data.replace('"2026-12-25"', '"2026-12-32"').replace('"America/New_York"',
                                                               '"Mars/Olympus"')
    path = tmp_path / "bad.bpmn"
    path.write_text(bad, encoding="utf-8")
    line = next(k for k, text in enumerate(bad.splitlines(), start=1) if "servicemap:map" in text)
    with pytest.raises(sm.LoadError) as caught:
        sm.load(path)
    found = [(p.code, p.file, p.line) for p in caught.value.problems]
    assert found == [("SM002", str(path), line)] * 2
    messages = " ".join(p.message for p in caught.value.problems)
    assert "'2026-12-32' is not a date" in messages and "'Mars/Olympus' is not a time zone" \
        in messages
