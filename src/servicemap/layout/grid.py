"""Grid placement: flow columns by longest path, phases as column blocks, lanes as bands."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import LAYERS, LINES, Blueprint, Decision
from ..text import DECISION_SHARE, LINE_HEIGHT, STEP_LINES, STEP_WRAP, step_label, text_width
from .deadline import Deadline
from .ordering import Cells, order_rows

__all__ = ["DASHED_LINE", "NO_LANE", "NO_PHASE", "PARALLEL_BAR", "Edge", "Grid", "Slot",
           "back_edges", "layer_lines", "main_branches", "place", "step_size"]

NO_LANE = "\x00no-lane"
NO_PHASE = "\x00no-phase"
DASHED_LINE = "visibility"  # the blueprint line drawn dashed
PARALLEL_BAR = (10.0, 48.0)
"""Width and height of a parallel step's bar (points); its box has room for the label."""

STEP_MIN_WIDTH = 60.0
"""Narrowest box of a step with a label (points)."""
ROUND_CLEAR = 6.0
"""Least room between a label's corner and the round end of a terminator or delay (points)."""
DECISION_MIN = (80.0, 52.0)
"""Smallest diamond, width and height (points)."""

Edge = tuple[str, str, int]
"""A flow line: ``(source id, target id, position in the source's next)``."""


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
    lanes: list[str]  # band order (declared, then NO_LANE if used); [""] without lanes
    phases: list[str]  # column block order (declared, then NO_PHASE if used); [] without
    columns: int
    rows: dict[str, int]  # lane -> rows in its band (0 for an empty lane)
    edges: list[Edge]  # in declared order
    back: set[Edge] = field(default_factory=set)  # rework edges, drawn around
    phase_columns: dict[str, tuple[int, int]] = field(default_factory=dict)  # first, last
    main: set[Edge] = field(default_factory=set)  # each decision's main branch
    drops: set[Edge] = field(default_factory=set)  # hand-offs straight down or up, one column


def step_size(kind: str, title: str, wrap_width: float = STEP_WRAP
              ) -> tuple[float, float, tuple[str, ...]]:
    """Box width, height and wrapped label lines of a step symbol.

    A diamond holds its text in about half its width and height, so decisions
    are larger than their text; connectors are small circles. The lines are
    those of :func:`servicemap.text.step_label`: a long label is cut.

    >>> step_size("connector", "A")[:2]
    (22.0, 22.0)
    >>> step_size("parallel", "both")[1] == PARALLEL_BAR[1] + 26
    True
    >>> w, h, lines = step_size("decision", "Customer confirms in time?")
    >>> w > text_width(max(lines, key=text_width)) * 1.6 and h >= 52
    True
    """
    w, h, lines = _step_size(kind, title, wrap_width)
    return float(math.ceil(w)), float(math.ceil(h)), lines  # whole points: no float noise


def _step_size(kind: str, title: str, wrap_width: float) -> tuple[float, float, tuple[str, ...]]:
    """:func:`step_size` before rounding up."""
    lines = step_label(kind, title, wrap_width).lines
    if kind == "parallel":  # a bar across the flow; its label above it, in room kept for it
        w = max(text_width(line) for line in lines)
        h = PARALLEL_BAR[1] + 2 * LINE_HEIGHT * len(lines)
        return max(PARALLEL_BAR[0] + 16, w + 8), h, lines
    if kind == "connector":
        d = max(22.0, text_width(lines[0]) + 10)
        return d, d, lines
    if kind == "decision":
        return _diamond(title, wrap_width)
    w = max(text_width(line) for line in lines)
    h = LINE_HEIGHT * len(lines)
    if kind == "terminator":  # round ends: every line's corners inside them
        h = max(36.0, h + 14)
        r = h / 2
        need = max(width + 2 * (r - math.sqrt(r ** 2 - (far + 2) ** 2) + ROUND_CLEAR)
                   for far, width in _line_reach(lines))
        return max(STEP_MIN_WIDTH, need + 4), h, lines
    if kind == "delay":  # the text is drawn centred left of the round end
        h = max(36.0, h + 14)
        return max(STEP_MIN_WIDTH, w + h * 0.5 + 14), h, lines
    extra = 30.0 if kind == "predefined" else 16.0
    return max(STEP_MIN_WIDTH, w + extra), max(36.0, h + 16), lines


