"""Failure points: fail points, defects, failure branches, handoffs and single points of failure."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from ..model import LINES
from .chain import (
    LAYER_ORDER,
    FloatArray,
    FlowChain,
    IntArray,
    compile_chain,
    floats_or_none,
)
from .flow import solve_flow
from .parallel import serialised_edges

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
        expected_branch_failures: ``Σ v · p_b`` over the step's failure branches (an expected
            count, not a probability); ``None`` if none.
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
    expected_branch_failures: float | None
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
            "expected_branch_failures": self.expected_branch_failures,
            "flags": list(self.flags),
        }


def _crossed(layer_a: str | None, layer_b: str | None) -> tuple[str, ...]:
    if layer_a not in LAYER_ORDER or layer_b not in LAYER_ORDER:
        return ()
    lo, hi = sorted((LAYER_ORDER[layer_a], LAYER_ORDER[layer_b]))
    return LINES[lo:hi]


def handoffs_of(chain: FlowChain) -> list[Handoff]:
    """The handoffs of a compiled map (see :func:`handoffs`).

    Notes:
        O(n + m).
    """
    lane_code = _lane_codes(chain)
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
        O(n + m) time and memory, iterative (no recursion). The breadth-first
        search and the edges between path vertices are vectorised; only the
        searches off the path run in Python. Agrees with the intersection of
        the dominator chains of networkx's ``immediate_dominators`` (tested),
        which is O((n + m) log n) and slower.

    Example:
        0 → 1 → {2, 3} → 4: vertices 0, 1 and 4 dominate; 2 and 3 do not.

        >>> src = np.array([0, 1, 1, 2, 3]); dst = np.array([1, 2, 3, 4, 4])
        >>> dominators_of_sink(5, src, dst, np.array([0]), np.array([4]))
        [0, 1, 4]
    """
    s, t = n, n + 1
    size = n + 2
    all_src = np.concatenate([np.asarray(src, dtype=np.int64), np.full(len(sources), s),
                              np.asarray(sinks, dtype=np.int64)])
    all_dst = np.concatenate([np.asarray(dst, dtype=np.int64),
                              np.asarray(sources, dtype=np.int64), np.full(len(sinks), t)])
    graph = sp.csr_matrix((np.ones(all_src.size), (all_src, all_dst)), shape=(size, size))
    _, parent = breadth_first_order(graph, s, directed=True, return_predecessors=True)
    if parent[t] < 0:
        return []
    # The path S → T, from the breadth-first tree.
    up = parent.tolist()
    path = [t]
    while path[-1] != s:
        path.append(up[path[-1]])
    path.reverse()
    length = len(path)
    pos = np.full(size, -1, dtype=np.int64)
    pos[path] = np.arange(length)
    # far[j]: the furthest path position that p_j reaches directly or through
    # off-path vertices not searched from an earlier path vertex.
    far = np.zeros(length, dtype=np.int64)
    from_path = pos[all_src]
    to_pos = pos[all_dst]
    on = (from_path >= 0) & (to_pos >= 0)
    np.maximum.at(far, from_path[on], to_pos[on])
    leave = np.flatnonzero((from_path >= 0) & (to_pos < 0))
    if leave.size:
        leave = leave[np.argsort(from_path[leave], kind="stable")]
        far = _reach_off_path(graph, pos, far, from_path[leave].tolist(),
                              all_dst[leave].tolist())
    # p_j dominates unless p_0 … p_{j-1} reach beyond it.
    reach = np.concatenate([[0], np.maximum.accumulate(far)[:-1]])
    at = np.arange(length)
    keep = np.flatnonzero((reach <= at) & (at > 0) & (at < length - 1))
    return [path[j] for j in keep.tolist()]


