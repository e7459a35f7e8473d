"""BPMN 2.0 export: a map written as BPMN XML with diagram interchange and servicemap extensions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Blueprint, Branch, Connector, Decision, Step, Terminator
from .bpmn_xml import BPMN_NS, BPMNDI_NS, SERVICEMAP_NS, written_name, xml_text

__all__ = ["BPMN_NS", "SERVICEMAP_NS", "Bounds", "Diagram", "export_bpmn", "xml_text"]

DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

_PREFIXES = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS,
             "servicemap": SERVICEMAP_NS}
_KEPT_OUT = {"id", "kind", "label", "lane", "next"}  # written as BPMN itself, not as data

Bounds = tuple[float, float, float, float]
"""``(x, y, width, height)`` of a shape, origin top left, y down (as BPMN DI)."""


@dataclass(frozen=True)
class Diagram:
    """Where things stand: step, lane and phase shapes and flow waypoints, in BPMN DI terms."""

    shapes: Mapping[str, Bounds] = field(default_factory=dict)
    lanes: Mapping[str, Bounds] = field(default_factory=dict)
    phases: Mapping[str, Bounds] = field(default_factory=dict)
    routes: Mapping[tuple[str, str], Sequence[tuple[float, float]]] = field(default_factory=dict)


def _q(ns: str, tag: str) -> str:
    """The Clark name ``{ns}tag`` ElementTree uses.

    >>> _q("urn:x", "task")
    '{urn:x}task'
    """
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, tag: str, ns: str = BPMN_NS, **attrs: str) -> ET.Element:
    """A child element of ``parent``, its attribute values made XML 1.0 text."""
    return ET.SubElement(parent, _q(ns, tag), {k: xml_text(v) for k, v in attrs.items()})


def _data(parent: ET.Element, data: Mapping[str, Any], tag: str = "data",
          *, always: bool = False) -> None:
    """``data`` as JSON in ``extensionElements/servicemap:<tag>`` (if any, or ``always``)."""
    if data or always:
        ext = parent.find(_q(BPMN_NS, "extensionElements"))
        if ext is None:
            ext = _sub(parent, "extensionElements")
        _sub(ext, tag, SERVICEMAP_NS).text = json.dumps(data, sort_keys=True)


def _element(step: Step) -> tuple[str, str | None]:
    """The BPMN element of a step and its event definition, if any."""
    if isinstance(step, Terminator):
        if step.next:
            return "startEvent", None
        return "endEvent", "errorEventDefinition" if step.outcome == "failure" else None
    if isinstance(step, Connector):  # a connector leading on is where a link is caught
        return ("intermediateCatchEvent" if step.next else "intermediateThrowEvent",
                "linkEventDefinition")
    return {"task": ("task", None), "predefined": ("callActivity", None),
            "decision": ("exclusiveGateway", None),
            "parallel": ("parallelGateway", None),
            "delay": ("intermediateCatchEvent", "timerEventDefinition"),
            "document": ("intermediateThrowEvent", "messageEventDefinition"),
            }[step.kind]


def _flows(bp: Blueprint) -> list[tuple[str, str, Branch | None]]:
    """Every flow ``(source, target, branch)``, the branch ``None`` out of other than a decision."""
    ids = {s.id for s in bp.steps}
    flows: list[tuple[str, str, Branch | None]] = []
    for s in bp.steps:
        if isinstance(s, Decision):
            flows.extend((s.id, b.to, b) for b in s.next if b.to in ids)
        else:
            flows.extend((s.id, to, None) for to in s.next if to in ids)
    return flows


def _kept(label: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with ``label`` kept in it where a ``name`` attribute would not give it back.

    >>> _kept("Two\\nlines", {}), _kept(None, {}), _kept("yes", {"label": "yes"})
    ({'label': 'Two\\nlines'}, {'label': None}, {})
    """
    data = {k: v for k, v in data.items() if k != "label"}
    if label is None or written_name(label) != label:
        data["label"] = label
    return data


