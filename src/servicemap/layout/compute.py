"""The layout's phases in order: grid, routes, widths across, heights down, points, labels."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

from .._perf import gc_paused
from ..model import Blueprint, Branch, Decision
from ..text import (
    HEADER_LINE,
    LANE_TITLE_INSET,
    LINE_NAME_SIZE,
    MAP_TITLE_INSET,
    PHASE_TITLE_INSET,
    STEP_WRAP,
    TITLE_SIZE,
    branch_label,
    clip,
    header_lines,
    text_width,
    wrap,
)
from .bars import span_bars
from .deadline import Deadline
from .geometry import Band, Column, EdgeRoute, LayerLine, Layout, NodeBox, Point
from .grid import NO_LANE, NO_PHASE, Grid, layer_lines, place
from .labels import Box, Obstacles, label_size, place_label
from .messages import message_edges
from .routing import BESIDE, GAP, LOOP, Plan, plan_routes, route_points
from .routing import GAP_PAD as PAD

__all__ = ["compute_layout"]

MARGIN = 14.0  # white space right of and below the map
EMPTY_GAP = 20.0  # gap between columns that only straight lines cross (room for an arrowhead)
TURN_CLEAR = 18.0  # from a track moved aside for a branch label to the next column
TRACK = 10.0  # distance between parallel lines (more than 8: they read as two)
SEPARATOR_CLEAR = 12.0  # least distance from a line in a gap to the phase separator there
CORRIDOR = 32.0  # lowest corridor between rows that a line runs along (2 * CORRIDOR_PAD)
EMPTY_CORRIDOR = 20.0  # corridor no line runs along
# From a corridor's edge (a lane border, a blueprint line, a row) to its first track:
# a decision's branch turning there from its corner would otherwise end closer
# than BESIDE to the step across the corridor in its column, and read as going in.
CORRIDOR_PAD = BESIDE
MIN_ROW = 36.0
EMPTY_COLUMN = 40.0
HEADER_MIN = 28.0
LANE_HEADER_MIN = 96.0
LINE_NAME_ROOM = 11.0  # header column width beyond a blueprint line's name
LANE_HEADER_MAX = 112.0
LANE_HEADER_WIDEST = 150.0  # widened up to this for a long word in a lane title
LANE_HEADER_PAD = 26.0  # lane header column width beyond its longest title line
PHASE_HEADER_MAX = 170.0
NO_LANE_TITLE = "(no lane)"
NO_PHASE_TITLE = "(no phase)"

Branches = Mapping[tuple[str, int], Branch]
"""A decision's branches by ``(decision id, position in its next)``."""


