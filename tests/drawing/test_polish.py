"""Tests of the drawing's finish: headers inside their columns, separators, key, tags, borders."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from typing import Any

import pygraphviz
import pytest

from servicemap.drawing.dot import build_dot, draw_dot
from servicemap.drawing.style import KeyEntry, StepStyle
from servicemap.drawing.tags import tag_width
from servicemap.layout import compute_layout
from servicemap.mapfile.loading import load
from servicemap.model import Blueprint
from servicemap.text import text_width

LONG_PHASES = Blueprint.model_validate({
    "name": "Long phases",
    "lanes": [{"id": "c", "label": "Customer", "layer": "customer"},
              {"id": "s", "label": "Staff and their long-suffering supervisors",
               "layer": "onstage"}],
    "phases": [
        {"id": "p1", "label": "Pre-purchase research, comparison of offers and the first "
                               "contact with the sales team"},
        {"id": "p2", "label": "Purchase"},
        {"id": "p3", "label": "Aftercare, returns, complaints, warranty claims and long-term "
                               "relationship management with loyal customers"}],
    "steps": [
        {"id": "a", "kind": "terminator", "lane": "c", "phase": "p1", "next": "b"},
        {"id": "b", "kind": "task", "lane": "s", "phase": "p2", "next": "d"},
        {"id": "d", "kind": "task", "lane": "s", "phase": "p3", "next": "e", "fail": "Lost"},
        {"id": "e", "kind": "terminator", "lane": "c", "phase": "p3"}],
})


def graph(dot: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=dot)


def pos(node: Any, height: float) -> tuple[float, float]:
    """A node's pinned position in layout coordinates (y down)."""
    x, y = map(float, node.attr["pos"].rstrip("!").split(","))
    return x, height - y


def label_lines(node: Any) -> list[str]:
    """The text lines of an HTML-like label."""
    inner = re.sub(r"<(?!BR/>)[^>]*>", "", str(node.attr["label"]))
    return [html.unescape(part) for part in inner.split("<BR/>")]


def test_long_phase_headers_wrap_inside_their_column_and_the_header_row() -> None:
    layout = compute_layout(LONG_PHASES)
    g = graph(build_dot(LONG_PHASES, layout))
    top, bottom = layout.title_height, layout.title_height + layout.header_height
    seen = 0
    for column in layout.columns:
        heads = [n for n in g.nodes() if n.startswith("h")
                 and top < pos(n, layout.height)[1] < bottom
                 and column.left < pos(n, layout.height)[0] < column.right]
        assert len(heads) == 1
        lines = label_lines(heads[0])
        assert all(text_width(line) <= column.right - column.left - 4 for line in lines), lines
        assert 14 * len(lines) + 4 <= layout.header_height
        seen += len(lines) > 1
    assert seen == 2  # both long titles wrapped


def test_long_lane_headers_wrap_inside_the_header_column() -> None:
    layout = compute_layout(LONG_PHASES)
    g = graph(build_dot(LONG_PHASES, layout))
    for band in layout.bands:
        heads = [n for n in g.nodes() if n.startswith("h")
                 and pos(n, layout.height)[0] < layout.header_width
                 and band.top < pos(n, layout.height)[1] < band.bottom]
        assert len(heads) == 1
        assert all(text_width(line) <= layout.header_width - 6 for line in label_lines(heads[0]))


def separators(g: pygraphviz.AGraph, height: float) -> list[tuple[float, float, float]]:
    """The dashed phase separators as ``(x, top, bottom)`` in layout coordinates."""
    found = []
    for e in g.edges():
        if e.attr["style"] != "dashed" or e.attr["color"] != "#9aa7b5":
            continue
        pts = [tuple(map(float, p.split(","))) for p in e.attr["pos"].split(" ")]
        xs, ys = {x for x, _ in pts}, [height - y for _, y in pts]
        assert len(xs) == 1
        found.append((xs.pop(), min(ys), max(ys)))
    return found


def test_separators_stop_at_the_last_lane() -> None:
    layout = compute_layout(LONG_PHASES)
    drawn = draw_dot(LONG_PHASES, layout, legend=True)
    found = separators(graph(drawn.text), drawn.height)
    assert len(found) == 2
    for _x, top, bottom in found:
        assert top == layout.title_height
        assert bottom == layout.bands[-1].bottom < layout.height


def legend_frame(g: pygraphviz.AGraph) -> tuple[float, float, float, float]:
    """The legend frame's ``bb`` (Graphviz coordinates)."""
    frames = [s for s in g.subgraphs() if s.graph_attr["color"] == "#c0c8d2"]
    assert len(frames) == 1
    x0, y0, x1, y1 = map(float, frames[0].graph_attr["bb"].split(","))
    return x0, y0, x1, y1


