"""Parallel bars stretched across the rows of their branches, so each branch runs straight."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import MutableMapping, MutableSequence, Sequence

from .geometry import NodeBox, Point
from .grid import PARALLEL_BAR
from .routing import PORT, Route, border_dx

__all__ = ["span_bars"]

END = 12.0  # from a straight branch to the bar's end
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
    indeg: dict[str, int] = {}
    outdeg: dict[str, int] = {}
    for r in routes:
        outdeg[r.edge[0]] = outdeg.get(r.edge[0], 0) + 1
        indeg[r.edge[1]] = indeg.get(r.edge[1], 0) + 1
    for pid in sorted(n.id for n in nodes.values() if n.kind == "parallel"):
        _span_one(nodes, routes, points, pid, indeg, outdeg)


def _straight(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
              points: Sequence[list[Point]], bar: NodeBox, indeg: dict[str, int],
              outdeg: dict[str, int]) -> dict[int, list[Point]]:
    """The branches of ``bar`` that can run straight, by route index, with their new points."""
    new: dict[int, list[Point]] = {}
    half = PARALLEL_BAR[0] / 2
    fork, join = outdeg.get(bar.id, 0) >= 2, indeg.get(bar.id, 0) >= 2
    for i, r in enumerate(routes):
        src, dst, _ = r.edge
        if r.rework or src == dst or bar.id not in (src, dst) or r.edge[2] < 0:
            continue
        if src == bar.id:
            if not fork:
                continue
            t = nodes[dst]
            if t.column != bar.column + 1 or indeg.get(dst) != 1 or t.kind == "parallel":
                continue
            new[i] = [(bar.x + half, t.y),
                      (t.x - border_dx(t.kind, t.width, t.height, 0.0, -1), t.y)]
        else:
            s = nodes[src]
            if not join:
                continue
            if s.column != bar.column - 1 or outdeg.get(src) != 1 or s.kind == "parallel":
                continue
            new[i] = [(s.x + border_dx(s.kind, s.width, s.height, 0.0, 1), s.y),
                      (bar.x - half, s.y)]
    if all(len(points[i]) == 2 and points[i][0][1] == p[0][1] for i, p in new.items()):
        return {}  # nothing to straighten
    return new


def _span_one(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
              points: MutableSequence[list[Point]], pid: str, indeg: dict[str, int],
              outdeg: dict[str, int]) -> None:
    """Stretch one bar if that straightens a branch and nothing is in the way."""
    bar = nodes[pid]
    new = _straight(nodes, routes, points, bar, indeg, outdeg)
    if not new:
        return
    # Ports kept on the side of a straightened branch must stay clear of it.
    sides = {routes[i].edge[0] == pid for i in new}
    kept = [(points[i][0][1], True) if routes[i].edge[0] == pid else (points[i][-1][1], False)
            for i, r in enumerate(routes) if pid in r.edge[:2] and i not in new]
    ys = [p[0][1] for p in new.values()]
    if any(abs(a - b) < PORT for a, (b, side) in itertools.product(ys, kept) if side in sides):
        return
    if len(set(ys)) < len(ys):
        return
    room = max(0.0, (bar.height - PARALLEL_BAR[1]) / 2)  # the label's, above and below
    top = min([bar.y - PARALLEL_BAR[1] / 2, *(y - END for y in ys)])
    bottom = max([bar.y + PARALLEL_BAR[1] / 2, *(y + END for y in ys)])
    stretched = dataclasses.replace(bar, y=(top + bottom) / 2, height=bottom - top + 2 * room)
    keep_out = [(bar.left - CLEAR, top - room - CLEAR, bar.right + CLEAR,
                 bottom + room + CLEAR)]
    if not _clear(nodes, routes, points, pid, keep_out, new):
        return
    nodes[pid] = stretched
    for i, p in new.items():
        points[i] = p


def _clear(nodes: MutableMapping[str, NodeBox], routes: Sequence[Route],
           points: Sequence[list[Point]], pid: str, keep_out: Sequence[Rect],
           new: dict[int, list[Point]]) -> bool:
    """Whether the stretched bar meets no other step or line, and its straight
    branches cross no step but their own ends."""
    for n in nodes.values():
        if n.id != pid and any(_meets(r, (n.left, n.top, n.right, n.bottom)) for r in keep_out):
            return False
    for i, r in enumerate(routes):
        if i in new:
            continue
        segments = list(itertools.pairwise(points[i]))
        if r.edge[0] == pid:  # its own lines may touch it at their end on the bar
            segments = segments[1:]
        if r.edge[1] == pid:
            segments = segments[:-1]
        if any(_crosses(p, q, rect) for p, q in segments for rect in keep_out):
            return False
    for i, (p, q) in new.items():
        ends = routes[i].edge[:2]
        for n in nodes.values():
            if n.id not in ends and _crosses(p, q, (n.left - 1, n.top - 1, n.right + 1,
                                                    n.bottom + 1)):
                return False
    return True


def _meets(a: Rect, b: Rect) -> bool:
    """Whether two open rectangles share a point."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(p: Point, q: Point, rect: Rect) -> bool:
    """Whether the axis-parallel segment p-q meets the closed rectangle."""
    return (min(p[0], q[0]) <= rect[2] and rect[0] <= max(p[0], q[0])
            and min(p[1], q[1]) <= rect[3] and rect[1] <= max(p[1], q[1]))
