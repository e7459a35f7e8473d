"""Tests of servicemap.analysis.flow and chain: visits, end probabilities, start distribution."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import servicemap
from servicemap.analysis import compile_chain, end_probabilities, success_probability, visits
from servicemap.analysis.chain import compile_blueprint
from servicemap.analysis.flow import solve_flow
from servicemap.flow.networkx import to_networkx

EXAMPLES = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.yaml"))

REWORK = """
name: rework
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: work, label: "no", probability: 0.2}
      - {to: e, label: "yes", probability: 0.8}
  - {id: e, kind: terminator}
"""


def test_rework_loop_taken_with_probability_0_2_gives_1_25_visits() -> None:
    G = to_networkx(servicemap.loads(REWORK))
    v = visits(G)
    # geometric number of executions: 1 / (1 - 0.2)
    assert v["work"] == pytest.approx(1.25)
    assert v["ok"] == pytest.approx(1.25)
    assert v["s"] == pytest.approx(1.0)
    assert v["e"] == pytest.approx(1.0)


def test_straight_line_visits_every_step_once() -> None:
    G = nx.DiGraph()
    G.add_nodes_from(["s", "e"], kind="terminator")
    nx.add_path(G, ["s", "a", "b", "c", "e"])
    assert visits(G) == pytest.approx({"s": 1, "a": 1, "b": 1, "c": 1, "e": 1})


def test_nested_loops_match_hand_calculation() -> None:
    # s -> a -> d1 (0.3 back to a) -> b -> d2 (0.5 back to a, 0.5 end)
    # visits of a: x = 1 + 0.3 x + 0.5 * 0.7 x  =>  x = 1 / 0.35
    G = nx.DiGraph()
    G.add_nodes_from(["s", "e"], kind="terminator")
    G.add_nodes_from(["d1", "d2"], kind="decision")
    nx.add_path(G, ["s", "a", "d1"])
    G.add_edge("d1", "a", probability=0.3)
    G.add_edge("d1", "b", probability=0.7)
    G.add_edge("b", "d2")
    G.add_edge("d2", "a", probability=0.5)
    G.add_edge("d2", "e", probability=0.5)
    v = visits(G)
    assert v["a"] == pytest.approx(1 / 0.35)
    assert v["b"] == pytest.approx(0.7 / 0.35)
    assert v["e"] == pytest.approx(1.0)


def test_end_probabilities_and_success() -> None:
    G = to_networkx(servicemap.loads("""
name: ends
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next:
      - {to: good, label: "a", probability: 0.6}
      - {to: d2, label: "b", probability: 0.4}
  - id: d2
    kind: decision
    next:
      - {to: good, label: "c", probability: 0.25}
      - {to: bad, label: "d", probability: 0.75}
  - {id: good, kind: terminator}
  - {id: bad, kind: terminator, outcome: failure}
"""))
    ends = end_probabilities(G)
    assert ends == pytest.approx({"good": 0.6 + 0.4 * 0.25, "bad": 0.4 * 0.75})
    assert success_probability(G) == pytest.approx(0.7)


def test_decision_without_probabilities_is_split_evenly_and_named() -> None:
    G = to_networkx(servicemap.loads("""
name: even
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: a, label: x}, {to: b, label: y}, {to: c, label: z}]
  - {id: a, kind: terminator}
  - {id: b, kind: terminator}
  - {id: c, kind: terminator}
"""))
    chain = compile_chain(G)
    assert chain.even_split == ["d"]
    assert end_probabilities(G) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})


def test_even_split_counts_merged_branches_to_one_target() -> None:
    # two of three branches go to 'a': it gets 2/3
    G = to_networkx(servicemap.loads("""
name: merged
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: a, label: x}, {to: a, label: y}, {to: b, label: z}]
  - {id: a, kind: terminator}
  - {id: b, kind: terminator}
"""))
    assert end_probabilities(G) == pytest.approx({"a": 2 / 3, "b": 1 / 3})


def test_starts_weighted_by_their_arrivals() -> None:
    G = to_networkx(servicemap.loads("""
name: two starts
steps:
  - {id: web, kind: terminator, arrivals: 30/h, next: d}
  - {id: phone, kind: terminator, arrivals: 10/h, next: p}
  - {id: p, kind: task, next: e}
  - {id: d, kind: task, next: e}
  - {id: e, kind: terminator}
"""))
    v = visits(G)
    assert v["d"] == pytest.approx(0.75)
    assert v["p"] == pytest.approx(0.25)
    assert compile_chain(G).arrivals_per_h == pytest.approx(40.0)


def test_starts_without_arrivals_share_the_rest_of_the_maps_arrivals() -> None:
    G = to_networkx(servicemap.loads("""
name: two starts
arrivals: 40/h
steps:
  - {id: web, kind: terminator, arrivals: 10/h, next: d}
  - {id: phone, kind: terminator, next: p}
  - {id: p, kind: task, next: e}
  - {id: d, kind: task, next: e}
  - {id: e, kind: terminator}
"""))
    chain = compile_chain(G)
    assert visits(G)["p"] == pytest.approx(30 / 40)
    assert any("phone" in note for note in chain.notes)


def test_loop_without_way_out_cannot_be_solved() -> None:
    G = nx.DiGraph()
    G.add_nodes_from(["s", "e"], kind="terminator")
    G.add_node("d", kind="decision")
    G.add_edges_from([("s", "d"), ("a", "b"), ("b", "a")])
    G.add_edge("d", "a", probability=0.5)
    G.add_edge("d", "e", probability=0.5)
    with pytest.raises(ValueError, match="no end can be"):
        visits(G)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_compile_from_blueprint_equals_compile_from_networkx(path: Path) -> None:
    bp = servicemap.load(path)
    a = compile_blueprint(bp)
    b = compile_chain(to_networkx(bp))
    assert a.nodes == b.nodes
    assert a.even_split == b.even_split
    key_a = sorted(zip(a.src.tolist(), a.dst.tolist(), a.prob.tolist(), a.failure.tolist(),
                       a.edge_label, strict=True))
    key_b = sorted(zip(b.src.tolist(), b.dst.tolist(), b.prob.tolist(), b.failure.tolist(),
                       b.edge_label, strict=True))
    assert key_a == key_b
    for name in ("duration", "wait", "accuracy", "capacity", "cost", "start"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.lane == b.lane and a.fail == b.fail and a.layers == b.layers
    np.testing.assert_allclose(solve_flow(a), solve_flow(b))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_visits_agree_with_dense_fundamental_matrix(path: Path) -> None:
    # independent method: N = (I - Q)^-1 by dense inversion, visits = s N
    chain = compile_blueprint(servicemap.load(path))
    n = chain.n
    P = np.zeros((n, n))
    np.add.at(P, (chain.src, chain.dst), chain.prob)
    expected = chain.start @ np.linalg.inv(np.eye(n) - P)
    np.testing.assert_allclose(solve_flow(chain), expected, atol=1e-12)
