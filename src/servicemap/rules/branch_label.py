"""SM202 branch-label: a branch without a label, or two branches of one decision with one label.

Why it matters: the label is how a reader tells the branches apart ("yes",
"no", "not in stock").

Failing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: received, label: yes}
          - {to: notice, label: yes}              # SM202: same label twice
      - {id: notice, kind: document, next: received}
      - {id: received, kind: terminator}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: received, label: yes}
          - {to: notice, label: no}
      - {id: notice, kind: document, next: received}
      - {id: received, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from .base import Context, Finding

__all__ = ["check"]

ID = "SM202"
NAME = "branch-label"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield findings for unlabelled and duplicate-labelled branches."""
    branches = ctx.branches
    if (None not in branches.label and all(map(str.strip, cast("list[str]", branches.label)))
            and branches.labels_distinct):
        return  # every branch has a label of its own in its decision
    for step in ctx.decisions:
        labels = [br.label for br in step.next]
        if None not in labels and len(set(labels)) == len(labels) and all(
            map(str.strip, labels)  # type: ignore[arg-type]  # None is ruled out
        ):
            continue  # every branch has its own non-blank label
        seen: set[str] = set()
        for j, br in enumerate(step.next):
            if br.label is None or not br.label.strip():
                yield Finding(f"branch {j + 1} of decision '{step.id}' (to '{br.to}') has no "
                              "label", step.id, ctx.step_path(step.id, "next", j))
            elif br.label in seen:
                yield Finding(f"decision '{step.id}' has two branches labelled '{br.label}'",
                              step.id, ctx.step_path(step.id, "next", j, "label"))
            else:
                seen.add(br.label)
