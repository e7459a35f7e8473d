"""Orthogonal edge routes: ports on node sides, tracks in column gaps and row corridors."""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .deadline import Deadline
from .geometry import NodeBox, Point
from .grid import PARALLEL_BAR, Edge, Grid, Slot

__all__ = ["BESIDE", "CLEAR", "GAP", "GAP_PAD", "LOOP", "PORT", "Plan", "Route", "assign_tracks",
           "border_dx", "border_dy", "clean", "drop_faces", "order_tracks", "plan_routes",
           "port_span", "route_points"]

PORT = 8.0  # preferred distance between ports on one side of a node
LOOP = 8.0  # how far a self-loop reaches out of its node
CLEAR = 14.0  # least clear stretch between two runs sharing a track
GAP = 32.0  # narrowest gap between columns that a line runs down (compute lays gaps out)
GAP_PAD = 14.0  # from a gap's edge to its first track
GAP_HALF = GAP / 2  # where the one track of the narrowest gap runs
BESIDE = 16.0  # a line ending closer than this to a step in its line reads as going into it

YKey = tuple[int, int, float]
"""A vertical position before coordinates exist: (lane index, 2*row+1 or 2*corridor, offset)."""


@dataclass(frozen=True)
class Route:
    """One edge's route on the grid, before coordinates.

    ``kind`` is ``"loop"`` (a self-loop on the right side), ``"direct"`` (out
    along the source's row, down or up in the gap left of the target, in),
    ``"early"`` (like direct, but down or up in the gap right of the source
    and along the target's row, where the source's row is taken just before
    the target's column),
    ``"around"`` (out to the gap right of the source, along a corridor
    between rows, back down or up in the gap left of the target, in) or
    ``"vertex"`` (a decision's branch leaving by its top or bottom corner,
    ``exit`` -1 or +1: straight up or down into the corridor beside the
    decision, along it to the gap left of the target, in),
    ``"elbow"`` (along the source's row and straight into the target's top or
    bottom) or ``"leave"`` (a decision's branch to the next column leaving by
    its top or bottom corner straight up or down to the target's row and
    along it into the target's side: one bend).
    Tracks number the parallel lines in a gap or corridor; -1 means none needed.
    ``enter`` is 0 for a line entering its target's left side, -1 (+1) for one
    that runs along the corridor just above (below) the target's row and
    turns into its top (bottom) side, ``in_dy`` then being the x offset of
    that port from the target's centre: two bends fewer.
    """

    edge: Edge
    kind: str
    out_dy: float
    in_dy: float
    rework: bool = False
    gap1: int = 0
    track1: int = -1
    corridor: tuple[str, int] | None = None
    ctrack: int = -1
    gap2: int = 0
    track2: int = -1
    exit: int = 0
    enter: int = 0


@dataclass
class Plan:
    """Every edge's route and how many tracks each gap and corridor needs."""

    routes: list[Route]
    gap_tracks: dict[int, int] = field(default_factory=dict)
    corridor_tracks: dict[tuple[str, int], int] = field(default_factory=dict)


def port_span(kind: str, width: float, height: float) -> float:
    """Height of the stretch of a side where lines may attach.

    >>> port_span("task", 84.0, 36.0)
    24.0
    >>> port_span("decision", 96.0, 52.0)
    26.0
    """
    if kind == "decision":
        return height / 2
    if kind == "parallel":  # the bar, not the label's room above and below it
        return PARALLEL_BAR[1] - 12
    if kind == "connector":
        return min(width, height) / 2
    if kind in ("terminator", "delay"):
        return height * 0.6
    return max(0.0, height - 12)


def border_dx(kind: str, width: float, height: float, dy: float, side: int) -> float:
    """Horizontal distance from a symbol's centre to its outline at height ``dy``.

    ``side`` is +1 for the right side, -1 for the left. Diamonds, circles and
    rounded ends are followed, so lines touch the drawn outline.

    >>> border_dx("task", 80, 40, 5, 1)
    40.0
    >>> border_dx("decision", 100, 50, 0, 1), border_dx("decision", 100, 50, 12.5, -1)
    (50.0, 25.0)
    """
    half_w, half_h = width / 2, height / 2
    dy = min(abs(dy), half_h)
    if kind == "parallel":  # lines touch the bar, which is narrower than the box
        return PARALLEL_BAR[0] / 2
    if kind == "decision":
        return half_w * (1 - dy / half_h) if half_h else half_w
    if kind == "connector":
        r = min(half_w, half_h)
        return math.sqrt(max(0.0, r * r - dy * dy))
    if kind == "terminator" or (kind == "delay" and side > 0):
        r = half_h
        if width <= height:
            return half_w
        return half_w - r + math.sqrt(max(0.0, r * r - dy * dy))
    return half_w


def border_dy(kind: str, width: float, height: float, dx: float) -> float:
    """Vertical distance from a symbol's centre to its top (or bottom) outline at ``dx``.

    Lines entering a top or bottom away from the centre end on the drawn
    outline: the slope of a diamond, the round ends of a terminator or a
    delay's round right end, a circle.

    >>> border_dy("task", 80, 40, 30), border_dy("decision", 100, 50, 25)
    (20.0, 12.5)
    >>> round(border_dy("terminator", 60, 36, 20), 2), border_dy("terminator", 60, 36, 0)
    (16.12, 18.0)
    """
    half_w, half_h = width / 2, height / 2
    dx = min(abs(dx), half_w)
    if kind == "decision":
        return half_h * (1 - dx / half_w) if half_w else half_h
    if kind == "connector":
        r = min(half_w, half_h)
        return math.sqrt(max(0.0, r * r - min(dx, r) ** 2))
    if kind == "terminator" or (kind == "delay" and dx > 0):
        beyond = dx - (half_w - half_h)  # into the round end
        if beyond <= 0 or width <= height:
            return half_h
        return math.sqrt(max(0.0, half_h * half_h - beyond * beyond))
    return half_h


def _end_on(target: NodeBox, dx: float, enter: int) -> Point:
    """Where a line entering ``target``'s top (``enter < 0``) or bottom at ``dx`` ends."""
    dy = border_dy(target.kind, target.width, target.height, dx)
    return (target.x + dx, target.y - dy if enter < 0 else target.y + dy)


def _offsets(count: int, span: float) -> list[float]:
    """Offsets of ``count`` ports centred on a side, :data:`PORT` apart or closer to fit ``span``.

    >>> _offsets(3, 24.0), _offsets(3, 8.0)
    ([-8.0, 0.0, 8.0], [-4.0, 0.0, 4.0])
    """
    if count <= 1:
        return [0.0] * count
    step = min(PORT, span / (count - 1))
    return [(i - (count - 1) / 2) * step for i in range(count)]


def _bar_offsets(towards: Sequence[tuple[float, ...]], here: tuple[int, int], span: float
                 ) -> list[float]:
    """Ports on a parallel bar: lines to (from) rows above at its top end, below at its
    bottom end, in its own row around its centre; ``towards`` sorted top to bottom.

    A fork (join) so spreads its branches along the whole bar, and a branch to
    another row turns off well above or below the steps in the bar's row.
    Where that would not keep ports half a :data:`PORT` apart on the bar,
    they are spread evenly along it.

    >>> _bar_offsets([(0, 1), (1, 1)], (1, 1), 36.0)
    [-18.0, 0.0]
    >>> _bar_offsets([(0, 1), (1, 1), (2, 1)], (1, 1), 36.0)
    [-18.0, 0.0, 18.0]
    """
    n = len(towards)
    above = sum(1 for k in towards if k < here)
    below = sum(1 for k in towards if k > here)
    level = n - above - below
    half = span / 2
    out = [-half + PORT * k for k in range(above)]
    out += [(k - (level - 1) / 2) * PORT for k in range(level)]
    out += [half - PORT * (below - 1 - k) for k in range(below)]
    if n < 2 or (all(b - a >= PORT / 2 for a, b in itertools.pairwise(out))
                 and -half <= out[0] and out[-1] <= half):
        return out if n >= 2 else [0.0] * n
    return [(k - (n - 1) / 2) * span / (n - 1) for k in range(n)]


def assign_tracks(intervals: Sequence[tuple[Any, Any]]) -> tuple[list[int], int]:
    """Give each closed interval a track so that overlapping intervals differ.

    Greedy by start (optimal for intervals): O(n log n).

    >>> assign_tracks([(0, 2), (1, 3), (3, 4), (5, 6)])
    ([0, 1, 0, 0], 2)
    """
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][0], intervals[i][1], i))
    tracks = [0] * len(intervals)
    active: list[tuple[Any, int]] = []
    free: list[int] = []
    count = 0
    for i in order:
        lo, hi = intervals[i]
        while active and active[0][0] < lo:
            heapq.heappush(free, heapq.heappop(active)[1])
        if free:
            t = heapq.heappop(free)
        else:
            t = count
            count += 1
        tracks[i] = t
        heapq.heappush(active, (hi, t))
    return tracks, count


Kind = tuple[str, tuple[str, int] | None, bool]
"""An edge's route kind, the corridor it runs along (if any) and whether it is rework."""


@dataclass(frozen=True)
class _Rows:
    """Where steps sit: each lane's position and the columns taken in each row."""

    slots: dict[str, Slot]
    lane_index: dict[str, int]
    occupied: dict[tuple[str, int], list[int]]  # (lane, row) -> sorted columns
    stacked: dict[int, list[tuple[int, int]]]  # column -> sorted keys of its steps
    cells: dict[tuple[str, int, int], Slot] = field(default_factory=dict)  # (lane, row, column)
    widths: dict[int, float] = field(default_factory=dict)  # column -> its widest step

    @classmethod
    def of(cls, grid: Grid) -> _Rows:
        """The rows of ``grid``."""
        occupied: dict[tuple[str, int], list[int]] = {}
        lane_index = {lane: i for i, lane in enumerate(grid.lanes)}
        stacked: dict[int, list[tuple[int, int]]] = {}
        for sl in grid.slots.values():
            occupied.setdefault((sl.lane, sl.row), []).append(sl.column)
            stacked.setdefault(sl.column, []).append((lane_index[sl.lane], 2 * sl.row + 1))
        for cols in occupied.values():
            cols.sort()
        for keys in stacked.values():
            keys.sort()
        widths: dict[int, float] = {}
        for sl in grid.slots.values():
            widths[sl.column] = max(widths.get(sl.column, 0.0), sl.width)
        return cls(grid.slots, lane_index, occupied, stacked,
                   {(sl.lane, sl.row, sl.column): sl for sl in grid.slots.values()}, widths)

    def clear_between(self, column: int, a: tuple[int, int], b: tuple[int, int]) -> bool:
        """Whether ``column`` holds no step strictly between the vertical positions a and b."""
        lo, hi = min(a, b), max(a, b)
        keys = self.stacked.get(column, [])
        i = bisect.bisect_right(keys, lo)
        return i >= len(keys) or keys[i] >= hi

    def free(self, sl: Slot, first: int, last: int) -> bool:
        """Whether ``sl``'s row holds no step in columns ``first..last`` (by bisection)."""
        cols = self.occupied[(sl.lane, sl.row)]
        i = bisect.bisect_left(cols, first)
        return i >= len(cols) or cols[i] > last

    def at(self, row: tuple[str, int], column: int) -> Slot | None:
        """The step in ``row`` and ``column``, if any."""
        return self.cells.get((*row, column))

    def key(self, sl: Slot) -> tuple[int, int]:
        """``sl``'s vertical position: (lane index, 2 * row + 1); corridors are even."""
        return self.lane_index[sl.lane], 2 * sl.row + 1


