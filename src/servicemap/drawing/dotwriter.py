"""DOT text primitives: numbers, attribute lists, HTML-like labels, splines, a pinning writer."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..layout.geometry import Point
from .escape import html_text
from .style import ARROW_LENGTH, Colors

__all__ = ["DotWriter", "Html", "attr_list", "cell_table", "inch", "lines_html", "num", "quoted",
           "spline"]


def num(value: float) -> str:
    """A number for DOT: at most two decimals, no trailing zeros.

    >>> num(1.5), num(2.0), num(-0.001)
    ('1.5', '2', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def inch(points: float) -> str:
    """Points as inches for Graphviz's ``width`` and ``height`` (at least 0.01 pt).

    >>> inch(72), inch(0)
    ('1.0000', '0.0001')
    """
    return f"{max(points, 0.01) / 72:.4f}"


_CHUNK = 4000
"""Characters per quoted DOT string: Graphviz's scanner refuses a string (or an HTML-like
label) over 16384 bytes, and 4000 characters are at most 16000 bytes of UTF-8."""


def quoted(text: str) -> str:
    """``text`` (already escaped) as a DOT string: quoted, in ``+``-joined pieces if long.

    DOT joins ``"a" + "b"`` into one string, so a tooltip of any length reaches
    Graphviz whole.

    >>> quoted("box")
    '"box"'
    >>> quoted("x" * 4001) == '"' + "x" * 4000 + '" + "x"'
    True
    """
    if len(text) <= _CHUNK:
        return f'"{text}"'
    pieces, start, size = [], 0, len(text)
    while start < size:
        end = min(size, start + _CHUNK)
        while start < end < size and text[end - 1] == "\\":
            end -= 1  # a piece ending in a backslash would escape its closing quote
        if end == start:  # a run of backslashes: take all of it and what follows
            end = start + _CHUNK
            while end < size and text[end - 1] == "\\":
                end += 1
        pieces.append(f'"{text[start:end]}"')
        start = end
    return " + ".join(pieces)


def attr_list(attrs: Mapping[str, Any]) -> str:
    """DOT attribute list; values are numbers, our own quoted words, or ``<html>`` labels.

    >>> attr_list({"shape": "box", "width": 1.5, "fixedsize": True, "label": Html("<B>x</B>"),
    ...            "skip": None})
    '[shape="box", width=1.5, fixedsize=true, label=<<B>x</B>>]'
    """
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = num(float(value))
        elif isinstance(value, Html):
            text = f"<{value.text}>"
        else:
            text = quoted(str(value))
        parts.append(f"{key}={text}")
    return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class Html:
    """An HTML-like label: written ``<...>`` in DOT instead of quoted."""
    text: str  # already escaped HTML-like label content


def spline(points: Sequence[Point], *, arrow: bool = True) -> str:
    """A Graphviz ``pos`` spline drawing the polyline ``points`` (Graphviz coordinates).

    Each straight segment becomes one cubic Bézier with its control points on
    the segment, so the drawn line stays straight. With ``arrow``, the line
    stops :data:`ARROW_LENGTH` short of the last point, which becomes the tip.

    >>> spline([(0, 0), (0, 30), (40, 30)])
    'e,40,30 0,0 0,10 0,20 0,30 11,30 22,30 33,30'
    >>> spline([(0, 0), (9, 0)], arrow=False)
    '0,0 3,0 6,0 9,0'
    """
    pts = [(float(x), float(y)) for x, y in points]
    pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    tip: Point | None = None
    if arrow and len(pts) >= 2:
        tip = pts[-1]
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        length = abs(x1 - x0) + abs(y1 - y0)
        cut = min(ARROW_LENGTH, max(length - 0.5, 0.0))
        if length > 0:
            pts[-1] = (x1 - (x1 - x0) * cut / length, y1 - (y1 - y0) * cut / length)
    out = [f"{num(pts[0][0])},{num(pts[0][1])}"]
    for (xa, ya), (xb, yb) in itertools.pairwise(pts):
        for t in (1 / 3, 2 / 3, 1.0):
            out.append(f"{num(xa + (xb - xa) * t)},{num(ya + (yb - ya) * t)}")
    head = f"e,{num(tip[0])},{num(tip[1])} " if tip is not None else ""
    return head + " ".join(out)


def lines_html(lines: Iterable[str], *, bold: bool = False) -> str:
    """Escaped ``lines`` joined by line breaks, optionally bold.

    >>> lines_html(["a < b", "c"], bold=True)
    '<B>a &lt; b<BR/>c</B>'
    """
    body = "<BR/>".join(html_text(line) for line in lines)
    return f"<B>{body}</B>" if bold and body else body


def cell_table(
    content: str, width: float, height: float, *, sides: str = "LTRB", border: int = 1,
    color: str, fill: str | None, align: str = "CENTER", balign: str | None = None,
) -> Html:
    """A one-cell table of fixed size: a box with some sides bordered, holding ``content``
    (its lines aligned to each other by ``balign``, centred by default).

    >>> table = cell_table("x", 20.4, 10, sides="TB", color="#000000", fill=None).text
    >>> 'WIDTH="20" HEIGHT="10"' in table, 'SIDES="TB"' in table
    (True, True)
    """
    w, h = max(1, round(width)), max(1, round(height))
    bg = f' BGCOLOR="{fill}"' if fill else ""
    if balign is not None:  # how the lines of a wrapped text align to each other
        bg += f' BALIGN="{balign}"'
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}" BORDER="{border}" SIDES="{sides}"'
        f' COLOR="{color}"{bg} ALIGN="{align}">{content}</TD></TR></TABLE>'
    )


