"""DOT text of a laid-out map: pinned nodes, given edge routes, bands, headers and legend."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..layout.geometry import Band, EdgeRoute, Layout, NodeBox, Point
from ..layout.labels import Obstacles, label_size
from ..layout.text import (
    HEADER_LINE,
    LANE_TITLE_INSET,
    MAP_TITLE_INSET,
    PHASE_TITLE_INSET,
    TITLE_SIZE,
    wrap_chars,
)
from ..model import Blueprint, Step
from ..values import format_duration, format_percent
from .escape import html_text, tooltip_text
from .style import ARROW_LENGTH, FONT, FONT_SIZE, Colors, KeyEntry, StepStyle

__all__ = ["LEGEND_NAMES", "build_dot", "spline"]

LEGEND_NAMES: dict[str, str] = {
    "terminator": "start / end (terminator)",
    "task": "task",
    "predefined": "predefined process",
    "decision": "decision",
    "delay": "delay",
    "document": "document (folded corner for the wavy base)",
    "connector": "connector",
}
"""How the legend names each symbol (and the stand-in Graphviz shape, where one is used)."""

LegendEntry = tuple[str, str | KeyEntry]
"""A legend entry: what it shows (a step kind, ``failure-edge``, ``rework-edge``,
``fail``, ``recovery`` or ``key``) and its text (a key entry for ``key``)."""

_BADGE = 14.0  # diameter of the fail-point badge, points
_LEGEND_ITEM = (190.0, 30.0)  # width and height of one legend entry
_LEGEND_SAMPLE = (44.0, 22.0)


def _num(value: float) -> str:
    """A number for DOT: at most two decimals, no trailing zeros.

    >>> _num(1.5), _num(2.0), _num(-0.001)
    ('1.5', '2', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _inch(points: float) -> str:
    """Points as inches for Graphviz's ``width`` and ``height`` (at least 0.01 pt)."""
    return f"{max(points, 0.01) / 72:.4f}"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """DOT attribute list; values are numbers, our own quoted words, or ``<html>`` labels."""
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = _num(float(value))
        elif isinstance(value, _Html):
            text = f"<{value.text}>"
        else:
            text = f'"{value}"'
        parts.append(f"{key}={text}")
    return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class _Html:
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
    out = [f"{_num(pts[0][0])},{_num(pts[0][1])}"]
    for (xa, ya), (xb, yb) in itertools.pairwise(pts):
        for t in (1 / 3, 2 / 3, 1.0):
            out.append(f"{_num(xa + (xb - xa) * t)},{_num(ya + (yb - ya) * t)}")
    head = f"e,{_num(tip[0])},{_num(tip[1])} " if tip is not None else ""
    return head + " ".join(out)


def _label_width(kind: str, box: NodeBox) -> float:
    """Width available for a label inside a symbol (used when the layout gave no lines)."""
    if kind == "terminator":
        return box.width - box.height * 0.6
    if kind == "delay":
        return box.width - box.height * 0.4
    if kind == "decision":
        return box.width * 0.6
    if kind == "predefined":
        return box.width - 22
    return box.width - 8


def _lines_html(lines: Iterable[str], *, bold: bool = False) -> str:
    """Escaped ``lines`` joined by line breaks, optionally bold."""
    body = "<BR/>".join(html_text(line) for line in lines)
    return f"<B>{body}</B>" if bold and body else body


def _cell_table(
    content: str, width: float, height: float, *, sides: str = "LTRB", border: int = 1,
    color: str, fill: str | None, align: str = "CENTER",
) -> _Html:
    """A one-cell table of fixed size: a box with some sides bordered, holding ``content``."""
    w, h = max(1, round(width)), max(1, round(height))
    bg = f' BGCOLOR="{fill}"' if fill else ""
    return _Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{h}" BORDER="{border}" SIDES="{sides}"'
        f' COLOR="{color}"{bg} ALIGN="{align}">{content}</TD></TR></TABLE>'
    )


