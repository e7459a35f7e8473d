"""The resolved flow (flow/graph.py): connectors passed through, loops of connectors kept."""

from __future__ import annotations

import pytest

import servicemap as sm
from servicemap.analysis import analyze_blueprint
from servicemap.flow import markov
from servicemap.flow.graph import flow_graph
from servicemap.flow.networkx import to_networkx

PAIR = """\
name: Connector loop
steps:
  - {id: start, kind: terminator, next: a-in}
  - {id: a-in, kind: connector, label: A}
  - {id: a-out, kind: connector, label: A, next: b-in}
  - {id: b-in, kind: connector, label: B}
  - {id: b-out, kind: connector, label: B, next: a-in}
  - {id: done, kind: terminator}
"""


def test_connectors_passed_through_are_no_nodes() -> None:
    g = flow_graph(sm.loads("""\
name: through
steps:
  - {id: s, kind: terminator, next: a1}
  - {id: a1, kind: connector, label: A}
  - {id: a2, kind: connector, label: A, next: b1}
  - {id: b1, kind: connector, label: B}
  - {id: b2, kind: connector, label: B, next: e}
  - {id: e, kind: terminator}
"""))
    assert g.succ == {"s": ["e"], "e": []}
    assert g.connector_loops == {}
    (line,) = g.flows["s"]
    assert (line.target, line.via) == ("e", ("a1", "a2", "b1", "b2"))


def test_a_pair_of_connectors_leading_to_each_other_is_one_trapped_node() -> None:
    """The flow into the loop used to resolve to nothing and vanish: 'start' became an
    end, and no rule saw the trap. Now it arrives at the loop's first exit connector."""
    g = flow_graph(sm.loads(PAIR))
    assert g.succ == {"start": ["a-out"], "a-out": ["a-out"], "done": []}
    assert g.connector_loops == {"a-out": ("a-out", "b-in", "b-out", "a-in")}
    assert g.ends() == ["done"]
    (into,) = g.flows["start"]
    assert (into.target, into.via) == ("a-out", ("a-in",))
    (around,) = g.flows["a-out"]
    assert (around.target, around.index, around.via) == ("a-out", 0, ("b-in", "b-out", "a-in"))
    assert markov.trapped(g) == ["start", "a-out"]
    assert markov.visits(g) is None


@pytest.mark.parametrize("entry", ["a-in", "a-out", "b-in", "b-out"])
def test_every_way_into_a_connector_loop_arrives_at_its_one_node(entry: str) -> None:
    g = flow_graph(sm.loads(PAIR.replace("next: a-in}", f"next: {entry}}}", 1)))
    assert g.succ["start"] == ["a-out"]


def test_a_connector_leading_to_itself_is_a_loop() -> None:
    g = flow_graph(sm.loads("""\
name: self
steps:
  - {id: s, kind: terminator, next: c}
  - {id: c, kind: connector, label: C, next: c}
  - {id: e, kind: terminator}
"""))
    assert g.succ == {"s": ["c"], "c": ["c"], "e": []}
    assert g.connector_loops == {"c": ("c",)}


def test_a_chain_of_connectors_into_a_loop_keeps_the_chain_as_via() -> None:
    text = PAIR.replace("next: a-in}", "next: c-in}", 1) + (
        "  - {id: c-in, kind: connector, label: C}\n"
        "  - {id: c-out, kind: connector, label: C, next: b-in}\n")
    g = flow_graph(sm.loads(text))
    (into,) = g.flows["start"]
    assert (into.target, into.via) == ("a-out", ("c-in", "c-out", "b-in", "b-out", "a-in"))
    assert g.connector_loops == {"a-out": ("a-out", "b-in", "b-out", "a-in")}


def test_a_loop_nobody_enters_is_still_a_node() -> None:
    """Dead connectors leading to each other: unreachable and trapped (SM104, SM105)."""
    g = flow_graph(sm.loads(PAIR.replace("next: a-in}", "next: done}", 1)))
    assert g.succ == {"start": ["done"], "a-out": ["a-out"], "done": []}
    assert "a-out" not in g.reachable(g.starts())


def test_an_exit_with_several_next_steps_continues_at_its_first_in_a_loop_too() -> None:
    """A connector's flow continues at its first next step (SM106 reports the others);
    the loop node keeps that one flow, like the flows into it."""
    g = flow_graph(sm.loads(PAIR.replace("next: b-in}", "next: [b-in, done]}")))
    assert g.succ["a-out"] == ["a-out"]
    assert [f.target for f in g.flows["a-out"]] == ["a-out"]
    assert markov.step_moves(g, "a-out") == ([("a-out", 1.0)], False)


def test_analysis_of_a_connector_loop_refuses_as_a_trap() -> None:
    bp = sm.loads(PAIR)
    with pytest.raises(sm.AnalysisError) as refused:
        sm.analyze(bp)
    assert [p.code for p in refused.value.problems] == ["SM105"]
    with pytest.raises(ValueError, match="no end can be reached from steps 'start', 'a-out'"):
        analyze_blueprint(bp)
    G = to_networkx(bp)
    assert G.nodes["a-out"]["kind"] == "connector" and G.has_edge("a-out", "a-out")