def compute_layout(bp: Blueprint, *, wrap_width: float = STEP_WRAP,
                   deadline: Deadline | None = None) -> Layout:
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
        wrap_width: Width in points at which step labels wrap. Step labels
            longer than :data:`~servicemap.text.STEP_LINES` lines, branch
            labels longer than :data:`~servicemap.text.BRANCH_LINES` lines
            and lane and phase titles longer than
            :data:`~servicemap.text.TITLE_CHARS` characters are cut with an
            ellipsis (rule SM303 reports them).
        deadline: When to give up; checked in the loops over steps and flow
            lines. Default: none.

    Returns:
        The layout; the same map always gives an equal layout.

    Raises:
        RenderError: The deadline passed.

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
        >>> [band.id for band in lay.bands]
        ['c', 's']
        >>> lay.nodes["a"].x == lay.nodes["b"].x < lay.nodes["e"].x  # b right below a
        True
        >>> [line.name for line in lay.lines]
        ['line of interaction']

    Notes:
        O((V + E) log E + T), T the length of the text drawn (labels are
        read only as far as they are drawn); 2,000 steps take well under
        0.3 s (``benchmarks/render_bench.py``).
    """
    # Layout makes many small acyclic objects; on a 10,000-step map the
    # collector's full passes took about a third of the time.
    with gc_paused():
        return _layout(bp, wrap_width, deadline or Deadline(None))


def _layout(bp: Blueprint, wrap_width: float, deadline: Deadline) -> Layout:
    """Every phase of :func:`compute_layout`, in order."""
    grid = place(bp, wrap_width=wrap_width, deadline=deadline)
    deadline.check("routing the flow lines")
    messages = dict(message_edges(bp, grid.slots))
    branches = _branches(bp)
    # Message flows take the router's ports and tracks like flow lines, after them.
    plan = plan_routes(dataclasses.replace(grid, edges=[*grid.edges, *messages])
                       if messages else grid, deadline,
                       {key for key, branch in branches.items() if branch.label})
    lane_info = {lane.id: lane for lane in bp.lanes}
    phase_info = {p.id: p for p in bp.phases}
    lane_titles = {lid: (clip(lane_info[lid].title) if lid in lane_info else NO_LANE_TITLE)
                   for lid in grid.lanes if lid}
    phase_titles = {p: (clip(phase_info[p].title) if p in phase_info else NO_PHASE_TITLE)
                    for p in grid.phases}
    layers = [lane_info[lid].layer if lid in lane_info else None for lid in grid.lanes]
    blueprint_lines = layer_lines(layers)
    across = _across(grid, plan, branches, phase_titles,
                     _header_width(lane_titles, [name for _, name, _ in blueprint_lines]))
    columns = _columns(grid, across, phase_titles)
    head_h = _header_height(columns)
    title_h = _title_height(bp.name, across.width)
    bands, down = _bands(grid, plan, lane_titles, layers, {i for i, _, _ in blueprint_lines},
                         across.head_w, title_h + head_h)
    height = (bands[-1].bottom if bands else title_h + head_h) + MARGIN
    nodes = _nodes(grid, across, down)
    lines = [LayerLine(name, bands[i].bottom, dashed) for i, name, dashed in blueprint_lines]
    bounds = (across.head_w, title_h + head_h, across.width, height)
    deadline.check("placing the branch labels")
    edges = _edges(plan, nodes, branches, messages, lines, bounds, across, down, deadline)
    return Layout(across.width, height, nodes, [e for e in edges if e.kind == "flow"], bands,
                  columns, lines, across.head_w, head_h, title_h,
                  [e for e in edges if e.kind == "message"])


def _branches(bp: Blueprint) -> dict[tuple[str, int], Branch]:
    """Every decision's branches by ``(decision id, position)``; a repeated id's first counts."""
    branches: dict[tuple[str, int], Branch] = {}
    for step in bp.steps:
        if isinstance(step, Decision):
            for j, br in enumerate(step.next):
                branches.setdefault((step.id, j), br)
    return branches


def _header_width(lane_titles: Mapping[str, str], line_names: Sequence[str] = ()) -> float:
    """Width of the lane header column: the longest title line, within bounds; 0 without lanes.

    Wide enough, too, for each blueprint line's name at :data:`LINE_NAME_SIZE`
    (a smaller name would be the smallest text of the map, and what limits
    how far a page may scale it down before it reads no more in print).
    """
    if not lane_titles:
        return 0.0
    names = max((text_width(n, LINE_NAME_SIZE) + LINE_NAME_ROOM for n in line_names), default=0.0)
    longest = max(max(text_width(t) for t in wrap(title, LANE_HEADER_MAX - LANE_HEADER_PAD))
                  for title in lane_titles.values())
    # The drawer wraps titles at the width less LANE_TITLE_INSET: a word keeps whole.
    word = max(text_width(w) for title in lane_titles.values() for w in [*title.split(), ""])
    return max(LANE_HEADER_MIN, min(LANE_HEADER_MAX, longest + LANE_HEADER_PAD),
               min(LANE_HEADER_WIDEST, word + LANE_TITLE_INSET + 1), names)


@dataclass
class _Across:
    """The horizontal frame: header column, then alternating gaps and columns.

    ``gap_w[g]`` and ``gap_left[g]`` describe the gap left of column ``g``
    (gap ``columns`` is the one right of the last column).
    """

    head_w: float
    col_w: list[float]
    col_left: list[float]
    gap_w: list[float]
    gap_left: list[float]
    width: float
    gap_tracks: Mapping[int, int]
    boundary: set[int]  # gaps on a phase boundary, where the separator runs
    lead: Mapping[int, float]  # room a branch label keeps left of a gap's tracks

    def gap_x(self, g: int, track: int) -> float:
        """The x of ``track`` in gap ``g`` (its centre for no track).

        The tracks are centred in the gap; behind a branch label they keep
        :data:`TURN_CLEAR` from the next column (the label keeps its room on
        their left: :func:`_widen_gaps_for_labels`).
        """
        count = self.gap_tracks.get(g, 0)
        spread = TRACK * max(0, count - 1)
        centre = self.gap_left[g] + (self.gap_w[g] - TURN_CLEAR - spread / 2
                                     if count and g in self.lead else self.gap_w[g] / 2)
        if track < 0 or count == 0:
            return centre
        if g in self.boundary:
            # The phase separator runs down the centre: half the tracks left
            # of it, half right, each SEPARATOR_CLEAR from it or more.
            left = count // 2
            if track < left:
                return centre - SEPARATOR_CLEAR - TRACK * (left - 1 - track)
            return centre + SEPARATOR_CLEAR + TRACK * (track - left)
        return centre + TRACK * (track - (count - 1) / 2)


def _across(grid: Grid, plan: Plan, branches: Branches, phase_titles: Mapping[str, str],
            head_w: float) -> _Across:
    """Column and gap widths (tracks, branch labels, phase titles) and their left edges."""
    ncols = grid.columns
    col_w = [0.0] * ncols
    for sl in grid.slots.values():
        col_w[sl.column] = max(col_w[sl.column], sl.width)
    col_w = [w or EMPTY_COLUMN for w in col_w]
    boundary = {first for first, _ in grid.phase_columns.values() if first > 0}
    # A self-loop reaches LOOP into the gap right of its step: room beyond it,
    # so it does not seem to run into the next column's step.
    looped = {grid.slots[e[0]].column + 1 for e in grid.edges if e[0] == e[1]}
    gap_w = []
    for g in range(ncols + 1):
        tracks = plan.gap_tracks.get(g, 0)
        if g in boundary and tracks:  # the separator in the centre, tracks clear of it
            side = tracks - tracks // 2
            # A line turning on the outer track ends BESIDE short of the next
            # column or more (else it reads as going into the step there).
            gap_w.append(max(GAP, 2 * (max(PAD, BESIDE) + SEPARATOR_CLEAR
                                       + TRACK * max(0, side - 1))))
        elif tracks:
            gap_w.append(max(GAP, 2 * PAD + TRACK * (tracks - 1)))
        else:
            gap_w.append(max(EMPTY_GAP, LOOP + BESIDE + 2) if g in looped else EMPTY_GAP)
    lead = _widen_gaps_for_labels(grid, plan, branches, col_w, gap_w, boundary)
    _widen_columns_for_titles(grid, phase_titles, col_w, gap_w)
    col_left: list[float] = []
    x = head_w
    for c in range(ncols):
        x += gap_w[c]
        col_left.append(x)
        x += col_w[c]
    width = x + gap_w[ncols] + MARGIN
    gap_left = [col_left[g] - gap_w[g] if g < ncols else col_left[-1] + col_w[-1]
                for g in range(ncols + 1)]
    return _Across(head_w, col_w, col_left, gap_w, gap_left, width, plan.gap_tracks, boundary,
                   lead)


def _widen_gaps_for_labels(grid: Grid, plan: Plan, branches: Branches, col_w: list[float],
                           gap_w: list[float], boundary: set[int]) -> dict[int, float]:
    """Widen gaps so a label on a branch leaving a diamond's right corner fits.

    Such a label sits between the diamond and the gap's tracks. In a gap on
    a phase boundary the tracks stay in the middle (the separator runs
    there); elsewhere they move right, clear of the label, and keep
    :data:`TURN_CLEAR` from the next column.

    Returns:
        The room each widened gap keeps left of its tracks for labels.
    """
    lead: dict[int, float] = {}
    for route in plan.routes:
        branch = branches.get((route.edge[0], route.edge[2]))
        if branch is None or not branch.label or route.exit or route.kind == "drop":
            continue  # the label of a branch leaving by a corner sits beside its line
        sl = grid.slots[route.edge[0]]
        g = sl.column + 1
        slack = (col_w[sl.column] - sl.width) / 2
        tracks = plan.gap_tracks.get(g, 0)
        spread = TRACK * max(0, tracks - 1)
        need = max(0.0, label_size(branch.label)[0] + 6 - slack)
        if g in boundary:
            gap_w[g] = max(gap_w[g], 2 * need + spread)
            continue
        lead[g] = max(lead.get(g, 0.0), need)
        gap_w[g] = max(gap_w[g], lead[g] + spread + (TURN_CLEAR if tracks else EMPTY_GAP / 2))
    return lead


def _widen_columns_for_titles(grid: Grid, phase_titles: Mapping[str, str], col_w: list[float],
                              gap_w: list[float]) -> None:
    """Widen each phase's last column until the phase title fits its header (up to a bound)."""
    ncols = grid.columns
    for p, (first, last) in grid.phase_columns.items():
        need = min(PHASE_HEADER_MAX, text_width(phase_titles[p]) + 20)
        have = (sum(col_w[first:last + 1]) + sum(gap_w[first + 1:last + 1])
                + gap_w[first] / (1 if first == 0 else 2)
                + gap_w[last + 1] / (1 if last + 1 == ncols else 2))
        if have < need:
            col_w[last] += need - have


