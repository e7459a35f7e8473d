"""Route choices of the router, checked on the drawn lines of small maps worked by hand."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.layout import Layout, compute_layout, routing
from servicemap.layout.geometry import EdgeRoute
from tests.helpers.layout_checks import assert_layout_properties, false_junctions, runs_along

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mapgen import generate_branching_map, generate_map


def _crossings(lay: Layout) -> int:
    """Points where a horizontal segment of one line crosses a vertical one of another.

    Brute force over every pair of segments, independent of the router's own count.
    """
    segs = [(k, p, q) for k, e in enumerate(lay.edges) for p, q in itertools.pairwise(e.points)]
    n = 0
    for (i, p, q), (j, r, s) in itertools.combinations(segs, 2):
        if i == j:
            continue
        if p[1] == q[1] and r[0] == s[0]:
            h, v = (p, q), (r, s)
        elif p[0] == q[0] and r[1] == s[1]:
            h, v = (r, s), (p, q)
        else:
            continue
        x, y = v[0][0], h[0][1]
        n += (min(h[0][0], h[1][0]) < x < max(h[0][0], h[1][0])
              and min(v[0][1], v[1][1]) < y < max(v[0][1], v[1][1]))
    return n



def _checked(bp: sm.Blueprint) -> Layout:
    """``bp`` laid out, with the layout properties checked."""
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    return lay


def _line(lay: Layout, source: str, target: str) -> EdgeRoute:
    """The one flow line from ``source`` to ``target``."""
    (line,) = [e for e in lay.edges if (e.source, e.target) == (source, target)]
    return line

SKIP = """
name: Skip
lanes: [{id: top}, {id: mid}, {id: low}]
steps:
  - {id: d, kind: decision, lane: mid, next: [{to: a, probability: 0.7}, {to: c, probability: 0.3}]}
  - {id: a, kind: task, lane: top, next: b}
  - {id: b, kind: task, lane: low, next: c}
  - {id: c, kind: task, lane: top}
"""


def test_a_skip_line_takes_the_corridor_it_crosses_no_line_in() -> None:
    # Columns: d 0, a 1 (b handed down under it), c 2. Through the corridor
    # between top and mid, d -> c would cross d -> a's run up the gap left of
    # a and the hand-off a -> b (2 crossings, as before this choice); through
    # the corridor above the top lane it crosses nothing and enters c's top.
    bp = sm.loads(SKIP)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert _crossings(lay) == 0
    skip = next(e for e in lay.edges if (e.source, e.target) == ("d", "c"))
    c = lay.nodes["c"]
    assert skip.points[-1] == (c.x, c.top)  # straight into its top
    assert max(y for _, y in skip.points) <= lay.nodes["d"].top  # up out of the top corner


BESIDE = """
name: Beside
lanes: [{id: a}, {id: b}]
steps:
  - {id: p, kind: task, lane: b, next: u}
  - {id: u, kind: task, lane: a, next: v}
  - {id: v, kind: task, lane: b, next: w}
  - {id: w, kind: task, lane: a}
