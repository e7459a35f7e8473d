"""SM105 no-way-out: steps from which no end can be reached (a trap or endless loop).

van der Aalst's *option to complete*: from every step, some path must lead to
an end. A rework loop whose every branch leads back into the loop traps its
cases forever. Reported once per trapped region (steps joined by flow lines),
naming its steps. Steps that are stuck only because some path from them runs
into a dead end (SM103) or into a connector that leads nowhere (SM110) are left
to those rules, loops among them included: once the dead end has a ``next``,
they may well reach an end.

The flow is read with connectors passed through, so two more traps count:

- **Connectors that lead only to each other.** Connector A's flow continues
  at connector B, and B's back at A (or a connector leads to itself): a case
  that enters either label goes round for ever. The problem names the
  connectors of the loop and points at the ``next`` that closes it.
- **Only a negligible way out.** A loop whose only ways out are branches of
  probability 1e-9 or less (``probability: 0``, say, with the branch back
  into the loop at 1) traps its cases as surely: a case would go round a
  billion times or more on average, and ``analyze`` cannot give numbers for
  it. The problem names the loop's steps and points at the probability of
  its way out; give that branch a realistic probability.

With parallel work (``parallel`` steps), a token waiting at a join is not
trapped: it goes on once the join's other flows arrive. A branch of a fork
caught in a loop is reported here, and its join, which then waits for ever,
is not reported again as a deadlock; a join that can never fire although
every branch can leave its loops (a join after a decision, or one waiting
for a flow from after itself) is rule SM111's.

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

from ..flow.markov import NEGLIGIBLE, trapped
from .base import Context, Finding

__all__ = ["check"]

ID = "SM105"
NAME = "no-way-out"
LEVEL = "error"


def _regions(succ: dict[str, list[str]], pred: dict[str, list[str]],
             trapped: list[str]) -> list[list[str]]:
    """The trapped steps grouped by flow lines between them (either way), unsorted."""
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


def check(ctx: Context) -> Iterator[Finding]:
    """Yield one finding per region of steps from which every path loops forever.

    Complexity: O(V + E).
    """
    g = ctx.graph
    if not g.ends():
        return  # SM102 says it
    yield from _negligible_ways_out(ctx)
    alive = ctx.to_ends
    if len(alive) == len(g.steps):  # every step reaches an end (alive holds steps only)
        return
    # Steps without outgoing flow that are not ends: dead ends, or steps whose flow
    # runs into a connector that leads nowhere. Whatever reaches one is not trapped.
    stuck = [sid for sid in g.steps if sid not in alive and not g.succ[sid]]
    can_stop = g.reachable([*g.ends(), *stuck], reverse=True) if stuck else alive
    # Every trapped step has a successor, and all of them are trapped: each region loops.
    trapped = [sid for sid in g.steps if sid not in can_stop]
    order = {sid: i for i, sid in enumerate(trapped)}  # map order
    for region in _regions(g.succ, g.pred, trapped):
        region.sort(key=order.__getitem__)
        names = ", ".join(f"'{s}'" for s in region[:10])
        more = f" and {len(region) - 10} more" if len(region) > 10 else ""
        loops = [sid for sid in region if sid in g.connector_loops]
        if loops:  # connectors that lead only to each other: point at where the loop closes
            ring = g.connector_loops[loops[0]]
            how = (f"connector '{ring[0]}' leads to itself" if len(ring) == 1 else
                   "connectors " + " -> ".join(f"'{c}'" for c in (*ring, ring[0]))
                   + " lead only to each other")
            fix = "let it lead to a step" if len(ring) == 1 else "let one of them lead to a step"
            yield Finding(
                f"no end can be reached from steps {names}{more}: {how}, a loop with no way "
                f"out; {fix}",
                loops[0], ctx.step_path(loops[0], "next", 0),
            )
            continue
        first = region[0]
        yield Finding(
            f"no end can be reached from steps {names}{more}: a loop with no way out; "
            "give one of them a branch that leaves the loop",
            first, ctx.step_path(first),
        )


def _negligible_ways_out(ctx: Context) -> Iterator[Finding]:
    """Loops whose only ways out have a probability of ``NEGLIGIBLE`` (1e-9) or less.

    Their cases are trapped as surely (servicemap.flow.markov.trapped): the
    analysis cannot solve the flow. One finding per region, at its first such branch.

    Complexity: O(V + E) where some branch has such a probability, else O(branches).
    """
    if all(p is None or p > NEGLIGIBLE for p in ctx.branches.probability):
        return  # every move is a way out: the loops check() finds are all there are
    g = ctx.graph
    can_stop = g.reachable([sid for sid, out in g.succ.items() if not out], reverse=True)
    steps = [sid for sid in trapped(g) if sid in can_stop]  # the others: check() reports
    order = {sid: i for i, sid in enumerate(steps)}
    for region in _regions(g.succ, g.pred, steps):
        region.sort(key=order.__getitem__)
        inside = set(region)
        exits = [f for sid in region for f in g.flows.get(sid, ())
                 if f.target not in inside and f.probability is not None
                 and not f.probability > NEGLIGIBLE]
        names = ", ".join(f"'{s}'" for s in region[:10])
        more = f" and {len(region) - 10} more" if len(region) > 10 else ""
        ways = " and ".join(f"branch '{f.label or f.target}' of '{f.source}' (probability "
                            f"{f.probability:g})" for f in exits[:3]) or "unlikely moves"
        at = (exits[0].source, ctx.step_path(exits[0].source, "next", exits[0].index,
                                             "probability")) if exits else (
            region[0], ctx.step_path(region[0]))
        yield Finding(
            f"no end can be reached from steps {names}{more} except through {ways}: in "
            "practice a loop with no way out (a case would loop a billion times or more); "
            "give the way out a realistic probability", *at)
