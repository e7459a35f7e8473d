"""BPMN 2.0 import: a .bpmn file converted into a map, every problem located in the XML."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Blueprint
from ..problems import Level, LoadError, Problem
from ..sourcemap import DataPath, SourceMap
from ..values import parse_duration
from .bpmn_xml import (
    BPMN_NS,
    BPMNDI_NS,
    SERVICEMAP_NS,
    Element,
    XmlError,
    parse_xml,
    written_name,
)

__all__ = ["BpmnSourceMap", "convert_bpmn", "import_problems", "is_bpmn", "loads_bpmn"]

TASKS = frozenset({"task", "userTask", "serviceTask", "sendTask", "receiveTask", "manualTask",
                   "businessRuleTask", "scriptTask"})
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
GATEWAYS = frozenset({"exclusiveGateway", "eventBasedGateway", "inclusiveGateway",
                      "parallelGateway", "complexGateway"})
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent",
                    "intermediateThrowEvent", "boundaryEvent"})
FLOW_NODES = TASKS | SUB_PROCESSES | GATEWAYS | EVENTS | {"callActivity"}
IGNORED = frozenset({
    "documentation", "extensionElements", "laneSet", "sequenceFlow", "dataObject",
    "dataObjectReference", "dataStoreReference", "association", "textAnnotation", "group",
    "ioSpecification", "property", "auditing", "monitoring", "correlationSubscription",
    "performer", "humanPerformer", "potentialOwner", "resourceRole", "incoming", "outgoing",
    "dataInputAssociation", "dataOutputAssociation", "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics",
})
"""Process content that carries no flow: skipped (data objects and stores are documented as
such in docs/bpmn.md)."""

_PAST = {"throw": "thrown", "catch": "caught"}
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def is_bpmn(name: str, head: bytes) -> bool:
    """Whether a file is read as BPMN: a ``.bpmn`` name, or ``.xml`` in the BPMN namespace.

    >>> is_bpmn("a.bpmn", b""), is_bpmn("a.xml", b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">')
    (True, True)
    >>> is_bpmn("a.yaml", b"steps: []"), is_bpmn("a.xml", b"<svg/>")
    (False, False)
    """
    lower = name.lower()
    return lower.endswith(".bpmn") or (lower.endswith(".xml") and BPMN_NS.encode() in head[:4096])


@dataclass(frozen=True)
class BpmnSourceMap(SourceMap):
    """Positions of a converted map's values in the BPMN file, by data path.

    Each step points at its BPMN element, each ``next`` item at its sequence
    flow, each lane at its lane; a path not recorded takes the position of its
    longest recorded prefix. ``problems`` are the import's warnings (from
    ``approximate``), which :func:`servicemap.check` reports with the rules'.

    >>> sm = BpmnSourceMap("p.bpmn", None, {(): (2, 3), ("steps", 0): (5, 7)})
    >>> sm.locate(("steps", 0, "next", 0)), sm.locate(("lanes",))
    ((5, 7), (2, 3))
    """

    positions: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def locate(self, path: DataPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """1-based ``(line, column)`` of the BPMN element a data path was converted from."""
        parts = tuple(path)
        for end in range(len(parts), -1, -1):
            found = self.positions.get(parts[:end])
            if found is not None:
                return found
        return 1, 1


def import_problems(bp: Blueprint) -> list[Problem]:
    """The warnings of a BPMN import (none for a map read from YAML)."""
    source = bp.source
    return list(source.problems) if isinstance(source, BpmnSourceMap) else []


@dataclass(eq=False)
class _Node:
    """A BPMN flow node: what it becomes (``kind``, or ``pass``: dissolved into its flow)."""

    el: Element
    process: str
    kind: str
    step: dict[str, Any] = field(default_factory=dict)
    out: list[_Flow] = field(default_factory=list)
    into: str | None = None  # a pass node's successor (BPMN id)

    @property
    def id(self) -> str:
        return self.el.attrs.get("id", "")


@dataclass(eq=False)
class _Flow:
    el: Element
    process: str
    source: str
    target: str


def _label(el: Element) -> str | None:
    name = " ".join(el.attrs.get("name", "").split())
    return name or None


def _event_kind(el: Element) -> str:
    """``timer``, ``message``, ``link``, ... of an event, or ``none``."""
    for child in el.bpmn():
        if child.tag.endswith("EventDefinition"):
            return child.tag[: -len("EventDefinition")]
    return "none"


class _Importer:
    """One conversion: the XML tree in, the map's data, positions and problems out."""

    def __init__(self, filename: str, approximate: bool) -> None:
        self.filename = filename
        self.approximate = approximate
        self.problems: list[Problem] = []
        self.elements: dict[str, Element] = {}
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []
        self.expanded: set[str] = set()
        self.lane_of: dict[str, str] = {}
        self.lanes: list[dict[str, Any]] = []
        self.ids: dict[str, str] = {}
        self.taken: set[str] = set()
        self.positions: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self.notes: list[str] = []
        self.lane_names: dict[str, str | None] = {}
        self.bounds: dict[str, tuple[float, float, float, float]] = {}
        self.groups: list[Element] = []
        self.attached: set[str] = set()  # activities with boundary events

    # -- problems -----------------------------------------------------------

    def problem(self, code: str, message: str, el: Element, level: Level = "error") -> None:
        """Record a problem located at ``el``."""
        rule = {"SM001": "yaml-syntax", "SM003": "duplicate-id",
                "SM004": "unknown-reference"}.get(code, "schema")
        self.problems.append(Problem(code, rule, level, message, self.filename, el.line,
                                     el.column, el.attrs.get("id")))

    def unsupported(self, el: Element, what: str, approximation: str) -> bool:
        """An element servicemap cannot map: an error, or a warning with ``approximate``.

        Returns whether to go on with the approximation.
        """
        words = re.sub(r"(?<!^)([A-Z])", r" \1", el.tag).lower()
        name = f"{words} '{el.attrs.get('id', '?')}' (line {el.line})"
        if self.approximate:
            self.problem("SM002", f"{name}: {what}; approximated: {approximation}", el, "warning")
            return True
        self.problem("SM002", f"{name}: {what} (servicemap convert --approximate maps it as "
                              f"{approximation})", el)
        return False

    # -- ids ----------------------------------------------------------------

    def map_id(self, bpmn_id: str) -> str:
        """The map id of a BPMN id: itself where valid, else a sanitised one, unique."""
        if bpmn_id in self.ids:
            return self.ids[bpmn_id]
        base = bpmn_id if _IDENT.fullmatch(bpmn_id) else _sanitised(bpmn_id)
        new, n = base, 1
        while new in self.taken:
            n += 1
            new = f"{base[:58]}-{n}"
        self.taken.add(new)
        self.ids[bpmn_id] = new
        return new