"""


def test_a_line_turning_before_a_step_in_its_row_ends_clear_of_it() -> None:
    # p hands off up to u, v hands off up to w: u and w share lane a's row,
    # in columns 0 and 1. u -> v runs right along that row and turns down in
    # the gap before w; on the gap's one track (15 pt from w) it read as
    # going into w. An empty track at the gap's right moves it further.
    lay = compute_layout(sm.loads(BESIDE))
    line = next(e for e in lay.edges if (e.source, e.target) == ("u", "v")).points
    (x0, y0), (x1, y1) = line[0], line[1]
    w = lay.nodes["w"]
    assert y0 == y1 == w.y and x0 < x1  # out along the row, towards w
    assert w.left - x1 >= routing.BESIDE


@pytest.mark.parametrize("seed", range(5))
def test_generated_chains_lay_out_without_crossings(seed: int) -> None:
    # A chain of segments, each looping back to its own first step, can be
    # drawn without crossings (plain dot draws these with none); a rework
    # entering its target's top beside a hand-off into it turns in beside it,
    # so the corridor above stays the one to take.
    lay = compute_layout(sm.loads(generate_map(16 + 10 * seed, seed=seed)))
    assert _crossings(lay) == 0


ELBOW_BELOW = """
name: Elbow below a corner
lanes: [{id: l0}, {id: l1}]
phases: [{id: p0}]
steps:
  - {id: s0, kind: terminator}
  - {id: s1, kind: decision, next: [{to: s0, label: 'yes'}, {to: s11, label: 'yes'}]}
  - {id: s2, kind: terminator}
  - {id: s3, kind: terminator}
  - {id: s4, kind: terminator}
  - {id: s5, kind: terminator}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator}
  - {id: s8, kind: terminator, lane: l1, next: s2}
  - {id: s9, kind: terminator}
  - {id: s10, kind: terminator}
  - {id: s11, kind: decision, lane: l0, next: [{to: s0, label: 'yes'}, {to: s0, label: 'yes'}]}
"""


def test_a_corner_exit_keeps_off_an_elbow_down_the_same_column() -> None:
    # Found by the property test: s11's branch out of its bottom corner took
    # a corridor below s8's row, so it ran down s11's column on the elbow
    # from s8 into s2 (in s11's column, below it).
    bp = sm.loads(ELBOW_BELOW)
    lay = compute_layout(bp)
    assert runs_along(lay) == []
    assert_layout_properties(bp, lay)


SMALL_TOP = """
name: generated
lanes: [{id: l0}, {id: l1}]
phases: [{id: p0}]
steps:
  - {id: s0, kind: terminator}
  - {id: s1, kind: terminator}
  - {id: s2, kind: terminator}
  - {id: s3, kind: terminator, lane: l0, next: s9}
  - {id: s4, kind: terminator}
  - {id: s5, kind: terminator}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator, lane: l0, phase: p0, next: s0}
  - {id: s8, kind: terminator}
  - {id: s9, kind: terminator, phase: p0, next: s7}
  - {id: s10, kind: terminator, lane: l0, next: s9}
