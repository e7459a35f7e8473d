"""The legend below a map: the symbols, line kinds and badges used, and the key."""

from __future__ import annotations

from collections.abc import Sequence

from ..layout.geometry import Layout, NodeBox
from ..model import Blueprint
from ..text import wrap_chars
from .dotwriter import DotWriter, cell_table, lines_html
from .style import Colors, KeyEntry
from .symbols import draw_badge, draw_symbol

__all__ = ["LEGEND_NAMES", "LegendEntry", "draw_legend", "legend_entries", "legend_height"]

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

_LEGEND_ITEM = (190.0, 30.0)  # width and height of one legend entry
_LEGEND_SAMPLE = (44.0, 22.0)


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
    if any(s.fail is not None for s in blueprint.steps):
        entries.append(("fail", "fail point"))
    if any(s.recovery for s in blueprint.steps):
        entries.append(("recovery", "service recovery step"))
    entries.extend(("key", entry) for entry in key)
    return entries


def draw_legend(dot: DotWriter, entries: Sequence[LegendEntry], top: float, width: float,
                colors: Colors) -> None:
    """The legend below the map: a title, then each entry's sample and text in rows.

    >>> dot = DotWriter(200, Colors())
    >>> draw_legend(dot, [("task", "task")], 100, 400, Colors())
    >>> len(dot.clusters), len(dot.nodes)  # the frame; the title, a sample and its text
    (1, 3)
    """
    iw, ih = _LEGEND_ITEM
    sw, sh = _LEGEND_SAMPLE
    per_row = max(1, int((width - 16) // iw))
    dot.rect(0, top, width, top + legend_height(len(entries), width), "#ffffff", "#c0c8d2")
    title = cell_table("<B>Legend</B>", 80, 14, border=0, color=colors.ink, fill=None,
                       align="LEFT")
    dot.node("g", 8 + 40, top + 12, {"shape": "plain", "fixedsize": False, "label": title})
    for i, (what, name) in enumerate(entries):
        row, col = divmod(i, per_row)
        x0, yc = 8 + col * iw, top + 24 + row * ih + ih / 2
        _draw_legend_sample(dot, what, name, NodeBox("", x0 + sw / 2, yc, sw, sh), colors)
        text = name.label if isinstance(name, KeyEntry) else name
        lines = wrap_chars(text, iw - sw - 14, max_lines=2)
        label = cell_table(lines_html(lines), iw - sw - 10, ih - 4, border=0,
                           color=colors.ink, fill=None, align="LEFT")
        dot.node("g", x0 + sw + 6 + (iw - sw - 10) / 2, yc,
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
    elif what == "fail":
        draw_badge(dot, sample.x, sample.y, "F", colors.failure, None)
    elif what == "recovery":
        draw_symbol(dot, "task", sample, [], fill=colors.step_fill, color=colors.recovery,
                    penwidth=2, extra={})
    elif isinstance(name, KeyEntry):
        draw_symbol(dot, "task", sample, [], fill=name.fill or colors.step_fill,
                    color=name.color or colors.ink, penwidth=2.5 if name.color else 1,
                    extra={})


def legend_height(count: int, width: float) -> float:
    """Height of a legend of ``count`` entries at ``width``.

    >>> legend_height(3, 400), legend_height(3, 1000)
    (90.0, 60.0)
    """
    per_row = max(1, int((width - 16) // _LEGEND_ITEM[0]))
    rows = -(-count // per_row)
    return 30 + rows * _LEGEND_ITEM[1]