def _sanitised(bpmn_id: str) -> str:
    """A valid identifier close to ``bpmn_id``.

    >>> _sanitised("_93c466ab-b271"), _sanitised("Task 1.a"), len(_sanitised("x" * 80))
    ('n93c466ab-b271', 'Task-1-a', 64)
    """
    text = _NOT_ID.sub("-", bpmn_id).strip("-") or "step"
    if not text[0].isalpha() or not text[0].isascii():
        text = "n" + text.lstrip("_-")
    if len(text) > 64:
        text = text[:55] + "-" + hashlib.sha1(bpmn_id.encode()).hexdigest()[:8]
    return text


def _collect(imp: _Importer, root: Element) -> list[tuple[Element, str]]:
    """Index every element with an id (SM003 on duplicates); the processes with pool names."""
    stack = [root]
    while stack:
        el = stack.pop()
        stack.extend(reversed(el.children))
        ident = el.attrs.get("id")
        if ident is None or el.ns not in (BPMN_NS, BPMNDI_NS):
            continue
        if ident in imp.elements:
            first = imp.elements[ident]
            imp.problem("SM003", f"id '{ident}' is used twice (first by the {first.tag} on "
                                 f"line {first.line}): ids must be unique", el)
        else:
            imp.elements[ident] = el
        if el.tag == "BPMNShape":
            if el.attrs.get("isExpanded") == "true":
                imp.expanded.add(el.attrs.get("bpmnElement", ""))
            _shape_bounds(imp, el)
        elif el.tag == "group" and el.ns == BPMN_NS:
            imp.groups.append(el)
        elif el.tag == "boundaryEvent" and el.ns == BPMN_NS:
            imp.attached.add(el.attrs.get("attachedToRef", ""))
    pools: dict[str, str] = {}
    for collab in root.bpmn("collaboration"):
        for part in collab.bpmn("participant"):
            ref = part.attrs.get("processRef")
            if ref is not None:
                pools[ref] = _label(part) or ref
    processes = root.bpmn("process")
    named = len(processes) > 1 or bool(pools)
    return [(p, pools.get(p.attrs.get("id", ""), _label(p) or p.attrs.get("id", "process"))
             if named else "") for p in processes]


# -- reading the processes ---------------------------------------------------


def _lanes(imp: _Importer, proc: Element, pool: str) -> None:
    """The process's lanes, nested ones flattened as ``Pool / Lane / Sublane``."""
    pending = [(lane, [pool] if pool else []) for ls in proc.bpmn("laneSet")
               for lane in ls.bpmn("lane")]
    found = False
    while pending:
        lane, names = pending.pop(0)
        title = [*names, _label(lane) or lane.attrs.get("id", "lane")]
        inner = [(sub, title) for ls in lane.bpmn("childLaneSet") for sub in ls.bpmn("lane")]
        if inner:
            pending[:0] = inner
            continue
        found = True
        lane_id = imp.map_id(lane.attrs.get("id", "lane"))
        imp.lane_names[lane_id] = _label(lane)
        imp.positions[("lanes", len(imp.lanes))] = (lane.line, lane.column)
        imp.lanes.append({"id": lane_id, "label": " / ".join(title)})
        for ref in lane.bpmn("flowNodeRef"):
            if ref.text not in imp.elements:
                imp.problem("SM004", f"lane '{lane.attrs.get('id')}' names unknown element "
                                     f"'{ref.text}' in flowNodeRef", ref)
            imp.lane_of.setdefault(ref.text, lane_id)
    if not found and pool:
        lane_id = imp.map_id(proc.attrs.get("id", "pool"))
        imp.positions[("lanes", len(imp.lanes))] = (proc.line, proc.column)
        imp.lanes.append({"id": lane_id, "label": pool})
        imp.lane_of[proc.attrs.get("id", "")] = lane_id


