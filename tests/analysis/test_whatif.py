"""What-if and sensitivity against hand calculations (servicemap.analysis.whatif, sm.what_if)."""

from __future__ import annotations

import json

import pytest

import servicemap as sm
from servicemap.analysis.whatif import ChangeError, apply_changes, parse_change, sensitivity

SERIES = """\
name: Two tasks
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 10min, cost: 1, next: b}
  - {id: b, kind: task, duration: 20min, cost: 2, next: e}
  - {id: e, kind: terminator}
"""

DESK = """\
name: One desk
arrivals: 3/h
steps:
  - {id: s, kind: terminator, next: desk}
  - {id: desk, kind: task, duration: 10min, capacity: 1, accuracy: 0.9, next: e}
  - {id: e, kind: terminator}
"""

WORKED = """\
name: Worked example
arrivals: 12/h
steps:
  - {id: call, kind: terminator, next: record}
  - {id: record, kind: task, duration: 4m, wait: 2m, accuracy: 95%, capacity: 2, cost: 3,
     next: solve}
  - {id: solve, kind: task, duration: 10m, capacity: 3, cost: 8, next: solved}
  - id: solved
    kind: decision
    next:
      - {to: solve, label: no, probability: 0.2}
      - {to: closed, label: yes, probability: 0.8}
  - {id: closed, kind: terminator}
"""


def test_ten_percent_off_the_twenty_minute_step_saves_exactly_two_minutes() -> None:
    # Series, no queues: lead time 10 + 20 = 30 min; 20 min · 0.9 = 18 min, so 28 min.
    w = sm.what_if(sm.loads(SERIES), ["b.duration=-10%"])
    assert w.before.lead_time_s == pytest.approx(1800.0)
    assert w.after.lead_time_s == pytest.approx(1680.0)
    assert w.deltas["lead_time_s"] == pytest.approx(-120.0)
    assert w.deltas["cost"] == 0.0 and w.deltas["success_probability"] == 0.0


def test_one_more_server_changes_the_erlang_c_wait_as_by_hand() -> None:
    # λ = 3/h, μ = 6/h. One server (M/M/1): ρ = 0.5, W_q = ρ / (μ − λ) = 0.5 / 3 h = 10 min;
    # lead time 10 + 10 = 20 min; max throughput 1 / 10 min = 6/h.
    # Two servers: a = λ/μ = 0.5, Erlang B: B(1) = a / (1 + a) = 1/3,
    # B(2) = a·B(1) / (2 + a·B(1)) = (1/6) / (13/6) = 1/13; ρ = a/2 = 0.25;
    # C = B / (1 − ρ(1 − B)) = (1/13) / (1 − 3/13) = 1/10; W_q = C / (cμ − λ) = 0.1 / 9 h = 40 s.
    # Lead time 600 + 40 = 640 s; max throughput 2 / 10 min = 12/h.
    w = sm.what_if(sm.loads(DESK), ["desk.capacity=+1"])
    assert w.before.lead_time_s == pytest.approx(1200.0)
    assert w.after.lead_time_s == pytest.approx(640.0)
    assert w.deltas["lead_time_s"] == pytest.approx(-560.0)
    assert (w.before.max_throughput_per_h, w.after.max_throughput_per_h) == pytest.approx((6, 12))


def test_doubled_arrivals_overload_the_desk_and_the_lead_time_is_unbounded() -> None:
    # λ = 6/h = μ with one server: ρ = 1, the queue grows without bound.
    w = sm.what_if(sm.loads(DESK), ["arrivals=+100%"])
    assert w.after.arrivals_per_h == pytest.approx(6.0)
    assert w.after.lead_time_s is None and w.after.lead_time_unbounded
    assert w.deltas["lead_time_s"] is None
    assert "unbounded" in w.to_text()
    assert json.loads(w.to_json())["after"]["lead_time_s"] is None


def test_absolute_and_added_values_in_each_fields_syntax() -> None:
    # record waits 2 min; solve costs 8 and runs 1.25 times: +2 each run costs 2.5 more per case.
    bp = sm.loads(WORKED)
    w = sm.what_if(bp, ["record.wait=5min", "solve.cost=+2", "arrivals=6/h"])
    assert w.deltas["cost"] == pytest.approx(2.5)
    changed, rate = apply_changes(bp, [parse_change("record.wait=5min"),
                                       parse_change("record.accuracy=98%"),
                                       parse_change("record.duration=+1min")], 12.0)
    assert changed.step("record").wait.total_seconds() == 300.0  # type: ignore[union-attr]
    assert changed.step("record").accuracy == 0.98
    assert changed.step("record").duration.total_seconds() == 300.0  # type: ignore[union-attr]
    assert rate == 12.0
    assert bp.step("record").wait.total_seconds() == 120.0  # type: ignore[union-attr]