@dataclass
class DotWriter:
    """Collects DOT statements; flips y (the layout's y grows down, Graphviz's up)."""

    height: float
    colors: Colors
    clusters: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    count: int = 0

    def y(self, y: float) -> float:
        """Graphviz's y for the layout's ``y``."""
        return self.height - y

    def pos(self, x: float, y: float) -> str:
        """A pinned ``pos`` for a point of the layout."""
        return f"{num(x)},{num(self.y(y))}!"

    def new_id(self, prefix: str) -> str:
        """A fresh node or cluster name: ``prefix`` and a running number."""
        self.count += 1
        return f"{prefix}{self.count}"

    def node(self, prefix: str, x: float, y: float, attrs: Mapping[str, Any]) -> str:
        """A node pinned at ``(x, y)``; returns its name."""
        name = self.new_id(prefix)
        self.nodes.append(f"{name} {attr_list({'pos': self.pos(x, y), **attrs})};")
        return name

    def rect(self, left: float, top: float, right: float, bottom: float, fill: str,
             line: str | None = None) -> None:
        """A filled rectangle behind everything (a cluster drawn from its ``bb``)."""
        name = self.new_id("cluster_r")
        bb = f"{num(left)},{num(self.y(bottom))},{num(right)},{num(self.y(top))}"
        attrs = {"bb": bb, "style": "filled", "fillcolor": fill, "color": line or fill,
                 "penwidth": 1 if line else 0, "label": ""}
        self.clusters.append(f"subgraph {name} {{ graph {attr_list(attrs)}; }}")

    def curve(self, controls: Sequence[Point], attrs: Mapping[str, Any]) -> None:
        """A path of cubic Bézier pieces through ``controls`` (a start point, then three
        points a piece, layout coordinates), drawn as one stroke without arrow."""
        pos = " ".join(f"{num(x)},{num(self.y(y))}" for x, y in controls)
        self.edges.append(f"a0 -> a1 {attr_list({'pos': pos, 'dir': 'none', **attrs})};")

    def line(self, points: Sequence[Point], attrs: Mapping[str, Any], *, arrow: bool = False,
             ends: tuple[str, str] = ("a0", "a1")) -> None:
        """A polyline through ``points``, as an edge between two nodes (the anchors by default)."""
        flipped = [(x, self.y(y)) for x, y in points]
        all_attrs = {"pos": spline(flipped, arrow=arrow), **attrs}
        if not arrow:
            all_attrs.setdefault("dir", "none")
        self.edges.append(f"{ends[0]} -> {ends[1]} {attr_list(all_attrs)};")