def _walk(imp: _Importer, container: Element, process: str, parent: str) -> None:
    """Collect the flow nodes and sequence flows of a process or a flattened sub-process."""
    for el in container.children:
        if el.ns != BPMN_NS or (el.tag in IGNORED and el.tag != "sequenceFlow"):
            continue
        if el.tag == "sequenceFlow":
            imp.flows.append(_Flow(el, process, el.attrs.get("sourceRef", ""),
                                   el.attrs.get("targetRef", "")))
        elif el.tag in FLOW_NODES:
            node = _classify(imp, el, process, parent)
            if node is None:
                continue
            imp.nodes[node.id] = node
            imp.lane_of.setdefault(node.id, imp.lane_of.get(parent, ""))
            if node.kind == "flatten":
                _walk(imp, el, process, node.id)
        else:
            imp.unsupported(el, f"servicemap has no counterpart for a BPMN {el.tag}",
                            "left out")


def _classify(imp: _Importer, el: Element, process: str, parent: str) -> _Node | None:
    """What a flow node becomes: a step kind, ``pass``, ``gateway``, ``boundary``, ``flatten``."""
    tag = el.tag
    inner = parent in imp.nodes and imp.nodes[parent].kind == "flatten"
    kind = {"callActivity": "predefined", "startEvent": "terminator",
            "endEvent": "terminator"}.get(tag, "task" if tag in TASKS else "")
    step: dict[str, Any] = {}
    if tag in SUB_PROCESSES:
        kind = _sub_process(imp, el)
        if not kind:
            return None
    elif tag in GATEWAYS:
        kind = "gateway"
        _check_gateway(imp, el)
    elif tag == "startEvent" and inner:
        kind = "pass"
    elif tag == "endEvent" and _event_kind(el) in ("error", "terminate"):
        step["outcome"] = "failure"
    elif tag in ("intermediateCatchEvent", "intermediateThrowEvent"):
        kind = _intermediate(imp, el)
    elif tag == "boundaryEvent":
        kind = "boundary"
        if el.attrs.get("cancelActivity") == "false":
            imp.unsupported(el, "a non-interrupting boundary event starts a branch alongside "
                                "its activity, which servicemap cannot express yet",
                            "an interrupting one (a failure branch)")
    return _Node(el, process, kind, step)


def _sub_process(imp: _Importer, el: Element) -> str:
    """``flatten`` for an expanded sub-process with one start event, else ``predefined``."""
    if el.attrs.get("triggeredByEvent") == "true":
        imp.unsupported(el, "an event sub-process runs beside its process, which servicemap "
                            "cannot express yet", "left out")
        return ""
    starts = el.bpmn("startEvent")
    content = [c for c in el.bpmn() if c.tag in FLOW_NODES]
    ident = el.attrs.get("id")
    if (ident in imp.expanded and ident not in imp.attached and len(starts) == 1
            and el.tag != "adHocSubProcess"):
        imp.notes.append(f"sub-process '{ident}' (line {el.line}) flattened: its steps stand "
                         "in the flow in its place")
        return "flatten"
    if content:
        why = (" (boundary events interrupt it as a whole)" if ident in imp.attached else "")
        imp.notes.append(f"sub-process '{ident}' (line {el.line}) kept as one predefined step"
                         f"{why}; its {len(content)} inner elements are not imported")
    return "predefined"


def _check_gateway(imp: _Importer, el: Element) -> None:
    """Gateways servicemap cannot express: a located error (a warning with approximate)."""
    if el.tag == "inclusiveGateway":
        imp.unsupported(el, "an inclusive gateway may take several branches at once, which "
                            "servicemap cannot express", "a decision taking one branch")
    elif el.tag == "complexGateway":
        imp.unsupported(el, "servicemap has no counterpart for a complex gateway",
                        "a decision taking one branch")


def _intermediate(imp: _Importer, el: Element) -> str:
    """The kind of an intermediate event: delay, document, connector (or task, approximated)."""
    trigger = _event_kind(el)
    if trigger == "link":
        return "connector"
    if el.tag == "intermediateCatchEvent" and trigger in ("timer", "message", "signal",
                                                          "conditional"):
        return "delay"
    if el.tag == "intermediateThrowEvent" and trigger == "message":
        return "document"
    way = "catch" if el.tag == "intermediateCatchEvent" else "throw"
    imp.unsupported(el, f"servicemap has no counterpart for a {trigger} {way} event",
                    "a task")
    return "task"


# -- flows -------------------------------------------------------------------


