"""Tests of servicemap.analysis.bottlenecks: load, throughput, utilisation, queues, traps."""

from __future__ import annotations

import pytest

import servicemap
from servicemap.analysis import (
    bottleneck,
    convergence_points,
    loads,
    max_throughput,
    overloaded,
    queue_waits,
    time_traps,
    utilisation,
)
from servicemap.analysis.queues import mmc_wait
from servicemap.flow.networkx import to_networkx

MAP = """
name: desk
arrivals: 6/h
steps:
  - {id: s, kind: terminator, next: triage}
  - {id: triage, kind: task, duration: 5m, wait: 10m, next: fix}
  - {id: fix, kind: task, duration: 20m, capacity: 3, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: fix, label: "no", probability: 0.25}
      - {to: close, label: "yes", probability: 0.75}
  - {id: close, kind: task, duration: 6m, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""


def graph():  # type: ignore[no-untyped-def]
    return to_networkx(servicemap.loads(MAP))


def test_loads_and_throughput_by_hand() -> None:
    G = graph()
    v_fix = 1 / 0.75
    ld = loads(G)
    assert ld["fix"] == pytest.approx(v_fix * 1200 / 3)  # 533.3 s of server time per case
    assert ld["close"] == pytest.approx(360.0)
    assert ld["triage"] is None  # no capacity: not constrained
    assert bottleneck(G) == "fix"
    assert max_throughput(G) == pytest.approx(3600 / (v_fix * 1200 / 3))


def test_utilisation_and_queue_waits_by_hand() -> None:
    G = graph()
    rho = utilisation(G)
    lam_fix = 6 * (1 / 0.75)  # 8 per hour reach 'fix'
    assert rho["fix"] == pytest.approx(lam_fix * (20 / 60) / 3)
    assert rho["close"] == pytest.approx(6 * 0.1)
    assert rho["triage"] is None
    waits = queue_waits(G)
    assert waits["fix"] == pytest.approx(mmc_wait(lam_fix, 3.0, 3) * 3600)
    # M/M/1 at 'close': ρ/(μ-λ) hours
    assert waits["close"] == pytest.approx(0.6 / (10 - 6) * 3600)


def test_arrivals_argument_overrides_and_overload() -> None:
    G = graph()
    assert overloaded(G) == []
    # 'fix' saturates at 1/load: 3600/533.3 = 6.75 per hour
    assert overloaded(G, 6.8) == ["fix"]
    assert overloaded(G, 6.7) == []
    assert queue_waits(G, 7)["fix"] is None  # overloaded: no finite wait


def test_without_arrivals_no_utilisation() -> None:
    G = graph()
    G.graph["arrivals"] = None
    assert set(utilisation(G).values()) == {None}


def test_no_capacity_no_bottleneck() -> None:
    G = to_networkx(servicemap.loads("""
name: free
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5m, next: e}
  - {id: e, kind: terminator}
"""))
    assert bottleneck(G) is None
    assert max_throughput(G) is None


def test_time_traps_shares() -> None:
    G = graph()
    v_fix = 1 / 0.75
    parts = {"triage": 900.0, "fix": v_fix * 1200, "close": 360.0}
    total = sum(parts.values())
    traps = time_traps(G)
    assert [s for s, _ in traps] == ["fix", "triage", "close"]
    assert dict(traps) == pytest.approx({k: x / total for k, x in parts.items()})


def test_convergence_points() -> None:
    assert convergence_points(graph()) == [("fix", 2)]
