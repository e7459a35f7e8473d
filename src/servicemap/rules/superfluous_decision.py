"""SM204 superfluous-decision: a decision all of whose branches go to the same step.

Why it matters: whatever is decided, the case goes on the same way — the
decision adds a symbol and nothing else (or a branch points at the wrong step).

Failing example::

    - id: check
      kind: decision
      next:
        - {to: ship, label: ok}
        - {to: ship, label: not ok}               # SM204

Passing example::

    - id: check
      kind: decision
      next:
        - {to: ship, label: ok}
        - {to: repack, label: not ok}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM204"
NAME = "superfluous-decision"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each decision whose branches all lead to one step."""
    for step in ctx.decisions:
        if len(step.next) >= 2:
            targets = {b.to for b in step.next}
            if len(targets) == 1:
                yield Finding(f"every branch of decision '{step.id}' goes to "
                              f"'{step.next[0].to}': the decision changes nothing",
                              step.id, ctx.step_path(step.id, "next"))
