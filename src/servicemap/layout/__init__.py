"""servicemap's own blueprint layout: lanes, phases, grid placement and orthogonal routes.

Graphviz cannot keep lane clusters in a given order, so servicemap places every
node itself and hands Graphviz pinned positions; this package does that in pure
Python (no Graphviz), deterministically. ``grid`` places steps in cells,
``routing`` plans the flow lines, ``labels`` places branch labels and ``text``
estimates text sizes; this module turns cells and tracks into points.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping

from .._perf import gc_paused
from ..model import Blueprint, Branch, Decision
from .geometry import Band, Column, EdgeRoute, LayerLine, Layout, NodeBox
from .grid import NO_LANE, NO_PHASE, Grid, layer_lines, place
from .labels import Obstacles, label_size, place_label
from .routing import Plan, plan_routes, route_points
from .text import (
    HEADER_LINE,
    LANE_TITLE_INSET,
    MAP_TITLE_INSET,
    PHASE_TITLE_INSET,
    TITLE_SIZE,
    header_lines,
    text_width,
    wrap,
)

__all__ = ["Layout", "compute_layout"]

MARGIN = 14.0  # white space right of and below the map
GAP = 30.0  # narrowest gap between columns
PAD = 14.0  # from a gap's edge to its first track
TRACK = 7.0  # distance between parallel lines
CORRIDOR = 18.0  # lowest corridor between rows
MIN_ROW = 36.0
EMPTY_COLUMN = 40.0
HEADER_MIN = 28.0
LANE_HEADER_MIN = 96.0
LANE_HEADER_MAX = 150.0
PHASE_HEADER_MAX = 170.0
NO_LANE_TITLE = "(no lane)"
NO_PHASE_TITLE = "(no phase)"


def compute_layout(bp: Blueprint, *, wrap_width: float = 118.0) -> Layout:
    """Place and route a map on its blueprint grid.

    Lanes are bands top to bottom in declared order, phases column blocks left
    to right, steps in flow columns (longest path, rework set aside), stacked
    where they share a lane and column; every flow line is an orthogonal route
    through the gaps between columns and the corridors between rows, on its
    own track, so it never crosses a step. Coordinates are points, origin top
    left, y grows downward.

    Args:
        bp: The map; it need not pass ``check`` (cycles, unreachable steps and
            steps without lane or phase are laid out too).
        wrap_width: Width in points at which step labels wrap.

    Returns:
        The layout; the same map always gives an equal layout.

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
        O((V + E) log E); 2,000 steps take well under 0.3 s
        (``benchmarks/render_bench.py``).
    """
    # Layout makes many small acyclic objects; on a 10,000-step map the
    # collector's full passes took about a third of the time.
    with gc_paused():
        return _layout(bp, wrap_width)


def _layout(bp: Blueprint, wrap_width: float) -> Layout:
    grid = place(bp, wrap_width=wrap_width)
    plan = plan_routes(grid)
    lane_info = {lane.id: lane for lane in bp.lanes}
    phase_info = {p.id: p for p in bp.phases}
    slots = grid.slots

    # Lane header column.
    lane_titles = {lid: (lane_info[lid].title if lid in lane_info else NO_LANE_TITLE)
                   for lid in grid.lanes if lid}
    head_w = 0.0
    if lane_titles:
        longest = max(max(text_width(t) for t in wrap(title, LANE_HEADER_MAX - 26))
                      for title in lane_titles.values())
        head_w = max(LANE_HEADER_MIN, min(LANE_HEADER_MAX, longest + 26))

    # Horizontal: column widths, gap widths (tracks, branch labels, phase headers).
    ncols = grid.columns
    col_w = [0.0] * ncols
    for sl in slots.values():
        col_w[sl.column] = max(col_w[sl.column], sl.width)
    col_w = [w or EMPTY_COLUMN for w in col_w]
    boundary = {first for first, _ in grid.phase_columns.values() if first > 0}
    gap_w = []
    for g in range(ncols + 1):
        tracks = plan.gap_tracks.get(g, 0)
        extra = TRACK if g in boundary and tracks % 2 else 0.0  # keep the separator clear
        gap_w.append(max(GAP, 2 * PAD + TRACK * max(0, tracks - 1) + extra))
    branches: dict[tuple[str, int], Branch] = {}
    for step in bp.steps:
        if isinstance(step, Decision):
            for j, br in enumerate(step.next):
                branches.setdefault((step.id, j), br)
    for route in plan.routes:
        # A label on a branch leaving a diamond's right corner fits between the
        # diamond and the gap's tracks, which sit in the middle of the gap.
        branch = branches.get((route.edge[0], route.edge[2]))
        if branch is None or not branch.label or route.exit:
            continue
        sl = slots[route.edge[0]]
        g = sl.column + 1
        slack = (col_w[sl.column] - sl.width) / 2
        spread = TRACK * max(0, plan.gap_tracks.get(g, 0) - 1)
        gap_w[g] = max(gap_w[g], 2 * max(0.0, label_size(branch.label)[0] + 6 - slack) + spread)
    phase_titles = {p: (phase_info[p].title if p in phase_info else NO_PHASE_TITLE)
                    for p in grid.phases}
    for p, (first, last) in grid.phase_columns.items():
        need = min(PHASE_HEADER_MAX, text_width(phase_titles[p]) + 20)
        have = (sum(col_w[first:last + 1]) + sum(gap_w[first + 1:last + 1])
                + gap_w[first] / (1 if first == 0 else 2)
                + gap_w[last + 1] / (1 if last + 1 == ncols else 2))
        if have < need:
            col_w[last] += need - have
    col_left: list[float] = []
    x = head_w
    for c in range(ncols):
        x += gap_w[c]
        col_left.append(x)
        x += col_w[c]
    width = x + gap_w[ncols] + MARGIN
    gap_left = [col_left[g] - gap_w[g] if g < ncols else col_left[-1] + col_w[-1]
                for g in range(ncols + 1)]

    def gap_x(g: int, track: int) -> float:
        count = plan.gap_tracks.get(g, 0)
        centre = gap_left[g] + gap_w[g] / 2
        if track < 0 or count == 0:
            return centre
        shift = TRACK / 2 if g in boundary and count % 2 else 0.0
        return centre + shift + TRACK * (track - (count - 1) / 2)

    columns: list[Column] = []
    for p, (first, last) in grid.phase_columns.items():
        left = head_w if first == 0 else gap_left[first] + gap_w[first] / 2
        right = width if last + 1 == ncols else gap_left[last + 1] + gap_w[last + 1] / 2
        columns.append(Column(p if p != NO_PHASE else NO_PHASE_TITLE, phase_titles[p],
                              left, right))
    head_h = 0.0
    if columns:
        lines = max(header_lines(c.label, c.right - c.left - PHASE_TITLE_INSET) for c in columns)
        head_h = max(HEADER_MIN, HEADER_LINE * lines + 8)
    title_lines = 1 if text_width(bp.name, TITLE_SIZE) <= width - MAP_TITLE_INSET else 2
    title_h = 14.0 + 20.0 * title_lines

    # Vertical: per lane, a corridor above, between and below its rows.
    bands, row_top, row_h, corridor_top = _bands(grid, plan, lane_titles, lane_info, head_w,
                                                title_h + head_h)
    height = (bands[-1].bottom if bands else title_h + head_h) + MARGIN

    def corridor_y(corridor: Hashable, track: int) -> float:
        assert isinstance(corridor, tuple)
        top, size = corridor_top[corridor]
        count = plan.corridor_tracks.get(corridor, 1)
        return top + size / 2 + TRACK * (track - (count - 1) / 2)

    nodes: dict[str, NodeBox] = {}
    for sid, sl in slots.items():
        cx = col_left[sl.column] + col_w[sl.column] / 2
        cy = row_top[(sl.lane, sl.row)] + row_h[sl.lane] / 2
        lane_id = None if sl.lane in ("", NO_LANE) else sl.lane
        phase_id = None if sl.phase in ("", NO_PHASE) else sl.phase
        nodes[sid] = NodeBox(sid, cx, cy, sl.width, sl.height, lane_id, phase_id, sl.column,
                             sl.kind, sl.lines)

    # Routes and branch labels.
    obstacles = Obstacles()
    for n in nodes.values():
        # A diamond's top and bottom are single points: a label may sit just
        # above or below them, next to the branch that leaves there.
        pad = 0.5 if n.kind == "decision" else 2.0
        obstacles.add((n.left - 2, n.top - pad, n.right + 2, n.bottom + pad))
    bounds = (head_w, title_h + head_h, width, height)
    all_points = [route_points(route, nodes[route.edge[0]], nodes[route.edge[1]], gap_x,
                               corridor_y) for route in plan.routes]
    for points in all_points:  # a label must not sit on a line, its own or another's
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            obstacles.add((min(x0, x1) - 0.5, min(y0, y1) - 0.5,
                           max(x0, x1) + 0.5, max(y0, y1) + 0.5))
    lines_out = [LayerLine(name, bands[i].bottom, dashed)
                 for i, name, dashed in layer_lines([b.layer for b in bands])]
    for line in lines_out:
        obstacles.add((head_w, line.y - 1, width, line.y + 1))
    edges: list[EdgeRoute] = []
    for route, points in zip(plan.routes, all_points, strict=True):
        src, dst, j = route.edge
        a = nodes[src]
        branch = branches.get((src, j))
        label = branch.label if branch is not None else None
        label_pos = place_label(points, label, a, obstacles, bounds) if label else None
        edges.append(EdgeRoute(src, dst, tuple(points), label, label_pos,
                               bool(branch is not None and branch.failure), route.rework))

    return Layout(width, height, nodes, edges, bands, columns, lines_out, head_w, head_h,
                  title_h)


def _bands(grid: Grid, plan: Plan, lane_titles: dict[str, str], lane_info: Mapping[str, object],
           head_w: float, top: float
           ) -> tuple[list[Band], dict[tuple[str, int], float], dict[str, float],
                      dict[tuple[str, int], tuple[float, float]]]:
    """Bands top to bottom: corridors and rows, tall enough for the lane header."""
    row_h = dict.fromkeys(grid.lanes, MIN_ROW)
    for sl in grid.slots.values():
        row_h[sl.lane] = max(row_h[sl.lane], sl.height)
    layers: list[str | None] = [getattr(lane_info.get(lid), "layer", None)
                                for lid in grid.lanes]
    lined = {i for i, _, _ in layer_lines(layers)}
    bands: list[Band] = []
    row_top: dict[tuple[str, int], float] = {}
    corridor_top: dict[tuple[str, int], tuple[float, float]] = {}
    y = top
    for i, lane in enumerate(grid.lanes):
        band_top = y
        for k in range(grid.rows[lane] + 1):
            tracks = plan.corridor_tracks.get((lane, k), 0)
            size = max(CORRIDOR, 2 * 9.0 + TRACK * max(0, tracks - 1))
            corridor_top[(lane, k)] = (y, size)
            y += size
            if k < grid.rows[lane]:
                row_top[(lane, k)] = y
                y += row_h[lane]
        need = 0.0
        if lane:
            need = HEADER_LINE * header_lines(lane_titles[lane], head_w - LANE_TITLE_INSET) + 8
            if i in lined:  # the blueprint line's name sits at the band's foot
                need += 2 * HEADER_LINE + 4
        y = max(y, band_top + need)
        bands.append(Band(lane if lane != NO_LANE else NO_LANE_TITLE,
                          lane_titles.get(lane, ""), band_top, y, layers[i]))
    return bands, row_top, row_h, corridor_top
