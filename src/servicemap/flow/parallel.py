"""The structure of parallel work: each fork's branches, its matching join and the region tree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .graph import FlowGraph

__all__ = ["ParallelStructure", "parallel_structure"]


@dataclass(frozen=True)
class ParallelStructure:
    """How the forks and joins of a map nest (see :func:`parallel_structure`).

    Attributes:
        forks: Parallel steps with several next steps (in the flow graph), in map order.
        joins: Parallel steps with several incoming flows, in map order.
        join_of: Fork id -> the join that synchronises its branches, for every fork
            whose branches each arrive at one join exactly once (properly nested).
        branches: Fork id -> the first step of each of its branches (its next steps
            in flow order); every fork, matched or not.
        parent: Fork id -> the innermost fork whose branch it lies on (``None`` at
            the top level): the region tree. Forks no start reaches are left out.
        branch_of: Step id -> ``(fork, branch index)`` of the innermost branch the
            step runs on; steps at the top level (outside every fork) are left
            out, and so are steps no start reaches. A fork and its join lie
            outside their own branches (on the enclosing branch).
        nested: Whether the whole map nests properly: every step a start reaches
            runs on exactly one branch, every fork has one join, every join
            synchronises exactly the branches of one fork (one flow from each)
            and ends lie outside every fork. Only then do ``join_of`` and
            ``branch_of`` describe every fork and step; a properly nested map
            without dead ends or endless loops is sound (see
            :mod:`servicemap.flow.soundness`).
        conflicts: Steps where the map stops nesting properly (for messages), in
            the order found.
    """

    forks: tuple[str, ...]
    joins: tuple[str, ...]
    join_of: Mapping[str, str]
    branches: Mapping[str, tuple[str, ...]]
    parent: Mapping[str, str | None]
    branch_of: Mapping[str, tuple[str, int]]
    nested: bool
    conflicts: tuple[str, ...] = field(default=())


@dataclass
class _Contexts:
    """Interned branch contexts: 0 is the top level; each other is (parent, fork, branch)."""

    parent: list[int] = field(default_factory=lambda: [0])
    fork: list[str | None] = field(default_factory=lambda: [None])
    branch: list[int] = field(default_factory=lambda: [0])
    ids: dict[tuple[int, str, int], int] = field(default_factory=dict)

    def child(self, ctx: int, fork: str, branch: int) -> int:
        key = (ctx, fork, branch)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.parent)
            self.parent.append(ctx)
            self.fork.append(fork)
            self.branch.append(branch)
        return found


def _label(g: FlowGraph, fork_set: set[str], join_set: set[str], cx: _Contexts,
           ) -> tuple[dict[str, int], dict[str, dict[str, int]], list[str]]:
    """The branch context of every step a start reaches, the context each join input
    arrives in, and the steps reached in two contexts (worklist, O(V + E))."""
    ctx: dict[str, int] = dict.fromkeys(g.starts(), 0)
    join_in: dict[str, dict[str, int]] = {}
    conflicts: list[str] = []
    stack = list(ctx)
    succ = g.succ
    while stack:
        v = stack.pop()
        c = ctx[v]
        fork = v in fork_set
        for i, w in enumerate(succ[v]):
            cw = cx.child(c, v, i) if fork else c
            if w in join_set:
                inputs = join_in.setdefault(w, {})
                if inputs.setdefault(v, cw) != cw:
                    conflicts.append(w)
                cw = cx.parent[cw]  # a join leads back out of its fork's branches
            old = ctx.get(w)
            if old is None:
                ctx[w] = cw
                stack.append(w)
            elif old != cw:
                conflicts.append(w)
    return ctx, join_in, conflicts


def _match_joins(g: FlowGraph, join_in: dict[str, dict[str, int]],
                 cx: _Contexts) -> tuple[dict[str, str], list[str]]:
    """Each fork's join: a join whose every incoming flow comes from a different
    branch of one fork, covering them all; the joins that are not, and forks with
    two such joins."""
    join_of: dict[str, str] = {}
    bad: list[str] = []
    twice: set[str] = set()
    for j, inputs in join_in.items():
        contexts = list(inputs.values())
        fork = cx.fork[contexts[0]]
        outer = cx.parent[contexts[0]]
        branches = {cx.branch[c] for c in contexts}
        matched = (fork is not None and len(inputs) == len(g.pred[j])
                   and len(branches) == len(contexts) == len(g.succ[fork])
                   and all(cx.fork[c] == fork and cx.parent[c] == outer for c in contexts))
        if not matched or fork is None:
            bad.append(j)
        elif join_of.setdefault(fork, j) != j:  # a second join for one fork
            bad += [join_of[fork], j]
            twice.add(fork)
    for fork in twice:
        del join_of[fork]
    return join_of, bad


def parallel_structure(g: FlowGraph) -> ParallelStructure:
    """The forks and joins of a flow graph, how they nest and which join ends each fork.

    Walks the flow once from the starts, giving every step the branch it runs
    on: a fork's i-th next step runs on the fork's branch i (inside the branch
    the fork itself runs on), a join's next steps on the branch its fork runs
    on, any other step's next steps on its own. A step reached on two
    different branches (two branches meeting at a step that is not a join, or a
    flow back into a branch from outside) makes the map not properly nested.

    Args:
        g: The map's flow graph (:func:`servicemap.flow.graph.flow_graph`).

    Returns:
        The :class:`ParallelStructure`.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.flow import flow_graph
        >>> p = parallel_structure(flow_graph(loads('''
        ... name: c
        ... steps:
        ...   - {id: s, kind: terminator, next: split}
        ...   - {id: split, kind: parallel, next: [a, b]}
        ...   - {id: a, kind: task, next: both}
        ...   - {id: b, kind: task, next: both}
        ...   - {id: both, kind: parallel, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')))
        >>> p.join_of, p.branches, p.nested
        ({'split': 'both'}, {'split': ('a', 'b')}, True)
        >>> p.branch_of
        {'a': ('split', 0), 'b': ('split', 1)}

    Notes:
        Complexity: O(V + E) for V steps and E flow lines.
    """
    steps, succ, pred = g.steps, g.succ, g.pred
    parallel = [sid for sid, s in steps.items() if s.kind == "parallel"]
    forks = tuple(sid for sid in parallel if len(succ[sid]) > 1)
    joins = tuple(sid for sid in parallel if len(pred[sid]) > 1)
    branches = {f: tuple(succ[f]) for f in forks}
    if not forks and not joins:
        return ParallelStructure((), (), {}, {}, {}, {}, nested=True)
    cx = _Contexts()
    ctx, join_in, conflicts = _label(g, set(forks), set(joins), cx)
    join_of, bad = _match_joins(g, join_in, cx)
    problems = list(dict.fromkeys(conflicts))
    problems += [j for j in bad if j not in problems]
    problems += [f for f in forks if f in ctx and f not in join_of]
    problems += [e for e in g.ends() if ctx.get(e, 0) != 0]
    fork_of = cx.fork
    return ParallelStructure(
        forks=forks,
        joins=joins,
        join_of={f: join_of[f] for f in forks if f in join_of},
        branches=branches,
        parent={f: fork_of[ctx[f]] for f in forks if f in ctx},
        branch_of={sid: (fork, cx.branch[c]) for sid in steps
                   if (c := ctx.get(sid, 0)) and (fork := fork_of[c]) is not None},
        nested=not problems,
        conflicts=tuple(problems),
    )
