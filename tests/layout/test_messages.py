"""Message flows between pools are routed like flow lines, never through a step."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.layout import compute_layout
from servicemap.layout.messages import message_edges
from tests.helpers.layout_checks import (
    MARGIN,
    assert_layout_properties,
    box_of,
    crosses,
    runs_along,
    touches,
)
from tests.layout.test_properties import maps

COLLABORATION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
             targetNamespace="http://example.com/collab">
  <collaboration id="collab">
    <participant id="pool_customer" name="Customer" processRef="customer"/>
    <participant id="pool_shop" name="Shop" processRef="shop"/>
    <messageFlow id="m1" name="order" sourceRef="send_order" targetRef="shop_start"/>
    <messageFlow id="m2" name="invoice" sourceRef="send_invoice" targetRef="receive_invoice"/>
    <messageFlow id="m3" name="payment" sourceRef="pay" targetRef="pool_shop"/>
  </collaboration>
  <process id="customer" isExecutable="false">
    <startEvent id="c_start" name="Needs goods"/>
    <task id="send_order" name="Send the order"/>
    <task id="receive_invoice" name="Receive the invoice"/>
    <task id="pay" name="Pay"/>
    <endEvent id="c_end" name="Goods paid"/>
    <sequenceFlow id="c1" sourceRef="c_start" targetRef="send_order"/>
    <sequenceFlow id="c2" sourceRef="send_order" targetRef="receive_invoice"/>
    <sequenceFlow id="c3" sourceRef="receive_invoice" targetRef="pay"/>
    <sequenceFlow id="c4" sourceRef="pay" targetRef="c_end"/>
  </process>
  <process id="shop" isExecutable="false">
    <startEvent id="shop_start" name="Order received"/>
    <task id="pick" name="Pick the goods"/>
    <task id="send_invoice" name="Send the invoice"/>
    <endEvent id="shop_end" name="Order shipped"/>
    <sequenceFlow id="s1" sourceRef="shop_start" targetRef="pick"/>
    <sequenceFlow id="s2" sourceRef="pick" targetRef="send_invoice"/>
    <sequenceFlow id="s3" sourceRef="send_invoice" targetRef="shop_end"/>
  </process>
</definitions>
"""


def collaboration(tmp_path: Path) -> sm.Blueprint:
    """Two pools, three message flows; the third ends at a pool, not a step."""
    path = tmp_path / "collab.bpmn"
    path.write_text(COLLABORATION, encoding="utf-8")
    return sm.load(path)


def test_message_flows_between_steps_are_routed(tmp_path: Path) -> None:
    bp = collaboration(tmp_path)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)  # the flow lines are as without messages
    # The one to the pool (no step) is left out.
    assert [(m.source, m.target, m.label) for m in lay.messages] == [
        ("send_order", "shop_start", "order"), ("send_invoice", "receive_invoice", "invoice")]
    assert all(m.kind == "message" and not m.rework and not m.failure for m in lay.messages)
    assert all(e.kind == "flow" for e in lay.edges)
    for m in lay.messages:
        pts = m.points
        assert touches(pts[0], lay.nodes[m.source]) and touches(pts[-1], lay.nodes[m.target])
        for k, (p, q) in enumerate(itertools.pairwise(pts)):
            assert p[0] == q[0] or p[1] == q[1]  # orthogonal
            for n in lay.nodes.values():
                if n.id in (m.source, m.target) and k in (0, len(pts) - 2):
                    continue  # leaving or entering its own step
                assert not crosses(p, q, box_of(n, MARGIN)), (m.source, m.target, n.id)
        assert m.label_pos is not None


def test_message_flows_do_not_run_on_flow_lines(tmp_path: Path) -> None:
    # A message flow takes its own ports and tracks: no segment of it lies on
    # a segment of a flow line.
    bp = collaboration(tmp_path)
    lay = compute_layout(bp)
    runs = [(p, q) for e in lay.edges for p, q in itertools.pairwise(e.points)]
    for m in lay.messages:
        for p, q in itertools.pairwise(m.points):
            for a, b in runs:
                if p[1] == q[1] == a[1] == b[1]:
                    assert max(min(p[0], q[0]), min(a[0], b[0])) >= min(
                        max(p[0], q[0]), max(a[0], b[0])), (m.source, m.target)
                if p[0] == q[0] == a[0] == b[0]:
                    assert max(min(p[1], q[1]), min(a[1], b[1])) >= min(
                        max(p[1], q[1]), max(a[1], b[1])), (m.source, m.target)


def test_malformed_message_metadata_is_ignored() -> None:
    bp = sm.loads("""
name: Odd metadata
metadata:
  bpmn:
    message-flows: [{from: a, to: b}, {from: a}, {from: a, to: a}, 7, {from: [a], to: b}]
steps:
  - {id: a, kind: terminator, next: b}
  - {id: b, kind: terminator}
""")
    assert message_edges(bp, {"a", "b"}) == [(("a", "b", -1), None)]
    assert message_edges(sm.loads("name: M\nmetadata: {bpmn: {message-flows: x}}\n"
                                  "steps: [{id: a, kind: terminator}]"), {"a"}) == []


