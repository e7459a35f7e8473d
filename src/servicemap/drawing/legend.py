"""The legend below a map: the symbols, line kinds and badges used, and the key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..layout.geometry import Layout, NodeBox
from ..model import Blueprint
from ..text import text_width, wrap
from .dotwriter import DotWriter, cell_table, inch, lines_html
from .style import Colors, KeyEntry
from .symbols import draw_badge, draw_symbol

__all__ = ["LEGEND_NAMES", "LegendEntry", "LegendGrid", "draw_legend", "legend_entries",
           "legend_grid", "legend_height"]

LEGEND_NAMES: dict[str, str] = {
    "terminator": "start / end (terminator)",
    "task": "task",
    "predefined": "predefined process",
    "decision": "decision",
    "delay": "delay",
    "document": "document (folded corner for the wavy base)",
    "connector": "connector",
    "parallel": "parallel work (fork / join bar)",
}
"""How the legend names each symbol (and the stand-in Graphviz shape, where one is used)."""

LegendEntry = tuple[str, str | KeyEntry]
"""A legend entry: what it shows (a step kind, ``failure-edge``, ``rework-edge``,
``message-edge``, ``fail``, ``recovery`` or ``key``) and its text (a key entry for ``key``)."""

_ITEM_HEIGHT = 30.0  # height of one row of entries
_LEGEND_SAMPLE = (44.0, 22.0)
_TEXT_WIDTH = 150.0  # an entry's text wraps (at most two lines) beyond this width
_TEXT_GAP = 6.0  # from a sample to its text
_SPACING = 18.0  # between two entries of a row
_PAD = 8.0  # inside the frame, left and right
_TITLE_WIDTH = 60.0  # room for the title "Legend"


@dataclass(frozen=True)
class LegendGrid:
    """Where a legend's entries go: ``per_row`` entries a row in columns as wide as
    their widest entry, and the frame's size around them."""

    per_row: int
    column_widths: tuple[float, ...]
    width: float
    height: float


def _entry_text(name: str | KeyEntry) -> tuple[str, ...]:
    """The lines of an entry's text as drawn."""
    text = name.label if isinstance(name, KeyEntry) else name
    return wrap(text, _TEXT_WIDTH, max_lines=2)


def _entry_width(name: str | KeyEntry) -> float:
    """Width of one entry: its sample, the gap, its widest text line."""
    return (_LEGEND_SAMPLE[0] + _TEXT_GAP
            + max(text_width(line) for line in _entry_text(name)) + 4)


