"""Step symbols and the fail-point badge, drawn as pinned Graphviz nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..layout.geometry import NodeBox, Point
from ..layout.grid import PARALLEL_BAR
from ..text import LINE_HEIGHT
from .dotwriter import DotWriter, Html, inch, lines_html

__all__ = ["draw_badge", "draw_symbol"]

_BADGE = 14.0  # diameter of the fail-point badge, points


def draw_symbol(
    dot: DotWriter, kind: str, box: NodeBox, lines: Sequence[str], *,
    fill: str, color: str, penwidth: float, extra: Mapping[str, Any],
) -> None:
    """Draw one step symbol at ``box`` (layout coordinates) as one or more pinned nodes.

    Args:
        dot: Where the nodes go.
        kind: The step kind, which gives the symbol (``offpage``: the off-page
            connector of a split map, a pentagon "home plate").
        box: Where the symbol goes.
        lines: The label's lines.
        fill: Fill colour.
        color: Border colour.
        penwidth: Border width in points.
        extra: Further attributes of the node that carries the label (tooltip, class).

    Example:
        >>> from servicemap.drawing.style import Colors
        >>> dot = DotWriter(100, Colors())
        >>> draw_symbol(dot, "decision", NodeBox("d", 50, 40, 96, 52), ["ok?"], fill="#ffffff",
        ...             color="#000000", penwidth=1, extra={})
        >>> dot.nodes[0][:16], 'shape="diamond"' in dot.nodes[0]
        ('s1 [pos="50,60!"', True)
    """
    border = max(1, round(penwidth))
    text = lines_html(lines)
    base = {"fixedsize": True, "style": "filled", "fillcolor": fill, "color": color,
            "penwidth": penwidth, **extra}
    w, h = box.width, box.height
    if (kind == "terminator" and w > h) or (kind == "delay" and w > h / 2):
        _draw_rounded(dot, kind, box, text, fill=fill, color=color, penwidth=penwidth,
                      extra=extra)
    elif kind == "parallel":
        _draw_bar(dot, box, text, color=color, extra=extra)
    elif kind == "predefined":
        label = _predefined_table(text, w, h, border=border, color=color, fill=fill)
        dot.node("s", box.x, box.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     **extra})
    else:
        shape = {"decision": "diamond", "document": "note", "connector": "circle",
                 "terminator": "ellipse", "offpage": "invhouse"}.get(kind, "box")
        if kind == "offpage":  # the text above the home plate's point
            text = lines_html([*lines, ""])
        if kind == "connector":
            w = h = min(w, h)
        dot.node("s", box.x, box.y, {**base, "shape": shape, "width": inch(w),
                                     "height": inch(h), "label": Html(text), "margin": 0})


def _draw_bar(dot: DotWriter, box: NodeBox, text: str, *, color: str,
              extra: Mapping[str, Any]) -> None:
    """A parallel step: a thick bar (a filled thin box) across the flow, its label above it.

    >>> from servicemap.drawing.style import Colors
    >>> dot = DotWriter(100, Colors())
    >>> _draw_bar(dot, NodeBox("p", 50, 40, 40, 74), "both", color="#000000", extra={})
    >>> 'label=<both>' in dot.nodes[0], 'width="0.1389"' in dot.nodes[1]
    (True, True)
    """
    bar_w = min(PARALLEL_BAR[0], box.width)
    # The label's room above and below the bar: a line's height per label line
    # (grid.step_size); the bar takes the rest, longer where it spans rows.
    bar_h = (box.height - 2 * LINE_HEIGHT * len(box.label_lines) if box.label_lines
             else min(PARALLEL_BAR[1], box.height))
    room = (box.height - bar_h) / 2
    if room > 0 and text:  # none in the legend's sample
        dot.node("l", box.x, box.top + room / 2, {"shape": "plaintext", "fixedsize": True,
                                                  "width": inch(box.width),
                                                  "height": inch(room), "label": Html(text),
                                                  "margin": 0})
    dot.node("s", box.x, box.y, {"shape": "box", "fixedsize": True, "style": "filled",
                                 "fillcolor": color, "color": color, "penwidth": 0,
                                 "width": inch(bar_w), "height": inch(bar_h), "label": "",
                                 **extra})


_KAPPA = 0.5523  # a quarter circle of radius r as one cubic Bézier: control points r * this out
_OVERLAP = 0.5  # the fill reaches this far under the border, so no background shows between


def _draw_rounded(dot: DotWriter, kind: str, box: NodeBox, text: str, *, fill: str, color: str,
                  penwidth: float, extra: Mapping[str, Any]) -> None:
    """A stadium (terminator) or a D (delay): its border one closed stroke, then the fill.

    The border is a single Bézier path (straight sides and quarter circles) that
    runs on past its start, so a thick border has no seam where pieces meet; the
    fill (circles for the round ends, a box with the label between) is drawn over
    it, inset to the border's inner edge. Flow lines are drawn before all nodes,
    and so is this border.
    """
    h, r = box.height, box.height / 2
    inner = max(1.0, h - penwidth + _OVERLAP)  # the fill's height
    ends = [box.left + r, box.right - r] if kind == "terminator" else [box.right - r]
    dot.curve(_outline(kind, box), {"color": color, "penwidth": penwidth + _OVERLAP,
                                    "tooltip": extra.get("tooltip"), "class": extra.get("class")})
    fill_attrs = {"fixedsize": True, "style": "filled", "fillcolor": fill, "color": fill,
                  "penwidth": 0}
    for cx in ends:
        dot.node("p", cx, box.y, {**fill_attrs, **extra, "shape": "circle",
                                  "width": inch(inner), "height": inch(inner), "label": ""})
    left = ends[0] if kind == "terminator" else box.left + (h - inner) / 2
    dot.node("s", (left + ends[-1]) / 2, box.y,
             {**fill_attrs, **extra, "shape": "box", "width": inch(ends[-1] - left),
              "height": inch(inner), "label": Html(text), "margin": 0})


def _outline(kind: str, box: NodeBox) -> list[Point]:
    """The Bézier control points of a stadium's or a D's outline, clockwise from the top
    middle and a little past it (layout coordinates).

    >>> pts = _outline("terminator", NodeBox("t", 50, 20, 100, 40))
    >>> pts[0], pts[-1], len(pts) % 3
    ((50.0, 0.0), (54.0, 0.0), 1)
    """
    r, y = box.height / 2, box.y
    top, bottom = y - r, y + r
    right_c = box.right - r
    left_c = box.left + r if kind == "terminator" else box.left
    k = r * _KAPPA
    mid = (left_c + right_c) / 2
    pts: list[Point] = [(mid, top)]

    def straight(to: Point) -> None:
        (x0, y0), (x1, y1) = pts[-1], to
        pts.extend([(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
                    (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), to])

    straight((right_c, top))
    pts.extend([(right_c + k, top), (box.right, y - k), (box.right, y)])
    pts.extend([(box.right, y + k), (right_c + k, bottom), (right_c, bottom)])
    straight((left_c, bottom))
    if kind == "terminator":
        pts.extend([(left_c - k, bottom), (box.left, y + k), (box.left, y)])
        pts.extend([(box.left, y - k), (left_c - k, top), (left_c, top)])
    else:
        straight((box.left, top))
    straight((mid, top))
    straight((min(mid + 4, right_c), top))  # past the start: its cut end lies under the stroke
    return pts


def _predefined_table(text: str, width: float, height: float, *, border: int, color: str,
                      fill: str) -> Html:
    """A predefined process: a bordered table whose outer cells are the double side bars."""
    bar = 7
    cw, ch = max(1, round(width)), max(1, round(height))
    inner_h = max(1, ch - 2 * border)
    return Html(
        f'<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'
        f' COLOR="{color}" BGCOLOR="{fill}" FIXEDSIZE="TRUE" WIDTH="{cw}" HEIGHT="{ch}"><TR>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{bar}" HEIGHT="{inner_h}" BORDER="{border}" SIDES="R"'
        f' COLOR="{color}"></TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{max(1, cw - 2 * bar - 2 * border)}"'
        f' HEIGHT="{inner_h}">{text}</TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{bar}" HEIGHT="{inner_h}" BORDER="{border}" SIDES="L"'
        f' COLOR="{color}"></TD></TR></TABLE>'
    )


def draw_badge(dot: DotWriter, x: float, y: float, text: str, fill: str,
               tooltip: str | None) -> None:
    """A small filled circle with bold ``text`` (the fail point's "F").

    >>> from servicemap.drawing.style import Colors
    >>> dot = DotWriter(100, Colors())
    >>> draw_badge(dot, 10, 10, "F", "#c62828", None)
    >>> dot.nodes[0][:37]
    'f1 [pos="10,90!", shape="circle", fix'
    """
    label = Html(f'<FONT COLOR="{dot.colors.badge_ink}" POINT-SIZE="8"><B>{text}</B></FONT>')
    dot.node("f", x, y, {"shape": "circle", "fixedsize": True, "width": inch(_BADGE),
                         "height": inch(_BADGE), "style": "filled", "fillcolor": fill,
                         "color": fill, "label": label, "margin": 0, "tooltip": tooltip})
