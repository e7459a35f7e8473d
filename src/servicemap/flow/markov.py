"""How a case moves through a map — the Markov semantics, defined once — and a pure-Python solver.

Everything that turns a map into a Markov chain is here: where a case goes
from a step (:func:`moves`), where cases enter (:func:`start_shares`), how many
enter per hour (:func:`total_arrivals`) and when a loop has no way out
(:data:`NEGLIGIBLE`, :func:`trapped_positions`). Rule SM501 solves the chain
with :func:`visits` (pure Python, so that ``servicemap check`` never imports
numpy); :mod:`servicemap.analysis.chain` compiles the same moves into arrays
for the sparse solver of ``analyze``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from operator import attrgetter
from typing import TypeVar

from ..model import Decision, Step
from .graph import FlowGraph

__all__ = [
    "NEGLIGIBLE",
    "arrival_rate",
    "flow_moves",
    "moves",
    "start_distribution",
    "start_shares",
    "step_moves",
    "token_moves",
    "total_arrivals",
    "transitions",
    "trapped",
    "trapped_positions",
    "visits",
]

T = TypeVar("T", bound=Hashable)

NEGLIGIBLE = 1e-9
"""A move with at most this probability is no way out.

A loop that cases can leave only through such moves (a branch of probability
0, or 1e-12) traps them: they would run it a billion times or more. Both
solvers then refuse to give numbers, and rule SM105 reports the loop.
"""


def moves(
    targets: Sequence[T],
    probabilities: Sequence[float | None] | None = None,
    *,
    decision: bool = False,
    lines: Sequence[int] | None = None,
) -> tuple[list[tuple[T, float]], bool]:
    """Where a case goes from one step: each target once, with its probability.

    The flow model of the spec (analysis.md), in the one place both solvers use:

    - A decision whose branches all give a ``probability`` sends a case down
      each branch with it.
    - A decision where some branch gives none sends it down each of its *k*
      branches with probability 1/k: branches are alternatives, so two of
      three branches leading to one step send 2/3 of the cases there.
    - Any other step passes the case on to its next step with probability 1
      (1/k to each of k, where a map wrongly names several: SM106).
    - Branches to one target add up; targets keep the order they first appear in.

    Args:
        targets: The step's flow lines in order, one per branch or ``next``
            entry (duplicates included), as the step each line arrives at.
        probabilities: Each line's given probability, ``None`` where not given;
            default none given. Used for decisions only.
        decision: Whether the step is a decision.
        lines: How many branches each entry of ``targets`` stands for, where
            branches to one target were merged beforehand (default 1 each).

    Returns:
        The moves ``(target, probability)`` and whether the step was split
        evenly (a decision without complete probabilities, or another step
        with several next steps).

    Examples:
        >>> moves(["w", "w", "e"], decision=True)
        ([('w', 0.6666666666666666), ('e', 0.3333333333333333)], True)
        >>> moves(["w", "e"], [0.25, 0.75], decision=True)
        ([('w', 0.25), ('e', 0.75)], False)
        >>> moves(["w", "e"], lines=[2, 1], decision=True)[0] == moves(["w", "w", "e"],
        ...                                                       decision=True)[0]
        True
        >>> moves(["next"]), moves([])
        (([('next', 1.0)], False), ([], False))

    Notes:
        O(k) for k lines.
    """
    if len(targets) == 1 and not decision:  # the common case: one next step
        return [(targets[0], 1.0)], False
    given = [p for p in probabilities or () if p is not None]
    if decision and targets and len(given) == len(targets):
        if len(set(targets)) == len(targets):  # no two branches to one step
            return list(zip(targets, map(float, given), strict=True)), False
        acc: dict[T, float] = {}
        for t, p in zip(targets, given, strict=True):
            acc[t] = acc.get(t, 0.0) + float(p)
        return list(acc.items()), False
    counts: dict[T, int] = {}
    for t, c in zip(targets, lines if lines is not None else [1] * len(targets), strict=True):
        counts[t] = counts.get(t, 0) + c
    k = sum(counts.values())
    return [(t, c / k) for t, c in counts.items()], bool(counts) and (decision or len(counts) > 1)


def token_moves(kind: Sequence[str], moves: list[list[tuple[T, float]]],
                index: dict[T, int]) -> None:
    """Make the moves count tokens of parallel work, in place.

    A fork (a ``parallel`` step) sends a token down every next step: each of
    its moves gets weight 1 instead of a share. A join (a ``parallel`` step
    with k > 1 incoming flows) fires once per k tokens, one on each flow: each
    move into it gets weight ``p / k``. Solving ``v = s + Pᵀv`` then gives
    each step's executions per case on a sound map (every branch of a fork
    counts the fork's visits; a join's equal those on any of its flows).

    >>> moves = [[("f", 1.0)], [("a", 0.5), ("b", 0.5)], [("j", 1.0)], [("j", 1.0)], []]
    >>> index = {"s": 0, "f": 1, "a": 2, "b": 3, "j": 4}
    >>> token_moves(["terminator", "parallel", "task", "task", "parallel"], moves, index)
    >>> moves
    [[('f', 1.0)], [('a', 1.0), ('b', 1.0)], [('j', 0.5)], [('j', 0.5)], []]

    Notes:
        O(n + m).
    """
    incoming = [0] * len(kind)
    for out in moves:
        for t, _ in out:
            incoming[index[t]] += 1
    for i, out in enumerate(moves):
        if kind[i] == "parallel":
            out[:] = [(t, 1.0) for t, _ in out]
        if any(kind[index[t]] == "parallel" and incoming[index[t]] > 1 for t, _ in out):
            out[:] = [(t, p / incoming[index[t]] if kind[index[t]] == "parallel" else p)
                      for t, p in out]


def start_shares(rates: Sequence[float | None], map_rate: float | None = None) -> list[float]:
    """Share of cases entering at each start, from the starts' ``arrivals`` (cases per hour).

    In proportion to their arrivals; evenly where no start gives one (or all
    give 0). Where only some do, the others share evenly what the map's
    ``arrivals`` (``map_rate``) leave over, or get no cases if nothing is left.

    Examples:
        >>> start_shares([None, None]), start_shares([30.0, 10.0])
        ([0.5, 0.5], [0.75, 0.25])
        >>> start_shares([30.0, None]), start_shares([30.0, None], 40.0)
        ([1.0, 0.0], [0.75, 0.25])

    Notes:
        O(k) for k starts.
    """
    n = len(rates)
    if not n:
        return []
    given = [r for r in rates if r is not None]
    even = [1 / n] * n
    if not given or (len(given) == n and sum(given) <= 0):
        return even
    missing = n - len(given)
    rest = (map_rate or 0.0) - sum(given)
    fill = rest / missing if missing and rest > 0 else 0.0
    weights = [fill if r is None else r for r in rates]
    total = sum(weights)
    if total <= 0:
        return even
    return [w / total for w in weights]


def total_arrivals(rates: Sequence[float | None], map_rate: float | None = None) -> float | None:
    """Cases per hour entering a map: the map's ``arrivals``, else the starts' sum, else None.

    >>> total_arrivals([30.0, None]), total_arrivals([30.0], 45.0), total_arrivals([None])
    (30.0, 45.0, None)

    Notes:
        O(k) for k starts.
    """
    if map_rate is not None:
        return map_rate
    given = [r for r in rates if r is not None]
    return sum(given) if given else None


def trapped_positions(
    n: int, src: Sequence[int], dst: Sequence[int], prob: Sequence[float]
) -> list[int]:
    """Steps from which cases cannot leave a chain: a loop with no way out.

    A step is trapped when no step without moves (an end, or a dead end) can
    be reached from it through moves more likely than :data:`NEGLIGIBLE`.

    Args:
        n: Number of steps ``0 … n-1``.
        src, dst, prob: The moves, as parallel sequences.

    Returns:
        The trapped steps, in increasing order.

    Example:
        0 → 1 ⇄ 2, and 2 → 3 (an end) with probability 1e-12:

        >>> trapped_positions(4, [0, 1, 2, 2], [1, 2, 1, 3], [1.0, 1.0, 1 - 1e-12, 1e-12])
        [0, 1, 2]

    Notes:
        O(n + m), one backward search from the steps without moves.
    """
    has_moves = bytearray(n)
    pred: list[list[int]] = [[] for _ in range(n)]
    for i, j, p in zip(src, dst, prob, strict=True):
        has_moves[i] = 1
        if p > NEGLIGIBLE:
            pred[j].append(i)
    alive = bytearray(n)
    stack = [i for i in range(n) if not has_moves[i]]
    for i in stack:
        alive[i] = 1
    while stack:
        for i in pred[stack.pop()]:
            if not alive[i]:
                alive[i] = 1
                stack.append(i)
    return [i for i in range(n) if not alive[i]]


# -- a resolved flow graph ---------------------------------------------------


def _lines(g: FlowGraph, step: Step) -> tuple[list[str], list[float | None]]:
    """A step's flow lines, as the step each arrives at, and their given probabilities.

    Lines that arrive nowhere (a connector without exit, an unknown id) are left out.
    """
    if isinstance(step, Decision):
        branches = step.next
        targets = [b.to for b in branches]
        probabilities = [b.probability for b in branches]
        if all(map(g.steps.__contains__, targets)):  # no connector on the way: the common case
            return targets, probabilities
        pairs = [(g.target(t)[0], p) for t, p in zip(targets, probabilities, strict=True)]
        return [t for t, _ in pairs if t is not None], [p for t, p in pairs if t is not None]
    out = g.succ[step.id]
    if len(out) == len(step.next):  # each next entry arrives at a step of its own
        return out, [None] * len(out)
    names = step.next if step.kind != "connector" else step.next[:1]  # a connector loop
    targets = [t for t in (g.target(name)[0] for name in names) if t is not None]
    return targets, [None] * len(targets)


def step_moves(g: FlowGraph, step: str) -> tuple[list[tuple[str, float]], bool]:
    """:func:`moves` of one step of a resolved flow (connectors passed through).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.flow.graph import flow_graph
        >>> g = flow_graph(loads('''
        ... name: merged
        ... steps:
        ...   - {id: s, kind: terminator, next: d}
        ...   - id: d
        ...     kind: decision
        ...     next: [{to: w, label: a}, {to: w, label: b}, {to: e, label: c}]
        ...   - {id: w, kind: task, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> step_moves(g, "d"), step_moves(g, "w")
        (([('w', 0.6666666666666666), ('e', 0.3333333333333333)], True), ([('e', 1.0)], False))

    Notes:
        O(k) for the step's k flow lines.
    """
    found, even = flow_moves(g, [step])
    return found[step], bool(even)


def flow_moves(
    g: FlowGraph, steps: list[str] | None = None
) -> tuple[dict[str, list[tuple[str, float]]], list[str]]:
    """:func:`moves` of every step (or of ``steps``), and the steps split evenly, in order.

    Notes:
        O(V + E); a step with one plain next step, the common case, costs no call.
    """
    ids = list(g.steps) if steps is None else steps
    models = list(map(g.steps.__getitem__, ids))
    result: dict[str, list[tuple[str, float]]] = {}
    even: list[str] = []
    for sid, step, kind, nxt, out in zip(ids, models, map(attrgetter("kind"), models),
                                         map(attrgetter("next"), models),
                                         map(g.succ.__getitem__, ids), strict=True):
        if len(nxt) == 1 and kind != "decision":  # moves([t]): one plain next step
            result[sid] = [(out[0], 1.0)] if out else []
            continue
        if kind == "decision" and len(out) == len(nxt):
            # Each branch arrives at a step of its own (out[k] is branch k's): with complete
            # probabilities that is moves(...) without building its arguments.
            given = [b.probability for b in nxt]
            if None not in given:
                result[sid] = list(zip(out, map(float, given), strict=True))
                continue
        targets, probabilities = _lines(g, step)
        result[sid], split = moves(targets, probabilities, decision=kind == "decision")
        if split:
            even.append(sid)
    return result, even


def transitions(g: FlowGraph) -> dict[str, list[tuple[str, float]]]:
    """The moves of every step (see :func:`moves`), in declared order.

    Notes:
        O(V + E).
    """
    return flow_moves(g)[0]


def _start_rates(g: FlowGraph) -> tuple[list[str], list[float | None]]:
    starts = g.starts()
    rates = [getattr(g.steps[s], "arrivals", None) for s in starts]
    return starts, [r.per_hour if r is not None else None for r in rates]


def start_distribution(g: FlowGraph, map_rate: float | None = None) -> dict[str, float]:
    """Share of cases entering at each start (see :func:`start_shares`).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.flow.graph import flow_graph
        >>> g = flow_graph(loads('''
        ... name: two doors
        ... steps:
        ...   - {id: web, kind: terminator, arrivals: 30/h, next: e}
        ...   - {id: phone, kind: terminator, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> start_distribution(g), start_distribution(g, 40.0)
        ({'web': 1.0, 'phone': 0.0}, {'web': 0.75, 'phone': 0.25})

    Notes:
        O(V) for the starts.
    """
    starts, rates = _start_rates(g)
    return dict(zip(starts, start_shares(rates, map_rate), strict=True))


def arrival_rate(g: FlowGraph, map_rate: float | None) -> float | None:
    """Cases per hour entering the map (see :func:`total_arrivals`).

    Notes:
        O(V) for the starts.
    """
    return total_arrivals(_start_rates(g)[1], map_rate)


def trapped(g: FlowGraph, trans: dict[str, list[tuple[str, float]]] | None = None) -> list[str]:
    """Steps from which cases cannot leave (see :func:`trapped_positions`), in declared order.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.flow.graph import flow_graph
        >>> trapped(flow_graph(loads('''
        ... name: almost no way out
        ... steps:
        ...   - {id: s, kind: terminator, next: work}
        ...   - {id: work, kind: task, next: ok}
        ...   - id: ok
        ...     kind: decision
        ...     next: [{to: work, label: redo, probability: 1},
        ...            {to: e, label: done, probability: 0}]
        ...   - {id: e, kind: terminator}
        ... ''')))
        ['s', 'work', 'ok']

    Notes:
        O(V + E).
    """
    trans = transitions(g) if trans is None else trans
    nodes = list(trans)
    index = {sid: i for i, sid in enumerate(nodes)}
    src = [index[sid] for sid, out in trans.items() for _ in out]
    dst = [index[t] for out in trans.values() for t, _ in out]
    prob = [p for out in trans.values() for _, p in out]
    return [nodes[i] for i in trapped_positions(len(nodes), src, dst, prob)]


# -- the pure-Python solver --------------------------------------------------


def _components(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components in topological order (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ[node]
            recurse = False
            while i < len(children):
                child = children[i]
                i += 1
                if child not in index:
                    work.append((node, i))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                comps.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    comps.reverse()
    return comps


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None if exactly singular."""
    n = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if a[pivot][col] == 0.0:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                row_r, row_c = a[r], a[col]
                for k in range(col, n + 1):
                    row_r[k] -= factor * row_c[k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][k] * x[k] for k in range(r + 1, n))) / a[r][r]
    return x


def _solve_component(comp: list[str], trans: dict[str, list[tuple[str, float]]],
                     incoming: dict[str, float]) -> list[float] | None:
    """Visits of the steps of one strongly connected component, given what flows into it."""
    if len(comp) == 1:
        node = comp[0]
        leave = 1.0 - sum(p for t, p in trans[node] if t == node)
        return None if leave == 0.0 else [incoming[node] / leave]
    pos = {n: i for i, n in enumerate(comp)}
    k = len(comp)
    matrix = [[0.0] * k for _ in range(k)]
    for i in range(k):
        matrix[i][i] = 1.0
    for n in comp:
        for t, p in trans[n]:
            if t in pos:
                matrix[pos[t]][pos[n]] -= p
    return _solve(matrix, [incoming[n] for n in comp])


def visits(g: FlowGraph, *, map_rate: float | None = None,
           max_component: int = 400) -> dict[str, float] | None:
    """Expected executions of each step per case (``v = s + Pᵀv``).

    Parallel work counts tokens (:func:`token_moves`): each branch of a fork
    runs, a join runs once per set of its branches.

    Solved exactly component by component in topological order. Returns
    ``None`` when some steps have no way out (:func:`trapped`) or a loop is
    larger than ``max_component`` steps (use :mod:`servicemap.analysis` then).

    Example: a rework loop taken with probability 0.2 runs 1/(1 - 0.2) = 1.25 times.

        >>> from servicemap import loads
        >>> from servicemap.flow.graph import flow_graph
        >>> g = flow_graph(loads('''
        ... name: loop
        ... steps:
        ...   - {id: s, kind: terminator, next: work}
        ...   - {id: work, kind: task, next: ok}
        ...   - id: ok
        ...     kind: decision
        ...     next: [{to: work, label: redo, probability: 0.2},
        ...            {to: e, label: ok, probability: 0.8}]
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> visits(g)["work"]
        1.25

    Notes:
        O(V + E + Σ k³) for loops of k steps.
    """
    trans = transitions(g)
    kinds = [s.kind for s in g.steps.values()]
    if "parallel" in kinds:  # count tokens: every branch of a fork, a join once per k
        moves = list(trans.values())
        token_moves(kinds, moves, {sid: k for k, sid in enumerate(g.steps)})
        trans = dict(zip(trans, moves, strict=True))
    if trapped(g, trans):
        return None
    incoming: dict[str, float] = dict.fromkeys(g.steps, 0.0)
    for s, share in start_distribution(g, map_rate).items():
        incoming[s] += share
    result: dict[str, float] = {}
    for comp in _components(list(g.steps), g.succ):
        if len(comp) > max_component:
            return None
        solved = _solve_component(comp, trans, incoming)
        if solved is None:
            return None
        result.update(zip(comp, solved, strict=True))
        for n in comp:
            for t, p in trans[n]:
                if t not in result:
                    incoming[t] += p * result[n]
    return result
