"""Tags under steps (highlight figures, problem codes) in a strip reserved for them.

A tag never covers a flow line, a separator, a badge or another lane: under
each row of steps that carries a tag, the drawing opens a strip (everything
below moves down, lines that cross it are stretched), and each tag goes in
that strip, under its step where no line crosses, else beside it within its
phase; tags that would touch go one level lower. A tag too wide for any free
gap of its phase is broken into lines at its commas (a tag of ``k`` lines
takes ``k`` levels); one that fits nowhere in its phase goes to the nearest
free gap of its row.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..layout.geometry import Layout, NodeBox
from ..layout.labels import label_size
from ..text import text_width
from .dotwriter import DotWriter, cell_table
from .escape import html_text
from .evidence import make_room

__all__ = ["TAG_HEIGHT", "Tag", "draw_tags", "place_tags", "tag_width"]

TAG_HEIGHT = 12.0
"""Height of a tag, points."""

_LEVEL = TAG_HEIGHT + 2  # pitch of the levels of a strip
_CLEAR = 3.0  # between a tag and a line, a separator or another tag
_FONT = 8.0


@dataclass(frozen=True)
class Tag:
    """A placed tag: its step, text and border colour, centre and width, and the
    lines it is drawn in (its whole text on one line if none are given)."""

    step: str
    text: str
    color: str
    x: float
    y: float
    width: float
    lines: tuple[str, ...] = ()

    @property
    def height(self) -> float:
        """Height of the tag: :data:`TAG_HEIGHT` a line, 2 pt between lines.

        >>> Tag("a", "x, y", "#000000", 0, 0, 20).height, Tag("a", "x, y", "#000000", 0, 0,
        ...                                                   20, ("x,", "y")).height
        (12.0, 26.0)
        """
        return max(1, len(self.lines)) * _LEVEL - 2


def tag_width(text: str) -> float:
    """Width of a tag showing ``text`` at 8 pt, with its padding.

    >>> tag_width("SM103") >= 30
    True
    """
    return max(round(4.8 * len(text)) + 10, round(text_width(text, _FONT)) + 6)


def tag_forms(text: str) -> list[tuple[str, ...]]:
    """The ways to draw ``text``: on one line, then broken at its commas (at spaces if
    it has none) into two, three or four lines, each split the one whose widest line
    is narrowest.

    >>> tag_forms("0.08 fail/case, util 6%, queue 4 s")
    [('0.08 fail/case, util 6%, queue 4 s',), ('0.08 fail/case,', 'util 6%, queue 4 s'), \
('0.08 fail/case,', 'util 6%,', 'queue 4 s')]
    >>> tag_forms("SM103")
    [('SM103',)]
    """
    sep = ", " if ", " in text else " "
    parts = text.split(sep)
    parts = [p + sep.rstrip() for p in parts[:-1]] + parts[-1:]
    forms: list[tuple[str, ...]] = [(text,)]
    if len(parts) > _MAX_PARTS:
        return forms
    for k in range(2, min(len(parts), _MAX_LINES) + 1):
        splits = (tuple(" ".join(parts[a:b]) for a, b in itertools.pairwise((0, *cut, None)))
                  for cut in itertools.combinations(range(1, len(parts)), k - 1))
        forms.append(min(splits, key=lambda lines: max(map(tag_width, lines))))
    return forms


_MAX_LINES = 4  # lines of a tag at most
_MAX_PARTS = 12  # a text of more pieces is drawn on one line


@dataclass
class _Row:
    """The steps sharing a lane row: the strip's top ``y`` and the tags to place."""

    y: float
    boxes: list[NodeBox]


def place_tags(layout: Layout, tags: Mapping[str, tuple[str, str]]
               ) -> tuple[Layout, list[Tag]]:
    """``layout`` with a strip opened under every row of steps with a tag, and the tags in it.

    Args:
        layout: Where everything goes.
        tags: ``(text, border colour)`` by step id.

    Returns:
        The layout made taller by the strips, and each tag's place in it.

    Example:
        >>> lay = Layout(300, 100, nodes={"a": NodeBox("a", 100, 40, 80, 36)})
        >>> moved, placed = place_tags(lay, {"a": ("SM103", "#d81b60")})
        >>> moved.height, placed[0].y - TAG_HEIGHT / 2 > lay.nodes["a"].bottom
        (116.0, True)
    """
    rows: dict[tuple[str | None, float], _Row] = {}
    for box in layout.nodes.values():
        row = rows.setdefault((box.lane, round(box.y, 2)), _Row(box.bottom + 1, []))
        row.y = max(row.y, box.bottom + 1)
        if box.id in tags:
            row.boxes.append(box)
    strips: list[tuple[float, float, list[Tag]]] = []  # top, height, tags (strip-relative y)
    for row in sorted((r for r in rows.values() if r.boxes), key=lambda r: -r.y):
        placed = _place_row(layout, row, tags)
        bottom = max(t.y + t.height / 2 for t in placed)  # of the lowest tag
        strips.append((row.y, bottom + 2, placed))
    result: list[Tag] = []
    for top, height, placed in strips:  # bottom-most first, so each top is still valid
        layout = make_room(layout, top, height)
        above = sum(h for t, h, _ in strips if t < top)
        result.extend(Tag(t.step, t.text, t.color, t.x, t.y + top + above, t.width, t.lines)
                      for t in placed)
    return layout, sorted(result, key=lambda t: (t.y, t.x))