def _unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... whichever is not taken yet (then taken).

    >>> _unique_id("process", {"process"})
    'process-2'
    """
    new, n = base, 1
    while new in taken:
        n += 1
        new = f"{base}-{n}"
    taken.add(new)
    return new


def export_bpmn(bp: Blueprint, diagram: Diagram | None = None) -> bytes:
    """The map as BPMN 2.0 XML (UTF-8), with diagram interchange when ``diagram`` is given.

    One process; a collaboration with one participant when the map has lanes
    (so modelers draw them). Step ids are servicemap identifiers, valid as
    ``xsd:ID``; flow ids are made unique. Connectors are link events: thrown where
    a connector ends a flow, caught where one leads on.

    >>> from servicemap.model import Blueprint
    >>> bp = Blueprint.model_validate({"name": "A & B", "steps": [
    ...     {"id": "s", "kind": "terminator", "next": "e"},
    ...     {"id": "e", "kind": "terminator"}]})
    >>> b'name="A &amp; B"' in export_bpmn(bp)
    True
    """
    for prefix, ns in _PREFIXES.items():
        ET.register_namespace(prefix, ns)
    root = ET.Element(_q(BPMN_NS, "definitions"), {
        "id": "definitions", "name": xml_text(bp.name),
        "targetNamespace": "urn:servicemap:bpmn:export",
        "exporter": "servicemap", "exporterVersion": "1"})
    taken = {s.id for s in bp.steps} | {lane.id for lane in bp.lanes}
    process_id = _unique_id("process", taken)
    if bp.lanes:
        collab = _sub(root, "collaboration", id=_unique_id("collaboration", taken))
        participant = _sub(collab, "participant", id=_unique_id("participant", taken),
                           name=bp.name, processRef=process_id)
    process = _sub(root, "process", id=process_id, name=bp.name, isExecutable="false")
    _data(process, bp.model_dump(mode="json", exclude_defaults=True,
                                 exclude={"steps", "name"}), "map", always=True)
    _lane_set(process, bp, taken)
    flow_ids = _write_steps(process, bp, taken)
    groups = _groups(root, process, bp, taken)
    if diagram is not None:
        plane_of = participant.get("id", "") if bp.lanes else process_id
        _diagram(root, bp, diagram, flow_ids, plane_of, taken)
        _group_shapes(root, diagram, groups, taken)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _lane_set(process: ET.Element, bp: Blueprint, taken: set[str]) -> None:
    """The process's ``laneSet``: a lane per map lane, its flow nodes as ``flowNodeRef``."""
    if not bp.lanes:
        return
    lane_set = _sub(process, "laneSet", id=_unique_id("laneSet", taken))
    for lane in bp.lanes:
        el = _sub(lane_set, "lane", id=lane.id, name=lane.label or lane.id)
        for s in bp.steps:
            if s.lane == lane.id:
                _sub(el, "flowNodeRef").text = s.id


def _write_steps(process: ET.Element, bp: Blueprint,
                 taken: set[str]) -> list[tuple[str, str, str]]:
    """The flow nodes and sequence flows; returns ``(flow id, source, target)`` per flow."""
    flows = _flows(bp)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    written: list[tuple[str, str, str]] = []
    for source, target, _ in flows:
        fid = _unique_id(f"Flow_{source}_{target}", taken)
        written.append((fid, source, target))
        outgoing.setdefault(source, []).append(fid)
        incoming.setdefault(target, []).append(fid)
    for s in bp.steps:
        tag, definition = _element(s)
        attrs = {"id": s.id} | ({"name": s.label} if s.label is not None else {})
        el = _sub(process, tag, **attrs)
        data = s.model_dump(mode="json", exclude_defaults=True, exclude=_KEPT_OUT)
        if s.label is not None or isinstance(s, Connector):  # else the import has no label
            data |= _kept(s.label, {})
        _data(el, data)
        for fid in incoming.get(s.id, []):
            _sub(el, "incoming").text = fid
        for fid in outgoing.get(s.id, []):
            _sub(el, "outgoing").text = fid
        if definition is not None:
            event = _sub(el, definition, id=_unique_id(f"{s.id}_event", taken))
            if isinstance(s, Connector):
                event.set("name", xml_text(s.label if s.label is not None else s.id))
            if definition == "timerEventDefinition" and s.duration is not None:
                seconds = s.duration.total_seconds()
                _sub(event, "timeDuration").text = f"PT{_num(seconds)}S"
    for (fid, source, target), (_, _, branch) in zip(written, flows, strict=True):
        attrs = {"id": fid, "sourceRef": source, "targetRef": target}
        if branch is not None and branch.label is not None:
            attrs["name"] = branch.label
        flow = _sub(process, "sequenceFlow", **attrs)
        if branch is not None:
            data = branch.model_dump(mode="json", exclude_defaults=True, exclude={"to"})
            _data(flow, _kept(branch.label, data), "branch")
    return written