def _link_flows(imp: _Importer) -> None:
    """Attach each sequence flow to its source; dangling, unknown and cross-pool ones are errors."""
    for flow in imp.flows:
        ident = flow.el.attrs.get("id", "?")
        ends = [("sourceRef", flow.source), ("targetRef", flow.target)]
        bad = False
        for attr, ref in ends:
            if not ref:
                imp.problem("SM004", f"sequence flow '{ident}' has no {attr}: a flow needs a "
                                     "source and a target", flow.el)
            elif ref not in imp.nodes:
                what = imp.elements.get(ref)
                imp.problem("SM004", f"sequence flow '{ident}' {attr} names "
                            + (f"'{ref}', a {what.tag}, which is not a flow node" if what
                               else f"unknown element '{ref}'"), flow.el)
            else:
                continue
            bad = True
        if bad:
            continue
        source, target = imp.nodes[flow.source], imp.nodes[flow.target]
        if source.process != target.process:
            imp.problem("SM002", f"sequence flow '{ident}' crosses from pool '{source.process}' "
                                 f"to pool '{target.process}': between pools use a message flow",
                        flow.el)
            continue
        source.out.append(flow)


def _resolve_kinds(imp: _Importer) -> None:
    """Gateways into decisions, parallel steps or joins that dissolve; the rest wired.

    A parallel gateway is a ``parallel`` step, fork or join: even with one way out
    it waits for every branch, so it never dissolves.
    """
    for node in imp.nodes.values():
        if node.kind == "gateway":
            if node.el.tag == "parallelGateway":
                node.kind = "parallel"
            elif len(node.out) == 1:
                node.kind, node.into = "pass", node.out[0].target
            else:
                node.kind = "decision"
        elif node.kind == "boundary":
            if len(node.out) == 1:
                node.kind, node.into = "pass", node.out[0].target
            elif node.out:
                node.kind = "task"  # several ways out at once: SM106 says so
            else:
                node.kind, node.step["outcome"] = "terminator", "failure"
    for node in list(imp.nodes.values()):
        if node.kind == "flatten":
            _flatten(imp, node)


def _flatten(imp: _Importer, sub: _Node) -> None:
    """An expanded sub-process dissolves: into its start, its plain ends into its successor."""
    sid = sub.id
    inner = [n for n in imp.nodes.values() if n.el in sub.el.children]
    start = next(n for n in inner if n.el.tag == "startEvent")
    sub.kind = "pass"
    sub.into = start.id
    start.into = start.out[0].target if len(start.out) == 1 else None
    if start.into is None:
        start.kind = "terminator"
        imp.problem("SM002", f"the start event of sub-process '{sid}' needs exactly one "
                             "outgoing flow", start.el)
    if len(sub.out) == 1:
        for end in inner:
            if end.el.tag == "endEvent" and _event_kind(end.el) == "none":
                end.kind, end.into = "pass", sub.out[0].target
    elif sub.out:
        imp.problem("SM002", f"sub-process '{sid}' has {len(sub.out)} outgoing flows: "
                             "servicemap cannot run them in parallel", sub.el)


def _target(imp: _Importer, bpmn_id: str) -> str:
    """The step a flow into ``bpmn_id`` reaches, through dissolved nodes (loops of them: itself)."""
    seen = {bpmn_id}
    node = imp.nodes[bpmn_id]
    while node.kind == "pass" and node.into is not None:
        if node.into in seen:
            imp.problem("SM002", f"'{bpmn_id}' is in a loop of joining gateways with no step "
                                 "between them", node.el)
            node.kind = "decision"
            break
        seen.add(node.into)
        node = imp.nodes[node.into]
    return node.id


def _branch_label(imp: _Importer, gateway: _Node, flow: _Flow, target_id: str) -> str:
    """A branch's label: the flow's name, its condition, ``default``, else the name of the
    step it reaches (``target_id``: past a join that dissolves)."""
    name = _label(flow.el)
    if name:
        return name
    for cond in flow.el.bpmn("conditionExpression"):
        text = " ".join(cond.text.split())
        if text:
            return text
    if gateway.el.attrs.get("default") == flow.el.attrs.get("id"):
        return "default"
    target = imp.nodes[target_id].el
    return _label(target) or f"to {target_id}"


# -- groups as phases ----------------------------------------------------------

DC_NS = "http://www.omg.org/spec/DD/20100524/DC"


def _shape_bounds(imp: _Importer, shape: Element) -> None:
    """A BPMNShape's ``dc:Bounds`` by the element it draws (shapes without numbers: none)."""
    for child in shape.children:
        if child.ns == DC_NS and child.tag == "Bounds":
            try:
                box = tuple(float(child.attrs[k]) for k in ("x", "y", "width", "height"))
            except (KeyError, ValueError):
                return
            if all(v == v and abs(v) < 1e12 for v in box):  # no NaN, no infinity
                imp.bounds[shape.attrs.get("bpmnElement", "")] = (box[0], box[1], box[2], box[3])
            return


def _group_label(imp: _Importer, group: Element) -> str | None:
    """A group's title: its category value's ``value``, else its own name."""
    value = imp.elements.get(group.attrs.get("categoryValueRef", ""))
    if value is not None and written_name(value.attrs.get("value")):
        return written_name(value.attrs.get("value"))
    return _label(group)