DIAMOND_INSIDE = 0.92
"""Share of a diamond (inside a 4 pt margin) its text's corners may reach: |x|/(W/2) + |y|/(H/2)."""
DIAMOND_TALL = 0.5
"""Width a point of a diamond's height is worth: it grows taller while that saves more width."""
DIAMOND_ASPECT = 1.5
"""Most height of a diamond per point of its width."""


def _diamond(title: str, wrap_width: float) -> tuple[float, float, tuple[str, ...]]:
    """Width, height and lines of a decision: the narrowest diamond for its label, height aside.

    The label is wrapped at its default width, then narrower (never cutting a
    word the default keeps whole, nor cutting the label where the default
    does not); every line's corners must lie inside the diamond, so the
    short lines at its top and bottom take less room than a box around all
    lines would. Of all wrappings and heights the one with the least
    ``width + DIAMOND_TALL * height`` is taken: a diamond grows taller
    rather than wider while a point of height saves that much width.
    """
    fitted = step_label("decision", title, wrap_width)
    first = fitted.lines
    words = max((text_width(w) for w in title[:STEP_LINES * 40].split()), default=0.0)
    best = (math.inf, 0.0, 0.0, first)
    while True:
        w, h = _diamond_size(fitted.lines)
        best = min(best, (w + DIAMOND_TALL * h, w, h, fitted.lines), key=lambda b: b[0])
        room = max(text_width(line) for line in fitted.lines) - 1
        if room < words or len(fitted.lines) >= STEP_LINES:
            break
        fitted = step_label("decision", title, room / DECISION_SHARE)
        if fitted.cut or max(text_width(line) for line in fitted.lines) > room:
            break
    return best[1], best[2], best[3]


def _diamond_size(lines: Sequence[str]) -> tuple[float, float]:
    """The least ``width + DIAMOND_TALL * height`` diamond holding ``lines`` (centred, a line
    pitch apart): heights tried in 4 pt steps from the least one, up to
    :data:`DIAMOND_ASPECT` times the width."""
    half = LINE_HEIGHT * len(lines) / 2
    reach = [(far, width / 2) for far, width in _line_reach(lines)]
    best = (math.inf, 0.0, 0.0)
    height = max(DECISION_MIN[1], 2 * half / DIAMOND_INSIDE + 12)
    for _ in range(40):
        b = (height - 8) / 2
        a = max(x / (DIAMOND_INSIDE - y / b) for y, x in reach)
        width = max(DECISION_MIN[0], 2 * a + 8)
        cost = width + DIAMOND_TALL * height
        if cost > best[0] or (height > DIAMOND_ASPECT * width and best[0] < math.inf):
            break
        best = (cost, width, height)
        height += 4
    return best[1], best[2]


def _line_reach(lines: Sequence[str]) -> list[tuple[float, float]]:
    """Each line's farthest edge from the label's centre, and its width (the lines centred,
    a line pitch apart).

    >>> [(far, round(width, 1)) for far, width in _line_reach(["ab", "abc", "a"])]
    [(19.5, 12.4), (6.5, 18.6), (19.5, 6.2)]
    """
    half = LINE_HEIGHT * len(lines) / 2
    return [(max(abs(LINE_HEIGHT * i - half), abs(LINE_HEIGHT * (i + 1) - half)),
             text_width(line)) for i, line in enumerate(lines)]


