"""Soundness of parallel work: deadlocks and unsynchronised branches, by structure or by states.

The map is read as a Petri net (workflow-net / BPMN semantics, docs/format.md
"Parallel work"): a case is a token at a start; a fork puts a token on each of
its outgoing flows; a join fires once each of its incoming flows holds a token
and takes one from each; a decision (or any other step) moves its token to one
next step; a step with several incoming flows that is not a join goes on with
any one. A case must end with one token at one end and none left anywhere.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from .graph import FlowGraph
from .parallel import ParallelStructure, parallel_structure

__all__ = ["MAX_STATES", "Issue", "Soundness", "path_text", "soundness", "state_space"]

MAX_STATES = 100_000
"""How many markings (states of the net) :func:`state_space` explores by default."""

IssueKind = Literal["deadlock", "unsynchronised", "unjoined"]


@dataclass(frozen=True)
class Issue:
    """One way parallel work fails, found in the states of the net.

    Attributes:
        kind: ``deadlock`` (a join waits for a flow that never comes),
            ``unsynchronised`` (a step gets a second token: two branches meet at a
            step that is not a join, or a step runs again while a branch is still
            running) or ``unjoined`` (branches of a fork end at different ends).
        step: The step concerned: the waiting join, the step reached twice, or the
            fork whose branches end apart.
        path: The steps run, in order, from the start to the state with the problem.
        waiting: For a deadlock, the steps whose flows into the join hold a token;
            ``missing`` those whose flows never come.
        ends: For ``unjoined``, the ends the case's branches reached.
    """

    kind: IssueKind
    step: str
    path: tuple[str, ...]
    waiting: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()


@dataclass(frozen=True)
class Soundness:
    """The verdict on a map's parallel work.

    Attributes:
        method: ``none`` (no parallel steps: nothing to decide), ``structure``
            (properly nested, decided without exploring states) or ``states``.
        decided: False if the states ran over the budget before all were seen.
        states: Markings explored (0 unless ``method`` is ``states``).
        max_states: The budget.
        issues: The problems found, each once (by kind and step), shortest path first.
    """

    method: Literal["none", "structure", "states"]
    decided: bool
    states: int = 0
    max_states: int = MAX_STATES
    issues: tuple[Issue, ...] = field(default=())

    @property
    def sound(self) -> bool | None:
        """Whether the parallel work is sound (``None``: could not decide)."""
        if self.issues:
            return False
        return True if self.decided else None


@dataclass
class _Net:
    """The map as a safe Petri net: places are ints, transitions are (inputs, outputs, step)."""

    places: list[tuple[str, str | None]]  # (step, None) or (join input: source, join)
    inputs: list[tuple[int, ...]] = field(default_factory=list)
    outputs: list[tuple[int, ...]] = field(default_factory=list)
    label: list[str] = field(default_factory=list)  # the step a transition runs
    by_first: dict[int, list[int]] = field(default_factory=dict)  # place -> transitions


Adjacency = dict[str, list[str]]


def _clean_regions(g: FlowGraph, structure: ParallelStructure) -> tuple[Adjacency, Adjacency]:
    """The flow with each properly nested fork-join region cut down to a flow from fork to join.

    A region is a fork with its matching join and the steps on its branches.
    It is spoilt by a conflict of the structure (a step reached on two
    branches, a fork without its join, a join that is not one fork's, an end
    on a branch) on it, or flowed into from it; and so is every region around
    a spoilt one. A clean region completes like one step, as the structural
    argument of :func:`soundness` shows, so the states need not interleave its
    branches.

    Complexity: O(V + E): each fork is spoilt once.
    """
    branch_of, parent, join_of = structure.branch_of, structure.parent, structure.join_of
    dirty: set[str] = set()

    def spoil(fork: str | None) -> None:
        while fork is not None and fork not in dirty:
            dirty.add(fork)
            fork = parent.get(fork)

    for bad in structure.conflicts:
        if bad in join_of:
            spoil(bad)
        for step in (bad, *g.pred[bad]):
            where = branch_of.get(step)
            if where is not None:
                spoil(where[0])
    succ, pred = dict(g.succ), dict(g.pred)
    for f, j in join_of.items():
        if f not in dirty:  # (a region inside a clean one is cut off with it)
            succ[f], pred[j] = [j], [f]
    return succ, pred


def _reach(succ: Adjacency, sources: list[str]) -> set[str]:
    """The steps reachable from ``sources`` along ``succ`` (sources included). O(V + E)."""
    seen = set(sources)
    stack = list(sources)
    while stack:
        for w in succ[stack.pop()]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def _net(g: FlowGraph, succ: Adjacency, pred: Adjacency) -> tuple[_Net, dict[str, int]]:
    """The Petri net of the steps a start leads to (along ``succ``; ``pred`` for joins), and
    the place of each such step that is not a join."""
    live = _reach(succ, g.starts())  # the steps a case can get to: the rest have no tokens
    steps = {sid: s for sid, s in g.steps.items() if sid in live}
    joins = {sid for sid, s in steps.items() if s.kind == "parallel" and len(pred[sid]) > 1}
    net = _Net([])
    node: dict[str, int] = {}
    arrive: dict[tuple[str, str], int] = {}
    for sid in steps:
        if sid in joins:
            for p in pred[sid]:
                arrive[p, sid] = len(net.places)
                net.places.append((p, sid))
        else:
            node[sid] = len(net.places)
            net.places.append((sid, None))

    def place(source: str, target: str) -> int:
        return arrive[source, target] if target in joins else node[target]

    def add(ins: tuple[int, ...], outs: tuple[int, ...], sid: str) -> None:
        net.by_first.setdefault(ins[0], []).append(len(net.inputs))
        net.inputs.append(ins)
        net.outputs.append(outs)
        net.label.append(sid)

    for sid, s in steps.items():
        out = succ[sid]
        if not out:
            continue
        ins = tuple(arrive[p, sid] for p in pred[sid]) if sid in joins else (node[sid],)
        if s.kind == "parallel":
            add(ins, tuple(place(sid, w) for w in out), sid)
        else:
            for w in out:
                add(ins, (place(sid, w),), sid)
    return net, node


def _path(parent: dict[frozenset[int], tuple[frozenset[int], str] | None],
          marking: frozenset[int]) -> tuple[str, ...]:
    steps: list[str] = []
    link = parent[marking]
    while link is not None:
        marking, sid = link
        steps.append(sid)
        link = parent[marking]
    return tuple(reversed(steps))


def _dead(net: _Net, marking: frozenset[int], path: tuple[str, ...], ends: set[str],
          g: FlowGraph) -> list[Issue]:
    """The issues of a marking in which nothing can fire."""
    joins: dict[str, list[str]] = {}
    at_ends: list[str] = []
    for p in sorted(marking):
        sid, join = net.places[p]
        if join is not None and g.succ[join]:
            joins.setdefault(join, []).append(sid)
        elif sid in ends:
            at_ends.append(sid)
        else:  # a token stuck at a dead end (a join too): SM103's (or SM110's) problem
            return []
    found = [Issue("deadlock", j, path, tuple(w),
                   tuple(p for p in g.pred[j] if p not in w)) for j, w in joins.items()]
    if not found and len(at_ends) > 1:
        found.append(Issue("unjoined", "", path, ends=tuple(at_ends)))
    return found


def state_space(g: FlowGraph, *, max_states: int = MAX_STATES,
                structure: ParallelStructure | None = None) -> Soundness:
    """Decide soundness by exploring the reachable markings of the net, breadth first.

    Each start begins a case with one token. A firing that would put a second
    token on a place is an ``unsynchronised`` issue (the net is kept safe, so
    the states are finite); a marking in which nothing can fire is final if its
    one token is at an end, a ``deadlock`` if a join holds tokens, ``unjoined``
    if its tokens are at several ends (a token stuck at a dead end is left to
    rule SM103). Loops no case leaves are rule SM105's. Each issue is kept once
    per kind and step, with the shortest path to it. Once a step is found to
    get a second token, states with a token at it or after it are not explored
    further, and no problem after it is reported: everything after it runs
    twice as well.

    Args:
        g: The flow graph.
        max_states: Stop (``decided=False``) after this many markings.
        structure: The map's :func:`~servicemap.flow.parallel.parallel_structure`;
            given, each properly nested fork-join region that nothing enters or
            leaves but through its fork and join is taken as one step from fork
            to join (its branches are not interleaved; paths pass from the fork
            straight to its join). Without it every step is explored.

    Notes:
        Complexity: O(S * T) for S markings explored (at most ``max_states``)
        and T tokens per marking, plus O(V + E) to build the net.
    """
    succ, pred = _clean_regions(g, structure) if structure else (g.succ, g.pred)
    net, node = _net(g, succ, pred)
    ends = set(g.ends())
    issues: dict[tuple[str, str], Issue] = {}
    tainted: set[int] = set()  # places at or after a step reached twice
    seen = 0
    for start in g.starts():
        first = frozenset((node[start],))
        parent: dict[frozenset[int], tuple[frozenset[int], str] | None] = {first: None}
        queue = deque([first])
        while queue:
            marking = queue.popleft()
            if tainted and not tainted.isdisjoint(marking):
                continue
            seen += 1
            if seen > max_states:
                return _result(g, succ, issues, seen - 1, max_states, decided=False)
            fired = False
            for p in marking:
                for t in net.by_first.get(p, ()):
                    ins = net.inputs[t]
                    if len(ins) > 1 and not marking.issuperset(ins):
                        continue
                    fired = True
                    rest = marking.difference(ins)
                    twice = rest.intersection(net.outputs[t])
                    if twice:
                        at = _unsynchronised(net, twice, marking, parent, net.label[t], issues)
                        if at is not None:
                            tainted |= _downstream(succ, net, at)
                        continue
                    nxt = rest.union(net.outputs[t])
                    if nxt not in parent:
                        parent[nxt] = (marking, net.label[t])
                        queue.append(nxt)
            if not fired:
                for issue in _dead(net, marking, _path(parent, marking), ends, g):
                    issues.setdefault((issue.kind, issue.step), issue)
    return _result(g, succ, issues, seen, max_states, decided=True)


def _unsynchronised(net: _Net, twice: frozenset[int], marking: frozenset[int],
                    parent: dict[frozenset[int], tuple[frozenset[int], str] | None],
                    step: str, issues: dict[tuple[str, str], Issue]) -> str | None:
    """Record the step a firing of ``step`` gives a second token; return it if new."""
    place = min(twice)
    sid, join = net.places[place]
    at = join if join is not None else sid
    if ("unsynchronised", at) in issues:
        return None
    issues["unsynchronised", at] = Issue("unsynchronised", at, (*_path(parent, marking), step))
    return at


def _downstream(succ: Adjacency, net: _Net, step: str) -> set[int]:
    """The places of ``step`` and of every step after it: all run twice once it has."""
    after = _reach(succ, [step])
    return {i for i, (sid, join) in enumerate(net.places) if (join or sid) in after}


def _result(g: FlowGraph, succ: Adjacency, issues: dict[tuple[str, str], Issue], states: int,
            max_states: int, *, decided: bool) -> Soundness:
    """The verdict, with each ``unjoined`` issue placed at the last fork on its path."""
    forks = {sid for sid, s in g.steps.items() if s.kind == "parallel" and len(g.succ[sid]) > 1}
    placed: dict[tuple[str, str], Issue] = {}
    for issue in issues.values():
        if issue.kind == "unjoined":
            fork = next((s for s in reversed(issue.path) if s in forks), issue.path[0])
            issue = Issue("unjoined", fork, issue.path, ends=issue.ends)
        placed.setdefault((issue.kind, issue.step), issue)
    ordered = sorted(placed.values(), key=lambda i: len(i.path))
    # Every step after one reached twice is reached twice too, and a join after it
    # may be left waiting: report the first step only.
    after: set[str] = set()
    firsts: list[Issue] = []
    for issue in ordered:
        if issue.kind == "unsynchronised" and issue.step not in after:
            firsts.append(issue)
            after |= _reach(succ, list(succ[issue.step]))
    kept = [i for i in ordered if i in firsts or i.step not in after]
    return Soundness("states", decided, states, max_states, tuple(kept))


def path_text(path: tuple[str, ...], limit: int = 12) -> str:
    """A path of steps for a message: quoted, joined by arrows, the middle left out if long.

    >>> path_text(("s", "split", "a"))
    "'s' -> 'split' -> 'a'"
    >>> path_text(tuple("abcdefgh"), limit=4)
    "'a' -> 'b' -> ... (4 more) -> 'g' -> 'h'"
    """
    quoted = [f"'{s}'" for s in path]
    if len(quoted) > limit:
        half = limit // 2
        quoted = [*quoted[:half], f"... ({len(quoted) - 2 * half} more)", *quoted[-half:]]
    return " -> ".join(quoted)


def soundness(g: FlowGraph, *, max_states: int = MAX_STATES,
              structure: ParallelStructure | None = None) -> Soundness:
    """Decide whether a map's parallel work is sound: by structure where it nests, else by states.

    A map without parallel steps has nothing to decide. A properly nested map
    (:func:`~servicemap.flow.parallel.parallel_structure`) is sound as far as
    parallel work goes (its dead ends and endless loops are rules SM103 and
    SM105): each fork's branches meet only at their own join, one flow from
    each, so every join gets all its tokens and no step gets two. Otherwise the
    markings are explored (:func:`state_space`).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.flow import flow_graph
        >>> g = flow_graph(loads('''
        ... name: c
        ... steps:
        ...   - {id: s, kind: terminator, next: d}
        ...   - {id: d, kind: decision, next: [{to: a, label: x}, {to: b, label: y}]}
        ...   - {id: a, kind: task, next: j}
        ...   - {id: b, kind: task, next: j}
        ...   - {id: j, kind: parallel, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> result = soundness(g)
        >>> result.method, result.sound, result.states
        ('states', False, 6)
        >>> issue = result.issues[0]
        >>> issue.kind, issue.step, issue.path, issue.waiting, issue.missing
        ('deadlock', 'j', ('s', 'd', 'a'), ('a',), ('b',))

    Notes:
        Complexity: O(V + E) for a nested map; otherwise that of :func:`state_space`.
    """
    if not any(s.kind == "parallel" for s in g.steps.values()):
        return Soundness("none", decided=True, max_states=max_states)
    structure = structure or parallel_structure(g)
    if structure.nested:
        return Soundness("structure", decided=True, max_states=max_states)
    return state_space(g, max_states=max_states, structure=structure)
