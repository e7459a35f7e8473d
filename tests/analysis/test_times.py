"""Tests of servicemap.analysis.times: per-case times, cost, rolled accuracy and coverage."""

from __future__ import annotations

import math
from datetime import timedelta

import networkx as nx
import pytest

import servicemap
from servicemap.analysis import (
    activity_ratio,
    cost_per_case,
    lead_time,
    process_time,
    rolled_accuracy,
)
from servicemap.flow.networkx import to_networkx


def line(*steps: dict[str, object]) -> nx.DiGraph:
    """s -> steps... -> e, each step a dict of attributes with an 'id'."""
    G = nx.DiGraph()
    G.add_node("s", kind="terminator")
    ids = []
    for st in steps:
        attrs = dict(st)
        sid = str(attrs.pop("id"))
        attrs.setdefault("kind", "task")
        G.add_node(sid, **attrs)
        ids.append(sid)
    G.add_node("e", kind="terminator")
    nx.add_path(G, ["s", *ids, "e"])
    return G


def test_rolled_accuracy_of_a_straight_line_is_the_product() -> None:
    accs = [0.9, 0.95, 0.8, 0.99]
    G = line(*({"id": f"t{i}", "accuracy": a} for i, a in enumerate(accs)))
    assert rolled_accuracy(G).value == pytest.approx(math.prod(accs))


def test_rolled_accuracy_with_rework_is_a_geometric_series() -> None:
    # work (90% accurate) then ok? 20% back. A case is first-pass good iff every
    # execution of 'work' was accurate: sum_k (0.9*0.2)^k * 0.9*0.8 = 0.72 / 0.82
    G = to_networkx(servicemap.loads("""
name: rework
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, accuracy: 0.9, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: work, label: "no", probability: 0.2}
      - {to: e, label: "yes", probability: 0.8}
  - {id: e, kind: terminator}
"""))
    m = rolled_accuracy(G)
    assert m.value == pytest.approx(0.72 / 0.82)
    assert (m.covered, m.total) == (1, 2)


def test_process_and_lead_time_hand_calculation() -> None:
    # visits: a 1, b 1.25 (loop 0.2 over b), delay 1
    G = to_networkx(servicemap.loads("""
name: times
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 10m, wait: 1h, cost: 2, next: b}
  - {id: b, kind: task, duration: 4m, cost: 1, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: b, label: "no", probability: 0.2}
      - {to: hold, label: "yes", probability: 0.8}
  - {id: hold, kind: delay, duration: 1d, next: e}
  - {id: e, kind: terminator}
"""))
    pt = 600 + 1.25 * 240  # the delay's duration is not process time
    lt = (3600 + 600) + 1.25 * 240 + 86400
    assert process_time(G).value == pytest.approx(pt)
    assert lead_time(G).value == pytest.approx(lt)
    assert activity_ratio(G).value == pytest.approx(pt / lt)
    assert cost_per_case(G).value == pytest.approx(2 + 1.25 * 1)


def test_coverage_counts_steps_that_carry_the_data() -> None:
    # relevant steps: a, b, ok, hold (terminators carry nothing). Process time is
    # known for a (duration) and hold (a delay: 0); lead time for a, b (wait), hold;
    # cost for a, b.
    G = to_networkx(servicemap.loads("""
name: coverage
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 10m, cost: 2, next: b}
  - {id: b, kind: task, wait: 4m, cost: 1, next: ok}
  - id: ok
    kind: decision
    next: [{to: hold, label: "yes"}, {to: e, label: "no"}]
  - {id: hold, kind: delay, duration: 1d, next: e}
  - {id: e, kind: terminator}
"""))
    p = process_time(G)
    assert (p.covered, p.total) == (2, 4)
    assert p.coverage == "2 of 4 steps"
    lt = lead_time(G)
    assert (lt.covered, lt.total) == (3, 4)
    assert lt.value == pytest.approx(600 + 240 + 0.5 * 86400)
    c = cost_per_case(G)
    assert (c.covered, c.total) == (2, 4)


def test_a_terminator_with_data_counts_in_coverage() -> None:
    G = line({"id": "a", "duration": timedelta(minutes=1)})
    G.nodes["s"]["duration"] = timedelta(seconds=30)
    m = process_time(G)
    assert (m.covered, m.total) == (2, 2)
    assert m.value == pytest.approx(90.0)


def test_missing_data_gives_none_not_zero() -> None:
    G = line({"id": "a"}, {"id": "b", "kind": "delay"})
    assert process_time(G).value is None
    assert lead_time(G).value is None
    assert activity_ratio(G).value is None
    assert cost_per_case(G).value is None
    assert rolled_accuracy(G).value is None
    assert rolled_accuracy(G).coverage == "0 of 2 steps"


def test_only_waiting_gives_zero_process_time_and_ratio() -> None:
    G = line({"id": "a", "kind": "delay", "duration": timedelta(hours=2)})
    assert process_time(G).value == 0.0
    assert lead_time(G).value == pytest.approx(7200.0)
    assert activity_ratio(G).value == 0.0
