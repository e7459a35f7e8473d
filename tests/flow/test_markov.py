"""SM501's pure-Python visits agree with the analysis' sparse solve."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.analysis import visits as sparse_visits
from servicemap.flow.graph import flow_graph
from servicemap.flow.markov import visits
from servicemap.flow.networkx import to_networkx

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
