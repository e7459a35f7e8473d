"""Layout properties on every example and on generated maps, checked without drawing."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.layout import compute_layout
from servicemap.layout.geometry import Layout, NodeBox

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
EPS = 0.5


def crosses(p: tuple[float, float], q: tuple[float, float], n: NodeBox) -> bool:
    """Whether an axis-parallel segment enters the interior of a node box."""
    lx, hx = min(p[0], q[0]), max(p[0], q[0])
    ly, hy = min(p[1], q[1]), max(p[1], q[1])
    return (lx < n.right - EPS and n.left + EPS < hx and n.top + EPS < hy
            and ly < n.bottom - EPS) if lx != hx or ly != hy else False


def test_crosses_detects_a_line_through_a_box() -> None:
    box = NodeBox("n", 100, 100, 40, 20)
    assert crosses((0, 100), (200, 100), box)
    assert crosses((100, 0), (100, 300), box)
    assert not crosses((0, 130), (200, 130), box)
    assert not crosses((0, 100), (80, 100), box)


def assert_layout_properties(bp: sm.Blueprint, lay: Layout) -> None:
    # Lanes: bands in declared order, each node inside its lane's band.
    declared = [lane.id for lane in bp.lanes]
    band_ids = [b.id for b in lay.bands]
    assert band_ids[: len(declared)] == declared
    tops = [b.top for b in lay.bands]
    assert tops == sorted(tops)
    band_of = {b.id: b for b in lay.bands}
    for n in lay.nodes.values():
        if n.lane is not None:
            band = band_of[n.lane]
            assert band.top - EPS <= n.top and n.bottom <= band.bottom + EPS, n.id
    # Phases: columns in declared order; every step of phase k left of phase k+1.
    order = {p.id: i for i, p in enumerate(bp.phases)}
    placed = [n for n in lay.nodes.values() if n.phase in order]
    for a in placed:
        for b in placed:
            if order[a.phase] < order[b.phase]:  # type: ignore[index]
                assert a.right < b.left, (a.id, b.id)
    columns = [c.id for c in lay.columns if c.id in order]
    assert columns == sorted(columns, key=order.__getitem__)
    # No two nodes overlap.
    boxes = sorted(lay.nodes.values(), key=lambda n: n.left)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b.left >= a.right:
                break
            assert not (a.top < b.bottom and b.top < a.bottom), (a.id, b.id)
    # Routes: orthogonal, from source to target, never through another node.
    for e in lay.edges:
        pts = e.points
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            assert x0 == x1 or y0 == y1, e
            for n in lay.nodes.values():
                if n.id in (e.source, e.target):
                    continue
                assert not crosses((x0, y0), (x1, y1), n), (e.source, e.target, n.id)
        # Forward flows run left to right.
        if not e.rework:
            assert lay.nodes[e.source].x < lay.nodes[e.target].x, (e.source, e.target)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_lay_out_cleanly(path: Path) -> None:
    bp = sm.load(path)
    lay = compute_layout(bp)
    assert set(lay.nodes) == {s.id for s in bp.steps}
    assert len(lay.edges) == sum(len(s.targets()) for s in bp.steps)
    assert_layout_properties(bp, lay)
    assert compute_layout(bp) == lay  # deterministic


def test_blueprint_lines_sit_between_layers() -> None:
    bp = sm.load(EXAMPLES[0])
    lay = compute_layout(bp)
    names = [line.name for line in lay.lines]
    assert names == ["line of interaction", "line of visibility", "line of internal interaction"]
    for line, (upper, lower) in zip(lay.lines, zip(lay.bands, lay.bands[1:], strict=False),
                                    strict=False):
        assert line.y == upper.bottom == lower.top
    assert [line.dashed for line in lay.lines] == [False, True, False]


@st.composite
def maps(draw: st.DrawFn) -> sm.Blueprint:
    n = draw(st.integers(3, 25))
    lanes = [f"l{i}" for i in range(draw(st.integers(0, 4)))]
    phases = [f"p{i}" for i in range(draw(st.integers(0, 3)))]
    steps = []
    for i in range(n):
        kind = draw(st.sampled_from(["task", "decision", "delay", "document", "terminator"]))
        targets = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
        step: dict[str, object] = {"id": f"s{i}", "kind": kind,
                                   "label": draw(st.text(max_size=40))}
        if lanes:
            step["lane"] = draw(st.sampled_from(lanes))
        if phases:
            step["phase"] = draw(st.sampled_from(phases))
        if kind == "decision":
            step["next"] = [{"to": f"s{t}", "label": f"b{k}"} for k, t in enumerate(targets)]
        elif targets:
            step["next"] = f"s{targets[0]}"
        steps.append(step)
    layers = ["customer", "onstage", "backstage", "support"]
    return sm.Blueprint.model_validate({
        "name": "generated",
        "lanes": [{"id": lane, "layer": layers[i]} for i, lane in enumerate(lanes)],
        "phases": [{"id": p} for p in phases],
        "steps": steps,
    })


@settings(max_examples=60, deadline=None)
@given(maps())
def test_generated_maps_keep_layout_properties(bp: sm.Blueprint) -> None:
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