"""


def test_no_line_turns_into_a_small_top_beside_a_hand_off() -> None:
    # Found by hypothesis: s9 (a terminator with a one-letter label, 8 pt of
    # flat top) hands off straight up to s7 from the centre of its top; s3
    # and s10, coming from the right along the corridor above, turned into
    # that top 2 and 4 pt right of the hand-off, reading as one line with it.
    # With less than a port's room right of the hand-off they enter s9's side.
    bp = sm.loads(SMALL_TOP)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert false_junctions(lay) == []
    s9 = lay.nodes["s9"]
    for e in lay.edges:
        if e.target == "s9":
            assert e.points[-1][1] != s9.top


def test_an_elbow_enters_a_diamond_by_its_free_corner() -> None:
    # Task number 3 (front) to Decide 4? (office, the next column): along
    # s3's row and straight down into the diamond's top corner, one bend
    # (it ran down the gap and into the left corner, two). s4's own branches
    # leave by its right side and its bottom corner, so the top is free.
    lay = _checked(sm.loads(generate_branching_map(10, seed=3)))
    s4 = lay.nodes["s4"]
    line = _line(lay, "s3", "s4")
    assert len(line.points) == 3
    assert line.points[-1] == (s4.x, s4.top)
    assert [e for e in lay.edges if e.points[-1] == (s4.x, s4.top)] == [line]


def test_an_elbow_enters_a_top_a_clear_stretch_beside_a_hand_off() -> None:
    # Task number 6 (office) to Task number 7 (systems, the next column),
    # whose top the hand-off up to Task number 8 leaves at its centre: the
    # elbow turns down 14 pt (CLEAR) left of it, one bend, and never runs
    # closer to the hand-off.
    lay = _checked(sm.loads(generate_branching_map(10, seed=2)))
    s7 = lay.nodes["s7"]
    line = _line(lay, "s6", "s7")
    hand_off = _line(lay, "s7", "s8")
    assert hand_off.points[0] == (s7.x, s7.top)
    assert len(line.points) == 3
    assert line.points[-1] == (s7.x - routing.CLEAR, s7.top)
    assert all(abs(x - s7.x) >= routing.CLEAR for x, _ in line.points[1:])


def test_rework_enters_a_diamond_by_its_free_corner() -> None:
    # Decide 6?'s branch b1 back to Decide 5? (the column before, a lane
    # down): out of s6's bottom corner, back along the corridor under the
    # systems row and up into s5's bottom corner, two bends (it went on to
    # the gap left of s5, up and into its left corner, three).
    lay = _checked(sm.loads(generate_branching_map(11, seed=3)))
    s5, s6 = lay.nodes["s5"], lay.nodes["s6"]
    line = _line(lay, "s6", "s5")
    assert line.points[0] == (s6.x, s6.bottom)
    assert line.points[-1] == (s5.x, s5.bottom)
    assert len(line.points) == 4
    assert [e for e in lay.edges if e.points[-1] == (s5.x, s5.bottom)] == [line]


def test_a_step_sends_its_one_line_to_the_next_column_out_of_its_top() -> None:
    # order_fulfilment: "Offers a substitute part or a later date" (service
    # desk) sends its one line to "Customer's choice" (customer lane, the
    # next column): straight up out of its top to the diamond's row and
    # along it into the left corner, one bend (it went out right, up the
    # gap and in, two). "Order confirmation ..." (partners lane) runs along
    # its row and up into the bottom corner of "All items in stock?", one
    # bend. The corridors a line goes round by count the lines turning into
    # them as crossing it half the time (8 crossings, were 10).
    lay = _checked(sm.load(Path(__file__).resolve().parents[2] / "examples"
                           / "order_fulfilment.yaml"))
    lines = {(e.source, e.target): e.points for e in lay.edges}
    offer, choice = lay.nodes["offer"], lay.nodes["choice"]
    assert lines[("offer", "choice")] == ((offer.x, offer.top), (offer.x, choice.y),
                                          (choice.left, choice.y))
    check = lay.nodes["availability"]
    assert len(lines[("confirmation", "availability")]) == 3
    assert lines[("confirmation", "availability")][-1] == (check.x, check.bottom)
    assert _crossings(lay) <= 8


LABEL_BEFORE_A_STEP = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0, phase: p1}
  - {id: s1, kind: terminator}
  - {id: s6, kind: terminator, phase: p0, next: s1}
  - {id: s17, kind: terminator, phase: p1}
  - {id: s20, kind: decision, lane: l0, phase: p1, next: [{to: s17, label: 'no'}]}
  - {id: s22, kind: terminator, label: '?????????????', phase: p1, next: s0}
"""


def test_a_branch_behind_its_label_turns_clear_of_the_next_step() -> None:
    # Found by the layout property test: s20's branch "no" (labelled beside
    # the diamond) turned down on the gap's right track 15.95 pt short of s0
    # (the next column, in s20's row), reading as a line into s0. Tracks
    # behind a branch label keep TURN_CLEAR (18 pt) from the next column.
    lay = _checked(sm.loads(LABEL_BEFORE_A_STEP))
    (line,) = [e for e in lay.edges if e.source == "s20"]
    assert lay.nodes["s0"].left - line.points[1][0] >= 18


