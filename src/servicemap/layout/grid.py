"""Grid placement: flow columns by longest path, phases as column blocks, lanes as bands."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import LAYERS, Blueprint
from .text import LINE_HEIGHT, text_width, wrap

__all__ = ["Grid", "Slot", "place"]

NO_LANE = "\x00no-lane"
NO_PHASE = "\x00no-phase"


@dataclass
class Slot:
    """Where a step sits on the grid, and its size."""

    id: str
    kind: str
    lane: str
    phase: str
    column: int = 0
    row: int = 0
    width: float = 0.0
    height: float = 0.0
    lines: tuple[str, ...] = ()


@dataclass
class Grid:
    """Steps placed in cells: a column index and a row inside their lane band."""

    slots: dict[str, Slot]
    lanes: list[str]  # band order (declared, then NO_LANE if used)
    phases: list[str]  # column block order (declared, then NO_PHASE if used)
    columns: int
    rows: dict[str, int]  # lane -> rows in its band
    edges: list[tuple[str, str, int]]  # (source, target, index in next) in declared order
    back: set[tuple[str, str, int]] = field(default_factory=set)  # rework edges


def _size(kind: str, title: str) -> tuple[float, float, tuple[str, ...]]:
    if kind == "connector":
        return 24.0, 24.0, (title[:3],)
    lines = wrap(title, 118.0)
    w = max(text_width(line) for line in lines)
    h = LINE_HEIGHT * len(lines)
    if kind == "decision":
        return max(96.0, w * 1.5 + 24), max(52.0, h * 1.9 + 18), lines
    extra = 34.0 if kind in ("predefined", "terminator", "delay") else 20.0
    return max(84.0, w + extra), max(36.0, h + 16), lines


def _back_edges(order: list[str], succ: dict[str, list[tuple[str, int]]],
                starts: list[str]) -> set[tuple[str, str, int]]:
    """Edges closing a cycle in a depth-first search from the starts, in declared order."""
    state: dict[str, int] = {}  # 1 on stack, 2 done
    back: set[tuple[str, str, int]] = set()
    for root in [*starts, *order]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, 0)]
        while stack:
            node, i = stack[-1]
            children = succ[node]
            if i < len(children):
                stack[-1] = (node, i + 1)
                child, j = children[i]
                s = state.get(child)
                if s is None:
                    state[child] = 1
                    stack.append((child, 0))
                elif s == 1:
                    back.add((node, child, j))
            else:
                state[node] = 2
                stack.pop()
    return back


def place(bp: Blueprint) -> Grid:
    """Assign every step a column and a row.

    Columns: longest-path layering with rework edges set aside, computed per
    phase block so every step of phase *k* lies left of every step of phase
    *k+1*. Rows: steps sharing a lane and column are stacked, ordered by the
    mean row of their predecessors (a barycentre sweep), then declared order.

    Complexity: O(V + E) plus sorting.
    """
    lane_ids = [lane.id for lane in bp.lanes]
    phase_ids = [p.id for p in bp.phases]
    slots: dict[str, Slot] = {}
    for s in bp.steps:
        if s.id in slots:
            continue
        w, h, lines = _size(s.kind, s.title)
        lane = s.lane if s.lane in lane_ids else (NO_LANE if lane_ids else "")
        phase = s.phase if s.phase in phase_ids else (NO_PHASE if phase_ids else "")
        slots[s.id] = Slot(s.id, s.kind, lane, phase, width=w, height=h, lines=lines)
    if any(sl.lane == NO_LANE for sl in slots.values()):
        lane_ids.append(NO_LANE)
    if any(sl.phase == NO_PHASE for sl in slots.values()):
        phase_ids.append(NO_PHASE)
    lanes = lane_ids or [""]
    phases = phase_ids or [""]
    phase_rank = {p: i for i, p in enumerate(phases)}

    order = list(slots)
    succ: dict[str, list[tuple[str, int]]] = {i: [] for i in order}
    edges: list[tuple[str, str, int]] = []
    done: set[str] = set()
    for s in bp.steps:
        if s.id in done:  # a duplicate id: the first step counts
            continue
        done.add(s.id)
        for j, t in enumerate(s.targets()):
            if t in slots:
                succ[s.id].append((t, j))
                edges.append((s.id, t, j))
    indeg = {i: 0 for i in order}
    for _, t, _ in edges:
        indeg[t] += 1
    starts = [i for i in order if indeg[i] == 0]
    back = _back_edges(order, succ, starts)
    # Edges into an earlier phase are drawn around, like rework.
    for u, v, j in edges:
        if phase_rank[slots[v].phase] < phase_rank[slots[u].phase]:
            back.add((u, v, j))

    # Longest path over the forward edges (a DAG), Kahn's order.
    fwd: dict[str, list[str]] = {i: [] for i in order}
    indeg = {i: 0 for i in order}
    for u, v, j in edges:
        if (u, v, j) not in back and u != v:
            fwd[u].append(v)
            indeg[v] += 1
    rank = dict.fromkeys(order, 0)
    queue = [i for i in order if indeg[i] == 0]
    head = 0
    while head < len(queue):
        u = queue[head]
        head += 1
        for v in fwd[u]:
            if rank[u] + 1 > rank[v]:
                rank[v] = rank[u] + 1
            indeg[v] -= 1
            if indeg[v] == 0:
                queue.append(v)

    # Columns: per phase block, the distinct ranks of its steps in order.
    column = 0
    for p in phases:
        members = [sid for sid in order if slots[sid].phase == p]
        distinct = sorted({rank[sid] for sid in members})
        local = {r: k for k, r in enumerate(distinct)}
        for sid in members:
            slots[sid].column = column + local[rank[sid]]
        column += len(distinct)
    columns = max(column, 1)

    # Rows: stack per (lane, column), barycentre of predecessors' rows.
    preds: dict[str, list[str]] = {i: [] for i in order}
    for u, v, _ in edges:
        preds[v].append(u)
    cells: dict[tuple[str, int], list[str]] = {}
    for sid in sorted(order, key=lambda i: slots[i].column):
        cells.setdefault((slots[sid].lane, slots[sid].column), []).append(sid)
    position = {sid: i for i, sid in enumerate(order)}
    for (_lane, _col), members in sorted(cells.items(), key=lambda kv: kv[0][1]):
        def bary(sid: str) -> float:
            rows = [slots[p].row for p in preds[sid] if slots[p].column < slots[sid].column]
            return sum(rows) / len(rows) if rows else 0.0
        members.sort(key=lambda sid: (bary(sid), position[sid]))
        for r, sid in enumerate(members):
            slots[sid].row = r
    rows = {lane: 1 for lane in lanes}
    for sl in slots.values():
        rows[sl.lane] = max(rows[sl.lane], sl.row + 1)
    return Grid(slots, lanes, phases, columns, rows, edges, back)


def layer_lines(layers: list[str | None]) -> list[tuple[int, str, bool]]:
    """Blueprint lines between consecutive lanes: (index of the upper lane, name, dashed).

    >>> layer_lines(["customer", "onstage", "backstage", "support"])[1]
    (1, 'line of visibility', True)
    """
    names = ["line of interaction", "line of visibility", "line of internal interaction"]
    out = []
    for i in range(len(layers) - 1):
        a, b = layers[i], layers[i + 1]
        if a in LAYERS and b in LAYERS:
            ra, rb = LAYERS.index(a), LAYERS.index(b)
            for k in range(ra, rb):
                out.append((i, names[k], k == 1))
    return out
