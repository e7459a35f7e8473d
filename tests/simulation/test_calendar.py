"""The simulation on working calendars: hand-worked fixed schedules, and the analysis verified."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.simulation import compile_network

OFFICE = ("{mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00, "
          "fri: 09:00-17:00}")
H = 3600.0


def test_a_fixed_schedule_by_hand(tmp_path: Path) -> None:
    bp = sm.loads(f"""
name: one a day
arrivals: 1/d
arrivals_cv: 0
calendar: {{hours: {OFFICE}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 1h, distribution: fixed, next: e}}
  - {{id: e, kind: terminator}}
""")
    log = tmp_path / "log.csv"
    result = sm.simulate(bp, cases=500, replications=1, warmup=0, workers=1, event_log=log)
    # One case per working day (8 working h apart): the k-th arrives when 8k working hours
    # have passed, i.e. at 17:00 of a working day, the moment work stops. Its hour of work
    # is done at 10:00 the next working day: 17 h later on Monday to Thursday, 65 h later
    # on Friday (over the weekend). 500 cases are 100 whole weeks:
    # mean = (4 x 17 h + 65 h) / 5 = 26.6 h; working time 1 h each.
    assert result.lead_time.mean == pytest.approx(26.6 * H)
    assert result.lead_time_working is not None
    assert result.lead_time_working.mean == pytest.approx(1 * H)
    assert result.percentiles[50].mean == pytest.approx(17 * H)
    assert result.calendar == "mon-fri 09:00-17:00 (UTC)"
    # The first case arrives Monday 17:00 and is worked on Tuesday 09:00-10:00.
    rows = log.read_text().splitlines()
    assert rows[1] == "case-0,s,s,start,2026-01-05T17:00:00.000+00:00,s"
    assert rows[3] == "case-0,w,w,start,2026-01-06T09:00:00.000+00:00,w"
    assert rows[4] == "case-0,w,w,complete,2026-01-06T10:00:00.000+00:00,w"


def test_days_are_working_days_in_the_simulation() -> None:
    bp = sm.loads(f"""
name: waits a day
arrivals: 2/d
arrivals_cv: 0
calendar: {{hours: {OFFICE}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, wait: 1d, duration: 0.5d, distribution: fixed, next: e}}
  - {{id: e, kind: terminator}}
""")
    result = sm.simulate(bp, cases=100, replications=1, warmup=0, workers=1)
    # A wait of one working day (8 h) and half a working day of work (4 h): 12 working h.
    assert result.lead_time_working is not None
    assert result.lead_time_working.mean == pytest.approx(12 * H)


def test_simulation_agrees_with_the_analysis_on_a_calendar() -> None:
    """M/M/1 on office hours: the analysis' working-time lead time, utilisation and queue
    wait, and its calendar-time lead time (working / f), inside the simulation's 95 % CI."""
    bp = sm.loads(f"""
name: desk
arrivals: 36/d
calendar: {{timezone: Europe/Berlin, hours: {OFFICE}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 10min, capacity: 1, next: e}}
  - {{id: e, kind: terminator}}
""")
    a = sm.analyze(bp)
    sim = sm.simulate(bp, cases=100_000, replications=10, seed=3)
    # 36/d over 8 h = 4.5/h; rho = 0.75; W = s / (1 - rho) = 40 min of working time.
    assert a.summary.lead_time_s == pytest.approx(40 * 60)
    assert a.calendar is not None
    assert sim.lead_time_working is not None
    assert sim.lead_time_working.covers(a.summary.lead_time_s)
    assert sim.lead_time.covers(a.calendar.lead_time_calendar_s)  # 40 min x 4.2 = 2.8 h
    row = {s.id: s for s in sim.steps}["w"]
    assert row.utilisation is not None and row.utilisation.covers(0.75)
    assert row.queue_wait is not None and row.queue_wait.covers(30 * 60)


def test_start_rates_per_day_and_per_hour_are_compared_in_working_time() -> None:
    bp = sm.loads(f"""
name: two doors
calendar: {{hours: {OFFICE}}}
steps:
  - {{id: web, kind: terminator, arrivals: 40/d, next: w}}
  - {{id: phone, kind: terminator, arrivals: 5/h, next: w}}
  - {{id: w, kind: task, duration: 1min, next: e}}
  - {{id: e, kind: terminator}}
""")
    # 40 per 8-hour working day = 5 per working hour: as many as by phone; 10/h in all.
    net = compile_network(bp)
    assert net.arrivals_per_h == pytest.approx(10.0)
    (stream,) = net.streams
    assert stream.cumulative[0] == pytest.approx(0.5)
    a = sm.analyze(bp, percentile_cases=0)
    assert a.summary.arrivals_per_h == pytest.approx(10.0)
    assert {r.id: r.visits for r in a.steps}["web"] == pytest.approx(0.5)


def test_holidays_by_hand(tmp_path: Path) -> None:
    bp = sm.loads(f"""
name: one a day, Tuesday off
arrivals: 1/d
arrivals_cv: 0
calendar: {{hours: {OFFICE}, holidays: [2026-01-06]}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 1h, distribution: fixed, next: e}}
  - {{id: e, kind: terminator}}
""")
    log = tmp_path / "log.csv"
    sm.simulate(bp, cases=20, replications=1, warmup=0, workers=1, event_log=log)
    rows = log.read_text().splitlines()
    # As in test_a_fixed_schedule_by_hand, but Tuesday 6 January 2026 is closed all day:
    # case 0 arrives Monday 17:00 and is worked on Wednesday 09:00-10:00; case 1 arrives
    # when 16 working hours have passed, Wednesday 17:00 (no arrivals on the holiday), and
    # is worked on Thursday 09:00-10:00.
    assert "case-0,s,s,start,2026-01-05T17:00:00.000+00:00,s" in rows
    assert "case-0,w,w,start,2026-01-07T09:00:00.000+00:00,w" in rows
    assert "case-0,w,w,complete,2026-01-07T10:00:00.000+00:00,w" in rows
    assert "case-1,s,s,start,2026-01-07T17:00:00.000+00:00,s" in rows
    assert "case-1,w,w,start,2026-01-08T09:00:00.000+00:00,w" in rows
    assert not any(",2026-01-06T" in row for row in rows)  # nothing happens on the holiday