def _phases(imp: _Importer, steps: list[dict[str, Any]],
            drawn: dict[str, str]) -> list[dict[str, Any]]:
    """Groups that span their columns become phases, left to right; the rest a note each.

    A group spans its columns when every step drawn with its centre between
    the group's left and right edges is drawn inside the group (top to
    bottom). Each step then takes the phase whose columns hold its centre.
    ``drawn`` gives each step's BPMN element (whose shape stands for it).
    """
    centres = {sid: (b[0] + b[2] / 2, b[1] + b[3] / 2) for sid, bpmn_id in drawn.items()
               if (b := imp.bounds.get(bpmn_id)) is not None}
    kept: list[tuple[float, float, dict[str, Any], Element]] = []
    for group in imp.groups:
        gid = group.attrs.get("id", "")
        box = imp.bounds.get(gid)
        why = _not_a_phase(box, centres, kept)
        if box is None or why:
            imp.notes.append(f"group '{gid}' (line {group.line}) is not a phase: {why}")
            continue
        phase = {"id": imp.map_id(gid)}
        label = _group_label(imp, group)
        if label:
            phase["label"] = label
        kept.append((box[0], box[0] + box[2], phase, group))
    kept.sort(key=lambda k: k[0])
    for step in steps:
        centre = centres.get(step["id"])
        for left, right, phase, _group in kept:
            if centre is not None and left <= centre[0] <= right:
                step["phase"] = phase["id"]
    for k, (_l, _r, _phase, group) in enumerate(kept):
        imp.positions[("phases", k)] = (group.line, group.column)
    return [phase for _l, _r, phase, _group in kept]


def _not_a_phase(box: tuple[float, float, float, float] | None,
                 centres: dict[str, tuple[float, float]],
                 kept: list[tuple[float, float, dict[str, Any], Element]]) -> str:
    """Why a group's shape is no column of the map ('' when it is one)."""
    if box is None:
        return "it has no shape in the diagram"
    left, top, right, bottom = box[0], box[1], box[0] + box[2], box[1] + box[3]
    inside = [sid for sid, (x, _y) in centres.items() if left <= x <= right]
    if not inside:
        return "no step is drawn in its columns"
    for sid in inside:
        if not top <= centres[sid][1] <= bottom:
            return f"step '{sid}' is drawn in its columns but outside the group"
    for a, b, phase, _group in kept:
        if min(b, right) - max(a, left) > 1:  # touching columns (give or take a point) are fine
            return f"it overlaps the columns of phase '{phase['id']}'"
    return ""


# -- servicemap extensions (what an export kept; docs/bpmn.md) ------------------

_SET_BY_BPMN = {"data": ("id", "kind", "lane", "next"), "branch": ("to",),
                "map": ("name", "steps")}
"""Fields the BPMN itself gives: an extension setting one is an error."""


def _no_constant(name: str) -> Any:
    """JSON's ``NaN`` and ``Infinity`` are refused (json.loads would read them)."""
    raise ValueError(f"{name} is not a JSON number")


def _extension(imp: _Importer, el: Element, tag: str) -> tuple[dict[str, Any], Element | None]:
    """The JSON object in ``el``'s ``extensionElements/servicemap:<tag>``, and that element.

    Not JSON, not an object, or a field the BPMN gives (a step's ``next``): a
    located error, and nothing read.
    """
    for ext in el.bpmn("extensionElements"):
        for child in ext.children:
            if child.ns != SERVICEMAP_NS or child.tag != tag:
                continue
            owner = f"the servicemap:{tag} extension of {el.tag} '{el.attrs.get('id', '?')}'"
            try:
                value = json.loads(child.text, parse_constant=_no_constant)
            except (ValueError, RecursionError) as exc:
                imp.problem("SM002", f"{owner} is not valid JSON: {exc}", child)
                return {}, None
            if not isinstance(value, dict):
                imp.problem("SM002", f"{owner} must be a JSON object ({{...}}), not "
                                     f"{type(value).__name__}", child)
                return {}, None
            for key in _SET_BY_BPMN[tag]:
                if key in value:
                    imp.problem("SM002", f"{owner} sets '{key}', which the BPMN itself gives: "
                                         "change it in the diagram", child)
            return {k: v for k, v in value.items() if k not in _SET_BY_BPMN[tag]}, child
    return {}, None


def _kept_label(values: dict[str, Any], target: dict[str, Any], name: str | None) -> bool:
    """The extension's ``label`` into ``target`` unless the diagram's name was edited since.

    The export keeps a label there only when the ``name`` attribute cannot
    carry it exactly (line breaks, no label); it stands while ``name`` is still
    what the export wrote of it. Returns whether it was taken.
    """
    if "label" not in values:
        return False
    label = values.pop("label")
    if isinstance(label, str) and written_name(label) != name:
        return False  # renamed in a modeler: the diagram's name wins
    if label is not None:
        target["label"] = label
    elif name is None:
        target.pop("label", None)
    else:
        return False
    return True


