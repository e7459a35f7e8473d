"""The look of a drawn map: font, colours, and per-step style overrides (e.g. highlight)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import FONT, FONT_SIZE

__all__ = [
    "ARROW_LENGTH",
    "FONT",
    "FONT_SIZE",
    "Colors",
    "KeyEntry",
    "StepStyle",
    "check_color",
]

# FONT and FONT_SIZE come from the layout's text metrics, so that the sizes the
# layout reserves and the text drawn agree.
ARROW_LENGTH = 7.0  # points: Graphviz draws 10 pt x arrowsize (0.7)

_COLOR = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")


def check_color(value: str) -> str:
    """``value`` if it is a ``#rrggbb`` (or ``#rrggbbaa``) colour, else ``ValueError``.

    Only such colours reach the DOT text, so a style can never carry DOT syntax.

    >>> check_color("#1A7F37")
    '#1A7F37'
    >>> check_color('red"]; x [')
    Traceback (most recent call last):
    ...
    ValueError: not a #rrggbb colour: 'red"]; x ['
    """
    if not _COLOR.fullmatch(value):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return value


@dataclass(frozen=True)
class Colors:
    """The palette (all ``#rrggbb``)."""

    ink: str = "#263238"
    step_fill: str = "#ffffff"
    band: tuple[str, str] = ("#f5f7fa", "#e9eef4")
    header: str = "#d5dde8"
    header_ink: str = "#1f2d3d"
    separator: str = "#9aa7b5"
    layer_line: str = "#3f6fb5"
    failure: str = "#c62828"
    rework: str = "#7b1fa2"
    recovery: str = "#2e7d32"
    badge_ink: str = "#ffffff"
    evidence: str = "#fbf6e9"


@dataclass(frozen=True)
class StepStyle:
    """How one step's drawing departs from the default, e.g. when highlighted.

    Attributes:
        fill: Fill colour ``#rrggbb``.
        color: Border colour ``#rrggbb``.
        penwidth: Border width in points.
        badge: Short text drawn in a small tag under the step's bottom-right corner.
        note: Extra tooltip line (e.g. the analysis figure behind the colour).
        ring: Colour of a second border just inside the first (a highlight
            border that a check-problem mark drew over keeps showing so).

    >>> StepStyle(fill="#ffcdd2", badge="0.07 fails/case").fill
    '#ffcdd2'
    """

    fill: str | None = None
    color: str | None = None
    penwidth: float | None = None
    badge: str | None = None
    note: str | None = None
    ring: str | None = None

    def __post_init__(self) -> None:
        """Refuse a colour that is not ``#rrggbb`` and a border width outside (0, 10]."""
        for colour in (self.fill, self.color, self.ring):
            if colour is not None:
                check_color(colour)
        if self.penwidth is not None and not 0 < self.penwidth <= 10:
            raise ValueError(f"penwidth must be in (0, 10], not {self.penwidth}")


@dataclass(frozen=True)
class KeyEntry:
    """One line of the key that explains override colours: a swatch and its text; the
    swatch's border may have ``rings`` inside it, as steps with two marks are drawn.

    >>> KeyEntry("utilisation >= 85%", fill="#ef9a9a").label
    'utilisation >= 85%'
    """

    label: str
    fill: str | None = None
    color: str | None = None
    rings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a colour that is not ``#rrggbb``."""
        for colour in (self.fill, self.color, *self.rings):
            if colour is not None:
                check_color(colour)
