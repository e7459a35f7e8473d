"""Label wrapping and text width estimates for the drawing font (sans-serif, 10 pt)."""

from __future__ import annotations

__all__ = ["FONT_SIZE", "LINE_HEIGHT", "text_width", "wrap"]

FONT_SIZE = 10.0
LINE_HEIGHT = 13.0

# Advance widths of DejaVu Sans at 1 pt, rounded up: a conservative estimate.
_NARROW = set("ijlI.,:;!|'` ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in points.

    >>> text_width("iii") < text_width("mmm")
    True
    """
    units = 0.0
    for ch in text:
        if ch in _NARROW:
            units += 0.34
        elif ch in _WIDE:
            units += 0.95
        elif ch.isupper() or ord(ch) > 0x2E7F:  # capitals, CJK and emoji are wide
            units += 0.75
        else:
            units += 0.62
    return units * size


def wrap(text: str, width: float = 120.0, *, max_lines: int = 6) -> tuple[str, ...]:
    """Break ``text`` into lines of at most ``width`` points (long words are cut).

    >>> wrap("Sends apology, promises redelivery", 120)
    ('Sends apology,', 'promises redelivery')
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
