"""Step symbols and the fail-point badge, drawn as pinned Graphviz nodes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..layout.geometry import NodeBox, Point
from ..layout.grid import PARALLEL_BAR
from ..text import LINE_HEIGHT
from .dotwriter import DotWriter, Html, inch, lines_html

__all__ = ["RING_GAP", "RING_WIDTH", "Ring", "draw_badge", "draw_symbol", "ring_insets"]

_BADGE = 14.0  # diameter of the fail-point badge, points

Ring = tuple[str, float]
"""A second border inside a step's own: its colour and width in points."""

RING_GAP = 1.5
"""Points of the step's fill between its border and a ring inside it."""
RING_WIDTH = 2.5
"""Widest a ring is drawn, points; 2 pt each where there are two (a step's text keeps
its room: a task's text starts 8 pt inside its outline)."""


def ring_insets(penwidth: float, rings: Sequence[Ring]) -> list[tuple[str, float, float]]:
    """Each ring's colour, how far inside the outline its middle runs, and its width:
    half the border, then a gap and a ring per ring.

    >>> ring_insets(2.0, [("#6a1b9a", 3.0)])
    [('#6a1b9a', 3.75, 2.5)]
    >>> ring_insets(2.0, [("#6a1b9a", 3.0), ("#e65100", 3.5)])
    [('#6a1b9a', 3.5, 2.0), ('#e65100', 7.0, 2.0)]
    """
    cap = RING_WIDTH if len(rings) == 1 else 2.0
    edge, out = penwidth / 2, []
    for colour, width in rings:
        width = min(width, cap)
        out.append((colour, edge + RING_GAP + width / 2, width))
        edge += RING_GAP + width
    return out


def draw_symbol(
    dot: DotWriter, kind: str, box: NodeBox, lines: Sequence[str], *,
    fill: str, color: str, penwidth: float, extra: Mapping[str, Any],
    rings: Sequence[Ring] = (),
) -> str:
    """Draw one step symbol at ``box`` (layout coordinates) as one or more pinned nodes.

    A ring is a further border just inside the first, in another colour: a
    step with a border of its own (a service recovery step's green) keeps it and
    shows a highlight colour as a ring; so does a highlight border under a
    check-problem mark. A parallel bar, too thin for rings, is filled with the
    first ring's colour inside its border instead.

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
        rings: Colour and width of each border inside the first, outermost first.

    Returns:
        The name of the node that carries the label (flow lines end at it).

    Example:
        >>> from servicemap.drawing.style import Colors
        >>> dot = DotWriter(100, Colors())
        >>> draw_symbol(dot, "decision", NodeBox("d", 50, 40, 96, 52), ["ok?"], fill="#ffffff",
        ...             color="#000000", penwidth=1, extra={})
        's1'
        >>> dot.nodes[0][:16], 'shape="diamond"' in dot.nodes[0]
        ('s1 [pos="50,60!"', True)
    """
    border = max(1, round(penwidth))
    text = lines_html(lines)
    base = {"fixedsize": True, "style": "filled", "fillcolor": fill, "color": color,
            "penwidth": penwidth, **extra}
    w, h = box.width, box.height
    if (kind == "terminator" and w > h) or (kind == "delay" and w > h / 2):
        return _draw_rounded(dot, kind, box, text, fill=fill, color=color, penwidth=penwidth,
                             extra=extra, rings=rings)
    if kind == "parallel":
        return _draw_bar(dot, box, text, color=color, penwidth=penwidth, extra=extra,
                         ring=rings[0] if rings else None)
    if kind == "predefined":
        label = _predefined_table(text, w, h, border=border, color=color, fill=fill)
        name = dot.node("s", box.x, box.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     **extra})
    else:
        shape = {"decision": "diamond", "document": "note", "connector": "circle",
                 "terminator": "ellipse", "offpage": "invhouse"}.get(kind, "box")
        if kind == "offpage":  # the text above the home plate's point
            text = lines_html([*lines, ""])
        if kind == "connector":
            w = h = min(w, h)
        name = dot.node("s", box.x, box.y, {**base, "shape": shape, "width": inch(w),
                                            "height": inch(h), "label": Html(text), "margin": 0})
    for colour, inset, width in ring_insets(penwidth, rings):
        _draw_ring(dot, kind, box.x, box.y, w, h, (colour, inset, width), extra)
    return name


_RING_SHAPES = {"decision": "diamond", "document": "note", "connector": "circle",
                "terminator": "ellipse", "offpage": "invhouse"}


