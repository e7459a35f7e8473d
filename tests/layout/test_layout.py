"""compute_layout on hand-written maps, and the layout package's parts."""

from __future__ import annotations

import dataclasses

import defusedxml.ElementTree as DET
import pytest

import servicemap as sm
from servicemap.api import bpmn_bytes
from servicemap.layout import compute_layout
from servicemap.layout.deadline import Deadline
from servicemap.layout.grid import place, step_size
from servicemap.layout.labels import label_size
from servicemap.layout.routing import assign_tracks, border_dx
from servicemap.problems import RenderError
from servicemap.text import (
    BRANCH_LINES,
    BRANCH_WRAP,
    HEADER_LINE,
    LANE_TITLE_INSET,
    STEP_LINES,
    TITLE_CHARS,
    text_width,
    wrap_chars,
)
from tests.helpers.layout_checks import EXAMPLES, assert_layout_properties

BLUEPRINT = """
name: Repair request
lanes:
  - {id: cust, label: Customer, layer: customer}
  - {id: desk, label: Service desk, layer: onstage}
  - {id: tech, label: Technician, layer: backstage}
  - {id: sys, label: Ticket system, layer: support}
phases:
  - {id: ask, label: Ask}
  - {id: fix, label: Fix}
steps:
  - {id: start, kind: terminator, label: Reports a fault, lane: cust, phase: ask, next: log}
  - {id: log, kind: task, label: Logs the fault, lane: desk, phase: ask, next: ticket}
  - {id: ticket, kind: document, label: Ticket, lane: sys, phase: ask, next: repair}
  - {id: repair, kind: task, label: Repairs, lane: tech, phase: fix, next: ok}
  - id: ok
    kind: decision
    label: Fixed?
    lane: desk
    phase: fix
    next:
      - {to: done, label: 'yes'}
      - {to: repair, label: 'no', failure: true}
  - {id: done, kind: terminator, label: Fault fixed, lane: cust, phase: fix}
"""


def test_blueprint_grid() -> None:
    bp = sm.loads(BLUEPRINT)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert [b.id for b in lay.bands] == ["cust", "desk", "tech", "sys"]
    assert [b.layer for b in lay.bands] == ["customer", "onstage", "backstage", "support"]
    assert [(line.name, line.dashed) for line in lay.lines] == [
        ("line of interaction", False), ("line of visibility", True),
        ("line of internal interaction", False)]
    assert [line.y for line in lay.lines] == [b.bottom for b in lay.bands[:3]]
    assert [c.id for c in lay.columns] == ["ask", "fix"]
    n = lay.nodes
    # The customer's report goes straight down to the desk (a hand-off in one
    # column, no bend), and the desk's ticket on down to the ticket system:
    # hand-offs chain down a column while they keep going the same way.
    assert n["start"].column == n["log"].column == n["ticket"].column < n["repair"].column
    hand_off = next(e for e in lay.edges if e.source == "start")
    assert hand_off.points == ((n["start"].x, n["start"].bottom), (n["log"].x, n["log"].top))
    hand_on = next(e for e in lay.edges if e.source == "log")
    assert hand_on.points == ((n["log"].x, n["log"].bottom), (n["ticket"].x, n["ticket"].top))
    assert n["ok"].kind == "decision" and n["ok"].label_lines == ("Fixed?",)
    back = [e for e in lay.edges if e.source == "ok" and e.target == "repair"]
    assert len(back) == 1 and back[0].rework and back[0].failure and back[0].label == "no"
    yes = next(e for e in lay.edges if e.target == "done")
    assert not yes.rework and not yes.failure and yes.label_pos is not None
    # The rework line runs in a corridor outside the rows, not through them.
    ys = {y for _, y in back[0].points[1:-1]}
    assert any(y < n["repair"].top or y > n["repair"].bottom for y in ys)
    assert lay.title_height > 0 and lay.header_height > 0 and lay.header_width > 0


