"""Property tests: on random acyclic-plus-rework maps, flow is conserved and ends sum to 1."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicemap.analysis import compile_chain, single_points_of_failure
from servicemap.analysis.flow import end_probabilities_of, solve_flow


@st.composite
def rework_maps(draw: st.DrawFn) -> nx.DiGraph:
    """Steps 1..n in order after a start 0; every step flows forward (so an end is
    always reachable); decisions may also send work back (rework)."""
    n = draw(st.integers(2, 30))
    n_ends = draw(st.integers(1, 3))
    G = nx.DiGraph()
    G.add_node(0, kind="terminator")
    ends = list(range(n + 1, n + 1 + n_ends))
    for e in ends:
        G.add_node(e, kind="terminator", outcome=draw(st.sampled_from([None, "failure"])))
    G.add_edge(0, 1)
    for i in range(1, n + 1):
        later = list(range(i + 1, n + 1)) + ends
        if draw(st.booleans()):
            G.add_node(i, kind="decision")
            fwd = draw(st.lists(st.sampled_from(later), min_size=1, max_size=3, unique=True))
            back = draw(st.lists(st.integers(1, i), max_size=2, unique=True))
            targets = fwd + back
            raw = [draw(st.floats(0.05, 1.0)) for _ in targets]
            with_p = draw(st.booleans())
            for t, w in zip(targets, raw, strict=True):
                G.add_edge(i, t, probability=w / sum(raw) if with_p else None,
                           labels=[f"to{t}"])
        else:
            G.add_node(i, kind="task")
            G.add_edge(i, draw(st.sampled_from(later)))
    return G


@settings(max_examples=150, deadline=None)
@given(rework_maps())
def test_flow_conservation_and_end_probabilities(G: nx.DiGraph) -> None:
    chain = compile_chain(G)
    v = solve_flow(chain)
    inflow = np.zeros(chain.n)
    np.add.at(inflow, chain.dst, v[chain.src] * chain.prob)
    # visits = what enters (from the start distribution and from other steps) ...
    np.testing.assert_allclose(v, chain.start + inflow, atol=1e-9)
    # ... = what leaves, at every step that is not an end
    outflow = np.zeros(chain.n)
    np.add.at(outflow, chain.src, v[chain.src] * chain.prob)
    inner = ~chain.absorbing
    np.testing.assert_allclose(outflow[inner], v[inner], atol=1e-9)
    ends = end_probabilities_of(chain, v)
    assert sum(ends.values()) == pytest.approx(1.0)
    assert all(p >= -1e-12 for p in ends.values())


@settings(max_examples=100, deadline=None)
@given(rework_maps())
def test_single_points_of_failure_agree_with_networkx_dominators(G: nx.DiGraph) -> None:
    H = G.copy()
    # starts: terminators without incoming flow (an unreachable end is one too)
    H.add_edges_from(("S", x) for x in G
                     if G.nodes[x]["kind"] == "terminator" and G.in_degree(x) == 0)
    H.add_edges_from((e, "T") for e in G if G.out_degree(e) == 0)
    idom = nx.immediate_dominators(H, "S")
    expected = set()
    x = idom["T"]
    while x != "S":
        if G.nodes[x].get("kind") != "terminator":
            expected.add(x)
        x = idom[x]
    assert set(single_points_of_failure(G)) == expected