def test_a_branch_leaves_by_its_corner_along_a_free_row_columns_away() -> None:
    # Decide 0?'s branch b1 to Decide 5? (systems lane, three columns on,
    # the systems row free up to it): straight down from s0's bottom corner
    # to s5's row and along it into s5's left corner, one bend (it went down
    # to a corridor, along it, down a gap and in: three).
    lay = _checked(sm.loads(generate_branching_map(12, seed=7)))
    s0, s5 = lay.nodes["s0"], lay.nodes["s5"]
    line = _line(lay, "s0", "s5")
    assert s5.column - s0.column == 3
    assert line.points == ((s0.x, s0.bottom), (s0.x, s5.y), (s5.left, s5.y))


def test_lines_out_of_one_side_are_ordered_by_where_they_turn() -> None:
    # Decide 33? sends two branches down out of its right side: to s34 (the
    # next column, turning down in the gap before it) and to s36 (two
    # columns on, turning down in a later gap). The one turning first leaves
    # below the other, so it does not cross the other's run to its turn (it
    # left above it, ordered by where the lines end, and crossed it).
    lay = _checked(sm.loads(generate_branching_map(48, seed=1)))
    lines = {(e.source, e.target): e for e in lay.edges}
    near, far = lines[("s33", "s34")], lines[("s33", "s36")]
    assert near.points[1][0] < far.points[1][0]  # turns first
    assert near.points[0][1] > far.points[0][1]  # from the lower port
    one = Layout(lay.width, lay.height, lay.nodes, [near, far])
    assert _crossings(one) == 0


CROSS_IN_A_COLUMN = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}]
steps:
  - {id: s0, kind: terminator, lane: l0, phase: p0, next: s4}
  - {id: s1, kind: terminator, lane: l0, phase: p0}
  - {id: s2, kind: terminator, phase: p0}
  - {id: s3, kind: terminator}
  - {id: s4, kind: terminator, lane: l0, phase: p0, next: s2}
  - {id: s6, kind: decision, lane: l0, phase: p0, next: [{to: s0}, {to: s3}]}
  - {id: s10, kind: decision, phase: p0, next: [{to: s0}, {to: s0}, {to: s0}, {to: s27}]}
  - {id: s11, kind: terminator, lane: l0, phase: p0, next: s0}
  - {id: s15, kind: terminator, lane: l0, phase: p0, next: s3}
  - {id: s20, kind: decision, lane: l0, phase: p0,
     next: [{to: s0}, {to: s0}, {to: s3}, {to: s4}]}
  - {id: s26, kind: decision, phase: p0, next: [{to: s1}]}
  - {id: s27, kind: terminator, phase: p0, next: s26}
"""


def test_two_runs_down_one_column_never_meet_end_to_end_off_a_step() -> None:
    # Found by the message-flow property test: the elbow s0 -> s4 (along s0's
    # row, up s4's column) and s26's branch to s1 (up out of its corner in
    # that column, along s1's row) met at s0's row in the empty cell there:
    # one point where four arms meet, read as a crossing of one line.
    lay = _checked(sm.loads(CROSS_IN_A_COLUMN))
    assert false_junctions(lay) == []


def test_rework_out_of_a_step_leaves_by_its_free_top() -> None:
    # next_day_delivery_current: "Waits for the next attempt" sends its one
    # line back to "Customer reached at the door?". Its bottom takes the line
    # from the apology mail, so the rework leaves by its top, straight up into
    # the corridor it runs back along, and straight down into the diamond's
    # free top corner (the corridor lies a lane above it): two bends (out of
    # the right side, up, back, down and in by the left corner: four).
    lay = _checked(sm.load(Path(__file__).resolve().parents[2] / "examples"
                           / "next_day_delivery_current.yaml"))
    wait, attempt = lay.nodes["wait-redelivery"], lay.nodes["attempt"]
    line = _line(lay, "wait-redelivery", "attempt")
    assert line.rework
    assert line.points[0] == (wait.x, wait.top)
    assert line.points[-1] == (attempt.x, attempt.top)
    assert len(line.points) == 4


CHAIN_IN_LINE = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0, phase: p1, next: s3}
  - {id: s1, kind: terminator, lane: l0, phase: p0, next: s7}
  - {id: s2, kind: parallel, phase: p1, next: [s1, s2, s4, s8]}
  - {id: s3, kind: connector, phase: p1}
  - {id: s4, kind: terminator, lane: l0, phase: p1}
  - {id: s5, kind: terminator, lane: l0, phase: p0, next: s3}
  - {id: s6, kind: terminator, lane: l0, phase: p0, next: s7}
  - {id: s7, kind: terminator}
  - {id: s8, kind: terminator, lane: l0, phase: p1, next: s7}
  - {id: s9, kind: terminator, lane: l0, phase: p1, next: s3}
"""