def _step_extension(imp: _Importer, node: _Node, step: dict[str, Any],
                    path: tuple[str | int, ...]) -> None:
    """A step's fields from its ``servicemap:data``, each located at that element."""
    values, at = _extension(imp, node.el, "data")
    if at is not None:
        if _kept_label(values, step, _label(node.el)):
            field = (*path, "label")
            imp.positions[field] = (at.line, at.column)
        for key, value in values.items():
            step[key] = value
            field = (*path, key)
            imp.positions[field] = (at.line, at.column)
    if node.kind == "delay":
        _timer(imp, node.el, step, path)


def _timer(imp: _Importer, el: Element, step: dict[str, Any],
           path: tuple[str | int, ...]) -> None:
    """A timer's ``timeDuration`` as the delay's duration where it differs from the extension's.

    A timer servicemap cannot read (an expression, a date, a cycle) is left
    alone; an extension's duration the timer agrees with keeps its spelling.
    """
    for definition in el.bpmn("timerEventDefinition"):
        for timer in definition.bpmn("timeDuration"):
            seconds = _seconds(timer.text)
            if seconds is None:
                return
            if "duration" in step and _seconds(step["duration"]) in (None, seconds):
                return
            step["duration"] = timer.text
            field = (*path, "duration")
            imp.positions[field] = (timer.line, timer.column)
            return


def _seconds(value: object) -> float | None:
    """A duration's seconds to the millisecond, ``None`` where it is no duration.

    >>> _seconds("PT86400S"), _seconds("1d"), _seconds("${later}")
    (86400.0, 86400.0, None)
    """
    try:
        return round(parse_duration(value).total_seconds(), 3)
    except (ValueError, TypeError, OverflowError):
        return None


def _branch_extension(imp: _Importer, flow: _Flow, branch: dict[str, Any],
                      path: tuple[str | int, ...]) -> None:
    """A decision branch's ``probability`` and ``failure`` from its flow's ``servicemap:branch``."""
    values, at = _extension(imp, flow.el, "branch")
    if at is None:
        return
    _kept_label(values, branch, _label(flow.el))
    for key, value in values.items():
        branch[key] = value
        field = (*path, key)
        imp.positions[field] = (at.line, at.column)


def _map_extension(imp: _Importer, process: Element, data: dict[str, Any]) -> Any:
    """The map's own fields from a process's ``servicemap:map``, each located there.

    Lanes the diagram still has take their fields from it. Returns the
    extension's ``metadata`` (``None`` without an extension; ``{}`` for none).
    """
    values, at = _extension(imp, process, "map")
    if at is None:
        return None
    where = (at.line, at.column)
    lanes = values.pop("lanes", None)
    if isinstance(lanes, list):
        _lane_extension(imp, lanes, data, where)
    elif lanes is not None:
        data["lanes"] = lanes
        imp.positions[("lanes",)] = where
    imp.positions[("metadata",)] = where
    for key, value in values.items():
        if key != "metadata":
            data[key] = value
            imp.positions[(key,)] = where
    return values.get("metadata", {})


def _lane_extension(imp: _Importer, kept: list[Any], data: dict[str, Any],
                    where: tuple[int, int]) -> None:
    """Each imported lane the extension lists takes its fields (label unless renamed)."""
    by_id = {lane.get("id"): lane for lane in kept if isinstance(lane, dict)}
    for k, lane in enumerate(data.get("lanes", [])):
        ext = by_id.get(lane["id"])
        if ext is None:
            continue
        new = {key: value for key, value in ext.items() if key != "label"}
        new["id"] = lane["id"]
        label = ext.get("label")
        name = label if isinstance(label, str) else lane["id"]
        if written_name(name) == imp.lane_names.get(lane["id"]) or not isinstance(
                label, str | None):
            if label is not None:
                new["label"] = label
        else:
            new["label"] = lane["label"]  # renamed in a modeler
        for key in new:
            if key != "id":
                imp.positions[("lanes", k, key)] = where
        data["lanes"][k] = new


# -- the map -----------------------------------------------------------------


def _boundaries(imp: _Importer) -> dict[str, list[_Node]]:
    """Boundary events by the activity they are attached to (unknown activities: SM004)."""
    by_activity: dict[str, list[_Node]] = {}
    for node in imp.nodes.values():
        if node.el.tag != "boundaryEvent":
            continue
        ref = node.el.attrs.get("attachedToRef", "")
        if ref not in imp.nodes:
            imp.problem("SM004", f"boundary event '{node.id}' attachedToRef names unknown "
                                 f"activity '{ref}'", node.el)
            continue
        by_activity.setdefault(ref, []).append(node)
    return by_activity


def _emit(imp: _Importer) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The steps, one per node that does not dissolve, in document order; each one's element."""
    steps: list[dict[str, Any]] = []
    drawn: dict[str, str] = {}
    boundaries = _boundaries(imp)
    for node in imp.nodes.values():
        if node.kind == "pass" or node.kind == "flatten":
            continue
        step = _step(imp, node, len(steps))
        steps.append(step)
        drawn[step["id"]] = node.id
        attached = boundaries.get(node.id)
        if attached:
            decision = _boundary_decision(imp, node, attached, len(steps))
            step["next"] = decision["id"]
            imp.positions[("steps", len(steps) - 1, "next", 0)] = (attached[0].el.line,
                                                                   attached[0].el.column)
            steps.append(decision)
            drawn[decision["id"]] = node.id  # drawn where its activity is
    return steps, drawn


