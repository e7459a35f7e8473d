"""Failure points: fail points, defects, failure branches, handoffs and single points of failure."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .chain import LAYER_ORDER, FloatArray, FlowChain, IntArray, compile_chain
from .flow import solve_flow

__all__ = [
    "LINES",
    "FailurePoint",
    "Handoff",
    "dominators_of_sink",
    "failure_points",
    "handoffs",
    "percent",
    "single_points_of_failure",
]

LINES: tuple[str, ...] = ("interaction", "visibility", "internal interaction")
"""The blueprint lines, top to bottom: LINES[k] lies between layer k and layer k + 1."""


def percent(fraction: float) -> str:
    """A fraction as a short percentage.

    >>> percent(0.9), percent(0.985), percent(0.07)
    ('90%', '98.5%', '7%')
    """
    return f"{fraction * 100:.4g}%"


@dataclass(frozen=True)
class Handoff:
    """A flow from one lane to another.

    Attributes:
        source: Step the flow leaves.
        target: Step it enters.
        from_lane: Lane of the source.
        to_lane: Lane of the target.
        lines: Blueprint lines the flow crosses (``"interaction"``, ``"visibility"``,
            ``"internal interaction"``), known where both lanes have a layer.
    """

    source: str
    target: str
    from_lane: str
    to_lane: str
    lines: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """``"handoff customer → courier across the line of interaction"``.

        >>> Handoff("a", "b", "care", "courier", ("visibility",)).reason
        'handoff care → courier across the line of visibility'
        >>> Handoff("a", "b", "x", "y", ("interaction", "visibility")).reason
        'handoff x → y across the lines of interaction and visibility'
        """
        text = f"handoff {self.from_lane} → {self.to_lane}"
        if len(self.lines) == 1:
            text += f" across the line of {self.lines[0]}"
        elif self.lines:
            text += f" across the lines of {', '.join(self.lines[:-1])} and {self.lines[-1]}"
        return text


@dataclass(slots=True)
class FailurePoint:
    """A row of the failure-point table.

    Attributes:
        step: Step id.
        label: Step label.
        lane: Step lane, or ``None``.
        visits: Expected executions per case.
        expected_defects: ``v · (1 - accuracy)``; ``None`` where no accuracy is given.
        failure_probability: ``Σ v · p_b`` over the step's failure branches; ``None`` if none.
        expected_failures: Sum of the two above; ``None`` where both are.
        reasons: Why the step is listed, for a person.
        flags: Short machine-readable tags: ``fail-point`` (the step can fail:
            a declared fail point, an accuracy below 1 or a failure branch;
            ``reasons`` says which), ``handoff``, ``single-point-of-failure``.
    """

    step: str
    label: str
    lane: str | None
    visits: float
    expected_defects: float | None
    failure_probability: float | None
    expected_failures: float | None
    reasons: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Plain data, as in ``analyze --format json``."""
        return {
            "step": self.step,
            "expected_failures": self.expected_failures,
            "reasons": list(self.reasons),
            "label": self.label,
            "lane": self.lane,
            "visits": self.visits,
            "expected_defects": self.expected_defects,
            "failure_probability": self.failure_probability,
            "flags": list(self.flags),
        }


def _crossed(layer_a: str | None, layer_b: str | None) -> tuple[str, ...]:
    if layer_a not in LAYER_ORDER or layer_b not in LAYER_ORDER:
        return ()
    lo, hi = sorted((LAYER_ORDER[layer_a], LAYER_ORDER[layer_b]))
    return LINES[lo:hi]


def handoffs_of(chain: FlowChain) -> list[Handoff]:
    """The handoffs of a compiled map (see :func:`handoffs`)."""
    codes: dict[str | None, int] = {None: -1}
    lane_code = np.fromiter(
        (codes.setdefault(lane, len(codes) - 1) for lane in chain.lane), dtype=np.int64,
        count=chain.n,
    )
    a = lane_code[chain.src]
    b = lane_code[chain.dst]
    result = []
    for e in np.flatnonzero((a >= 0) & (b >= 0) & (a != b)).tolist():
        u, v = int(chain.src[e]), int(chain.dst[e])
        la, lb = chain.lane[u], chain.lane[v]
        assert la is not None and lb is not None
        lines = _crossed(chain.layers.get(la), chain.layers.get(lb))
        result.append(Handoff(chain.nodes[u], chain.nodes[v], la, lb, lines))
    return result