X_IN_LINE = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0, phase: p1, next: s3}
  - {id: s1, kind: terminator, lane: l0, phase: p0, next: s8}
  - {id: s2, kind: parallel, phase: p1, next: [s2, s4, s8]}
  - {id: s3, kind: terminator, phase: p1}
  - {id: s4, kind: terminator, lane: l0, phase: p1}
  - {id: s8, kind: terminator, lane: l0, phase: p1}
  - {id: s9, kind: terminator, lane: l0, phase: p1, next: s3}
"""


X_IN_A_NARROW_WINDOW = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0, phase: p1, next: s3}
  - {id: s1, kind: terminator, phase: p0, next: s3}
  - {id: s2, kind: parallel, phase: p1, next: [s1, s2, s4, s8]}
  - {id: s3, kind: terminator, phase: p1}
  - {id: s4, kind: terminator, lane: l0, phase: p0}
  - {id: s5, kind: terminator, phase: p0, next: s4}
  - {id: s8, kind: terminator, lane: l0, phase: p1}
  - {id: s9, kind: terminator, lane: l0, phase: p1, next: s3}
"""

CHAIN_AND_MESSAGES = CHAIN_IN_LINE.replace(
    "steps:", "metadata: {bpmn: {message-flows: [{from: s2, to: s0}, {from: s2, to: s0}]}}\nsteps:")


@pytest.mark.parametrize("text", [CHAIN_IN_LINE, X_IN_LINE, CHAIN_AND_MESSAGES,
                                  X_IN_A_NARROW_WINDOW],
                         ids=["chain", "x", "chain-and-messages", "x-in-a-narrow-window"])
def test_a_line_into_a_step_never_runs_on_from_a_line_leaving_its_row(text: str) -> None:
    # Found by the message-flow property test (both predate the session):
    # lines into s3 and into s8 each entered in line with a line leaving the
    # other's row. "chain": four such pairs in one gap, one more than the
    # passes that moved them apart; "x": two lines swapping rows, where the
    # nudged port of one landed 2 pt from the other's leaving port;
    # "chain-and-messages": an X whose port into the small circle s3 could
    # not move, left to the other line of the X a round later;
    # "x-in-a-narrow-window": the only free port into s3 lay a quarter PORT
    # off, between two lines leaving its row 8 pt apart.
    lay = _checked(sm.loads(text))
    assert false_junctions(lay) == []


NUDGE_SAME_ROW = """
name: generated
lanes: [{id: l0}, {id: l1}]
steps:
  - {id: s0, kind: parallel, lane: l0, next: [s1, s2, s3]}
  - {id: s1, kind: terminator}
  - {id: s2, kind: terminator}
  - {id: s3, kind: terminator, next: s5}
  - {id: s4, kind: terminator, next: s13}
  - {id: s5, kind: decision,
     next: [{to: s0, label: 'yes'}, {to: s0, label: 'yes'}, {to: s4, label: 'yes'},
            {to: s11, label: 'yes'}]}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator}
  - {id: s8, kind: terminator}
  - {id: s9, kind: terminator}
  - {id: s10, kind: terminator}
  - {id: s11, kind: decision, lane: l0,
     next: [{to: s1, label: 'yes'}, {to: s6, label: 'yes'}, {to: s13, label: 'yes'}]}
  - {id: s12, kind: terminator}
  - {id: s13, kind: terminator, lane: l0}
"""