@dataclass
class _Draft:
    """Each edge's choices so far, indexed like ``grid.edges``."""

    kinds: list[Kind]
    exits: list[int]  # -1 top corner, +1 bottom corner, 0 the right side
    out_dy: list[float] = field(default_factory=list)
    loop_dy: list[float] = field(default_factory=list)
    in_dy: list[float] = field(default_factory=list)
    ctrack: list[int] = field(default_factory=list)
    enters: list[int] = field(default_factory=list)  # -1 top, +1 bottom, 0 the left side
    labelled: Collection[tuple[str, int]] = ()  # (decision, branch) of the labelled branches
    drops: set[tuple[str, int]] = field(default_factory=set)  # sides hand-offs use
    corners: set[tuple[str, int]] = field(default_factory=set)  # of "leave" lines and elbows
    centre: set[tuple[str, int]] = field(default_factory=set)  # sides a line uses at the centre
    single: Mapping[str, int] = field(default_factory=dict)  # :func:`_single_lines`


def plan_routes(grid: Grid, deadline: Deadline | None = None,
                labelled: Collection[tuple[str, int]] = ()) -> Plan:
    """Choose every edge's route kind, ports, corridor and tracks.

    Args:
        grid: The steps placed in cells.
        deadline: When to give up (checked between the steps of the plan); default none.
        labelled: ``(decision, position)`` of the branches drawn with a label; a label
            beside a diamond's right corner widens the gap there.

    Returns:
        A route per edge of ``grid`` (in its order) and the tracks each gap and
        corridor needs.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Loop
        ... steps:
        ...   - {id: a, kind: terminator, next: b}
        ...   - {id: b, kind: decision, next: [{to: c, label: ok}, {to: a, label: again}]}
        ...   - {id: c, kind: terminator}
        ... ''')
        >>> from servicemap.layout.grid import place
        >>> plan = plan_routes(place(bp))
        >>> [(route.edge, route.kind) for route in plan.routes]
        [(('a', 'b', 0), 'direct'), (('b', 'c', 0), 'direct'), (('b', 'a', 1), 'vertex')]

    Complexity: O(E log E); row occupancy is looked up by bisection.
    """
    check = (deadline or Deadline(None)).check
    rows = _Rows.of(grid)
    drops = drop_faces(grid)
    single = _single_lines(grid)
    draft = _Draft(_route_kinds(grid, rows, drops, single), [0] * len(grid.edges),
                   labelled=labelled, drops=drops, single=single)
    # The kinds "leave" and "elbow" are settled now: the sides they use, once.
    leaving, elbow_corners = _leave_faces(grid, rows, draft.kinds)
    draft.corners = leaving | elbow_corners
    draft.centre = drops | leaving
    check("routing the flow lines")
    _vertex_exits(grid, rows, draft)
    _choose_levels(grid, rows, draft)
    draft.centre = draft.centre | _taken_corners(grid, draft)  # exits are settled too
    draft.enters = _side_entries(grid, rows, draft)
    draft.out_dy, draft.loop_dy, draft.in_dy = _ports(grid, rows, draft.kinds, draft.enters)
    check("routing the flow lines")
    draft.ctrack, corridor_tracks = _corridor_tracks(grid, draft)
    _top_ports(grid, draft)
    check("routing the flow lines")
    track1, track2, gap_tracks = _settle_gap_tracks(grid, rows, draft)
    check("routing the flow lines")
    routes: list[Route] = []
    for i, (e, (kind, corridor, rework)) in enumerate(zip(grid.edges, draft.kinds, strict=True)):
        u, v = grid.slots[e[0]], grid.slots[e[1]]
        if kind == "loop":
            routes.append(Route(e, kind, draft.out_dy[i], draft.loop_dy[i], True))
        else:
            routes.append(Route(e, kind, draft.out_dy[i], draft.in_dy[i], rework, u.column + 1,
                                track1[i], corridor, draft.ctrack[i],
                                u.column + 1 if kind == "early" else v.column, track2[i],
                                draft.exits[i], draft.enters[i]))
    return Plan(routes, gap_tracks, corridor_tracks)


def _route_kinds(grid: Grid, rows: _Rows, faces: set[tuple[str, int]],
                 single: Mapping[str, int]) -> list[Kind]:
    """Each edge's kind: a self-loop, direct along a free row, or around through a corridor.

    The stretches of rows that lines run along (:func:`_stretches`) are
    reserved: direct lines first, then early ones, then elbows and decisions'
    branches leaving by a corner (:func:`_may_leave`), each taken
    only where its stretches are free, so no two lines share one; a line
    that finds its stretch taken goes around.
    """
    slots = grid.slots
    kinds: list[Kind] = []
    along = _Along()
    later: list[int] = []  # early lines, elbow and leaving candidates, in that order
    maybe_elbow: set[int] = set()
    maybe_leave: set[int] = set()
    outermost = _outermost(grid, rows)
    closed = _Sides(faces | _wanted_corners(grid, rows))  # what an elbow may enter, at most
    for i, e in enumerate(grid.edges):
        u, v = slots[e[0]], slots[e[1]]
        rework = e in grid.back or v.column <= u.column
        if e[0] == e[1]:
            kinds.append(("loop", None, True))
        elif e in grid.drops:
            kinds.append(("drop", None, False))
        elif not rework and (v.column == u.column + 1
                             or rows.free(u, u.column + 1, v.column - 1)):
            kinds.append(_forward_kind(rows, u, v))
            if (i in outermost or single.get(u.id) == i) and _may_leave(rows, faces, e, u, v):
                maybe_leave.add(i)
            down = rows.key(u) < rows.key(v)
            if (rows.key(u) != rows.key(v) and closed.may_enter(v, -1 if down else 1)
                    and rows.free(u, u.column + 1, v.column)
                    and rows.clear_between(v.column, rows.key(u), rows.key(v))):
                maybe_elbow.add(i)
            elif kinds[-1][0] == "direct" and i not in maybe_leave:
                for row, lo, hi in _stretches("direct", u, v):
                    along.take(row, lo, hi)
            if i in maybe_elbow or i in maybe_leave or kinds[-1][0] == "early":
                later.append(i)
        else:
            if (u.lane, u.row) == (v.lane, v.row) or rows.key(u) < rows.key(v):
                k = v.row  # the corridor above the target
            else:
                k = v.row + 1  # coming from below: the corridor below the target
            kinds.append(("around", (v.lane, k), rework))
    _settle_later(grid, rows, kinds, along, later, maybe_elbow, maybe_leave, faces)
    _rework_sides(grid, rows, kinds)
    return kinds


def _single_lines(grid: Grid) -> dict[str, int]:
    """The steps with a flat top and bottom that send one line, and the index of that line.

    >>> from servicemap import loads
    >>> from servicemap.layout.grid import place
    >>> _single_lines(place(loads('''
    ... name: S
    ... steps:
    ...   - {id: a, kind: task, next: b}
    ...   - {id: b, kind: decision, next: [{to: c}, {to: a}]}
    ...   - {id: c, kind: task}
    ... ''')))
    {'a': 0}
    """
    out: dict[str, int] = {}
    several: set[str] = set()
    for i, e in enumerate(grid.edges):
        if e[0] in out:
            several.add(e[0])
        elif grid.slots[e[0]].kind in FLAT_SIDES:
            out[e[0]] = i
    return {sid: i for sid, i in out.items() if sid not in several}


def _wanted_corners(grid: Grid, rows: _Rows) -> set[tuple[str, int]]:
    """The corners (-1 top, +1 bottom) of decisions that a branch of theirs may leave by.

    A branch to a row below (above) may leave by the bottom (top) corner; one
    in the decision's own row that is not to the next step along it (rework,
    a skip ahead) may go around through the corridor above, by the top corner.
    The main branch going forward takes the straight exit, on the right
    (:func:`_vertex_exits`). An elbow must not take such a corner from the
    decision's own branches.
    """
    out: set[tuple[str, int]] = set()
    for e in grid.edges:
        u, v = grid.slots[e[0]], grid.slots[e[1]]
        if (u.kind != "decision" or e[0] == e[1] or e[2] < 0
                or (e in grid.main and e not in grid.back and v.column > u.column)):
            continue
        a, b = rows.key(u), rows.key(v)
        if a != b:
            out.add((u.id, 1 if b > a else -1))
        elif v.column != u.column + 1:
            out.add((u.id, -1))
    return out


def _outermost(grid: Grid, rows: _Rows) -> set[int]:
    """The decisions' branches to a step in another row that no other branch of their
    decision passes on its way down (up) the columns up to their target's, nor
    competes with for the corner facing their target.

    Only such a line may leave its source's bottom (top): a line to a step
    further out in a column up to its target's would run down (up) across its
    run along its target's row, and rework through a corridor back past the
    source across its run down (up) the source's column.
    """
    by_side: dict[tuple[str, int], list[tuple[tuple[int, int], int, int]]] = {}
    back: set[str] = set()  # sources of rework
    for i, e in enumerate(grid.edges):
        u, v = grid.slots[e[0]], grid.slots[e[1]]
        a, b = rows.key(u), rows.key(v)
        if e[0] != e[1] and (v.column <= u.column or e in grid.back):
            back.add(e[0])
        if e[2] >= 0 and a != b and u.kind == "decision":
            side = 1 if b > a else -1
            by_side.setdefault((e[0], side), []).append(((b[0] * side, b[1] * side),
                                                         v.column, i))
    out: set[int] = set()
    for (source, _), lines in by_side.items():
        for far, column, i in lines:
            if source not in back and not any(
                    (far2 > far and column2 <= column) or (far2 == far and column2 > column)
                    for far2, column2, _ in lines):
                out.add(i)
    return out