def _groups(root: ET.Element, process: ET.Element, bp: Blueprint,
            taken: set[str]) -> dict[str, str]:
    """A group per phase, titled by a category value; returns phase id -> group id.

    The groups come after the flow (as the XSD orders a process's artifacts);
    the category of their values is a root element before the process.
    """
    if not bp.phases:
        return {}
    category = ET.Element(_q(BPMN_NS, "category"), {"id": _unique_id("phases", taken)})
    root.insert(0, category)
    groups = {}
    for phase in bp.phases:
        value = _sub(category, "categoryValue", id=_unique_id(f"{phase.id}_value", taken),
                     value=phase.label if phase.label is not None else phase.id)
        groups[phase.id] = _unique_id(phase.id, taken)
        _sub(process, "group", id=groups[phase.id], categoryValueRef=value.get("id", ""))
    return groups


def _group_shapes(root: ET.Element, diagram: Diagram, groups: Mapping[str, str],
                  taken: set[str]) -> None:
    """A phase's group drawn over its column, top to bottom (the import reads it back)."""
    plane = root.find(f"{_q(BPMNDI_NS, 'BPMNDiagram')}/{_q(BPMNDI_NS, 'BPMNPlane')}")
    if plane is None:  # pragma: no cover - _diagram always writes one
        return
    for phase_id, group_id in groups.items():
        if phase_id in diagram.phases:
            shape = _sub(plane, "BPMNShape", BPMNDI_NS, id=_unique_id(f"{group_id}_di", taken),
                         bpmnElement=group_id)
            _bounds(shape, diagram.phases[phase_id])


def _num(value: float) -> str:
    """A number as ``xsd:double`` and ISO 8601 seconds read it: no exponent, no trailing zeros.

    >>> _num(1e7), _num(2.50), _num(3.0)
    ('10000000', '2.5', '3')
    """
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _bounds(parent: ET.Element, box: Bounds) -> None:
    """A ``dc:Bounds`` child of a shape."""
    x, y, w, h = box
    _sub(parent, "Bounds", DC_NS, x=_num(x), y=_num(y), width=_num(w), height=_num(h))


def _diagram(root: ET.Element, bp: Blueprint, diagram: Diagram,
             flows: Sequence[tuple[str, str, str]], plane_of: str, taken: set[str]) -> None:
    """BPMNDI: a shape per step and lane, an edge per flow, on one plane."""
    di = _sub(root, "BPMNDiagram", BPMNDI_NS, id=_unique_id("diagram", taken))
    plane = _sub(di, "BPMNPlane", BPMNDI_NS, id=_unique_id("plane", taken), bpmnElement=plane_of)
    if bp.lanes and diagram.lanes:
        xs = [b[0] for b in diagram.lanes.values()]
        ys = [b[1] for b in diagram.lanes.values()]
        right = max(b[0] + b[2] for b in diagram.lanes.values())
        bottom = max(b[1] + b[3] for b in diagram.lanes.values())
        pool = _sub(plane, "BPMNShape", BPMNDI_NS, id=_unique_id("participant_di", taken),
                    bpmnElement=plane_of, isHorizontal="true")
        left = min(xs) - 30
        _bounds(pool, (left, min(ys), right - left, bottom - min(ys)))
    for lane_id, box in diagram.lanes.items():
        shape = _sub(plane, "BPMNShape", BPMNDI_NS, id=_unique_id(f"{lane_id}_di", taken),
                     bpmnElement=lane_id, isHorizontal="true")
        _bounds(shape, box)
    for s in bp.steps:
        if s.id in diagram.shapes:
            shape = _sub(plane, "BPMNShape", BPMNDI_NS, id=_unique_id(f"{s.id}_di", taken),
                         bpmnElement=s.id)
            _bounds(shape, diagram.shapes[s.id])
    for fid, source, target in flows:
        edge = _sub(plane, "BPMNEdge", BPMNDI_NS, id=_unique_id(f"{fid}_di", taken),
                    bpmnElement=fid)
        for x, y in _waypoints(diagram, source, target):
            _sub(edge, "waypoint", DI_NS, x=_num(x), y=_num(y))


def _waypoints(diagram: Diagram, source: str, target: str) -> Sequence[tuple[float, float]]:
    """The route drawn for a flow, else a line from the source's right to the target's left."""
    route = diagram.routes.get((source, target))
    if route is not None and len(route) >= 2:
        return route
    a = diagram.shapes.get(source, (0.0, 0.0, 0.0, 0.0))
    b = diagram.shapes.get(target, (0.0, 0.0, 0.0, 0.0))
    return [(a[0] + a[2], a[1] + a[3] / 2), (b[0], b[1] + b[3] / 2)]