def back_edges(order: Sequence[str], succ: dict[str, list[tuple[str, int]]],
               starts: Sequence[str]) -> set[Edge]:
    """Edges closing a cycle in a depth-first search from the starts, then declared order.

    Iterative, so long chains do not exhaust the stack.

    >>> back_edges(["a", "b"], {"a": [("b", 0)], "b": [("a", 0)]}, ["a"])
    {('b', 'a', 0)}
    """
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[Edge] = set()
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


def place(bp: Blueprint, *, wrap_width: float = STEP_WRAP, deadline: Deadline | None = None
          ) -> Grid:
    """Assign every step a column and a row.

    Columns: longest-path layering with rework edges set aside, computed per
    phase block so every step of phase *k* lies left of every step of phase
    *k+1*; an empty phase keeps one empty column. Rows: steps sharing a lane
    and column are stacked; barycentre sweeps order each stack and move steps
    to the rows of their neighbours, so chains stay straight.

    Args:
        bp: The map.
        wrap_width: Width in points at which step labels wrap (it sizes the slots).
        deadline: When to give up (checked per step and per sweep); default none.

    Returns:
        The grid: slots, band and phase order, edges and the rework among them.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Loop
        ... steps:
        ...   - {id: a, kind: terminator, next: b}
        ...   - {id: b, kind: decision, next: [{to: c, label: ok}, {to: a, label: again}]}
        ...   - {id: c, kind: terminator}
        ... ''')
        >>> grid = place(bp)
        >>> {s.id: s.column for s in grid.slots.values()}, grid.back
        ({'a': 0, 'b': 1, 'c': 2}, {('b', 'a', 1)})

    Complexity: O(V + E) per sweep plus sorting.
    """
    deadline = deadline or Deadline(None)
    slots, lanes, phase_ids = _slots(bp, wrap_width, deadline)
    phase_rank = {p: i for i, p in enumerate(phase_ids or [""])}
    edges, succ = _flow_edges(bp, slots)
    back = _rework_edges(slots, edges, succ, phase_rank)
    main = main_branches(bp, edges)
    refused: set[Edge] = set()
    drops = _hand_offs(slots, lanes, edges, back, main, refused)
    for attempt in range(HAND_OFF_ROUNDS + 1):
        if attempt == HAND_OFF_ROUNDS:
            drops = set()
        rank = _longest_path(list(slots), edges, back, drops)
        columns, phase_columns = _place_columns(slots, rank, phase_rank)
        deadline.check("placing the steps")
        rows = _order_rows(slots, lanes, edges, back, columns, deadline)
        blocked = _blocked_hand_offs(slots, lanes, drops, edges, back)
        if not blocked:
            break
        refused |= blocked
        # Hand-offs the blocked ones kept out may take their place (in the first
        # REOFFER_ROUNDS rounds; then the blocked ones are only dropped).
        drops = (_hand_offs(slots, lanes, edges, back, main, refused)
                 if attempt < REOFFER_ROUNDS else drops - blocked)
    return Grid(slots, lanes, [p for p in phase_rank if p], columns, rows, edges, back,
                phase_columns, main, drops)


HAND_OFF_ROUNDS = 4  # placements tried before giving up the hand-offs still blocked
REOFFER_ROUNDS = 2  # of them, rounds that offer hand-offs anew without the blocked ones


