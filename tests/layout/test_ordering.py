"""Row ordering: the crossing count and the sweeps that lower it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import servicemap as sm
from servicemap.layout.grid import place
from servicemap.layout.ordering import count_crossings
from servicemap.layout.routing import order_tracks

segments = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=30)


@given(segments)
def test_count_crossings_matches_counting_every_pair(segs: list[tuple[int, int]]) -> None:
    brute = sum(1 for i, (p1, q1) in enumerate(segs) for p2, q2 in segs[i + 1:]
                if (p1 - p2) * (q1 - q2) < 0)
    assert count_crossings(segs) == brute


def test_steps_sharing_a_cell_are_ordered_so_lines_do_not_cross() -> None:
    """Listed in the order that crosses, the two middle steps swap rows."""
    bp = sm.loads("""
name: Swap
steps:
  - {id: a, kind: task, next: [c]}
  - {id: b, kind: task, next: [d]}
  - {id: d, kind: task, next: [f]}
  - {id: c, kind: task, next: [e]}
  - {id: e, kind: terminator}
  - {id: f, kind: terminator}
""")
    grid = place(bp)
    row = {sid: sl.row for sid, sl in grid.slots.items()}
    assert (row["a"] < row["b"]) == (row["c"] < row["d"]) == (row["e"] < row["f"])


def test_ordering_is_deterministic() -> None:
    text = """
name: Fan
steps:
  - {id: s, kind: decision, next: [{to: x}, {to: y}, {to: z}]}
  - {id: x, kind: task, next: [m]}
  - {id: y, kind: task, next: [m]}
  - {id: z, kind: task, next: [n]}
  - {id: m, kind: terminator}
  - {id: n, kind: terminator}
"""
    rows = [{sid: sl.row for sid, sl in place(sm.loads(text)).slots.items()} for _ in range(3)]
    assert rows[0] == rows[1] == rows[2]


def test_a_decisions_fan_into_one_gap_does_not_cross_itself() -> None:
    """Three branches going down through one gap take tracks that nest, not cross."""
    from servicemap.layout import compute_layout
    from tests.helpers.layout_checks import assert_layout_properties

    bp = sm.loads("""
name: Fan
lanes: [{id: c, layer: customer}, {id: s, layer: onstage}, {id: b, layer: backstage}]
steps:
  - id: q
    kind: decision
    lane: c
    next: [{to: near, probability: 0.2}, {to: mid, probability: 0.5}, {to: far, probability: 0.3}]
  - {id: near, kind: terminator, lane: c}
  - {id: mid, kind: terminator, lane: s}
  - {id: far, kind: terminator, lane: b}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    segs = [(a, b) for e in lay.edges for a, b in zip(e.points, e.points[1:], strict=False)]
    owner = [k for k, e in enumerate(lay.edges) for _ in e.points[1:]]
    crossings = 0
    for i, (p, q) in enumerate(segs):
        for j, (r, t) in enumerate(segs):
            if owner[i] < owner[j] and p[0] == q[0] and r[1] == t[1]:  # vertical i, level j
                crossings += (min(r[0], t[0]) < p[0] < max(r[0], t[0])
                              and min(p[1], q[1]) < r[1] < max(p[1], q[1]))
            if owner[i] < owner[j] and p[1] == q[1] and r[0] == t[0]:
                crossings += (min(p[0], q[0]) < r[0] < max(p[0], q[0])
                              and min(r[1], t[1]) < p[1] < max(r[1], t[1]))
    assert crossings == 0


def test_runs_fanning_down_from_one_side_nest_instead_of_crossing() -> None:
    """Lines leaving one side at heights 0, 1, 2 for 5, 7, 9: the top one takes the
    right track (the greedy colouring would put it left, crossing both others)."""
    def y(k: int) -> tuple[int, int, float]:
        return (0, k, 0.0)

    runs = [(0, 5), (1, 7), (2, 9)]
    tracks, count = order_tracks([(y(a), y(b)) for a, b in runs],
                                 [[(y(a), -1), (y(b), 1)] for a, b in runs])
    assert (tracks, count) == ([2, 1, 0], 3)