@dataclass
class _Dot:
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
        return f"{_num(x)},{_num(self.y(y))}!"

    def new_id(self, prefix: str) -> str:
        """A fresh node or cluster name: ``prefix`` and a running number."""
        self.count += 1
        return f"{prefix}{self.count}"

    def node(self, prefix: str, x: float, y: float, attrs: Mapping[str, Any]) -> str:
        """A node pinned at ``(x, y)``; returns its name."""
        name = self.new_id(prefix)
        self.nodes.append(f"{name} {_attrs({'pos': self.pos(x, y), **attrs})};")
        return name

    def rect(self, left: float, top: float, right: float, bottom: float, fill: str,
             line: str | None = None) -> None:
        """A filled rectangle behind everything (a cluster drawn from its ``bb``)."""
        name = self.new_id("cluster_r")
        bb = f"{_num(left)},{_num(self.y(bottom))},{_num(right)},{_num(self.y(top))}"
        attrs = {"bb": bb, "style": "filled", "fillcolor": fill, "color": line or fill,
                 "penwidth": 1 if line else 0, "label": ""}
        self.clusters.append(f"subgraph {name} {{ graph {_attrs(attrs)}; }}")

    def line(self, points: Sequence[Point], attrs: Mapping[str, Any], *, arrow: bool = False,
             ends: tuple[str, str] = ("a0", "a1")) -> None:
        """A polyline through ``points``, as an edge between two nodes (the anchors by default)."""
        flipped = [(x, self.y(y)) for x, y in points]
        all_attrs = {"pos": spline(flipped, arrow=arrow), **attrs}
        if not arrow:
            all_attrs.setdefault("dir", "none")
        self.edges.append(f"{ends[0]} -> {ends[1]} {_attrs(all_attrs)};")


def _step_tooltip(step: Step, lanes: Mapping[str, str], phases: Mapping[str, str],
                  style: StepStyle | None) -> str:
    """A step's hover text: title, kind, lane, phase, figures, fail point, notes, style note."""
    rows = [step.title, f"kind: {step.kind}"]
    if step.label is not None and step.label != step.id:
        rows.append(f"id: {step.id}")
    if step.lane is not None:
        rows.append(f"lane: {lanes.get(step.lane, step.lane)}")
    if step.phase is not None:
        rows.append(f"phase: {phases.get(step.phase, step.phase)}")
    if step.duration is not None:
        rows.append(f"duration: {format_duration(step.duration)}")
    if step.wait is not None:
        rows.append(f"wait: {format_duration(step.wait)}")
    if step.accuracy is not None:
        rows.append(f"accuracy: {format_percent(step.accuracy, 0)}")
    if step.capacity is not None:
        rows.append(f"capacity: {step.capacity}")
    if step.cost is not None:
        rows.append(f"cost: {step.cost:g}")
    if step.fail is not None:
        rows.append(f"fail point: {step.fail}")
    if step.recovery:
        rows.append("service recovery step")
    if step.evidence is not None:
        rows.append(f"evidence: {step.evidence}")
    outcome = getattr(step, "outcome", None)  # terminators only
    if outcome is not None:
        rows.append(f"outcome: {outcome}")
    if step.notes is not None:
        rows.append(f"notes: {step.notes}")
    if style is not None and style.note:
        rows.append(style.note)
    return tooltip_text("\n".join(rows))


