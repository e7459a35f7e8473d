"""DOT text of a laid-out map: the frame, steps with their badges, flow lines, title, legend."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..layout.deadline import Deadline
from ..layout.geometry import Band, EdgeRoute, Layout, NodeBox
from ..model import Blueprint, Step
from ..text import (
    HEADER_LINE,
    LANE_TITLE_INSET,
    LINE_NAME_SIZE,
    MAP_TITLE_INSET,
    PHASE_TITLE_INSET,
    STEP_LINES,
    TITLE_SIZE,
    branch_label,
    clip,
    fit_lines,
    text_width,
    wrap,
    wrap_chars,
)
from ..values import format_duration, format_percent
from .dotwriter import DotWriter, Html, attr_list, cell_table, inch, lines_html, num
from .escape import html_text, tooltip_text
from .evidence import band_height, draw_evidence, evidence_cards, make_room
from .legend import LEGEND_NAMES, draw_legend, legend_entries, legend_height
from .pages import Fit, Paper, fit_to_paper
from .style import FONT, FONT_SIZE, Colors, KeyEntry, StepStyle
from .symbols import RING_WIDTH, Ring, draw_badge, draw_symbol
from .tags import draw_tags, place_tags

__all__ = ["Drawn", "build_dot", "draw_dot"]


@dataclass(frozen=True)
class Drawn:
    """The DOT text of a map and what was drawn: the drawing's size in points (legend
    and evidence band included) and how it sits on its sheet, if on one."""

    text: str
    width: float
    height: float
    fit: Fit | None = None


def build_dot(
    blueprint: Blueprint,
    layout: Layout,
    *,
    legend: bool = False,
    styles: Mapping[str, StepStyle] | None = None,
    key: Sequence[KeyEntry] = (),
    colors: Colors | None = None,
    deadline: Deadline | None = None,
    evidence: bool = True,
    offpage: Collection[str] = (),
    sheet: Paper | None = None,
    fmt: str = "svg",
) -> str:
    """The DOT text that draws ``blueprint`` as laid out in ``layout``.

    Node names are generated (``s1``, ``s2`` ...); user text appears only in
    escaped HTML-like labels and escaped tooltips, never in names or in any
    file or URL attribute. Labels are drawn as far as the layout's lines go
    (long ones cut with an ellipsis, see :mod:`servicemap.text`); tooltips
    carry the whole text.

    Args:
        blueprint: The map (its steps give symbols, labels and tooltips).
        layout: Where everything goes.
        legend: Add a legend of the symbols used below the map.
        styles: Per-step overrides by step id (e.g. highlight colours).
        key: Entries explaining the override colours, drawn below the map.
        colors: The palette.
        deadline: When to give up; checked per step and per flow line.
        evidence: Draw the physical evidence row above the lanes when a step
            has ``evidence``.
        offpage: Ids of steps drawn as off-page connectors (pages of a split map).
        sheet: Scale the drawing to fit this sheet, centred on it.
        fmt: The format it will be drawn in (a sheet's PNG has more pixels per inch).

    Returns:
        DOT text for Graphviz's ``nop2`` (pinned positions).

    Raises:
        RenderError: The deadline passed.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> bp = loads("name: Tiny\\nsteps: [{id: a, kind: terminator}]")
        >>> dot = build_dot(bp, compute_layout(bp))
        >>> dot.splitlines()[0], 'pos="' in dot
        ('digraph servicemap {', True)
    """
    return draw_dot(blueprint, layout, legend=legend, styles=styles, key=key, colors=colors,
                    deadline=deadline, evidence=evidence, offpage=offpage, sheet=sheet,
                    fmt=fmt).text


def draw_dot(
    blueprint: Blueprint,
    layout: Layout,
    *,
    legend: bool = False,
    styles: Mapping[str, StepStyle] | None = None,
    key: Sequence[KeyEntry] = (),
    colors: Colors | None = None,
    deadline: Deadline | None = None,
    evidence: bool = True,
    offpage: Collection[str] = (),
    sheet: Paper | None = None,
    fmt: str = "svg",
) -> Drawn:
    """:func:`build_dot`, with the drawing's size and its fit on ``sheet``.

    >>> from servicemap import loads
    >>> from servicemap.layout import compute_layout
    >>> from servicemap.drawing.pages import paper
    >>> bp = loads("name: Tiny\\nsteps: [{id: a, kind: terminator}]")
    >>> drawn = draw_dot(bp, compute_layout(bp), sheet=paper("A4"))
    >>> drawn.fit.scale, "dpi=72" in drawn.text
    (1.0, True)
    """
    colors = colors or Colors()
    deadline = deadline or Deadline(None)
    steps = blueprint.steps_by_id
    cards = evidence_cards(blueprint, layout) if evidence else []
    band_top, band_h = layout.title_height + layout.header_height, band_height(cards)
    if cards:
        layout = make_room(layout, band_top, band_h)
    styles = styles or {}
    layout, tags = place_tags(layout, {
        sid: (style.badge, style.color or _step_look(steps[sid], style, colors).color)
        for sid, style in styles.items() if style.badge and sid in steps and sid in layout.nodes})
    boxes = _boxes(blueprint, layout)
    if styles:  # the key explains the colours drawn here (a page of a split map has fewer)
        key = _drawn_key(blueprint, layout, styles, colors, key)
    if key or legend:  # the pairings drawn, where colours are explained at all
        key = [*key, *_ring_entries(blueprint, styles, colors, key)]
    if legend:
        kinds = [k for k in LEGEND_NAMES if any(steps[b.id].kind == k for b in boxes)]
        entries = legend_entries(kinds, blueprint, layout, key)
    else:
        entries = [("key", entry) for entry in key]
    legend_h = legend_height(entries, layout.width) + 8 if entries else 0.0
    total_h = layout.height + legend_h
    dot = DotWriter(total_h, colors)
    _draw_frame(dot, blueprint, layout, colors)
    if cards:
        draw_evidence(dot, cards, layout, band_top, band_h, colors)
    if layout.title_height > 0:
        _draw_title(dot, blueprint, layout, colors)
    ids, titles = _draw_steps(dot, blueprint, layout, boxes, styles, colors, deadline,
                              frozenset(offpage))
    draw_tags(dot, tags)
    for route in layout.edges:
        deadline.check("drawing the flow lines")
        _draw_edge(dot, route, ids, titles, colors)
    for route in layout.messages:
        deadline.check("drawing the flow lines")
        _draw_message(dot, route, ids, titles, colors)
    if entries:
        draw_legend(dot, entries, layout.height + 8, layout.width, colors)
    fit = fit_to_paper(layout.width, total_h, sheet) if sheet is not None else None
    return Drawn(_dot_text(dot, layout, colors, fit, fmt), layout.width, total_h, fit)


def _boxes(blueprint: Blueprint, layout: Layout) -> list[NodeBox]:
    """The boxes of the map's steps, in the steps' declared order."""
    steps = blueprint.steps_by_id
    order = {s.id: i for i, s in enumerate(blueprint.steps)}
    return sorted((b for b in layout.nodes.values() if b.id in steps), key=lambda b: order[b.id])


def _draw_title(dot: DotWriter, blueprint: Blueprint, layout: Layout, colors: Colors) -> None:
    """The map's name at the top left, at most two lines; its description as tooltip
    (after the whole name if the name is cut)."""
    width = layout.width - MAP_TITLE_INSET
    lines = wrap_chars(blueprint.name, width, TITLE_SIZE, max_lines=2)
    tooltip = blueprint.description or blueprint.name
    if len(wrap_chars(blueprint.name, width, TITLE_SIZE, max_lines=3)) > 2:  # the name is cut
        tooltip = "\n\n".join(filter(None, (blueprint.name, blueprint.description)))
    label = cell_table(
        f'<FONT POINT-SIZE="{TITLE_SIZE:g}">{lines_html(lines, bold=True)}</FONT>',
        layout.width - MAP_TITLE_INSET, layout.title_height - 4, border=0,
        color=colors.ink, fill=None, align="LEFT")
    dot.node("t", layout.width / 2, layout.title_height / 2,
             {"shape": "plain", "fixedsize": False, "label": label,
              "tooltip": tooltip_text(tooltip)})


def _draw_frame(dot: DotWriter, blueprint: Blueprint, layout: Layout, colors: Colors) -> None:
    """The grid behind the steps: bands and lane headers, phase headers, blueprint lines."""
    dot.rect(0, 0, layout.width, layout.height, "#ffffff")
    bands = layout.bands or [Band("", "", layout.title_height + layout.header_height,
                                  layout.height)]
    lanes = {lane.id: lane.title for lane in blueprint.lanes}
    _draw_bands(dot, layout, bands, lanes, colors)
    _draw_phases(dot, layout, {phase.id: phase.title for phase in blueprint.phases}, colors)
    _draw_layer_lines(dot, layout, colors)


def _header_tooltip(title: str | None) -> str | None:
    """The whole title as a header's tooltip where the header shows it cut; else none.

    >>> _header_tooltip("Customer"), _header_tooltip("Customer " * 30)[:17]
    (None, 'Customer Customer')
    """
    if title is None or clip(title) == title:
        return None
    return tooltip_text(title)


def _header_wrap(title: str, width: float) -> tuple[str, ...]:
    """A lane or phase title in lines of at most ``width`` points as drawn (bold).

    Wrapped by :func:`~servicemap.text.wrap`, whose widths are generous enough for
    bold text, so a header stays inside its column; the layout reserves the
    height of these lines (:func:`~servicemap.text.header_lines`).

    >>> _header_wrap("Aftercare, returns and complaints", 100)
    ('Aftercare,', 'returns and', 'complaints')
    """
    text = clip(title)
    return wrap(text, width, max_lines=len(text) + 1)


def _draw_bands(dot: DotWriter, layout: Layout, bands: Sequence[Band], lanes: Mapping[str, str],
                colors: Colors) -> None:
    """Alternating band fills, lane headers, and a thin line between bands where no
    blueprint line runs."""
    hw = layout.header_width
    for i, band in enumerate(bands):
        dot.rect(hw, band.top, layout.width, band.bottom, colors.band[i % 2])
        if hw > 0 and band.label:
            dot.rect(0, band.top, hw, band.bottom, colors.header)
            lines = _header_wrap(band.label, hw - LANE_TITLE_INSET)
            label = cell_table(lines_html(lines, bold=True), hw - 6,
                               min(band.bottom - band.top - 4, HEADER_LINE * len(lines) + 4),
                               border=0, color=colors.header, fill=None)
            dot.node("h", hw / 2, (band.top + band.bottom) / 2,
                     {"shape": "plain", "fixedsize": False, "label": label,
                      "fontcolor": colors.header_ink,
                      "tooltip": _header_tooltip(lanes.get(band.id))})
    line_ys = [line.y for line in layout.lines]
    for upper, lower in itertools.pairwise(bands):
        y = (upper.bottom + lower.top) / 2
        if all(abs(y - ly) > 1 for ly in line_ys):
            dot.line([(0, y), (layout.width, y)], {"color": colors.separator, "penwidth": 0.5})


def _draw_phases(dot: DotWriter, layout: Layout, phases: Mapping[str, str],
                 colors: Colors) -> None:
    """The phase header row and a dashed separator between phases, from the header
    row down to the foot of the last lane (not through the margin or the legend)."""
    top = layout.title_height
    if layout.header_height > 0:
        dot.rect(0, top, layout.width, top + layout.header_height, colors.header)
        for column in layout.columns:
            width = column.right - column.left
            lines = _header_wrap(column.label, width - PHASE_TITLE_INSET)
            label = cell_table(lines_html(lines, bold=True), width - 4,
                               min(layout.header_height - 2, HEADER_LINE * len(lines) + 4),
                               border=0, color=colors.header, fill=None)
            dot.node("h", (column.left + column.right) / 2, top + layout.header_height / 2,
                     {"shape": "plain", "fixedsize": False, "label": label,
                      "fontcolor": colors.header_ink,
                      "tooltip": _header_tooltip(phases.get(column.id))})
    bottom = layout.bands[-1].bottom if layout.bands else layout.height
    for left, right in itertools.pairwise(layout.columns):
        x = (left.right + right.left) / 2
        dot.line([(x, top), (x, bottom)],
                 {"color": colors.separator, "penwidth": 1, "style": "dashed"})


def _draw_layer_lines(dot: DotWriter, layout: Layout, colors: Colors) -> None:
    """The blueprint lines across the map, each named at the left in the header column.

    Two lines on one lane border (a customer lane right above a backstage
    lane) are drawn 3 pt apart, the first named above them, the second below,
    so neither name covers the other.
    """
    hw = layout.header_width
    on_border: dict[float, int] = {}
    for line in layout.lines:
        on_border[line.y] = on_border.get(line.y, 0) + 1
    seen: dict[float, int] = {}
    for line in layout.lines:
        k, n = seen.get(line.y, 0), on_border[line.y]
        seen[line.y] = k + 1
        y = line.y + (k - (n - 1) / 2) * LAYER_LINE_GAP
        dot.line([(0, y), (layout.width, y)],
                 {"color": colors.layer_line, "penwidth": 1.2,
                  "style": "dashed" if line.dashed else "solid"})
        if hw > 0:
            # The layout widens the header for the name at LINE_NAME_SIZE; a
            # Layout built by hand may not: smaller then, down to 6 pt.
            size = max(6.0, min(LINE_NAME_SIZE, LINE_NAME_SIZE * (hw - 10)
                                / max(1.0, text_width(line.name, LINE_NAME_SIZE))))
            label = cell_table(
                f'<FONT POINT-SIZE="{size:.1f}"><I>{html_text(line.name)}</I></FONT>', hw - 6,
                11, border=0, color=colors.layer_line, fill=None, align="LEFT")
            label_y = y + 7 if k and k == n - 1 else y - 7
            dot.node("l", hw / 2, label_y, {"shape": "plain", "fixedsize": False,
                                            "label": label, "fontcolor": colors.layer_line})


LAYER_LINE_GAP = 3.0  # points between two blueprint lines on one lane border


def _draw_steps(dot: DotWriter, blueprint: Blueprint, layout: Layout, boxes: Sequence[NodeBox],
                styles: Mapping[str, StepStyle], colors: Colors, deadline: Deadline,
                offpage: frozenset[str] = frozenset(),
                ) -> tuple[dict[str, str], dict[str, str]]:
    """Every step's symbol and badges; returns the DOT name and the title of each step
    (cut to a header's length, for the tooltips of flow lines)."""
    steps = blueprint.steps_by_id
    lanes = {lane.id: lane.title for lane in blueprint.lanes}
    phases = {phase.id: phase.title for phase in blueprint.phases}
    ids: dict[str, str] = {}
    titles: dict[str, str] = {}
    for box in boxes:
        deadline.check("drawing the steps")
        step = steps[box.id]
        style = styles.get(step.id)
        look = _step_look(step, style, colors)
        extra = {"tooltip": _step_tooltip(step, lanes, phases, style),
                 "class": f"step {step.kind}"}
        shown: Sequence[str] = (box.label_lines or fit_lines(
            step.title, _label_width(step.kind, box), STEP_LINES).lines)
        kind = "offpage" if step.id in offpage else step.kind
        ids[step.id] = draw_symbol(dot, kind, box, shown, fill=look.fill, color=look.color,
                                   penwidth=look.penwidth, extra=extra, rings=look.rings)
        titles[step.id] = clip(step.title)
        if step.fail is not None:
            # On the top-right corner; a diamond has none, so on its upper-right edge.
            bx, by = ((box.x + box.width / 4, box.y - box.height / 4) if step.kind == "decision"
                      else (box.right - 3, box.top + 3))
            draw_badge(dot, bx, by, "F", colors.failure, tooltip_text(f"fail point: {step.fail}"))
    return ids, titles


class _Look(NamedTuple):
    """How a step is drawn: fill, border colour and width, and the rings inside the border."""

    fill: str
    color: str
    penwidth: float
    rings: tuple[Ring, ...] = ()


def _step_look(step: Step, style: StepStyle | None, colors: Colors) -> _Look:
    """Fill, border and rings of a step: recovery steps green, then ``style``.

    A service recovery step keeps its green border; a border colour from
    ``style`` (a highlight, a problem mark) becomes a ring inside it, and the
    style's own ring (a highlight under a problem mark) a ring inside that, so
    every mark shows.

    >>> from servicemap import loads
    >>> step = loads("name: R\\nsteps: [{id: r, kind: task, recovery: true}]").steps[0]
    >>> look = _step_look(step, StepStyle(color="#6a1b9a", penwidth=3.0), Colors())
    >>> look.color == Colors().recovery, look.rings
    (True, (('#6a1b9a', 3.0),))
    """
    color, penwidth = colors.ink, 1.0
    if step.recovery:
        color, penwidth = colors.recovery, 2.0
    if style is None:
        return _Look(colors.step_fill, color, penwidth)
    width = style.penwidth or penwidth
    rings: list[Ring] = []
    if style.color is not None and style.color != color:
        if step.recovery:
            rings.append((style.color, width))
        else:
            color, penwidth = style.color, width
    elif style.penwidth:
        penwidth = style.penwidth
    if style.ring is not None and style.ring != color and style.ring not in dict(rings):
        rings.append((style.ring, RING_WIDTH))
    if step.kind == "connector":  # a small circle: a second ring would cover its letter
        rings = rings[:1]
    return _Look(style.fill or colors.step_fill, color, penwidth, tuple(rings))


def _drawn_key(blueprint: Blueprint, layout: Layout, styles: Mapping[str, StepStyle],
               colors: Colors, key: Sequence[KeyEntry]) -> list[KeyEntry]:
    """The entries of ``key`` whose colours some step of ``layout`` is drawn in.

    >>> from servicemap import loads
    >>> from servicemap.layout import compute_layout
    >>> bp = loads("name: K\\nsteps: [{id: a, kind: task}]")
    >>> key = [KeyEntry("hot", color="#e65100"), KeyEntry("cold", color="#00838f")]
    >>> drawn = _drawn_key(bp, compute_layout(bp), {"a": StepStyle(color="#e65100")},
    ...                    Colors(), key)
    >>> [entry.label for entry in drawn]
    ['hot']
    """
    looks = [_step_look(step, styles.get(step.id), colors) for step in blueprint.steps
             if step.id in layout.nodes]
    borders = {look.color for look in looks} | {c for look in looks for c, _w in look.rings}
    fills = {look.fill for look in looks}
    return [entry for entry in key if (entry.color is None or entry.color in borders)
            and (entry.fill is None or entry.fill in fills)]


def _ring_entries(blueprint: Blueprint, styles: Mapping[str, StepStyle], colors: Colors,
                  key: Sequence[KeyEntry]) -> list[KeyEntry]:
    """Key entries for the marks drawn together (a border with rings inside it), one per
    pairing found, each named after the key entries of its colours.

    >>> from servicemap import loads
    >>> bp = loads("name: R\\nsteps: [{id: a, kind: task, recovery: true}]")
    >>> key = [KeyEntry("critical path (longest branch)", color="#6a1b9a")]
    >>> [e.label for e in _ring_entries(bp, {"a": StepStyle(color="#6a1b9a")}, Colors(), key)]
    ['service recovery step, also critical path']
    """
    named = {entry.color: entry.label.split(" (")[0] for entry in reversed(key) if entry.color}
    named[colors.recovery] = "service recovery step"
    found: dict[tuple[str, ...], KeyEntry] = {}
    for step in blueprint.steps:
        look = _step_look(step, styles.get(step.id), colors)
        marks = (look.color, *(colour for colour, _w in look.rings))
        if look.rings and marks not in found:
            names = [named.get(colour, "highlighted") for colour in marks]
            also = " and ".join(names[1:])
            found[marks] = KeyEntry(f"{names[0]}, also {also}", color=marks[0], rings=marks[1:])
    return list(found.values())


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


def _draw_edge(dot: DotWriter, route: EdgeRoute, ids: Mapping[str, str], titles: Mapping[str, str],
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
        attrs["label"] = Html(lines_html(route.label_lines or branch_label(route.label).lines))
        attrs["lp"] = f"{num(route.label_pos[0])},{num(dot.y(route.label_pos[1]))}"
    what = "failure branch" if route.failure else ("rework" if route.rework else "flow")
    label = f" [{route.label}]" if route.label else ""
    attrs["tooltip"] = tooltip_text(
        f"{titles[route.source]} → {titles[route.target]}{label} ({what})"
    )
    dot.line(route.points, attrs, arrow=True, ends=(ids[route.source], ids[route.target]))


def _draw_message(dot: DotWriter, route: EdgeRoute, ids: Mapping[str, str],
                 titles: Mapping[str, str], colors: Colors) -> None:
    """One message flow between pools as BPMN draws it: dashed, a small open circle at
    its start, an open arrowhead at its end, with its label and tooltip.

    >>> dot = DotWriter(100, Colors())
    >>> _draw_message(dot, EdgeRoute("a", "b", ((0, 10), (50, 10)), kind="message"),
    ...              {"a": "s1", "b": "s2"}, {"a": "A", "b": "B"}, Colors())
    >>> 'style="dashed"' in dot.edges[0], 'arrowhead="empty"' in dot.edges[0]
    (True, True)
    >>> 'shape="circle"' in dot.nodes[0]
    True
    """
    if len(route.points) < 2 or route.source not in ids or route.target not in ids:
        return
    attrs: dict[str, Any] = {"color": colors.ink, "penwidth": 1.0, "arrowsize": 0.8,
                             "style": "dashed", "arrowhead": "empty"}
    if route.label is not None and route.label_pos is not None:
        attrs["label"] = Html(lines_html(route.label_lines or branch_label(route.label).lines))
        attrs["lp"] = f"{num(route.label_pos[0])},{num(dot.y(route.label_pos[1]))}"
    label = f" [{route.label}]" if route.label else ""
    attrs["tooltip"] = tooltip_text(
        f"{titles[route.source]} → {titles[route.target]}{label} (message flow)")
    dot.line(route.points, attrs, arrow=True, ends=(ids[route.source], ids[route.target]))
    x, y = route.points[0]
    dot.node("m", x, y, {"shape": "circle", "fixedsize": True, "width": inch(_MESSAGE_START),
                         "height": inch(_MESSAGE_START), "style": "filled",
                         "fillcolor": "#ffffff", "color": colors.ink, "penwidth": 1.0,
                         "label": "", "tooltip": attrs["tooltip"]})


_MESSAGE_START = 6.0  # diameter of the open circle at a message flow's start, points


def _dot_text(dot: DotWriter, layout: Layout, colors: Colors, fit: Fit | None = None,
              fmt: str = "svg") -> str:
    """The whole DOT text: defaults, two anchor nodes for the lines, then what was drawn.

    On a sheet (``fit``), a white cluster the sheet's size lies behind the drawing
    and Graphviz's ``dpi`` scales the whole to the sheet; there is no pad or margin.
    """
    anchor = {"shape": "point", "style": "invis", "width": 0.01, "fixedsize": True}
    paper_attrs: dict[str, Any] = {"pad": 0.1}
    clusters = list(dot.clusters)
    if fit is not None:
        paper_attrs = {"pad": 0, "margin": 0, "dpi": round(fit.dpi(fmt), 4)}
        bb = ",".join(num(v) for v in fit.canvas)
        clusters.insert(0, "subgraph cluster_page { graph " + attr_list(
            {"bb": bb, "style": "filled", "fillcolor": "#ffffff", "color": "#ffffff",
             "penwidth": 0, "label": ""}) + "; }")
    header = [
        "digraph servicemap {",
        "graph " + attr_list({"outputorder": "edgesfirst", **paper_attrs, "bgcolor": "#ffffff",
                           "fontname": FONT, "fontsize": FONT_SIZE, "charset": "UTF-8"}) + ";",
        "node " + attr_list({"fontname": FONT, "fontsize": FONT_SIZE, "fontcolor": colors.ink,
                          "margin": 0}) + ";",
        "edge " + attr_list({"fontname": FONT, "fontsize": FONT_SIZE,
                          "fontcolor": colors.ink}) + ";",
        f"a0 {attr_list({**anchor, 'pos': dot.pos(layout.width / 2, layout.height / 2)})};",
        f"a1 {attr_list({**anchor, 'pos': dot.pos(layout.width / 2, layout.height / 2)})};",
    ]
    # Nodes before edges: Graphviz creates a node at its first mention and draws nodes
    # in that order (a stadium's label cell must come after its end circles).
    return "\n".join([*header, *clusters, *dot.nodes, *dot.edges, "}", ""])
