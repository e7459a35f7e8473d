"""Tests of the DOT builder: pinned geometry, symbols, hostile text, no file or URL attributes."""

from __future__ import annotations

import re

import pygraphviz
import pytest

from servicemap.drawing.dot import build_dot
from servicemap.drawing.dotwriter import quoted, spline
from servicemap.drawing.escape import clean_text, html_text, tooltip_text
from servicemap.drawing.style import KeyEntry, StepStyle, check_color
from servicemap.layout import compute_layout
from servicemap.layout.deadline import Deadline
from servicemap.model import Blueprint
from servicemap.problems import RenderError
from servicemap.text import LONG_WORD, STEP_WRAP
from tests.helpers.layouts import grid_layout
from tests.helpers.maps import FILE_ATTRS, HOSTILE, every_kind_map, hostile_map


def parsed(dot: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=dot)


def tip(item: object) -> str:
    return str(item.attr["tooltip"] or "")  # type: ignore[attr-defined]


def test_spline_keeps_segments_straight_and_ends_at_the_tip() -> None:
    pos = spline([(0, 0), (0, 90), (60, 90)])
    head, *points = pos.split(" ")
    assert head == "e,60,90"
    pts = [tuple(map(float, p.split(","))) for p in points]
    assert len(pts) % 3 == 1
    # every control point lies on one of the two segments
    assert all(x == 0 or y == 90 for x, y in pts)
    assert pts[-1] == (53.0, 90.0)  # the arrow (7 pt) ends at the tip


def test_nodes_are_pinned_in_graphviz_coordinates() -> None:
    bp = every_kind_map()
    layout = grid_layout(bp)
    g = parsed(build_dot(bp, layout))
    tooltips = {tip(n).split("&#10;")[0]: n for n in g.nodes() if tip(n)}
    task = tooltips["Registers"]
    box = layout.nodes["t"]
    x, y = task.attr["pos"].rstrip("!").split(",")
    assert (float(x), float(y)) == (box.x, layout.height - box.y)
    assert float(task.attr["width"]) == pytest.approx(box.width / 72, abs=1e-4)
    assert task.attr["shape"] == "box"
    assert tooltips["Complete?"].attr["shape"] == "diamond"
    assert tooltips["Letter"].attr["shape"] == "note"
    assert tooltips["A"].attr["shape"] == "circle"


def test_tooltip_carries_the_step_data() -> None:
    bp = every_kind_map()
    dot = build_dot(bp, grid_layout(bp))
    g = parsed(dot)  # keep the graph alive while its nodes are read
    text = next(tip(n) for n in g.nodes() if tip(n).startswith("Registers"))
    for part in ("kind: task", "lane: Front desk", "phase: Before", "duration: 5m",
                 "wait: 10m", "accuracy: 95%", "capacity: 2", "cost: 3", "evidence: Ticket"):
        assert part in text


def test_marks_fail_points_recovery_failure_and_rework_edges() -> None:
    bp = every_kind_map()
    g = parsed(build_dot(bp, grid_layout(bp)))
    badges = [n for n in g.nodes() if "fail point: Form not checked" in tip(n)
              and n.attr["shape"] == "circle"]
    assert len(badges) == 1 and badges[0].attr["fillcolor"] == "#c62828"
    failure = [e for e in g.edges() if e.attr["style"] == "dashed" and "failure" in tip(e)]
    assert len(failure) == 1 and failure[0].attr["color"] == "#c62828"
    letter = next(n for n in g.nodes() if tip(n).startswith("Letter"))
    assert letter.attr["color"] == "#2e7d32" and float(letter.attr["penwidth"]) == 2
    labels = [e.attr["label"] for e in g.edges() if e.attr["label"]]
    assert sorted(labels) == ["no", "yes"]


def test_legend_lists_the_symbols_used() -> None:
    bp = every_kind_map()
    dot = build_dot(bp, grid_layout(bp), legend=True)
    for name in ("predefined process", "delay", "decision", "connector", "fail point",
                 "failure branch", "service recovery step", "folded corner"):
        assert name in dot
    assert "Legend" not in build_dot(bp, grid_layout(bp))


def test_styles_and_key_are_drawn() -> None:
    bp = every_kind_map()
    dot = build_dot(bp, grid_layout(bp), styles={"t": StepStyle(fill="#ffcdd2", badge="0.1/case")},
                    key=[KeyEntry("very bad", fill="#ffcdd2")])
    g = parsed(dot)
    task = next(n for n in g.nodes() if tip(n).startswith("Registers"))
    assert task.attr["fillcolor"] == "#ffcdd2"
    assert "0.1/case" in dot and "very bad" in dot


def test_style_colours_are_checked() -> None:
    with pytest.raises(ValueError):
        StepStyle(fill='red"]; x [label="y')
    with pytest.raises(ValueError):
        check_color("red")