def handoffs(G: nx.DiGraph) -> list[Handoff]:
    """Flows between two lanes, with the blueprint lines they cross.

    Args:
        G: The flow graph of a map; ``G.graph["lanes"]`` maps lane ids to layers.

    Returns:
        One :class:`Handoff` per flow whose two steps sit in different lanes.

    Notes:
        O(n + m).

    Example:
        >>> G = nx.DiGraph(lanes={"customer": "customer", "courier": "onstage"})
        >>> G.add_node("a", lane="customer"); G.add_node("b", lane="courier")
        >>> G.add_edge("a", "b")
        >>> [h.reason for h in handoffs(G)]
        ['handoff customer → courier across the line of interaction']
    """
    return handoffs_of(compile_chain(G))


def _csr(n: int, src: IntArray, dst: IntArray) -> tuple[list[int], list[int]]:
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr.tolist(), dst[order].tolist()


def dominators_of_sink(
    n: int, src: IntArray, dst: IntArray, sources: IntArray, sinks: IntArray
) -> list[int]:
    """Steps every path from the sources to the sinks passes (they dominate the sinks).

    Adds a super-source ``S`` before ``sources`` and a super-sink ``T`` after
    ``sinks`` and returns the vertices other than ``S``/``T`` that dominate
    ``T`` from ``S``, in path order. Method: take one ``S → T`` path
    ``p_0 … p_k`` (breadth-first). Only path vertices can dominate ``T``;
    ``p_j`` does unless some search from ``p_0 … p_{j-1}`` through vertices off
    the path reaches a path vertex beyond ``p_j``. One sweep along the path,
    each off-path vertex searched once, finds them all.

    Args:
        n: Number of vertices ``0 … n-1``.
        src, dst: The edges.
        sources: Vertices cases enter at.
        sinks: Vertices cases leave at.

    Returns:
        The dominating vertices (empty if no sink is reachable).

    Notes:
        O(n + m) time and memory, iterative (no recursion). Agrees with the
        intersection of the dominator chains of networkx's
        ``immediate_dominators`` (tested), which is O((n + m) log n) and slower.

    Example:
        0 → 1 → {2, 3} → 4: vertices 0, 1 and 4 dominate; 2 and 3 do not.

        >>> src = np.array([0, 1, 1, 2, 3]); dst = np.array([1, 2, 3, 4, 4])
        >>> dominators_of_sink(5, src, dst, np.array([0]), np.array([4]))
        [0, 1, 4]
    """
    s, t = n, n + 1
    all_src = np.concatenate([src, np.full(len(sources), s), np.asarray(sinks, dtype=np.int64)])
    all_dst = np.concatenate([dst, np.asarray(sources, dtype=np.int64), np.full(len(sinks), t)])
    indptr, adj = _csr(n + 2, all_src.astype(np.int64), all_dst.astype(np.int64))
    parent = [-1] * (n + 2)
    parent[s] = s
    frontier = [s]
    found = False
    while frontier and not found:
        nxt: list[int] = []
        for u in frontier:
            for w in adj[indptr[u]:indptr[u + 1]]:
                if parent[w] < 0:
                    parent[w] = u
                    if w == t:
                        found = True
                        break
                    nxt.append(w)
            if found:
                break
        frontier = nxt
    if not found:
        return []
    path = [t]
    while path[-1] != s:
        path.append(parent[path[-1]])
    path.reverse()
    pos = [-1] * (n + 2)
    for j, u in enumerate(path):
        pos[u] = j
    seen = [False] * (n + 2)
    reach = 0
    result = []
    for j, p in enumerate(path):
        if 0 < j < len(path) - 1 and reach <= j:
            result.append(p)
        stack = [p]
        while stack:
            u = stack.pop()
            for w in adj[indptr[u]:indptr[u + 1]]:
                k = pos[w]
                if k >= 0:
                    if k > reach:
                        reach = k
                elif not seen[w]:
                    seen[w] = True
                    stack.append(w)
    return result


def single_points_of_failure_of(chain: FlowChain) -> list[str]:
    """Single points of failure of a compiled map (see :func:`single_points_of_failure`)."""
    sources = np.flatnonzero(chain.start > 0)
    sinks = np.flatnonzero(chain.absorbing)
    term = chain.is_terminator()
    dom = dominators_of_sink(chain.n, chain.src, chain.dst, sources, sinks)
    return [chain.nodes[i] for i in dom if not term[i]]


def single_points_of_failure(G: nx.DiGraph) -> list[str]:
    """Steps (other than terminators) that every case passes on its way to an end.

    A step dominates all ends from the starts when removing it would cut
    every start off from every end: a failure there stops every case.

    Notes:
        O(n + m), see :func:`dominators_of_sink`.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from(["s", "e"], kind="terminator")
        >>> G.add_nodes_from(["a", "b", "c", "d"], kind="task")
        >>> nx.add_path(G, ["s", "a", "b", "d", "e"]); nx.add_path(G, ["a", "c", "d"])
        >>> single_points_of_failure(G)
        ['a', 'd']
    """
    return single_points_of_failure_of(compile_chain(G))


