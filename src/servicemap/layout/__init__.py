"""servicemap's own blueprint layout: lanes, phases, grid placement and orthogonal routes.

Graphviz cannot keep lane clusters in a given order, so servicemap places every
node itself and hands Graphviz pinned positions; this package does that in pure
Python (no Graphviz), deterministically.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from ..model import Blueprint, Branch, Decision
from .geometry import Band, Column, EdgeRoute, LayerLine, Layout, NodeBox, Point
from .grid import NO_LANE, NO_PHASE, layer_lines, place
from .text import LINE_HEIGHT, text_width, wrap

__all__ = ["Layout", "compute_layout"]

MARGIN = 14.0
TITLE_HEIGHT = 34.0
HEADER_HEIGHT = 28.0
GAP = 30.0  # gap between columns before tracks
TRACK = 7.0  # distance between parallel lines
CORRIDOR = 18.0  # corridor between rows before tracks
_BUCKET = 120.0


class _Boxes:
    """Axis-aligned boxes in a bucket grid, for quick overlap tests."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = (
            defaultdict(list))

    def _keys(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]]:
        return [(i, j) for i in range(int(x0 // _BUCKET), int(x1 // _BUCKET) + 1)
                for j in range(int(y0 // _BUCKET), int(y1 // _BUCKET) + 1)]

    def add(self, box: tuple[float, float, float, float]) -> None:
        for key in self._keys(*box):
            self.cells[key].append(box)

    def hits(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        for key in self._keys(*box):
            for a0, b0, a1, b1 in self.cells.get(key, ()):
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return True
        return False


def compute_layout(bp: Blueprint) -> Layout:
    """Place and route a map on its blueprint grid.

    Lanes are bands top to bottom in declared order, phases column blocks left
    to right, steps in flow columns (longest path, rework set aside), stacked
    where they share a lane and column; every flow line is an orthogonal route
    through the gaps between columns and the corridors between rows, so it
    never crosses a step. Coordinates are points, y grows downward.

    Example:
        >>> from servicemap import loads
        >>> lay = compute_layout(loads('''
        ... name: Tiny
        ... lanes: [{id: c, layer: customer}, {id: s, layer: onstage}]
        ... steps:
        ...   - {id: a, kind: terminator, lane: c, next: b}
        ...   - {id: b, kind: task, lane: s, next: e}
        ...   - {id: e, kind: terminator, lane: c}
        ... '''))
        >>> [band.id for band in lay.bands], lay.nodes["a"].x < lay.nodes["b"].x < lay.nodes["e"].x
        (['c', 's'], True)
        >>> [line.name for line in lay.lines]
        ['line of interaction']

    Notes:
        O(V + E) apart from sorting within cells; 2,000 steps take well under a
        second (see ``benchmarks/render_bench.py``).
    """
    grid = place(bp)
    slots = grid.slots
    lane_info = {lane.id: lane for lane in bp.lanes}
    phase_info = {p.id: p for p in bp.phases}

    # Which edges need which tracks: gap g lies left of column g.
    adjacent: dict[tuple[str, str, int], bool] = {}
    gap_tracks: dict[int, int] = defaultdict(int)
    corridor_tracks: dict[tuple[str, int], int] = defaultdict(int)
    plan: list[tuple[tuple[str, str, int], int, int, tuple[str, int] | None, int]] = []
    for e in grid.edges:
        u, v, _ = slots[e[0]], slots[e[1]], e[2]
        is_back = e in grid.back or v.column <= u.column
        straight = not is_back and v.column == u.column + 1
        adjacent[e] = straight
        g1 = u.column + 1
        t1 = gap_tracks[g1]
        gap_tracks[g1] += 1
        if straight:
            plan.append((e, g1, t1, None, 0))
            continue
        g2 = v.column
        t2 = gap_tracks[g2]
        gap_tracks[g2] += 1
        if u.lane == v.lane and u.row == v.row:
            k = v.row
        elif (grid.lanes.index(u.lane), u.row) < (grid.lanes.index(v.lane), v.row):
            k = v.row  # coming from above: the corridor above v
        else:
            k = v.row + 1  # coming from below: the corridor below v
        corridor: tuple[str, int] = (v.lane, k)
        tc = corridor_tracks[corridor]
        corridor_tracks[corridor] += 1
        plan.append((e, g1, t1, corridor, tc * 1000 + t2))

    # Horizontal geometry.
    title_h = TITLE_HEIGHT
    head_h = HEADER_HEIGHT if bp.phases else 0.0
    lane_titles = {lid: (lane_info[lid].title if lid in lane_info else "(no lane)")
                   for lid in grid.lanes}
    head_w = 0.0
    if bp.lanes:
        head_w = max(96.0, max(max(text_width(t) for t in wrap(lane_titles[lid], 110))
                               for lid in grid.lanes) + 26)
    col_w = [0.0] * (grid.columns + 1)
    for sl in slots.values():
        col_w[sl.column] = max(col_w[sl.column], sl.width)
    gap_w = [GAP + TRACK * gap_tracks.get(g, 0) for g in range(grid.columns + 1)]
    col_left = []
    x = head_w + MARGIN
    for c in range(grid.columns):
        x += gap_w[c]
        col_left.append(x)
        x += col_w[c]
    width = x + gap_w[grid.columns] + MARGIN

    # Vertical geometry: per lane, corridors above/below each row.
    row_h = {lane: 0.0 for lane in grid.lanes}
    for sl in slots.values():
        row_h[sl.lane] = max(row_h[sl.lane], sl.height)
    for lane in grid.lanes:
        row_h[lane] = max(row_h[lane], 36.0)
    top = title_h + head_h
    y = top
    bands: list[Band] = []
    corridor_top: dict[tuple[str, int], float] = {}
    row_top: dict[tuple[str, int], float] = {}
    for lane in grid.lanes:
        band_top = y
        for k in range(grid.rows[lane] + 1):
            corridor_top[(lane, k)] = y
            y += CORRIDOR + TRACK * corridor_tracks.get((lane, k), 0)
            if k < grid.rows[lane]:
                row_top[(lane, k)] = y
                y += row_h[lane]
        if lane:
            layer = lane_info[lane].layer if lane in lane_info else None
            bands.append(Band(lane if lane != NO_LANE else "(no lane)", lane_titles[lane],
                              band_top, y, layer))
    height = y + MARGIN

    nodes: dict[str, NodeBox] = {}
    for sid, sl in slots.items():
        cx = col_left[sl.column] + col_w[sl.column] / 2
        cy = row_top[(sl.lane, sl.row)] + row_h[sl.lane] / 2
        lane_id = None if sl.lane in ("", NO_LANE) else sl.lane
        phase_id = None if sl.phase in ("", NO_PHASE) else sl.phase
        nodes[sid] = NodeBox(sid, cx, cy, sl.width, sl.height, lane_id, phase_id, sl.column,
                             sl.kind, sl.lines)

    # Routes.
    boxes = _Boxes()
    for n in nodes.values():
        boxes.add((n.left - 2, n.top - 2, n.right + 2, n.bottom + 2))
    branches: dict[tuple[str, int], Branch] = {}
    for step in bp.steps:
        if isinstance(step, Decision):
            for j, br in enumerate(step.next):
                branches.setdefault((step.id, j), br)
    edges: list[EdgeRoute] = []
    for e, g1, t1, lane_corridor, packed in plan:
        a, b = nodes[e[0]], nodes[e[1]]
        gx1 = col_left[g1] - gap_w[g1] + 12 + TRACK * t1 if g1 < grid.columns else (
            width - MARGIN - gap_w[grid.columns] + 12 + TRACK * t1)
        if lane_corridor is None:
            pts: list[Point] = [(a.right, a.y), (gx1, a.y), (gx1, b.y), (b.left, b.y)]
        else:
            tc, t2 = divmod(packed, 1000)
            gx2 = col_left[b.column] - gap_w[b.column] + 12 + TRACK * t2
            cy = corridor_top[lane_corridor] + 10 + TRACK * tc
            pts = [(a.right, a.y), (gx1, a.y), (gx1, cy), (gx2, cy), (gx2, b.y), (b.left, b.y)]
        route = _clean(pts)
        branch = branches.get((e[0], e[2]))
        label = branch.label if branch is not None else None
        label_pos = _label_position(route, label, boxes) if label else None
        edges.append(EdgeRoute(e[0], e[1], tuple(route), label, label_pos,
                               bool(branch is not None and branch.failure),
                               not adjacent[e] and (e in grid.back
                                                    or b.column <= a.column)))

    # Phase columns, layer lines.
    columns: list[Column] = []
    if bp.phases:
        for p in grid.phases:
            cols = [sl.column for sl in slots.values() if sl.phase == p]
            if not cols:
                continue
            left = col_left[min(cols)] - gap_w[min(cols)] / 2
            last = max(cols)
            right = (col_left[last + 1] - gap_w[last + 1] / 2 if last + 1 < grid.columns
                     else width - MARGIN)
            title = phase_info[p].title if p in phase_info else "(no phase)"
            columns.append(Column(p if p != NO_PHASE else "(no phase)", title, left, right))
        # An empty declared phase keeps its header, a narrow column at its place.
    lines = [LayerLine(name, bands[i].bottom, dashed)
             for i, name, dashed in layer_lines([b.layer for b in bands])]
    return Layout(width, height, nodes, edges, bands, columns, lines, head_w, head_h, title_h)


def _clean(points: list[Point]) -> list[Point]:
    """Drop repeated points and merge collinear runs."""
    out: list[Point] = []
    for p in points:
        if out and p == out[-1]:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
            continue
        out.append(p)
    if len(out) == 1:
        out.append(out[0])
    return out


def _label_position(route: list[Point], label: str, boxes: _Boxes) -> Point:
    """A spot next to the route near its start that overlaps no step or other label."""
    w = text_width(label) + 6
    h = LINE_HEIGHT
    candidates: list[Point] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(route):
        if y0 == y1:  # horizontal: above, then below
            mid = x0 + (6 + w / 2 if x1 >= x0 else -6 - w / 2)
            candidates += [(mid, y0 - h / 2 - 2), (mid, y0 + h / 2 + 2)]
        else:  # vertical: right, then left of it, near its start
            step = 4 + h / 2 if y1 > y0 else -4 - h / 2
            for k in (1, 2, 3):
                candidates += [(x0 + w / 2 + 3, y0 + step * k), (x0 - w / 2 - 3, y0 + step * k)]
    for cx, cy in candidates:
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if not boxes.hits(box):
            boxes.add(box)
            return (cx, cy)
    cx, cy = candidates[0]
    return (cx, cy)