def _place_row(layout: Layout, row: _Row, tags: Mapping[str, tuple[str, str]]) -> list[Tag]:
    """The tags of one row, with ``y`` relative to the strip's top: each in the first of
    its forms (:func:`tag_forms`) that has room in its phase, else in the row."""
    blocked = _blocked(layout, row.y)
    levels: list[list[tuple[float, float]]] = []
    placed: list[Tag] = []
    whole_row = (layout.header_width + _CLEAR, layout.width - _CLEAR)
    for box in sorted(row.boxes, key=lambda b: b.x):
        text, color = tags[box.id]
        text = " ".join(text.split())  # one run of words: a line break is a space here
        forms = tag_forms(text)
        spots = (_spot(box, lines, lo, hi, blocked, levels)
                 for lo, hi in (_phase_span(layout, box), whole_row) for lines in forms)
        spot = next((found for found in spots if found is not None), None)
        if spot is None:  # nowhere free (a row full of lines): under its step, a new level
            spot = (len(levels), box.right - tag_width(text) / 2, forms[0])
        level, x, lines = spot
        width = max(map(tag_width, lines))
        while len(levels) < level + len(lines):
            levels.append([])
        for taken in levels[level:level + len(lines)]:
            taken.append((x - width / 2 - _CLEAR, x + width / 2 + _CLEAR))
        height = len(lines) * _LEVEL - 2  # as Tag.height
        placed.append(Tag(box.id, text, color, x, 2 + level * _LEVEL + height / 2, width, lines))
    return placed


def _spot(box: NodeBox, lines: tuple[str, ...], lo: float, hi: float,
          blocked: Sequence[tuple[float, float]], levels: Sequence[Sequence[tuple[float, float]]]
          ) -> tuple[int, float, tuple[str, ...]] | None:
    """The first level and the centre, nearest the step's bottom-right corner, where a tag
    of ``lines`` fits in ``[lo, hi]`` on as many levels as it has lines; None if nowhere.

    >>> _spot(NodeBox("a", 50, 20, 60, 20), ("SM103",), 0, 200, [], [])
    (0, 63.0, ('SM103',))
    """
    width = max(map(tag_width, lines))
    want = box.right - width / 2
    best: tuple[float, int, float] | None = None  # distance, level, centre
    for level in range(len(levels) + 1):
        taken = [span for spans in levels[level:level + len(lines)] for span in spans]
        x = _nearest_free(want, width, lo, hi, [*blocked, *taken])
        if x is not None and (best is None or abs(x - want) < best[0]):
            best = (abs(x - want), level, x)
        if best is not None and abs(best[2] - box.x) < (box.width + width) / 2:
            break  # under its step: good enough
    return None if best is None else (best[1], best[2], lines)


def _blocked(layout: Layout, y: float) -> list[tuple[float, float]]:
    """What a strip opened at ``y`` holds: the x spans of lines (message flows too)
    crossing it, of branch labels reaching into it, and of the phase separators."""
    spans: list[tuple[float, float]] = []
    for route in [*layout.edges, *layout.messages]:
        for (x0, y0), (x1, y1) in itertools.pairwise(route.points):
            if abs(x0 - x1) < 1e-6 and min(y0, y1) < y < max(y0, y1):
                spans.append((x0 - _CLEAR, x0 + _CLEAR))
        if route.label is not None and route.label_pos is not None:
            w, h = label_size(route.label)
            lx, ly = route.label_pos
            if ly - h / 2 - _LEVEL < y < ly + h / 2 + _LEVEL:
                spans.append((lx - w / 2 - _CLEAR, lx + w / 2 + _CLEAR))
    for left, right in itertools.pairwise(layout.columns):
        x = (left.right + right.left) / 2
        spans.append((x - _CLEAR, x + _CLEAR))
    return spans


def _phase_span(layout: Layout, box: NodeBox) -> tuple[float, float]:
    """The x range a tag of ``box`` may take: its phase column, right of the lane headers."""
    lo, hi = layout.header_width, layout.width
    for column in layout.columns:
        if column.left <= box.x <= column.right:
            lo, hi = max(lo, column.left), min(hi, column.right)
    return lo + _CLEAR, hi - _CLEAR


def _nearest_free(want: float, width: float, lo: float, hi: float,
                  blocked: Sequence[tuple[float, float]]) -> float | None:
    """The centre nearest ``want`` of a ``width`` span inside ``[lo, hi]`` that meets no
    blocked span; None if there is none.

    >>> _nearest_free(50, 20, 0, 100, [(45, 55)])
    34.999
    >>> _nearest_free(50, 20, 0, 30, [(5, 25)]) is None
    True
    """
    edges = sorted(blocked)
    free: list[tuple[float, float]] = []
    start = lo
    for a, b in edges:
        if b <= start:
            continue
        if a > start:
            free.append((start, min(a, hi)))
        start = max(start, b)
        if start >= hi:
            break
    if start < hi:
        free.append((start, hi))
    best: float | None = None
    for a, b in free:
        if b - a < width:
            continue
        x = min(max(want, a + width / 2 + 0.001), b - width / 2 - 0.001)
        if best is None or abs(x - want) < abs(best - want):
            best = x
    return None if best is None else round(best, 3)


def draw_tags(dot: DotWriter, tags: Sequence[Tag], fill: str = "#fff8e1") -> None:
    """Each tag as a small bordered box with its text.

    >>> from servicemap.drawing.style import Colors
    >>> dot = DotWriter(100, Colors())
    >>> draw_tags(dot, [Tag("a", "SM103", "#d81b60", 50, 50, 40)])
    >>> dot.nodes[0][:21]
    'x1 [pos="50,50!", sha'
    """
    for tag in tags:
        text = "<BR/>".join(html_text(line) for line in tag.lines or (tag.text,))
        label = cell_table(f'<FONT POINT-SIZE="{_FONT:g}">{text}</FONT>',
                           tag.width, tag.height, color=tag.color, fill=fill)
        dot.node("x", tag.x, tag.y, {"shape": "plain", "fixedsize": False, "label": label,
                                     "class": "tag"})