def _hand_offs(slots: dict[str, Slot], lanes: Sequence[str], edges: Sequence[Edge],
               back: set[Edge], main: set[Edge], refused: set[Edge]) -> set[Edge]:
    """Flows that may go straight down or up into the next step, in the source's column.

    A flow from a step whose only forward flow it is to a step in another
    lane of the same phase hands off vertically (the target sits in the
    source's column; other flows into the target come from the left, and a
    target they push further right gives the hand-off up); one hand-off
    goes into a step at most. A decision with two branches, both forward,
    hands off one of them by its top or bottom corner, the other branch
    first (the main branch keeps straight on where it can). Flows in
    ``refused`` (their hand-off was blocked) do not hand off. Hand-offs chain
    down a column only while they keep going the same way (all down or all
    up), so each passes lanes the others do not touch; and a step does not
    hand off into the lane a flow into it comes along (that line would run
    up to the target and turn away just before it). Parallel bars keep
    their flow across, and a decision with three branches or more keeps its
    top and bottom corners for them.
    """
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    outs: dict[str, int] = dict.fromkeys(slots, 0)
    branches: dict[str, int] = dict.fromkeys(slots, 0)
    came: dict[str, list[Edge]] = {}  # forward flows into each step
    for e in edges:
        branches[e[0]] += e[0] != e[1]
        if e not in back and e[0] != e[1]:
            outs[e[0]] += 1
            came.setdefault(e[1], []).append(e)
    drops: set[Edge] = set()
    way_out: dict[str, int] = {}  # a hand-off's source: down (1) or up (-1)
    way_in: dict[str, int] = {}  # a hand-off's target: the same
    # A decision with two branches forward hands off one of them, its main branch only
    # if the other cannot: the main branch keeps straight on where it can.
    later = [e for e in edges if e in main and outs[e[0]] == 2]
    for e in [*(e for e in edges if e not in main or outs[e[0]] != 2), *later]:
        u, v = slots[e[0]], slots[e[1]]
        alone = outs[u.id] == 1 or (u.kind == "decision" and outs[u.id] == branches[u.id] == 2
                                    and u.id not in way_out)
        if (e in back or e in refused or e[0] == e[1] or not alone or u.lane == v.lane
                or u.phase != v.phase
                or "parallel" in (u.kind, v.kind)
                or (v.kind == "decision" and branches[v.id] > 2)):
            continue
        way = 1 if lane_index[v.lane] > lane_index[u.lane] else -1
        if (v.id in way_in or way_in.get(u.id, way) != way or way_out.get(v.id, way) != way
                or any(slots[f[0]].lane == v.lane and f not in drops for f in came.get(u.id, []))):
            continue  # a line coming along v's lane into u would end just before v
        drops.add(e)
        way_out[u.id] = way
        way_in[v.id] = way
    return drops


def _blocked_hand_offs(slots: dict[str, Slot], lanes: Sequence[str], drops: set[Edge],
                       edges: Sequence[Edge], back: set[Edge]) -> set[Edge]:
    """The hand-offs whose straight line would pass another step of their column, or cross
    the line of a loop back along their source's row (:class:`_Leaves`)."""
    if not drops:
        return set()
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    stacked: dict[int, list[tuple[int, int]]] = {}
    for sl in slots.values():
        stacked.setdefault(sl.column, []).append((lane_index[sl.lane], sl.row))
    for keys in stacked.values():
        keys.sort()
    loops: dict[str, list[str]] = {}
    for e in back:
        loops.setdefault(e[0], []).append(e[1])
    leaves = _Leaves.of(slots, lane_index, edges, back, drops)
    blocked: set[Edge] = set()
    for e in drops:
        u, v = slots[e[0]], slots[e[1]]
        a, b = (lane_index[u.lane], u.row), (lane_index[v.lane], v.row)
        keys = stacked[u.column]
        lo, hi = min(a, b), max(a, b)
        i = bisect.bisect_right(keys, lo)
        if u.column != v.column or (i < len(keys) and keys[i] < hi) or any(
                (slots[t].lane, slots[t].row) == (u.lane, u.row)
                and leaves.within((u.lane, u.row), -1 if b > a else 1, slots[t].column, u.column,
                                  t)
                for t in loops.get(u.id, [])):
            blocked.add(e)
    return blocked


