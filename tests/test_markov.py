"""SM501's pure-Python visits agree with the analysis' sparse solve."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.analysis import visits as sparse_visits
from servicemap.graph import flow_graph
from servicemap.markov import visits

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_component_solve_matches_sparse_solve(path: Path) -> None:
    bp = sm.load(path)
    ours = visits(flow_graph(bp))
    assert ours is not None
    theirs = sparse_visits(bp.to_networkx())
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
