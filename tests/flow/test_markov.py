"""The Markov semantics (flow/markov.py) and SM501's pure-Python solver, against the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.analysis import analyze_blueprint
from servicemap.analysis import visits as sparse_visits
from servicemap.flow import markov
from servicemap.flow.graph import flow_graph
from servicemap.flow.markov import visits
from servicemap.flow.networkx import to_networkx
from servicemap.rules import overloaded
from servicemap.rules.base import Context

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_component_solve_matches_sparse_solve(path: Path) -> None:
    bp = sm.load(path)
    ours = visits(flow_graph(bp))
    assert ours is not None
    theirs = sparse_visits(to_networkx(bp))
    assert set(theirs) <= set(ours)
    for step, v in theirs.items():
        assert ours[step] == pytest.approx(v, rel=1e-9, abs=1e-12), step


def test_trap_loop_has_no_solution() -> None:
    bp = sm.loads("""
name: trap
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, next: b}
  - {id: b, kind: task, next: a}
  - {id: e, kind: terminator}
""")
    assert visits(flow_graph(bp)) is None


@pytest.mark.parametrize("map_arrivals", ["", "arrivals: 40/h\n", "arrivals: 20/h\n"])
def test_starts_without_arrivals_get_what_the_analysis_gives_them(map_arrivals: str) -> None:
    """SM501's visits and the analysis' agree when only some starts give arrivals:
    the others share what the map's arrivals leave over (here 10/h of 40/h), or
    get nothing."""
    bp = sm.loads(f"""
name: two doors
{map_arrivals}steps:
  - {{id: web, kind: terminator, arrivals: 30/h, next: desk}}
  - {{id: phone, kind: terminator, next: call}}
  - {{id: call, kind: task, duration: 5m, next: desk}}
  - {{id: desk, kind: task, duration: 2m, capacity: 2, next: e}}
  - {{id: e, kind: terminator}}
""")
    rate = bp.arrivals.per_hour if bp.arrivals else None
    ours = visits(flow_graph(bp), map_rate=rate)
    assert ours is not None
    expected_call = 0.25 if rate == 40 else 0.0
    assert ours["call"] == pytest.approx(expected_call)
    theirs = {row.id: row.visits for row in sm.analyze(bp).steps}
    for step, v in theirs.items():
        assert ours[step] == pytest.approx(v, rel=1e-9, abs=1e-12), step


# -- the semantics, defined once (flow/markov.py) -----------------------------

UNLABELLED = """
name: unlabelled branches
arrivals: 10/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 2m, capacity: 1, next: d}
  - id: d
    kind: decision
    next: [{to: w}, {to: w}, {to: e}]
  - {id: e, kind: terminator}
"""


def test_unlabelled_branches_to_one_step_count_once_each_in_both_solvers() -> None:
    """Branches are alternatives: [w, w, e] sends 2/3 back to w, so w runs
    1 / (1 - 2/3) = 3 times per case, in SM501 and in the analysis alike."""
    bp = sm.loads(UNLABELLED)
    g = flow_graph(bp)
    assert markov.step_moves(g, "d") == ([("w", 2 / 3), ("e", 1 / 3)], True)
    ours = visits(g)
    assert ours is not None
    assert ours["w"] == pytest.approx(3.0)
    assert sparse_visits(to_networkx(bp))["w"] == pytest.approx(3.0)
    analysed = analyze_blueprint(bp)
    assert analysed.table["visits"][analysed.table["id"].index("w")] == pytest.approx(3.0)
    # utilisation 10/h * 3 visits * 2 min / 1 server = 1: SM501 and analyze agree
    rho = overloaded.utilisations(Context(bp))["w"]
    assert rho == pytest.approx(1.0)
    assert next(b for b in analysed.bottlenecks if b.step == "w").utilisation == pytest.approx(rho)


def test_to_networkx_keeps_how_many_branches_an_edge_stands_for() -> None:
    G = to_networkx(sm.loads(UNLABELLED))
    assert G.edges["d", "w"]["branches"] == 2
    assert G.edges["d", "e"]["branches"] == 1


def test_merged_edge_without_some_probability_has_none() -> None:
    """A probability on one of two branches to one step is not the edge's probability."""
    G = to_networkx(sm.loads("""
name: partial
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: a, label: x, probability: 0.5}, {to: a, label: y}, {to: b, label: z,
           probability: 0.5}]
  - {id: a, kind: terminator}
  - {id: b, kind: terminator}
"""))
    assert G.edges["d", "a"]["probability"] is None
    # some probabilities missing: each of the three branches gets 1/3
    assert sparse_visits(G)["a"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("targets", "probabilities", "decision", "expected"), [
    (["a"], None, False, ([("a", 1.0)], False)),
    (["a", "b"], None, False, ([("a", 0.5), ("b", 0.5)], True)),  # an implicit split (SM106)
    (["a", "a"], None, False, ([("a", 1.0)], False)),
    (["a", "b"], [0.3, 0.7], True, ([("a", 0.3), ("b", 0.7)], False)),
    (["a", "b", "a"], [0.25, 0.5, 0.25], True, ([("a", 0.5), ("b", 0.5)], False)),
    (["a", "b", "a"], [0.25, None, 0.25], True, ([("a", 2 / 3), ("b", 1 / 3)], True)),
    (["a"], None, True, ([("a", 1.0)], True)),
    (["a", "b"], [0.3, 0.7], False, ([("a", 0.5), ("b", 0.5)], True)),  # only decisions
    ([], None, True, ([], False)),
])
def test_moves_follow_the_spec(targets: list[str], probabilities: list[float | None] | None,
                               decision: bool,
                               expected: tuple[list[tuple[str, float]], bool]) -> None:
    got, even = markov.moves(targets, probabilities, decision=decision)
    assert even == expected[1]
    assert [t for t, _ in got] == [t for t, _ in expected[0]]
    assert [p for _, p in got] == pytest.approx([p for _, p in expected[0]])