def test_the_key_is_sized_to_its_entries() -> None:
    # Seven steps in a row: a map wide enough that a strip across it would
    # be far wider than the two entries.
    wide = Blueprint.model_validate({"name": "Wide", "steps": [
        {"id": f"s{i}", "kind": "task", "next": f"s{i + 1}"} for i in range(6)]
        + [{"id": "s6", "kind": "terminator"}]})
    layout = compute_layout(wide)
    key = [KeyEntry("bottleneck (highest load)", color="#e65100"),
           KeyEntry("expected failures per case >= 0.1", fill="#ef9a9a")]
    drawn = draw_dot(wide, layout, key=key)
    g = graph(drawn.text)
    x0, y0, x1, y1 = legend_frame(g)
    assert x0 == 0 and x1 < layout.width - 150  # two entries: a box, not a strip
    texts = [n for n in g.nodes() if n.startswith("g") and "TABLE" in str(n.attr["label"])
             and "Legend" not in str(n.attr["label"])]
    assert len(texts) == 2
    rights = []
    for node in texts:
        x, y = map(float, node.attr["pos"].rstrip("!").split(","))
        width = float(re.search(r'WIDTH="(\d+)"', str(node.attr["label"])).group(1))  # type: ignore[union-attr]
        assert x0 < x - width / 2 and x + width / 2 < x1 and y0 < y < y1
        assert all(text_width(line) <= width for line in label_lines(node))
        rights.append(x + width / 2)
    assert x1 - max(rights) <= 9  # the frame ends where its entries do (its 8 pt pad)


def test_a_long_key_wraps_into_rows_within_the_map_width() -> None:
    layout = compute_layout(LONG_PHASES)
    key = [KeyEntry(f"entry number {i} of a long key", fill="#ef9a9a") for i in range(12)]
    g = graph(draw_dot(LONG_PHASES, layout, key=key, legend=True).text)
    _x0, y0, x1, y1 = legend_frame(g)
    assert x1 <= layout.width and y1 - y0 >= 30 + 3 * 30


def test_thick_round_borders_are_one_closed_stroke() -> None:
    bp = Blueprint.model_validate({"name": "Rounded", "steps": [
        {"id": "a", "kind": "terminator", "label": "Starts", "next": "w"},
        {"id": "w", "kind": "delay", "label": "Waits", "next": "e"},
        {"id": "e", "kind": "terminator", "label": "Ends"}]})
    layout = compute_layout(bp)
    styles = {s: StepStyle(color="#d81b60", penwidth=3.0) for s in ("a", "w")}
    g = graph(build_dot(bp, layout, styles=styles))
    for step, title in (("a", "Starts"), ("w", "Waits")):
        box = layout.nodes[step]
        borders = [e for e in g.edges()
                   if e[0] == "a0" and str(e.attr["tooltip"]).startswith(title)]
        assert len(borders) == 1 and borders[0].attr["color"] == "#d81b60"
        pts = [tuple(map(float, p.split(","))) for p in borders[0].attr["pos"].split(" ")]
        assert len(pts) % 3 == 1 and pts[0] in pts[3:]  # closed, and on past its start
        xs, ys = [x for x, _ in pts], [layout.height - y for _, y in pts]
        assert min(xs) == box.left and max(xs) == box.right
        assert min(ys) == box.top and max(ys) == box.bottom
        # The nodes of the symbol only fill: no outline of their own to meet the stroke.
        nodes = [n for n in g.nodes() if str(n.attr["tooltip"]).startswith(title)]
        assert nodes and all(float(n.attr["penwidth"]) == 0 for n in nodes)


def rect_of(node: Any, height: float) -> tuple[float, float, float, float]:
    """A tag's box in layout coordinates."""
    x, y = pos(node, height)
    label = str(node.attr["label"])
    w = float(re.search(r'WIDTH="(\d+)"', label).group(1))  # type: ignore[union-attr]
    h = float(re.search(r'HEIGHT="(\d+)"', label).group(1))  # type: ignore[union-attr]
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


# Badges as the highlight writes them: up to four figures, the longest ~60 characters.
LONG_BADGE = "0.08 fail/case, util 6%, queue 5.01 min, 12% of lead time {}"


@pytest.mark.parametrize("badge", ["SM103 {}", LONG_BADGE])
@pytest.mark.parametrize("name", ["service_desk", "order_fulfilment", "next_day_delivery_current",
                                  "returned_payment"])