@st.composite
def maps_with_messages(draw: st.DrawFn) -> sm.Blueprint:
    """Random maps (as the layout's property test draws them) with random message flows."""
    bp = draw(maps())
    ids = [s.id for s in bp.steps]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6))
    flows = [{"from": a, "to": b, "label": draw(st.sampled_from(["msg", None]))}
             for a, b in pairs]
    return bp.model_copy(update={"metadata": {"bpmn": {"message-flows": flows}}})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps_with_messages())
def test_message_flows_never_cross_a_step(bp: sm.Blueprint) -> None:
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)  # the flow lines keep every property
    assert len(lay.messages) == len(message_edges(bp, lay.nodes))
    # No message flow runs on top of a flow line or of another message flow.
    assert runs_along(dataclasses.replace(lay, edges=[*lay.edges, *lay.messages])) == []
    for m in lay.messages:
        pts = m.points
        assert touches(pts[0], lay.nodes[m.source]) and touches(pts[-1], lay.nodes[m.target])
        for k, (p, q) in enumerate(itertools.pairwise(pts)):
            assert p[0] == q[0] or p[1] == q[1]
            for n in lay.nodes.values():
                if n.id in (m.source, m.target) and k in (0, len(pts) - 2):
                    continue
                assert not crosses(p, q, box_of(n, MARGIN)), (m.source, m.target, n.id)


STAIRS = """
name: Three pools
lanes: [{id: a, label: Customer}, {id: b, label: Shop}, {id: c, label: Bank}]
metadata:
  bpmn:
    message-flows:
      - {from: a2, to: b2, label: order}
      - {from: b3, to: a3, label: invoice}
      - {from: a3, to: c2, label: payment}
      - {from: c3, to: b4, label: paid}
steps:
  - {id: a1, kind: terminator, label: Start, lane: a, next: a2}
  - {id: a2, kind: task, label: Send order, lane: a, next: a3}
  - {id: a3, kind: task, label: Pay invoice, lane: a, next: a4}
  - {id: a4, kind: terminator, label: Done, lane: a}
  - {id: b1, kind: terminator, label: Open, lane: b, next: b2}
  - {id: b2, kind: task, label: Take order, lane: b, next: b3}
  - {id: b3, kind: task, label: Send invoice, lane: b, next: b4}
  - {id: b4, kind: task, label: Ship, lane: b, next: b5}
  - {id: b5, kind: terminator, label: Shipped, lane: b}
  - {id: c1, kind: terminator, label: Ready, lane: c, next: c2}
  - {id: c2, kind: task, label: Receive payment, lane: c, next: c3}
  - {id: c3, kind: task, label: Confirm, lane: c, next: c4}
  - {id: c4, kind: terminator, label: Booked, lane: c}
"""


def test_message_flows_leave_the_flow_lines_straight() -> None:
    # Each pool is one row; every flow line runs straight from step to step
    # although message flows leave and enter the same sides: they attach
    # beyond the flow line's port (8 pt, one port pitch, above or below).
    bp = sm.loads(STAIRS)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    for e in lay.edges:
        a, b = lay.nodes[e.source], lay.nodes[e.target]
        assert a.y == b.y and len(e.points) == 2 and e.points[0][1] == a.y, e
    ports = {(m.source, m.target): (m.points[0][1] - lay.nodes[m.source].y,
                                    m.points[-1][1] - lay.nodes[m.target].y)
             for m in lay.messages}
    assert ports[("b3", "a3")][0] == -8  # up to the customer: above the flow line's port
    assert ports[("c3", "b4")] == (-8, 8)  # up out of Confirm, into Ship below its flow line


def test_a_bar_with_many_lines_keeps_every_port_on_the_bar() -> None:
    # Found by the property test: a fork with four branches and four message
    # flows out of its right side placed them PORT apart from its ends and
    # centre, the last a point below the bar. They are spread along it instead.
    bp = sm.loads("""
name: Busy fork
lanes: [{id: l0}, {id: l1}]
phases: [{id: p0}, {id: p1}]
metadata: {bpmn: {message-flows: [{from: s2, to: s0}, {from: s2, to: s0},
                                  {from: s2, to: s0}, {from: s2, to: s0}]}}
steps:
  - {id: s0, kind: terminator}
  - {id: s1, kind: terminator, phase: p0}
  - {id: s2, kind: parallel, phase: p0, next: [s0, s14, s24, s26]}
  - {id: s14, kind: terminator, phase: p0}
  - {id: s24, kind: terminator, lane: l0, phase: p0}
  - {id: s26, kind: terminator, phase: p1}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    bar = lay.nodes["s2"]
    starts = [e.points[0][1] for e in [*lay.edges, *lay.messages] if e.source == "s2"]
    assert len(starts) == 8
    assert all(bar.top <= y <= bar.bottom for y in starts)