def _columns(grid: Grid, across: _Across, phase_titles: Mapping[str, str]) -> list[Column]:
    """Phase columns, from the middle of one boundary gap to the middle of the next."""
    ncols = grid.columns
    gap_left, gap_w = across.gap_left, across.gap_w
    columns: list[Column] = []
    for p, (first, last) in grid.phase_columns.items():
        left = across.head_w if first == 0 else gap_left[first] + gap_w[first] / 2
        right = across.width if last + 1 == ncols else gap_left[last + 1] + gap_w[last + 1] / 2
        columns.append(Column(p if p != NO_PHASE else NO_PHASE_TITLE, phase_titles[p],
                              left, right))
    return columns


def _header_height(columns: Sequence[Column]) -> float:
    """Height of the phase header row: its most wrapped title; 0 without phases."""
    if not columns:
        return 0.0
    lines = max(header_lines(c.label, c.right - c.left - PHASE_TITLE_INSET) for c in columns)
    return max(HEADER_MIN, HEADER_LINE * lines + 8)


def _title_height(name: str, width: float) -> float:
    """Room for the map's title above everything: one line, or two if it is wide."""
    title_lines = 1 if text_width(name, TITLE_SIZE) <= width - MAP_TITLE_INSET else 2
    return 14.0 + 20.0 * title_lines


