"""Label wrapping and text width estimates for the drawing font (sans-serif, 10 pt)."""

from __future__ import annotations

import textwrap

__all__ = ["FONT_SIZE", "HEADER_LINE", "LINE_HEIGHT", "header_lines", "text_width", "wrap"]

FONT_SIZE = 10.0
LINE_HEIGHT = 13.0
HEADER_LINE = 14.0  # line pitch of header and title text as drawn

# Advance widths of DejaVu Sans at 1 pt, rounded up: a conservative estimate.
_NARROW = frozenset("ijlI.,:;!|'` ")
_WIDE = frozenset("mwMW@%")


def _units(ch: str) -> float:
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


def header_lines(text: str, width: float, size: float = FONT_SIZE) -> int:
    """Lines a header label takes at ``width`` points, by the larger of two wrap estimates.

    Headers (lane and phase titles) are wrapped by the drawer; this counts
    lines both by our width table and by a plain character count, so the room
    reserved fits either.

    >>> header_lines("Pre-transaction", 200)
    1
    >>> header_lines("Customer service and returned-payments representatives", 100) >= 3
    True
    """
    chars = max(4, int(width / (size * 0.56)))
    by_chars = sum(len(textwrap.wrap(p, chars, break_long_words=True)) or 1
                   for p in text.splitlines() or [""])
    return max(by_chars, len(wrap(text, width, max_lines=1000)))