def _reach_off_path(graph: sp.csr_matrix, pos: IntArray, far: IntArray, from_path: list[int],
                    off: list[int]) -> IntArray:
    """``far`` raised by the searches off the path: from path position ``from_path[e]``
    through off-path vertex ``off[e]``, each off-path vertex searched once, earliest first.

    Notes:
        O(n + m): every off-path vertex and its edges are visited once.
    """
    indptr, adj = graph.indptr.tolist(), graph.indices.tolist()
    pos_l = pos.tolist()
    far_l = far.tolist()
    seen = bytearray(len(pos_l))
    for j, w in zip(from_path, off, strict=True):
        if seen[w]:
            continue
        seen[w] = 1
        best = far_l[j]
        stack = [w]
        while stack:
            u = stack.pop()
            for x in adj[indptr[u]:indptr[u + 1]]:
                k = pos_l[x]
                if k >= 0:
                    if k > best:
                        best = k
                elif not seen[x]:
                    seen[x] = 1
                    stack.append(x)
        far_l[j] = best
    return np.asarray(far_l, dtype=np.int64)


def single_points_of_failure_of(chain: FlowChain) -> list[str]:
    """Single points of failure of a compiled map (see :func:`single_points_of_failure`).

    Notes:
        O(n + m), see :func:`dominators_of_sink`.
    """
    return list(map(chain.nodes.__getitem__, _single_points_of_failure(chain)))


def _single_points_of_failure(chain: FlowChain) -> list[int]:
    """Positions of the single points of failure, in path order."""
    sources = np.flatnonzero(chain.start > 0)
    sinks = np.flatnonzero(chain.absorbing)
    # parallel work: a case passes every branch, as if they ran one after another
    src, dst = serialised_edges(chain) if "parallel" in chain.kind else (chain.src, chain.dst)
    dom = np.asarray(dominators_of_sink(chain.n, src, dst, sources, sinks), dtype=np.int64)
    out: list[int] = dom[~chain.terminator[dom]].tolist()
    return out


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


def _lane_codes(chain: FlowChain) -> IntArray:
    """A number per step for its lane (in order of first use), -1 for none."""
    codes = {lane: k for k, lane in enumerate(dict.fromkeys(chain.lane))}
    codes[None] = -1
    return np.fromiter(map(codes.__getitem__, chain.lane), dtype=np.int64, count=chain.n)


def _handoff_reasons(chain: FlowChain) -> dict[int, list[str]]:
    """The distinct handoff reasons (:attr:`Handoff.reason`) of each step that hands off.

    The reason depends on the two lanes only, so it is written once per pair.
    """
    lane_code = _lane_codes(chain)
    a = lane_code[chain.src]
    b = lane_code[chain.dst]
    edges = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    lanes, nodes = chain.lane, chain.nodes
    texts: dict[tuple[str | None, str | None], str] = {}
    out: dict[int, list[str]] = {}
    for u, v in zip(chain.src[edges].tolist(), chain.dst[edges].tolist(), strict=True):
        la, lb = lanes[u], lanes[v]
        text = texts.get((la, lb))
        if text is None:
            assert la is not None and lb is not None
            lines = _crossed(chain.layers.get(la), chain.layers.get(lb))
            text = texts[la, lb] = Handoff(nodes[u], nodes[v], la, lb, lines).reason
        reasons = out.get(u)
        if reasons is None:
            out[u] = [text]
        elif text not in reasons:
            reasons.append(text)
    return out


def _branch_reasons(chain: FlowChain, fail_edges: IntArray) -> dict[int, list[str]]:
    """``failure branch 'name' (p%)`` for each failure edge, by source step, in edge order."""
    nodes, elabel = chain.nodes, chain.edge_label
    texts: dict[tuple[str, float], str] = {}
    out: dict[int, list[str]] = {}
    for e, i, j, p in zip(fail_edges.tolist(), chain.src[fail_edges].tolist(),
                          chain.dst[fail_edges].tolist(), chain.prob[fail_edges].tolist(),
                          strict=True):
        name = elabel[e] or nodes[j]
        text = texts.get((name, p))
        if text is None:
            text = texts[name, p] = f"failure branch '{name}' ({percent(p)})"
        reasons = out.get(i)
        if reasons is None:
            out[i] = [text]
        else:
            reasons.append(text)
    return out