def test_map_without_lanes_or_phases_is_a_plain_flowchart() -> None:
    bp = Blueprint.model_validate({"name": "Plain", "steps": [
        {"id": "a", "kind": "terminator", "next": "b"}, {"id": "b", "kind": "task", "next": "c"},
        {"id": "c", "kind": "terminator"}]})
    dot = build_dot(bp, grid_layout(bp))
    assert "line of" not in dot and "cluster" in dot
    g = parsed(dot)  # keep the graph alive while its edges are read
    flow = [e for e in g.edges() if "(flow)" in tip(e)]  # borders are paths too
    assert len(flow) == 2


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_parses_back_to_the_same_nodes(text: str) -> None:
    bp = hostile_map(text)
    layout = grid_layout(bp)
    dot = build_dot(bp, layout, legend=True)
    names = re.findall(r"^([a-z]+\d+) \[", dot, flags=re.MULTILINE)
    g = parsed(dot)
    assert sorted(g.nodes()) == sorted(set(names))
    assert all(re.fullmatch(r"[a-z]+\d*", n) for n in g.nodes())
    assert len(g.edges()) == len(re.findall(r"^\w+ -> \w+ ", dot, flags=re.MULTILINE))
    # round trip: the parsed graph written again parses to the same nodes
    assert sorted(parsed(g.string()).nodes()) == sorted(g.nodes())


@pytest.mark.parametrize("text", HOSTILE)
def test_no_user_value_reaches_a_file_or_url_attribute(text: str) -> None:
    g = parsed(build_dot(hostile_map(text), grid_layout(hostile_map(text)), legend=True))
    items = [g.graph_attr, g.node_attr, g.edge_attr]
    items += [n.attr for n in g.nodes()] + [e.attr for e in g.edges()]
    items += [s.graph_attr for s in g.subgraphs()]
    for attrs in items:
        for key, value in attrs.items():
            if value:
                assert key.lower() not in FILE_ATTRS, (key, value)


def test_html_text_keeps_graphviz_escapes_literal() -> None:
    assert html_text("\\N") == "\\\\N"
    assert html_text("<b>") == "&lt;b&gt;"
    assert html_text("a\nb") == "a<BR/>b"
    assert "\x00" not in clean_text("a\x00b")


def test_tooltip_text_has_no_quote_or_backslash() -> None:
    for text in HOSTILE:
        out = tooltip_text(text)
        assert '"' not in out and "\\" not in out and "<" not in out


def long_text_map(label: str, branch: str) -> Blueprint:
    return Blueprint.model_validate({"name": "Long text", "steps": [
        {"id": "a", "kind": "terminator", "next": "w"},
        {"id": "w", "kind": "task", "label": label, "next": "d"},
        {"id": "d", "kind": "decision",
         "next": [{"to": "e", "label": branch}, {"to": "w", "label": "again"}]},
        {"id": "e", "kind": "terminator"}]})


def test_long_text_is_drawn_cut_and_kept_whole_in_the_tooltips() -> None:
    """Graphviz refuses a string over 16384 bytes ('Invalid Input' for a 60 kB branch label)."""
    bp = long_text_map("x" * 100_000, "y<" * 30_000)
    dot = build_dot(bp, compute_layout(bp))
    graph = parsed(dot)  # parses: no quoted string or HTML label over Graphviz's limit
    work = next(n for n in graph.nodes() if tip(n).startswith("x"))
    assert tip(work) == "x" * 100_000 + "&#10;kind: task&#10;id: w"
    # An "x" is 0.62 em = 6.2 pt wide. One word longer than a line: the lines
    # widen to LONG_WORD times STEP_WRAP (1.5 x 72 = 108 pt) and hold
    # floor(108 / 6.2) = 17 of them; the sixth and last line gives one up to
    # the ellipsis (0.62 em too: 16 x 6.2 + 6.2 = 105.4 pt).
    per_line = int(STEP_WRAP * LONG_WORD / 6.2)
    assert re.findall(r"x+…?", work.attr["label"]) == ["x" * per_line] * 5 + [
        "x" * (per_line - 1) + "…"]
    edge = next(e for e in graph.edges() if "label" in e.attr and "y&lt;" in e.attr["label"])
    assert edge.attr["label"].count("<BR/>") == 2 and edge.attr["label"].endswith("…")
    assert tip(edge) == "d → e [" + "y&lt;" * 30_000 + "] (flow)"
    into = next(e for e in graph.edges() if tip(e).startswith("a → "))
    assert tip(into) == "a → " + "x" * 200 + "… (flow)"  # the step's own tooltip has it all
    svg = pygraphviz.AGraph(string=dot).draw(format="svg", prog="nop2").decode()
    assert svg.count("x" * 100_000) == 1 and svg.count("y&lt;" * 30_000) == 1


def test_long_strings_go_to_dot_in_joined_pieces() -> None:
    assert quoted("a&#92;b") == '"a&#92;b"'
    text = "ab\\" * 5000
    pieces = quoted(text).split(" + ")
    assert len(pieces) == 4 and all(len(p) <= 4002 for p in pieces)
    assert "".join(p[1:-1] for p in pieces) == text
    assert not any(p.endswith('\\"') for p in pieces[:-1])  # no piece escapes its end quote


class CountingDeadline(Deadline):
    """A deadline that passes at its ``limit``-th check."""

    def __init__(self, limit: int) -> None:
        super().__init__(None)
        self.limit, self.checks = limit, 0

    def check(self, doing: str = "drawing the map") -> None:
        self.checks += 1
        if self.checks >= self.limit:
            raise RenderError(f"took longer than the test allows while {doing}")


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_building_dot_checks_its_deadline_per_step_and_line(limit: int) -> None:
    bp = every_kind_map()
    deadline = CountingDeadline(limit)
    with pytest.raises(RenderError, match="took longer"):
        build_dot(bp, grid_layout(bp), deadline=deadline)
    assert deadline.checks == limit
    with pytest.raises(RenderError, match=r"took longer than 0 s .* while drawing the steps"):
        build_dot(bp, grid_layout(bp), deadline=Deadline(0))
