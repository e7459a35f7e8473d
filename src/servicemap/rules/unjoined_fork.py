"""SM113 unjoined-fork: the branches of a fork end at different ends without a join.

A fork whose branches never meet again runs each of them to its own end. BPMN
allows it (a case is over once every branch has ended), but a workflow net
needs one end per case: the case reaches one end while another branch still
runs, and which end says how the case ended is unclear. The warning names
the ends and the path that reaches them.

Why it matters: reports that count cases by their end count such a case once
per branch; if the branches are meant to finish together, add a join.

Failing example::

    name: Order
    steps:
      - {id: ordered, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [ship, bill]}   # SM113: ends 'shipped' and 'billed'
      - {id: ship, kind: task, next: shipped}
      - {id: bill, kind: task, next: billed}
      - {id: shipped, kind: terminator}
      - {id: billed, kind: terminator}

Passing example::

    name: Order
    steps:
      - {id: ordered, kind: terminator, next: split}
      - {id: split, kind: parallel, next: [ship, bill]}
      - {id: ship, kind: task, next: both}
      - {id: bill, kind: task, next: both}
      - {id: both, kind: parallel, next: done}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..flow.soundness import path_text
from .base import Context, Finding

__all__ = ["check"]

ID = "SM113"
NAME = "unjoined-fork"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one warning per fork whose branches end at different ends.

    Complexity: O(V + E) for properly nested maps, else the states explored.
    """
    for issue in ctx.soundness.issues:
        if issue.kind != "unjoined":
            continue
        ends = ", ".join(f"'{e}'" for e in issue.ends)
        yield Finding(
            f"the branches of fork '{issue.step}' end apart, at {ends}, without a join "
            f"(after {path_text(issue.path)}): one case reaches several ends; join the "
            "branches before one end if the case should end once",
            issue.step, ctx.step_path(issue.step))