@dataclass
class _Leaves:
    """Forward lines leaving a row to the side above (-1) or below (+1): their column spans.

    A loop from a step back along its own row runs beside the row, above or
    below; a line between a step of the row in the loop's columns and a step
    on one side bars that side, so a hand-off out of the loop's last step to
    the other side would be crossed by the loop. A hand-off straight into or
    out of the loop's first step does not: it meets that step in the middle
    of its side, and the loop turns into the side beside it.
    """

    spans: dict[tuple[tuple[str, int], int], _Spans]

    @classmethod
    def of(cls, slots: dict[str, Slot], lane_index: dict[str, int], edges: Sequence[Edge],
           back: set[Edge], drops: set[Edge]) -> _Leaves:
        """The lines of ``edges`` (rework and self-loops aside) leaving each row; a
        hand-off's span names the step it leaves the row at."""
        spans: dict[tuple[tuple[str, int], int], list[tuple[int, int, str]]] = {}
        for e in edges:
            if e in back or e[0] == e[1]:
                continue
            x, y = slots[e[0]], slots[e[1]]
            if (x.lane, x.row) == (y.lane, y.row):
                continue
            span = (min(x.column, y.column), max(x.column, y.column))
            for here, there in ((x, y), (y, x)):
                side = -1 if (lane_index[there.lane], there.row) < (lane_index[here.lane],
                                                                    here.row) else 1
                spans.setdefault(((here.lane, here.row), side), []).append(
                    (*span, here.id if e in drops else ""))
        return cls({key: _Spans.of(items) for key, items in spans.items()})

    def within(self, row: tuple[str, int], side: int, first: int, last: int,
               skip: str = "") -> bool:
        """Whether a line leaves ``row`` to ``side`` within columns ``first..last``
        (hand-offs at step ``skip`` aside)."""
        spans = self.spans.get((row, side))
        if spans is None:
            return False
        i, j = bisect.bisect_left(spans.los, first), bisect.bisect_right(spans.los, last)
        cuts = [k for k in spans.at.get(skip, ()) if i <= k < j] if skip else []
        bounds = [i - 1, *cuts, j]  # the stretches between the skipped hand-offs
        return any(spans.least_hi(a + 1, b) <= last for a, b in itertools.pairwise(bounds))


@dataclass
class _Spans:
    """Column spans ``(lo, hi)`` sorted by ``lo``, with a sparse table of the least ``hi``
    over any run of them, so "does a span lie inside ``first..last``" takes
    O(1) after an O(k log k) build (a plain scan was quadratic on long rows:
    100,000 steps took 109 times the 10,000-step time in it).

    >>> spans = _Spans.of([(0, 5, ""), (1, 2, "x"), (3, 9, "")])
    >>> spans.least_hi(0, 3), spans.least_hi(2, 3), spans.at
    (2, 9, {'x': [1]})
    """

    los: list[int]
    table: list[list[int]]  # table[p][k]: the least hi of spans k .. k + 2**p - 1
    at: dict[str, list[int]]  # a hand-off's step -> the indices of its spans

    @classmethod
    def of(cls, items: list[tuple[int, int, str]]) -> _Spans:
        """The index of ``(lo, hi, step)`` spans (step "" for lines that are not hand-offs)."""
        items.sort()
        table = [[hi for _, hi, _ in items]]
        width = 1
        while 2 * width <= len(items):
            prev = table[-1]
            table.append([min(prev[k], prev[k + width]) for k in range(len(items) - 2 * width + 1)])
            width *= 2
        at: dict[str, list[int]] = {}
        for k, (_, _, step) in enumerate(items):
            if step:
                at.setdefault(step, []).append(k)
        return cls([lo for lo, _, _ in items], table, at)

    def least_hi(self, i: int, j: int) -> float:
        """The least ``hi`` of spans ``i .. j - 1`` (infinity for none)."""
        if i >= j:
            return math.inf
        p = (j - i).bit_length() - 1
        return min(self.table[p][i], self.table[p][j - (1 << p)])


