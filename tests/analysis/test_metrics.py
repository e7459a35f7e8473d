"""Numbers at the edges of their ranges (analysis/metrics.py, bottlenecks.py, queues.py, engine.py).

Issue 8: on any map that loads, the analysis gives finite numbers or ``None``
with a note saying why — never ``inf`` or ``nan``, never an OverflowError,
ZeroDivisionError or numpy warning — and it refuses only with AnalysisError.
The expected values are worked out by hand (Python integers and floats), not
by the analysis' own code path.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Iterator

import networkx as nx
import pytest

import servicemap as sm
from servicemap.analysis import analyze_graph
from servicemap.analysis.notes import TOO_LARGE

BIG = sys.float_info.max  # 1.7976931348623157e308, the largest cost a map may give


@pytest.fixture(autouse=True)
def _warnings_are_errors() -> Iterator[None]:
    """A numpy overflow or invalid-value warning would fail the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _strict_json(text: str) -> object:
    """Parse JSON as RFC 8259 has it: NaN and Infinity are errors."""
    def refuse(constant: str) -> object:
        raise AssertionError(f"JSON holds {constant}")
    return json.loads(text, parse_constant=refuse)


def _no_non_finite_text(analysis: sm.Analysis) -> None:
    for view in (analysis.to_csv(), analysis.to_text(), analysis._repr_html_()):
        for token in ("nan", "inf", "NaN", "Infinity"):
            assert f" {token}" not in view and f",{token}" not in view, (token, view)


def test_a_cost_beyond_the_float_range_is_unknown_with_a_note() -> None:
    """The largest cost a map may give, on a step every case runs twice: 2 × 1.8e308
    is beyond the largest float, so the cost per case is unknown (null), and the
    note says why. Process time is unaffected: 2 × 5 min = 600 s."""
    bp = sm.loads(f"""
name: Dear step
steps:
  - {{id: s, kind: terminator, next: work}}
  - {{id: work, kind: task, duration: 5min, cost: {BIG!r}, next: again}}
  - {{id: again, kind: task, duration: 5min, cost: {BIG!r}, next: e}}
  - {{id: e, kind: terminator}}
""")
    assert math.isinf(BIG + BIG)  # by hand: the true cost per case is no float
    a = sm.analyze(bp)
    assert a.summary.cost is None
    assert a.summary.process_time_s == 600.0
    assert a.summary.coverage["cost"].coverage == "2 of 2 steps"
    assert f"cost per case is {TOO_LARGE}: reported as unknown (null)" in a.notes
    data = _strict_json(a.to_json())
    assert data["summary"]["cost"] is None  # type: ignore[index]
    assert data["coverage"]["cost"]["value"] is None  # type: ignore[index]
    _no_non_finite_text(a)
    assert "cost per case:          unknown" in a.to_text()


def test_utilisation_beyond_the_float_range_is_overloaded_and_unknown() -> None:
    """1e308 cases per hour at a step of 999,999,999 days on one server: utilisation
    1e308/3600 × 8.64e13 s = 2.4e317, no float; the step is overloaded, its
    utilisation and queue wait unknown, and the notes say so."""
    bp = sm.loads("""
name: Flood
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, duration: 999999999 d, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    assert math.isinf(1e308 / 3600 * (999_999_999 * 86_400.0))
    a = sm.analyze(bp, arrivals=1e308)
    (row,) = a.bottlenecks
    assert (row.utilisation, row.queue_wait_s, row.overloaded) == (None, None, True)
    assert row.load_s == 999_999_999 * 86_400.0
    assert "step 'work' is overloaded (utilisation too large to show): its queue grows " \
        "without bound" in a.notes
    assert f"the utilisation of step(s) 'work' is {TOO_LARGE}: reported as unknown " \
        "(null): overloaded" in a.notes
    data = _strict_json(a.to_json())
    assert data["steps"][1]["utilisation"] is None  # type: ignore[index]
    assert "overloaded" in data["steps"][1]["flags"]  # type: ignore[index]
    _no_non_finite_text(a)


def test_a_throughput_beyond_the_float_range_is_unknown_with_a_note() -> None:
    """10^305 servers of one second each: load 1e-305 s per case, so the maximum
    throughput 3600 / 1e-305 = 3.6e308 per hour is no float."""
    a = _with_servers("""
name: Many servers
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, duration: 1s, capacity: 1, next: e}
  - {id: e, kind: terminator}
