"""Branch label placement: a free spot next to a route, near where it leaves its decision."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from ..text import LINE_HEIGHT, branch_label, text_width
from .geometry import NodeBox, Point

__all__ = ["Box", "Obstacles", "label_size", "place_label"]

Box = tuple[float, float, float, float]
"""``(left, top, right, bottom)``."""

_BUCKET = 120.0


class Obstacles:
    """Axis-aligned boxes in a bucket grid, for quick overlap tests.

    >>> obs = Obstacles()
    >>> obs.add((0, 0, 10, 10))
    >>> obs.hits((5, 5, 20, 20)), obs.hits((11, 0, 20, 10))
    (True, False)
    """

    def __init__(self) -> None:
        """An empty set of obstacles."""
        self._cells: dict[tuple[int, int], list[Box]] = defaultdict(list)

    @staticmethod
    def _keys(box: Box) -> list[tuple[int, int]]:
        """The buckets ``box`` touches."""
        x0, y0, x1, y1 = box
        return [(i, j) for i in range(int(x0 // _BUCKET), int(x1 // _BUCKET) + 1)
                for j in range(int(y0 // _BUCKET), int(y1 // _BUCKET) + 1)]

    def add(self, box: Box) -> None:
        """Remember ``box``."""
        for key in self._keys(box):
            self._cells[key].append(box)

    def hits(self, box: Box) -> bool:
        """Whether ``box`` overlaps any remembered box."""
        x0, y0, x1, y1 = box
        for key in self._keys(box):
            for a0, b0, a1, b1 in self._cells.get(key, ()):
                if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return True
        return False


def label_size(label: str) -> tuple[float, float]:
    """Width and height reserved for a branch label as drawn (a little padding included).

    The label is wrapped and perhaps cut as :func:`servicemap.text.branch_label` says.

    >>> label_size("yes")[1], label_size("y" * 60_000)[1]
    (15.0, 41.0)
    """
    lines = branch_label(label).lines
    return max(map(text_width, lines)) + 6, LINE_HEIGHT * len(lines) + 2


def place_label(route: Sequence[Point], label: str, source: NodeBox, obstacles: Obstacles,
                bounds: Box) -> Point:
    """A label centre next to ``route`` near its start, overlapping no obstacle.

    Tries above and below the first segment (just clear of the source box),
    then beside the following three segments, then further above and below,
    then further right and left; the chosen box is added to ``obstacles`` so
    later labels avoid it.

    Args:
        route: The route's points, from its source.
        label: The branch label.
        source: The box of the step the route leaves.
        obstacles: What the label must not cover; the label's box is added.
        bounds: ``(left, top, right, bottom)`` the label must stay within.

    Returns:
        The label's centre (the first candidate if every spot is taken).

    Example:
        >>> obstacles, source = Obstacles(), NodeBox("d", 0, 0, 20, 10)
        >>> route = [(10.0, 0.0), (90.0, 0.0)]
        >>> [place_label(route, "yes", source, obstacles, (0, -50, 200, 50))[1] for _ in "ab"]
        [-8.5, 8.5]
    """
    w, h = label_size(label)
    candidates: list[Point] = []
    for n, ((x0, y0), (x1, y1)) in enumerate(itertools.pairwise(route)):
        if y0 == y1:  # horizontal: above, then below, stepping along it
            direction = 1.0 if x1 >= x0 else -1.0
            start = max(x0, source.right) if direction > 0 and n == 0 else x0
            length = abs(x1 - start)
            for k in range(max(1, min(4, int(length // (w + 4)) + 1))):
                mid = start + direction * (4 + w / 2 + k * (w + 4))
                candidates += [(mid, y0 - h / 2 - 1), (mid, y0 + h / 2 + 1)]
        else:  # vertical: right, then left of it
            step = h + 2 if y1 > y0 else -h - 2
            for k in range(1, max(2, min(4, int(abs(y1 - y0) // abs(step)) + 1))):
                yk = y0 + step * (k - 0.5)
                candidates += [(x0 + w / 2 + 3, yk), (x0 - w / 2 - 3, yk)]
        if n >= 3:
            break
    first = candidates[0]
    for k in range(1, 25):  # last resort: further above and below the first spot
        candidates += [(first[0], first[1] - k * h), (first[0], first[1] + k * h)]
    # Then in columns further right and left of it, made only if needed.
    further = ((first[0] + dx, first[1] + k * h) for m in range(1, 7)
               for dx in (m * (w + 4), -m * (w + 4)) for k in range(-24, 25))
    left, top, right, bottom = bounds
    for cx, cy in itertools.chain(candidates, further):
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if box[0] < left or box[1] < top or box[2] > right or box[3] > bottom:
            continue
        if not obstacles.hits(box):
            obstacles.add(box)
            return (cx, cy)
    return first
