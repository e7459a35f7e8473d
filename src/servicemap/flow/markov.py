"""Expected visits per case in pure Python, solved one strongly connected component at a time."""

from __future__ import annotations

from ..model import Decision
from .graph import FlowGraph

__all__ = ["arrival_rate", "start_distribution", "transitions", "visits"]


def transitions(g: FlowGraph) -> dict[str, list[tuple[str, float]]]:
    """Where a case goes from each step, with probabilities.

    A decision sends a case down branch *b* with its ``probability``, or 1/k
    for k branches when none are given; any other step passes it on (split
    evenly if it wrongly names several next steps). Branches to one target add.
    """
    out: dict[str, list[tuple[str, float]]] = {}
    for sid, step in g.steps.items():
        flows = g.flows.get(sid, [])
        if not flows:
            out[sid] = []
            continue
        given = isinstance(step, Decision) and all(f.probability is not None for f in flows)
        acc: dict[str, float] = {}
        for f in flows:
            p = float(f.probability) if given and f.probability is not None else 1 / len(flows)
            acc[f.target] = acc.get(f.target, 0.0) + p
        out[sid] = list(acc.items())
    return out


def start_distribution(g: FlowGraph, map_rate: float | None = None) -> dict[str, float]:
    """Share of cases entering at each start, as the analysis assigns them.

    By the starts' ``arrivals``; evenly where none gives one. Where only some
    do, the others share what the map's ``arrivals`` (``map_rate``, cases per
    hour) leaves over, or get no cases if nothing is left.

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
    """
    starts = g.starts()
    if not starts:
        return {}
    rates = [getattr(g.steps[s], "arrivals", None) for s in starts]
    given = [r.per_hour for r in rates if r is not None]
    even = {s: 1 / len(starts) for s in starts}
    if not given or (len(given) == len(starts) and sum(given) <= 0):
        return even
    weights = [r.per_hour if r is not None else 0.0 for r in rates]
    missing = len(starts) - len(given)
    if missing:
        remainder = (map_rate or 0.0) - sum(given)
        if remainder > 0:
            weights = [w if r is not None else remainder / missing
                       for w, r in zip(weights, rates, strict=True)]
    total = sum(weights)
    if total <= 0:
        return even
    return {s: w / total for s, w in zip(starts, weights, strict=True)}


def arrival_rate(g: FlowGraph, map_rate: float | None) -> float | None:
    """Cases per hour entering the map: the map's ``arrivals``, else the starts' sum, else None."""
    if map_rate is not None:
        return map_rate
    rates = [getattr(g.steps[s], "arrivals", None) for s in g.starts()]
    given = [r.per_hour for r in rates if r is not None]
    return sum(given) if given else None


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
    """Gaussian elimination with partial pivoting; None if singular."""
    n = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
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


def visits(g: FlowGraph, *, map_rate: float | None = None,
           max_component: int = 400) -> dict[str, float] | None:
    """Expected executions of each step per case (``v = s + Pᵀv``).

    Solved exactly component by component in topological order, so a map of
    rework loops costs O(V + E + Σ k³) for loops of k steps. Returns ``None``
    when a loop has no way out (the system is singular) or a loop is larger
    than ``max_component`` steps (use :mod:`servicemap.analysis` then).

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
    """
    trans = transitions(g)
    incoming: dict[str, float] = dict.fromkeys(g.steps, 0.0)
    for s, share in start_distribution(g, map_rate).items():
        incoming[s] += share
    result: dict[str, float] = {}
    nodes = list(g.steps)
    for comp in _components(nodes, g.succ):
        if len(comp) == 1:
            node = comp[0]
            loop = sum(p for t, p in trans[node] if t == node)
            if loop >= 1.0 - 1e-12:
                if incoming[node] > 0:
                    return None
                value = 0.0
            else:
                value = incoming[node] / (1.0 - loop)
        else:
            if len(comp) > max_component:
                return None
            pos = {n: i for i, n in enumerate(comp)}
            k = len(comp)
            matrix = [[0.0] * k for _ in range(k)]
            for i in range(k):
                matrix[i][i] = 1.0
            for n in comp:
                for t, p in trans[n]:
                    if t in pos:
                        matrix[pos[t]][pos[n]] -= p
            solved = _solve(matrix, [incoming[n] for n in comp])
            if solved is None:
                return None
            for n, x in zip(comp, solved, strict=True):
                result[n] = x
            for n in comp:
                for t, p in trans[n]:
                    if t not in pos:
                        incoming[t] += p * result[n]
            continue
        result[node] = value
        for t, p in trans[node]:
            if t != node:
                incoming[t] += p * value
    return result