def _draw_symbol(
    dot: _Dot, kind: str, box: NodeBox, lines: Sequence[str], *,
    fill: str, color: str, penwidth: float, extra: Mapping[str, Any],
) -> None:
    """Draw one step symbol at ``box`` (layout coordinates) as one or more pinned nodes."""
    border = max(1, round(penwidth))
    text = _lines_html(lines)
    base = {"fixedsize": True, "style": "filled", "fillcolor": fill, "color": color,
            "penwidth": penwidth, **extra}
    w, h = box.width, box.height
    if kind == "terminator" and w > h:
        # A stadium: two circles at the ends, a top-and-bottom-bordered cell between.
        for cx in (box.left + h / 2, box.right - h / 2):
            dot.node("p", cx, box.y, {**base, "shape": "circle", "width": _inch(h),
                                      "height": _inch(h), "label": ""})
        label = _cell_table(text, w - h, h, sides="TB", border=border, color=color, fill=fill)
        dot.node("s", box.x, box.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     **extra})
    elif kind == "delay" and w > h / 2:
        # A D: a circle on the right, a cell bordered left/top/bottom up to its centre.
        dot.node("p", box.right - h / 2, box.y, {**base, "shape": "circle", "width": _inch(h),
                                                  "height": _inch(h), "label": ""})
        cell_w = w - h / 2
        label = _cell_table(text, cell_w, h, sides="LTB", border=border, color=color, fill=fill)
        dot.node("s", box.left + cell_w / 2, box.y,
                 {"shape": "plain", "fixedsize": False, "label": label, **extra})
    elif kind == "predefined":
        label = _predefined_table(text, w, h, border=border, color=color, fill=fill)
        dot.node("s", box.x, box.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     **extra})
    else:
        shape = {"decision": "diamond", "document": "note", "connector": "circle",
                 "terminator": "ellipse"}.get(kind, "box")
        if kind == "connector":
            w = h = min(w, h)
        dot.node("s", box.x, box.y, {**base, "shape": shape, "width": _inch(w),
                                     "height": _inch(h), "label": _Html(text), "margin": 0})


def _predefined_table(text: str, width: float, height: float, *, border: int, color: str,
                      fill: str) -> _Html:
    """A predefined process: a bordered table whose outer cells are the double side bars."""
    bar = 7
    cw, ch = max(1, round(width)), max(1, round(height))
    inner_h = max(1, ch - 2 * border)
    return _Html(
        f'<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'
        f' COLOR="{color}" BGCOLOR="{fill}" FIXEDSIZE="TRUE" WIDTH="{cw}" HEIGHT="{ch}"><TR>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{bar}" HEIGHT="{inner_h}" BORDER="{border}" SIDES="R"'
        f' COLOR="{color}"></TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{max(1, cw - 2 * bar - 2 * border)}"'
        f' HEIGHT="{inner_h}">{text}</TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{bar}" HEIGHT="{inner_h}" BORDER="{border}" SIDES="L"'
        f' COLOR="{color}"></TD></TR></TABLE>'
    )


def _badge(dot: _Dot, x: float, y: float, text: str, fill: str, tooltip: str | None) -> None:
    """A small filled circle with bold ``text`` (the fail point's "F")."""
    label = _Html(f'<FONT COLOR="{dot.colors.badge_ink}" POINT-SIZE="8"><B>{text}</B></FONT>')
    dot.node("f", x, y, {"shape": "circle", "fixedsize": True, "width": _inch(_BADGE),
                         "height": _inch(_BADGE), "style": "filled", "fillcolor": fill,
                         "color": fill, "label": label, "margin": 0, "tooltip": tooltip})


def _draw_frame(dot: _Dot, layout: Layout, colors: Colors) -> None:
    """The grid behind the steps: bands and lane headers, phase headers, blueprint lines."""
    dot.rect(0, 0, layout.width, layout.height, "#ffffff")
    bands = layout.bands or [Band("", "", layout.title_height + layout.header_height,
                                  layout.height)]
    _draw_bands(dot, layout, bands, colors)
    _draw_phases(dot, layout, colors)
    _draw_layer_lines(dot, layout, colors)


def _draw_bands(dot: _Dot, layout: Layout, bands: Sequence[Band], colors: Colors) -> None:
    """Alternating band fills, lane headers, and a thin line between bands where no
    blueprint line runs."""
    hw = layout.header_width
    for i, band in enumerate(bands):
        dot.rect(hw, band.top, layout.width, band.bottom, colors.band[i % 2])
        if hw > 0 and band.label:
            dot.rect(0, band.top, hw, band.bottom, colors.header)
            lines = wrap_chars(band.label, hw - LANE_TITLE_INSET)
            label = _cell_table(_lines_html(lines, bold=True), hw - 6,
                                min(band.bottom - band.top - 4, HEADER_LINE * len(lines) + 4),
                                border=0, color=colors.header, fill=None)
            dot.node("h", hw / 2, (band.top + band.bottom) / 2,
                     {"shape": "plain", "fixedsize": False, "label": label,
                      "fontcolor": colors.header_ink})
    line_ys = [line.y for line in layout.lines]
    for upper, lower in itertools.pairwise(bands):
        y = (upper.bottom + lower.top) / 2
        if all(abs(y - ly) > 1 for ly in line_ys):
            dot.line([(0, y), (layout.width, y)], {"color": colors.separator, "penwidth": 0.5})


