"""SM105 no-way-out: steps from which no end can be reached (a trap or endless loop).

van der Aalst's *option to complete*: from every step, some path must lead to
an end. A rework loop whose every branch leads back into the loop traps its
cases forever. Reported once per trapped region, naming its steps. Steps that
are stuck only because they lead into a dead end are left to SM103.

Why it matters: such a loop passes most flowchart linters (bpmnlint's
recommended rules among them) yet no case caught in it ever finishes.

Failing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: known}
      - id: known
        kind: decision
        next:
          - {to: done, label: known answer}
          - {to: solve, label: new problem}
      - {id: solve, kind: task, next: verify}     # SM105: no end from solve, verify, escalate
      - id: verify
        kind: decision
        next:
          - {to: solve, label: not solved}
          - {to: escalate, label: partly}         # no branch leaves the loop
      - {id: escalate, kind: task, next: solve}
      - {id: done, kind: terminator}

Passing example::

    name: Service desk
    steps:
      - {id: contact, kind: terminator, next: known}
      - id: known
        kind: decision
        next:
          - {to: done, label: known answer}
          - {to: solve, label: new problem}
      - {id: solve, kind: task, next: verify}
      - id: verify
        kind: decision
        next:
          - {to: solve, label: not solved}
          - {to: escalate, label: partly}
          - {to: done, label: solved}
      - {id: escalate, kind: task, next: solve}
      - {id: done, kind: terminator}
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Finding

__all__ = ["check"]

ID = "SM105"
NAME = "no-way-out"
LEVEL = "error"


def _regions(succ: dict[str, list[str]], pred: dict[str, list[str]],
             trapped: list[str]) -> list[list[str]]:
    inside = set(trapped)
    seen: set[str] = set()
    regions = []
    for sid in trapped:
        if sid in seen:
            continue
        seen.add(sid)
        region, stack = [], [sid]
        while stack:
            node = stack.pop()
            region.append(node)
            for nxt in (*succ[node], *pred[node]):
                if nxt in inside and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        regions.append(region)
    return regions


def _has_cycle(region: list[str], succ: dict[str, list[str]]) -> bool:
    inside = set(region)
    indeg = {n: 0 for n in region}
    for n in region:
        for m in succ[n]:
            if m in inside:
                indeg[m] += 1
    queue = [n for n in region if indeg[n] == 0]
    removed = 0
    while queue:
        n = queue.pop()
        removed += 1
        for m in succ[n]:
            if m in inside:
                indeg[m] -= 1
                if indeg[m] == 0:
                    queue.append(m)
    return removed < len(region)


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding per trapped region that contains a loop.

    Complexity: O(V + E).
    """
    g = ctx.graph
    if not g.ends():
        return  # SM102 says it
    alive = ctx.to_ends
    if len(alive) == len(g.steps):  # every step reaches an end (alive holds steps only)
        return
    trapped = [sid for sid in g.steps if sid not in alive and g.succ[sid]]
    order: dict[str, int] = {}
    for region in _regions(g.succ, g.pred, trapped):
        if not _has_cycle(region, g.succ):
            continue
        if not order:
            order = {sid: i for i, sid in enumerate(g.steps)}
        region.sort(key=order.__getitem__)
        names = ", ".join(f"'{s}'" for s in region[:10])
        more = f" and {len(region) - 10} more" if len(region) > 10 else ""
        first = region[0]
        yield Finding(
            f"no end can be reached from steps {names}{more}: a loop with no way out; "
            "give one of them a branch that leaves the loop",
            first, ctx.step_path(first),
        )
