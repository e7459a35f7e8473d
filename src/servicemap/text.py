"""Text metrics the layout, the drawing and the long-text rule share.

The font, its sizes, width estimates, wrapping, and how much of a label is
drawn: a step shows at most :data:`STEP_LINES` wrapped lines, a branch label
:data:`BRANCH_LINES`, a lane or phase title :data:`TITLE_CHARS` characters;
the rest is cut with an ellipsis (the whole text stays in the tooltip) and
rule SM303 ``long-text`` says so. The layout and the rule call the same
functions, so the rule reports exactly the text the drawing cuts.

Every function here takes time linear in the text it looks at, and the ones
that cut stop reading once they know the text is cut: a megabyte label costs
no more than the lines drawn of it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "BRANCH_LINES",
    "BRANCH_WRAP",
    "CONNECTOR_CHARS",
    "DECISION_SHARE",
    "ELLIPSIS",
    "FONT",
    "FONT_SIZE",
    "HEADER_LINE",
    "LANE_TITLE_INSET",
    "LINE_HEIGHT",
    "LINE_NAME_SIZE",
    "LONG_WORD",
    "MAP_TITLE_INSET",
    "PHASE_TITLE_INSET",
    "STEP_LINES",
    "STEP_WRAP",
    "TITLE_CHARS",
    "TITLE_SIZE",
    "Fitted",
    "branch_label",
    "clip",
    "fit_lines",
    "header_lines",
    "step_label",
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
LINE_NAME_SIZE = 8.0  # points: a blueprint line's name in the lane header column

# How much narrower than its cell a header's text is wrapped: the layout
# reserves room for the lines the drawer will draw at this width.
LANE_TITLE_INSET = 10.0
PHASE_TITLE_INSET = 8.0
MAP_TITLE_INSET = 16.0

# How much of a label is drawn.
STEP_WRAP = 64.0
"""Width in points at which step labels wrap (``compute_layout``'s default)."""
DECISION_SHARE = 0.85
"""A decision's label wraps at this share of the step width (a diamond is narrow at its ends)."""
LONG_WORD = 1.7
"""A step label's lines widen to keep a word up to this many times their width whole."""
STEP_LINES = 6
"""Most lines of a step label drawn; a longer label is cut with an ellipsis."""
CONNECTOR_CHARS = 4
"""Most characters drawn in a connector's small circle."""
BRANCH_WRAP = 100.0
"""Width in points at which branch labels wrap."""
BRANCH_LINES = 3
"""Most lines of a branch label drawn."""
TITLE_CHARS = 200
"""Most characters of a lane or phase title drawn (its header grows with its lines)."""
ELLIPSIS = "…"

# Advance widths of DejaVu Sans at 1 pt, rounded up: a conservative estimate.
_NARROW = frozenset("ijlI.,:;!|'` ")
_WIDE = frozenset("mwMW@%")

# A line break as str.splitlines sees it, or a word as str.split sees it.
_BREAK = r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_TOKENS = re.compile(rf"{_BREAK}|\S+")
_TOKENS_RUNS = re.compile(rf"(?:{_BREAK})+|\S+")  # blank lines taken with the break before them


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


def _fit(word: str, start: int, room: float) -> tuple[int, float]:
    """How far ``word[start:]`` fits in ``room`` points: the end index and the width to it.

    Reads only the characters that fit and one more, so cutting a long word
    piece by piece reads each character once.
    """
    table = _ASCII
    units, limit = 0.0, room / FONT_SIZE
    for i in range(start, len(word)):
        ch = word[i]
        u = table.get(ch)
        u = _units(ch) if u is None else u
        if units + u > limit:
            return i, units * FONT_SIZE
        units += u
    return len(word), units * FONT_SIZE


@dataclass(frozen=True)
class Fitted:
    """A text as drawn: its lines (the last ending in an ellipsis if cut) and whether it was cut."""

    lines: tuple[str, ...]
    cut: bool = False


def fit_lines(text: str, width: float, max_lines: int) -> Fitted:
    """Break ``text`` into at most ``max_lines`` lines of at most ``width`` points.

    Words wrap greedily; a word wider than a line is cut into pieces that fill
    lines; line breaks in the text start a new line, blank lines are dropped.
    If more lines would follow, the last line shown ends in an ellipsis
    (shortened until it fits) and ``cut`` is true. Linear in the part of the
    text read, and reading stops one line after the last line shown.

    >>> fit_lines("Sends apology, promises redelivery", 120, 6)
    Fitted(lines=('Sends apology,', 'promises redelivery'), cut=False)
    >>> fit_lines("one two three four", 30, 2)
    Fitted(lines=('one', 'two…'), cut=True)
    >>> fit_lines("x" * 1_000_000, 62, 2).lines
    ('xxxxxxxxxx', 'xxxxxxxxx…')
    """
    max_lines = max(1, max_lines)
    lines: list[str] = []
    current: list[str] = []
    cur_w = 0.0
    space = _ASCII[" "] * FONT_SIZE

    def flush() -> None:
        nonlocal cur_w
        if current:
            lines.append(" ".join(current))
            current.clear()
        cur_w = 0.0

    for match in _TOKENS_RUNS.finditer(text):
        if len(lines) > max_lines:
            break
        word = match.group()
        if word.isspace():  # a line break
            flush()
            continue
        end, w = _fit(word, 0, width)
        if end < len(word):  # wider than a line: cut into pieces, each on a line of its own
            flush()
            start = 0
            while end < len(word) and len(lines) <= max_lines:
                end = max(end, start + 1)
                lines.append(word[start:end])
                start = end
                end, w = _fit(word, start, width)
            if len(lines) > max_lines:
                break
            if start < len(word):  # the rest fits a line: later words may join it
                current.append(word[start:])
                cur_w = w
        elif current and cur_w + space + w > width:
            flush()
            current.append(word)
            cur_w = w
        else:
            cur_w += (space if current else 0.0) + w
            current.append(word)
    flush()
    if not lines:
        return Fitted(("",))
    if len(lines) <= max_lines:
        return Fitted(tuple(lines))
    shown = lines[:max_lines]
    shown[-1] = _with_ellipsis(shown[-1], width)
    return Fitted(tuple(shown), cut=True)


def _with_ellipsis(line: str, width: float) -> str:
    """``line`` ending in an ellipsis, shortened until it fits ``width`` (keeping a character).

    >>> _with_ellipsis("abc", 100), _with_ellipsis("x" * 30, 62)
    ('abc…', 'xxxxxxxxx…')
    """
    room = width - text_width(ELLIPSIS)
    end, _ = _fit(line, 0, room)
    return line[:max(1, end)].rstrip() + ELLIPSIS


def wrap(text: str, width: float = 120.0, *, max_lines: int = STEP_LINES) -> tuple[str, ...]:
    """Break ``text`` into lines of at most ``width`` points (long words are cut).

    The lines of :func:`fit_lines`; step labels are wrapped this way by the
    layout and drawn as these lines.

    >>> wrap("Sends apology, promises redelivery", 120)
    ('Sends apology,', 'promises redelivery')
    >>> wrap("")
    ('',)
    """
    return fit_lines(text, width, max_lines).lines


def step_label(kind: str, title: str, wrap_width: float = STEP_WRAP) -> Fitted:
    """A step's label as drawn in its symbol.

    >>> step_label("connector", "A"), step_label("connector", "Again").lines
    (Fitted(lines=('A',), cut=False), ('Aga…',))
    >>> step_label("task", "word " * 100).cut
    True
    >>> step_label("task", "Acknowledgement received").lines  # a long word stays whole
    ('Acknowledgement', 'received')
    >>> step_label("document", "Order confirmation email").lines
    ('Order', 'confirmation', 'email')
    """
    if kind == "connector":
        if len(title) <= CONNECTOR_CHARS:
            return Fitted((title,))
        return Fitted((title[:CONNECTOR_CHARS - 1] + ELLIPSIS,), cut=True)
    width = wrap_width * DECISION_SHARE if kind == "decision" else wrap_width
    # A word up to LONG_WORD times the line keeps whole: the lines widen to it.
    longest = max((_fit(w, 0, width * LONG_WORD)[1]
                   for w in title[:STEP_LINES * 40].split()), default=0.0)
    return fit_lines(title, max(width, longest + 0.01), STEP_LINES)  # + rounding room


def branch_label(label: str) -> Fitted:
    """A branch label as drawn next to its flow line.

    >>> branch_label("not in stock").lines
    ('not in stock',)
    >>> branch_label("y" * 60_000).cut
    True
    """
    return fit_lines(label, BRANCH_WRAP, BRANCH_LINES)


def clip(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` cut after ``limit`` characters, with an ellipsis; shorter text unchanged.

    >>> clip("Customer", 4), clip("Customer", 8)
    ('Cust…', 'Customer')
    """
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + ELLIPSIS


def _paragraphs(text: str, budget: int) -> Iterator[list[str]]:
    """The words of each line of ``text``, lazily; words beyond ``budget`` characters a line
    are dropped and longer words cut short, so a line costs at most about ``budget``."""
    words: list[str] = []
    used = 0
    for match in _TOKENS.finditer(text):
        word = match.group()
        if word.isspace():
            yield words
            words, used = [], 0
        elif used <= budget:
            word = word[:budget]
            words.append(word)
            used += len(word) + 1
    yield words


def wrap_chars(text: str, width: float, size: float = FONT_SIZE, *,
               max_lines: int | None = None) -> list[str]:
    """Break ``text`` into lines by a plain character count for ``width`` points.

    The drawer wraps headers, the title and legend entries this way. Words
    longer than a line are cut into line-long pieces; with ``max_lines``, at
    most that many lines, the last ending in an ellipsis if more would follow.
    Linear in the text.

    >>> wrap_chars("Customer service representatives", 100)
    ['Customer service', 'representatives']
    >>> wrap_chars("", 100)
    ['']
    >>> wrap_chars("a b c d e f g h", 20, max_lines=2)
    ['a b', 'c d…']
    """
    chars = max(4, int(width / (size * 0.56)))
    budget = chars * ((max_lines if max_lines is not None else len(text)) + 1)
    lines: list[str] = []
    for words in _paragraphs(text, budget):
        pieces = [w[i:i + chars] for w in words for i in range(0, len(w), chars)]
        lines.extend(textwrap.wrap(" ".join(pieces), chars, break_long_words=True) or [""])
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            lines[-1] = (last[:chars - 1] if len(last) >= chars else last).rstrip() + ELLIPSIS
            break
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
    return max(len(wrap_chars(text, width)), len(wrap(text, width, max_lines=len(text) + 1)))
