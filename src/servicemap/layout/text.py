"""Text metrics shared by layout and drawing: the font, its sizes, width estimates, wrapping."""

from __future__ import annotations

import textwrap

__all__ = [
    "FONT",
    "FONT_SIZE",
    "HEADER_LINE",
    "LANE_TITLE_INSET",
    "LINE_HEIGHT",
    "MAP_TITLE_INSET",
    "PHASE_TITLE_INSET",
    "TITLE_SIZE",
    "header_lines",
    "text_width",
    "wrap",
    "wrap_chars",
]

FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"
"""One font list everywhere: fontconfig/Pango (PNG, PDF) take the first family
installed; browsers read the same list as the SVG ``font-family``."""

FONT_SIZE = 10.0  # points: step labels, branch labels, headers
TITLE_SIZE = 14.0  # points: the map's title
LINE_HEIGHT = 13.0  # line pitch of step and branch labels
HEADER_LINE = 14.0  # line pitch of header and title text as drawn

# How much narrower than its cell a header's text is wrapped: the layout
# reserves room for the lines the drawer will draw at this width.
LANE_TITLE_INSET = 10.0
PHASE_TITLE_INSET = 8.0
MAP_TITLE_INSET = 16.0

# Advance widths of DejaVu Sans at 1 pt, rounded up: a conservative estimate.
_NARROW = frozenset("ijlI.,:;!|'` ")
_WIDE = frozenset("mwMW@%")


def _units(ch: str) -> float:
    """Advance width of ``ch`` at 1 pt."""
    if ch in _NARROW:
        return 0.34
    if ch in _WIDE:
        return 0.95
    if ch.isupper() or ord(ch) > 0x2E7F:  # capitals, CJK and emoji are wide
        return 0.75
    return 0.62


_ASCII: dict[str, float] = {chr(i): _units(chr(i)) for i in range(32, 127)}


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in points (generous: bold text fits too).

    >>> text_width("iii") < text_width("mmm")
    True
    >>> text_width("")
    0.0
    """
    table = _ASCII
    units = 0.0
    for ch in text:
        u = table.get(ch)
        units += _units(ch) if u is None else u
    return units * size


def wrap(text: str, width: float = 120.0, *, max_lines: int = 6) -> tuple[str, ...]:
    """Break ``text`` into lines of at most ``width`` points (long words are cut).

    Step labels are wrapped this way by the layout and drawn as these lines.

    >>> wrap("Sends apology, promises redelivery", 120)
    ('Sends apology,', 'promises redelivery')
    >>> wrap("")
    ('',)
    """
    lines: list[str] = []
    current = ""
    for raw_line in text.splitlines() or [""]:
        for word in raw_line.split() or [""]:
            while text_width(word) > width:  # cut very long words
                cut = max(1, int(len(word) * width / text_width(word)) - 1)
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
        current = ""
    lines = [line for line in lines if line] or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    return tuple(lines)


def wrap_chars(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """Break ``text`` into lines by a plain character count for ``width`` points.

    The drawer wraps headers, the title and legend entries this way.

    >>> wrap_chars("Customer service representatives", 100)
    ['Customer service', 'representatives']
    >>> wrap_chars("", 100)
    ['']
    """
    chars = max(4, int(width / (size * 0.56)))
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, chars, break_long_words=True) or [""])
    return lines


def header_lines(text: str, width: float) -> int:
    """Lines a header label takes at ``width`` points, by the larger of two wrap estimates.

    Headers (lane and phase titles) are drawn wrapped by :func:`wrap_chars`;
    this counts lines both that way and by our width table, so the room
    reserved fits either.

    >>> header_lines("Pre-transaction", 200)
    1
    >>> header_lines("Customer service and returned-payments representatives", 100) >= 3
    True
    """
    return max(len(wrap_chars(text, width)), len(wrap(text, width, max_lines=1000)))