def _draw_phases(dot: _Dot, layout: Layout, colors: Colors) -> None:
    """The phase header row and a dashed separator between phases."""
    top = layout.title_height
    if layout.header_height > 0:
        dot.rect(0, top, layout.width, top + layout.header_height, colors.header)
        for column in layout.columns:
            width = column.right - column.left
            lines = wrap_chars(column.label, width - PHASE_TITLE_INSET)
            label = _cell_table(_lines_html(lines, bold=True), width - 4,
                                min(layout.header_height - 2, HEADER_LINE * len(lines) + 4),
                                border=0, color=colors.header, fill=None)
            dot.node("h", (column.left + column.right) / 2, top + layout.header_height / 2,
                     {"shape": "plain", "fixedsize": False, "label": label,
                      "fontcolor": colors.header_ink})
    for left, right in itertools.pairwise(layout.columns):
        x = (left.right + right.left) / 2
        dot.line([(x, top), (x, layout.height)],
                 {"color": colors.separator, "penwidth": 1, "style": "dashed"})


def _draw_layer_lines(dot: _Dot, layout: Layout, colors: Colors) -> None:
    """The blueprint lines across the map, each named at the left in the header column."""
    hw = layout.header_width
    for line in layout.lines:
        dot.line([(0, line.y), (layout.width, line.y)],
                 {"color": colors.layer_line, "penwidth": 1.2,
                  "style": "dashed" if line.dashed else "solid"})
        if hw > 0:
            label = _cell_table(
                f'<FONT POINT-SIZE="8"><I>{html_text(line.name)}</I></FONT>', hw - 6, 11,
                border=0, color=colors.layer_line, fill=None, align="LEFT")
            dot.node("l", hw / 2, line.y - 7, {"shape": "plain", "fixedsize": False,
                                               "label": label, "fontcolor": colors.layer_line})


def _draw_edge(dot: _Dot, route: EdgeRoute, ids: Mapping[str, str], titles: Mapping[str, str],
               colors: Colors) -> None:
    """One flow line along its route, coloured by failure or rework, with label and tooltip."""
    if len(route.points) < 2 or route.source not in ids or route.target not in ids:
        return
    attrs: dict[str, Any] = {"color": colors.ink, "penwidth": 1.1, "arrowsize": 0.7}
    if route.failure:
        attrs.update(color=colors.failure, style="dashed", fontcolor=colors.failure)
    elif route.rework:
        attrs.update(color=colors.rework, fontcolor=colors.rework)
    if route.label is not None and route.label_pos is not None:
        attrs["label"] = _Html(html_text(route.label))
        attrs["lp"] = f"{_num(route.label_pos[0])},{_num(dot.y(route.label_pos[1]))}"
    what = "failure branch" if route.failure else ("rework" if route.rework else "flow")
    label = f" [{route.label}]" if route.label else ""
    attrs["tooltip"] = tooltip_text(
        f"{titles[route.source]} → {titles[route.target]}{label} ({what})"
    )
    dot.line(route.points, attrs, arrow=True, ends=(ids[route.source], ids[route.target]))