def legend_grid(entries: Sequence[LegendEntry], width: float) -> LegendGrid:
    """The legend's grid: as many entries a row as fit in ``width``, the frame sized to them.

    The frame is as wide as its rows (never wider than ``width`` unless one entry
    is), so a key of two entries is a small box, not a strip across the map.

    >>> grid = legend_grid([("task", "task"), ("decision", "decision")], 1000)
    >>> grid.per_row, grid.width < 300, grid.height
    (2, True, 60.0)
    >>> legend_grid([("task", "task")] * 3, 150).per_row
    1
    """
    widths = [_entry_width(name) for _what, name in entries]
    per_row = max(1, len(widths))
    while True:
        columns = tuple(max(widths[j::per_row]) for j in range(per_row)) if widths else ()
        total = 2 * _PAD + sum(columns) + _SPACING * max(0, per_row - 1)
        if total <= width or per_row == 1:
            break
        per_row -= 1
    rows = -(-len(widths) // per_row)
    return LegendGrid(per_row, columns, max(total, 2 * _PAD + _TITLE_WIDTH),
                      30 + rows * _ITEM_HEIGHT)


def legend_entries(kinds: Sequence[str], blueprint: Blueprint, layout: Layout,
                   key: Sequence[KeyEntry]) -> list[LegendEntry]:
    """What the legend explains: the symbols used, line and badge kinds present, the key.

    Example:
        >>> from servicemap import loads
        >>> bp = loads("name: T\\nsteps: [{id: a, kind: task}]")
        >>> key = [KeyEntry("hot", fill="#ff0000")]
        >>> entries = legend_entries(["task"], bp, Layout(100, 100), key)
        >>> [what for what, _ in entries]
        ['task', 'key']
    """
    entries: list[LegendEntry] = [(k, LEGEND_NAMES[k]) for k in kinds]
    if any(r.failure for r in layout.edges):
        entries.append(("failure-edge", "failure branch"))
    if any(r.rework and not r.failure for r in layout.edges):
        entries.append(("rework-edge", "rework (flow back)"))
    if layout.messages:
        entries.append(("message-edge", "message flow"))
    if any(s.fail is not None for s in blueprint.steps):
        entries.append(("fail", "fail point"))
    if any(s.recovery for s in blueprint.steps):
        entries.append(("recovery", "service recovery step"))
    entries.extend(("key", entry) for entry in key)
    return entries


def draw_legend(dot: DotWriter, entries: Sequence[LegendEntry], top: float, width: float,
                colors: Colors) -> None:
    """The legend below the map, at its left and sized to its entries: a title, then
    each entry's sample and text in rows (at most ``width`` wide where entries allow).

    >>> dot = DotWriter(200, Colors())
    >>> draw_legend(dot, [("task", "task")], 100, 400, Colors())
    >>> len(dot.clusters), len(dot.nodes)  # the frame; the title, a sample and its text
    (1, 3)
    """
    grid = legend_grid(entries, width)
    sw, sh = _LEGEND_SAMPLE
    ih = _ITEM_HEIGHT
    dot.rect(0, top, grid.width, top + grid.height, "#ffffff", "#c0c8d2")
    title = cell_table("<B>Legend</B>", _TITLE_WIDTH, 14, border=0, color=colors.ink,
                       fill=None, align="LEFT")
    dot.node("g", _PAD + _TITLE_WIDTH / 2, top + 12,
             {"shape": "plain", "fixedsize": False, "label": title})
    lefts = [_PAD + sum(grid.column_widths[:j]) + _SPACING * j for j in range(grid.per_row)]
    for i, (what, name) in enumerate(entries):
        row, col = divmod(i, grid.per_row)
        x0, yc = lefts[col], top + 24 + row * ih + ih / 2
        _draw_legend_sample(dot, what, name, NodeBox("", x0 + sw / 2, yc, sw, sh), colors)
        text_w = grid.column_widths[col] - sw - _TEXT_GAP
        label = cell_table(lines_html(_entry_text(name)), text_w, ih - 4, border=0,
                           color=colors.ink, fill=None, align="LEFT", balign="LEFT")
        dot.node("g", x0 + sw + _TEXT_GAP + text_w / 2, yc,
                 {"shape": "plain", "fixedsize": False, "label": label})


def _draw_legend_sample(dot: DotWriter, what: str, name: str | KeyEntry, sample: NodeBox,
                        colors: Colors) -> None:
    """The sample of one legend entry, drawn in the box ``sample``."""
    if what in LEGEND_NAMES:
        draw_symbol(dot, what, sample, ["C"] if what == "connector" else [],
                    fill=colors.step_fill, color=colors.ink, penwidth=1, extra={})
    elif what in ("failure-edge", "rework-edge"):
        colour = colors.failure if what == "failure-edge" else colors.rework
        dot.line([(sample.left, sample.y), (sample.right, sample.y)],
                 {"color": colour, "penwidth": 1.1, "arrowsize": 0.7,
                  "style": "dashed" if what == "failure-edge" else "solid"}, arrow=True)
    elif what == "message-edge":
        dot.line([(sample.left + 3, sample.y), (sample.right, sample.y)],
                 {"color": colors.ink, "penwidth": 1.0, "arrowsize": 0.8, "style": "dashed",
                  "arrowhead": "empty"}, arrow=True)
        dot.node("m", sample.left + 3, sample.y, {"shape": "circle", "fixedsize": True,
                                                   "width": inch(6), "height": inch(6),
                                                   "style": "filled", "fillcolor": "#ffffff",
                                                   "color": colors.ink, "label": ""})
    elif what == "fail":
        draw_badge(dot, sample.x, sample.y, "F", colors.failure, None)
    elif what == "recovery":
        draw_symbol(dot, "task", sample, [], fill=colors.step_fill, color=colors.recovery,
                    penwidth=2, extra={})
    elif isinstance(name, KeyEntry):
        draw_symbol(dot, "task", sample, [], fill=name.fill or colors.step_fill,
                    color=name.color or colors.ink, penwidth=2.5 if name.color else 1,
                    extra={}, rings=[(ring, 2.5) for ring in name.rings])


def legend_height(entries: Sequence[LegendEntry], width: float) -> float:
    """Height of the legend of ``entries`` at ``width``.

    >>> legend_height([("task", "task")] * 3, 150), legend_height([("task", "task")] * 3, 1000)
    (120.0, 60.0)
    """
    return legend_grid(entries, width).height