def _settle_later(grid: Grid, rows: _Rows, kinds: list[Kind], along: _Along,
                  later: list[int], maybe_elbow: set[int], maybe_leave: set[int],
                  faces: set[tuple[str, int]]) -> None:
    """The kinds of early lines, then of elbow and leaving candidates, in place.

    Each candidate takes an elbow if its stretch and its run down (up) the
    target's column are free, else leaves its source's (a decision's) corner
    if its run down (up) the source's column and its stretch along the
    target's row are free and no other line of the decision goes around
    (down or up the gap its run along the target's row crosses), else keeps
    its kind where its stretches are free, else goes around. A diamond's
    corner, and a flat side a hand-off or a leaving line uses at its centre,
    take one elbow (:class:`_Sides`).
    """
    column_runs: dict[int, list[tuple[tuple[int, int], tuple[int, int], str, bool]]] = {}
    sides = _Sides(faces)
    later.sort(key=lambda i: (i in maybe_elbow or i in maybe_leave, i))
    out_of: dict[str, list[int]] = {}  # a decision's lines, where one may leave by a corner
    for i in maybe_leave:
        out_of[grid.edges[i][0]] = []
    for i, e in enumerate(grid.edges):
        if e[0] in out_of:
            out_of[e[0]].append(i)
    for i in later:
        u, v = grid.slots[grid.edges[i][0]], grid.slots[grid.edges[i][1]]
        down = 1 if rows.key(u) < rows.key(v) else -1
        if (i in maybe_elbow and all(along.free(*st) for st in _stretches("elbow", u, v))
                and sides.may_enter(v, -down)
                and _column_free(column_runs, u, v, rows, False)):
            # Along the source's row to above (below) the target and
            # straight into its top (bottom): one bend.
            kinds[i] = ("elbow", None, False)
            sides.entered[(v.id, -down)] = sides.entered.get((v.id, -down), 0) + 1
        elif (i in maybe_leave and all(along.free(*st) for st in _stretches("leave", u, v))
              and sides.may_leave(u, down)
              and not any(kinds[j][0] == "around" for j in out_of.get(u.id, ()))
              and _column_free(column_runs, u, v, rows, True)):
            # Out of the source's bottom (top), down (up) its column to the
            # target's row and along it into the target's side: one bend.
            kinds[i] = ("leave", None, False)
            sides.leaving.add((u.id, down))
        elif not all(along.free(*st) for st in _stretches(kinds[i][0], u, v)):
            k = v.row if rows.key(u) < rows.key(v) else v.row + 1
            kinds[i] = ("around", (v.lane, k), False)
            continue
        for st in _stretches(kinds[i][0], u, v):
            along.take(*st)


@dataclass
class _Sides:
    """The tops and bottoms of steps that elbows enter and leaving lines leave by, so far.

    A line at a side's centre (a hand-off in ``centre``, a leaving line) leaves
    room for one elbow, :data:`CLEAR` beside it where the side is wide
    enough; a diamond's corner is a point and takes one line.
    """

    centre: set[tuple[str, int]]
    leaving: set[tuple[str, int]] = field(default_factory=set)
    entered: dict[tuple[str, int], int] = field(default_factory=dict)

    def may_enter(self, v: Slot, side: int) -> bool:
        """Whether one more elbow may enter ``v``'s top (``side`` -1) or bottom (+1): a flat
        side, or a diamond's corner that no line uses (``centre`` holding those
        taken before: hand-offs, and branches of the diamond's own that may use it)."""
        key = (v.id, side)
        if v.kind not in FLAT_SIDES:
            return (v.kind in ELBOW_INTO and key not in self.centre
                    and key not in self.leaving and key not in self.entered)
        if key in self.centre or key in self.leaving:
            return not self.entered.get(key) and _top_room(v) / 2 >= CLEAR
        return True

    def may_leave(self, u: Slot, side: int) -> bool:
        """Whether a line may leave ``u``'s top (``side`` -1) or bottom (+1) at its centre."""
        n = self.entered.get((u.id, side), 0)
        return n == 0 or (n == 1 and u.kind in FLAT_SIDES and _top_room(u) / 2 >= CLEAR)


def _may_leave(rows: _Rows, faces: set[tuple[str, int]], e: Edge, u: Slot, v: Slot) -> bool:
    """Whether a line may leave ``u`` by its bottom (top) straight down (up) its column to
    the row of ``v``, in a later column, and along that row into ``v``'s side
    (kind ``"leave"``): one bend.

    ``u`` is a decision (by its corner) or a step with a flat bottom (top)
    that sends this one line. The row of ``v`` must hold no step from ``u``'s
    column up to ``v``'s, ``u``'s column none in between, and no straight
    hand-off may use that side. (Measured on 50 generated branching maps,
    allowing targets beyond the next column: bends per line 1.004 to 0.994,
    crossings 1237 to 1229.)
    """
    a, b = rows.key(u), rows.key(v)
    return (u.kind in ELBOW_INTO and a != b and e[2] >= 0 and v.column > u.column
            and v.kind != "parallel" and (u.id, 1 if a < b else -1) not in faces
            and rows.free(v, u.column, v.column - 1) and rows.clear_between(u.column, a, b))


def _stretches(kind: str, u: Slot, v: Slot) -> list[tuple[tuple[str, int], int, int]]:
    """The stretches of rows a forward line of ``kind`` runs along: (row, first, last),
    in half columns (2c: column c's centre, 2c+1: the gap right of it).

    >>> u, v = Slot("u", "task", "a", "", column=1), Slot("v", "task", "b", "", column=3)
    >>> _stretches("direct", u, v), _stretches("early", u, v)
    ([(('a', 0), 2, 5), (('b', 0), 5, 6)], [(('b', 0), 3, 6)])
    """
    if kind == "elbow":
        return [((u.lane, u.row), 2 * u.column, 2 * v.column)]
    if kind == "early":
        return [((v.lane, v.row), 2 * u.column + 1, 2 * v.column)]
    if kind == "leave":  # the gap left of the target is shared with the lines into it
        return [((v.lane, v.row), 2 * u.column, 2 * v.column - 1)]
    if kind != "direct":
        return []
    if (u.lane, u.row) == (v.lane, v.row):
        return [((u.lane, u.row), 2 * u.column, 2 * v.column)]
    return [((u.lane, u.row), 2 * u.column, 2 * v.column - 1),
            ((v.lane, v.row), 2 * v.column - 1, 2 * v.column)]


def _forward_kind(rows: _Rows, u: Slot, v: Slot) -> Kind:
    """The kind of a forward line from ``u`` to ``v`` whose source row is free up to the gap."""
    # A run along the source's row to the gap left of the target would
    # end right beside the step in that row's cell there and read as
    # going into it: turn in the gap next to the source instead, or,
    # if the target's row is taken too, go around.
    beside = (v.column > u.column + 1 and (u.lane, u.row) != (v.lane, v.row)
              and not rows.free(u, v.column, v.column))
    if not beside:
        return ("direct", None, False)
    if rows.free(v, u.column, v.column - 1):
        # Along the target's row only if no step left of the gap in that
        # row sends its own line along it too.
        return ("early", None, False)
    k = v.row if rows.key(u) < rows.key(v) else v.row + 1
    return ("around", (v.lane, k), False)


@dataclass
class _Along:
    """Stretches of rows that lines run along, in half columns (2c: column c's centre, 2c+1:
    the gap after it), kept per row as sorted disjoint intervals."""

    starts: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    ends: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    def free(self, row: tuple[str, int], lo: int, hi: int) -> bool:
        """Whether no line runs along ``row`` anywhere strictly inside ``lo..hi`` (bisection)."""
        j = bisect.bisect_left(self.starts.get(row, []), hi)
        return j == 0 or self.ends[row][j - 1] <= lo

    def take(self, row: tuple[str, int], lo: int, hi: int) -> None:
        """Mark ``lo..hi`` of ``row`` as run along, merged with the stretches it touches."""
        starts, ends = self.starts.setdefault(row, []), self.ends.setdefault(row, [])
        i = bisect.bisect_left(ends, lo)  # the first stretch ending at or after lo
        j = bisect.bisect_right(starts, hi)  # past the last stretch starting at or before hi
        if i < j:
            lo, hi = min(lo, starts[i]), max(hi, ends[j - 1])
        starts[i:j], ends[i:j] = [lo], [hi]


def _column_free(runs: dict[int, list[tuple[tuple[int, int], tuple[int, int], str, bool]]],
                 u: Slot, v: Slot, rows: _Rows, leave: bool) -> bool:
    """Whether a run down (up) a column's centre from ``u`` to ``v``'s row keeps clear of
    the runs taken; if so, take it.

    An elbow runs in its target's column, a decision's branch leaving by a
    corner (``leave``) in the decision's column: two elbows into different targets, or
    into one target from opposite sides, must not share a stretch, nor a
    leaving line with any other run but the one elbow into its own step,
    which turns in :data:`CLEAR` beside it (:class:`_Sides`).
    """
    a, b = rows.key(u), rows.key(v)
    lo, hi = min(a, b), max(a, b)
    down = a < b
    owner = "\0" + u.id if leave else v.id  # no step id holds a NUL
    taken = runs.setdefault(u.column if leave else v.column, [])
    steps = rows.stacked.get(u.column if leave else v.column, [])
    for lo2, hi2, target, down2 in taken:
        # Runs meeting end to end where no step sits in the column turn at
        # one point there: a cross, not two lines.
        meet = (lo < hi2 and lo2 < hi) or any(
            end in (lo2, hi2) and not _has(steps, end) for end in (lo, hi))
        if (meet and (target != owner or down != down2 or leave)
                and not (target != owner and target.lstrip("\0") == owner.lstrip("\0"))):
            return False
    taken.append((lo, hi, owner, down))
    return True


def _has(keys: Sequence[tuple[int, int]], key: tuple[int, int]) -> bool:
    """Whether sorted ``keys`` hold ``key`` (by bisection).

    >>> _has([(0, 1), (2, 3)], (2, 3)), _has([(0, 1), (2, 3)], (1, 1))
    (True, False)
    """
    i = bisect.bisect_left(keys, key)
    return i < len(keys) and keys[i] == key


SIDE_SCAN = 400  # most vertical runs looked at to choose one rework line's side


def _rework_sides(grid: Grid, rows: _Rows, kinds: list[Kind]) -> None:
    """Send rework within one row through the corridor below it where fewer lines cross there.

    A rework line back along its own row runs by default through the
    corridor above the row; where more of the vertical runs of forward
    lines in the columns it spans cross that corridor than the one below,
    it takes the one below (a tie keeps the one above). Hand-offs and elbows
    count where they run, down their target's column, except those into (or,
    for a hand-off, out of) the rework's target: the rework turns in beside them.

    Notes:
        O(E log E + R * S), R the rework lines, S at most :data:`SIDE_SCAN`
        vertical runs in a rework line's columns.
    """
    slots = grid.slots
    # (gap, lo key, hi key, the hand-off's ends or none); a hand-off runs mid-column
    runs: list[tuple[float, tuple[int, int], tuple[int, int], tuple[str, ...]]] = []
    for e, (kind, corridor, rework) in zip(grid.edges, kinds, strict=True):
        if rework or kind == "loop":
            continue
        u, v = slots[e[0]], slots[e[1]]
        ends = [(u.column + 1 if kind == "early" else v.column, rows.key(u), rows.key(v))]
        if corridor is not None:
            ck = (rows.lane_index[corridor[0]], 2 * corridor[1])
            ends = [(u.column + 1, rows.key(u), ck), (v.column, ck, rows.key(v))]
        # Hand-offs and elbows run down their target's column, leaving lines
        # their source's, not a gap; a rework into a step they touch turns in
        # beside them.
        mid = kind in ("drop", "elbow", "leave")
        if kind == "leave":
            ends = [(u.column, rows.key(u), rows.key(v))]
        touching = ((u.id, v.id) if kind == "drop" else (v.id,) if kind == "elbow"
                    else (u.id,) if kind == "leave" else ())
        runs.extend((g + (0.5 if mid else 0), min(a, b), max(a, b), touching)
                    for g, a, b in ends)
    runs.sort()
    gaps = [r[0] for r in runs]

    def crossing(target: str, lane: str, k: int, first: int, last: int) -> int:
        ck = (rows.lane_index[lane], 2 * k)
        lo, hi = bisect.bisect_left(gaps, first), bisect.bisect_right(gaps, last)
        return sum(1 for _, a, b, touching in runs[lo:min(hi, lo + SIDE_SCAN)]
                   if a < ck < b and target not in touching)

    for i, (e, (kind, corridor, rework)) in enumerate(zip(grid.edges, kinds, strict=True)):
        u, v = slots[e[0]], slots[e[1]]
        if not rework or corridor is None or (u.lane, u.row) != (v.lane, v.row):
            continue
        span = (min(u.column + 1, v.column), max(u.column + 1, v.column))
        if crossing(v.id, v.lane, v.row + 1, *span) < crossing(v.id, v.lane, v.row, *span):
            kinds[i] = (kind, (v.lane, v.row + 1), rework)