def test_map_without_lanes_or_phases_is_one_band_without_headers() -> None:
    bp = sm.loads("""
name: Plain flowchart
steps:
  - {id: a, kind: terminator, next: b}
  - {id: b, kind: task, next: c}
  - {id: c, kind: terminator}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert lay.header_width == 0 and lay.header_height == 0
    assert [b.id for b in lay.bands] == [""] and lay.columns == [] and lay.lines == []
    a, b, c = (lay.nodes[i] for i in "abc")
    assert a.y == b.y == c.y  # a chain stays on one line
    assert all(len(e.points) == 2 for e in lay.edges)  # straight lines


def test_empty_lane_gets_a_thin_band_and_unplaced_steps_get_their_own() -> None:
    bp = sm.loads("""
name: Gaps
lanes: [{id: a}, {id: empty, label: Nobody here}, {id: b}]
phases: [{id: p1}, {id: p2, label: Nothing happens}, {id: p3}]
steps:
  - {id: s1, kind: task, lane: a, phase: p1, next: s2}
  - {id: s2, kind: task, lane: b, phase: p3, next: s3}
  - {id: s3, kind: task}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert [b.id for b in lay.bands] == ["a", "empty", "b", "(no lane)"]
    assert [c.id for c in lay.columns] == ["p1", "p2", "p3", "(no phase)"]
    bands = {b.id: b for b in lay.bands}
    assert bands["empty"].bottom - bands["empty"].top < bands["a"].bottom - bands["a"].top
    assert bands["(no lane)"].label == "(no lane)"
    assert lay.nodes["s3"].lane is None and lay.nodes["s3"].phase is None
    cols = {c.id: c for c in lay.columns}
    assert cols["p2"].right - cols["p2"].left >= text_width("Nothing happens")


def test_self_loop_is_a_small_loop_on_the_right() -> None:
    bp = sm.loads("""
name: Loop
steps:
  - {id: a, kind: terminator, next: b}
  - id: b
    kind: decision
    next: [{to: b, label: again}, {to: c, label: done}]
  - {id: c, kind: terminator}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    loop = next(e for e in lay.edges if e.source == e.target == "b")
    b = lay.nodes["b"]
    assert loop.rework and len(loop.points) == 4
    assert max(x for x, _ in loop.points) <= b.right + 10
    assert all(b.top <= y <= b.bottom for _, y in loop.points)


def test_parallel_branches_get_their_own_lines() -> None:
    bp = sm.loads("""
name: Twice
steps:
  - {id: a, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: e, label: 'yes'}, {to: e, label: 'also yes'}]
  - {id: e, kind: terminator}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    one, two = (e for e in lay.edges if e.source == "d")
    assert one.points[0] != two.points[0] and one.points[-1] != two.points[-1]
    assert not set(one.points) & set(two.points)
    assert one.label_pos != two.label_pos


def test_cycles_unreachable_steps_and_connectors() -> None:
    bp = sm.loads("""
name: Tangle
lanes: [{id: x}, {id: y}]
steps:
  - {id: a, kind: task, lane: x, next: b}
  - {id: b, kind: task, lane: y, next: c}
  - {id: c, kind: task, lane: x, next: a}
  - {id: lonely, kind: delay, lane: y}
  - {id: k1, kind: connector, label: A, lane: x, next: a}
  - {id: k2, kind: connector, label: A, lane: y}
  - {id: c2, kind: task, lane: y, next: k2}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert sum(e.rework for e in lay.edges) == 1
    assert lay.nodes["k1"].width == lay.nodes["k1"].height <= 30
    assert lay.nodes["k1"].label_lines == ("A",)


def test_parallel_rework_lines_do_not_share_a_track() -> None:
    steps = ["  - {id: s0, kind: terminator, next: s1}"]
    for i in range(1, 7):
        steps.append(f"  - id: s{i}\n    kind: decision\n    next: "
                     f"[{{to: s{i + 1}, label: ok}}, {{to: s1, label: redo}}]")
    steps.append("  - {id: s7, kind: terminator}")
    bp = sm.loads("name: Rework\nsteps:\n" + "\n".join(steps) + "\n")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    rework = [e for e in lay.edges if e.rework]
    assert len(rework) == 6
    horizontals = [(p[1], min(p[0], q[0]), max(p[0], q[0])) for e in rework
                   for p, q in zip(e.points[1:-2], e.points[2:-1], strict=True) if p[1] == q[1]]
    for i, (y, lo, hi) in enumerate(horizontals):
        for y2, lo2, hi2 in horizontals[i + 1:]:
            assert y != y2 or hi <= lo2 or hi2 <= lo  # no two lie on top of each other


def test_stacked_steps_in_one_cell() -> None:
    bp = sm.loads("""
name: Fan
lanes: [{id: l}]
steps:
  - id: d
    kind: decision
    lane: l
    next: [{to: a, label: one}, {to: b, label: two}, {to: c, label: three}]
  - {id: a, kind: task, lane: l}
  - {id: b, kind: task, lane: l}
  - {id: c, kind: task, lane: l}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    a, b, c = (lay.nodes[i] for i in "abc")
    assert a.x == b.x == c.x and a.y < b.y < c.y  # one column, stacked in branch order


def test_long_labels_wrap_and_headers_fit() -> None:
    long = "A very long label that keeps going on and on about the step " * 2
    bp = sm.loads(f"""
name: "{long}"
lanes: [{{id: l, label: "{long}"}}]
phases: [{{id: p, label: "{long}"}}]
steps:
  - {{id: a, kind: task, label: "{long}", lane: l, phase: p}}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    a = lay.nodes["a"]
    assert len(a.label_lines) > 1
    assert all(text_width(line) <= a.width - 10 for line in a.label_lines)
    band = lay.bands[0]
    drawn = wrap_chars(long, lay.header_width - LANE_TITLE_INSET)  # as the drawer wraps it
    assert band.bottom - band.top >= HEADER_LINE * len(drawn)


def test_checker_catches_a_route_through_a_node() -> None:
    bp = sm.loads(BLUEPRINT)
    lay = compute_layout(bp)
    e = lay.edges[0]
    n = lay.nodes["ticket"]
    bad = dataclasses.replace(e, points=(e.points[0], (e.points[0][0], n.y), (n.right + 50, n.y),
                                         (n.right + 50, lay.nodes[e.target].y),
                                         e.points[-1]))
    lay.edges[0] = bad
    with pytest.raises(AssertionError):
        assert_layout_properties(bp, lay)


def test_parts() -> None:
    assert assign_tracks([(0, 5), (1, 2), (3, 4), (6, 7)]) == ([0, 1, 1, 0], 2)
    assert border_dx("connector", 22, 22, 11, 1) == 0.0
    for label in ("Is everything in order today?", "Customer picks a slot or complains?",
                  "Order can ship as ordered and on time?", "ok?", "W" * 40):
        w, h, lines = step_size("decision", label)
        # Every line's corners lie inside the diamond: |x|/(w/2) + |y|/(h/2) <= 1,
        # lines centred on the diamond's centre, 13 pt apart.
        top = -13 * len(lines) / 2
        for i, line in enumerate(lines):
            far = max(abs(top + 13 * i), abs(top + 13 * (i + 1)))
            assert text_width(line) / w + far / (h / 2) <= 1, (label, line)
        assert h <= 1.5 * w  # no taller than 1.5 times its width
    for label in ("Orders with next-day delivery", "Order cancelled, refund issued", "Done"):
        w, h, lines = step_size("terminator", label)
        # Every line's corners lie inside the round ends (radius h/2, centres
        # w/2 - h/2 from the middle): a point 6 pt beside and 2 pt beyond each is inside.
        top, r = -13 * len(lines) / 2, h / 2
        for i, line in enumerate(lines):
            far = max(abs(top + 13 * i), abs(top + 13 * (i + 1)))
            beyond = max(0.0, text_width(line) / 2 - (w / 2 - r))  # into a round end
            assert (beyond + 6) ** 2 + (far + 2) ** 2 <= r ** 2, (label, line)
    # The wide middle line of a four-line label needs less room than the outer lines:
    # 'cancelled,' (59.1 pt) sits 6.5 pt from the centre, where the ends barely curve.
    w, h, lines = step_size("terminator", "Order cancelled, refund issued")
    assert lines == ("Order", "cancelled,", "refund", "issued") and h == 66
    assert w < text_width("cancelled,") + 2 * (33 - (33 ** 2 - 28 ** 2) ** 0.5 + 6) + 4
    grid = place(sm.load(EXAMPLES[0]))
    assert grid.columns >= 1 and set(grid.slots) == {s.id for s in sm.load(EXAMPLES[0]).steps}


CORNERS = """
name: Corners
lanes:
  - {id: c, layer: customer}
  - {id: s, layer: onstage}
  - {id: b, layer: backstage}
steps:
  - {id: start, kind: terminator, lane: s, next: q1}
  - id: q1
    kind: decision
    lane: s
    next: [{to: up, label: 'up', probability: 0.2}, {to: q2, label: 'on', probability: 0.6},
           {to: down, label: 'down', probability: 0.2}]
  - id: q2
    kind: decision
    lane: s
    next: [{to: far, label: 'far', probability: 0.1}, {to: near, label: 'near', probability: 0.8},
           {to: q3, label: 'low', probability: 0.1}]
  - {id: q3, kind: decision, lane: b, next: [{to: far, label: 'a'}, {to: near2, label: 'b'}]}
  - {id: near, kind: task, lane: s, next: far}
  - {id: near2, kind: task, lane: b, next: far}
  - {id: far, kind: terminator, lane: s}
  - {id: up, kind: task, lane: c, next: far}
  - {id: down, kind: task, lane: b, next: far}
"""


def test_decision_branches_leave_by_its_corners() -> None:
    """A branch to a lane above leaves by the top corner, one below by the bottom
    corner, as flowcharts are drawn; the branch along the row leaves on the right."""
    bp = sm.loads(CORNERS)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    q1 = lay.nodes["q1"]
    first = {e.target: e.points[0] for e in lay.edges if e.source == "q1"}
    assert first["up"] == (q1.x, q1.top)
    assert first["down"] == (q1.x, q1.bottom)
    assert first["q2"] == (q1.right, q1.y)
    # q2's branch past the step beside it goes round through the corridor above:
    # it leaves by the top corner too.
    q2 = lay.nodes["q2"]
    far = next(e for e in lay.edges if e.source == "q2" and e.target == "far")
    assert far.points[0] == (q2.x, q2.top)


def test_main_branch_takes_the_straight_exit() -> None:
    """The most probable branch (or the first listed, without probabilities) leaves on
    the side facing the flow, even into another lane; the other is handed off straight
    down from its corner. (A main branch is handed off only where the other cannot be:
    its target comes after the main one's. A branch into the next column can save a
    bend by a corner: next test.)"""
    for probabilities, main in (((None, None), "t"), ((0.3, 0.7), "m")):
        branches: list[dict[str, object]] = [{"to": "t", "label": "b"},
                                             {"to": "m", "label": "a"}]
        for branch, p in zip(branches, probabilities, strict=True):
            if p is not None:
                branch["probability"] = p
        bp = sm.Blueprint.model_validate({
            "name": "Main",
            "lanes": [{"id": "s", "layer": "onstage"}, {"id": "b", "layer": "backstage"}],
            "steps": [
                {"id": "q", "kind": "decision", "lane": "s", "next": branches},
                {"id": "m", "kind": "task", "lane": "b", "next": "e"},
                {"id": "t", "kind": "terminator", "lane": "b"},
                {"id": "e", "kind": "terminator", "lane": "b"},
            ]})
        lay = compute_layout(bp)
        assert_layout_properties(bp, lay)
        q = lay.nodes["q"]
        first = {e.target: e.points[0] for e in lay.edges if e.source == "q"}
        assert first[main] == (q.right, q.y)
        other = "m" if main == "t" else "t"
        assert first[other] == (q.x, q.bottom)


def test_a_branch_into_another_lane_takes_at_most_one_bend() -> None:
    """A branch to a step in another lane is handed off straight up or down its
    column where the cell is free; otherwise it takes one bend: along the
    decision's row into the step's top or bottom, or out of the diamond's
    corner facing the step and into its side (leaving on the right took two:
    down the gap, in)."""
    corners = """
name: Corners
lanes: [{id: c}, {id: s}, {id: b}]
steps:
  - {id: q, kind: decision, lane: s, next: [{to: below}, {to: above}]}
  - {id: below, kind: terminator, lane: b}
  - {id: above, kind: terminator, lane: c}
"""
    lay = compute_layout(sm.loads(corners))
    assert_layout_properties(sm.loads(corners), lay)
    q, below, above = lay.nodes["q"], lay.nodes["below"], lay.nodes["above"]
    lines = {e.target: list(e.points) for e in lay.edges}
    # The other branch (above) is handed off straight up; the main one (below,
    # the first listed) leaves straight and turns into its target's top.
    assert lines["above"] == [(q.x, q.top), (q.x, above.bottom)]
    x = lines["below"][1][0]
    assert lines["below"] == [(q.right, q.y), (x, q.y), (x, below.top)]
    # A start above the decision takes the cell above it: each branch still
    # takes one bend at most.
    started = corners.replace(
        "steps:\n", "steps:\n  - {id: st, kind: terminator, lane: c, next: q}\n")
    lay = compute_layout(sm.loads(started))
    assert_layout_properties(sm.loads(started), lay)
    for e in lay.edges:
        assert len(e.points) <= 3, (e.source, e.target, e.points)


def test_a_decision_hands_one_branch_straight_to_another_lane() -> None:
    """Of a decision's two branches, the one into the lane above goes straight up from
    its top corner (same column), and the main branch keeps on to the right."""
    bp = sm.Blueprint.model_validate({
        "name": "Hand-off",
        "lanes": [{"id": "c", "layer": "customer"}, {"id": "s", "layer": "onstage"}],
        "steps": [
            {"id": "q", "kind": "decision", "lane": "s",
             "next": [{"to": "on", "label": "yes"}, {"to": "up", "label": "no"}]},
            {"id": "on", "kind": "terminator", "lane": "s"},
            {"id": "up", "kind": "terminator", "lane": "c"},
        ]})
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    q, up, on = lay.nodes["q"], lay.nodes["up"], lay.nodes["on"]
    assert up.column == q.column < on.column
    line = {e.target: e.points for e in lay.edges}
    assert line["up"] == ((q.x, q.top), (up.x, up.bottom))  # one straight segment
    assert line["on"][0] == (q.right, q.y)


def long_text_map(label: str, branch: str, title: str) -> sm.Blueprint:
    """A map with ``label`` on a step, ``branch`` on a branch, ``title`` on a lane and a phase."""
    return sm.Blueprint.model_validate({
        "name": "Long text",
        "lanes": [{"id": "l", "label": title}],
        "phases": [{"id": "p", "label": title}],
        "steps": [
            {"id": "a", "kind": "terminator", "lane": "l", "phase": "p", "next": "w"},
            {"id": "w", "kind": "task", "label": label, "lane": "l", "phase": "p", "next": "d"},
            {"id": "d", "kind": "decision", "lane": "l", "phase": "p",
             "next": [{"to": "e", "label": branch}, {"to": "w", "label": "again"}]},
            {"id": "e", "kind": "terminator", "lane": "l", "phase": "p"},
        ],
    })


def test_long_text_is_cut_and_keeps_the_map_its_usual_size() -> None:
    """A 60 kB branch label made the canvas 700,000 pt wide; a 1 MB label took an hour."""
    short = compute_layout(long_text_map("Works", "yes", "Desk"))
    bp = long_text_map("x" * 1_000_000, "y" * 60_000, "z" * 100_000)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert lay.width < short.width + 400 and lay.height < short.height + 400
    work = lay.nodes["w"]
    assert len(work.label_lines) == STEP_LINES and work.label_lines[-1].endswith("…")
    (edge,) = [e for e in lay.edges if e.target == "e"]
    assert edge.label == "y" * 60_000  # the whole label, for the tooltip
    assert len(edge.label_lines) == BRANCH_LINES and edge.label_lines[-1].endswith("…")
    assert all(text_width(line) <= BRANCH_WRAP for line in edge.label_lines)
    assert lay.bands[0].label == lay.columns[0].label == "z" * TITLE_CHARS + "…"


def test_branch_labels_wrap_in_layout_and_drawing_alike() -> None:
    label = "customer not at home, card left"
    lay = compute_layout(long_text_map("Works", label, "Desk"))
    (edge,) = [e for e in lay.edges if e.target == "e"]
    assert len(edge.label_lines) == 2 and " ".join(edge.label_lines) == label
    assert label_size(label) == (max(map(text_width, edge.label_lines)) + 6, 2 * 13.0 + 2)


class CountingDeadline(Deadline):
    """A deadline that passes at its ``limit``-th check."""

    def __init__(self, limit: int) -> None:
        super().__init__(None)
        self.limit, self.checks = limit, 0

    def check(self, doing: str = "drawing the map") -> None:
        self.checks += 1
        if self.checks >= self.limit:
            raise RenderError(f"took longer than the test allows while {doing}")


def chain(steps: int) -> sm.Blueprint:
    """A chain of ``steps`` tasks between a start and an end, with a rework loop."""
    ids = [f"s{i}" for i in range(steps)]
    nexts = [*ids[1:], "d"]
    return sm.Blueprint.model_validate({"name": "Chain", "steps": [
        {"id": "a", "kind": "terminator", "next": ids[0]},
        *({"id": sid, "kind": "task", "next": nxt} for sid, nxt in zip(ids, nexts, strict=True)),
        {"id": "d", "kind": "decision",
         "next": [{"to": "e", "label": "ok"}, {"to": ids[0], "label": "again"}]},
        {"id": "e", "kind": "terminator"}]})


@pytest.mark.parametrize("limit", [1, 10, 150, 300, 420])
def test_the_layout_checks_its_deadline_inside_its_loops(limit: int) -> None:
    """Not only between phases: the check that passes the deadline is the one that stops it."""
    deadline = CountingDeadline(limit)
    with pytest.raises(RenderError, match="took longer"):
        compute_layout(chain(200), deadline=deadline)
    assert deadline.checks == limit


def test_a_passed_deadline_is_a_render_error() -> None:
    with pytest.raises(RenderError, match=r"rendering the map took longer than 0 s and was "
                                          r"stopped while placing the steps"):
        compute_layout(chain(3), deadline=Deadline(0))
    assert compute_layout(chain(3), deadline=Deadline(60)).nodes


def test_hand_off_to_the_next_column_in_another_lane_is_one_bend_into_the_top() -> None:
    bp = sm.loads("""
name: Hand-offs
lanes:
  - {id: c, label: Customer}
  - {id: s, label: Staff}
steps:
  - {id: a, kind: terminator, lane: c, next: b}
  - {id: w, kind: terminator, lane: c, next: b}
  - {id: b, kind: task, lane: s, next: e}
  - {id: e, kind: terminator, lane: c}
  - {id: x, kind: terminator, lane: c, next: e}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    down1, down2, up, _ = lay.edges
    b, e = lay.nodes["b"], lay.nodes["e"]
    for down in (down1, down2):  # b has two lines in: each along its source's row, down into b
        assert len(down.points) == 3 and down.points[-1][1] == b.top
    assert len(up.points) == 3 and up.points[-1][1] == e.bottom  # along b's row, up into e


def test_a_lone_hand_off_to_another_lane_goes_straight_down_in_one_column() -> None:
    bp = sm.loads("""
name: Hand-offs
lanes:
  - {id: c, label: Customer}
  - {id: s, label: Staff}
steps:
  - {id: a, kind: terminator, lane: c, next: b}
  - {id: b, kind: task, lane: s, next: e}
  - {id: e, kind: terminator, lane: c}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    down, up = lay.edges
    a, b, e = lay.nodes["a"], lay.nodes["b"], lay.nodes["e"]
    # a's only line is b's only line in: b sits right below a, no bend.
    assert a.column == b.column and down.points == ((a.x, a.bottom), (b.x, b.top))
    # b was handed to, so it hands on to the next column (no column holds a chain).
    assert e.column == b.column + 1
    assert len(up.points) == 3 and up.points[-1][1] == e.bottom


def test_an_elbow_does_not_share_a_row_with_a_line_along_its_target_row() -> None:
    # Found by hypothesis: z's elbow along the lower lane's row to p (next
    # column) and the line from a that turns down right after a and runs
    # along the same row to q would overlap over a whole column.
    bp = sm.loads("""
name: Shared row
lanes:
  - {id: top}
  - {id: mid}
  - {id: low}
phases:
  - {id: one}
  - {id: two}
steps:
  - {id: q0, kind: terminator, lane: top}
  - {id: n, kind: terminator, next: q0}
  - {id: p, kind: terminator, phase: two}
  - {id: a, kind: terminator, lane: top, phase: two, next: q}
  - {id: q, kind: terminator, lane: low}
  - {id: z, kind: terminator, lane: low, phase: one, next: p}
""")
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)  # no two lines run on top of each other
    along_low = [e for e in lay.edges
                 if any(y0 == y1 == lay.nodes["z"].y for (_, y0), (_, y1)
                        in zip(e.points, e.points[1:], strict=False))]
    assert {(e.source, e.target) for e in along_low} <= {("a", "q"), ("z", "p")}


def test_a_line_along_its_source_row_and_one_along_its_target_row_do_not_share_it() -> None:
    # Found by hypothesis: x runs along the unplaced row to the gap before t;
    # y, a column further right in another lane, turns down right away and
    # runs along the same row to z: they would overlap over two columns.
    steps: list[dict[str, object]] = [
        {"id": "a", "kind": "terminator", "phase": "p0", "next": "m"},
        {"id": "t", "kind": "terminator", "lane": "l0", "phase": "p2"},
        {"id": "b", "kind": "terminator", "phase": "p0", "next": "y"},
        {"id": "m", "kind": "terminator", "lane": "l1", "phase": "p2"},
        {"id": "t2", "kind": "terminator", "lane": "l0", "phase": "p2"},
        {"id": "d", "kind": "decision", "phase": "p0",
         "next": [{"to": "a", "label": "yes"}] * 4},
        {"id": "x", "kind": "terminator", "phase": "p1", "next": "t"},
        {"id": "z", "kind": "terminator", "phase": "p2"},
        {"id": "y", "kind": "terminator", "lane": "l1", "phase": "p1", "next": "z"}]
    bp = sm.Blueprint.model_validate({
        "name": "Shared row", "lanes": [{"id": f"l{i}"} for i in range(4)],
        "phases": [{"id": f"p{i}"} for i in range(3)], "steps": steps})
    assert_layout_properties(bp, compute_layout(bp))  # no two lines run on top of each other


FORK = """
name: Fork
lanes:
  - {id: c, label: Customer}
  - {id: s, label: Staff}
steps:
  - {id: go, kind: task, lane: s, next: split}
  - {id: split, kind: parallel, lane: s, next: [here, up]}
  - {id: here, kind: task, lane: s, next: join}
  - {id: up, kind: task, lane: c, next: join}
  - {id: join, kind: parallel, lane: s}
"""


def test_fork_and_join_bars_span_the_rows_of_their_branches() -> None:
    lay = compute_layout(sm.loads(FORK))
    assert_layout_properties(sm.loads(FORK), lay)
    routes = {(e.source, e.target): e.points for e in lay.edges}
    split, join = lay.nodes["split"], lay.nodes["join"]
    here, up = lay.nodes["here"], lay.nodes["up"]
    # Every branch is one straight run at its step's height, from the bar's
    # right side (5 pt right of its centre, the bar being 10 pt wide) into the
    # step, and from the step into the join's left side.
    assert routes[("split", "here")] == ((split.x + 5, here.y), (here.left, here.y))
    assert routes[("split", "up")] == ((split.x + 5, up.y), (up.left, up.y))
    assert routes[("here", "join")] == ((here.right, here.y), (join.x - 5, here.y))
    assert routes[("up", "join")] == ((up.right, up.y), (join.x - 5, up.y))
    # The bars reach across the lane border: 12 pt above the branch in the
    # lane above, and down to their own bar's end in their row (48 pt bar: 24
    # pt below the row's centre), plus the label's room above and below (one
    # 13 pt line each).
    customer, staff = lay.bands
    for bar in (split, join):
        assert bar.top + 13 == up.y - 12 < customer.bottom
        assert bar.bottom - 13 == here.y + 24 > staff.top


def test_a_fork_bar_not_stretched_sends_branches_from_its_ends() -> None:
    # "up" has a second way in, so its branch cannot run straight: the bar
    # keeps its size, the branch to the lane above leaves near its top end,
    # clear above the step beside it (port span 36 pt: 18 pt above the centre).
    bp = sm.loads(FORK.replace("next: [here, up]}", "next: [here, up]}\n"
                               "  - {id: other, kind: task, lane: c, next: up}"))
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    routes = {(e.source, e.target): e.points for e in lay.edges}
    split, here = lay.nodes["split"], lay.nodes["here"]
    assert split.height == compute_layout(sm.loads(FORK.replace("next: [here, up]",
                                                                "next: here"))).nodes[
        "split"].height
    start = routes[("split", "up")][0]
    assert start[1] == split.y - 18 and start[1] <= here.top
    assert routes[("split", "here")] == ((split.x + 5, split.y), (here.left, split.y))


BAR_UNDER_A_TURN = """
name: generated
lanes: [{id: l0, layer: customer}, {id: l1}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0}
  - {id: s2, kind: parallel, lane: l0, phase: p0, next: [s0, s10, s14]}
  - {id: s4, kind: decision, lane: l0, phase: p0,
     next: [{to: s0}, {to: s0}, {to: s7}, {to: s13}]}
  - {id: s5, kind: terminator, lane: l1, phase: p0}
  - {id: s6, kind: terminator, lane: l0, phase: p0, next: s11}
  - {id: s7, kind: terminator, lane: l1, phase: p0, next: s12}
  - {id: s10, kind: terminator, lane: l1, phase: p0}
  - {id: s11, kind: decision, lane: l0, phase: p0,
     next: [{to: s0}, {to: s0}, {to: s7}, {to: s10}]}
  - {id: s12, kind: terminator}
  - {id: s13, kind: terminator}
  - {id: s14, kind: parallel, phase: p0, next: [s0, s5]}
"""


def test_a_bar_is_not_stretched_up_to_a_line_turning_just_above_it() -> None:
    # Found by the property test: s11's branch to s10 comes down its column
    # and turns along the corridor 7 pt above where the fork s14 (in that
    # column) would stretch to, reading as a line into the bar. A bar now
    # stops where a line's run would end within 16 pt of it (BESIDE).
    bp = sm.loads(BAR_UNDER_A_TURN)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    (line,) = [e for e in lay.edges if (e.source, e.target) == ("s11", "s10")]
    turn = line.points[1]
    bar = lay.nodes["s14"]
    assert turn[0] == bar.x and (turn[1] < bar.top - 16 or turn[1] > bar.bottom + 16)


BAR_BEFORE_A_TURN = """
name: generated
lanes: [{id: l0}]
phases: [{id: p0}, {id: p1}]
steps:
  - {id: s0, kind: terminator, lane: l0}
  - {id: s4, kind: terminator, phase: p0, next: s0}
  - {id: s5, kind: terminator, lane: l0, phase: p0, next: s18}
  - {id: s6, kind: terminator, phase: p1}
  - {id: s11, kind: terminator, next: s18}
  - {id: s12, kind: connector, next: s15}
  - {id: s14, kind: terminator, lane: l0, phase: p0, next: s0}
  - {id: s15, kind: connector, lane: l0, phase: p1}
  - {id: s16, kind: terminator, lane: l0}
  - {id: s18, kind: parallel, phase: p1, next: [s15]}
"""


def test_a_bar_is_not_stretched_beside_a_line_turning_in_the_gap_after_it() -> None:
    # Found by the layout property test: s12's line back along a corridor
    # turned up in the gap right of the bar s18, 14 pt from where the bar
    # would stretch to: the run along the corridor seemed to go into the
    # bar. Lines up to 16 pt (BESIDE) beyond the bar count when it stretches.
    bp = sm.loads(BAR_BEFORE_A_TURN)
    assert_layout_properties(bp, compute_layout(bp))


def test_a_stretched_bar_exports_as_a_gateway_in_its_own_lane() -> None:
    # The fork's bar spans both lanes in the drawing; the BPMN export's
    # gateway is a square (at most 50 pt, BPMN's usual size) inside the
    # fork's own lane, "s".
    bp = sm.loads(FORK)
    lay = compute_layout(bp)
    staff = next(b for b in lay.bands if b.id == "s")
    assert lay.nodes["split"].top < staff.top  # stretched across the border
    root = DET.fromstring(bpmn_bytes(bp))
    dc = "{http://www.omg.org/spec/DD/20100524/DC}Bounds"
    shape = next(s for s in root.iter() if s.get("bpmnElement") == "split")
    box = shape.find(dc)
    assert box is not None
    x, y, w, h = (float(box.get(k, "nan")) for k in ("x", "y", "width", "height"))
    assert w == h <= 50
    assert abs(x + w / 2 - lay.nodes["split"].x) < 0.1  # centred on the bar
    assert staff.top <= y and y + h <= staff.bottom


def test_a_join_branch_from_further_left_runs_straight_along_its_row() -> None:
    # order_parallel: "Books the carrier" (customer service desk, three
    # columns before the join) already runs along its own row; the join's bar
    # reaches up into that lane, so the line runs on straight into it instead
    # of turning down in the gap before the join.
    bp = sm.load(next(p for p in EXAMPLES if p.stem == "order_parallel"))
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    book, ready = lay.nodes["book-carrier"], lay.nodes["ready"]
    assert ready.column - book.column == 3
    route = next(e.points for e in lay.edges if (e.source, e.target) == ("book-carrier", "ready"))
    assert route == ((book.right, book.y), (ready.x - 5, book.y))
    assert ready.top < book.y < ready.bottom and book.lane != ready.lane


def test_a_self_loop_keeps_clear_of_the_next_columns_step() -> None:
    # Found by hypothesis: a gap no line runs down is 20 pt, and a self-loop
    # reaching 8 pt into it ended 12 pt short of the next step, reading as a
    # line into it. The gap right of a looping step leaves room beyond the loop.
    bp = sm.Blueprint.model_validate({
        "name": "Loop",
        "phases": [{"id": "p0"}, {"id": "p1"}],
        "steps": [{"id": "s0", "kind": "terminator", "phase": "p1"},
                  {"id": "s1", "kind": "terminator", "phase": "p0", "next": ["s1"]}]})
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    loop, = lay.edges
    reach = max(x for x, _ in loop.points)
    assert lay.nodes["s0"].left - reach >= 16  # routing.BESIDE: it reads as its own
