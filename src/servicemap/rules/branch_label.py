"""SM202 branch-label: a branch without a label, or two branches of one decision with one label.

Why it matters: the label is how a reader tells the branches apart ("yes",
"no", "not in stock").

Failing example::

    - id: reached
      kind: decision
      next:
        - {to: deliver, label: yes}
        - {to: notice, label: yes}                # SM202: same label twice

Passing example::

    - id: reached
      kind: decision
      next:
        - {to: deliver, label: yes}
        - {to: notice, label: no}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Decision
from .base import Context, Finding

__all__ = ["check"]

ID = "SM202"
NAME = "branch-label"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield findings for unlabelled and duplicate-labelled branches."""
    for step in ctx.blueprint.steps:
        if not isinstance(step, Decision):
            continue
        seen: set[str] = set()
        for j, b in enumerate(step.next):
            if b.label is None or not b.label.strip():
                yield Finding(f"branch {j + 1} of decision '{step.id}' (to '{b.to}') has no "
                              "label", step.id, ctx.step_path(step.id, "next", j))
            elif b.label in seen:
                yield Finding(f"decision '{step.id}' has two branches labelled '{b.label}'",
                              step.id, ctx.step_path(step.id, "next", j, "label"))
            else:
                seen.add(b.label)
