"""What an analysis assumed or could not compute, in words for a person."""

from __future__ import annotations

import numpy as np

from .chain import FlowChain
from .failures import percent
from .metrics import Metrics, unbounded_reason
from .variability import GGC_METHOD

__all__ = ["MAX_NAMED", "PRECISE_RUNS", "TOO_LARGE", "named", "notes_of"]

MAX_NAMED = 5
"""How many steps a note names before it says "and k more"."""


def named(ids: list[str]) -> str:
    """Step ids for a note: the first :data:`MAX_NAMED`, quoted, and how many more.

    >>> named(["a", "b"]), named([str(i) for i in range(7)])
    ("'a', 'b'", "'0', '1', '2', '3', '4' and 2 more")
    """
    shown = ", ".join(repr(i) for i in ids[:MAX_NAMED])
    return shown + (f" and {len(ids) - MAX_NAMED} more" if len(ids) > MAX_NAMED else "")


def notes_of(chain: FlowChain, m: Metrics) -> list[str]:
    """The notes of an analysis: the chain's own, then even splits, data and capacity.

    Notes:
        O(n).
    """
    return [*chain.notes, *_split_notes(chain), *_data_notes(m), *_capacity_notes(chain, m),
            *_overflow_notes(m), *_precision_notes(m), *_parallel_notes(m)]


def _parallel_notes(m: Metrics) -> list[str]:
    """What parallel work changes: the lead time, the ratio, the shares."""
    if m.parallel is None:
        return []
    notes = [f"parallel work: every branch of a fork runs, so the process time, cost and "
             f"loads add every branch, while the lead time takes each fork's longest branch "
             f"({m.parallel.method}); the activity ratio can exceed 100% and the time "
             "traps' shares are of the steps' summed time"]
    return notes


PRECISE_RUNS = 4.5e9
"""Expected steps per case above which the visits may be off by more than 1e-6 relative.

The sparse solve of ``v = s + Pᵀv`` is backward stable, so its relative error is
about the machine epsilon (2.2e-16) times the condition number of ``I - Pᵀ``,
which is about the number of steps a case runs (the column sums of the
fundamental matrix). One loop left with probability 1e-9 (the least SM105
lets pass) makes a billion runs, 2e-7; loops nested inside each other multiply.
"""


def _precision_notes(m: Metrics) -> list[str]:
    """A warning where round-off may have spoiled the visits (see :data:`PRECISE_RUNS`)."""
    runs = float(np.sum(m.visits))
    if not runs > PRECISE_RUNS:
        return []
    error = runs * np.finfo(np.float64).eps
    how = "are not reliable" if error >= 0.1 else f"may be off by {error:.0e} (relative)"
    return [f"a case runs {runs:.2g} steps on average (loops left only rarely, one inside "
            f"another): the visits and every number computed from them {how}, as round-off "
            "grows with the number of runs"]


TOO_LARGE = "beyond the largest number a float holds (about 1.8e308)"
"""Why a value that overflowed is reported as unknown (``null`` in JSON)."""


def _overflow_notes(m: Metrics) -> list[str]:
    """Which values are unknown because they are beyond the float range, and why."""
    notes = []
    if m.overflow:
        names = ", ".join(m.overflow)
        verb = "is" if len(m.overflow) == 1 else "are"
        notes.append(f"{names} {verb} {TOO_LARGE}: reported as unknown (null)")
    for what, ids in m.overflow_steps.items():
        extra = ": overloaded" if what == "utilisation" else ""
        notes.append(f"the {what} of step(s) {named(ids)} is {TOO_LARGE}: reported as "
                     f"unknown (null){extra}")
    return notes


def _split_notes(chain: FlowChain) -> list[str]:
    split = chain.even_split
    if not split:
        return []
    if len(split) == 1:
        return [f"decision {split[0]!r} has no probabilities: split evenly"]
    return [f"{len(split)} decisions have no probabilities: split evenly ({named(split)})"]


def _data_notes(m: Metrics) -> list[str]:
    notes = []
    if m.process.value is None and "process time per case" not in m.overflow:
        notes.append("no step has a duration: no process time")
    if m.unbounded:
        notes.append(f"lead time per case is unbounded: {unbounded_reason(m)}; so are the "
                     "activity ratio and the time traps (add capacity or lower the arrivals)")
    elif m.lead.value is None and "lead time per case" not in m.overflow:
        notes.append("no step has a wait or a duration: no lead time")
    partial = [k for k, metric in (("process time", m.process), ("lead time", m.lead),
                                   ("cost", m.cost))
               if metric.value is not None and not metric.complete]
    if partial:
        notes.append(f"{', '.join(partial)} count steps without data as 0: lower bounds "
                     "(see coverage)")
    if m.accuracy.value is not None and not m.accuracy.complete:
        notes.append("steps without an accuracy count as 100% accurate")
    return notes


def _capacity_notes(chain: FlowChain, m: Metrics) -> list[str]:
    constrained = ~np.isnan(chain.capacity)
    if not constrained.any():
        return ["no step has a capacity: no bottleneck"]
    notes = []
    no_pt = [chain.nodes[i] for i in np.flatnonzero(constrained & np.isnan(m.pt)).tolist()]
    if no_pt:
        notes.append(f"step(s) {named(no_pt)} have a capacity but no duration: no load")
    if m.arrivals_per_h is None:
        notes.append("no arrivals given: no utilisation or queue waits")
        return notes
    if m.queue_method == GGC_METHOD:
        notes.append("queue waits by the Allen–Cunneen G/G/c approximation, with the "
                     "variability of arrivals propagated along the flow (QNA): an "
                     "approximation, see docs/analysis.md for its error")
    else:
        notes.append("queue waits assume random arrivals and service times (M/M/c)")
    over = [b for b in m.bottlenecks if b.overloaded]
    for row in over[:MAX_NAMED]:
        how = "too large to show" if row.utilisation is None else percent(row.utilisation)
        notes.append(f"step {row.step!r} is overloaded (utilisation {how}): its queue grows "
                     "without bound")
    if len(over) > MAX_NAMED:
        notes.append(f"{len(over) - MAX_NAMED} more steps are overloaded")
    return notes
