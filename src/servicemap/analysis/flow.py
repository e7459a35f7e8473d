"""Visits, end probabilities and success probability: the absorbing Markov chain of a map."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..flow.markov import NEGLIGIBLE
from .chain import FloatArray, FlowChain, compile_chain

__all__ = [
    "UnsolvableFlow",
    "end_probabilities",
    "evenly_split_decisions",
    "solve_flow",
    "success_probability",
    "visits",
]


class UnsolvableFlow(ValueError):
    """The visits of a map cannot be found: a loop with no way out (in practice).

    Attributes:
        steps: The steps concerned, in map order: the trapped ones, or those whose
            expected visits are beyond the float range.
    """

    def __init__(self, message: str, steps: list[str]) -> None:
        super().__init__(message)
        self.steps = steps


def solve_flow(chain: FlowChain, row_scale: FloatArray | None = None) -> FloatArray:
    """Solve ``v = s + (D P)ᵀ v`` over all steps with one sparse LU solve.

    ``P`` is the transition matrix (rows of steps without outgoing flow are
    zero, so they absorb), ``s`` the start distribution and ``D`` the diagonal
    of ``row_scale`` (1 when ``None``). With ``D = I`` the solution is the
    expected number of visits of each step per case; at an end it is the
    probability of finishing there.

    Args:
        chain: The compiled map.
        row_scale: Optional factor per step scaling its outgoing row.

    Returns:
        The solution vector, indexed like ``chain.nodes``.

    Raises:
        UnsolvableFlow: (a ``ValueError``) if some steps form a loop with no way
            out (rule SM105): no end can be reached from them through moves more
            likely than :data:`servicemap.flow.markov.NEGLIGIBLE`; or if cases
            would run some steps more often than a float counts (loops each left
            only with a tiny probability, nested deep enough to multiply beyond
            1.8e308 visits).

    Notes:
        One O(n + m) search for loops with no way out (once per chain), then
        one sparse LU factorisation of an n × n matrix with n + m non-zeros;
        for process maps (sparse, nearly acyclic) close to O(n + m).
    """
    n = chain.n
    if n == 0:
        return np.zeros(0)
    if chain.trapped:
        raise UnsolvableFlow(_trapped_message(chain), [chain.nodes[i] for i in chain.trapped])
    weights = chain.prob if row_scale is None else chain.prob * row_scale[chain.src]
    diag = np.arange(n, dtype=np.int64)
    rows = np.concatenate([diag, chain.dst])
    cols = np.concatenate([diag, chain.src])
    data = np.concatenate([np.ones(n), -weights])
    matrix = sp.csc_matrix((data, (rows, cols)), shape=(n, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            solution = np.asarray(spla.spsolve(matrix, chain.start), dtype=np.float64)
        except RuntimeError as exc:  # "Factor is exactly singular"
            raise UnsolvableFlow(_trapped_message(chain), []) from exc
    if solution.shape != (n,):  # pragma: no cover - spsolve returns one value per step
        raise UnsolvableFlow(_trapped_message(chain), [])
    if not np.all(np.isfinite(solution)):
        raise UnsolvableFlow(_overflow_message(chain, solution), [
            chain.nodes[i] for i in np.flatnonzero(~np.isfinite(solution)).tolist()])
    # Round-off can leave tiny negative values at unreachable steps.
    np.maximum(solution, 0.0, out=solution)
    return solution


def _trapped_message(chain: FlowChain) -> str:
    names = [chain.nodes[i] for i in chain.trapped]
    shown = ", ".join(repr(s) for s in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else "")
    steps = f" from steps {shown}" if names else ""
    return (
        f"the flow cannot be solved: no end can be reached{steps} (a loop with no way "
        f"out, or one left only through branches of probability {NEGLIGIBLE:g} or less); "
        "check the map: rule SM105 no-way-out"
    )


def _overflow_message(chain: FlowChain, solution: FloatArray) -> str:
    names = [chain.nodes[i] for i in np.flatnonzero(~np.isfinite(solution)).tolist()]
    shown = ", ".join(repr(s) for s in names[:5]) + (
        f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (
        f"the flow cannot be solved: the expected runs per case of steps {shown} are beyond "
        "the largest number a float holds (1.8e308): loops left only with tiny "
        "probabilities, one inside the other, are in practice loops with no way out; give "
        "their ways out realistic probabilities (rule SM105 no-way-out)"
    )


def visits(G: nx.DiGraph) -> dict[str, float]:
    """Expected number of times one case executes each step, counting rework.

    Args:
        G: The flow graph of a map (:func:`servicemap.to_networkx`).

    Returns:
        Visits per step id. At an end this is the probability of ending there.

    Raises:
        ValueError: if a loop has no way out.

    Notes:
        One sparse linear solve, see :func:`solve_flow`; O(n + m) to build.

    Example:
        A rework loop taken with probability 0.2 is executed 1/(1 - 0.2) times:

        >>> G = nx.DiGraph(arrivals=None)
        >>> G.add_nodes_from([("s", {"kind": "terminator"}), ("e", {"kind": "terminator"}),
        ...                   ("work", {"kind": "task"}), ("ok", {"kind": "decision"})])
        >>> G.add_edges_from([("s", "work"), ("work", "ok")])
        >>> G.add_edge("ok", "work", probability=0.2); G.add_edge("ok", "e", probability=0.8)
        >>> round(visits(G)["work"], 6)
        1.25
    """
    chain = compile_chain(G)
    v = solve_flow(chain)
    return dict(zip(chain.nodes, v.tolist(), strict=True))


def end_probabilities(G: nx.DiGraph) -> dict[str, float]:
    """Probability that a case finishes at each step without outgoing flow.

    Args:
        G: The flow graph of a map.

    Returns:
        Probability per end (every step without outgoing flow); they sum to 1.

    Notes:
        One sparse linear solve.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from([("s", {"kind": "terminator"}), ("d", {"kind": "decision"}),
        ...                   ("a", {"kind": "terminator"}), ("b", {"kind": "terminator"})])
        >>> G.add_edge("s", "d"); G.add_edge("d", "a", probability=0.3)
        >>> G.add_edge("d", "b", probability=0.7)
        >>> {k: round(p, 6) for k, p in end_probabilities(G).items()}
        {'a': 0.3, 'b': 0.7}
    """
    chain = compile_chain(G)
    return end_probabilities_of(chain, solve_flow(chain))


def end_probabilities_of(chain: FlowChain, v: FloatArray) -> dict[str, float]:
    """End probabilities from solved visits (see :func:`end_probabilities`).

    Notes:
        O(n).
    """
    return {chain.nodes[i]: float(v[i]) for i in np.flatnonzero(chain.absorbing)}


def success_probability(G: nx.DiGraph) -> float:
    """Probability that a case finishes at an end whose outcome is success.

    Args:
        G: The flow graph of a map; an end without ``outcome`` counts as success.

    Returns:
        The probability, in [0, 1].

    Notes:
        One sparse linear solve.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_nodes_from([("s", {"kind": "terminator"}), ("d", {"kind": "decision"}),
        ...                   ("a", {"kind": "terminator"}),
        ...                   ("b", {"kind": "terminator", "outcome": "failure"})])
        >>> G.add_edge("s", "d"); G.add_edge("d", "a"); G.add_edge("d", "b")
        >>> success_probability(G)
        0.5
    """
    chain = compile_chain(G)
    return success_probability_of(chain, solve_flow(chain))


def success_probability_of(chain: FlowChain, v: FloatArray) -> float:
    """Success probability from solved visits (see :func:`success_probability`).

    Notes:
        O(n).
    """
    return min(1.0, float(v[chain.success].sum()))


def evenly_split_decisions(G: nx.DiGraph) -> list[str]:
    """Decisions without (complete) branch probabilities, which analysis splits evenly.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_node("d", kind="decision"); G.add_edge("d", "a"); G.add_edge("d", "b")
        >>> evenly_split_decisions(G)
        ['d']

    Notes:
        O(n + m).
    """
    return list(compile_chain(G).even_split)
