"""SM303 long-text: a label too long to draw, which the drawing cuts short.

A step shows at most six lines of its label (wrapped at the step's width), a
connector four characters, a branch label three lines next to its flow line,
a lane or phase header 200 characters of its title. Longer text is cut with
an ellipsis; the whole text stays in the tooltip of the SVG. The rule
measures text as the drawing does, so it fires exactly where the drawing
cuts.

Why it matters: a label is read at a glance on the blueprint; detail belongs
in ``notes`` or ``evidence``. Cut text can hide the very words that tell two
steps apart, and only hovering in an SVG shows the rest.

Failing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: check}
      - id: check
        kind: task
        label: >-                    # SM303: the drawing shows six lines of it
          Checks the delivery address against the postcode register, the
          notes the customer left and the courier's last three attempts,
          then books a new slot and tells the customer the day and the hour
          to expect the parcel, by text message and by e-mail
        next: received
      - {id: received, kind: terminator}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: check}
      - id: check
        kind: task
        label: Checks the address and books a slot
        notes: >-
          Checks the delivery address against the postcode register, the
          notes the customer left and the courier's last three attempts,
          then books a new slot and tells the customer the day and the hour
          to expect the parcel, by text message and by e-mail
        next: received
      - {id: received, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Decision, Lane, Phase
from ..text import (
    BRANCH_LINES,
    CONNECTOR_CHARS,
    STEP_LINES,
    TITLE_CHARS,
    branch_label,
    clip,
    step_label,
)
from .base import Context, Finding

__all__ = ["check"]

ID = "SM303"
NAME = "long-text"
LEVEL = "warning"

_TOOLTIP = "the whole text is in the tooltip"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding per step, branch, lane and phase whose text the drawing cuts.

    Linear in the text read: a label is read only as far as it is drawn.
    """
    bp = ctx.blueprint
    headers: list[tuple[str, int, Lane | Phase]] = [
        *(("lane", i, lane) for i, lane in enumerate(bp.lanes)),
        *(("phase", i, phase) for i, phase in enumerate(bp.phases))]
    for kind, i, item in headers:
        if clip(item.title) != item.title:
            key = "label" if item.label is not None else "id"
            yield Finding(f"the title of {kind} '{item.id}' is longer than {TITLE_CHARS} "
                          f"characters: its header shows the first {TITLE_CHARS} "
                          f"({_TOOLTIP})", None, (f"{kind}s", i, key))
    for i, step in enumerate(bp.steps):
        if step_label(step.kind, step.title).cut:
            key = "label" if step.label is not None else "id"
            if step.kind == "connector":
                shown = f"its first {CONNECTOR_CHARS - 1} characters"
            else:
                shown = f"{STEP_LINES} lines of it"
            yield Finding(f"the {key} of step '{step.id}' is too long to draw: the drawing shows "
                          f"{shown} ({_TOOLTIP}); shorten it and put the detail in notes",
                          step.id, ("steps", i, key))
        if isinstance(step, Decision):
            for j, branch in enumerate(step.next):
                if branch.label is not None and branch_label(branch.label).cut:
                    yield Finding(f"the label of branch {j + 1} of decision '{step.id}' (to "
                                  f"'{branch.to}') is too long to draw: the drawing shows "
                                  f"{BRANCH_LINES} lines of it ({_TOOLTIP}); shorten it",
                                  step.id, ("steps", i, "next", j, "label"))
