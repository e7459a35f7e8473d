"""SM108 self-loop: a step whose ``next`` is itself.

A step that flows straight back into itself usually means "repeat until
done" — which is a decision the map should show.

Why it matters: the loop has no stated condition, so analysis cannot know
how often it runs.

Failing example::

    - {id: call, kind: task, next: call}          # SM108

Passing example::

    - {id: call, kind: task, next: answered}
    - id: answered
      kind: decision
      next:
        - {to: call, label: no answer, probability: 0.3}
        - {to: talk, label: answered, probability: 0.7}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM108"
NAME = "self-loop"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step that names itself in ``next``."""
    for step in ctx.blueprint.steps:
        targets = step.targets()
        if step.id in targets:
            j = targets.index(step.id)
            yield Finding(f"step '{step.id}' flows back into itself: show the repeat "
                          "condition with a decision", step.id,
                          ctx.step_path(step.id, "next", j))