def _draw_ring(dot: DotWriter, kind: str, x: float, y: float, w: float, h: float,
               ring: tuple[str, float, float], extra: Mapping[str, Any]) -> None:
    """A ring inside a symbol of ``w`` x ``h`` centred at ``(x, y)``: the same shape,
    unfilled, drawn over the symbol (a predefined process gets a plain box).

    A diamond's sides are moved in by the inset along their normals, so it
    scales by ``1 - d * sqrt(1/a^2 + 1/b^2)`` (``a``, ``b`` its half-diagonals).

    >>> from servicemap.drawing.style import Colors
    >>> dot = DotWriter(100, Colors())
    >>> _draw_ring(dot, "task", 50, 40, 100, 40, ("#6a1b9a", 3.75, 2.5), {})
    >>> 'width="1.2847"' in dot.nodes[0], 'height="0.4514"' in dot.nodes[0]  # 100-7.5, 40-7.5
    (True, True)
    """
    colour, d, width = ring
    shape = _RING_SHAPES.get(kind, "box")
    if shape == "diamond":
        scale = 1 - d * math.hypot(2 / w, 2 / h)
        rw, rh = w * scale, h * scale
    else:
        rw, rh = w - 2 * d, h - 2 * d
    dot.node("r", x, y, {"shape": shape, "fixedsize": True, "style": "solid",
                         "color": colour, "penwidth": width,
                         "width": inch(rw), "height": inch(rh), "label": "",
                         "tooltip": extra.get("tooltip"), "class": "ring"})


def _draw_bar(dot: DotWriter, box: NodeBox, text: str, *, color: str, penwidth: float,
              extra: Mapping[str, Any], ring: Ring | None = None) -> str:
    """A parallel step: a thick bar (a filled thin box) across the flow, its label above it.

    The bar is the ink colour, as the legend shows it; a mark (a highlight, a
    recovery step's green) is its border, at most :data:`RING_WIDTH` wide and
    inside the bar's outline, so the bar stays as wide as the layout made it.
    Too thin for a ring inside the border, a bar with a ``ring`` is filled
    with the ring's colour.

    >>> from servicemap.drawing.style import Colors
    >>> dot = DotWriter(100, Colors())
    >>> _draw_bar(dot, NodeBox("p", 50, 40, 40, 74), "both", color=Colors().ink, penwidth=1,
    ...           extra={})
    's2'
    >>> 'label=<both>' in dot.nodes[0], 'width="0.1389"' in dot.nodes[1]
    (True, True)
    >>> _ = _draw_bar(dot, NodeBox("p", 50, 40, 40, 74), "", color="#6a1b9a", penwidth=3,
    ...               extra={})
    >>> 'fillcolor="#263238", color="#6a1b9a", penwidth=2.5, width="0.1042"' in dot.nodes[2]
    True
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
    ink = dot.colors.ink
    border = 0.0 if color == ink else min(penwidth, RING_WIDTH)  # a stroke, half of it outside
    return dot.node("s", box.x, box.y, {"shape": "box", "fixedsize": True, "style": "filled",
                                        "fillcolor": ring[0] if ring else ink, "color": color,
                                        "penwidth": border, "width": inch(bar_w - border),
                                        "height": inch(bar_h - border), "label": "", **extra})


_KAPPA = 0.5523  # a quarter circle of radius r as one cubic Bézier: control points r * this out
_OVERLAP = 0.5  # the fill reaches this far under the border, so no background shows between


def _draw_rounded(dot: DotWriter, kind: str, box: NodeBox, text: str, *, fill: str, color: str,
                  penwidth: float, extra: Mapping[str, Any], rings: Sequence[Ring] = ()
                  ) -> str:
    """A stadium (terminator) or a D (delay): its border one closed stroke, then the fill.

    The border is a single Bézier path (straight sides and quarter circles) that
    runs on past its start, so a thick border has no seam where pieces meet; the
    fill (circles for the round ends, a box with the label between) is drawn over
    it, inset to the border's inner edge. Flow lines are drawn before all nodes,
    and so is this border. Each of ``rings`` is two more such strokes inside
    (the fill's colour in the gap, then the ring), and the fill is inset to the
    last ring's inner edge.
    """
    h, r = box.height, box.height / 2
    dot.curve(_outline(kind, box), {"color": color, "penwidth": penwidth + _OVERLAP,
                                    "tooltip": extra.get("tooltip"), "class": extra.get("class")})
    inset = penwidth / 2  # from the outline to the fill's edge
    for colour, middle, width in ring_insets(penwidth, rings):
        for stroke_colour, at, stroke in ((fill, middle - width / 2 - RING_GAP / 2, RING_GAP),
                                          (colour, middle, width)):
            inner_box = NodeBox(box.id, box.x, box.y, box.width - 2 * at, box.height - 2 * at)
            dot.curve(_outline(kind, inner_box), {"color": stroke_colour,
                                                  "penwidth": stroke + _OVERLAP,
                                                  "tooltip": extra.get("tooltip"),
                                                  "class": "ring"})
        inset = middle + width / 2
    inner = max(1.0, h - 2 * inset + _OVERLAP)  # the fill's height
    ends = [box.left + r, box.right - r] if kind == "terminator" else [box.right - r]
    fill_attrs = {"fixedsize": True, "style": "filled", "fillcolor": fill, "color": fill,
                  "penwidth": 0}
    for cx in ends:
        dot.node("p", cx, box.y, {**fill_attrs, **extra, "shape": "circle",
                                  "width": inch(inner), "height": inch(inner), "label": ""})
    left = ends[0] if kind == "terminator" else box.left + (h - inner) / 2
    return dot.node("s", (left + ends[-1]) / 2, box.y,
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
