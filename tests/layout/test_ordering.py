"""Row ordering: the crossing count and the sweeps that lower it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import servicemap as sm
from servicemap.layout.grid import place
from servicemap.layout.ordering import count_crossings

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