def test_changes_are_parsed_once_into_what_they_do() -> None:
    assert parse_change(" solve.duration = -10% ").amount == pytest.approx(0.9)
    assert parse_change("desk.capacity=+1").how == "add"
    assert parse_change("desk.capacity=3").how == "set"
    assert parse_change("desk.accuracy=0.98").amount == 0.98
    assert parse_change("arrivals=+20%").step is None
    assert parse_change("arrivals=30").amount == 30.0


@pytest.mark.parametrize(("text", "message"), [
    ("solve", "cannot read the change"),
    ("solve.speed=2", "unknown field 'speed'"),
    ("duration=5min", "did you mean STEP.duration"),
    ("solve.duration=abc", "cannot read the value"),
    ("solve.duration=+1", "no unit"),
    ("solve.capacity=2.5", "cannot read the value"),
    ("solve.accuracy=1.5", "cannot read the value"),
    ("arrivals=fast", "cannot read the value"),
])
def test_unreadable_changes_say_why(text: str, message: str) -> None:
    with pytest.raises(ChangeError, match=message):
        parse_change(text)


@pytest.mark.parametrize(("text", "message"), [
    ("slove.duration=-10%", "unknown step 'slove' .*did you mean 'solve'"),
    ("solve.accuracy=-10%", "step 'solve' has no accuracy"),
    ("record.accuracy=+10%", r"accuracy 1\.04\d*: it must be a fraction in \(0, 1\]"),
    ("solve.capacity=-3", "capacity 0: it must be a whole number from 1"),
    ("solve.capacity=+50%", "capacity 4.5: it must be a whole number"),
    ("solve.duration=-200%", "it must be a duration from 0"),
    ("solve.cost=-9", "cost -1: it must be a finite number >= 0"),
    ("arrivals=-200%", "arrivals must be >= 0"),
])
def test_changes_that_cannot_be_made_say_why(text: str, message: str) -> None:
    with pytest.raises(ChangeError, match=message):
        sm.what_if(sm.loads(WORKED), [text])


def test_relative_arrivals_need_arrivals() -> None:
    with pytest.raises(ChangeError, match="gives no arrivals"):
        sm.what_if(sm.loads(SERIES), ["arrivals=+20%"])


def test_what_if_refuses_a_map_with_structural_errors() -> None:
    broken = sm.loads("name: x\nsteps:\n  - {id: s, kind: terminator, next: w}\n"
                      "  - {id: w, kind: task, duration: 1min}\n")
    with pytest.raises(sm.AnalysisError):
        sm.what_if(broken, ["w.duration=-10%"])


def test_sensitivity_ranks_steps_by_lead_time_saved() -> None:
    # 10 % of 20 min is 2 min, of 10 min 1 min.
    ranking = sm.sensitivity(sm.loads(SERIES))
    assert [g.step for g in ranking.durations] == ["b", "a"]
    saved = [g.lead_time_saved_s for g in ranking.durations]
    assert saved == pytest.approx([120.0, 60.0])
    assert ranking.capacities == () and ranking.tried == ranking.candidates == 2
    assert "b: lead time 28 min (saves 2 min)" in ranking.to_text()


def test_sensitivity_finds_where_one_more_server_helps_most() -> None:
    # Worked example: solve waits 14.0 min per visit (1.25 visits), record 45.7 s:
    # a fourth server at solve saves far more than a third at record, and lifts the
    # bottleneck's throughput (60 / (1.25 · 10 / 4) = 19.2/h).
    ranking = sm.sensitivity(sm.loads(WORKED))
    best = ranking.capacities[0]
    assert best.step == "solve" and best.lead_time_saved_s is not None
    assert best.lead_time_saved_s > ranking.capacities[1].lead_time_saved_s  # type: ignore[operator]
    assert best.after.max_throughput_per_h == pytest.approx(19.2)
    assert "helps most at solve" in ranking.to_text()
    assert json.loads(ranking.to_json())["capacities"][0]["step"] == "solve"


def test_sensitivity_limit_keeps_the_heaviest_steps() -> None:
    ranking = sensitivity(sm.loads(SERIES), limit=1)
    assert [g.step for g in ranking.durations] == ["b"]
    assert (ranking.tried, ranking.candidates) == (1, 2)
    assert "Tried the 1 heaviest of 2 steps" in ranking.to_text()


@pytest.mark.parametrize("improvement", [0.0, -0.1, 1.5])
def test_sensitivity_refuses_an_improvement_outside_0_1(improvement: float) -> None:
    with pytest.raises(ValueError, match="improvement"):
        sm.sensitivity(sm.loads(SERIES), improvement)