""", 10**305, arrivals=10)
    assert a.summary.bottleneck == "work"
    assert a.summary.max_throughput_per_h is None
    assert f"max throughput is {TOO_LARGE}: reported as unknown (null)" in a.notes
    (row,) = a.bottlenecks
    assert row.load_s == pytest.approx(1e-305) and row.queue_wait_s == 0.0
    _strict_json(a.to_json())
    _no_non_finite_text(a)


def test_a_capacity_beyond_the_float_range_is_kept_exact_and_waits_nothing() -> None:
    """10^400 servers: as a float that is inf, so the load 300 s / 10^400 is 0 to
    machine precision and nobody waits; the table keeps the whole number given."""
    a = _with_servers("""
name: Countless servers
arrivals: 10/h
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, duration: 5min, capacity: 1, next: e}
  - {id: e, kind: terminator}
""", 10**400)
    (row,) = a.bottlenecks
    assert row.capacity == 10**400
    assert (row.load_s, row.utilisation, row.queue_wait_s, row.overloaded) == (0.0, 0.0, 0.0,
                                                                               False)
    assert a.table["capacity"][1] == 10**400
    assert _strict_json(a.to_json())["steps"][1]["capacity"] == 10**400  # type: ignore[index]


def _with_servers(text: str, servers: int, arrivals: float | None = None) -> sm.Analysis:
    """The analysis of the map ``text`` with step ``work`` given ``servers`` servers
    through its flow graph (a map file may give at most 10^9; the analysis takes any)."""
    from servicemap.analysis import analyze_graph

    G = sm.to_networkx(sm.loads(text))
    G.nodes["work"]["capacity"] = servers
    return analyze_graph(G, arrivals=arrivals)


def _nested_loops(depth: int, lead: str = "1000000 d") -> str:
    """``depth`` rework loops one inside the other, each left with probability 1e-8:
    the innermost step runs (1/1e-8)^depth = 1e(8·depth) times per case."""
    steps = ["  - {id: s, kind: terminator, next: a1}"]
    steps += [f"  - {{id: a{i}, kind: task, next: a{i + 1}}}" for i in range(1, depth)]
    steps.append(f"  - {{id: a{depth}, kind: task, wait: {lead}, next: b{depth}}}")
    for i in range(depth, 0, -1):
        on = f"b{i - 1}" if i > 1 else "e"
        steps.append(f"  - {{id: b{i}, kind: decision, next: [{{to: a{i}, label: again, "
                     f"probability: 0.99999999}}, {{to: {on}, label: on, probability: 1e-8}}]}}")
    steps.append("  - {id: e, kind: terminator}")
    return "name: Nested\nsteps:\n" + "\n".join(steps) + "\n"


def test_a_lead_time_beyond_the_float_range_keeps_its_shares_with_a_note() -> None:
    """A flow graph of one's own (analyze_graph takes any numbers): waits of 1.2e308 s
    and 6e307 s add up to 1.8e308 s, beyond the float range. The lead time is
    unknown, yet the shares are found: 1.2e308 / 1.8e308 = 2/3 and 1/3 — and the
    activity ratio, 2 × 1 s / 1.8e308 s, is a float (1.1e-308)."""
    G = nx.DiGraph(name="Long waits")
    G.add_node("s", kind="terminator")
    G.add_node("a", kind="task", duration=1.0, wait=1.2e308)
    G.add_node("b", kind="task", duration=1.0, wait=6e307)
    G.add_node("e", kind="terminator")
    nx.add_path(G, ["s", "a", "b", "e"])
    assert math.isinf(1.2e308 + 6e307 + 2.0)
    a = analyze_graph(G)
    assert a.summary.lead_time_s is None and a.summary.process_time_s == 2.0
    assert a.summary.activity_ratio == pytest.approx(2.0 / 1.2e308 / 1.5, rel=1e-12)
    assert f"lead time per case is {TOO_LARGE}: reported as unknown (null)" in a.notes
    assert "no step has a wait or a duration: no lead time" not in a.notes
    assert [s for s, _ in a.time_traps] == ["a", "b"]
    assert [x for _, x in a.time_traps] == pytest.approx([2 / 3, 1 / 3], rel=1e-12)
    assert a.table["lead_time_share"][1:3] == pytest.approx([2 / 3, 1 / 3], rel=1e-12)
    _strict_json(a.to_json())
    _no_non_finite_text(a)


def test_visits_beyond_the_float_range_refuse_the_map_with_an_analysis_error() -> None:
    """39 nested loops: 1e312 executions per case, no float — a loop with no way out in
    practice. analyze refuses it with AnalysisError (SM105 at the innermost step), never
    a bare ValueError."""
    bp = sm.loads(_nested_loops(39), "nested.yaml")
    with pytest.raises(sm.AnalysisError) as refused:
        sm.analyze(bp)
    (problem,) = refused.value.problems
    assert (problem.code, problem.file) == ("SM105", "nested.yaml")
    assert problem.step is not None and problem.line is not None
    assert "are beyond the largest number a float holds" in problem.message


def test_summary_numbers_stay_finite_for_the_largest_durations() -> None:
    """Durations and waits at the top of their range (999,999,999 days) on a loop run
    1e8 times: 8.64e13 s × 1e8 × 2 is still a float, computed exactly as by hand."""
    bp = sm.loads("""
