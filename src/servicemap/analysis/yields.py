"""Yields and failure probabilities of a map: rolled %C&A, first-pass yield, clean success, failing.

Each is an absorption probability of the map's chain, with some moves taken
away (see docs/analysis.md, "Yields and failures"):

- ``clean_success``: a case ends at a success end with every execution
  complete and accurate (rows scaled by ``accuracy_i``);
- ``first_pass_yield`` (strict): the same, and the case is never reworked: it
  takes no rework move (a move back to a step the walk from the starts is
  still inside, a DFS back edge);
- ``rolled_ca``: Martin & Osterling's rolled %C&A, the product of the steps'
  %C&A over the path, each step counted once: ``Π accuracy_i ** min(v_i, 1)``;
- ``expected_failures``: the expected number of failure branches a case takes,
  ``Σ v_i · p_b``; ``failure_probability``: the probability that a case ever
  takes one (the chain with failure branches cut: the mass they would carry).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import depth_first_order

from .chain import BoolArray, FloatArray, FlowChain, IntArray
from .parallel import absorb_parallel

__all__ = ["Yields", "accurate_flow", "back_edges", "yields_of"]


@dataclass(frozen=True)
class Yields:
    """The yield and failure metrics of a map (``None`` where no step gives the data).

    Attributes:
        rolled_ca: Rolled %C&A (Martin & Osterling), ``None`` without accuracies.
        first_pass_yield: P[success end, every execution accurate, no rework].
        clean_success: P[success end, every execution accurate].
        expected_failures: Expected failure branches taken per case (``None`` without any).
        failure_probability: P[a case takes a failure branch at least once].
    """

    rolled_ca: float | None
    first_pass_yield: float
    clean_success: float
    expected_failures: float | None
    failure_probability: float | None


def back_edges(chain: FlowChain) -> BoolArray:
    """The rework moves: DFS back edges of the walk from the starts, in map order.

    Example:
        >>> import networkx as nx
        >>> from .chain import compile_chain
        >>> G = nx.DiGraph([("s", "a"), ("a", "ok"), ("ok", "a"), ("ok", "e")])
        >>> G.nodes["s"]["kind"] = G.nodes["e"]["kind"] = "terminator"
        >>> c = compile_chain(G)
        >>> [(c.nodes[i], c.nodes[j]) for i, j, b in zip(c.src, c.dst, back_edges(c)) if b]
        [('ok', 'a')]

    Notes:
        O(n + m), iterative (no recursion limit). Where the starts reach every
        step (the common case) the search runs in scipy
        (:func:`_back_edges_from_starts`), otherwise in Python.
    """
    n, m = chain.n, chain.src.size
    order = np.argsort(chain.src, kind="stable")
    first_edge = np.searchsorted(chain.src[order], np.arange(n + 1))
    found = _back_edges_from_starts(chain, order, first_edge)
    if found is not None:
        return found
    first = first_edge.tolist()
    order_l, dst = order.tolist(), chain.dst.tolist()
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back = np.zeros(m, dtype=bool)
    roots = [*np.flatnonzero(chain.start > 0).tolist(), *range(n)]
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, first[root])]
        while stack:
            node, k = stack[-1]
            if k == first[node + 1]:
                state[node] = 2
                stack.pop()
                continue
            stack[-1] = (node, k + 1)
            e = order_l[k]
            target = dst[e]
            if state[target] == 1:
                back[e] = True
            elif state[target] == 0:
                state[target] = 1
                stack.append((target, first[target]))
    return back


def _back_edges_from_starts(chain: FlowChain, order: IntArray,
                            first_edge: IntArray) -> BoolArray | None:
    """:func:`back_edges` by scipy's depth-first search, ``None`` unless the starts reach
    every step.

    The same search: a super-root whose edges lead to the starts in order, each
    step's edges in map order (scipy takes a vertex's first unvisited neighbour
    in index order, as the search in Python does). A move ``u → v`` is a back
    edge when ``v`` is on the stack as ``u`` is explored: an ancestor of ``u``
    (or ``u``) in the search tree, so ``pre[v] ≤ pre[u] < pre[v] + size[v]``.

    Notes:
        O(n + m) in C, plus an O(n) Python pass summing the subtree sizes.
    """
    n = chain.n
    starts = np.flatnonzero(chain.start > 0)
    root = n
    indices = np.concatenate([chain.dst[order], starts]).astype(np.int32)
    indptr = np.concatenate([first_edge, [first_edge[-1] + starts.size]]).astype(np.int32)
    graph = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n + 1, n + 1))
    preorder, parent = depth_first_order(graph, root, directed=True, return_predecessors=True)
    if preorder.size != n + 1:  # some step is not reached from the starts
        return None
    pre = np.empty(n + 1, dtype=np.int64)
    pre[preorder] = np.arange(n + 1)
    size = [1] * (n + 1)
    up = parent.tolist()
    for node in reversed(preorder[1:].tolist()):
        size[up[node]] += size[node]
    sizes = np.asarray(size, dtype=np.int64)
    pu, pv = pre[chain.src], pre[chain.dst]
    back: BoolArray = (pv <= pu) & (pu < pv + sizes[chain.dst])
    return back


def _absorb(chain: FlowChain, weights: FloatArray) -> FloatArray:
    """``x = s + Wᵀx`` for edge weights ``W`` (substochastic): expected visits, and at
    an end the probability of arriving there, in the chain with these moves."""
    n = chain.n
    diag = np.arange(n, dtype=np.int64)
    matrix = sp.csc_matrix((np.concatenate([np.ones(n), -weights]),
                            (np.concatenate([diag, chain.dst]), np.concatenate([diag, chain.src]))),
                           shape=(n, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = np.asarray(spla.spsolve(matrix, chain.start), dtype=np.float64).reshape(n)
    return np.maximum(x, 0.0)


def accurate_flow(chain: FlowChain) -> FloatArray:
    """The chain with each step's moves scaled by its accuracy (1 where not given), solved:
    at an end, the probability of arriving there with every execution accurate.

    The one solve :func:`yields_of` (clean success) and
    :func:`~servicemap.analysis.times.rolled_accuracy_of` share: the same
    numbers as ``solve_flow(chain, row_scale=accuracy)``.

    Notes:
        One sparse solve (with parallel work, one per fork/join region level).
    """
    has_acc = ~np.isnan(chain.accuracy)
    acc = np.where(has_acc, chain.accuracy, 1.0)
    absorb = absorb_parallel if "parallel" in chain.kind else _absorb
    return absorb(chain, chain.prob * acc[chain.src])


def yields_of(chain: FlowChain, v: FloatArray, clean: FloatArray | None = None) -> Yields:
    """The yields and failure probabilities of a map from its chain and visits.

    With parallel work a case comes through a fork/join region only if every
    branch does (:func:`~servicemap.analysis.parallel.absorb_parallel`).

    Args:
        chain: The compiled map.
        v: Its visits.
        clean: :func:`accurate_flow` of the chain, if already solved.

    Notes:
        Three sparse solves (accurate, accurate without rework, failure branches
        cut) and an O(n + m) depth-first search. References: Martin & Osterling,
        *Value Stream Mapping* (2014), ch. 4 (%C&A, rolled %C&A); Kemeny & Snell,
        *Finite Markov Chains* (1960), ch. 3 (absorption probabilities).
    """
    if chain.n == 0:
        return Yields(None, 0.0, 0.0, None, None)
    has_acc = ~np.isnan(chain.accuracy)
    acc = np.where(has_acc, chain.accuracy, 1.0)
    good = chain.prob * acc[chain.src]
    ends = chain.success & chain.absorbing
    absorb = absorb_parallel if "parallel" in chain.kind else _absorb
    clean = accurate_flow(chain) if clean is None else clean
    first = absorb(chain, np.where(back_edges(chain), 0.0, good))
    rolled = None
    if has_acc.any():
        with np.errstate(divide="ignore"):
            rolled = math.exp(float(np.minimum(v, 1.0)[has_acc] @ np.log(acc[has_acc])))
    expected = fail = None
    if chain.failure.any():
        fsrc, fprob = chain.src[chain.failure], chain.prob[chain.failure]
        expected = float(v[fsrc] @ fprob)
        cut = absorb(chain, np.where(chain.failure, 0.0, chain.prob))
        # the mass the failure branches carry away; with parallel work, what does not
        # reach an end (a case fails if any branch does)
        fail = min(1.0, float(cut[fsrc] @ fprob) if absorb is _absorb
                   else max(0.0, 1.0 - float(cut[chain.absorbing].sum())))
    fpy, clean_success = float(acc[ends] @ first[ends]), float(acc[ends] @ clean[ends])
    return Yields(rolled, _clip(fpy), _clip(clean_success), expected, fail)


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))