def _vertex_exits(grid: Grid, rows: _Rows, draft: _Draft) -> None:
    """Send some decision branches out of the diamond's top or bottom corner (and some
    rework out of a step's top or bottom: :func:`_rework_exits`).

    A decision with several branches sends the one to the lowest target below
    out of its bottom corner and the one to the highest target above out of
    its top corner, as flowcharts are drawn; the others leave on the right.
    The main branch (:func:`~servicemap.layout.grid.main_branches`) going
    forward always leaves on the right, the straight exit; a branch going
    around through the corridor below (above) its row counts as going down (up).
    """
    slots, edges, kinds, exits = grid.slots, grid.edges, draft.kinds, draft.exits
    by_source: dict[str, list[int]] = {}
    for i, e in enumerate(edges):
        if e[0] != e[1] and slots[e[0]].kind == "decision":
            by_source.setdefault(e[0], []).append(i)
    # The main branch takes the straight exit, on the side facing the flow.
    several = {sid: [i for i in idx if (edges[i] not in grid.main or kinds[i][2])
                     and kinds[i][0] not in ("drop", "leave")]
               for sid, idx in by_source.items() if len(idx) >= 2}
    # A corner a straight hand-off or a leaving line uses is taken.
    faces = draft.drops | draft.corners
    down_from: set[tuple[str, int, int]] = set()  # (lane, corridor, column) of bottom exits
    for sid, idx in several.items():
        sl = slots[sid]
        here = rows.key(sl)
        # A branch going around through the corridor below counts as going down.
        down = [(rows.key(slots[edges[i][1]]), -slots[edges[i][1]].column, -i)
                for i in idx if rows.key(slots[edges[i][1]]) > here
                or kinds[i][1] == (sl.lane, sl.row + 1)]
        if down and (sid, 1) not in faces:
            i = -max(down)[2]
            exits[i] = 1
            kinds[i] = ("vertex", (sl.lane, sl.row + 1), kinds[i][2])
            down_from.add((sl.lane, sl.row + 1, sl.column))
    for sid, idx in several.items():
        sl = slots[sid]
        if (sl.lane, sl.row, sl.column) in down_from:
            continue  # the decision above comes down into this corridor at this x
        here = rows.key(sl)
        # A branch going around through the corridor above (a target further
        # along the same row) counts as going up.
        up = [(rows.key(slots[edges[i][1]]), slots[edges[i][1]].column, i)
              for i in idx if not exits[i]
              and (rows.key(slots[edges[i][1]]) < here or kinds[i][1] == (sl.lane, sl.row))]
        if up and (sid, -1) not in faces:
            i = min(up)[2]
            exits[i] = -1
            kinds[i] = ("vertex", (sl.lane, sl.row), kinds[i][2])
    _rework_exits(grid, rows, draft, faces, down_from)


def _rework_exits(grid: Grid, rows: _Rows, draft: _Draft, faces: set[tuple[str, int]],
                  down_from: set[tuple[str, int, int]]) -> None:
    """Send the one line of a step with a flat top and bottom, where it is rework going
    around, straight out of its top (bottom) into the corridor above (below)
    its row, as a decision's branch leaves by its corner: a bend fewer. The
    side facing the corridor it goes around by first, else the other.

    Not where a hand-off, a leaving line or an elbow uses that side, nor
    where a step of the row above (below) comes down (up) into that
    corridor in the same column.
    """
    slots, edges, kinds, exits = grid.slots, grid.edges, draft.kinds, draft.exits
    entered = {(slots[e[1]].id, -1 if rows.key(slots[e[0]]) < rows.key(slots[e[1]]) else 1)
               for e, (kind, _, _) in zip(edges, kinds, strict=True) if kind == "elbow"}
    up_into: set[tuple[str, int, int]] = set()  # (lane, corridor, column) of top exits
    for i, (e, (_, corridor, _)) in enumerate(zip(edges, kinds, strict=True)):
        if exits[i] < 0 and corridor is not None:
            up_into.add((*corridor, slots[e[0]].column))
    for sid, i in draft.single.items():
        kind, corridor, rework = kinds[i]
        sl = slots[sid]
        if kind != "around" or not rework or corridor is None:
            continue
        towards = -1 if (rows.lane_index[corridor[0]], 2 * corridor[1]) < rows.key(sl) else 1
        for side in (towards, -towards):  # the side facing its corridor first
            spot = (sl.lane, sl.row + (side > 0), sl.column)
            if ((sid, side) not in faces and (sid, side) not in entered
                    and spot not in (down_from if side < 0 else up_into)):
                exits[i] = side
                kinds[i] = ("vertex", spot[:2], True)
                (up_into if side < 0 else down_from).add(spot)
                break


Level = tuple[int, int]
"""A height before coordinates: (lane index, 2 * row + 1 for a row, 2 * k for corridor k)."""
HRun = tuple[Level, int, int]  # (height, first, last half column)
VRun = tuple[int, Level, Level, bool]  # (half column, low, high, at the step's centre)
LEVEL_BUDGET = 100_000  # more half columns covered by lines than this: corridors stay as chosen
BEND_COST = 1.0  # a bend saved is worth a crossing
ALONG_COST = 1000.0  # two vertical runs on one another in a column


@dataclass
class _Runs:
    """Every line's horizontal and vertical runs in half columns (2c: column c's centre, 2c-1:
    the gap left of it), indexed by the half columns they pass, to count crossings."""

    lines: dict[int, tuple[list[HRun], list[VRun]]] = field(default_factory=dict)
    verticals: dict[int, list[tuple[Level, Level, int, bool]]] = field(default_factory=dict)
    across: dict[int, list[tuple[Level, int]]] = field(default_factory=dict)  # passing x
    ending: dict[int, list[tuple[Level, int]]] = field(default_factory=dict)  # ending at x

    def put(self, i: int, runs: tuple[list[HRun], list[VRun]]) -> None:
        """Index line ``i``'s runs."""
        self.lines[i] = runs
        for y, a, b in runs[0]:
            for x in range(a + 1, b):
                self.across.setdefault(x, []).append((y, i))
            for x in (a, b):
                self.ending.setdefault(x, []).append((y, i))
        for x, lo, hi, centre in runs[1]:
            self.verticals.setdefault(x, []).append((lo, hi, i, centre))

    def drop(self, i: int) -> None:
        """Forget line ``i``'s runs."""
        hs, vs = self.lines.pop(i)
        for y, a, b in hs:
            for x in range(a + 1, b):
                self.across[x].remove((y, i))
            for x in (a, b):
                self.ending[x].remove((y, i))
        for x, lo, hi, centre in vs:
            self.verticals[x].remove((lo, hi, i, centre))

    def cost(self, i: int, runs: tuple[list[HRun], list[VRun]]) -> float:
        """Crossings of ``runs`` (line ``i``'s, maybe) with every other line's runs.

        A crossing at a gap where one of the two runs turns depends on the
        track order there and counts half, as does a vertical run turning
        into a corridor that another line runs along past it (they cross or
        not by their tracks there); two vertical runs down the centre
        of a column (a hand-off, an elbow, a decision's corner exit: no tracks
        keep them apart) that overlap or meet in a corridor (:func:`_meet`)
        cost :data:`ALONG_COST`.
        """
        c = 0.0
        for y, a, b in runs[0]:
            for x in range(a, b + 1):
                w = 1.0 if a < x < b else 0.5
                c += w * sum(1 for lo, hi, j, _ in self.verticals.get(x, ())
                             if j != i and lo < y < hi)
                if a < x < b and y[1] % 2 == 0:
                    c += 0.5 * sum(1 for lo, hi, j, _ in self.verticals.get(x, ())
                                   if j != i and y in (lo, hi))
        for x, lo, hi, centre in runs[1]:
            c += sum(1 for y, j in self.across.get(x, ()) if j != i and lo < y < hi)
            c += 0.5 * sum(1 for y, j in self.ending.get(x, ()) if j != i and lo < y < hi)
            c += 0.5 * sum(1 for y, j in self.across.get(x, ())
                           if j != i and y[1] % 2 == 0 and y in (lo, hi))
            if centre:
                c += ALONG_COST * sum(1 for lo2, hi2, j, centre2 in self.verticals.get(x, ())
                                      if j != i and centre2 and _meet(lo, hi, lo2, hi2))
        return c


def _meet(lo: Level, hi: Level, lo2: Level, hi2: Level) -> bool:
    """Whether two vertical runs in one column overlap, or touch in a corridor (both
    turning there; at a step's row they touch its two sides).

    >>> _meet((0, 1), (0, 2), (0, 2), (1, 1)), _meet((0, 1), (0, 3), (0, 3), (1, 1))
    (True, False)
    """
    return (lo < hi2 and lo2 < hi) or (hi == lo2 and hi[1] % 2 == 0) or (
        hi2 == lo and lo[1] % 2 == 0)


def _line_runs(kind: str, corridor_level: Level | None, exit_: int, u: Slot, v: Slot,
               ya: Level, yb: Level, enter: bool = False) -> tuple[list[HRun], list[VRun]]:
    """The runs of a line of ``kind`` from ``u`` (at height ``ya``) to ``v`` (``yb``).

    ``enter``: a corridor line turns from the corridor straight into ``v``'s top or bottom.

    >>> u, v = Slot("u", "task", "a", "", column=1), Slot("v", "task", "a", "", column=3)
    >>> hs, vs = _line_runs("around", (0, 0), 0, u, v, (0, 1), (0, 1))
    >>> hs, vs[0]
    ([((0, 1), 2, 3), ((0, 0), 3, 5), ((0, 1), 5, 6)], (3, (0, 0), (0, 1), False))
    """
    a, b = 2 * u.column, 2 * v.column

    def h(y: Level, x0: int, x1: int) -> list[HRun]:
        return [(y, min(x0, x1), max(x0, x1))] if x0 != x1 else []

    def vr(x: int, y0: Level, y1: Level, centre: bool = False) -> list[VRun]:
        return [(x, min(y0, y1), max(y0, y1), centre)] if y0 != y1 else []

    if kind == "drop":
        return [], vr(a, ya, yb, True)
    if kind == "elbow":
        return h(ya, a, b), vr(b, ya, yb, True)
    if kind == "leave":
        return h(yb, a, b), vr(a, ya, yb, True)
    if kind == "early":
        return h(ya, a, a + 1) + h(yb, a + 1, b), vr(a + 1, ya, yb)
    if kind == "direct" or corridor_level is None:
        return h(ya, a, b - 1) + h(yb, b - 1, b), vr(b - 1, ya, yb)
    y = corridor_level
    end = b if enter else b - 1
    last_h, last_v = ([] if enter else h(yb, b - 1, b)), vr(end, y, yb)
    if exit_:
        return h(y, a, end) + last_h, vr(a, ya, y, True) + last_v
    return h(ya, a, a + 1) + h(y, a + 1, end) + last_h, vr(a + 1, ya, y) + last_v