NUDGE_OTHER_GAP = """
name: generated
lanes: [{id: l0}, {id: l1}]
steps:
  - {id: s0, kind: parallel, lane: l0, next: [s1, s3, s12]}
  - {id: s1, kind: terminator}
  - {id: s2, kind: terminator, lane: l1, next: s5}
  - {id: s3, kind: terminator}
  - {id: s4, kind: terminator}
  - {id: s5, kind: decision, lane: l0,
     next: [{to: s1, label: 'yes'}, {to: s1, label: 'yes'}, {to: s1, label: 'yes'},
            {to: s11, label: 'yes'}]}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator}
  - {id: s8, kind: terminator}
  - {id: s9, kind: terminator}
  - {id: s10, kind: terminator}
  - {id: s11, kind: decision, lane: l0,
     next: [{to: s1, label: 'yes'}, {to: s1, label: 'yes'}, {to: s2, label: 'yes'}]}
  - {id: s12, kind: terminator, lane: l1}
"""


NO_FREE_PORT = """
name: generated
lanes: [{id: l0}, {id: l1}, {id: l2}, {id: l3}]
steps:
  - {id: s0, kind: terminator, lane: l3}
  - {id: s1, kind: terminator, lane: l1, next: s7}
  - {id: s2, kind: terminator, lane: l0}
  - {id: s3, kind: terminator, lane: l0}
  - {id: s4, kind: terminator, label: 'x'}
  - {id: s5, kind: parallel, lane: l2, next: [s0, s7]}
  - {id: s6, kind: decision,
     next: [{to: s11, label: 'yes'}, {to: s4, label: 'yes'}, {to: s7, label: 'yes'},
            {to: s0, label: 'yes'}]}
  - {id: s7, kind: connector}
  - {id: s8, kind: terminator}
  - {id: s9, kind: terminator}
  - {id: s10, kind: terminator, label: 'x'}
  - {id: s11, kind: terminator, lane: l1}
"""


TWO_LINKS = """
name: generated
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: connector, phase: p0}
  - {id: s1, kind: terminator, phase: p0, next: s5}
  - {id: s2, kind: terminator}
  - {id: s3, kind: terminator, phase: p0, next: s9}
  - {id: s4, kind: terminator, next: s0}
  - {id: s5, kind: terminator, phase: p0}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator}
  - {id: s8, kind: terminator, phase: p1}
  - {id: s9, kind: decision, phase: p0, next: [{to: s0, label: 'yes'}, {to: s2, label: 'yes'}]}
  - {id: s10, kind: terminator}
  - {id: s11, kind: terminator}
  - {id: s12, kind: terminator}
  - {id: s13, kind: terminator}
  - {id: s14, kind: terminator, phase: p0, next: s0}
  - {id: s15, kind: terminator, phase: p0, next: s1}
  - {id: s16, kind: terminator}
  - {id: s17, kind: terminator, next: s2}
"""


@pytest.mark.parametrize("text", [NUDGE_SAME_ROW, NUDGE_OTHER_GAP, NO_FREE_PORT, TWO_LINKS],
                         ids=["a", "b", "no-free-port", "two-links"])
def test_a_nudged_port_heeds_only_the_lines_leaving_into_its_gap(text: str) -> None:
    # Found by the property tests after the nudge learned to keep clear of
    # lines leaving the row: it counted every line leaving the row, into any
    # gap, found no free port and left an X in line ("a", "b"); and where no
    # port is free (three lines into a small circle), the passes that move
    # lines apart stopped when the same lines were in conflict again, though
    # their tracks had moved ("no-free-port"), and when the order of the
    # tracks came back, though a second pass would settle the second link of
    # a chain ("two-links"): they go on now up to UNTANGLE_PASSES.
    lay = _checked(sm.loads(text))
    assert false_junctions(lay) == []


