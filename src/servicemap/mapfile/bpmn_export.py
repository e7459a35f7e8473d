"""BPMN 2.0 export: a map written as BPMN XML with diagram interchange and servicemap extensions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
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
    a connector ends a flow, caught where one leads on. Flows that meet at a step
    (other than a parallel join) meet at an exclusive merge gateway just before
    it, as BPMN modelers and linters expect; the import dissolves it again.

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
    flows = _flows(bp)
    merges = _merges(bp, flows, taken)
    _lane_set(process, bp, taken, merges)
    flow_ids = _write_steps(process, bp, _merged(flows, merges), merges, taken)
    groups = _groups(root, process, bp, taken)
    if diagram is not None:
        plane_of = participant.get("id", "") if bp.lanes else process_id
        diagram = _with_merges(diagram, bp, merges)
        _diagram(root, bp, diagram, flow_ids, plane_of, taken, merges)
        _group_shapes(root, diagram, groups, taken)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _lane_set(process: ET.Element, bp: Blueprint, taken: set[str],
              merges: Mapping[str, str]) -> None:
    """The process's ``laneSet``: a lane per map lane, its flow nodes as ``flowNodeRef``.

    A merge gateway is in the lane of the step it leads into.
    """
    if not bp.lanes:
        return
    lane_set = _sub(process, "laneSet", id=_unique_id("laneSet", taken))
    for lane in bp.lanes:
        el = _sub(lane_set, "lane", id=lane.id, name=lane.label or lane.id)
        for s in bp.steps:
            if s.lane == lane.id:
                if s.id in merges:
                    _sub(el, "flowNodeRef").text = merges[s.id]
                _sub(el, "flowNodeRef").text = s.id


def _merges(bp: Blueprint, flows: Sequence[tuple[str, str, Branch | None]],
            taken: set[str]) -> dict[str, str]:
    """Step id -> id of the exclusive merge gateway written before it, for each step that
    several flows lead into (a task or event "fake join", a decision that would join and
    fork at once). A parallel step keeps its flows: it is a parallel join.
    """
    count: dict[str, int] = {}
    for _source, target, _branch in flows:
        count[target] = count.get(target, 0) + 1
    return {s.id: _unique_id(f"{s.id}_merge", taken) for s in bp.steps
            if count.get(s.id, 0) > 1 and s.kind != "parallel"}


def _merged(flows: Sequence[tuple[str, str, Branch | None]],
            merges: Mapping[str, str]) -> list[tuple[str, str, Branch | None]]:
    """The flows with the merges in: into a merge gateway, then one flow on to its step.

    >>> _merged([("a", "c", None), ("b", "c", None), ("a", "b", None)], {"c": "c_merge"})
    [('a', 'c_merge', None), ('b', 'c_merge', None), ('a', 'b', None), ('c_merge', 'c', None)]
    """
    out: list[tuple[str, str, Branch | None]] = [
        (source, merges.get(target, target), branch) for source, target, branch in flows]
    return out + [(gateway, step, None) for step, gateway in merges.items()]


def _write_steps(process: ET.Element, bp: Blueprint,
                 flows: Sequence[tuple[str, str, Branch | None]], merges: Mapping[str, str],
                 taken: set[str]) -> list[tuple[str, str, str]]:
    """The flow nodes and sequence flows; returns ``(flow id, source, target)`` per flow."""
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    written: list[tuple[str, str, str]] = []
    for source, target, _ in flows:
        fid = _unique_id(f"Flow_{source}_{target}", taken)
        written.append((fid, source, target))
        outgoing.setdefault(source, []).append(fid)
        incoming.setdefault(target, []).append(fid)
    for s in bp.steps:
        if s.id in merges:
            gateway = _sub(process, "exclusiveGateway", id=merges[s.id],
                           gatewayDirection="Converging")
            for fid in incoming.get(merges[s.id], []):
                _sub(gateway, "incoming").text = fid
            _sub(gateway, "outgoing").text = outgoing[merges[s.id]][0]
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
             flows: Sequence[tuple[str, str, str]], plane_of: str, taken: set[str],
             merges: Mapping[str, str]) -> None:
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
        if merges.get(s.id) in diagram.shapes:
            shape = _sub(plane, "BPMNShape", BPMNDI_NS,
                         id=_unique_id(f"{merges[s.id]}_di", taken), bpmnElement=merges[s.id])
            _bounds(shape, diagram.shapes[merges[s.id]])
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


# -- where a merge gateway is drawn ----------------------------------------------

_GATEWAY_SIZES = (36.0, 28.0, 20.0)
"""Sizes tried for a merge gateway's shape, largest first (bpmn.io draws 50, ours are smaller
to fit between the layout's columns)."""

