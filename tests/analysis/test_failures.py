"""Tests of servicemap.analysis.failures: the failure-point table, handoffs, single points."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import servicemap
from servicemap.analysis import failure_points, handoffs, single_points_of_failure
from servicemap.analysis.failures import dominators_of_sink
from servicemap.flow.networkx import to_networkx

MAP = """
name: delivery
lanes:
  - {id: customer, layer: customer}
  - {id: courier, layer: onstage}
  - {id: care, layer: backstage}
steps:
  - {id: order, kind: terminator, lane: customer, next: pack}
  - {id: pack, kind: task, lane: care, accuracy: 90%, next: attempt}
  - id: attempt
    kind: decision
    lane: courier
    fail: rings without waiting
    next:
      - {to: received, label: "yes", probability: 0.93}
      - {to: sorry, label: "no", probability: 0.07, failure: true}
  - {id: sorry, kind: task, lane: care, recovery: true, next: attempt}
  - {id: received, kind: terminator, lane: customer}
"""


def test_failure_table_numbers_and_reasons() -> None:
    G = to_networkx(servicemap.loads(MAP))
    rows = {r.step: r for r in failure_points(G)}
    # visits of attempt: x = 1 + 0.07 x
    v_attempt = 1 / 0.93
    assert rows["attempt"].expected_branch_failures == pytest.approx(0.07 * v_attempt)
    assert rows["attempt"].expected_failures == pytest.approx(0.07 * v_attempt)
    assert rows["pack"].expected_defects == pytest.approx(0.1)
    assert rows["attempt"].reasons[:2] == [
        "fail point: rings without waiting", "failure branch 'no' (7%)"]
    assert "accuracy 90%" in rows["pack"].reasons
    assert "handoff customer → care across the lines of interaction and visibility" in (
        rows["order"].reasons)
    assert "handoff care → courier across the line of visibility" in rows["pack"].reasons
    assert "single point of failure: every case passes here" in rows["pack"].reasons
    assert rows["order"].expected_failures is None  # a handoff alone: no number
    # ranked by expected failures: pack 0.1 > attempt 0.0753
    assert [r.step for r in failure_points(G)][:2] == ["pack", "attempt"]


def test_ties_are_ranked_by_visits() -> None:
    G = nx.DiGraph()
    G.add_nodes_from(["s", "e"], kind="terminator")
    G.add_node("once", fail="x")
    G.add_node("loop", fail="y")
    G.add_node("d", kind="decision")
    nx.add_path(G, ["s", "once", "loop", "d"])
    G.add_edge("d", "loop", probability=0.5)
    G.add_edge("d", "e", probability=0.5)
    # loop and d (a single point of failure) are visited twice, once once; equal
    # visits keep map order
    assert [r.step for r in failure_points(G)] == ["loop", "d", "once"]


def test_handoffs_without_layers_name_lanes_only() -> None:
    G = nx.DiGraph(lanes={"a": None, "b": None})
    G.add_node("x", lane="a")
    G.add_node("y", lane="b")
    G.add_node("z", lane="b")
    G.add_edges_from([("x", "y"), ("y", "z")])
    hs = handoffs(G)
    assert [(h.source, h.target, h.lines) for h in hs] == [("x", "y", ())]
    assert hs[0].reason == "handoff a → b"


def test_single_points_of_failure_by_hand() -> None:
    # s -> a -> (b | c) -> d -> e, plus a rework d -> b: a and d are on every path
    G = nx.DiGraph()
    G.add_nodes_from(["s", "e"], kind="terminator")
    nx.add_path(G, ["s", "a", "b", "d", "e"])
    nx.add_path(G, ["a", "c", "d"])
    G.add_edge("d", "b")
    assert single_points_of_failure(G) == ["a", "d"]


def test_two_starts_have_no_shared_first_step() -> None:
    G = nx.DiGraph()
    G.add_nodes_from(["s1", "s2", "e"], kind="terminator")
    nx.add_path(G, ["s1", "a", "m", "e"])
    nx.add_path(G, ["s2", "b", "m"])
    assert single_points_of_failure(G) == ["m"]


def _dominators_by_networkx(n: int, edges: list[tuple[int, int]], sources: list[int],
                            sinks: list[int]) -> set[int]:
    G = nx.DiGraph(edges)
    G.add_nodes_from(range(n))
    G.add_edges_from(("S", s) for s in sources)
    G.add_edges_from((t, "T") for t in sinks)
    idom = nx.immediate_dominators(G, "S")
    if "T" not in idom:
        return set()
    chain = set()
    x = idom["T"]
    while x != "S":
        chain.add(x)
        x = idom[x]
    return chain


def test_dominator_sweep_agrees_with_networkx_on_random_graphs() -> None:
    rng = np.random.default_rng(7)
    for trial in range(300):
        n = int(rng.integers(2, 25))
        m = int(rng.integers(1, 3 * n))
        src = rng.integers(0, n, m)
        dst = rng.integers(0, n, m)
        sources = sorted(set(rng.integers(0, n, int(rng.integers(1, 3))).tolist()))
        sinks = sorted(set(rng.integers(0, n, int(rng.integers(1, 3))).tolist()))
        ours = dominators_of_sink(n, src, dst, np.array(sources), np.array(sinks))
        edges = list(zip(src.tolist(), dst.tolist(), strict=True))
        assert set(ours) == _dominators_by_networkx(n, edges, sources, sinks), trial
