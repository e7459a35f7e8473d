"""Geometric checks of a layout: no overlaps, no line through a foreign box, labels clear."""

from __future__ import annotations

import itertools
from pathlib import Path

import servicemap as sm
from servicemap.layout.geometry import Layout, NodeBox, Point
from servicemap.layout.labels import label_size
from servicemap.model import Step

__all__ = [
    "EPS",
    "EXAMPLES",
    "MARGIN",
    "ROOT",
    "assert_clearances",
    "assert_labels",
    "assert_lanes",
    "assert_layer_lines",
    "assert_layout_properties",
    "assert_no_overlap",
    "assert_phases",
    "assert_routes",
    "box_of",
    "crosses",
    "overlaps",
    "runs_along",
    "touches",
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
EPS = 0.01  # rounding slack for "touches"
MARGIN = 1.0  # routes keep at least this far out of foreign boxes

Box = tuple[float, float, float, float]


def box_of(n: NodeBox, grow: float = 0.0) -> Box:
    """The box of ``n``, grown by ``grow`` on every side."""
    return (n.left - grow, n.top - grow, n.right + grow, n.bottom + grow)


def overlaps(a: Box, b: Box) -> bool:
    """Whether the open boxes ``a`` and ``b`` share any point."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether the axis-parallel segment p-q meets the open box."""
    lx, hx = min(p[0], q[0]), max(p[0], q[0])
    ly, hy = min(p[1], q[1]), max(p[1], q[1])
    return lx < box[2] and box[0] < hx and ly < box[3] and box[1] < hy if (
        lx != hx or ly != hy) else box[0] < lx < box[2] and box[1] < ly < box[3]


def touches(p: Point, n: NodeBox) -> bool:
    """Whether p lies in the closed box of n (on its outline or inside it)."""
    return (n.left - EPS <= p[0] <= n.right + EPS) and (n.top - EPS <= p[1] <= n.bottom + EPS)


def runs_along(lay: Layout) -> list[tuple[int, int]]:
    """Pairs of flow lines (indices) with segments on top of each other.

    Self-loops of one step are exempt (a step with two self-loops is an error
    the rules report). Segments are grouped by their fixed coordinate and
    swept: O(S log S).
    """
    runs: dict[tuple[int, float], list[tuple[float, float, int]]] = {}
    for i, e in enumerate(lay.edges):
        for (x0, y0), (x1, y1) in itertools.pairwise(e.points):
            if y0 == y1:
                runs.setdefault((0, y0), []).append((min(x0, x1), max(x0, x1), i))
            else:
                runs.setdefault((1, x0), []).append((min(y0, y1), max(y0, y1), i))
    pairs = []
    for segs in runs.values():
        segs.sort()
        reach, owner = float("-inf"), -1
        for lo, hi, i in segs:
            if lo < reach and owner != i:
                a, b = lay.edges[owner], lay.edges[i]
                if not (a.source == a.target == b.source == b.target):
                    pairs.append((owner, i))
            if hi > reach:
                reach, owner = hi, i
    return pairs


def assert_layout_properties(bp: sm.Blueprint, lay: Layout) -> None:
    """Every rule of the grid layout, checked on one map's layout."""
    steps = {s.id: s for s in reversed(bp.steps)}
    assert set(lay.nodes) == set(steps)
    assert len(lay.edges) == sum(len(s.targets()) for s in steps.values())
    assert (lay.header_width > 0) == bool(bp.lanes)
    assert (lay.header_height > 0) == bool(bp.phases)
    assert_lanes(bp, lay, steps)
    assert_phases(bp, lay, steps)
    assert_no_overlap(lay)
    assert_layer_lines(lay)
    label_boxes = assert_routes(lay)
    # No two flow lines run on top of each other.
    assert runs_along(lay) == [], [(lay.edges[i], lay.edges[j]) for i, j in runs_along(lay)]
    assert_labels(lay, label_boxes)
    assert_clearances(lay)
    assert false_junctions(lay) == [], false_junctions(lay)


def assert_lanes(bp: sm.Blueprint, lay: Layout, steps: dict[str, Step]) -> None:
    """Bands in declared order, then "(no lane)"; stacked without overlap; steps inside."""
    declared = [lane.id for lane in bp.lanes]
    band_ids = [b.id for b in lay.bands]
    if bp.lanes:
        unlaned = any(s.lane is None for s in steps.values())
        assert band_ids == declared + (["(no lane)"] if unlaned else [])
    else:
        assert band_ids == [""]
    assert lay.bands[0].top >= lay.title_height + lay.header_height
    for upper, lower in itertools.pairwise(lay.bands):
        assert upper.bottom <= lower.top + EPS
    assert lay.bands[-1].bottom <= lay.height
    band_of = {b.id: b for b in lay.bands}
    for n in lay.nodes.values():
        band = band_of[n.lane if n.lane is not None else ("(no lane)" if bp.lanes else "")]
        if n.kind == "parallel":  # a bar may span the rows of its branches (layout/bars.py)
            assert n.top < band.bottom and band.top < n.bottom, n.id
        else:
            assert band.top <= n.top and n.bottom <= band.bottom, n.id
        assert n.lane == steps[n.id].lane
        assert lay.header_width <= n.left and n.right <= lay.width, n.id


def assert_phases(bp: sm.Blueprint, lay: Layout, steps: dict[str, Step]) -> None:
    """Columns in declared order (then "(no phase)"), tiling the body; phase k left of k+1."""
    if not bp.phases:
        assert lay.columns == []
        return
    phase_ids = [p.id for p in bp.phases]
    unphased = any(s.phase is None for s in steps.values())
    assert [c.id for c in lay.columns] == phase_ids + (["(no phase)"] if unphased else [])
    assert lay.columns[0].left >= lay.header_width
    assert lay.columns[-1].right <= lay.width
    for a, b in itertools.pairwise(lay.columns):
        assert a.left < a.right <= b.left + EPS
    col_of = {c.id: c for c in lay.columns}
    for n in lay.nodes.values():
        col = col_of[n.phase if n.phase is not None else "(no phase)"]
        assert col.left < n.left and n.right < col.right, n.id
    # Every step of phase k lies strictly left of every step of phase k+1.
    spans: dict[str, tuple[float, float]] = {}
    for n in lay.nodes.values():
        key = n.phase if n.phase is not None else "(no phase)"
        lo, hi = spans.get(key, (float("inf"), float("-inf")))
        spans[key] = (min(lo, n.left), max(hi, n.right))
    ordered = [spans[c.id] for c in lay.columns if c.id in spans]
    for (_, right), (left, _) in itertools.pairwise(ordered):
        assert right < left


def assert_no_overlap(lay: Layout) -> None:
    """No two nodes overlap (sweep over left edges)."""
    boxes = sorted(lay.nodes.values(), key=lambda n: (n.left, n.id))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b.left >= a.right:
                break
            assert not overlaps(box_of(a), box_of(b)), (a.id, b.id)


def assert_layer_lines(lay: Layout) -> None:
    """Blueprint lines lie on band boundaries; only the line of visibility is dashed."""
    edges_y = {b.bottom for b in lay.bands}
    for line in lay.lines:
        assert line.y in edges_y
        assert line.dashed == (line.name == "line of visibility")


def assert_routes(lay: Layout) -> list[Box]:
    """Routes: orthogonal, border to border, never through a node; returns the label boxes."""
    body_top = lay.title_height + lay.header_height
    label_boxes: list[Box] = []
    for e in lay.edges:
        pts = e.points
        a, b = lay.nodes[e.source], lay.nodes[e.target]
        assert len(pts) >= 2
        assert touches(pts[0], a) and touches(pts[-1], b), e
        for k, (p, q) in enumerate(itertools.pairwise(pts)):
            assert p[0] == q[0] or p[1] == q[1], e
            assert p != q, e
            for n in lay.nodes.values():
                own = n.id in (e.source, e.target)
                if own and (k == 0 or k == len(pts) - 2 or e.source == e.target):
                    continue  # leaving or entering its own box
                assert not crosses(p, q, box_of(n, MARGIN)), (e.source, e.target, n.id)
            assert lay.header_width <= min(p[0], q[0]) and max(p[0], q[0]) <= lay.width
            assert body_top <= min(p[1], q[1]) and max(p[1], q[1]) <= lay.height
        if e.source == e.target:
            assert e.rework and all(x >= a.x for x, _ in pts)
        elif not e.rework and a.column == b.column:  # a hand-off straight down or up
            assert len(pts) == 2 and pts[0][0] == pts[1][0] == a.x == b.x, e
            assert a.lane != b.lane, e
        elif not e.rework:  # other forward flows run left to right
            assert a.column < b.column and a.right < b.left, (e.source, e.target)
        if e.label is not None:
            assert e.label_pos is not None
            w, h = label_size(e.label)
            x, y = e.label_pos
            label_boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        else:
            assert e.label_pos is None
    return label_boxes


def assert_labels(lay: Layout, label_boxes: list[Box]) -> None:
    """Branch labels: inside the body, clear of nodes and of each other."""
    body_top = lay.title_height + lay.header_height
    for i, lb in enumerate(label_boxes):
        assert lb[0] >= lay.header_width and lb[1] >= body_top, lb
        assert lb[2] <= lay.width and lb[3] <= lay.height, lb
        for n in lay.nodes.values():
            assert not overlaps(lb, box_of(n)), (lb, n.id)
        for other in label_boxes[i + 1:]:
            assert not overlaps(lb, other), (lb, other)


BORDER_CLEARANCE = 12.0  # least distance from a line running along it to a lane border
BESIDE = 16.0 - EPS  # a run whose end, prolonged this far, enters a step seems to go into it


def assert_clearances(lay: Layout) -> None:
    """Lines keep clear of lane borders and blueprint lines, and never end beside a foreign step.

    A horizontal run at least 12 pt from every border between bands and every
    blueprint line, a vertical run as far from every phase separator (so it
    does not read as one); no run whose end, prolonged
    by 16 pt (the router's BESIDE), enters a step that is neither end of its line.
    """
    borders = sorted({b.bottom for b in lay.bands[:-1]} | {line.y for line in lay.lines})
    separators = [c.left for c in lay.columns[1:]]
    for e in lay.edges:
        for (x0, y0), (x1, y1) in itertools.pairwise(e.points):
            if x0 == x1 and y0 != y1 and e.source != e.target:  # clear of phase separators
                near = [x for x in separators if abs(x - x0) < BORDER_CLEARANCE - EPS]
                assert not near, (e.source, e.target, x0, "beside a phase separator")
            if y0 == y1 and x0 != x1:
                near = [b for b in borders if abs(b - y0) < BORDER_CLEARANCE - EPS]
                assert not near, (e.source, e.target, y0, near)
            length = abs(x1 - x0) + abs(y1 - y0)
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            px, py = x1 + ux * BESIDE, y1 + uy * BESIDE
            for n in lay.nodes.values():
                if n.id in (e.source, e.target):
                    continue
                inside = n.left < px < n.right and n.top < py < n.bottom
                assert not inside, (e.source, e.target, "ends beside", n.id)


JUNCTION_GAP = 14.0  # two lines in line with each other closer than this read as one


def false_junctions(lay: Layout) -> list[tuple[str, str, str, str]]:
    """Pairs of lines with segments in line with each other and less than 14 pt apart
    end to end (or overlapping), away from a step both lines end at: they read as one
    line that forks, a flow that does not exist. Self-loops aside, and lines from one
    source or into one target (a fork or merge they show is true)."""
    segs: list[tuple[int, float, float, float, int]] = []
    for i, e in enumerate(lay.edges):
        if e.source == e.target:
            continue
        for (x0, y0), (x1, y1) in itertools.pairwise(e.points):
            if y0 == y1:
                segs.append((0, y0, min(x0, x1), max(x0, x1), i))
            else:
                segs.append((1, x0, min(y0, y1), max(y0, y1), i))
    segs.sort()
    found = []
    for k, (axis, c, lo, hi, i) in enumerate(segs):
        for axis2, c2, lo2, hi2, j in segs[k + 1:]:
            if axis2 != axis or c2 - c > 2.0:
                break
            if j == i or lo2 - hi >= JUNCTION_GAP or lo - hi2 >= JUNCTION_GAP:
                continue
            a, b = lay.edges[i], lay.edges[j]
            if a.source == b.source or a.target == b.target:
                continue  # read as one line that forks (merges), they say nothing wrong
            mid = (max(lo, lo2) + min(hi, hi2)) / 2
            x, y = (mid, c) if axis == 0 else (c, mid)
            shared = {a.source, a.target} & {b.source, b.target}
            if any(inside((x, y), lay.nodes[n], JUNCTION_GAP) for n in shared):
                continue
            found.append((a.source, a.target, b.source, b.target))
    return found


def inside(p: Point, n: NodeBox, margin: float) -> bool:
    """Whether p lies within ``margin`` of n's box."""
    return (n.left - margin <= p[0] <= n.right + margin
            and n.top - margin <= p[1] <= n.bottom + margin)