@pytest.mark.parametrize(("rates", "map_rate", "expected"), [
    ([], None, []),
    ([None, None, None], None, [1 / 3] * 3),
    ([30.0, 10.0], None, [0.75, 0.25]),
    ([30.0, 10.0], 100.0, [0.75, 0.25]),  # every start says: the map's rate only scales
    ([30.0, None], None, [1.0, 0.0]),
    ([30.0, None, None], 50.0, [0.6, 0.2, 0.2]),  # the other two share 20/h
    ([30.0, None], 20.0, [1.0, 0.0]),  # nothing left over
    ([0.0, 0.0], None, [0.5, 0.5]),
])
def test_start_shares_follow_the_spec(rates: list[float | None], map_rate: float | None,
                                      expected: list[float]) -> None:
    assert markov.start_shares(rates, map_rate) == pytest.approx(expected)


# -- a loop that cases (almost) never leave -----------------------------------

def _loop(exit_probability: str, redo_probability: str) -> str:
    return f"""
name: almost no way out
arrivals: 10/h
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 1m, capacity: 1, next: d}}
  - id: d
    kind: decision
    next:
      - {{to: w, label: again, probability: {redo_probability}}}
      - {{to: e, label: done, probability: {exit_probability}}}
  - {{id: e, kind: terminator}}
"""


@pytest.mark.parametrize(("exit_p", "redo_p"), [("0.000000000001", "0.999999999999"),
                                                ("0", "1"), ("1e-9", "0.999999999")])
def test_loop_left_only_with_negligible_probability_fails_check_and_analysis(
        exit_p: str, redo_p: str) -> None:
    """Cases would loop a trillion times (or forever): check reports SM105 at the
    branch, analyze refuses the map with that problem, and both solvers give no numbers."""
    bp = sm.loads(_loop(exit_p, redo_p))
    problems = sm.check(bp)
    assert [(p.code, p.step, p.line) for p in problems] == [("SM105", "d", 11)]
    assert "branch 'done' of 'd'" in problems[0].message
    assert "in practice a loop with no way out" in problems[0].message
    with pytest.raises(sm.AnalysisError) as refused:
        sm.analyze(bp)
    assert [p.code for p in refused.value.problems] == ["SM105"]
    assert visits(flow_graph(bp)) is None
    assert markov.trapped(flow_graph(bp)) == ["s", "w", "d"]
    with pytest.raises(ValueError, match="no end can be reached from steps 's', 'w', 'd'"):
        analyze_blueprint(bp)


def test_loop_left_with_small_probability_gives_the_same_numbers_in_both() -> None:
    """Exit 1e-6 is unlikely but a way out: 1e6 visits, utilisation 10/h · 1e6 · 1 min
    = 1.67e5 — SM501 says so in check, and analyze reports the same number."""
    bp = sm.loads(_loop("0.000001", "0.999999"))
    expected_visits = 1 / 1e-6
    ours = visits(flow_graph(bp), map_rate=10.0)
    assert ours is not None
    assert ours["w"] == pytest.approx(expected_visits, rel=1e-9)
    rho = 10.0 * expected_visits / 60.0
    problems = sm.check(bp)
    assert [(p.code, p.step) for p in problems] == [("SM501", "w")]
    analysed = sm.analyze(bp)
    (row,) = analysed.bottlenecks
    assert row.visits == pytest.approx(expected_visits, rel=1e-9)
    assert row.utilisation == pytest.approx(rho, rel=1e-9)
    assert overloaded.utilisations(Context(bp))["w"] == pytest.approx(row.utilisation, rel=1e-9)