def failure_points_of(chain: FlowChain, v: FloatArray) -> list[FailurePoint]:
    """The ranked failure-point table of a compiled map with solved visits."""
    n = chain.n
    acc = chain.accuracy
    has_acc = ~np.isnan(acc)
    defects = np.where(has_acc, v * (1.0 - np.where(has_acc, acc, 1.0)), np.nan)
    fail_edges = np.flatnonzero(chain.failure)
    fsrc = chain.src[fail_edges]
    fail_prob = np.zeros(n)
    np.add.at(fail_prob, fsrc, v[fsrc] * chain.prob[fail_edges])
    has_fb = np.zeros(n, dtype=bool)
    has_fb[fsrc] = True
    has_fail = np.array([t is not None for t in chain.fail], dtype=bool)
    branch_reasons: dict[int, list[str]] = {}
    for e in fail_edges.tolist():
        i = int(chain.src[e])
        name = chain.edge_label[e] or chain.nodes[int(chain.dst[e])]
        branch_reasons.setdefault(i, []).append(
            f"failure branch '{name}' ({percent(float(chain.prob[e]))})")
    handoff_reasons: dict[int, list[str]] = {}
    for h in handoffs_of(chain):
        lst = handoff_reasons.setdefault(chain.index[h.source], [])
        reason = h.reason
        if reason not in lst:
            lst.append(reason)
    spof = {chain.index[node] for node in single_points_of_failure_of(chain)}
    listed = has_fail | (has_acc & (acc < 1.0)) | has_fb
    listed[list(handoff_reasons)] = True
    listed[list(spof)] = True

    idx = np.flatnonzero(listed)
    expected = np.where(has_acc, defects, 0.0) + fail_prob
    known = has_acc | has_fb
    order = idx[np.lexsort((idx, -v[idx], -np.where(known, expected, 0.0)[idx]))]
    spof_reason = "single point of failure: every case passes here"
    acc_l, defects_l, fail_prob_l, expected_l, v_l = (
        x.tolist() for x in (acc, defects, fail_prob, expected, v))
    has_acc_l, has_fb_l, known_l = (x.tolist() for x in (has_acc, has_fb, known))
    rows: list[FailurePoint] = []
    nodes, labels, lanes, fail = chain.nodes, chain.label, chain.lane, chain.fail
    append = rows.append
    get_branch, get_handoff = branch_reasons.get, handoff_reasons.get
    for i in order.tolist():
        text = fail[i]
        reasons = [f"fail point: {text}"] if text is not None else []
        with_acc = has_acc_l[i]
        if with_acc and acc_l[i] < 1.0:
            reasons.append(f"accuracy {percent(acc_l[i])}")
        more = get_branch(i)
        if more:
            reasons += more
        flags = ["fail-point"] if reasons else []  # a declared fail point, defects, a branch
        more = get_handoff(i)
        if more:
            reasons += more
            flags.append("handoff")
        if i in spof:
            reasons.append(spof_reason)
            flags.append("single-point-of-failure")
        append(FailurePoint(
            nodes[i], labels[i], lanes[i], v_l[i],
            defects_l[i] if with_acc else None,
            fail_prob_l[i] if has_fb_l[i] else None,
            expected_l[i] if known_l[i] else None,
            reasons, flags,
        ))
    return rows


def failure_points(G: nx.DiGraph) -> list[FailurePoint]:
    """The ranked failure-point table of a map.

    One row per step that is a declared fail point, has an accuracy below 1,
    is the source of a failure branch, hands off to another lane, or is a
    single point of failure. Ranked by expected failures per case (defects plus
    failure-branch probability; a row without either counts as 0), then by
    visits, then by map order.

    Args:
        G: The flow graph of a map.

    Returns:
        The rows, most failures first.

    Notes:
        One sparse solve for the visits, then O(n + m + r log r) for r rows.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from(["s", "ok", "bad"], kind="terminator")
        >>> G.add_node("a", kind="task", accuracy=0.9, fail="typo in address")
        >>> G.add_node("d", kind="decision"); nx.add_path(G, ["s", "a", "d"])
        >>> G.add_edge("d", "ok", probability=0.93, labels=["yes"], failure=False)
        >>> G.add_edge("d", "bad", probability=0.07, labels=["no"], failure=True)
        >>> [(r.step, round(r.expected_failures, 3)) for r in failure_points(G)]
        [('a', 0.1), ('d', 0.07)]
        >>> failure_points(G)[1].reasons
        ["failure branch 'no' (7%)", 'single point of failure: every case passes here']
    """
    chain = compile_chain(G)
    return failure_points_of(chain, solve_flow(chain))