def test_tags_sit_in_their_strip_clear_of_lines_separators_and_other_lanes(
        name: str, badge: str) -> None:
    bp = load(Path("examples") / f"{name}.yaml")
    styles = {s.id: StepStyle(color="#d81b60", penwidth=3.0, badge=badge.format(s.id[:12]))
              for s in bp.steps}
    layout = compute_layout(bp)
    drawn = draw_dot(bp, layout, styles=styles, evidence=True)
    g = graph(drawn.text)
    tags = [rect_of(n, drawn.height) for n in g.nodes() if n.attr["class"] == "tag"]
    assert len(tags) == len(bp.steps)
    segments = []
    for e in g.edges():
        pts = [tuple(map(float, p.split(",")))
               for p in e.attr["pos"].split(" ") if not p.startswith("e,")]
        if e[0] == "a0" and len({x for x, _ in pts}) > 1 and len({y for _, y in pts}) > 1:
            continue  # a step's border (a closed curve), not a line
        segments += [(x0, drawn.height - y0, x1, drawn.height - y1)
                     for (x0, y0), (x1, y1) in itertools.pairwise(pts)]
    # Lines, separators and blueprint lines (drawn from x = 0 across the map), badges.
    badges = [(x - 7, y - 7, x + 7, y + 7) for x, y in
              (pos(n, drawn.height) for n in g.nodes() if n.startswith("f"))]
    for i, (l0, t0, r0, b0) in enumerate(tags):
        assert l0 >= layout.header_width and r0 <= layout.width  # not over a lane header
        for x0, y0, x1, y1 in segments:
            assert not (min(x0, x1) < r0 and l0 < max(x0, x1)
                        and min(y0, y1) < b0 and t0 < max(y0, y1)), (name, tags[i])
        for l1, t1, r1, b1 in [*tags[i + 1:], *badges]:
            assert not (l0 < r1 and l1 < r0 and t0 < b1 and t1 < b0)


def test_a_tag_too_wide_for_its_gap_is_broken_at_its_commas() -> None:
    # The decision's two branches run down through its tag's strip and cut the
    # ~470 pt of map right of the lane headers into gaps of at most ~280 pt: the
    # one-line tag (~290 pt at 8 pt) fits in none; broken at its commas it fits.
    bp = Blueprint.model_validate({"name": "Narrow", "lanes": [{"id": "u"}, {"id": "d"}],
                                   "steps": [
        {"id": "a", "kind": "decision", "lane": "u", "label": "Which way?",
         "next": [{"to": "b", "label": "left"}, {"to": "c", "label": "right"}]},
        {"id": "b", "kind": "task", "lane": "d", "next": "e"},
        {"id": "c", "kind": "task", "lane": "d", "next": "e"},
        {"id": "e", "kind": "terminator", "lane": "d"}]})
    layout = compute_layout(bp)
    styles = {"a": StepStyle(color="#d81b60", badge="0.08 fail/case, util 6%, queue 5.01 min, "
                                                   "12% of lead time")}
    drawn = draw_dot(bp, layout, styles=styles)
    g = graph(drawn.text)
    (tag,) = [n for n in g.nodes() if n.attr["class"] == "tag"]
    lines = label_lines(tag)
    assert len(lines) > 1 and " ".join(lines) == styles["a"].badge
    left, _top, right, _bottom = rect_of(tag, drawn.height)
    assert right - left < tag_width(styles["a"].badge or "")
    assert all(text_width(line, 8) <= right - left for line in lines)


def test_two_blueprint_lines_on_one_border_are_both_readable() -> None:
    # A customer lane right above a backstage lane: the lines of interaction
    # and of visibility both lie on that border.
    bp = Blueprint.model_validate({
        "name": "Two lines",
        "lanes": [{"id": "c", "layer": "customer"}, {"id": "b", "layer": "backstage"}],
        "steps": [{"id": "a", "kind": "terminator", "lane": "c", "next": "z"},
                  {"id": "z", "kind": "terminator", "lane": "b"}]})
    layout = compute_layout(bp)
    assert len({line.y for line in layout.lines}) == 1 and len(layout.lines) == 2
    g = graph(build_dot(bp, layout))
    names = {" ".join(label_lines(n)): pos(n, layout.height)[1] for n in g.nodes()
             if "line of" in str(n.attr["label"])}
    assert set(names) == {"line of interaction", "line of visibility"}
    border = layout.lines[0].y
    # One name above the border, one below it (8-pt text: 11 pt high boxes).
    assert names["line of interaction"] < border < names["line of visibility"]
    assert names["line of visibility"] - names["line of interaction"] >= 11


def test_blueprint_line_names_fit_the_header_column() -> None:
    # Short lane names would leave the header column at its narrowest (96 pt),
    # narrower than "line of internal interaction" at 8 pt (118.7 pt): the
    # column widens for the name, which keeps 8 pt (6 pt names were the
    # smallest text of every map, and limited how far a page could scale it).
    bp = Blueprint.model_validate({
        "name": "Narrow header",
        "lanes": [{"id": "c", "layer": "customer"}, {"id": "o", "layer": "onstage"},
                  {"id": "b", "layer": "backstage"}, {"id": "s", "layer": "support"}],
        "steps": [{"id": "a", "kind": "terminator", "lane": "c", "next": "z"},
                  {"id": "z", "kind": "terminator", "lane": "s"}]})
    layout = compute_layout(bp)
    assert layout.header_width >= text_width("line of internal interaction", 8) + 10
    g = graph(build_dot(bp, layout))
    seen = 0
    for n in g.nodes():
        label = str(n.attr["label"])
        if "line of" not in label:
            continue
        size = float(re.search(r'POINT-SIZE="([\d.]+)"', label).group(1))  # type: ignore[union-attr]
        name = " ".join(label_lines(n))
        assert size == 8 and text_width(name, size) <= layout.header_width - 6, name
        seen += 1
    assert seen == 3