_STUB = 8.0
"""Length of the flow from a merge gateway into its step."""

Point = tuple[float, float]


def _overlaps(a: Bounds, b: Bounds, margin: float = 2.0) -> bool:
    """Whether two boxes overlap, ``margin`` apart counting as overlap.

    >>> _overlaps((0, 0, 10, 10), (11, 0, 10, 10)), _overlaps((0, 0, 10, 10), (13, 0, 5, 5))
    (True, False)
    """
    return (a[0] < b[0] + b[2] + margin and b[0] < a[0] + a[2] + margin
            and a[1] < b[1] + b[3] + margin and b[1] < a[1] + a[3] + margin)


def _inside(a: Bounds, outer: Bounds | None) -> bool:
    """Whether box ``a`` lies within ``outer`` (anything does when there is none)."""
    return outer is None or (outer[0] <= a[0] and a[0] + a[2] <= outer[0] + outer[2]
                             and outer[1] <= a[1] and a[1] + a[3] <= outer[1] + outer[3])


def _entry(box: Bounds, point: Point) -> Point:
    """The outward normal of the side of ``box`` that ``point`` (where a route ends) is on.

    >>> _entry((10, 10, 20, 10), (10, 15)), _entry((10, 10, 20, 10), (20, 20))
    ((-1.0, 0.0), (0.0, 1.0))
    """
    x, y, w, h = box
    sides = [(abs(point[0] - x), (-1.0, 0.0)), (abs(point[0] - x - w), (1.0, 0.0)),
             (abs(point[1] - y), (0.0, -1.0)), (abs(point[1] - y - h), (0.0, 1.0))]
    return min(sides)[1]


def _hull(a: Bounds, b: Bounds, p: Point) -> Bounds:
    """The smallest box holding boxes ``a``, ``b`` and point ``p``."""
    x0, y0 = min(a[0], b[0], p[0]), min(a[1], b[1], p[1])
    x1 = max(a[0] + a[2], b[0] + b[2], p[0])
    y1 = max(a[1] + a[3], b[1] + b[3], p[1])
    return (x0, y0, x1 - x0, y1 - y0)


