"""SM203 branch-probability: probabilities on some branches only, or not summing to 1.

Probabilities are given on all branches of a decision or on none (then
analysis splits evenly). Given ones must sum to 1 within 1e-6. A single
probability outside [0, 1] is refused while the map loads (SM002).

Why it matters: visits, lead time and success probability are computed from
them; 0.5 + 0.6 creates cases out of nothing.

Failing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: received, label: yes, probability: 0.5}   # SM203: sums to 1.1
          - {to: notice, label: no, probability: 0.6}
      - {id: notice, kind: document, next: received}
      - {id: received, kind: terminator}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: reached}
      - id: reached
        kind: decision
        next:
          - {to: received, label: yes, probability: 93%}
          - {to: notice, label: no, probability: 7%}
      - {id: notice, kind: document, next: received}
      - {id: received, kind: terminator}
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Iterator
from typing import cast

from ..model import Branch
from .base import Context, Finding

__all__ = ["check"]

ID = "SM203"
NAME = "branch-probability"
LEVEL = "error"
TOLERANCE = 1e-6


def _all_fine(ctx: Context) -> bool:
    """Whether no decision gives a probability, or every one gives them all in range,
    summing to 1 (then there is nothing to report), tested on all branches at once."""
    b = ctx.branches
    probs = b.probability
    if probs.count(None) == len(probs):
        return True
    if None in probs or 0 in b.count:
        return False
    given = cast("list[float]", probs)
    # A nan passes neither test of a single probability, nor min/max always; it makes the
    # sum nan. Once all are in [0, 1] or nan, there is no infinity for fsum to trip on.
    if not (min(given) >= 0.0 and max(given) <= 1.0) or math.isnan(math.fsum(given)):
        return False
    if b.pairs:  # the fsum of two floats is their (correctly rounded) sum
        sums: Iterator[float] = map(operator.add, given[0::2], given[1::2])
    else:
        ends = list(itertools.accumulate(b.count))
        starts = [0, *ends[:-1]]
        sums = map(math.fsum, map(given.__getitem__, map(slice, starts, ends)))
    return all(map(functools.partial(math.isclose, b=1.0, abs_tol=TOLERANCE), sums))


def _name(branch: Branch) -> str:
    """A branch as messages name it: its label, or where it goes if it has none."""
    return (branch.label or "").strip() or branch.to


def check(ctx: Context) -> Iterator[Finding]:
    """Yield findings for out-of-range, partial and non-unit probabilities."""
    if _all_fine(ctx):
        return
    for step in ctx.decisions:
        if not step.next:
            continue
        probs = [b.probability for b in step.next]
        given = [p for p in probs if p is not None]
        for j, p in enumerate(probs):  # loading refuses these; a model_construct'ed map may not
            if p is not None and not (0.0 <= p <= 1.0):
                b = step.next[j]
                yield Finding(f"probability {p:g} of branch '{_name(b)}' is outside "
                              "[0, 1]", step.id, ctx.step_path(step.id, "next", j,
                                                                "probability"))
        if given and len(given) < len(step.next):
            missing = [_name(b) for b in step.next if b.probability is None]
            yield Finding(f"decision '{step.id}' gives probabilities on some branches only "
                          f"(missing on {', '.join(repr(m) for m in missing)}): give them on "
                          "all branches or none", step.id, ctx.step_path(step.id, "next"))
        elif given and not math.isclose(math.fsum(given), 1.0, abs_tol=TOLERANCE):
            yield Finding(f"branch probabilities of decision '{step.id}' sum to "
                          f"{math.fsum(given):.10g}, not 1", step.id,
                          ctx.step_path(step.id, "next"))