def failure_points_of(chain: FlowChain, v: FloatArray) -> list[FailurePoint]:
    """The ranked failure-point table of a compiled map with solved visits.

    Notes:
        O(n + m + r log r) for r rows.
    """
    return failure_table_of(chain, v)[0]


_FLAG_SETS: tuple[tuple[str, ...], ...] = tuple(
    tuple(flag for flag, on in zip(("fail-point", "handoff", "single-point-of-failure"),
                                   (code & 1, code & 2, code & 4), strict=True) if on)
    for code in range(8)
)
"""The flags of a failure point by code: 1 fail-point, 2 handoff, 4 single point of failure."""


_SPOF_REASON = "single point of failure: every case passes here"


def _row_reasons(chain: FlowChain, steps: list[int], low_acc: list[bool], spof: list[bool],
                 branch_reasons: dict[int, list[str]],
                 handoff_reasons: dict[int, list[str]]) -> list[list[str]]:
    """Why each row's step is listed, in words: fail point, accuracy, failure branches,
    handoffs, single point of failure.

    Notes:
        O(r) for r rows.
    """
    reasons: list[list[str]] = []
    append = reasons.append
    get_branch, get_handoff = branch_reasons.get, handoff_reasons.get
    acc = chain.accuracy.tolist()
    for i, text, low, single in zip(steps, map(chain.fail.__getitem__, steps), low_acc, spof,
                                    strict=True):
        mine = [f"fail point: {text}"] if text is not None else []
        if low:
            mine.append(f"accuracy {percent(acc[i])}")
        more = get_branch(i)
        if more:
            mine += more
        more = get_handoff(i)
        if more:
            mine += more
        if single:
            mine.append(_SPOF_REASON)
        append(mine)
    return reasons


def failure_table_of(
    chain: FlowChain, v: FloatArray
) -> tuple[list[FailurePoint], list[int], list[tuple[str, ...]]]:
    """:func:`failure_points_of`, the position of each row's step in ``chain.nodes``
    and each row's flags as a tuple (one shared tuple per combination).

    Notes:
        O(n + m) for the reasons and the dominator sweep, O(r log r) to rank r rows.
    """
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
    fail = chain.fail
    has_fail = np.array([t is not None for t in fail], dtype=bool)
    branch_reasons = _branch_reasons(chain, fail_edges)
    handoff_reasons = _handoff_reasons(chain)
    spof = np.zeros(n, dtype=bool)
    spof[_single_points_of_failure(chain)] = True
    low_acc = has_acc & (acc < 1.0)
    handoff = np.zeros(n, dtype=bool)
    handoff[list(handoff_reasons)] = True
    can_fail = has_fail | low_acc | has_fb  # a declared fail point, defects, a failure branch
    listed = can_fail | handoff | spof

    idx = np.flatnonzero(listed)
    expected = np.where(has_acc, defects, 0.0) + fail_prob
    known = has_acc | has_fb
    order = idx[np.lexsort((idx, -v[idx], -np.where(known, expected, 0.0)[idx]))]
    # Every column in row order as a plain list; the reasons need a pass of their own.
    steps = order.tolist()
    flag_sets = list(map(_FLAG_SETS.__getitem__, (
        can_fail[order] * 1 + handoff[order] * 2 + spof[order] * 4).tolist()))
    reasons = _row_reasons(chain, steps, low_acc[order].tolist(), spof[order].tolist(),
                           branch_reasons, handoff_reasons)
    rows = list(map(
        FailurePoint,
        map(chain.nodes.__getitem__, steps),
        map(chain.label.__getitem__, steps),
        map(chain.lane.__getitem__, steps),
        v[order].tolist(),
        floats_or_none(defects[order], has_acc[order]),
        floats_or_none(fail_prob[order], has_fb[order]),
        floats_or_none(expected[order], known[order]),
        reasons,
        map(list, flag_sets),
    ))
    return rows, steps, flag_sets


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
