"""The time a render may take, checked in the loops of the layout and of the DOT building."""

from __future__ import annotations

import math
import time

from ..problems import RenderError

__all__ = ["Deadline"]


class Deadline:
    """A point in time after which rendering stops with a :class:`RenderError`.

    :func:`servicemap.render` makes one from its ``timeout`` and passes it to
    the layout, to the DOT building and (as the time left) to Graphviz, so the
    whole render, not only Graphviz, is bounded. The loops over steps and
    flow lines call :meth:`check`; a check is one clock reading.

    Example:
        >>> Deadline(None).check()  # never expires
        >>> Deadline(0).check("laying out the map")
        Traceback (most recent call last):
        ...
        servicemap.problems.RenderError: rendering the map took longer than 0 s and was \
stopped while laying out the map; the map may be too large for this timeout
    """

    __slots__ = ("_end", "seconds")

    def __init__(self, seconds: float | None) -> None:
        """A deadline ``seconds`` from now (``None``: none at all)."""
        self.seconds = seconds
        self._end = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (``inf`` without a deadline, 0 once it has passed)."""
        return max(0.0, self._end - time.monotonic())

    def check(self, doing: str = "drawing the map") -> None:
        """Raise :class:`RenderError` if the deadline has passed.

        Args:
            doing: What was being done, for the message.

        Raises:
            RenderError: ``rendering the map took longer than N s ...``.
        """
        if time.monotonic() >= self._end:
            raise RenderError(
                f"rendering the map took longer than {self.seconds:g} s and was stopped "
                f"while {doing}; the map may be too large for this timeout"
            )
