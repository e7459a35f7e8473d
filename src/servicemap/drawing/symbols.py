"""Step symbols and the fail-point badge, drawn as pinned Graphviz nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..layout.geometry import NodeBox
from .dotwriter import DotWriter, Html, cell_table, inch, lines_html

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
    if kind == "terminator" and w > h:
        # A stadium: two circles at the ends, a top-and-bottom-bordered cell between.
        for cx in (box.left + h / 2, box.right - h / 2):
            dot.node("p", cx, box.y, {**base, "shape": "circle", "width": inch(h),
                                      "height": inch(h), "label": ""})
        label = cell_table(text, w - h, h, sides="TB", border=border, color=color, fill=fill)
        dot.node("s", box.x, box.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     **extra})
    elif kind == "delay" and w > h / 2:
        # A D: a circle on the right, a cell bordered left/top/bottom up to its centre.
        dot.node("p", box.right - h / 2, box.y, {**base, "shape": "circle", "width": inch(h),
                                                  "height": inch(h), "label": ""})
        cell_w = w - h / 2
        label = cell_table(text, cell_w, h, sides="LTB", border=border, color=color, fill=fill)
        dot.node("s", box.left + cell_w / 2, box.y,
                 {"shape": "plain", "fixedsize": False, "label": label, **extra})
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
