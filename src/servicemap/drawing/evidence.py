"""The physical evidence row: each step's ``evidence`` in its column, in a band above the lanes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from ..layout.geometry import EdgeRoute, Layout, NodeBox
from ..model import Blueprint
from ..text import HEADER_LINE, LINE_HEIGHT, wrap_chars
from .dotwriter import DotWriter, cell_table, lines_html
from .escape import tooltip_text
from .style import Colors

__all__ = ["EVIDENCE_TITLE", "EvidenceCard", "band_height", "draw_evidence", "evidence_cards",
           "make_room"]

EVIDENCE_TITLE = "Physical evidence"
"""The band's name in the lane header column (Bitner, Ostrom & Morgan 2008)."""

_CARD_WIDTH = 150.0  # widest card, points
_CARD_LINES = 4  # lines of evidence text per card, the rest cut with an ellipsis
_PAD = 6.0  # white space above and below the cards


@dataclass(frozen=True)
class EvidenceCard:
    """The evidence of the steps of one flow column: centre ``x``, ``width``, text lines,
    and the whole text (for the tooltip)."""

    x: float
    width: float
    lines: tuple[str, ...]
    text: str


def evidence_cards(blueprint: Blueprint, layout: Layout) -> list[EvidenceCard]:
    """One card per flow column where a step has ``evidence``, left to right.

    A card is centred over its column's steps and as wide as the room to the
    neighbouring columns allows (at most 150 pt); steps of one column share a card.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> bp = loads('''
        ... name: T
        ... steps:
        ...   - {id: a, kind: terminator, evidence: Web page, next: b}
        ...   - {id: b, kind: terminator}
        ... ''')
        >>> [(card.lines, card.x == compute_layout(bp).nodes["a"].x)
        ...  for card in evidence_cards(bp, compute_layout(bp))]
        [(('Web page',), True)]
    """
    steps = blueprint.steps_by_id
    centres: dict[int, list[NodeBox]] = {}
    for box in layout.nodes.values():
        centres.setdefault(box.column, []).append(box)
    xs = sorted((c, sum(b.x for b in boxes) / len(boxes)) for c, boxes in centres.items())
    cards: list[EvidenceCard] = []
    for i, (column, x) in enumerate(xs):
        texts = [steps[b.id].evidence for b in sorted(centres[column], key=lambda b: b.y)
                 if b.id in steps and steps[b.id].evidence]
        if not texts:
            continue
        room = min(([x - xs[i - 1][1]] if i > 0 else [])
                   + ([xs[i + 1][1] - x] if i + 1 < len(xs) else []) + [_CARD_WIDTH + 8])
        width = max(40.0, room - 8)
        text = "; ".join(t for t in texts if t)
        lines = tuple(wrap_chars(text, width - 8, max_lines=_CARD_LINES))
        cards.append(EvidenceCard(x, width, lines, text))
    return cards


def band_height(cards: Sequence[EvidenceCard]) -> float:
    """Height of the evidence band for ``cards`` (0 without cards).

    >>> band_height([]), band_height([EvidenceCard(0, 80, ("a", "b"), "a b")])
    (0.0, 44.0)
    """
    if not cards:
        return 0.0
    lines = max(len(card.lines) for card in cards)
    return max(HEADER_LINE * 2 + 4, LINE_HEIGHT * lines + 6) + 2 * _PAD


def make_room(layout: Layout, top: float, height: float) -> Layout:
    """``layout`` with everything at or below ``top`` moved ``height`` points down.

    The phase header row and the title stay; lanes, steps, lines and labels
    move, and the map grows by ``height``.

    >>> from servicemap.layout.geometry import Band
    >>> lay = Layout(100, 100, nodes={"a": NodeBox("a", 50, 60, 20, 10)},
    ...              bands=[Band("c", "C", 40, 86)], title_height=20, header_height=20)
    >>> moved = make_room(lay, 40, 30)
    >>> moved.height, moved.nodes["a"].y, moved.bands[0].top
    (130, 90, 70)
    """
    def y(value: float) -> float:
        return value + height if value >= top - 1e-6 else value

    def route(r: EdgeRoute) -> EdgeRoute:
        pos = (r.label_pos[0], y(r.label_pos[1])) if r.label_pos is not None else None
        return dataclasses.replace(r, points=tuple((px, y(py)) for px, py in r.points),
                                   label_pos=pos)

    return dataclasses.replace(
        layout,
        height=layout.height + height,
        nodes={k: dataclasses.replace(b, y=y(b.y)) for k, b in layout.nodes.items()},
        edges=[route(r) for r in layout.edges],
        messages=[route(r) for r in layout.messages],
        bands=[dataclasses.replace(b, top=y(b.top), bottom=y(b.bottom)) for b in layout.bands],
        lines=[dataclasses.replace(ln, y=y(ln.y)) for ln in layout.lines],
    )


def draw_evidence(dot: DotWriter, cards: Sequence[EvidenceCard], layout: Layout, top: float,
                  height: float, colors: Colors) -> None:
    """The evidence band from ``top`` down ``height`` points: its name in the header
    column, then each card over its column.

    >>> dot = DotWriter(200, Colors())
    >>> lay = Layout(300, 200, header_width=100)
    >>> draw_evidence(dot, [EvidenceCard(150, 80, ("Web page",), "Web page")], lay, 40, 44,
    ...               Colors())
    >>> len(dot.clusters), len(dot.nodes)
    (2, 2)
    """
    hw = layout.header_width
    dot.rect(hw, top, layout.width, top + height, colors.evidence, colors.separator)
    if hw > 0:
        dot.rect(0, top, hw, top + height, colors.header)
        title = cell_table(lines_html(EVIDENCE_TITLE.split(), bold=True), hw - 6,
                           HEADER_LINE * 2 + 2, border=0, color=colors.header, fill=None)
        dot.node("h", hw / 2, top + height / 2, {"shape": "plain", "fixedsize": False,
                                                 "label": title,
                                                 "fontcolor": colors.header_ink})
    for card in cards:
        body = cell_table(lines_html(card.lines), card.width,
                          LINE_HEIGHT * len(card.lines) + 6, color=colors.separator,
                          fill="#ffffff")
        dot.node("v", card.x, top + height / 2,
                 {"shape": "plain", "fixedsize": False, "label": body,
                  "tooltip": tooltip_text(f"physical evidence: {card.text}"),
                  "class": "evidence"})