CORNER_EXIT_IN_THE_COLUMN = """
name: generated
lanes: [{id: l0}, {id: l1}]
steps:
  - {id: s0, kind: terminator}
  - {id: s1, kind: terminator}
  - {id: s12, kind: decision, lane: l0,
     next: [{to: s0, label: 'yes'}, {to: s0, label: 'yes'}, {to: s0, label: 'yes'}]}
  - {id: s21, kind: terminator, lane: l1}
  - {id: s22, kind: decision, lane: l0,
     next: [{to: s12, label: 'yes'}, {to: s1, label: 'yes'}]}
"""


def test_a_line_entering_from_a_far_corridor_keeps_off_a_corner_exit() -> None:
    # Found by the message-flow property test, with entries from a corridor
    # further away: s22's branch to s1 ran along a corridor above s1's row
    # and down s1's column into its top, along s12's branch going down out
    # of its bottom corner, in that column, to the corridor below: one line.
    lay = _checked(sm.loads(CORNER_EXIT_IN_THE_COLUMN))
    assert runs_along(lay) == []
    assert false_junctions(lay) == []


AROUND_ABOVE = """
name: Rework around above
lanes: [{id: customer}, {id: front}, {id: office}, {id: ops}, {id: systems}]
phases: [{id: pre}, {id: transaction}, {id: post}]
steps:
  - {id: s2, kind: decision, lane: ops, phase: pre, next: [{to: s6, label: b1}]}
  - {id: s6, kind: decision, lane: front, phase: pre, next: [{to: s2, label: b1}]}
  - {id: s34, kind: task, lane: ops, phase: transaction}
  - {id: s38, kind: decision, lane: front, phase: post,
     next: [{to: s39, label: b0}, {to: s34, label: b1}]}
  - {id: s39, kind: task, lane: systems, phase: post}
  - {id: s52, kind: terminator, lane: front, phase: post}
"""


def test_a_branch_going_around_above_leaves_by_the_free_top_corner() -> None:
    # Cut down from a generated map: s6's rework to s2 (below it, its bottom
    # corner taken by the hand-off from s2) goes around through the corridor
    # above, where it crosses least. It leaves by the free top corner, straight
    # up into that corridor: three bends (out of the right side, up, back,
    # down and in: four).
    lay = _checked(sm.loads(AROUND_ABOVE))
    decision = lay.nodes["s6"]
    line = _line(lay, "s6", "s2")
    assert line.points[0] == (decision.x, decision.top)
    assert len(line.points) == 5


X_INTO_A_CIRCLE = """
name: generated
lanes: [{id: l0}, {id: l1}]
steps:
  - {id: s2, kind: terminator, lane: l0, next: s16}
  - {id: s4, kind: terminator, lane: l0, next: s12}
  - {id: s6, kind: terminator, lane: l1, next: s12}
  - {id: s12, kind: connector, lane: l0}
  - {id: s15, kind: terminator, next: s6}
  - {id: s16, kind: terminator, lane: l1}
  - {id: s20, kind: terminator}
  - {id: s21, kind: decision, next: [{to: s2, label: 'yes'}]}
  - {id: s22, kind: terminator, next: s12}
"""


def test_an_x_into_a_full_circle_comes_undone_at_the_other_end() -> None:
    # Found by a long run of the layout property test, predating the session:
    # s2 -> s16 and s6 -> s12 cross in an X. The line into the connector s12
    # entered level with s2's line out, on the connector's one free port (its
    # three ports are full, so a nudge found no room): the two ran on top of
    # each other. The port of the other line of the X, into s16, moves instead.
    lay = _checked(sm.loads(X_INTO_A_CIRCLE))
    assert runs_along(lay) == []
    into, out = _line(lay, "s2", "s16"), _line(lay, "s6", "s12")
    assert into.points[-1][1] != out.points[0][1]