@dataclass
class _Down:
    """The vertical frame: top and height of every row, top and size of every corridor."""

    row_top: dict[tuple[str, int], float]
    row_h: dict[tuple[str, int], float]  # each row's own height: its tallest step
    corridor_top: dict[tuple[str, int], tuple[float, float]]
    corridor_tracks: Mapping[tuple[str, int], int]

    def corridor_y(self, corridor: Hashable, track: int) -> float:
        """The y of ``track`` in ``corridor`` (a ``(lane, index)`` pair)."""
        assert isinstance(corridor, tuple)
        top, size = self.corridor_top[corridor]
        count = self.corridor_tracks.get(corridor, 1)
        return top + size / 2 + TRACK * (track - (count - 1) / 2)


def _bands(grid: Grid, plan: Plan, lane_titles: Mapping[str, str],
           layers: Sequence[str | None], lined: Collection[int], head_w: float, top: float
           ) -> tuple[list[Band], _Down]:
    """Bands top to bottom: per lane a corridor above, between and below its rows,
    tall enough for the lane header (and the name of a blueprint line at its foot,
    below the lanes ``lined``)."""
    row_h = {(lane, k): MIN_ROW for lane in grid.lanes for k in range(grid.rows[lane])}
    for sl in grid.slots.values():
        row_h[(sl.lane, sl.row)] = max(row_h[(sl.lane, sl.row)], sl.height)
    down = _Down({}, row_h, {}, plan.corridor_tracks)
    bands: list[Band] = []
    y = top
    for i, lane in enumerate(grid.lanes):
        band_top = y
        for k in range(grid.rows[lane] + 1):
            tracks = plan.corridor_tracks.get((lane, k), 0)
            size = (max(CORRIDOR, 2 * CORRIDOR_PAD + TRACK * (tracks - 1)) if tracks
                    else EMPTY_CORRIDOR)
            down.corridor_top[(lane, k)] = (y, size)
            y += size
            if k < grid.rows[lane]:
                down.row_top[(lane, k)] = y
                y += row_h[(lane, k)]
        need = 0.0
        if lane:
            need = HEADER_LINE * header_lines(lane_titles[lane], head_w - LANE_TITLE_INSET) + 8
            if i in lined:  # the blueprint line's name sits at the band's foot
                need += 2 * HEADER_LINE + 4
        y = max(y, band_top + need)
        bands.append(Band(lane if lane != NO_LANE else NO_LANE_TITLE,
                          lane_titles.get(lane, ""), band_top, y, layers[i]))
    return bands, down


