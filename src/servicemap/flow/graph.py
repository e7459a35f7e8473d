"""The flow of a map as a graph: connectors resolved, as plain adjacency lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Blueprint, Connector, Decision, Step

__all__ = ["Flow", "FlowGraph", "flow_graph"]


@dataclass(slots=True)
class Flow:
    """One resolved flow line from ``source`` to ``target`` (connectors passed through)."""

    source: str
    target: str
    index: int  # position in the source's ``next``
    label: str | None = None
    probability: float | None = None
    failure: bool = False
    via: tuple[str, ...] = ()  # connector steps passed on the way


@dataclass
class FlowGraph:
    """Adjacency of the resolved flow, over step ids in declared order.

    Connectors are not nodes: a flow into a connector continues from the one
    connector of that label that has a ``next``. The one exception is a loop
    of connectors that lead only to each other (label A leads to B, B back to
    A, or a connector to itself): no case ever leaves it, so rather than
    dropping the flows into it, the loop stands as one node, its first exit
    connector in map order, whose flow leads back to itself
    (``connector_loops`` lists its connectors). The rules then see the trap
    (SM105). ``succ``/``pred`` hold each distinct neighbour once; ``flows``
    keeps every flow line (duplicates too).
    """

    steps: dict[str, Step]
    succ: dict[str, list[str]] = field(default_factory=dict)
    pred: dict[str, list[str]] = field(default_factory=dict)
    flows: dict[str, list[Flow]] = field(default_factory=dict)  # see _lazy_flows below
    connector_exits: dict[str, str] = field(default_factory=dict)  # label -> connector id
    # A loop of connectors leading only to each other: its node -> its connectors in flow order.
    connector_loops: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _starts: list[str] | None = field(default=None, repr=False, compare=False)
    _ends: list[str] | None = field(default=None, repr=False, compare=False)
    # Where each next entry that is not a step id leads: (step or None, connectors passed).
    _resolved: dict[str, tuple[str | None, tuple[str, ...]]] = field(
        default_factory=dict, repr=False, compare=False)

    def target(self, name: str) -> tuple[str | None, tuple[str, ...]]:
        """Where a flow line into ``name`` (a step or connector id) arrives, and the
        connectors it passes: ``(None, ...)`` if it arrives nowhere.

        Complexity: O(1), resolved when the graph was built.
        """
        if name in self.steps:
            return name, ()
        return self._resolved.get(name, (None, ()))

    def _build_flows(self) -> dict[str, list[Flow]]:
        flows: dict[str, list[Flow]] = {}
        for sid, s in self.steps.items():
            mine: list[Flow] = []
            if isinstance(s, Connector):  # a connector loop: its exit's first next only
                target, via = self.target(s.next[0])
                if target is not None:
                    mine.append(Flow(sid, target, 0, None, None, False, via))
            elif isinstance(s, Decision):
                for j, b in enumerate(s.next):
                    target, via = self.target(b.to)
                    if target is not None:
                        mine.append(Flow(sid, target, j, b.label, b.probability, b.failure, via))
            else:
                for j, to in enumerate(s.next):
                    target, via = self.target(to)
                    if target is not None:
                        mine.append(Flow(sid, target, j, None, None, False, via))
            if mine:
                flows[sid] = mine
        return flows

    def starts(self) -> list[str]:
        """Terminators without incoming flow, in declared order.

        Complexity: O(V) on first use, then O(k) for k starts.
        """
        if self._starts is None:
            # Steps without incoming flow are few: look at the kind of those only.
            steps = self.steps
            self._starts = [i for i, p in self.pred.items()
                            if not p and steps[i].kind == "terminator"]
        return list(self._starts)

    def ends(self) -> list[str]:
        """Terminators without outgoing flow, in declared order.

        Complexity: O(V) on first use, then O(k) for k ends.
        """
        if self._ends is None:
            steps = self.steps
            self._ends = [i for i, out in self.succ.items()
                          if not out and steps[i].kind == "terminator"]
        return list(self._ends)

    def reachable(self, sources: list[str], *, reverse: bool = False) -> set[str]:
        """Steps reachable from ``sources`` (or reaching them, with ``reverse``).

        Complexity: O(V + E).
        """
        adj = self.pred if reverse else self.succ
        seen = set(sources)
        if all(s in adj for s in sources):
            # One sweep in map order (backwards for ``reverse``) first: maps are
            # mostly written in flow order, so it usually reaches everything, and
            # then there is nothing left to search.
            update = seen.update
            for node, targets in reversed(adj.items()) if reverse else adj.items():
                if node in seen:
                    update(targets)
            if len(seen) == len(adj):  # all steps (seen holds steps only)
                return seen
        stack = list(seen)
        while stack:
            for nxt in adj[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen


_LAZY: Any = None  # flows=_LAZY: build them on first use


def _get_flows(self: FlowGraph) -> dict[str, list[Flow]]:
    flows: dict[str, list[Flow]] | None = self.__dict__["_flows"]
    if flows is None:
        flows = self.__dict__["_flows"] = self._build_flows()
    return flows


def _set_flows(self: FlowGraph, flows: dict[str, list[Flow]] | None) -> None:
    self.__dict__["_flows"] = flows


# ``flows`` stays a field of the dataclass (constructor, eq, repr) but is kept
# in ``_flows``; flow_graph leaves it to be built on first use, since analysis
# and the structure rules never look at it.
FlowGraph.flows = property(_get_flows, _set_flows)  # type: ignore[assignment]


def _connector_label(step: Connector) -> str:
    return step.label if step.label is not None else step.id


def _first_of_each_id(bp: Blueprint) -> dict[str, Step]:
    """The steps by id; of steps with one id, the first."""
    all_steps = bp.steps
    steps: dict[str, Step] = dict(zip([s.id for s in all_steps], all_steps, strict=True))
    if len(steps) < len(all_steps):  # duplicate ids: keep the first of each
        steps = {}
        for s in all_steps:
            steps.setdefault(s.id, s)
    return steps


Resolved = tuple[str | None, tuple[str, ...]]
"""Where a flow line into a name arrives (a step id, or ``None``) and the connectors it passes."""


def _connector_exits(steps: dict[str, Step]) -> dict[str, str]:
    """The connector of each label that has a ``next`` (the first such), by label."""
    exits: dict[str, str] = {}
    for c in steps.values():
        if isinstance(c, Connector) and c.next:
            exits.setdefault(_connector_label(c), c.id)
    return exits


def _connector_loops(steps: dict[str, Step], exits: dict[str, str]) -> set[str]:
    """The node of each loop of connectors that lead only to each other.

    Each label's exit connector leads (through its first ``next``) to a step
    or to a connector, whose label has an exit in turn: a functional graph
    over exits. Each of its cycles is a loop no case leaves; it is kept as
    its first exit connector in map order (``exits`` is in map order).

    Complexity: O(c) for c connectors.
    """
    after: dict[str, str | None] = {}  # exit -> the exit its flow continues from
    for exit_id in exits.values():
        nxt = steps.get(steps[exit_id].targets()[0])
        after[exit_id] = (exits.get(_connector_label(nxt)) if isinstance(nxt, Connector)
                          else None)
    position = {exit_id: k for k, exit_id in enumerate(after)}
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    nodes: set[str] = set()
    for first in after:
        walk: list[str] = []
        node: str | None = first
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = after[node]
        if node is not None and state[node] == 1:  # the walk closed a cycle
            cycle = walk[walk.index(node):]
            nodes.add(min(cycle, key=position.__getitem__))
        for w in walk:
            state[w] = 2
    return nodes


def _resolve(target: str, steps: dict[str, Step], exits: dict[str, str],
             loops: set[str] | frozenset[str] = frozenset()) -> Resolved:
    """Follow ``target`` through connectors to the step it arrives at.

    A flow into a loop of connectors arrives at the loop's node (in ``loops``).

    Complexity: O(c) for c connectors passed.
    """
    via: list[str] = []
    seen: set[str] = set()
    while True:
        step = steps.get(target)
        if step is None:
            return None, tuple(via)
        if not isinstance(step, Connector) or target in loops:
            return target, tuple(via)
        if target in seen:  # pragma: no cover - loops arrive at their node first
            return None, tuple(via)
        seen.add(target)
        via.append(target)
        exit_id = exits.get(_connector_label(step))
        if exit_id is None:
            return None, tuple(via)
        if exit_id in loops:
            return exit_id, tuple(via)
        if exit_id != target:
            via.append(exit_id)
        exit_step = steps[exit_id]
        if not exit_step.next:  # pragma: no cover - exits have next by construction
            return None, tuple(via)
        target = exit_step.targets()[0]


def _adjacency(
    nodes: dict[str, Step], steps: dict[str, Step], exits: dict[str, str],
    loops: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, Resolved]]:
    """``succ``, ``pred`` and the resolved names that are not step ids (connectors, unknowns).

    Complexity: O(V + E), plus the connectors passed once per distinct name.
    """
    # Targets are stored as the node's own id object (an equal string): later
    # lookups by them then match by identity, which is faster on large maps.
    canon: dict[str, str] = dict(zip(nodes, nodes, strict=True))
    resolved: dict[str, Resolved] = {}
    # succ is filled in node order below, so it needs no initial entries.
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {i: [] for i in nodes}
    for sid, s in nodes.items():
        if isinstance(s, Decision):
            names = [b.to for b in s.next]
        else:
            names = s.next if s.kind != "connector" else s.next[:1]  # a loop: its way on
            if len(names) == 1:  # the common case: one plain next step
                target = canon.get(names[0])
                if target is not None:
                    succ[sid] = [target]
                    pred[target].append(sid)
                    continue
        out: list[str] = []
        for name in names:
            target = canon.get(name)
            if target is None:  # a connector (or an unknown id): follow it
                if name not in resolved:
                    resolved[name] = _resolve(name, steps, exits, loops)
                found = resolved[name][0]
                if found is None:
                    continue
                target = canon[found]
            if target not in out:
                out.append(target)
                pred[target].append(sid)
        succ[sid] = out
    return succ, pred, resolved


def flow_graph(bp: Blueprint) -> FlowGraph:
    """Resolve connectors and build the adjacency of ``bp``'s flow.

    Steps with duplicate ids keep the first; flows to unknown ids, and into
    connectors that lead nowhere, are dropped (loading and SM110 report them).
    A loop of connectors that lead only to each other is kept as one node (see
    :class:`FlowGraph`).

    Example:
        >>> from servicemap import loads
        >>> g = flow_graph(loads('''
        ... name: c
        ... steps:
        ...   - {id: s, kind: terminator, next: a1}
        ...   - {id: a1, kind: connector, label: A}
        ...   - {id: a2, kind: connector, label: A, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> g.succ
        {'s': ['e'], 'e': []}

        Connectors A and B that lead to each other: the loop is node ``a2``.

        >>> g = flow_graph(loads('''
        ... name: c
        ... steps:
        ...   - {id: s, kind: terminator, next: a1}
        ...   - {id: a1, kind: connector, label: A}
        ...   - {id: a2, kind: connector, label: A, next: b1}
        ...   - {id: b1, kind: connector, label: B}
        ...   - {id: b2, kind: connector, label: B, next: a1}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> g.succ, g.connector_loops
        ({'s': ['a2'], 'a2': ['a2'], 'e': []}, {'a2': ('a2', 'b1', 'b2', 'a1')})

    Complexity: O(V + E).
    """
    steps = _first_of_each_id(bp)
    exits = _connector_exits(steps)
    has_connectors = any(s.kind == "connector" for s in steps.values())
    loops = _connector_loops(steps, exits) if exits else set()
    nodes: dict[str, Step] = (
        {i: s for i, s in steps.items() if s.kind != "connector" or i in loops}
        if has_connectors else steps
    )
    succ, pred, resolved = _adjacency(nodes, steps, exits, loops)
    cycles = {node: (node, *_resolve(steps[node].targets()[0], steps, exits, loops)[1])
              for node in nodes if node in loops} if loops else {}
    return FlowGraph(nodes, succ, pred, _LAZY, exits, cycles, _resolved=resolved)