def _choose_levels(grid: Grid, rows: _Rows, draft: _Draft) -> None:
    """Send lines through corridors to the corridor where they cross the fewest lines.

    A line going around (or out of a decision's corner) runs along a
    corridor; by default the one beside its target (its source). Each such
    flow line, in turn, takes instead the corridor of any lane where its
    runs cross the fewest runs of the other lines, counted in half columns
    (:class:`_Runs`), a bend saved (entering its target's flat top or bottom)
    counting :data:`BEND_COST`. A corner exit stays on its side of free
    column stretches; the corridor nearer the default wins a tie. Like the
    long edges' virtual nodes of layered drawing, but over whole corridors.

    Notes:
        O(L * C * S * R): L such lines, C corridors, S the half columns a
        line spans and R the runs met there; above :data:`LEVEL_BUDGET`
        half columns covered, nothing moves.
    """
    slots, edges = grid.slots, grid.edges
    kinds, exits = draft.kinds, draft.exits
    levels = [(rows.lane_index[lane], 2 * k) for lane in grid.lanes if grid.rows[lane]
              for k in range(grid.rows[lane] + 1)]
    lane_at = {rows.lane_index[lane]: lane for lane in grid.lanes}
    runs = _Runs()
    movable: list[int] = []
    covered = 0
    faces = draft.drops | _taken_corners(grid, draft) | draft.corners
    for i, (e, (kind, corridor, _)) in enumerate(zip(edges, kinds, strict=True)):
        if kind == "loop":
            continue
        u, v = slots[e[0]], slots[e[1]]
        level = None if corridor is None else (rows.lane_index[corridor[0]], 2 * corridor[1])
        here = _line_runs(kind, level, exits[i], u, v, rows.key(u), rows.key(v),
                          level in _flats(rows, v))
        covered += sum(b - a for _, a, b in here[0])
        runs.put(i, here)
        if level is not None and e[2] >= 0:
            movable.append(i)
    if covered > LEVEL_BUDGET:
        return
    movable.sort(key=lambda i: (abs(slots[edges[i][1]].column - slots[edges[i][0]].column), i))
    for i in movable:
        kind, corridor, rework = kinds[i]
        assert corridor is not None
        u, v = slots[edges[i][0]], slots[edges[i][1]]
        # A decision's branch going around (not its main branch going on) may
        # leave by a free corner instead, as the branches of _vertex_exits do.
        corner = (kind == "around" and u.kind == "decision"
                  and (edges[i] not in grid.main or rework))
        level, x = _best_level(rows, runs, i, kinds[i], exits[i], u, v, levels, faces, corner)
        if (lane_at[level[0]], level[1] // 2) == corridor and x == exits[i]:
            continue
        runs.drop(i)
        runs.put(i, _line_runs(kind, level, x, u, v, rows.key(u), rows.key(v),
                               level in _flats(rows, v)))
        if x != exits[i]:
            faces.discard((u.id, exits[i]))
            faces.add((u.id, x))
            exits[i] = x
            kind = "vertex"
        kinds[i] = (kind, (lane_at[level[0]], level[1] // 2), rework)


def _best_level(rows: _Rows, runs: _Runs, i: int, kind: Kind, exit_: int, u: Slot, v: Slot,
                levels: Sequence[Level], taken: set[tuple[str, int]], corner: bool = False
                ) -> tuple[Level, int]:
    """The corridor (and corner exit) where line ``i`` crosses least (:func:`_choose_levels`).

    ``taken`` holds the decision corners that hand-offs and other branches use;
    ``corner``: a line leaving ``u``'s side may leave by a free corner instead
    (a bend saved, counting :data:`BEND_COST`).
    """
    ya, yb = rows.key(u), rows.key(v)
    assert kind[1] is not None
    now = (rows.lane_index[kind[1][0]], 2 * kind[1][1])
    flats = _flats(rows, v)

    def score(level: Level, x: int) -> float:
        enter = level in flats
        return (runs.cost(i, _line_runs(kind[0], level, x, u, v, ya, yb, enter))
                - BEND_COST * (2 * enter + (x != 0 and not exit_)))

    best = (score(now, exit_), 0, now, exit_)
    if best[0] <= (-2 * BEND_COST if flats else 0.0) and not corner:
        return now, exit_  # no crossing, and no bend to save
    search = levels if best[0] > 0 else flats
    for level, x in itertools.chain(
            ((level, exit_ and (-1 if level < ya else 1)) for level in search),
            ((level, -1 if level < ya else 1) for level in (levels if corner else ()))):
        if (level == now and x == exit_) or (x and (
                (x != exit_ and (u.id, x) in taken)
                or not rows.clear_between(u.column, ya, level))):
            continue
        key = (score(level, x), abs(level[0] - now[0]) * 1000 + abs(level[1] - now[1]), level, x)
        best = min(best, key)
    return best[2], best[3]


def _flats(rows: _Rows, v: Slot) -> list[Level]:
    """The corridors from which a line may turn straight into ``v``'s flat top or bottom
    (:func:`_side_entries`)."""
    lane, k = rows.key(v)
    return [(lane, k - 1), (lane, k + 1)] if v.kind in FLAT_SIDES else []


def _taken_corners(grid: Grid, draft: _Draft) -> set[tuple[str, int]]:
    """The corners (-1 top, +1 bottom) of decisions that a branch leaves by, and the tops
    (bottoms) of steps that their rework leaves by (:func:`_rework_exits`)."""
    return {(grid.edges[i][0], x) for i, x in enumerate(draft.exits) if x}


FLAT_SIDES = ("task", "predefined", "document", "delay", "terminator")
"""Kinds whose top and bottom are flat, so a line may enter them there."""
ELBOW_INTO = (*FLAT_SIDES, "decision")
"""Kinds an elbow may enter by the top (bottom): a diamond by its corner, one line a corner."""


def _side_entries(grid: Grid, rows: _Rows, draft: _Draft) -> list[int]:
    """Which lines through a corridor enter their target from above or below.

    A corridor route runs along the corridor just above (or below) its
    target's row; instead of going on to the gap left of the target, down
    and right into its side (two more bends), it turns straight into the
    target's top (bottom); a diamond by its corner (:func:`_corner_entries`).
    Not for circles, nor where a decision's corner exit comes down (up) into
    that corridor in the target's column, which would meet the entering line.
    Lines through a corridor further off may enter too (:func:`_far_entries`).
    """
    slots, edges = grid.slots, grid.edges
    rows_key = rows.key
    corner_at: set[tuple[str, int, int]] = set()  # (lane, corridor, column) of corner exits
    for i, x in enumerate(draft.exits):
        if x:
            u = slots[edges[i][0]]
            corridor = draft.kinds[i][1]
            assert corridor is not None
            corner_at.add((*corridor, u.column))
    faces = draft.centre
    enters = [0] * len(edges)
    for i, (e, (kind, corridor, _)) in enumerate(zip(edges, draft.kinds, strict=True)):
        v = slots[e[1]]
        if kind == "drop":
            enters[i] = -1 if rows_key(slots[e[0]]) < rows_key(v) else 1
            continue
        if kind == "elbow":
            u = slots[e[0]]
            enters[i] = -1 if (rows_key(u) < rows_key(v)) else 1
            continue
        if corridor is None or kind == "loop" or v.kind not in FLAT_SIDES:
            continue
        if corridor[0] != v.lane or (*corridor, v.column) in corner_at:
            continue
        # From the right: turns in right of a hand-off, where the flat side
        # leaves a port's room on that half (on a small step the lines would
        # run a point or two beside the hand-off and read as one with it).
        # (The flat side: lines ending on a round end beside the hand-off would
        # run a few points beside it.)
        beside = (slots[e[0]].column >= v.column
                  and v.width - (v.height if v.kind in ("terminator", "delay") else 0.0)
                  >= 4 * PORT)
        if corridor[1] == v.row and ((v.id, -1) not in faces or beside):
            enters[i] = -1
        elif corridor[1] == v.row + 1 and ((v.id, 1) not in faces or beside):
            enters[i] = 1
    _corner_entries(grid, draft, enters, corner_at)
    _far_entries(grid, rows, draft, enters, corner_at)
    return enters


def _far_entries(grid: Grid, rows: _Rows, draft: _Draft, enters: list[int],
                 corner_at: set[tuple[str, int, int]]) -> None:
    """Let a line through a corridor further above (below) its target's row enter the
    target's flat top (bottom) or a diamond's corner, straight down (up) its column, in
    place in ``enters``.

    In place of going on to the gap left of the target, down and right into
    its side: a bend fewer. Only where that side is free (no other line, no
    hand-off, no line out of or into a step by the corridor in that column), no step sits
    in the column between the corridor and the target, and no other run down
    (up) the column's centre (an elbow, a leaving line, a hand-off, a line out
    of a corner into its corridor) shares a stretch of it.
    """
    slots, edges = grid.slots, grid.edges
    used = {(edges[i][1], x) for i, x in enumerate(enters) if x} | draft.centre | draft.corners
    spots = _entry_spots(grid, enters)
    runs: dict[int, list[tuple[Level, Level]]] = {}  # column -> centre runs (low, high)
    for e, (kind, corridor, _), exit_ in zip(edges, draft.kinds, draft.exits, strict=True):
        u, v = slots[e[0]], slots[e[1]]
        a, b = rows.key(u), rows.key(v)
        if exit_ and corridor is not None:  # out of a corner (a top) into its corridor
            b, v = (rows.lane_index[corridor[0]], 2 * corridor[1]), u
        elif kind not in ("elbow", "leave", "drop"):
            continue
        runs.setdefault(u.column if kind == "leave" else v.column, []).append(
            (min(a, b), max(a, b)))
    for i, (e, (kind, corridor, _)) in enumerate(zip(edges, draft.kinds, strict=True)):
        v = slots[e[1]]
        if (enters[i] or corridor is None or kind == "loop" or e[2] < 0
                or v.kind not in ELBOW_INTO or (*corridor, v.column) in corner_at
                or (*corridor, v.column) in spots):
            continue
        level: Level = (rows.lane_index[corridor[0]], 2 * corridor[1])
        here = rows.key(v)
        side = -1 if level < here else 1
        lo, hi = min(level, here), max(level, here)
        steps = rows.stacked.get(v.column, [])
        k = bisect.bisect_right(steps, lo)
        if ((v.id, side) in used or (k < len(steps) and steps[k] < hi)
                or any(a < hi and lo < b for a, b in runs.get(v.column, ()))):
            continue
        enters[i] = side
        used.add((v.id, side))
        spots.add((*corridor, v.column))
        runs.setdefault(v.column, []).append((lo, hi))


def _corner_entries(grid: Grid, draft: _Draft, enters: list[int],
                    corner_at: set[tuple[str, int, int]]) -> None:
    """Let lines through the corridor just above (below) a diamond enter it by its top
    (bottom) corner, in place in ``enters``.

    A corner is a point: it takes one line, and only where no hand-off, no
    branch of the diamond's own, no elbow and no other line turning into a
    step there (from the corridor, in the diamond's column) uses it.
    """
    slots, edges = grid.slots, grid.edges
    taken = draft.centre | draft.corners  # hand-offs, exits, leaving lines, elbows
    spots = _entry_spots(grid, enters)
    for i, (e, (kind, corridor, _)) in enumerate(zip(edges, draft.kinds, strict=True)):
        v = slots[e[1]]
        if (v.kind != "decision" or corridor is None or kind == "loop" or e[2] < 0
                or corridor[0] != v.lane or corridor[1] not in (v.row, v.row + 1)):
            continue
        side = -1 if corridor[1] == v.row else 1
        spot = (*corridor, v.column)
        if (v.id, side) in taken or spot in corner_at or spot in spots:
            continue
        enters[i] = side
        spots.add(spot)
        taken.add((v.id, side))


def _entry_spots(grid: Grid, enters: Sequence[int]) -> set[tuple[str, int, int]]:
    """``(lane, corridor, column)`` where a line turns out of a corridor into a step."""
    out: set[tuple[str, int, int]] = set()
    for i, x in enumerate(enters):
        if x:
            v = grid.slots[grid.edges[i][1]]
            out.add((v.lane, v.row + (x > 0), v.column))
    return out


def drop_faces(grid: Grid) -> set[tuple[str, int]]:
    """The sides (-1 top, +1 bottom) of steps that a straight hand-off leaves or enters.

    >>> from servicemap import loads
    >>> from servicemap.layout.grid import place
    >>> sorted(drop_faces(place(loads('''
    ... name: H
    ... lanes: [{id: a}, {id: b}]
    ... steps:
    ...   - {id: x, kind: task, lane: a, next: y}
    ...   - {id: y, kind: task, lane: b}
    ... '''))))
    [('x', 1), ('y', -1)]
    """
    lane_index = {lane: k for k, lane in enumerate(grid.lanes)}
    faces: set[tuple[str, int]] = set()
    for e in grid.drops:
        u, v = grid.slots[e[0]], grid.slots[e[1]]
        down = (lane_index[u.lane], u.row) < (lane_index[v.lane], v.row)
        faces.update({(u.id, 1 if down else -1), (v.id, -1 if down else 1)})
    return faces


def _leave_faces(grid: Grid, rows: _Rows, kinds: Sequence[Kind]
                 ) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """The sides (-1 top, +1 bottom) that a line of kind ``"leave"`` leaves by at their
    centre, and the diamonds' corners an ``"elbow"`` enters by."""
    leaving: set[tuple[str, int]] = set()
    corners: set[tuple[str, int]] = set()
    for e, (kind, _, _) in zip(grid.edges, kinds, strict=True):
        u, v = grid.slots[e[0]], grid.slots[e[1]]
        down = 1 if rows.key(u) < rows.key(v) else -1
        if kind == "leave":
            leaving.add((u.id, down))
        elif kind == "elbow" and v.kind not in FLAT_SIDES:
            corners.add((v.id, -down))
    return leaving, corners


def _top_room(v: Slot) -> float:
    """Width of a step's top (bottom) where lines may turn in, a :data:`PORT` from each end.

    Lines may end on a round end: they meet the outline there (:func:`_end_on`). A
    diamond has none: its one line enters by the corner.
    """
    if v.kind not in FLAT_SIDES:
        return 0.0
    return v.width - (v.height / 2 if v.kind in ("terminator", "delay") else 0.0) - 2 * PORT


def _top_ports(grid: Grid, draft: _Draft) -> None:
    """X offsets of the lines entering a target's top or bottom (in ``draft.in_dy``).

    Lines coming along the corridor from the right take the right half, the
    one on the track nearest the target rightmost; lines from the left
    mirror that; so lines turning into one side never cross each other.
    """
    by_spot: dict[tuple[Hashable, int], list[tuple[tuple[float, ...], int]]] = {}
    flat: dict[tuple[Hashable, int], float] = {}
    lane_index = {lane: k for k, lane in enumerate(grid.lanes)}

    def rows_key(sl: Slot) -> tuple[int, int]:
        return lane_index[sl.lane], sl.row

    for i, enter in enumerate(draft.enters):
        if not enter or draft.kinds[i][0] == "drop":
            continue
        u, v = grid.slots[grid.edges[i][0]], grid.slots[grid.edges[i][1]]
        near = draft.ctrack[i] if enter < 0 else -draft.ctrack[i]  # higher: nearer the row
        key: tuple[float, ...] = ((1.0, float(near), float(i)) if u.column >= v.column
                                  else (0.0, float(-near), float(i)))
        corridor = draft.kinds[i][1]
        if draft.kinds[i][0] == "elbow":
            # Down (up) through the whole corridor: right of the lines turning
            # in from the left, left of those from the right.
            near_u = rows_key(u)  # nearer sources turn first, so no elbow crosses another
            key = (0.5, float(-near_u[0] if enter < 0 else near_u[0]),
                   float(-near_u[1] if enter < 0 else near_u[1]), float(i))
            corridor = (v.lane, v.row if enter < 0 else v.row + 1)
        # Lines into the rows above and below one corridor share its stretch
        # in the column, so they are spread together.
        spot: tuple[Hashable, int] = (corridor, v.column)
        by_spot.setdefault(spot, []).append((key, i))
        room = _top_room(v)
        flat[spot] = min(flat.get(spot, room), room)
    faces = draft.centre
    for spot, items in by_spot.items():
        items.sort()
        offsets = _offsets(len(items), max(0.0, flat[spot]))
        if any((grid.edges[i][1], draft.enters[i]) in faces for _, i in items):
            # A straight hand-off comes in at the centre: the lines from the
            # right turn in right of it, nearest track rightmost; an elbow
            # from the left (one at most) a clear stretch left of it.
            left = sum(1 for key, _ in items if key[0] < 1.0)
            step = min(PORT, max(0.0, flat[spot]) / 2 / max(1, len(items) - left))
            offsets = ([-CLEAR - PORT * (left - 1 - k) for k in range(left)]
                       + [step * (k + 1) for k in range(len(items) - left)])
        for (_, i), dx in zip(items, offsets, strict=True):
            draft.in_dy[i] = dx


def _ports(grid: Grid, rows: _Rows, kinds: Sequence[Kind], enters: Sequence[int]
           ) -> tuple[list[float], list[float], list[float]]:
    """Each edge's port offsets: out of the source, back into it (self-loops), into the target.

    Out on the right, in on the left, ordered top to bottom by where the line
    goes (comes from), so lines leaving one side do not cross; lines out of a
    side that turn in different gaps by where they turn (:func:`_turn_order`).
    """
    slots = grid.slots
    outs: dict[str, list[tuple[tuple[float, ...], int, int]]] = {}
    turns: dict[int, tuple[float, float]] = {}
    ins: dict[str, list[tuple[tuple[float, ...], int]]] = {}
    for i, (e, (kind, corridor, _)) in enumerate(zip(grid.edges, kinds, strict=True)):
        u, v = slots[e[0]], slots[e[1]]
        if kind == "loop":
            outs.setdefault(u.id, []).extend([((-1.0, 0.0, i), i, 0), ((-1.0, 1.0, i), i, 1)])
            continue
        if kind == "leave":
            # Along the target's own row: between the lines coming down the
            # gap from above and those coming up from below.
            in_key: tuple[float, ...] = (*rows.key(v), -u.column, i)
            out_key: tuple[float, ...] = ()
        elif corridor is None:
            out_key = (*rows.key(v), v.column, i)
            in_key = (*rows.key(u), -u.column, i)
        else:
            ck = (rows.lane_index[corridor[0]], 2 * corridor[1])
            out_key = (*ck, -v.column, i)
            in_key = (*ck, u.column, i)
        if kind not in ("vertex", "drop", "leave"):
            outs.setdefault(u.id, []).append((out_key, i, 0))
            turns[i] = _turn_order(rows, kind, corridor, u, v)
        if not enters[i]:
            ins.setdefault(v.id, []).append((in_key, i))
    out_dy = [0.0] * len(grid.edges)
    loop_dy = [0.0] * len(grid.edges)
    in_dy = [0.0] * len(grid.edges)
    for sid, out_items in outs.items():
        sl = slots[sid]
        out_items.sort()
        if sl.kind != "parallel":  # a bar spreads its lines by where they go
            out_items.sort(key=lambda item: turns.get(item[1], (-2.0, 0.0)))
        offsets = _side_offsets(grid, sl, rows.key(sl), [(k, i) for k, i, _ in out_items])
        for (_, i, second), dy in zip(out_items, offsets, strict=True):
            if second:
                loop_dy[i] = dy
            else:
                out_dy[i] = dy
    for sid, in_items in ins.items():
        sl = slots[sid]
        in_items.sort()
        offsets = _side_offsets(grid, sl, rows.key(sl), in_items)
        for (_, i), dy in zip(in_items, offsets, strict=True):
            in_dy[i] = dy
    _straighten(grid, rows, kinds, enters, ins, outs, out_dy, in_dy)
    return out_dy, loop_dy, in_dy


def _turn_order(rows: _Rows, kind: str, corridor: tuple[str, int] | None, u: Slot, v: Slot
                ) -> tuple[float, float]:
    """Where a line out of ``u``'s right side goes, for the order of the ports there.

    ``(-1, x)`` for a line turning up at ``x`` (half columns), ``(0, 0)`` for
    one going straight on, ``(1, -x)`` for one turning down: lines turning up
    earlier lie above those turning up later (which pass under their turn),
    lines turning down earlier below those turning down later. Lines turning
    in one gap keep the order by where they go (sorted before, a stable sort).

    >>> u, v = Slot("u", "task", "a", "", column=0), Slot("v", "task", "a", "", row=1, column=3)
    >>> rows = _Rows({"u": u, "v": v}, {"a": 0}, {}, {})
    >>> _turn_order(rows, "direct", None, u, v), _turn_order(rows, "early", None, u, v)
    ((1, -6), (1, -2))
    """
    here = rows.key(u)
    there = rows.key(v) if corridor is None else (rows.lane_index[corridor[0]], 2 * corridor[1])
    turn = 2 * v.column + 1 if kind == "elbow" else 2 * v.column if kind == "direct" else (
        2 * (u.column + 1))
    if there < here:
        return (-1, turn)
    return (1, -turn) if there > here else (0, 0)


def _straighten(grid: Grid, rows: _Rows, kinds: Sequence[Kind], enters: Sequence[int],
                ins: Mapping[str, list[tuple[tuple[float, ...], int]]],
                outs: Mapping[str, list[tuple[tuple[float, ...], int, int]]],
                out_dy: list[float], in_dy: list[float]) -> None:
    """Line up the two ports of a line to a step in its own row, so it runs straight.

    Where one end is the only flow line on its side and the other end's port
    lies within that side's span, clear of the message flows' ports there,
    that end's port moves level with the other's.
    """
    slots = grid.slots
    flows_in = {sid: [i for _, i in items if grid.edges[i][2] >= 0] for sid, items in ins.items()}
    flows_out = {sid: [i for _, i, _ in items if grid.edges[i][2] >= 0]
                 for sid, items in outs.items()}
    for i, (e, (kind, _, _)) in enumerate(zip(grid.edges, kinds, strict=True)):
        u, v = slots[e[0]], slots[e[1]]
        if kind != "direct" or rows.key(u) != rows.key(v) or enters[i] or e[2] < 0:
            continue
        if (len(flows_in.get(v.id, ())) == 1
                and abs(out_dy[i]) <= port_span(v.kind, v.width, v.height) / 2
                and all(abs(in_dy[k] - out_dy[i]) >= PORT / 2
                        for _, k in ins[v.id] if k != i)):
            in_dy[i] = out_dy[i]
        elif (len(flows_out.get(u.id, ())) == 1
              and abs(in_dy[i]) <= port_span(u.kind, u.width, u.height) / 2
              and all(abs(out_dy[k] - in_dy[i]) >= PORT / 2
                      for _, k, _ in outs[u.id] if k != i)):
            out_dy[i] = in_dy[i]


def _side_offsets(grid: Grid, sl: Slot, here: tuple[int, int],
                  items: Sequence[tuple[tuple[float, ...], int]]) -> list[float]:
    """Port offsets on one side of ``sl`` for ``items`` (sorted by where they go).

    Flow lines share the side's span as if no message flow were there; message
    flows (negative positions) attach beyond them, above for those to (from)
    rows above, below for the rest, so they never shift a flow line's port.
    Where that does not fit the box, every line shares the span.
    """
    span = port_span(sl.kind, sl.width, sl.height)
    if sl.kind == "parallel":
        return _bar_offsets([k[:2] for k, _ in items], here, span)
    flows = [n for n, (_, i) in enumerate(items) if grid.edges[i][2] >= 0]
    if len(flows) in (0, len(items)):
        return _offsets(len(items), span)
    out = [0.0] * len(items)
    for n, dy in zip(flows, _offsets(len(flows), span), strict=True):
        out[n] = dy
    top, bottom = min(out[n] for n in flows), max(out[n] for n in flows)
    messages = [n for n in range(len(items)) if n not in set(flows)]
    above = [n for n in messages if items[n][0][:2] < here]
    below = [n for n in messages if n not in above]
    for j, n in enumerate(above):
        out[n] = top - PORT * (len(above) - j)
    for j, n in enumerate(below):
        out[n] = bottom + PORT * (j + 1)
    if max(abs(dy) for dy in out) > sl.height / 2 - 3:
        return _offsets(len(items), span)
    return out


def _corridor_tracks(grid: Grid, draft: _Draft) -> tuple[list[int], dict[tuple[str, int], int]]:
    """Each edge's track in its corridor, and the track count per corridor.

    Corridors are horizontal: a route occupies an interval over gap indices
    (a half for a run turning at a step's centre, out of a corner or into a
    top). Tracks are ordered top to bottom to cross least, as the gaps' are
    left to right (:func:`order_tracks`, a run's turns up or down at its two
    ends in the place of a gap run's turns left or right), so a line coming
    down into the corridor takes a track above one going on under it.
    """
    by_corridor: dict[tuple[str, int], list[int]] = {}
    for i, (_, corridor, _) in enumerate(draft.kinds):
        if corridor is not None:
            by_corridor.setdefault(corridor, []).append(i)
    ctrack = [-1] * len(grid.edges)
    corridor_tracks: dict[tuple[str, int], int] = {}
    lane_index = {lane: k for k, lane in enumerate(grid.lanes)}
    for corridor, idx in by_corridor.items():
        level = (lane_index[corridor[0]], 2 * corridor[1])
        spans: list[tuple[YKey, YKey]] = []
        turns: list[list[tuple[YKey, int]]] = []
        for i in idx:
            u, v = grid.slots[grid.edges[i][0]], grid.slots[grid.edges[i][1]]
            g1: float = u.column + 0.5 if draft.exits[i] else u.column + 1
            g2: float = v.column + 0.5 if draft.enters[i] else v.column
            ends = [((0, 0, g), -1 if (lane_index[sl.lane], 2 * sl.row + 1) < level else 1)
                    for g, sl in ((g1, u), (g2, v))]
            spans.append((min(ends[0][0], ends[1][0]), max(ends[0][0], ends[1][0])))
            turns.append(ends)
        tracks, count = order_tracks(spans, turns)
        for i, t in zip(idx, tracks, strict=True):
            ctrack[i] = t
        corridor_tracks[corridor] = count
    return ctrack, corridor_tracks


NUDGES = 4  # rounds of nudging ports of lines crossing in an X, each then tracks again


def _settle_gap_tracks(grid: Grid, rows: _Rows, draft: _Draft
                       ) -> tuple[list[int], list[int], dict[int, int]]:
    """Gap tracks, after nudging the ports of lines that cross in an X.

    Where two lines cross between the same rows (an X), no track order keeps
    both pairs apart: the entering line's port is nudged (in ``draft.in_dy``)
    and tracks are assigned again, up to :data:`NUDGES` times. Where that
    port cannot move (on a small circle), the port of the other line of the
    X, into its own target, is nudged instead.
    """
    # Nudges move only ports into targets: the lines on each side and the
    # heights of the lines leaving each row into each gap stay as they are.
    into: dict[str, list[int]] = {}
    leavers: dict[tuple[tuple[int, int], int], list[int]] = {}  # (row, gap) -> lines
    for k, e in enumerate(grid.edges):
        if not draft.enters[k]:
            into.setdefault(e[1], []).append(k)
        u = grid.slots[e[0]]
        if draft.kinds[k][0] in ("direct", "early", "around") and not draft.exits[k]:
            leavers.setdefault((rows.key(u), u.column + 1), []).append(k)
    leaving = {key: [draft.out_dy[k] for k in lines] for key, lines in leavers.items()}

    def nudge(i: int) -> bool:
        v = grid.slots[grid.edges[i][1]]
        return _nudge(grid, draft, i, into[v.id], leaving.get((rows.key(v), v.column), []))

    for _ in range(NUDGES):
        track1, track2, gap_tracks, tangled = _gap_tracks(grid, rows, draft)
        if not tangled:
            break
        for i in sorted(tangled):
            if nudge(i):
                continue
            # Its port cannot move (a small circle's): the X comes undone as
            # well where the other line's port, into its own target, moves.
            v = grid.slots[grid.edges[i][1]]
            for k in leavers.get((rows.key(v), v.column), ()):
                if abs(draft.out_dy[k] - draft.in_dy[i]) <= IN_LINE and not draft.enters[k]:
                    nudge(k)
    return track1, track2, gap_tracks


def _nudge(grid: Grid, draft: _Draft, i: int, side: Sequence[int],
           leaving: Sequence[float] = ()) -> bool:
    """Move line ``i``'s port on its target's left side (with the lines ``side``)
    half a :data:`PORT`, down if that stays within the side's span, else up,
    then a whole one, a quarter, three quarters; never onto another port
    there, nor in line with a line leaving the row into the gap it comes
    down (heights ``leaving``), which it would run into. Returns whether it moved."""
    v = grid.slots[grid.edges[i][1]]
    half = port_span(v.kind, v.width, v.height) / 2
    taken = [draft.in_dy[k] for k in side if k != i]
    dy = draft.in_dy[i]
    for new in (dy + d * step for step in (PORT / 2, PORT, PORT / 4, 3 * PORT / 4)
                for d in (1, -1)):
        if (abs(new) <= half and all(abs(new - t) >= PORT / 2 for t in taken)
                and all(abs(new - y) > IN_LINE for y in leaving)):
            draft.in_dy[i] = new
            return True
    return False


def _gap_tracks(grid: Grid, rows: _Rows, draft: _Draft
                ) -> tuple[list[int], list[int], dict[int, int], set[int]]:
    """Tracks of every vertical run in the gaps between columns.

    Vertical runs are intervals between symbolic y positions. Each entry also
    notes the y of its horizontal coming in from the left of the gap (out of
    a source) and of its horizontal going on to the right (into a target).

    Returns the tracks of each edge's run in the gap right of its source and
    in the gap left of its target, the track count per gap, and the edges
    whose line into their target still runs along a line leaving a source.
    """
    slots = grid.slots
    by_gap: dict[int, list[tuple[YKey, YKey, int, int, YKey | None, YKey | None]]] = {}
    sides: dict[int, list[list[tuple[YKey, int]]]] = {}  # each run's horizontals: (y, side)

    def add(gap: int, ends: tuple[YKey, YKey], i: int, which: int, y_from: YKey | None,
            y_to: YKey | None, horizontals: list[tuple[YKey, int]]) -> None:
        by_gap.setdefault(gap, []).append((min(ends), max(ends), i, which, y_from, y_to))
        sides.setdefault(gap, []).append(horizontals)

    for i, (e, (kind, corridor, _)) in enumerate(zip(grid.edges, draft.kinds, strict=True)):
        u, v = slots[e[0]], slots[e[1]]
        ya: YKey = (*rows.key(u), draft.out_dy[i])
        yb: YKey = (*rows.key(v), draft.in_dy[i])
        if kind in ("direct", "early") and ya != yb:
            add(u.column + 1 if kind == "early" else v.column, (ya, yb), i, 2, ya, yb,
                [(ya, -1), (yb, 1)])
        elif corridor is not None:
            yc: YKey = (rows.lane_index[corridor[0]], 2 * corridor[1], float(draft.ctrack[i]))
            ahead = 1 if v.column > u.column else -1  # which way the corridor run goes
            if not draft.exits[i]:
                add(u.column + 1, (ya, yc), i, 1, ya, None, [(ya, -1), (yc, ahead)])
            if not draft.enters[i]:
                add(v.column, (yc, yb), i, 2, None, yb, [(yc, -ahead), (yb, 1)])
    track1 = [-1] * len(grid.edges)
    track2 = [-1] * len(grid.edges)
    gap_tracks: dict[int, int] = {}
    tangled: set[int] = set()
    for gap, gap_items in by_gap.items():
        # A track is reused only with a clear stretch between the two runs,
        # lest they read as one line (a false junction).
        spans = [(lo, (hi[0], hi[1], hi[2] + CLEAR)) for lo, hi, *_ in gap_items]
        tracks, count = order_tracks(spans, sides[gap])
        count, stuck = _untangle(gap_items, tracks, count)
        count += _short_of_a_step(grid, rows, draft, gap, gap_items, tracks, count)
        tangled.update(gap_items[k][2] for k in stuck)
        for (_, _, i, which, _, _), t in zip(gap_items, tracks, strict=True):
            if which == 1:
                track1[i] = t
            else:
                track2[i] = t
        gap_tracks[gap] = count
    return track1, track2, gap_tracks, tangled


def _short_of_a_step(grid: Grid, rows: _Rows, draft: _Draft, gap: int,
                     items: Sequence[tuple[YKey, YKey, int, int, YKey | None, YKey | None]],
                     tracks: Sequence[int], count: int) -> int:
    """1 if the gap needs an empty track at its right, else 0.

    A line out of a source turning on the gap's rightmost track would end a
    track's margin short of a step right of the gap in the source's row, and
    read as going into it (when that step is not its target): an empty track
    at the right keeps it a track further away.
    """
    lane_at = {k: lane for lane, k in rows.lane_index.items()}
    labelled, exits = draft.labelled, draft.exits
    for (*_, i, _, y_from, _), t in zip(items, tracks, strict=True):
        if y_from is None or t != count - 1 or y_from[1] % 2 == 0:
            continue
        w = rows.at((lane_at[y_from[0]], y_from[1] // 2), gap)
        e = grid.edges[i]
        if (e[0], e[2]) in labelled and not exits[i]:
            continue  # the gap is widened for the label beside the diamond
        # The step sits (column width - its width) / 2 into its column.
        if (w is not None and w.id != e[1] and (GAP_HALF if count == 1 else GAP_PAD)
                + (rows.widths[gap] - w.width) / 2 < BESIDE):
            return 1
    return 0


TRACK_ORDER_MAX = 150  # more runs in one gap than this: tracks by interval colouring only
ALONG = 1000  # the cost of two runs' horizontals lying on each other


def order_tracks(spans: Sequence[tuple[YKey, YKey]],
                 horizontals: Sequence[Sequence[tuple[YKey, int]]]) -> tuple[list[int], int]:
    """Tracks for the vertical runs in one gap, ordered left to right to cross least.

    Each run spans ``spans[k]`` (reaching a clear stretch beyond its end) and
    has horizontals ``(y, side)`` at its ends, going off to the left
    (``side`` -1) or right (+1) of its track. With run *a* left of run *b*, a
    horizontal of *a* going right crosses *b*'s vertical where it passes
    inside *b*'s span, and one of *b* going left crosses *a*'s; a horizontal
    of *a* going right and one of *b* going left at the same height would
    lie on each other. Runs whose spans overlap take different tracks;
    others may share one.

    >>> y = lambda k: (0, k, 0.0)
    >>> order_tracks([(y(0), y(2)), (y(1), y(3))], [[(y(0), -1), (y(2), 1)],
    ...                                             [(y(1), -1), (y(3), 1)]])
    ([1, 0], 2)

    Notes:
        Two starting orders, the greedy colouring's and one sorted by each
        run's net preference to lie left, are improved by adjacent
        transpositions (each swap changes one pair's cost) and the cheaper
        kept; then each run takes the lowest track right of every
        overlapping run before it. O(n^2) for n runs in a gap, capped at
        :data:`TRACK_ORDER_MAX` (above it, the greedy colouring alone).
    """
    tracks, count = assign_tracks(spans)
    n = len(spans)
    if n < 2 or n > TRACK_ORDER_MAX:
        return tracks, count
    overlap = [[not (spans[a][1] < spans[b][0] or spans[b][1] < spans[a][0]) for b in range(n)]
               for a in range(n)]
    cost = [[_pair_cost(spans[a], spans[b], horizontals[a], horizontals[b]) if overlap[a][b]
             and a != b else 0 for b in range(n)] for a in range(n)]
    first = sorted(range(n), key=lambda k: (tracks[k], spans[k][0], k))
    net = [sum(cost[a][b] - cost[b][a] for b in range(n)) for a in range(n)]
    second = sorted(range(n), key=lambda k: (net[k], tracks[k], spans[k][0], k))
    best = min((_transposed(first, cost), _transposed(second, cost)), key=lambda r: r[0])
    if best[0] >= _order_cost(sorted(range(n), key=lambda k: (tracks[k], k)), cost):
        return tracks, count
    out = [0] * n
    for pos, b in enumerate(best[1]):
        out[b] = max((out[a] + 1 for a in best[1][:pos] if overlap[a][b]), default=0)
    return out, max(out) + 1


def _pair_cost(sa: tuple[YKey, YKey], sb: tuple[YKey, YKey],
               ha: Sequence[tuple[YKey, int]], hb: Sequence[tuple[YKey, int]]) -> int:
    """Crossings (and lines on each other) with run *a* on a track left of run *b*."""
    c = sum(1 for y, side in ha if side > 0 and sb[0] < y < sb[1])
    c += sum(1 for y, side in hb if side < 0 and sa[0] < y < sa[1])
    right = {y for y, side in ha if side > 0}
    return c + ALONG * sum(1 for y, side in hb if side < 0 and y in right)


def _order_cost(order: Sequence[int], cost: Sequence[Sequence[int]]) -> int:
    """The cost of an order: every pair's cost, the earlier one on the left."""
    return sum(cost[a][b] for k, a in enumerate(order) for b in order[k + 1:])


def _transposed(order: list[int], cost: Sequence[Sequence[int]]) -> tuple[int, list[int]]:
    """``order`` improved by swapping neighbours while that lowers its cost, and that cost."""
    order = list(order)
    for _ in range(len(order)):
        better = False
        for k in range(len(order) - 1):
            a, b = order[k], order[k + 1]
            if cost[b][a] < cost[a][b]:
                order[k], order[k + 1] = b, a
                better = True
        if not better:
            break
    return _order_cost(order, cost), order


def _untangle(items: Sequence[tuple[YKey, YKey, int, int, YKey | None, YKey | None]],
              tracks: list[int], count: int) -> tuple[int, list[int]]:
    """Keep a line entering a target clear of a line leaving at the same height.

    A line leaving a source on the left runs right to its track; a line
    entering a target on the right runs from its track to the target. At the
    same height they would run along each other if the leaving line's track
    lay right of the entering line's, and read as one line if it lay just
    left of it, so the entering line gets a new track at the right, two
    tracks clear of the leaving one. Passes settle chains (a line moved right
    for the line it enters beside may leave in line with a third), one link
    a pass, up to :data:`UNTANGLE_PASSES` (an X that tracks cannot undo
    takes a new track each pass). Returns the new track count and the
    entries still in conflict (lines crossing in an X).
    """
    stuck: list[int] = []
    passes = min(max(4, len(items) + 1), UNTANGLE_PASSES)
    for attempt in range(passes):
        leaving: dict[tuple[int, int], list[tuple[float, int]]] = {}  # row -> (offset, track)
        for (*_, y_from, _), t in zip(items, tracks, strict=True):
            if y_from is not None:
                leaving.setdefault((y_from[0], y_from[1]), []).append((y_from[2], t))

        # Left of the entering line's track but next to it, the leaving line
        # would end TRACK short of where the entering one starts, in line
        # with it: they would read as one line (a false junction).
        stuck = [k for k, (*_, y_to) in enumerate(items)
                 if y_to is not None and _in_line(leaving, y_to) >= tracks[k] - 1]
        if not stuck or attempt == passes - 1:
            break
        for k in stuck:
            y_to = items[k][5]
            assert y_to is not None
            tracks[k] = max(count, _in_line(leaving, y_to) + 2)
            count = tracks[k] + 1
    return count, stuck


IN_LINE = 2.0  # points: two horizontals closer than this in height read as one line
UNTANGLE_PASSES = 8  # most passes moving lines in one gap apart (one link of a chain each)


def _in_line(leaving: dict[tuple[int, int], list[tuple[float, int]]], y: YKey) -> int:
    """The rightmost track of a line leaving within :data:`IN_LINE` of height ``y`` (else -2).

    >>> _in_line({(0, 1): [(-4.0, 0), (1.5, 2)]}, (0, 1, 0.0))
    2
    """
    return max((t for dy, t in leaving.get((y[0], y[1]), ()) if abs(dy - y[2]) <= IN_LINE),
               default=-2)


def route_points(route: Route, source: NodeBox, target: NodeBox,
                 gap_x: Callable[[int, int], float],
                 corridor_y: Callable[[Hashable, int], float]) -> list[Point]:
    """The polyline of a planned route, given node boxes and track coordinates.

    Args:
        route: The planned route.
        source: The box of the step the route leaves.
        target: The box of the step it enters.
        gap_x: The x of a track in a gap: ``gap_x(gap, track)``.
        corridor_y: The y of a track in a corridor: ``corridor_y(corridor, track)``.

    Returns:
        Points from the source's outline to the target's, each segment
        horizontal or vertical.

    Example:
        >>> a, b = NodeBox("a", 0, 0, 20, 10), NodeBox("b", 100, 20, 20, 10)
        >>> route_points(Route(("a", "b", 0), "direct", 0.0, 0.0, gap2=1), a, b,
        ...              lambda gap, track: 50.0, lambda corridor, track: 0.0)
        [(10.0, 0.0), (50.0, 0.0), (50.0, 20.0), (90.0, 20.0)]
    """
    ya = source.y + route.out_dy
    start = (source.x + border_dx(source.kind, source.width, source.height, route.out_dy, 1), ya)
    if route.kind == "loop":
        yb = source.y + route.in_dy
        out_x = source.right + LOOP
        end = (source.x + border_dx(source.kind, source.width, source.height, route.in_dy, 1),
               yb)
        return [start, (out_x, ya), (out_x, yb), end]
    if route.kind == "drop":
        down = route.enter < 0
        return [(source.x, source.bottom if down else source.top),
                (target.x, target.top if down else target.bottom)]
    if route.kind == "elbow":
        end = _end_on(target, route.in_dy, route.enter)
        return clean([start, (end[0], ya), end])
    if route.kind == "leave":
        sx, yb = source.x + route.out_dy, target.y + route.in_dy
        return clean([(sx, source.bottom if yb > source.y else source.top), (sx, yb),
                      (target.x - border_dx(target.kind, target.width, target.height,
                                            route.in_dy, -1), yb)])
    if route.enter:
        return _into_side(route, source, target, start, gap_x, corridor_y)
    yb = target.y + route.in_dy
    end = (target.x - border_dx(target.kind, target.width, target.height, route.in_dy, -1), yb)
    if route.exit:
        assert route.corridor is not None
        corner = (source.x, source.top if route.exit < 0 else source.bottom)
        cy = corridor_y(route.corridor, route.ctrack)
        gx = gap_x(route.gap2, route.track2)
        return clean([corner, (source.x, cy), (gx, cy), (gx, yb), end])
    if route.corridor is None:
        gx = gap_x(route.gap2, route.track2)
        return clean([start, (gx, ya), (gx, yb), end])
    gx1 = gap_x(route.gap1, route.track1)
    gx2 = gap_x(route.gap2, route.track2)
    cy = corridor_y(route.corridor, route.ctrack)
    return clean([start, (gx1, ya), (gx1, cy), (gx2, cy), (gx2, yb), end])


def _into_side(route: Route, source: NodeBox, target: NodeBox, start: Point,
               gap_x: Callable[[int, int], float],
               corridor_y: Callable[[Hashable, int], float]) -> list[Point]:
    """The points of a corridor route that enters its target's top or bottom."""
    assert route.corridor is not None
    cy = corridor_y(route.corridor, route.ctrack)
    end = _end_on(target, route.in_dy, route.enter)
    ex = end[0]
    if route.exit:
        corner = (source.x, source.top if route.exit < 0 else source.bottom)
        return clean([corner, (source.x, cy), (ex, cy), end])
    gx1 = gap_x(route.gap1, route.track1)
    return clean([start, (gx1, start[1]), (gx1, cy), (ex, cy), end])


def clean(points: list[Point]) -> list[Point]:
    """Drop repeated points and merge collinear runs.

    >>> clean([(0, 0), (5, 0), (5, 0), (9, 0), (9, 4)])
    [(0, 0), (9, 0), (9, 4)]
    """
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