def _nodes(grid: Grid, across: _Across, down: _Down) -> dict[str, NodeBox]:
    """Every step's box, centred in its column and row."""
    nodes: dict[str, NodeBox] = {}
    for sid, sl in grid.slots.items():
        cx = across.col_left[sl.column] + across.col_w[sl.column] / 2
        cy = down.row_top[(sl.lane, sl.row)] + down.row_h[(sl.lane, sl.row)] / 2
        lane_id = None if sl.lane in ("", NO_LANE) else sl.lane
        phase_id = None if sl.phase in ("", NO_PHASE) else sl.phase
        nodes[sid] = NodeBox(sid, cx, cy, sl.width, sl.height, lane_id, phase_id, sl.column,
                             sl.kind, sl.lines)
    return nodes


def _edges(plan: Plan, nodes: dict[str, NodeBox], branches: Branches,
           messages: Mapping[tuple[str, str, int], str | None], lines: Sequence[LayerLine],
           bounds: Box, across: _Across, down: _Down,
           deadline: Deadline) -> list[EdgeRoute]:
    """Every flow line's points (parallel bars stretched across their branches' rows,
    :func:`.bars.span_bars`), and its branch label placed clear of steps and lines."""
    all_points = [route_points(route, nodes[route.edge[0]], nodes[route.edge[1]], across.gap_x,
                               down.corridor_y) for route in plan.routes]
    span_bars(nodes, plan.routes, all_points)
    obstacles = _label_obstacles(nodes, all_points, lines, across.head_w, across.width)
    edges: list[EdgeRoute] = []
    for route, points in zip(plan.routes, all_points, strict=True):
        deadline.check("placing the branch labels")
        src, dst, j = route.edge
        branch = branches.get((src, j))
        message = route.edge in messages
        label = messages[route.edge] if message else (branch.label if branch else None)
        label_pos = place_label(points, label, nodes[src], obstacles, bounds) if label else None
        edges.append(EdgeRoute(src, dst, tuple(points), label, label_pos,
                               bool(branch is not None and branch.failure),
                               route.rework and not message,
                               branch_label(label).lines if label else (),
                               "message" if message else "flow"))
    return edges


def _label_obstacles(nodes: Mapping[str, NodeBox], all_points: Sequence[Sequence[Point]],
                     lines: Sequence[LayerLine], left: float, right: float) -> Obstacles:
    """What a branch label must not cover: steps, flow lines (its own too), blueprint lines."""
    obstacles = Obstacles()
    for n in nodes.values():
        # A diamond's top and bottom are single points: a label may sit just
        # above or below them, next to the branch that leaves there.
        pad = 0.5 if n.kind == "decision" else 2.0
        obstacles.add((n.left - 2, n.top - pad, n.right + 2, n.bottom + pad))
    for points in all_points:
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            obstacles.add((min(x0, x1) - 0.5, min(y0, y1) - 0.5,
                           max(x0, x1) + 0.5, max(y0, y1) + 0.5))
    for line in lines:
        obstacles.add((left, line.y - 1, right, line.y + 1))
    return obstacles