name: Long
steps:
  - {id: s, kind: terminator, next: work}
  - {id: work, kind: task, duration: 999999999 d, wait: 999999999 d, next: ok}
  - id: ok
    kind: decision
    next: [{to: work, label: again, probability: 0.99999999}, {to: e, label: on, probability: 1e-8}]
  - {id: e, kind: terminator}
""")
    a = sm.analyze(bp)
    day = 999_999_999 * 86_400.0
    assert a.summary.process_time_s == pytest.approx(1e8 * day, rel=1e-7)
    assert a.summary.lead_time_s == pytest.approx(2e8 * day, rel=1e-7)
    assert a.summary.activity_ratio == pytest.approx(0.5)
    _strict_json(a.to_json())


def test_visits_too_many_to_solve_precisely_are_flagged_in_a_note() -> None:
    """Two loops, one inside the other, each left with probability 1e-8: by hand a
    case runs the inner step (1e8)^2 = 1e16 times, where the solve's round-off
    (machine epsilon times the runs, about 2) leaves no correct digit: the notes say
    the numbers are not reliable. One such loop (1e8 runs, 2e-8) gets no note."""
    deep = sm.analyze(sm.loads(_nested_loops(2)))
    assert any("are not reliable, as round-off grows" in n for n in deep.notes), deep.notes
    shallow = sm.analyze(sm.loads(_nested_loops(1)))
    assert not any("round-off" in n for n in shallow.notes)
    visits = dict(zip(shallow.table["id"], shallow.table["visits"], strict=True))
    assert visits["a1"] == pytest.approx(1 / (1 - 0.99999999), rel=1e-6)


def test_numpy_floating_point_errors_set_to_raise_are_not_raised() -> None:
    """With np.seterr(all="raise") an underflow is a FloatingPointError. A branch of
    probability 1e-310 (allowed) runs 'rare' 1e-310 times per case; its defects,
    1e-310 × (1 - 0.5) = 5e-311, underflow to a subnormal float: a number, no error."""
    import numpy as np

    bp = sm.loads("""
name: Rare branch
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: rare, label: rare, probability: 1e-310}, {to: e, label: usual, probability: 1}]
  - {id: rare, kind: task, duration: 1s, accuracy: 0.5, next: e}
  - {id: e, kind: terminator}
""")
    old = np.seterr(all="raise")
    try:
        a = sm.analyze(bp, arrivals=1.0)
    finally:
        np.seterr(**old)
    assert a.table["visits"][2] == 1e-310
    assert a.table["expected_defects"][2] == 1e-310 * 0.5
