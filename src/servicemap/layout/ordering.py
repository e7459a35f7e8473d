"""Row order in each lane band: layer sweeps with transposition, the fewest crossings kept."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .deadline import Deadline

__all__ = ["SWEEPS", "Cells", "count_crossings", "order_rows"]

SWEEPS = 8  # layer sweeps, alternately left to right and right to left
TRANSPOSE_PASSES = 4  # most passes of adjacent swaps per column and sweep
SEGMENT_BUDGET = 200_000  # more gap segments than this: barycentre sweeps only

Cells = dict[tuple[str, int], list[str]]
"""Steps by ``(lane, column)``, in map order."""


def count_crossings(segments: Sequence[tuple[int, int]]) -> int:
    """Crossings of straight segments between two layers, given their end positions.

    Two segments ``(p1, q1)`` and ``(p2, q2)`` cross when ``p1 < p2`` and
    ``q1 > q2``; segments sharing an end do not.

    >>> count_crossings([(0, 2), (1, 1), (2, 0)]), count_crossings([(0, 0), (0, 1), (1, 1)])
    (3, 0)

    Notes:
        O(n log n): an inversion count with a Fenwick tree over the sorted
        right ends (Barth, Jünger & Mutzel, "Simple and efficient bilayer
        cross counting", JGAA 8(2), 2004).
    """
    if len(segments) < 2:
        return 0
    rank = {q: k for k, q in enumerate(sorted({q for _, q in segments}))}
    tree = [0] * (len(rank) + 1)
    crossings = 0
    for seen, (_, q) in enumerate(sorted(segments)):
        k = rank[q] + 1
        below, j = 0, k  # segments seen so far ending at or above q
        while j:
            below += tree[j]
            j -= j & -j
        crossings += seen - below
        while k < len(tree):
            tree[k] += 1
            k += k & -k
    return crossings


@dataclass
class _Sweep:
    """The state the sweeps work on: positions, neighbours and the segments in each gap."""

    pos: dict[str, int]  # band offset + row
    preds: dict[str, list[str]]
    succs: dict[str, list[str]]
    gap_pairs: list[list[tuple[str, str]]]  # per gap: (left end, right end) of each segment
    gaps_of: dict[str, list[int]]  # the gaps a step's segments pass

    def crossings(self, gap: int) -> int:
        """Crossings of the segments in ``gap`` at the current positions."""
        pos = self.pos
        return count_crossings([(pos[a], pos[b]) for a, b in self.gap_pairs[gap]])


def _sweep_state(slots: dict[str, tuple[int, int]], edges: Sequence[tuple[str, str]],
                 columns: int) -> _Sweep:
    """Neighbours in other columns, and each gap's segments.

    ``slots`` gives each step's column and position. A line from column *a*
    to column *b > a* runs along its source's row and turns in the gap left
    of its target, as routing draws it: in gaps *a+1..b-1* it is a segment
    level at its source's position, in gap *b* it goes to its target's.
    """
    preds: dict[str, list[str]] = {sid: [] for sid in slots}
    succs: dict[str, list[str]] = {sid: [] for sid in slots}
    gap_pairs: list[list[tuple[str, str]]] = [[] for _ in range(columns + 1)]
    gaps_of: dict[str, list[int]] = {sid: [] for sid in slots}
    total = 0
    for u, v in edges:
        if slots[v][0] < slots[u][0]:
            u, v = v, u
        cu, cv = slots[u][0], slots[v][0]
        if cu == cv:
            continue
        preds[v].append(u)
        succs[u].append(v)
        total += cv - cu
        if total > SEGMENT_BUDGET:
            continue
        for g in range(cu + 1, cv):
            gap_pairs[g].append((u, u))
        gap_pairs[cv].append((u, v))
        gaps_of[u].extend(range(cu + 1, cv + 1))
        gaps_of[v].append(cv)
    if total > SEGMENT_BUDGET:
        gap_pairs = []
    for sid, gaps in gaps_of.items():
        gaps_of[sid] = sorted(set(gaps))
    return _Sweep({sid: p for sid, (_, p) in slots.items()}, preds, succs, gap_pairs, gaps_of)


def order_rows(cells: Cells, rows: dict[str, int], offset: dict[str, int],
               row_of: dict[str, int], edges: Sequence[tuple[str, str]], columns: int,
               deadline: Deadline) -> None:
    """Choose each step's row in its lane band, in place in ``row_of``.

    Alternate sweeps left to right and right to left: each cell's steps are
    sorted by the barycentre of their neighbours in the columns already
    swept and given rows near it; then adjacent steps of a cell swap rows
    while that removes crossings. The rows with the fewest crossings seen
    are kept. Lanes and columns never change.

    Args:
        cells: Steps by (lane, column), in map order.
        rows: Rows of each lane's band (its largest cell).
        offset: Each lane's first row counted over all bands.
        row_of: Each step's row in its band (read as the first order, then set).
        edges: Flow lines (source, target) to keep uncrossed (rework excluded).
        columns: The column count.
        deadline: Checked once per column and sweep.

    Notes:
        Barycentre layer sweeps with adjacent transposition and the best
        order kept (Gansner, Koutsofios, North & Vo, "A technique for drawing
        directed graphs", IEEE TSE 19(3), 1993), crossings counted per gap in
        O(S log S), S the segments, a line spanning k columns counting k
        (:func:`count_crossings`). O(SWEEPS * S log S) plus the swaps; above
        :data:`SEGMENT_BUDGET` segments only the barycentre sweeps run.
    """
    by_column: dict[int, list[tuple[str, int]]] = {}
    for key in cells:
        if rows[key[0]] > 1:  # one row: nothing to choose
            by_column.setdefault(key[1], []).append(key)
    if not by_column:
        for _ in range(columns):
            deadline.check("ordering the steps in their rows")
        return
    column_of = {sid: col for (_, col), members in cells.items() for sid in members}
    lane_of = {sid: lane for (lane, _), members in cells.items() for sid in members}
    st = _sweep_state({sid: (column_of[sid], offset[lane_of[sid]] + row_of[sid])
                       for sid in row_of}, edges, columns)
    counted = bool(st.gap_pairs)
    gap_count = [st.crossings(g) for g in range(columns + 1)] if counted else []
    best, best_rows = sum(gap_count), dict(row_of)
    for sweep in range(SWEEPS if counted else SWEEPS // 2):
        forward = sweep % 2 == 0
        for col in range(columns) if forward else reversed(range(columns)):
            deadline.check("ordering the steps in their rows")
            if col not in by_column:
                continue
            for key in by_column[col]:
                _barycentre_place(key, cells[key], rows, offset, row_of, st,
                              st.preds if forward else st.succs)
            if counted:
                _transpose(by_column[col], cells, offset, row_of, st, gap_count)
        if counted:
            gap_count = [st.crossings(g) for g in range(columns + 1)]
            if sum(gap_count) < best:
                best, best_rows = sum(gap_count), dict(row_of)
    if counted:
        row_of.update(best_rows)


def _barycentre_place(key: tuple[str, int], members: list[str], rows: dict[str, int],
                  offset: dict[str, int], row_of: dict[str, int], st: _Sweep,
                  neighbours: dict[str, list[str]]) -> None:
    """Sort a cell's steps by their neighbours' barycentre and give them rows near it."""
    lane = key[0]
    wanted: dict[str, float] = {}
    for sid in members:
        near = neighbours[sid]
        wanted[sid] = (sum(st.pos[n] for n in near) / len(near) if near
                       else float(st.pos[sid])) - offset[lane]
    members.sort(key=lambda sid: (wanted[sid], row_of[sid]))
    m, chosen = len(members), list[int]()
    for i, sid in enumerate(members):
        lo = chosen[-1] + 1 if chosen else 0
        chosen.append(min(max(math.floor(wanted[sid] + 0.5), lo), rows[lane] - (m - i)))
    for sid, r in zip(members, chosen, strict=True):
        row_of[sid] = r
        st.pos[sid] = offset[lane] + r


def _transpose(keys: list[tuple[str, int]], cells: Cells, offset: dict[str, int],
               row_of: dict[str, int], st: _Sweep, gap_count: list[int]) -> None:
    """Swap the rows of neighbouring steps of a cell while that lowers the crossings."""
    for _ in range(TRANSPOSE_PASSES):
        improved = False
        for key in keys:
            members = cells[key]
            for k in range(len(members) - 1):
                a, b = members[k], members[k + 1]
                gaps = sorted(set(st.gaps_of[a]) | set(st.gaps_of[b]))
                if not gaps:
                    continue
                before = sum(gap_count[g] for g in gaps)
                _swap(a, b, key[0], offset, row_of, st)
                after = [st.crossings(g) for g in gaps]
                if sum(after) < before:
                    members[k], members[k + 1] = b, a
                    for g, c in zip(gaps, after, strict=True):
                        gap_count[g] = c
                    improved = True
                else:
                    _swap(a, b, key[0], offset, row_of, st)
        if not improved:
            return


def _swap(a: str, b: str, lane: str, offset: dict[str, int], row_of: dict[str, int],
          st: _Sweep) -> None:
    """Exchange the rows of steps ``a`` and ``b`` of one lane."""
    row_of[a], row_of[b] = row_of[b], row_of[a]
    st.pos[a], st.pos[b] = offset[lane] + row_of[a], offset[lane] + row_of[b]