def main_branches(bp: Blueprint, edges: Sequence[Edge]) -> set[Edge]:
    """Each decision's main branch: the most probable, the first listed on a tie or none given.

    Only decisions with two or more branches among ``edges`` have one; a
    branch without a probability counts as less likely than any given one.

    >>> from servicemap import loads
    >>> bp = loads('''
    ... name: M
    ... steps:
    ...   - {id: d, kind: decision, next: [{to: a, probability: 0.2}, {to: b, probability: 0.8}]}
    ...   - {id: a, kind: terminator}
    ...   - {id: b, kind: terminator}
    ... ''')
    >>> main_branches(bp, [("d", "a", 0), ("d", "b", 1)])
    {('d', 'b', 1)}
    """
    chance: dict[tuple[str, int], float] = {}
    for s in bp.steps:
        if isinstance(s, Decision):
            for j, b in enumerate(s.next):
                chance.setdefault((s.id, j), -1.0 if b.probability is None else b.probability)
    best: dict[str, Edge] = {}
    count: dict[str, int] = {}
    for e in edges:
        if (e[0], e[2]) not in chance or e[0] == e[1]:
            continue
        count[e[0]] = count.get(e[0], 0) + 1
        if e[0] not in best or chance[(e[0], e[2])] > chance[(e[0], best[e[0]][2])]:
            best[e[0]] = e
    return {e for sid, e in best.items() if count[sid] >= 2}


def _slots(bp: Blueprint, wrap_width: float, deadline: Deadline
           ) -> tuple[dict[str, Slot], list[str], list[str]]:
    """A slot per step (a repeated id's first step counts), the band order, the phase order.

    Steps without a known lane go to the band ``NO_LANE`` after the declared
    lanes (``""`` is the one band of a map without lanes); likewise phases.
    """
    lane_ids = [lane.id for lane in bp.lanes]
    phase_ids = [p.id for p in bp.phases]
    known_lanes, known_phases = set(lane_ids), set(phase_ids)
    slots: dict[str, Slot] = {}
    for s in bp.steps:
        if s.id in slots:
            continue
        deadline.check("placing the steps")
        w, h, lines = step_size(s.kind, s.title, wrap_width)
        lane = s.lane if s.lane in known_lanes else (NO_LANE if lane_ids else "")
        phase = s.phase if s.phase in known_phases else (NO_PHASE if phase_ids else "")
        slots[s.id] = Slot(s.id, s.kind, lane, phase, width=w, height=h, lines=lines)
    if any(sl.lane == NO_LANE for sl in slots.values()):
        lane_ids.append(NO_LANE)
    if any(sl.phase == NO_PHASE for sl in slots.values()):
        phase_ids.append(NO_PHASE)
    return slots, lane_ids or [""], phase_ids


def _flow_edges(bp: Blueprint, slots: dict[str, Slot]
                ) -> tuple[list[Edge], dict[str, list[tuple[str, int]]]]:
    """Every flow line between known steps in declared order, and each step's successors."""
    succ: dict[str, list[tuple[str, int]]] = {i: [] for i in slots}
    edges: list[Edge] = []
    seen: set[str] = set()
    for s in bp.steps:
        if s.id in seen:  # a duplicate id: the first step counts
            continue
        seen.add(s.id)
        for j, t in enumerate(s.targets()):
            if t in slots:
                succ[s.id].append((t, j))
                edges.append((s.id, t, j))
    return edges, succ


def _rework_edges(slots: dict[str, Slot], edges: list[Edge],
                  succ: dict[str, list[tuple[str, int]]], phase_rank: dict[str, int]
                  ) -> set[Edge]:
    """Edges drawn around: those closing a cycle, and flows into an earlier phase."""
    order = list(slots)
    indeg = dict.fromkeys(order, 0)
    for _, t, _ in edges:
        indeg[t] += 1
    starts = [i for i in order if indeg[i] == 0]
    back = back_edges(order, succ, starts)
    for u, v, j in edges:
        if phase_rank[slots[v].phase] < phase_rank[slots[u].phase]:
            back.add((u, v, j))
    return back


