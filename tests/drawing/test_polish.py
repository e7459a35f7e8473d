"""Tests of the drawing's finish: headers inside their columns, separators, key, tags, borders."""

from __future__ import annotations

import html
import re
from typing import Any

import pygraphviz

from servicemap.drawing.dot import build_dot, draw_dot
from servicemap.layout import compute_layout
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