def _step(imp: _Importer, node: _Node, index: int) -> dict[str, Any]:
    """The step of one node, its position and its flows' positions recorded."""
    el = node.el
    step: dict[str, Any] = {"id": imp.map_id(node.id), "kind": node.kind}
    label = _label(el)
    if node.kind == "connector":
        label = _link_name(el)
    if label:
        step["label"] = label
    if imp.lane_of.get(node.id):
        step["lane"] = imp.lane_of[node.id]
    step.update(node.step)
    imp.positions[("steps", index)] = (el.line, el.column)
    _step_extension(imp, node, step, ("steps", index))
    if step["id"] != node.id:
        meta = step.get("metadata")
        step["metadata"] = {**meta, "bpmn-id": node.id} if isinstance(meta, dict) else (
            meta if meta is not None else {"bpmn-id": node.id})
    if node.kind == "decision":
        labels: set[str] = set()
        branches = []
        for j, flow in enumerate(node.out):
            target = _target(imp, flow.target)
            text = _unique(_branch_label(imp, node, flow, target), labels)
            branch = {"to": imp.map_id(target), "label": text}
            _branch_extension(imp, flow, branch, ("steps", index, "next", j))
            branches.append(branch)
        step["next"] = branches
    elif node.out:
        targets = [imp.map_id(_target(imp, f.target)) for f in node.out]
        step["next"] = targets[0] if len(targets) == 1 else targets
    for j, flow in enumerate(node.out):
        imp.positions[("steps", index, "next", j)] = (flow.el.line, flow.el.column)
    return step


def _unique(text: str, taken: set[str]) -> str:
    """``text``, or ``text (2)``, ``text (3)`` ... so that labels of one decision differ."""
    new, n = text, 1
    while new in taken:
        n += 1
        new = f"{text} ({n})"
    taken.add(new)
    return new


def _boundary_decision(imp: _Importer, activity: _Node, events: list[_Node],
                       index: int) -> dict[str, Any]:
    """The decision after an activity with interrupting boundary events: a failure branch each."""
    first = events[0].el
    ident = imp.map_id(f"{imp.map_id(activity.id)}-outcome")
    branches: list[dict[str, Any]] = []
    labels: set[str] = set()
    if activity.out:
        flow = activity.out[0]
        branches.append({"to": imp.map_id(_target(imp, flow.target)),
                         "label": _unique("completed", labels)})
        imp.positions[("steps", index, "next", 0)] = (flow.el.line, flow.el.column)
    for event in events:
        trigger = _event_kind(event.el)
        text = _label(event.el) or (f"{trigger} event" if trigger != "none" else "interrupted")
        imp.positions[("steps", index, "next", len(branches))] = (event.el.line, event.el.column)
        branches.append({"to": imp.map_id(_target(imp, event.id)),
                         "label": _unique(text, labels), "failure": True})
    imp.positions[("steps", index)] = (first.line, first.column)
    title = _label(activity.el) or activity.id
    step: dict[str, Any] = {"id": ident, "kind": "decision", "label": f"{title}: completed?",
                            "next": branches}
    if imp.lane_of.get(activity.id):
        step["lane"] = imp.lane_of[activity.id]
    return step


def _link_name(el: Element) -> str:
    """The name a link event is matched by: its definition's name, else the event's."""
    for definition in el.bpmn("linkEventDefinition"):
        name = _label(definition)
        if name:
            return name
    return _label(el) or el.attrs.get("id", "")


def _check_links(imp: _Importer) -> None:
    """Every link thrown is caught in its process and every link caught is thrown (SM004)."""
    links: dict[tuple[str, str], dict[str, list[_Node]]] = {}
    for node in imp.nodes.values():
        if node.kind == "connector":
            way = "catch" if node.el.tag == "intermediateCatchEvent" else "throw"
            key = (node.process, _link_name(node.el))
            links.setdefault(key, {"catch": [], "throw": []})[way].append(node)
    for (_process, name), ways in links.items():
        for way, other in (("throw", "catch"), ("catch", "throw")):
            if ways[way] and not ways[other]:
                for node in ways[way]:
                    imp.problem("SM004", f"link '{name}' is {_PAST[way]} here but no link "
                                         f"event of that name is {_PAST[other]} in this "
                                         "process", node.el)


def _title(root: Element, processes: Sequence[tuple[Element, str]], filename: str) -> str:
    """The map's name: the file's, the collaboration's or the one process's name, else the file."""
    for el in (root, *root.bpmn("collaboration")):
        if _label(el):
            return str(_label(el))
    if len(processes) == 1 and _label(processes[0][0]):
        return str(_label(processes[0][0]))
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem or "BPMN process"