def _obstacles(layout: Layout) -> Obstacles:
    """Every step, flow line and branch label of ``layout``, for placing badges."""
    obstacles = Obstacles()
    for n in layout.nodes.values():
        obstacles.add((n.left - 1, n.top - 1, n.right + 1, n.bottom + 1))
    for route in layout.edges:
        for (x0, y0), (x1, y1) in itertools.pairwise(route.points):
            obstacles.add((min(x0, x1) - 1, min(y0, y1) - 1, max(x0, x1) + 1, max(y0, y1) + 1))
        if route.label is not None and route.label_pos is not None:
            w, h = label_size(route.label)
            x, y = route.label_pos
            obstacles.add((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    for line in layout.lines:
        obstacles.add((layout.header_width, line.y - 1, layout.width, line.y + 1))
    return obstacles


def _badge_spot(box: NodeBox, width: float, height: float, obstacles: Obstacles) -> Point:
    """Centre of an analysis badge next to ``box`` that covers no line, step or label.

    Below the step (right-aligned, left-aligned, centred), then above it, then
    further down; the chosen spot is added to ``obstacles``.
    """
    below, above = box.bottom + height / 2 + 1, box.top - height / 2 - 1
    xs = (box.right - width / 2, box.left + width / 2, box.x)
    candidates = [(x, y) for y in (below, above) for x in xs]
    candidates += [(x, below + k * (height + 2)) for k in range(1, 4) for x in xs]
    for x, y in candidates:
        spot = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        if not obstacles.hits(spot):
            obstacles.add(spot)
            return x, y
    return candidates[0]


def _legend_entries(kinds: Sequence[str], blueprint: Blueprint, layout: Layout,
                    key: Sequence[KeyEntry]) -> list[LegendEntry]:
    """What the legend explains: the symbols used, line and badge kinds present, the key."""
    entries: list[LegendEntry] = [(k, LEGEND_NAMES[k]) for k in kinds]
    if any(r.failure for r in layout.edges):
        entries.append(("failure-edge", "failure branch"))
    if any(r.rework and not r.failure for r in layout.edges):
        entries.append(("rework-edge", "rework (flow back)"))
    if any(s.fail is not None for s in blueprint.steps):
        entries.append(("fail", "fail point"))
    if any(s.recovery for s in blueprint.steps):
        entries.append(("recovery", "service recovery step"))
    entries.extend(("key", entry) for entry in key)
    return entries


def _draw_legend(dot: _Dot, entries: Sequence[LegendEntry], top: float, width: float,
                 colors: Colors) -> None:
    """The legend below the map: a title, then each entry's sample and text in rows."""
    iw, ih = _LEGEND_ITEM
    sw, sh = _LEGEND_SAMPLE
    per_row = max(1, int((width - 16) // iw))
    dot.rect(0, top, width, top + _legend_height(len(entries), width), "#ffffff", "#c0c8d2")
    title = _cell_table("<B>Legend</B>", 80, 14, border=0, color=colors.ink, fill=None,
                        align="LEFT")
    dot.node("g", 8 + 40, top + 12, {"shape": "plain", "fixedsize": False, "label": title})
    for i, (what, name) in enumerate(entries):
        row, col = divmod(i, per_row)
        x0, yc = 8 + col * iw, top + 24 + row * ih + ih / 2
        _draw_legend_sample(dot, what, name, NodeBox("", x0 + sw / 2, yc, sw, sh), colors)
        text = name.label if isinstance(name, KeyEntry) else name
        lines = wrap_chars(text, iw - sw - 14)[:2]
        label = _cell_table(_lines_html(lines), iw - sw - 10, ih - 4, border=0,
                            color=colors.ink, fill=None, align="LEFT")
        dot.node("g", x0 + sw + 6 + (iw - sw - 10) / 2, yc,
                 {"shape": "plain", "fixedsize": False, "label": label})


def _draw_legend_sample(dot: _Dot, what: str, name: str | KeyEntry, sample: NodeBox,
                        colors: Colors) -> None:
    """The sample of one legend entry, drawn in the box ``sample``."""
    if what in LEGEND_NAMES:
        _draw_symbol(dot, what, sample, ["C"] if what == "connector" else [],
                     fill=colors.step_fill, color=colors.ink, penwidth=1, extra={})
    elif what in ("failure-edge", "rework-edge"):
        colour = colors.failure if what == "failure-edge" else colors.rework
        dot.line([(sample.left, sample.y), (sample.right, sample.y)],
                 {"color": colour, "penwidth": 1.1, "arrowsize": 0.7,
                  "style": "dashed" if what == "failure-edge" else "solid"}, arrow=True)
    elif what == "fail":
        _badge(dot, sample.x, sample.y, "F", colors.failure, None)
    elif what == "recovery":
        _draw_symbol(dot, "task", sample, [], fill=colors.step_fill, color=colors.recovery,
                     penwidth=2, extra={})
    elif isinstance(name, KeyEntry):
        _draw_symbol(dot, "task", sample, [], fill=name.fill or colors.step_fill,
                     color=name.color or colors.ink, penwidth=2.5 if name.color else 1,
                     extra={})


def _legend_height(count: int, width: float) -> float:
    """Height of a legend of ``count`` entries at ``width``."""
    per_row = max(1, int((width - 16) // _LEGEND_ITEM[0]))
    rows = -(-count // per_row)
    return 30 + rows * _LEGEND_ITEM[1]


def build_dot(
    blueprint: Blueprint,
    layout: Layout,
    *,
    legend: bool = False,
    styles: Mapping[str, StepStyle] | None = None,
    key: Sequence[KeyEntry] = (),
    colors: Colors | None = None,
) -> str:
    """The DOT text that draws ``blueprint`` as laid out in ``layout``.

    Node names are generated (``s1``, ``s2`` ...); user text appears only in
    escaped HTML-like labels and escaped tooltips, never in names or in any
    file or URL attribute.

    Args:
        blueprint: The map (its steps give symbols, labels and tooltips).
        layout: Where everything goes.
        legend: Add a legend of the symbols used below the map.
        styles: Per-step overrides by step id (e.g. highlight colours).
        key: Entries explaining the override colours, drawn below the map.
        colors: The palette.

    Returns:
        DOT text for Graphviz's ``nop2`` (pinned positions).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> bp = loads("name: Tiny\\nsteps: [{id: a, kind: terminator}]")
        >>> dot = build_dot(bp, compute_layout(bp))
        >>> dot.splitlines()[0], 'pos="' in dot
        ('digraph servicemap {', True)
    """
    colors = colors or Colors()
    steps = blueprint.steps_by_id
    boxes = _boxes(blueprint, layout)
    if legend:
        kinds = [k for k in LEGEND_NAMES if any(steps[b.id].kind == k for b in boxes)]
        entries = _legend_entries(kinds, blueprint, layout, key)
    else:
        entries = [("key", entry) for entry in key]
    legend_h = _legend_height(len(entries), layout.width) + 8 if entries else 0.0
    dot = _Dot(layout.height + legend_h, colors)
    _draw_frame(dot, layout, colors)
    if layout.title_height > 0:
        _draw_title(dot, blueprint, layout, colors)
    ids, titles = _draw_steps(dot, blueprint, layout, boxes, styles or {}, colors)
    for route in layout.edges:
        _draw_edge(dot, route, ids, titles, colors)
    if entries:
        _draw_legend(dot, entries, layout.height + 8, layout.width, colors)
    return _dot_text(dot, layout, colors)


def _boxes(blueprint: Blueprint, layout: Layout) -> list[NodeBox]:
    """The boxes of the map's steps, in the steps' declared order."""
    steps = blueprint.steps_by_id
    order = {s.id: i for i, s in enumerate(blueprint.steps)}
    return sorted((b for b in layout.nodes.values() if b.id in steps), key=lambda b: order[b.id])


def _draw_title(dot: _Dot, blueprint: Blueprint, layout: Layout, colors: Colors) -> None:
    """The map's name at the top left, at most two lines; its description as tooltip."""
    lines = wrap_chars(blueprint.name, layout.width - MAP_TITLE_INSET, TITLE_SIZE)[:2]
    label = _cell_table(
        f'<FONT POINT-SIZE="{TITLE_SIZE:g}">{_lines_html(lines, bold=True)}</FONT>',
        layout.width - MAP_TITLE_INSET, layout.title_height - 4, border=0,
        color=colors.ink, fill=None, align="LEFT")
    dot.node("t", layout.width / 2, layout.title_height / 2,
             {"shape": "plain", "fixedsize": False, "label": label,
              "tooltip": tooltip_text(blueprint.description or blueprint.name)})


def _draw_steps(dot: _Dot, blueprint: Blueprint, layout: Layout, boxes: Sequence[NodeBox],
                styles: Mapping[str, StepStyle], colors: Colors
                ) -> tuple[dict[str, str], dict[str, str]]:
    """Every step's symbol and badges; returns the DOT name and the title of each step."""
    steps = blueprint.steps_by_id
    lanes = {lane.id: lane.title for lane in blueprint.lanes}
    phases = {phase.id: phase.title for phase in blueprint.phases}
    ids: dict[str, str] = {}
    titles: dict[str, str] = {}
    obstacles: Obstacles | None = None  # built when the first analysis badge needs it
    for box in boxes:
        step = steps[box.id]
        style = styles.get(step.id)
        fill, color, penwidth = _step_look(step, style, colors)
        extra = {"tooltip": _step_tooltip(step, lanes, phases, style),
                 "class": f"step {step.kind}"}
        shown: Sequence[str] = (box.label_lines
                                or wrap_chars(step.title, _label_width(step.kind, box)))
        _draw_symbol(dot, step.kind, box, shown, fill=fill, color=color, penwidth=penwidth,
                     extra=extra)
        ids[step.id] = f"s{dot.count}"
        titles[step.id] = step.title
        if step.fail is not None:
            # On the top-right corner; a diamond has none, so on its upper-right edge.
            bx, by = ((box.x + box.width / 4, box.y - box.height / 4) if step.kind == "decision"
                      else (box.right - 3, box.top + 3))
            _badge(dot, bx, by, "F", colors.failure, tooltip_text(f"fail point: {step.fail}"))
        if style is not None and style.badge:
            if obstacles is None:
                obstacles = _obstacles(layout)
            _analysis_badge(dot, box, style.badge, color, obstacles)
    return ids, titles


def _step_look(step: Step, style: StepStyle | None, colors: Colors) -> tuple[str, str, float]:
    """Fill, border colour and border width of a step: recovery steps green, then ``style``."""
    color, penwidth = colors.ink, 1.0
    if step.recovery:
        color, penwidth = colors.recovery, 2.0
    if style is not None:
        color = style.color or color
        penwidth = style.penwidth or penwidth
    fill = (style.fill if style is not None and style.fill else None) or colors.step_fill
    return fill, color, penwidth


def _analysis_badge(dot: _Dot, box: NodeBox, text: str, color: str,
                    obstacles: Obstacles) -> None:
    """A small tag with ``text`` next to ``box``, where it covers no line, step or label."""
    bw = round(4.8 * len(text)) + 10
    badge = _cell_table(f'<FONT POINT-SIZE="8">{html_text(text)}</FONT>',
                        bw, 12, color=color, fill="#fff8e1")
    bx, by = _badge_spot(box, bw, 12, obstacles)
    dot.node("x", bx, by, {"shape": "plain", "fixedsize": False, "label": badge})


def _dot_text(dot: _Dot, layout: Layout, colors: Colors) -> str:
    """The whole DOT text: defaults, two anchor nodes for the lines, then what was drawn."""
    anchor = {"shape": "point", "style": "invis", "width": 0.01, "fixedsize": True}
    header = [
        "digraph servicemap {",
        "graph " + _attrs({"outputorder": "edgesfirst", "pad": 0.1, "bgcolor": "#ffffff",
                           "fontname": FONT, "fontsize": FONT_SIZE, "charset": "UTF-8"}) + ";",
        "node " + _attrs({"fontname": FONT, "fontsize": FONT_SIZE, "fontcolor": colors.ink,
                          "margin": 0}) + ";",
        "edge " + _attrs({"fontname": FONT, "fontsize": FONT_SIZE,
                          "fontcolor": colors.ink}) + ";",
        f"a0 {_attrs({**anchor, 'pos': dot.pos(layout.width / 2, layout.height / 2)})};",
        f"a1 {_attrs({**anchor, 'pos': dot.pos(layout.width / 2, layout.height / 2)})};",
    ]
    # Nodes before edges: Graphviz creates a node at its first mention and draws nodes
    # in that order (a stadium's label cell must come after its end circles).
    return "\n".join([*header, *dot.clusters, *dot.nodes, *dot.edges, "}", ""])
