"""BPMN 2.0 export: a map written as BPMN XML with diagram interchange and servicemap extensions."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Blueprint, Connector, Decision, Step, Terminator
from .bpmn_xml import Element, parse_xml

__all__ = ["BPMN_NS", "SERVICEMAP_NS", "Bounds", "Diagram", "export_bpmn", "restore_extensions",
           "xml_text"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
SERVICEMAP_NS = "urn:servicemap:bpmn:1"
"""The namespace of servicemap's extension elements and attributes."""

_PREFIXES = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS,
             "servicemap": SERVICEMAP_NS}
_KEPT_OUT = {"id", "kind", "label", "lane", "next"}  # written as BPMN itself, not as data
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Bounds = tuple[float, float, float, float]
"""``(x, y, width, height)`` of a shape, origin top left, y down (as BPMN DI)."""


@dataclass(frozen=True)
class Diagram:
    """Where things stand: step shapes, lane shapes and flow waypoints, in BPMN DI terms."""

    shapes: Mapping[str, Bounds] = field(default_factory=dict)
    lanes: Mapping[str, Bounds] = field(default_factory=dict)
    routes: Mapping[tuple[str, str], Sequence[tuple[float, float]]] = field(default_factory=dict)


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD.

    XML 1.0 has no way to write most C0 controls (even as ``&#1;``), lone
    surrogates, U+FFFE or U+FFFF; the library escapes ``<``, ``&``, quotes.

    >>> xml_text("a\\x01b\\tc")
    'a\\ufffdb\\tc'
    """
    return _NOT_XML.sub("\ufffd", text)


def _q(ns: str, tag: str) -> str:
    """The Clark name ``{ns}tag`` ElementTree uses.

    >>> _q("urn:x", "task")
    '{urn:x}task'
    """
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, tag: str, ns: str = BPMN_NS, **attrs: str) -> ET.Element:
    """A child element of ``parent``, its attribute values made XML 1.0 text."""
    return ET.SubElement(parent, _q(ns, tag), {k: xml_text(v) for k, v in attrs.items()})


def _data(parent: ET.Element, data: Mapping[str, Any], tag: str = "data") -> None:
    """``data`` as JSON in ``extensionElements/servicemap:<tag>`` (nothing when empty)."""
    if data:
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
    return {"task": ("task", None), "predefined": ("callActivity", None),
            "decision": ("exclusiveGateway", None),
            "parallel": ("parallelGateway", None),
            "delay": ("intermediateCatchEvent", "timerEventDefinition"),
            "document": ("intermediateThrowEvent", "messageEventDefinition"),
            }[step.kind]


def _resolver(bp: Blueprint) -> Mapping[str, str]:
    """For each connector id, the step a flow into it reaches (connectors passed through)."""
    steps = {s.id: s for s in bp.steps}
    exits: dict[str, Connector] = {}
    for s in bp.steps:
        if isinstance(s, Connector) and s.next:
            exits.setdefault(s.label if s.label is not None else s.id, s)
    reach: dict[str, str] = {}
    for s in bp.steps:
        if not isinstance(s, Connector):
            continue
        seen: set[str] = set()
        node: Step | None = s
        while isinstance(node, Connector) and node.id not in seen:
            seen.add(node.id)
            out = exits.get(node.label if node.label is not None else node.id)
            node = steps.get(out.next[0]) if out is not None else None
        if node is not None and not isinstance(node, Connector):
            reach[s.id] = node.id
    return reach


def _flows(bp: Blueprint) -> list[tuple[str, str, dict[str, Any]]]:
    """Every flow ``(source, target, branch data)``, connectors resolved into direct flows."""
    reach = _resolver(bp)
    ids = {s.id for s in bp.steps}
    flows: list[tuple[str, str, dict[str, Any]]] = []
    for s in bp.steps:
        if isinstance(s, Connector):
            continue
        if isinstance(s, Decision):
            outs = [(b.to, b.model_dump(mode="json", exclude_defaults=True)) for b in s.next]
        else:
            outs = [(t, {}) for t in s.next]
        for to, branch in outs:
            target = reach.get(to, to)
            if target in ids and target not in reach:
                flows.append((s.id, target, branch))
    return flows


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
    ``xsd:ID``; flow ids are made unique. Connectors become direct flows.

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
                                 exclude={"steps", "name"}), "map")
    _lane_set(process, bp, taken)
    flow_ids = _write_steps(process, bp, taken)
    if diagram is not None:
        plane_of = participant.get("id", "") if bp.lanes else process_id
        _diagram(root, bp, diagram, flow_ids, plane_of, taken)
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
            if s.lane == lane.id and not isinstance(s, Connector):
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
        if isinstance(s, Connector):
            continue
        tag, definition = _element(s)
        attrs = {"id": s.id} | ({"name": s.label} if s.label is not None else {})
        el = _sub(process, tag, **attrs)
        _data(el, s.model_dump(mode="json", exclude_defaults=True, exclude=_KEPT_OUT))
        for fid in incoming.get(s.id, []):
            _sub(el, "incoming").text = fid
        for fid in outgoing.get(s.id, []):
            _sub(el, "outgoing").text = fid
        if definition is not None:
            event = _sub(el, definition, id=_unique_id(f"{s.id}_event", taken))
            if definition == "timerEventDefinition" and s.duration is not None:
                seconds = s.duration.total_seconds()
                _sub(event, "timeDuration").text = f"PT{_num(seconds)}S"
    for (fid, source, target), (_, _, branch) in zip(written, flows, strict=True):
        attrs = {"id": fid, "sourceRef": source, "targetRef": target}
        if branch.get("label") is not None:
            attrs["name"] = branch["label"]
        flow = _sub(process, "sequenceFlow", **attrs)
        _data(flow, {k: v for k, v in branch.items() if k not in ("to", "label")}, "branch")
    return written


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
        if s.id in diagram.shapes and not isinstance(s, Connector):
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


def _extension(el: Element, tag: str) -> dict[str, Any]:
    """The JSON object in ``extensionElements/servicemap:<tag>`` of ``el`` (empty if none)."""
    for ext in el.bpmn("extensionElements"):
        for child in ext.children:
            if child.ns == SERVICEMAP_NS and child.tag == tag:
                try:
                    value = json.loads(child.text)
                except ValueError:
                    return {}
                return value if isinstance(value, dict) else {}
    return {}


def _collect_extensions(data: bytes) -> tuple[dict[str, Any], dict[str, dict[str, Any]],
                                              dict[tuple[str, str, str], dict[str, Any]]]:
    """The map's, each flow node's and each flow's (source, target, name) servicemap data."""
    root = parse_xml(data)
    whole: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    flows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for process in root.bpmn("process"):
        whole.update(_extension(process, "map"))
        for el in process.bpmn():
            ident = el.attrs.get("id", "")
            if el.tag == "sequenceFlow":
                key = (el.attrs.get("sourceRef", ""), el.attrs.get("targetRef", ""),
                       " ".join(el.attrs.get("name", "").split()))
                flows[key] = _extension(el, "branch")
            else:
                nodes[ident] = _extension(el, "data")
    return whole, nodes, flows


def restore_extensions(bp: Blueprint, data: bytes) -> Blueprint:
    """``bp`` imported from ``data`` with the servicemap extensions of the export put back.

    The import (mapfile/bpmn.py) reads BPMN only; this puts back what
    :func:`export_bpmn` kept in ``servicemap:`` extension elements (step
    fields, branch probabilities and failure flags, lanes, phases, the map's
    own fields), so export then import loses nothing.

    Raises:
        XmlError: if ``data`` is not well-formed XML.
        pydantic.ValidationError: if the extensions no longer fit the map.
    """
    whole, nodes, flows = _collect_extensions(data)
    dumped = bp.model_dump(mode="json", exclude_defaults=True)
    if whole:  # a servicemap export: its own metadata replaces the import's note of the source
        dumped.pop("metadata", None)
    dumped.update({k: v for k, v in whole.items() if k != "lanes"})
    if {lane["id"] for lane in whole.get("lanes", [])} == {lane.id for lane in bp.lanes}:
        dumped["lanes"] = whole.get("lanes", [])
    for step, model in zip(dumped["steps"], bp.steps, strict=True):
        step["kind"] = model.kind
        step.update(nodes.get(step["id"], {}))
        if model.kind == "decision":
            for branch in step["next"]:
                branch.update(flows.get((step["id"], branch["to"], branch.get("label", "")), {}))
    return Blueprint.model_validate(dumped)
