"""SM108 self-loop: a step whose ``next`` is itself.

A step that flows straight back into itself repeats without saying what
happens between two tries. Straight back means that its ``next`` names the
step itself, or a connector whose flow continues at the step (a pair of
connectors on the way back is no step in between). On a decision, a branch back to the decision
itself asks the same question again at once: the wait, the reminder or the
second attempt between the tries is missing. (A step of another kind has one
``next``; if that names the step itself, its cases are also trapped, which
SM105 reports as well.)

Why it matters: the time and work between two tries are missing from the
map, so the lead time and cost that analysis computes leave them out.

Failing example::

    name: Call-back
    steps:
      - {id: request, kind: terminator, next: answers}
      - id: answers
        kind: decision
        label: Customer answers?
        next:
          - {to: answers, label: no answer}       # SM108: asked again at once
          - {to: done, label: answered}
      - {id: done, kind: terminator}

Passing example::

    name: Call-back
    steps:
      - {id: request, kind: terminator, next: call}
      - {id: call, kind: task, label: Calls the customer, next: answers}
      - id: answers
        kind: decision
        label: Customer answers?
        next:
          - {to: later, label: no answer}
          - {to: done, label: answered}
      - {id: later, kind: delay, label: Waits an hour, duration: 1h, next: call}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Decision
from .base import Context, Finding

__all__ = ["check"]

ID = "SM108"
NAME = "self-loop"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield a finding for each step whose flow leads straight back to it.

    Straight back means ``next`` names the step itself, or a connector whose
    flow continues at the step (connector loops that reach no step are SM105's).

    Complexity: O(V + E).
    """
    g = ctx.graph
    for step in ctx.blueprint.steps:
        targets = step.targets()
        if step.id in targets:
            j, via = targets.index(step.id), ""
        elif (step.kind != "connector" and g.steps.get(step.id) is step
              and step.id in g.succ[step.id]):
            back = next(f for f in g.flows[step.id] if f.target == step.id)
            j = back.index
            via = f" through connector{'s' if len(back.via) > 1 else ''} " + ", ".join(
                f"'{c}'" for c in back.via)
        else:
            continue
        if isinstance(step, Decision):
            label = step.next[j].label
            branch = f"'{label}'" if label else str(j + 1)
            message = (f"branch {branch} of decision '{step.id}' leads straight back to it"
                       f"{via}: show what happens before it is decided again (a task or a "
                       "delay)")
        else:
            message = (f"step '{step.id}' flows back into itself{via}: show the repeat "
                       "condition with a decision")
        yield Finding(message, step.id, ctx.step_path(step.id, "next", j))
