"""SM203 branch-probability: probabilities out of [0, 1], partial, or not summing to 1.

Probabilities are given on all branches of a decision or on none (then
analysis splits evenly). Given ones must lie in [0, 1] and sum to 1 within
1e-6.

Why it matters: visits, lead time and success probability are computed from
them; 0.5 + 0.6 creates cases out of nothing.

Failing example::

    next:
      - {to: deliver, label: yes, probability: 0.5}
      - {to: notice, label: no, probability: 0.6}     # SM203: sums to 1.1

Passing example::

    next:
      - {to: deliver, label: yes, probability: 93%}
      - {to: notice, label: no, probability: 7%}
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..model import Decision
from .base import Context, Finding

__all__ = ["check"]

ID = "SM203"
NAME = "branch-probability"
LEVEL = "error"
TOLERANCE = 1e-6


def check(ctx: Context) -> Iterator[Finding]:
    """Yield findings for out-of-range, partial and non-unit probabilities."""
    for step in ctx.blueprint.steps:
        if not isinstance(step, Decision) or not step.next:
            continue
        given = [b.probability for b in step.next if b.probability is not None]
        for j, b in enumerate(step.next):
            p = b.probability
            if p is not None and not (0.0 <= p <= 1.0):
                yield Finding(f"probability {p:g} of branch '{b.label or b.to}' is outside "
                              "[0, 1]", step.id, ctx.step_path(step.id, "next", j,
                                                                "probability"))
        if given and len(given) < len(step.next):
            missing = [b.label or b.to for b in step.next if b.probability is None]
            yield Finding(f"decision '{step.id}' gives probabilities on some branches only "
                          f"(missing on {', '.join(repr(m) for m in missing)}): give them on "
                          "all branches or none", step.id, ctx.step_path(step.id, "next"))
        elif given and not math.isclose(math.fsum(given), 1.0, abs_tol=TOLERANCE):
            yield Finding(f"branch probabilities of decision '{step.id}' sum to "
                          f"{math.fsum(given):.6g}, not 1", step.id,
                          ctx.step_path(step.id, "next"))
