"""The simulation engine runs parallel work: forks send a token down every branch, joins wait."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.simulation import compile_network, run_replication
from servicemap.simulation.eventlog import event_log_csv

FIXED = """name: fixed branches
arrivals: 2/h
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [a, b, c]}
  - {id: a, kind: task, duration: 10m, distribution: fixed, next: j}
  - {id: b, kind: task, duration: 20m, distribution: fixed, next: b2}
  - {id: b2, kind: task, duration: 5m, distribution: fixed, next: j}
  - {id: c, kind: delay, duration: 1m, distribution: fixed, next: j}
  - {id: j, kind: parallel, next: after}
  - {id: after, kind: task, duration: 3m, distribution: fixed, next: e}
  - {id: e, kind: terminator}
"""


def test_a_case_waits_for_its_longest_branch() -> None:
    result = sm.simulate(sm.loads(FIXED), cases=300, replications=2, workers=1)
    # fixed times: the longest branch is b then b2, 20 + 5 = 25 min, then 3 min
    assert result.lead_time.mean == pytest.approx(28 * 60)
    assert result.percentiles[95].mean == pytest.approx(28 * 60)
    # every branch runs once per case, the join fires once
    assert {s.id: s.visits.mean for s in result.steps} == {
        "s": 1.0, "f": 1.0, "a": 1.0, "b": 1.0, "b2": 1.0, "c": 1.0, "j": 1.0, "after": 1.0,
        "e": 1.0}


def test_the_join_starts_after_every_branch_of_its_own_case() -> None:
    net = compile_network(sm.loads(FIXED))
    rep = run_replication(net, "servicemap:1:0", cases=50, warmup=0, log=True)
    rows = list(csv.DictReader(io.StringIO(event_log_csv(net, rep.events).decode())))
    by_case: dict[str, dict[tuple[str, str], str]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], {})[(row["step"], row["lifecycle"])] = row["timestamp"]
    assert len(by_case) == 50
    for events in by_case.values():
        joined = events[("j", "start")]
        assert all(events[(step, "complete")] <= joined for step in ("a", "b2", "c"))
        assert events[("b2", "complete")] == joined  # the longest branch arrives last


def test_the_example_with_parallel_work_simulates() -> None:
    path = Path(__file__).parents[2] / "examples" / "claim_parallel.yaml"
    result = sm.simulate(path, arrivals="1/h", cases=2000, replications=2, workers=1)
    assert {s.id: s.visits.mean for s in result.steps}["both"] == 1.0
