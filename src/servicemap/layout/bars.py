"""Parallel bars stretched across the rows of their branches, so each branch runs straight."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from dataclasses import dataclass, field

from .geometry import NodeBox, Point
from .grid import PARALLEL_BAR
from .routing import BESIDE, PORT, Route, border_dx

__all__ = ["span_bars"]

END = 12.0  # from a straight branch to the bar's end
RUN_CLEAR = 14.0  # least gap between two lines at one height (else they read as one)
CLEAR = 2.0  # least room between a stretched bar (or its label) and a line or a step

Rect = tuple[float, float, float, float]


def span_bars(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
              points: MutableSequence[list[Point]]) -> None:
    """Stretch each parallel bar across the rows of the branches it splits (merges).

    A branch of a fork whose first step sits in the next column and has no
    other incoming line leaves the bar at that step's height and runs straight
    into it; likewise a branch of a join whose last step sits in the column
    before and has no other outgoing line. The bar grows to span those rows,
    across lane borders if need be (as a synchronisation bar across the
    partitions of a UML activity diagram): parallel work belongs to no single
    lane. A bar is stretched only where nothing is in the way: no step, no
    other line through it or its label, no straight branch through a step.
    Its other lines keep their ports. Bars are taken in id order, so the
    result is deterministic.

    Args:
        nodes: Every step's box; stretched bars are replaced.
        routes: The planned routes, in the order of ``points``.
        points: Each route's polyline; straightened branches are replaced.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> lay = compute_layout(loads('''
        ... name: Fork
        ... lanes: [{id: c, layer: customer}, {id: s, layer: onstage}]
        ... steps:
        ...   - {id: a, kind: task, lane: s, next: f}
        ...   - {id: f, kind: parallel, lane: s, next: [b, u]}
        ...   - {id: b, kind: task, lane: s, next: j}
        ...   - {id: u, kind: task, lane: c, next: j}
        ...   - {id: j, kind: parallel, lane: s}
        ... '''))
        >>> fork = lay.nodes["f"]
        >>> [len(e.points) for e in lay.edges if "f" in (e.source, e.target)]
        [2, 2, 2]
        >>> fork.top < lay.nodes["u"].y and lay.nodes["b"].y < fork.bottom
        True
    """
    bars = sorted(n.id for n in nodes.values() if n.kind == "parallel")
    if not bars:
        return
    index = _Index.of(nodes, routes, points)
    for pid in bars:
        _span_one(nodes, routes, points, pid, index)


BIN = 64.0  # width of the vertical strips that lines are filed under, points


@dataclass
class _Index:
    """Lines in and out of each step, steps by column, and lines by the strips they cross,
    so each bar looks only at its neighbourhood: O((V + E + L / BIN) log) in all, L the
    length of the horizontal runs."""

    indeg: dict[str, int] = field(default_factory=dict)
    outdeg: dict[str, int] = field(default_factory=dict)
    lines_of: dict[str, list[int]] = field(default_factory=dict)
    by_column: dict[int, list[str]] = field(default_factory=dict)
    strips: dict[int, set[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, nodes: Mapping[str, NodeBox], routes: Sequence[Route],
           points: Sequence[list[Point]]) -> _Index:
        """The index of a layout's steps and lines."""
        index = cls()
        for i, r in enumerate(routes):
            src, dst, _ = r.edge
            index.outdeg[src] = index.outdeg.get(src, 0) + 1
            index.indeg[dst] = index.indeg.get(dst, 0) + 1
            index.lines_of.setdefault(src, []).append(i)
            if dst != src:
                index.lines_of.setdefault(dst, []).append(i)
            index.file(i, points[i])
        for n in nodes.values():
            index.by_column.setdefault(n.column, []).append(n.id)
        return index

    def file(self, i: int, pts: Sequence[Point]) -> None:
        """File line ``i`` under every strip its points reach."""
        xs = [x for x, _ in pts]
        for k in range(math.floor(min(xs) / BIN), math.floor(max(xs) / BIN) + 1):
            self.strips.setdefault(k, set()).add(i)

    def near(self, left: float, right: float) -> list[int]:
        """The lines that may reach between ``left`` and ``right``, in order."""
        found: set[int] = set()
        for k in range(math.floor(left / BIN), math.floor(right / BIN) + 1):
            found |= self.strips.get(k, set())
        return sorted(found)


def _straight(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
              points: Sequence[list[Point]], bar: NodeBox, index: _Index
              ) -> dict[int, list[Point]]:
    """The branches of ``bar`` that can run straight, by route index, with their new points."""
    new: dict[int, list[Point]] = {}
    half = PARALLEL_BAR[0] / 2
    indeg, outdeg = index.indeg, index.outdeg
    fork, join = outdeg.get(bar.id, 0) >= 2, indeg.get(bar.id, 0) >= 2
    for i in index.lines_of.get(bar.id, []):
        r = routes[i]
        src, dst, _ = r.edge
        if r.rework or src == dst or r.edge[2] < 0:
            continue
        if src == bar.id:
            if not fork:
                continue
            t = nodes[dst]
            if indeg.get(dst) != 1 or t.kind == "parallel":
                continue
            if t.column == bar.column + 1:
                new[i] = [(bar.x + half, t.y),
                          (t.x - border_dx(t.kind, t.width, t.height, 0.0, -1), t.y)]
            elif _along_far_row(r, "early"):  # it runs along the step's row already
                new[i] = [(bar.x + half, points[i][-1][1]), points[i][-1]]
        else:
            s = nodes[src]
            if not join or outdeg.get(src) != 1 or s.kind == "parallel":
                continue
            if s.column == bar.column - 1:
                new[i] = [(s.x + border_dx(s.kind, s.width, s.height, 0.0, 1), s.y),
                          (bar.x - half, s.y)]
            elif _along_far_row(r, "direct"):  # it runs along the step's row already
                new[i] = [points[i][0], (bar.x - half, points[i][0][1])]
    if all(len(points[i]) == 2 and points[i][0][1] == p[0][1] for i, p in new.items()):
        return {}  # nothing to straighten
    return new


def _along_far_row(route: Route, kind: str) -> bool:
    """Whether ``route`` is of ``kind`` and runs along a row into its target's side: a
    fork's "early" branch runs along its step's row from the gap right of the bar, a
    join's "direct" branch along its step's row up to the gap left of the bar."""
    return route.kind == kind and route.corridor is None and not route.enter


def _span_one(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
              points: MutableSequence[list[Point]], pid: str, index: _Index) -> None:
    """Stretch one bar if that straightens a branch and nothing is in the way."""
    bar = nodes[pid]
    new = _straight(nodes, routes, points, bar, index)
    if not new:
        return
    # Ports kept on the side of a straightened branch must stay clear of it.
    sides = {routes[i].edge[0] == pid for i in new}
    kept = [(points[i][0][1], True) if routes[i].edge[0] == pid else (points[i][-1][1], False)
            for i in index.lines_of.get(pid, []) if i not in new]
    ys = [p[0][1] for p in new.values()]
    if any(abs(a - b) < PORT for a, (b, side) in itertools.product(ys, kept) if side in sides):
        return
    if len(set(ys)) < len(ys):
        return
    room = max(0.0, (bar.height - PARALLEL_BAR[1]) / 2)  # the label's, above and below
    top = min([bar.y - PARALLEL_BAR[1] / 2, *(y - END for y in ys)])
    bottom = max([bar.y + PARALLEL_BAR[1] / 2, *(y + END for y in ys)])
    stretched = dataclasses.replace(bar, y=(top + bottom) / 2, height=bottom - top + 2 * room)
    keep_out = (bar.left - CLEAR, top - room - CLEAR, bar.right + CLEAR, bottom + room + CLEAR)
    if not _clear(nodes, routes, points, pid, keep_out, new, index):
        return
    nodes[pid] = stretched
    for i, p in new.items():
        points[i] = p
        index.file(i, p)


def _clear(nodes: Mapping[str, NodeBox], routes: Sequence[Route],
           points: Sequence[list[Point]], pid: str, keep_out: Rect,
           new: dict[int, list[Point]], index: _Index) -> bool:
    """Whether the stretched bar meets no other step or line, and its straight
    branches cross no step but their own ends."""
    column = nodes[pid].column
    for nid in index.by_column.get(column, []):
        n = nodes[nid]
        if nid != pid and _meets(keep_out, (n.left, n.top, n.right, n.bottom)):
            return False
    for i in index.near(keep_out[0] - BESIDE, keep_out[2] + BESIDE):
        if i in new:
            continue
        r = routes[i]
        segments = list(itertools.pairwise(points[i]))
        if r.edge[0] == pid:  # its own lines may touch it at their end on the bar
            segments = segments[1:]
        if r.edge[1] == pid:
            segments = segments[:-1]
        if any(_crosses(p, q, keep_out) or _crosses(q, _beyond(p, q), keep_out)
               for p, q in segments):
            return False
    for i, (p, q) in new.items():
        ends = routes[i].edge[:2]
        far = [nodes[e].column for e in ends]
        for c in range(min(far), max(far) + 1):
            for nid in index.by_column.get(c, []):
                n = nodes[nid]
                if nid not in ends and _crosses(p, q, (n.left - 1, n.top - 1, n.right + 1,
                                                       n.bottom + 1)):
                    return False
        if not _own_run(routes, points, i, (p, q), pid, index):
            return False
    return True


def _own_run(routes: Sequence[Route], points: Sequence[list[Point]], i: int,
             run: tuple[Point, Point], pid: str, index: _Index) -> bool:
    """Whether a straightened branch's run keeps :data:`RUN_CLEAR` from every line at
    its height but those of the bar ``pid`` (else the two would read as one line);
    the bar's own lines are kept apart by their ports."""
    (x0, y), (x1, _) = run
    lo, hi = min(x0, x1), max(x0, x1)
    for k in index.near(lo - RUN_CLEAR, hi + RUN_CLEAR):
        if pid in routes[k].edge[:2]:
            continue
        for (a, b), (c, d) in itertools.pairwise(points[k]):
            if (b == d and abs(b - y) < 1 and min(a, c) < hi + RUN_CLEAR
                    and lo - RUN_CLEAR < max(a, c)):
                return False
    return True


def _beyond(p: Point, q: Point) -> Point:
    """The point :data:`~servicemap.layout.routing.BESIDE` past ``q`` on the line from ``p``:
    a run ending that close to a step reads as going into it.

    >>> _beyond((0.0, 0.0), (0.0, 10.0))
    (0.0, 26.0)
    """
    length = math.hypot(q[0] - p[0], q[1] - p[1]) or 1.0
    return (q[0] + (q[0] - p[0]) / length * BESIDE, q[1] + (q[1] - p[1]) / length * BESIDE)


def _meets(a: Rect, b: Rect) -> bool:
    """Whether two open rectangles share a point."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(p: Point, q: Point, rect: Rect) -> bool:
    """Whether the axis-parallel segment p-q meets the closed rectangle."""
    return (min(p[0], q[0]) <= rect[2] and rect[0] <= max(p[0], q[0])
            and min(p[1], q[1]) <= rect[3] and rect[1] <= max(p[1], q[1]))