def _message_flows(imp: _Importer, root: Element) -> list[dict[str, str]]:
    """Message flows, kept in the map's metadata as hand-offs between pools (not ``next``)."""
    kept = []
    for collab in root.bpmn("collaboration"):
        for flow in collab.bpmn("messageFlow"):
            entry = {}
            for attr, key in (("sourceRef", "from"), ("targetRef", "to")):
                ref = flow.attrs.get(attr, "")
                if ref not in imp.elements:
                    imp.problem("SM004", f"message flow '{flow.attrs.get('id', '?')}' {attr} "
                                         f"names unknown element '{ref}'", flow)
                entry[key] = imp.ids.get(ref, ref)
            if _label(flow):
                entry["label"] = str(_label(flow))
            kept.append(entry)
    return kept


def convert_bpmn(data: bytes, filename: str, *, approximate: bool = False,
                 ) -> tuple[dict[str, Any], BpmnSourceMap]:
    """The map data of a BPMN 2.0 file and where each value came from.

    Args:
        data: The file's bytes.
        filename: Shown in problems.
        approximate: Map unsupported elements as documented, one warning each,
            instead of an error each.

    Returns:
        The map as data (as a YAML map reads) and its :class:`BpmnSourceMap`,
        whose ``problems`` are the import's warnings.

    Raises:
        LoadError: with every error found, each at its line and column.
    """
    imp = _Importer(filename, approximate)
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise LoadError([Problem("SM001", "yaml-syntax", "error", exc.message, filename,
                                 exc.line, exc.column)]) from None
    if root.ns != BPMN_NS or root.tag != "definitions":
        imp.problem("SM001", f"not BPMN 2.0: the root element is '{root.tag}' in namespace "
                             f"'{root.ns}', expected 'definitions' in '{BPMN_NS}'", root)
        raise LoadError(imp.problems)
    processes = _collect(imp, root)
    for proc, pool in processes:
        _lanes(imp, proc, pool)
        pid = proc.attrs.get("id", "")
        imp.nodes[pid] = _Node(proc, pool or pid, "process")  # parent of its nodes' lanes
        _walk(imp, proc, pool or pid, pid)
        del imp.nodes[pid]
    _link_flows(imp)
    _resolve_kinds(imp)
    _check_links(imp)
    steps, drawn = _emit(imp)
    if not steps:
        imp.problem("SM002", "no process with a flow node to import", root)
    return _finish(imp, root, processes, steps, drawn)


def _finish(imp: _Importer, root: Element, processes: Sequence[tuple[Element, str]],
            steps: list[dict[str, Any]], drawn: dict[str, str],
            ) -> tuple[dict[str, Any], BpmnSourceMap]:
    """The map data and its source map, or a LoadError with every error found."""
    flows = _message_flows(imp, root)
    data: dict[str, Any] = {"name": _title(root, processes, imp.filename)}
    if imp.lanes:
        data["lanes"] = imp.lanes
    data["steps"] = steps
    kept = [m for proc, _pool in processes
            if (m := _map_extension(imp, proc, data)) is not None]
    if imp.groups and "phases" not in data:  # an export's phases are in its extension
        phases = _phases(imp, steps, drawn)
        if phases:
            data["phases"] = phases
    bpmn: dict[str, Any] = {} if kept else {
        "source": imp.filename.replace("\\", "/").rsplit("/", 1)[-1]}
    if flows:
        bpmn["message-flows"] = flows
        imp.notes.append("message flows are kept here as hand-offs between pools; they are "
                         "not flow lines (next) of the map")
    if imp.notes:
        bpmn["notes"] = imp.notes
    data["metadata"] = _metadata(kept[0] if kept else {}, bpmn)
    if data["metadata"] == {}:
        del data["metadata"]
    if any(p.level == "error" for p in imp.problems):
        raise LoadError(imp.problems)
    imp.positions[()] = (root.line, root.column)
    source = BpmnSourceMap(imp.filename, None, imp.positions, tuple(imp.problems))
    return data, source


def _metadata(kept: Any, bpmn: dict[str, Any]) -> Any:
    """The map's metadata: an export's own, with this import's ``bpmn`` notes merged in.

    >>> _metadata({"owner": "ops", "bpmn": {"source": "a.bpmn"}}, {"notes": ["n"]})
    {'owner': 'ops', 'bpmn': {'source': 'a.bpmn', 'notes': ['n']}}
    """
    if not bpmn or not isinstance(kept, dict):
        return kept
    old = kept.get("bpmn")
    return {**kept, "bpmn": {**(old if isinstance(old, dict) else {}), **bpmn}}


def loads_bpmn(data: bytes, filename: str, *, approximate: bool = False) -> Blueprint:
    """A map from the bytes of a BPMN 2.0 file, every problem located in the XML.

    Raises:
        LoadError: listing every problem found, each with line and column.

    Example:
        >>> xml = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
        ...   <process id="p">
        ...     <startEvent id="start"/>
        ...     <task id="work" name="Work"/>
        ...     <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
        ...   </process>
        ... </definitions>'''
        >>> bp = loads_bpmn(xml, "p.bpmn")
        >>> [(s.id, s.kind, s.targets()) for s in bp.steps]
        [('start', 'terminator', ['work']), ('work', 'task', [])]
        >>> bp.source.locate(("steps", 1))
        (4, 5)
    """
    from .loading import _validate

    content, source = convert_bpmn(data, filename, approximate=approximate)
    return _validate(content, source, [])

