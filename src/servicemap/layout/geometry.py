"""The result of a layout: boxes, bands, columns and routes, in points (y grows downward)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Band", "Column", "EdgeRoute", "LayerLine", "Layout", "NodeBox", "Point"]

Point = tuple[float, float]


@dataclass(frozen=True)
class NodeBox:
    """A step's box: centre ``(x, y)``, ``width`` and ``height`` in points."""

    id: str
    x: float
    y: float
    width: float
    height: float
    lane: str | None = None
    phase: str | None = None
    column: int = 0
    kind: str = "task"
    label_lines: tuple[str, ...] = ()  # the label wrapped as drawn

    @property
    def left(self) -> float:
        """The x of the left side."""
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        """The x of the right side."""
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        """The y of the top."""
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        """The y of the bottom."""
        return self.y + self.height / 2


@dataclass(frozen=True)
class EdgeRoute:
    """One flow line as an orthogonal polyline from ``source`` to ``target``.

    ``points`` starts on the source box border and ends on the target box border;
    consecutive points differ in x or in y only. ``label`` is the branch's
    (or the message flow's) whole label, ``label_lines`` the lines drawn of it
    (wrapped, perhaps cut) and ``label_pos`` their centre, if any. ``kind`` is
    ``"flow"`` for a flow line (``Layout.edges``), ``"message"`` for a message
    flow between pools (``Layout.messages``).
    """

    source: str
    target: str
    points: tuple[Point, ...]
    label: str | None = None
    label_pos: Point | None = None
    failure: bool = False
    rework: bool = False
    label_lines: tuple[str, ...] = ()  # the label wrapped as drawn
    kind: str = "flow"  # or "message": a message flow between pools (Layout.messages)


@dataclass(frozen=True)
class Band:
    """A lane: a horizontal band from ``top`` to ``bottom``."""

    id: str
    label: str
    top: float
    bottom: float
    layer: str | None = None


@dataclass(frozen=True)
class Column:
    """A phase: a vertical column from ``left`` to ``right``."""

    id: str
    label: str
    left: float
    right: float


@dataclass(frozen=True)
class LayerLine:
    """One of the three blueprint lines, drawn across the map at ``y``."""

    name: str  # "line of " + one of servicemap.model.LINES
    y: float
    dashed: bool = False


@dataclass
class Layout:
    """Everything the drawer needs; the frame spans ``(0, 0)``-``(width, height)``."""

    width: float
    height: float
    nodes: dict[str, NodeBox] = field(default_factory=dict)
    edges: list[EdgeRoute] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    lines: list[LayerLine] = field(default_factory=list)
    header_width: float = 0.0  # lane header column at the left, 0 without lanes
    header_height: float = 0.0  # phase header row at the top, 0 without phases
    title_height: float = 0.0  # room for the title above everything
    messages: list[EdgeRoute] = field(default_factory=list)  # message flows between pools