def _longest_path(order: list[str], edges: list[Edge], back: set[Edge], drops: set[Edge]
                  ) -> dict[str, int]:
    """Each step's rank: the longest path to it over the forward edges (a DAG), in Kahn's order.

    A hand-off in ``drops`` keeps its target at its source's rank.
    """
    fwd: dict[str, list[tuple[str, int]]] = {i: [] for i in order}
    indeg = dict.fromkeys(order, 0)
    for e in edges:
        if e not in back and e[0] != e[1]:
            fwd[e[0]].append((e[1], 0 if e in drops else 1))
            indeg[e[1]] += 1
    rank = dict.fromkeys(order, 0)
    queue = [i for i in order if indeg[i] == 0]
    head = 0
    while head < len(queue):
        u = queue[head]
        head += 1
        for v, step in fwd[u]:
            rank[v] = max(rank[v], rank[u] + step)
            indeg[v] -= 1
            if indeg[v] == 0:
                queue.append(v)
    return rank


def _place_columns(slots: dict[str, Slot], rank: dict[str, int], phase_rank: dict[str, int]
                   ) -> tuple[int, dict[str, tuple[int, int]]]:
    """Set each slot's column: per phase block, the distinct ranks of its steps in order.

    Returns the column count (at least 1) and each phase's first and last column.
    """
    members_of: dict[str, list[str]] = {p: [] for p in phase_rank}
    for sid in slots:
        members_of[slots[sid].phase].append(sid)
    column = 0
    phase_columns: dict[str, tuple[int, int]] = {}
    for p, members in members_of.items():
        local = {r: k for k, r in enumerate(sorted({rank[sid] for sid in members}))}
        for sid in members:
            slots[sid].column = column + local[rank[sid]]
        width = max(1, len(local))
        if p:
            phase_columns[p] = (column, column + width - 1)
        column += width
    return max(column, 1), phase_columns


def _order_rows(slots: dict[str, Slot], lanes: list[str], edges: list[Edge], back: set[Edge],
                columns: int, deadline: Deadline) -> dict[str, int]:
    """Stack steps sharing a lane and column; layer sweeps choose their rows (:mod:`.ordering`)."""
    cells: Cells = {}
    for sid, sl in slots.items():
        cells.setdefault((sl.lane, sl.column), []).append(sid)
    rows = dict.fromkeys(lanes, 0)
    row_of: dict[str, int] = {}
    for (lane, _), members in cells.items():
        rows[lane] = max(rows[lane], len(members))
        for r, sid in enumerate(members):
            row_of[sid] = r
    offset: dict[str, int] = {}
    total = 0
    for lane in lanes:
        offset[lane] = total
        total += rows[lane] + 1
    order_rows(cells, rows, offset, row_of, [(u, v) for u, v, j in edges
                                             if (u, v, j) not in back and u != v],
               columns, deadline)
    for sid, r in row_of.items():
        slots[sid].row = r
    return rows


def layer_lines(layers: Sequence[str | None]) -> list[tuple[int, str, bool]]:
    """Blueprint lines between consecutive lanes: (index of the upper lane, name, dashed).

    A line is drawn only where both neighbouring lanes have layers; between
    customer and backstage lanes both lines they span are given.

    >>> layer_lines(["customer", "onstage", "backstage", "support"])[1]
    (1, 'line of visibility', True)
    >>> layer_lines(["customer", None, "support"])
    []
    """
    out = []
    for i in range(len(layers) - 1):
        a, b = layers[i], layers[i + 1]
        if a in LAYERS and b in LAYERS:
            for line in LINES[LAYERS.index(a):LAYERS.index(b)]:
                out.append((i, f"line of {line}", line == DASHED_LINE))
    return out