class _ShapeGrid:
    """The shapes of a diagram filed by square cells, to find those near a box.

    A merge gateway and the flows into it only meet shapes close to their step;
    looking at every shape of the map for each gateway made the export quadratic
    (2,000 steps: 13.6 s). A bucket grid suffices for boxes of similar size (no
    dependency of the reader/writer is a spatial index).
    """

    CELL = 200.0

    def __init__(self, shapes: Mapping[str, Bounds]) -> None:
        self.cells: dict[tuple[int, int], list[str]] = {}
        self.shapes: dict[str, Bounds] = {}
        for key, box in shapes.items():
            self.add(key, box)

    def _span(self, box: Bounds) -> tuple[range, range]:
        c = self.CELL
        return (range(int(box[0] // c), int((box[0] + box[2]) // c) + 1),
                range(int(box[1] // c), int((box[1] + box[3]) // c) + 1))

    def add(self, key: str, box: Bounds) -> None:
        """File ``box`` under ``key``."""
        self.shapes[key] = box
        xs, ys = self._span(box)
        for i in xs:
            for j in ys:
                self.cells.setdefault((i, j), []).append(key)

    def near(self, box: Bounds, margin: float, leave_out: tuple[str, ...] = ()) -> list[Bounds]:
        """The shapes that may overlap ``box`` grown by ``margin`` on every side (a superset:
        callers test overlaps themselves, in any order)."""
        xs, ys = self._span((box[0] - margin, box[1] - margin, box[2] + 2 * margin,
                             box[3] + 2 * margin))
        keys = {k for i in xs for j in ys for k in self.cells.get((i, j), ())}
        return [self.shapes[k] for k in keys if k not in leave_out]


def _place(box: Bounds, entries: Sequence[Point], others: Sequence[Bounds],
           lane: Bounds | None) -> tuple[Bounds, Point, Point]:
    """A merge gateway's box before the step drawn in ``box``, clear of ``others``.

    Tried in turn, each size of ``_GATEWAY_SIZES``: in front of each point where
    a flow enters the step (on the step's side it enters), then of the middle of
    the step's left, top and bottom sides; the last resort overlaps. Returns the
    box, the point on the gateway a flow leaves it by towards the step, and where
    that flow enters the step.

    >>> _place((100, 0, 80, 40), [(100, 20)], [], None)
    ((56.0, 2.0, 36.0, 36.0), (92.0, 20.0), (100, 20))
    >>> _place((100, 0, 80, 40), [(100, 20)], [(70, 0, 20, 40)], None)[0]
    (122.0, -44.0, 36.0, 36.0)
    """
    x, y, w, h = box
    candidates = [*entries, (x, y + h / 2), (x + w / 2, y), (x + w / 2, y + h)]
    for size in _GATEWAY_SIZES:
        for point in candidates:
            nx, ny = _entry(box, point)
            gap = size / 2 + _STUB
            cx, cy = point[0] + nx * gap, point[1] + ny * gap
            gate = (cx - size / 2, cy - size / 2, size, size)
            if _inside(gate, lane) and not any(_overlaps(gate, o) for o in others):
                return gate, (cx + nx * size / 2 * -1, cy + ny * size / 2 * -1), point
    size = _GATEWAY_SIZES[-1]
    point = candidates[len(entries)]
    cx, cy = point[0] - size / 2 - _STUB, point[1]
    return (cx - size / 2, cy - size / 2, size, size), (cx + size / 2, cy), point


def _crosses(a: Point, b: Point, box: Bounds) -> bool:
    """Whether the axis-parallel segment ``a``-``b`` runs through the inside of ``box``.

    >>> _crosses((0, 5), (20, 5), (5, 0, 5, 10)), _crosses((0, 0), (20, 0), (5, 0, 5, 10))
    (True, False)
    """
    return (min(a[0], b[0]) < box[0] + box[2] and box[0] < max(a[0], b[0])
            and min(a[1], b[1]) < box[1] + box[3] and box[1] < max(a[1], b[1]))


def _direction(a: Point, b: Point) -> Point:
    """The unit step from ``a`` towards ``b`` along its longer axis.

    >>> _direction((0, 0), (-5, 1)), _direction((0, 0), (0, 0))
    ((-1.0, 0.0), (0.0, 0.0))
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    if abs(dx) >= abs(dy):
        return (float((dx > 0) - (dx < 0)), 0.0)
    return (0.0, float((dy > 0) - (dy < 0)))


def _approaches(q: Point, gate: Bounds, leave: Point, step: Bounds) -> list[list[Point]]:
    """Right-angled ways from ``q`` into a corner of the gateway's diamond (not ``leave``, the
    corner its own flow leaves by), each ending with a segment from outside the gateway;
    the longer ones turn in front of the gateway or round the far edges of ``step``."""
    cx, cy, half = gate[0] + gate[2] / 2, gate[1] + gate[3] / 2, gate[2] / 2
    xs = (cx - half - _STUB, cx + half + _STUB, step[0] - _STUB, step[0] + step[2] + _STUB)
    ys = (cy - half - _STUB, cy + half + _STUB, step[1] - _STUB, step[1] + step[3] + _STUB)
    ways = []
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        corner = (cx + dx * half, cy + dy * half)
        if corner == leave:
            continue
        if dx:  # reached along y = cy from the side dx points to
            if (q[0] - corner[0]) * dx >= 0:
                ways.append([(q[0], cy), corner])
            ways += [[(x, q[1]), (x, cy), corner] for x in xs if (x - corner[0]) * dx > 0]
        else:
            if (q[1] - corner[1]) * dy >= 0:
                ways.append([(cx, q[1]), corner])
            ways += [[(q[0], y), (cx, y), corner] for y in ys if (y - corner[1]) * dy > 0]
    return ways


def _simplified(points: Sequence[Point]) -> list[Point]:
    """``points`` without repeats and without middle points on a straight line (turning back
    along it included).

    >>> _simplified([(0, 0), (5, 0), (5, 0), (3, 0), (3, 4)])
    [(0, 0), (3, 0), (3, 4)]
    """
    out: list[Point] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and ((out[-2][0] == out[-1][0] == p[0])
                              or (out[-2][1] == out[-1][1] == p[1])):
            out[-1] = p
        else:
            out.append(p)
    return out


def _into_gateway(route: Sequence[Point], gate: Bounds, leave: Point, step: Bounds,
                  near: Callable[[Bounds], Sequence[Bounds]] = lambda _: ()) -> list[Point]:
    """A flow's route cut short at the merge gateway: from its last bend outside the
    gateway, the shortest right-angled way to a corner of the diamond that does not run
    through the step (nor, if it can help it, through other shapes: ``near(box)`` gives
    those that may overlap ``box``).

    >>> _into_gateway([(0, 0), (50, 0), (100, 0)], (60, -10, 20, 20), (80, 0), (100, -10, 5, 20))
    [(0, 0), (60.0, 0.0)]
    >>> _into_gateway([(0, 40), (100, 40)], (60, -10, 20, 20), (80, 0), (100, -10, 5, 20))
    [(0, 40), (70.0, 40), (70.0, 10.0)]
    """
    head = list(route[:-1]) or [route[0]]
    while len(head) > 1 and _overlaps((head[-1][0], head[-1][1], 0, 0), gate, 0.0):
        head.pop()  # a bend that the gateway now covers
    q = head[-1]
    after = route[len(head)] if len(head) < len(route) else route[-1]
    heading = _direction(q, after)
    # every way keeps within a stub of the gateway, the step and q (_approaches)
    others = near(_hull(step, gate, q))

    def cost(way: list[Point]) -> float:
        points = [q, *(p for p in way if p != q)]
        segments = list(pairwise(points))
        turn = 10 * (_direction(points[0], points[1]) != heading)
        length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in segments)
        hits = sum(_crosses(a, b, o) for a, b in segments for o in others)
        blocked = any(_crosses(a, b, step) for a, b in segments)
        return length + 20 * len(segments) + turn + 1_000 * hits + 1_000_000 * blocked

    best = min(_approaches(q, gate, leave, step), key=cost)
    return _simplified([*head, *best])


def _with_merges(diagram: Diagram, bp: Blueprint, merges: Mapping[str, str]) -> Diagram:
    """``diagram`` with a shape for each merge gateway and routes into and out of it."""
    if not merges:
        return diagram
    shapes = dict(diagram.shapes)
    grid = _ShapeGrid(shapes)
    routes = dict(diagram.routes)
    sources: dict[str, list[str]] = {}
    for source, target in diagram.routes:
        sources.setdefault(target, []).append(source)
    lane_of = {s.id: s.lane for s in bp.steps}
    for step, gateway in merges.items():
        box = shapes.get(step)
        if box is None:
            continue
        into = [routes[(source, step)] for source in sources.get(step, [])
                if len(routes[(source, step)]) >= 2]
        lane = diagram.lanes.get(lane_of.get(step) or "")
        # a gateway sits within its size and a stub of the step's box
        gate, leave, enter = _place(box, [r[-1] for r in into],
                                    grid.near(box, _GATEWAY_SIZES[0] + _STUB + 4.0), lane)
        shapes[gateway] = gate
        grid.add(gateway, gate)
        for source in sources.get(step, []):
            route = routes.pop((source, step))
            if len(route) >= 2:
                routes[(source, gateway)] = _into_gateway(
                    route, gate, leave, box, partial(grid.near, margin=_STUB + 4.0,
                                                     leave_out=(step, gateway)))
        routes[(gateway, step)] = [leave, enter]
    return Diagram(shapes=shapes, lanes=diagram.lanes, phases=diagram.phases, routes=routes)
